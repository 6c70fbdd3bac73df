"""Data: upload history, removing an upload, every view to browse and download, and the
indicators' settings officers keep."""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import streamlit as st

import queries
import signin
import ui
from charts import kpi as kpi_charts
from loaders import access
from loaders.bin import binned_uploads, empty_bin, remove_upload, restore_upload
from loaders.errors import LoaderError
from loaders.indicators import LINK, POLARITIES, link_indicator, set_indicator, unlink_indicator
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


def _done(message: str) -> None:
    """Say what was done after the rerun that shows it (the rerun clears the controls)."""
    st.session_state["data_done"] = message
    ui.refresh()
    st.rerun()


KINDS = {"actions": "Action plan", "metrics": "KPI figures", "neighbours": "Statistical neighbours",
         "dictionary": "Measure dictionary"}  # fmt: skip
COUNTED = {"actions": "action", "metrics": "figure"}  # what an upload's rows are


def _described(upload: pd.Series) -> str:
    """'Action plan, plan 'X', as of 30 Apr 2018, 23 actions': what an upload holds."""
    parts = [KINDS.get(upload["kind"], upload["kind"])]
    if isinstance(upload["plan"], str) and upload["plan"]:
        parts.append(f"plan '{upload['plan']}'")
    if as_of := ui.date_text(upload["as_of"]):
        parts.append(f"as of {as_of}")
    parts.append(ui.plural(int(upload["rows"]), COUNTED.get(upload["kind"], "row")))
    return ", ".join(parts)


def _remove_an_upload(history: pd.DataFrame, describe) -> None:
    target = st.selectbox(
        "Upload to remove", history["upload_id"], format_func=describe, key="remove_upload"
    )
    sure = st.checkbox(
        f"Yes, move upload {target} and every figure and action loaded from it to the bin",
        key=f"remove_sure_{target}",
    )
    if st.button("Remove upload", type="primary", disabled=not sure, icon=":material/delete:"):
        what = _described(history.set_index("upload_id").loc[target])
        try:
            name = remove_upload(ui.connection(), int(target), signin.actor())
        except LoaderError as exc:
            st.error(ui.literal(exc))
        else:
            # the choice and its tick go with the upload: nothing else is left ticked
            st.session_state.pop("remove_upload", None)
            st.session_state.pop(f"remove_sure_{target}", None)
            st.session_state["data_removed"] = (int(target), name, what)
            ui.refresh()
            st.rerun()


def _removed() -> None:
    """After a removal, while the upload is still in the bin: what went, and Undo."""
    upload_id, name, what = st.session_state["data_removed"]
    if upload_id not in set(binned_uploads(ui.connection())["upload_id"]):
        st.session_state.pop("data_removed")  # restored from the bin, or the bin emptied
        return
    st.success(
        ui.literal(f"Moved upload {upload_id} ({name}) to the bin: {what}."),
        icon=":material/delete:",
    )
    if not signin.may("upload restored"):
        st.caption("An admin can restore it from the bin.")
    elif st.button("Undo", key="undo_remove", icon=":material/undo:"):
        try:
            restore_upload(ui.connection(), upload_id, signin.actor())
        except LoaderError as exc:
            st.error(ui.literal(exc))
        else:
            st.session_state.pop("data_removed")
            _done(f"Restored upload {upload_id} ({name}): {what}.")


