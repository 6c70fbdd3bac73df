"""Upload: drop a spreadsheet, see what was found before anything is written, then confirm."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

import queries
import signin
import ui
from charts.theme import RAG_ORDER
from data.templates import action_plan_template, kpi_template
from loaders import settings
from loaders.errors import LoaderError
from loaders.importer import check_loadable, interpret_contained, write_parsed
from loaders.interpret import dump_mapping
from loaders.layouts import Options
from loaders.layouts.plan_table import EARLIEST_AS_OF, LATEST_AS_OF_AHEAD
from loaders.store import find_duplicate

ui.ensure_navigation()
st.title("Upload")
if not signin.may("upload"):
    signin.role_note("upload")
    st.stop()
st.markdown(
    "Upload an action plan, a register or a KPI return as you keep it (.xlsx, .xlsm, .xls or "
    ".csv), a statistical-neighbour list, or a DfE statistics file (LAIT's data set also as "
    ".parquet). You will see how it was read before anything is saved, and any questions."
)
with st.expander("Templates that load without any changes"):
    left, right = st.columns(2)
    left.download_button(
        "Action plan template (.xlsx)",
        action_plan_template(),
        "action_plan_template.xlsx",
        icon=":material/download:",
    )
    right.download_button(
        "KPI return template (.xlsx)",
        kpi_template(),
        "kpi_return_template.xlsx",
        icon=":material/download:",
    )

area = st.text_input(
    "Council the figures are for",
    value=ui.query("default_area") or "",
    help="For a KPI return with no area column: its figures are this council's. Use the "
    "council's name as the DfE writes it (for example 'Bristol, City of') to compare it "
    "with published figures.",
    key="upload_area",
)
upload = st.file_uploader(
    "Spreadsheet",
    type=["xlsx", "xlsm", "xls", "csv", "parquet"],
    max_upload_size=int(settings.MAX_UPLOAD_MB.value()),
)
if upload is None:
    st.stop()

content = upload.getvalue()
con = ui.connection()
digest = hashlib.sha256(content).hexdigest()
answers: dict[str, str] = st.session_state.setdefault("upload_answers", {}).setdefault(digest, {})
# Read in a contained worker (a hostile file ends only the worker), once per file, answers
# and council: later reruns of the page (typing a name, a date) reuse the reading.
reading_key = (digest, tuple(sorted(answers.items())), area, queries.data_version(con))
try:
    if st.session_state.get("upload_reading", (None,))[0] != reading_key:
        st.session_state["upload_reading"] = (
            reading_key,
            interpret_contained(
                con, content, upload.name, answers=answers, options=Options(area=area or None)
            ),
        )
    parsed = st.session_state["upload_reading"][1]
except LoaderError as exc:
    st.error(f"This file could not be loaded. {ui.literal(exc)}", icon=":material/error:")
    st.stop()
interp = parsed.interpretation

duplicate = find_duplicate(con, parsed.sha256)
if duplicate:
    upload_id, name, loaded_at = duplicate
    st.warning(
        f"This file was already loaded on {ui.date_text(loaded_at.date())} at {loaded_at:%H:%M} as upload "
        f"{upload_id} ('{ui.literal(name)}'). Nothing will be loaded twice; remove that upload on the Data page first "
        "to load it again."
    )
    st.stop()

st.caption(
    f"Read as **{interp.kind}** ({ui.literal(interp.layout)}); "
    f"{ui.literal(interp.accounting.summary())}."
    + (
        f" The answers saved for this layout (layout {interp.layout_id}) were applied."
        if interp.layout_id
        else ""
    )
)
with st.expander("How the file was read: every decision and its evidence"):
    st.dataframe(
        pd.DataFrame(
            [{"What": d.topic, "Where": d.where, "About": d.subject, "Read as": d.reading,
              "Because of": d.evidence, "Certain": "yes" if d.certain else "no"} for d in interp.decisions]
        ),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
if interp.questions:
    st.subheader(f"{ui.plural(len(interp.questions), 'question')} before anything is saved")
    st.markdown(
        "The loader is not sure how to read part of this file, so it asks rather than guess. "
        "Your answers are kept for files laid out the same way, so next month's file loads in one step."
    )
    with st.form("questions"):
        given = {}
        for i, q in enumerate(interp.questions):
            st.markdown(
                f"**{i + 1}. {ui.literal(q.prompt)}**"
                + (f"  \n{ui.literal(q.where)}" if q.where else "")
            )
            if q.cells:
                st.caption("Cells: " + ui.literal("; ".join(q.cells[:5])))
            if q.key == "as_of":
                chosen = st.date_input(
                    "As of", value=None, min_value=EARLIEST_AS_OF,
                    max_value=dt.date.today() + LATEST_AS_OF_AHEAD, format="DD/MM/YYYY", key=f"q_{digest}_{i}",
                )  # fmt: skip
                given[q.key] = chosen.isoformat() if chosen else ""
            elif q.free_text:
                given[q.key] = st.text_input(
                    f"Answer to question {i + 1}", value=q.likely or "", key=f"q_{digest}_{i}"
                )
            else:
                choices = list(q.choices)
                given[q.key] = st.selectbox(
                    f"Answer to question {i + 1}", choices,
                    index=choices.index(q.likely) if q.likely in choices else 0,
                    key=f"q_{digest}_{i}",
                )  # fmt: skip
        if st.form_submit_button("Apply the answers", type="primary", icon=":material/check:"):
            answers.update({k: v for k, v in given.items() if v})
            st.rerun()
    st.download_button(
        "Download the questions as a mapping file (for the command line)",
        dump_mapping({**answers, **{q.key: q.likely or "" for q in interp.questions}},
                     f"Answers for files laid out like {upload.name}"),
        f"{upload.name.rsplit('.', 1)[0]}_mapping.toml",
        icon=":material/download:",
    )  # fmt: skip
    st.stop()
try:
    check_loadable(parsed)
except LoaderError as exc:
    st.error(f"This file could not be loaded. {ui.literal(exc)}", icon=":material/error:")
    st.stop()

st.subheader("What was found")
if parsed.kind == "actions":
    left, right = st.columns(2)
    plan_names = ui.query("plans")
    parsed.plan = left.text_input(
        "Plan name",
        parsed.plan,
        key="plan_name",
        help=ui.literal(
            f"Found from the {parsed.plan_source}. Existing plans: {', '.join(plan_names) or 'none'}."
        ),
    )
    parsed.as_of = right.date_input(
        "As of",
        parsed.as_of,
        min_value=EARLIEST_AS_OF,
        max_value=dt.date.today() + LATEST_AS_OF_AHEAD,
        format="DD/MM/YYYY",
        help=ui.literal(f"Found from the {parsed.as_of_source}."),
        key="as_of",
    )
    counts = parsed.rag_counts()
    cols = st.columns(len(RAG_ORDER) + 1)
    cols[0].metric("Actions", parsed.rows, border=True)
    for col, level in zip(cols[1:], RAG_ORDER, strict=True):
        col.metric(level, counts.get(level, 0), border=True)
    # A sample any browser can draw (the first actions, then those with warnings); every
    # action is loaded. Due says 'due date unreadable' for a date that cannot be read.
    from loaders.plan_file import action_preview
    from report.views import due_text

    preview = action_preview(parsed.actions, parsed.warnings)
    if preview.sentence:
        st.caption(preview.sentence)
    if preview.rows:
        shown = pd.DataFrame(preview.rows)
        shown["Due"] = list(map(due_text, shown["Due"], shown.pop("due_date_status")))
        st.dataframe(ui.rag_table(shown), hide_index=True, width="stretch")
elif parsed.kind == "metrics":
    figures = parsed.metrics.figures.to_pandas()
    st.markdown(f"**KPI figures:** {ui.literal(parsed.metrics.summary())}.")
    periods = figures.drop_duplicates("period_label").sort_values("period_end")["period_label"]
    st.markdown("**Periods:** " + ui.literal(", ".join(periods)))
    st.dataframe(
        figures.rename(columns={"indicator": "Indicator", "area": "Area", "breakdown": "Breakdown", "period_label": "Period",
                                "value": "Value", "unit": "Unit", "source_sheet": "Sheet", "source_row": "Row", "source_column": "Column"})[
            ["Indicator", "Area", "Breakdown", "Period", "Value", "Unit", "Sheet", "Row", "Column"]
        ].head(500),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
else:
    councils = len(set(parsed.neighbours["old_la_code"].to_pylist()))
    st.markdown(f"**Statistical neighbours** for {councils} councils.")

if parsed.warnings:
    st.subheader(f"{ui.plural(len(parsed.warnings), 'warning')}")
    st.dataframe(
        pd.DataFrame({"Warning": [str(w) for w in parsed.warnings]}),
        hide_index=True,
        width="stretch",
    )
else:
    st.success("No warnings. Every cell is accounted for in the line under the file above.")

if st.button("Confirm and load", type="primary", icon=":material/check:"):
    if isinstance(parsed.as_of, dt.datetime):
        parsed.as_of = parsed.as_of.date()
    try:
        result = write_parsed(con, parsed, answers, actor=signin.actor())
    except LoaderError as exc:
        st.error(f"Nothing was loaded. {ui.literal(exc)}", icon=":material/error:")
        st.stop()
    ui.refresh()
    st.success(ui.literal(result.summary()))
    if parsed.kind == "actions":
        st.page_link(
            "pages/rag_progress.py",
            label="See it on Action plan progress",
            icon=":material/arrow_forward:",
            query_params={"plan": parsed.plan},
        )
        st.page_link(
            "pages/slippage.py",
            label="See its slippage",
            icon=":material/arrow_forward:",
            query_params={"plan": parsed.plan},
        )
    else:
        st.page_link(
            "pages/kpi_trends.py", label="See the KPI trends", icon=":material/arrow_forward:"
        )
