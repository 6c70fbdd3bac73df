"""Data: upload history, removing an upload, every view to browse and download, and the
indicators' settings officers keep."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import queries
import ui
from loaders.errors import LoaderError
from loaders.importer import remove_upload
from loaders.indicators import POLARITIES, set_indicator

ui.ensure_navigation()
st.title("Data")

st.header("Upload history", divider="gray")
history = ui.query("uploads")
if history.empty:
    ui.empty_state("Nothing has been uploaded yet.", "Upload a spreadsheet")
else:
    shown = history.fillna({"uploaded_by": "", "plan": ""}).assign(
        loaded_at=history["loaded_at"].dt.strftime("%-d %b %Y %H:%M"),
        as_of=history["as_of"].map(ui.date_text),
        kind=history["kind"].map({"actions": "Action plan", "metrics": "KPI figures", "neighbours": "Statistical neighbours"}),
    ).rename(
        columns={"upload_id": "Upload", "loaded_at": "Loaded", "uploaded_by": "By", "file_name": "File", "kind": "Kind",
                 "plan": "Plan", "as_of": "As of", "rows": "Rows", "warnings": "Warnings"}
    ).drop(columns=["warning_list"])  # fmt: skip
    ui.table(shown)
    files = history.set_index("upload_id")["file_name"]

    def describe(upload_id: int) -> str:
        return f"{upload_id}: {files.loc[upload_id]}"

    with st.expander("Warnings of an upload"):
        chosen = st.selectbox(
            "Upload", history["upload_id"], format_func=describe, key="warn_upload"
        )
        listed = history.set_index("upload_id").loc[chosen, "warning_list"]
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
                st.error(str(exc))
            else:
                ui.refresh()
                st.success(f"Removed upload {target} ({name}).")
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