def _bin() -> None:
    st.header("Bin", divider="gray")
    binned = binned_uploads(ui.connection())
    if binned.empty:
        st.caption(
            "The bin is empty. A removed upload waits here, bytes and rows, until restored or the bin is emptied."
        )
        return
    st.dataframe(
        binned.assign(as_of=binned["as_of"].map(ui.date_text)).rename(
            columns={"upload_id": "Upload", "file_name": "File", "kind": "Kind", "plan": "Plan", "as_of": "As of",
                     "rows": "Rows", "uploaded_by": "Loaded by", "loaded_at": "Loaded", "removed_at": "Removed",
                     "removed_by": "Removed by"}
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    names = binned.set_index("upload_id")["file_name"]
    back, empty = st.columns(2)
    with back:
        chosen = st.selectbox(
            "Upload to restore", binned["upload_id"], format_func=lambda i: f"{i}: {names.loc[i]}"
        )
        if st.button("Restore the upload", icon=":material/restore_from_trash:"):
            try:
                name = restore_upload(ui.connection(), int(chosen), signin.actor())
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                _done(f"Restored upload {chosen} ({name}).")
    with empty:
        sure = st.checkbox(
            f"Yes, delete the {ui.plural(len(binned), 'upload')} in the bin for good",
            key="empty_sure",
        )
        if st.button("Empty the bin", disabled=not sure, icon=":material/delete_forever:"):
            gone = empty_bin(ui.connection(), signin.actor())
            st.session_state.pop("empty_sure", None)
            _done(f"Deleted {ui.plural(gone, 'upload')} from the bin for good.")


def _edit_layouts(saved: pd.DataFrame) -> None:
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
                update_layout(
                    ui.connection(),
                    int(chosen_layout),
                    new_name,
                    load_mapping(text),
                    signin.actor(),
                )
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                ui.refresh()
                st.success(f"Saved layout {chosen_layout}.")
        if delete_col.button("Delete the layout", icon=":material/delete:"):
            try:
                delete_layout(ui.connection(), int(chosen_layout), signin.actor())
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                ui.refresh()
                st.rerun()


def _indicator_editor(indicators: pd.DataFrame) -> None:
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
                set_indicator(ui.connection(), row.indicator, **changes, actor=signin.actor())
                saved += 1
        ui.refresh()
        st.success(f"Saved settings for {ui.plural(saved, 'indicator')}.")


def _links() -> None:
    """Links from the council's own indicators to the national measures they are compared with."""
    st.subheader("Compare with a national measure")
    st.markdown(
        "Link a council's own indicator (a monthly health assessments figure, say) to the "
        "national measure it matches. KPI trends and the Overview then show that measure's "
        "latest national figures (rank, band, neighbours, region, England) beside yours, "
        "labelled with their own year."
    )
    links = ui.query("indicator_links")
    if not links.empty:
        st.dataframe(
            links.rename(columns={"indicator": "Indicator", "measure": "National measure",
                                  "linked_at": "Linked", "linked_by": "By"}),
            hide_index=True,
            width="stretch",
        )  # fmt: skip
    if not signin.may(LINK):
        signin.role_note(LINK)
        return
    own = ui.query("own_indicators")
    if not own:
        st.info("No council's own indicators are loaded yet: upload a KPI return first.")
        return
    indicator = ui.url_select("Indicator to link", own, "link")
    choices = ui.query("measure_choices", indicator)
    if choices.empty:
        st.info(
            "No national measures are loaded yet: upload LAIT's data dictionary and data set, "
            "or a DfE statistics file with figures for every council."
        )
        return
    current = links.set_index("indicator")["measure"].get(indicator)
    options = list(choices["measure"])
    suggested = set(choices.loc[choices["suggested"], "measure"])
    measure = st.selectbox(
        "National measure (suggestions by name first; type to search them all)",
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda m: f"{m} (suggested)" if m in suggested else m,
        key=f"link_measure_{indicator}",
    )
    about = choices.set_index("measure").loc[measure]
    said = [about[c] for c in ("topic", "unit") if isinstance(about[c], str)]
    if about["polarity"] in kpi_charts.POLARITY_TEXT:
        said.append(kpi_charts.POLARITY_TEXT[about["polarity"]])
    if isinstance(about["description"], str):
        said.append(textwrap.shorten(about["description"], 300, placeholder=" …"))
    st.caption(ui.literal("; ".join(said)))
    save_col, remove_col = st.columns(2)
    if save_col.button("Link", icon=":material/link:", disabled=measure == current):
        try:
            link_indicator(ui.connection(), indicator, measure, actor=signin.actor())
        except LoaderError as exc:
            st.error(ui.literal(exc))
        else:
            _done(f"{indicator} is now compared with {measure}.")
    if remove_col.button("Remove the link", icon=":material/link_off:", disabled=current is None):
        try:
            unlink_indicator(ui.connection(), indicator, actor=signin.actor())
        except LoaderError as exc:
            st.error(ui.literal(exc))
        else:
            _done(f"{indicator} is no longer compared with {current}.")


if done := st.session_state.pop("data_done", None):
    st.success(ui.literal(done), icon=":material/check:")
if "data_removed" in st.session_state and not ui.presenting():
    _removed()

st.header("Upload history", divider="gray")
national = ui.query("national_refresh")
if national:
    st.markdown(ui.literal(
        f"National figures (the DfE's LAIT data set, {national['measures']} measures for "
        f"{national['areas']} areas) last refreshed {national['loaded_at']:%-d %b %Y at %H:%M}"
        + (f" by {national['uploaded_by']}" if national["uploaded_by"] else "")
        + f": upload {national['upload_id']}, {national['file_name']}."
        + ("" if ui.presenting() else " Refresh them with python -m loaders fetch-benchmarks, "
           "or upload LAIT's files.")
    ))  # fmt: skip
history = ui.query("uploads")
if history.empty and ui.presenting():
    st.info("Nothing has been uploaded yet.")
elif history.empty:
    ui.empty_state("Nothing has been uploaded yet.", "Upload a spreadsheet")
else:
    shown = history.fillna({"uploaded_by": "", "plan": ""}).assign(
        loaded_at=history["loaded_at"].dt.strftime("%-d %b %Y %H:%M"),
        as_of=history["as_of"].map(ui.date_text),
        kind=history["kind"].map(KINDS),
        cells_stored=[f"{s:,} of {c:,}" if pd.notna(c) else "" for s, c in zip(history["cells_stored"], history["cells"], strict=True)],
    ).rename(
        columns={"upload_id": "Upload", "loaded_at": "Loaded", "uploaded_by": "By", "file_name": "File", "kind": "Kind",
                 "plan": "Plan", "as_of": "As of", "rows": "Rows", "warnings": "Warnings", "cells_stored": "Cells stored"}
    )[["Upload", "Loaded", "By", "File", "Kind", "Plan", "As of", "Rows", "Cells stored", "Warnings"]]  # fmt: skip
    ui.table(shown)
if ui.presenting():
    # a shared screen shows what is loaded; the officers' tools below are not for it
    st.caption("What has been loaded. The officers' tools for it are outside presentation mode.")
    st.stop()
if not history.empty:
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
    if signin.may("upload removed"):
        with st.expander("Remove an upload (it goes to the bin)"):
            _remove_an_upload(history, describe)

if signin.may("upload restored"):
    _bin()

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
    if not signin.may("layout saved"):
        signin.role_note("layout saved")
    else:
        _edit_layouts(saved)

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
elif not signin.may("indicator setting"):
    st.dataframe(
        indicators[["indicator", "unit", "polarity", "target", "description"]],
        hide_index=True,
        width="stretch",
    )
    signin.role_note("indicator setting")
else:
    _indicator_editor(indicators)
if not indicators.empty:
    _links()

if signin.may("role changed"):
    st.header("Roles", divider="gray")
    st.markdown(
        "Roles come from the identity provider's roles claim; an entry here overrides it. A "
        "*viewer* sees every page, presents decks and downloads; an *officer* also uploads and "
        "keeps indicators, decks and layouts; an *admin* also removes and restores uploads and "
        "sets roles."
    )
    ui.table(access.roles_table(ui.connection()).rename(
        columns={"email": "E-mail", "role": "Role", "set_by": "Set by", "set_at": "Set"}
    ))  # fmt: skip
    with st.form("role_form", clear_on_submit=True, border=False):
        email_col, role_col = st.columns([3, 2])
        email = email_col.text_input("E-mail address they sign in with")
        role = role_col.selectbox(
            "Role",
            [*access.ROLES, "none"],
            format_func=lambda r: "from sign-in" if r == "none" else r,
        )
        if st.form_submit_button("Set the role", icon=":material/badge:"):
            try:
                access.set_role(
                    ui.connection(), signin.actor(), email, None if role == "none" else role
                )
            except LoaderError as exc:
                st.error(ui.literal(exc))
            else:
                _done(
                    f"{email.strip().lower()}: {role if role != 'none' else 'role from sign-in'}."
                )

    st.header("Audit trail", divider="gray")
    trail = access.audit_trail(ui.connection())
    st.caption(
        f"Every write, newest first: {ui.plural(len(trail), 'entry', 'entries')}. Nothing in the "
        "dashboard changes or deletes an entry."
    )
    st.dataframe(
        trail.rename(columns={"audit_id": "Entry", "done_at": "When", "who": "Who", "role": "Role", "how": "How",
                              "action": "What", "target": "Of", "before": "Before", "after": "After"}),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    ui.table_downloads(trail, "audit_trail")
