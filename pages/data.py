"""Data: upload history, removing an upload, every view to browse and download, and the
indicators' settings officers keep."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

import queries
import ui
from loaders.errors import LoaderError
from loaders.importer import remove_upload
from loaders.indicators import POLARITIES, set_indicator
from loaders.interpret import NOT_STORED_REASONS, dump_mapping, load_mapping
from loaders.store import delete_layout, update_layout

ui.ensure_navigation()
st.title("Data")


def _reasons(counts) -> str:
    """'12 blank, 7 header' from the accounting's reasons (a map, or nothing for old uploads)."""
    if counts is None or (not isinstance(counts, dict | list) and pd.isna(counts)):
        return ""
    pairs = counts.items() if isinstance(counts, dict) else [(r["key"], r["value"]) for r in counts]
    return ", ".join(f"{n} {NOT_STORED_REASONS.get(r, r)}" for r, n in pairs)


st.header("Upload history", divider="gray")
history = ui.query("uploads")
if history.empty:
    ui.empty_state("Nothing has been uploaded yet.", "Upload a spreadsheet")
else:
    shown = history.fillna({"uploaded_by": "", "plan": ""}).assign(
        loaded_at=history["loaded_at"].dt.strftime("%-d %b %Y %H:%M"),
        as_of=history["as_of"].map(ui.date_text),
        kind=history["kind"].map({"actions": "Action plan", "metrics": "KPI figures", "neighbours": "Statistical neighbours",
                                  "dictionary": "Measure dictionary"}),
        cells_stored=[f"{s:,} of {c:,}" if pd.notna(c) else "" for s, c in zip(history["cells_stored"], history["cells"], strict=True)],
    ).rename(
        columns={"upload_id": "Upload", "loaded_at": "Loaded", "uploaded_by": "By", "file_name": "File", "kind": "Kind",
                 "plan": "Plan", "as_of": "As of", "rows": "Rows", "warnings": "Warnings", "cells_stored": "Cells stored"}
    )[["Upload", "Loaded", "By", "File", "Kind", "Plan", "As of", "Rows", "Cells stored", "Warnings"]]  # fmt: skip
    ui.table(shown)
    files = history.set_index("upload_id")["file_name"]

    def describe(upload_id: int) -> str:
        return f"{upload_id}: {files.loc[upload_id]}"

    with st.expander("An upload's warnings, and how it was read"):
        chosen = st.selectbox(
            "Upload", history["upload_id"], format_func=describe, key="warn_upload"
        )
        one = history.set_index("upload_id").loc[chosen]
        read_as = (
            f"Read as {one['layout']}"
            if pd.notna(one["layout"])
            else "Loaded before layouts were recorded"
        )
        if pd.notna(one["layout_id"]):
            read_as += f", with the answers of saved layout {int(one['layout_id'])}"
        st.markdown(ui.literal(
            f"{read_as}. "
            + (f"{int(one['cells']):,} cells in its tables, {int(one['cells_stored']):,} stored"
               + (f"; not stored: {_reasons(one['cells_not_stored'])}." if _reasons(one["cells_not_stored"]) else ".")
               if pd.notna(one["cells"]) else "")
        ))  # fmt: skip
        listed = one["warning_list"]
        if len(listed):
            st.dataframe(pd.DataFrame({"Warning": list(listed)}), hide_index=True, width="stretch")
        else:
            st.write("No warnings.")
    with st.expander("Remove an upload"):
        target = st.selectbox(
            "Upload to remove", history["upload_id"], format_func=describe, key="remove_upload"
        )
        sure = st.checkbox(
            f"Yes, remove upload {target} and every figure and action loaded from it",
            key="remove_sure",
        )
        if st.button("Remove upload", type="primary", disabled=not sure, icon=":material/delete:"):
            try:
                name = remove_upload(ui.connection(), int(target))
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                ui.refresh()
                st.success(ui.literal(f"Removed upload {target} ({name})."))
                st.rerun()

