"""Upload: drop one spreadsheet or several, see how each was read before anything is written,
answer its questions, then confirm it."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import queries
import signin
import ui
from charts.theme import RAG_ORDER
from data import demo
from data.templates import action_plan_template, kpi_template
from loaders import settings, store
from loaders.errors import LoaderError
from loaders.importer import check_loadable, interpret_contained, write_parsed
from loaders.interpret import Question, dump_mapping
from loaders.layouts import Options
from loaders.layouts.base import ParsedFile
from loaders.layouts.plan_table import EARLIEST_AS_OF, LATEST_AS_OF_AHEAD
from loaders.store import find_duplicate

# The page's own question, beside the loader's: the council of figures that name none. The
# loader would file them under a placeholder name; the page asks instead.
AREA_QUESTION = Question(
    "council of figures naming none",
    "The figures in this file name no council (it has no area column), and none is set for "
    "the dashboard. Which council are they for? (To give it once for every file, type it in "
    "'Council the figures are for' above.)",
    (),
    free_text=True,
)


@dataclass(frozen=True)
class Outcome:
    """What became of one file on this run: loaded, refused, waiting (for answers) or ready."""

    state: str
    line: str  # a sentence that starts with the file's name


STATES = {
    "loaded": ":material/check_circle: **Loaded**",
    "refused": ":material/block: **Refused**",
    "waiting": ":material/help: **Waiting for an answer**",
    "ready": ":material/pending: **Read, not loaded yet**",
}


def _likely_date(likely: str | None, latest: dt.date) -> dt.date | None:
    """The date a question preselects (the title's, when the title and the file name
    disagree), if it is one the date box accepts; else the box starts empty."""
    try:
        date = dt.date.fromisoformat(likely or "")
    except ValueError:
        return None
    return date if EARLIEST_AS_OF <= date <= latest else None


def own_council(con) -> str:
    """The council the dashboard is set up for, else nothing: never the demo's fictional
    council, so an officer's figures are never filed under it unasked."""
    if settings.own_area():
        return settings.own_area()
    chosen = store.get_state(con, "own_area")
    return "" if not chosen or chosen == demo.DEMO_AREA else chosen


def widget_key(name: str, digest: str, alone: bool) -> str:
    """A widget's key, its own for each file; one file alone keeps the plain name."""
    return name if alone else f"{name}_{digest}"


def read(con, content: bytes, name: str, digest: str, answers: dict, area: str) -> ParsedFile:
    """The file read in a contained worker (a hostile file ends only the worker), once per
    file, answers and council: later reruns (typing a name, a date) reuse the reading."""
    readings = st.session_state.setdefault("upload_readings", {})
    key = (tuple(sorted(answers.items())), area, queries.data_version(con))
    if readings.get(digest, (None,))[0] != key:
        parsed = interpret_contained(
            con, content, name, answers=answers, options=Options(area=area or None)
        )
        readings[digest] = (key, parsed)
    return readings[digest][1]