st.header("Saved layouts", divider="gray")
st.markdown(
    "When the loader asks how to read a file, your answers are kept as a layout, keyed by the "
    "file's headers, and used for the next file laid out the same way. Edit or delete them here; "
    "a deleted layout's files are asked their questions again."
)
saved = ui.query("layouts")
if saved.empty:
    st.info("No saved layouts yet: files so far were read without questions.")
else:
    st.dataframe(
        saved.drop(columns=["answers"]).rename(
            columns={"layout_id": "Layout", "name": "Name", "kind": "Kind", "layout": "Read as",
                     "saved_at": "Saved", "saved_by": "By", "uploads": "Uploads read with it"}
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    with st.expander("Edit or delete a layout"):
        chosen_layout = st.selectbox(
            "Layout",
            saved["layout_id"],
            format_func=lambda i: f"{i}: {saved.set_index('layout_id').loc[i, 'name']}",
            key="edit_layout",
        )
        row = saved.set_index("layout_id").loc[chosen_layout]
        new_name = st.text_input("Name", row["name"], key=f"layout_name_{chosen_layout}")
        text = st.text_area(
            "Answers (the mapping file's form)",
            dump_mapping(json.loads(row["answers"])),
            height=200,
            key=f"layout_answers_{chosen_layout}",
        )
        save_col, delete_col = st.columns(2)
        if save_col.button("Save the layout", icon=":material/save:"):
            try:
                update_layout(ui.connection(), int(chosen_layout), new_name, load_mapping(text))
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                ui.refresh()
                st.success(f"Saved layout {chosen_layout}.")
        if delete_col.button("Delete the layout", icon=":material/delete:"):
            try:
                delete_layout(ui.connection(), int(chosen_layout))
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                ui.refresh()
                st.rerun()

st.header("Browse and download", divider="gray")
name = ui.url_select(
    "View", list(queries.BROWSABLE_VIEWS), "view", format_func=queries.BROWSABLE_VIEWS.get
)
table = ui.query("view", name)
st.caption(
    f"{ui.plural(len(table), 'row')}. Column names are those of the data contract in the README."
)
st.dataframe(table.head(5000), hide_index=True, width="stretch")
ui.table_downloads(table, name)

st.header("Indicator settings", divider="gray")
st.markdown(
    "Set an indicator's polarity, target and description where the uploaded files give none. "
    "Later uploads never overwrite what you set here."
)
indicators = ui.query("indicators")
if indicators.empty:
    st.info("No indicators are loaded yet.")
else:
    edited = st.data_editor(
        indicators[["indicator", "unit", "polarity", "target", "description"]],
        hide_index=True,
        width="stretch",
        disabled=["indicator", "unit"],
        column_config={
            "indicator": st.column_config.TextColumn("Indicator"),
            "unit": st.column_config.TextColumn("Unit"),
            "polarity": st.column_config.SelectboxColumn(
                "Polarity", options=list(POLARITIES), help="Which direction is better"
            ),
            "target": st.column_config.NumberColumn("Target"),
            "description": st.column_config.TextColumn("Description"),
        },
        key="indicator_editor",
    )
    if st.button("Save indicator settings", icon=":material/save:"):
        before = indicators.set_index("indicator")
        saved = 0
        for row in edited.itertuples():
            old = before.loc[row.indicator]
            changes = {
                field: getattr(row, field)
                for field in ("polarity", "target", "description")
                if not (pd.isna(getattr(row, field)) and pd.isna(old[field]))
                and getattr(row, field) != old[field]
            }
            changes = {k: v for k, v in changes.items() if not pd.isna(v)}
            if changes:
                set_indicator(ui.connection(), row.indicator, **changes)
                saved += 1
        ui.refresh()
        st.success(f"Saved settings for {ui.plural(saved, 'indicator')}.")