def ask(questions: list[Question], name: str, digest: str, alone: bool, answers: dict) -> None:
    """The questions in a form; the answers are kept for this file, and the loader's for
    files laid out the same way."""
    st.subheader(f"{ui.plural(len(questions), 'question')} before anything is saved")
    st.markdown(
        "The loader is not sure how to read part of this file, so it asks rather than guess. "
        "Your answers are kept for files laid out the same way, so next month's file loads in one step."
    )
    with st.form(widget_key("questions", digest, alone)):
        given = {}
        for i, q in enumerate(questions):
            st.markdown(
                f"**{i + 1}. {ui.literal(q.prompt)}**"
                + (f"  \n{ui.literal(q.where)}" if q.where else "")
            )
            if q.cells:
                st.caption("Cells: " + ui.literal("; ".join(q.cells[:5])))
            if q.key == "as_of":
                latest = dt.date.today() + LATEST_AS_OF_AHEAD
                chosen = st.date_input(
                    "As of", value=_likely_date(q.likely, latest), min_value=EARLIEST_AS_OF,
                    max_value=latest, format="DD/MM/YYYY", key=f"q_{digest}_{i}",
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
        if st.form_submit_button(
            "Apply the answers", type="primary", icon=":material/check:",
            key=widget_key("apply", digest, alone),
        ):  # fmt: skip
            if council := given.pop(AREA_QUESTION.key, "").strip():
                st.session_state.setdefault("upload_areas", {})[digest] = council
            answers.update({k: v for k, v in given.items() if v})
            st.rerun()
    asked = [q for q in questions if q is not AREA_QUESTION]
    if asked:
        st.download_button(
            "Download the questions as a mapping file (for the command line)",
            dump_mapping({**answers, **{q.key: q.likely or "" for q in asked}},
                         f"Answers for files laid out like {name}"),
            f"{name.rsplit('.', 1)[0]}_mapping.toml",
            icon=":material/download:",
            key=widget_key("mapping", digest, alone),
        )  # fmt: skip


def preview(parsed: ParsedFile, digest: str, alone: bool) -> None:
    """What the file will load: plan name and date to correct, counts and a sample."""
    st.subheader("What was found")
    if parsed.kind == "actions":
        left, right = st.columns(2)
        plan_names = ui.query("plans")
        parsed.plan = left.text_input(
            "Plan name",
            parsed.plan,
            key=widget_key("plan_name", digest, alone),
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
            key=widget_key("as_of", digest, alone),
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

        sample = action_preview(parsed.actions, parsed.warnings)
        if sample.sentence:
            st.caption(sample.sentence)
        if sample.rows:
            shown = pd.DataFrame(sample.rows)
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
    elif parsed.neighbours is not None:
        councils = len(set(parsed.neighbours["old_la_code"].to_pylist()))
        st.markdown(f"**Statistical neighbours** for {councils} councils.")
    else:
        st.markdown(ui.literal(f"{parsed.kind}: {parsed.summary or f'{parsed.rows} rows'}."))
    if parsed.warnings:
        st.subheader(f"{ui.plural(len(parsed.warnings), 'warning')}")
        st.dataframe(
            pd.DataFrame({"Warning": [str(w) for w in parsed.warnings]}),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success("No warnings. Every cell is accounted for in the line under the file above.")


def refuse(exc: LoaderError, name: str, lead: str = "This file could not be loaded.") -> Outcome:
    """Say why the file was refused and where in it; nothing of it is written."""
    st.error(f"{lead} {ui.literal(exc.located(name))}", icon=":material/error:")
    return Outcome("refused", str(exc))


def show_loaded(line: str, plan: str | None) -> Outcome:
    """The import's line, and where to see what was loaded."""
    st.success(ui.literal(line))
    if plan is not None:
        st.page_link(
            "pages/rag_progress.py",
            label="See it on Action plan progress",
            icon=":material/arrow_forward:",
            query_params={"plan": plan},
        )
        st.page_link(
            "pages/slippage.py",
            label="See its slippage",
            icon=":material/arrow_forward:",
            query_params={"plan": plan},
        )
    else:
        st.page_link(
            "pages/kpi_trends.py", label="See the KPI trends", icon=":material/arrow_forward:"
        )
    return Outcome("loaded", line)


def one_file(
    con, name: str, content: bytes, digest: str, area: str, *, alone: bool, load_all: bool
) -> Outcome:
    """One file's whole flow: read, ask, preview, confirm. A refusal ends only this file's."""
    loaded = st.session_state.setdefault("upload_loaded", {})
    duplicate = find_duplicate(con, digest)
    if duplicate and digest in loaded:  # loaded on this page a moment ago
        return show_loaded(*loaded[digest])
    if duplicate:
        upload_id, earlier, loaded_at = duplicate
        st.warning(
            f"This file was already loaded on {ui.date_text(loaded_at.date())} at {loaded_at:%H:%M} as upload "
            f"{upload_id} ('{ui.literal(earlier)}'). Nothing will be loaded twice; remove that upload on the Data page first "
            "to load it again."
        )
        return Outcome("refused", f"{name}: already loaded as upload {upload_id} ('{earlier}').")
    answers: dict[str, str] = st.session_state.setdefault("upload_answers", {}).setdefault(
        digest, {}
    )
    council = st.session_state.get("upload_areas", {}).get(digest) or area
    try:
        parsed = read(con, content, name, digest, answers, council)
    except LoaderError as exc:
        return refuse(exc, name)
    interp = parsed.interpretation
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
    questions = list(interp.questions)
    # figures with no area of their own take the council given; with none given, ask
    if any(d.topic == "area" for d in interp.decisions) and not (council or settings.own_area()):
        questions.append(AREA_QUESTION)
    if questions:
        ask(questions, name, digest, alone, answers)
        asked = " ".join(f"{i}. {q.prompt}" for i, q in enumerate(questions, 1))
        return Outcome("waiting", f"{name}: {asked}")
    try:
        check_loadable(parsed)
    except LoaderError as exc:
        return refuse(exc, name)
    preview(parsed, digest, alone)
    confirmed = st.button(
        "Confirm and load", type="primary", icon=":material/check:", key=widget_key("confirm", digest, alone)
    )  # fmt: skip
    if not (confirmed or load_all):
        return Outcome("ready", f"{name}: check what was found, then press its Confirm and load.")
    if isinstance(parsed.as_of, dt.datetime):
        parsed.as_of = parsed.as_of.date()
    try:
        result = write_parsed(con, parsed, answers, actor=signin.actor())
    except LoaderError as exc:
        return refuse(exc, name, "Nothing was loaded.")
    ui.refresh()
    loaded[digest] = (result.summary(), parsed.plan if parsed.kind == "actions" else None)
    return show_loaded(*loaded[digest])


def summary(outcomes: list[Outcome]) -> None:
    """Each file's outcome in one list, and one button for every file ready to load."""
    st.header("Each file's outcome", divider="gray")
    st.markdown("\n".join(f"- {STATES[o.state]}: {ui.literal(o.line)}" for o in outcomes))
    ready = sum(o.state == "ready" for o in outcomes)
    if ready > 1:
        st.button(
            f"Load all {ready} ready files",
            icon=":material/done_all:",
            on_click=lambda: st.session_state.update(upload_load_all=True),
        )


ui.ensure_navigation()
st.title("Upload")
if ui.presenting():
    st.markdown(
        "This page is for officers loading their spreadsheets; there is nothing here to show "
        "on a shared screen."
    )
    st.stop()
if not signin.may("upload"):
    signin.role_note("upload")
    st.stop()
st.markdown(
    "Upload action plans, registers or KPI returns as you keep them (.xlsx, .xlsm, .xls or "
    ".csv), statistical-neighbour lists, or DfE statistics files (LAIT's data set also as "
    ".parquet), one or several at once. You will see how each was read before anything is "
    "saved, and any questions."
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

con = ui.connection()
area = st.text_input(
    "Council the figures are for",
    value=own_council(con),
    help="For a KPI return with no area column: its figures are this council's. Left empty, "
    "you are asked for each such file. Use the council's name as the DfE writes it (for "
    "example 'Bristol, City of') to compare it with published figures.",
    key="upload_area",
).strip()
uploads = st.file_uploader(
    "Spreadsheet",
    type=["xlsx", "xlsm", "xls", "csv", "parquet"],
    accept_multiple_files=True,
    max_upload_size=int(settings.MAX_UPLOAD_MB.value()),
)
load_all = st.session_state.pop("upload_load_all", False)
files: dict[str, tuple[str, bytes]] = {}  # by digest: the same bytes twice are one file
repeats = []
for upload in uploads or []:
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    if digest in files:
        repeats.append(Outcome("refused", f"{upload.name}: the same file as {files[digest][0]}."))
    else:
        files[digest] = (upload.name, content)
for state in ("upload_readings", "upload_loaded"):  # forget files no longer uploaded
    kept = st.session_state.get(state, {})
    st.session_state[state] = {d: v for d, v in kept.items() if d in files}

if len(uploads or []) == 1:
    [(digest, (name, content))] = files.items()
    if st.session_state.get("upload_alone") != digest:  # another file: not the last one's name
        for key in ("plan_name", "as_of"):
            st.session_state.pop(key, None)
        st.session_state["upload_alone"] = digest
    one_file(con, name, content, digest, area, alone=True, load_all=load_all)
elif files:
    outcomes = []
    for digest, (name, content) in files.items():
        with st.container(border=True):
            st.header(ui.literal(name))
            outcomes.append(
                one_file(con, name, content, digest, area, alone=False, load_all=load_all)
            )
    summary(outcomes + repeats)
