"""Panel report: a plan at a chosen snapshot and chosen KPIs, as PDF and PowerPoint."""

from __future__ import annotations

import time

import streamlit as st

import ui
from charts.export import ExportUnavailable
from charts.export import unavailable as export_unavailable
from report import pack
from report.views import KINDS

ui.ensure_navigation()
st.title("Panel report")
st.markdown(
    "The papers for a panel meeting: the plan's overview, RAG by recommendation, RAG "
    "movement since the previous snapshot, overdue and re-dated actions with their leads, "
    "and the KPIs you choose with their targets and benchmarks. One chart per page (PDF, "
    "A4 landscape) or per slide (PowerPoint, with the text in the notes)."
)
plan = ui.choose_plan()
with st.sidebar:
    dates = ui.query("snapshots", plan)
    as_of = ui.url_select("Snapshot", list(reversed(dates)), "as_of", format_func=ui.date_text)

area = ui.query("default_area")
names = list(ui.query("indicators", area)["indicator"]) if area else []
with_target = (
    list(ui.query("indicators", area).dropna(subset=["target"])["indicator"]) if area else []
)
chosen = st.multiselect(
    f"KPIs to include{f' for {ui.literal(area)}' if area else ''}",
    names,
    default=with_target[:3] or names[:3],
    help="Each gets a page: its trend against target, region, statistical neighbours and England.",
    key="report_kpis",
)
extras = st.multiselect(
    "Also include",
    [kind for kind in KINDS if kind not in pack.STANDARD],
    format_func=lambda kind: KINDS[kind].label,
    help="Any other view of the dashboard: a plan's at this snapshot, a KPI's for each KPI "
    "chosen (where it has something to show), after the standard pages.",
    key="report_extras",
)

if reason := export_unavailable():
    st.warning(reason, icon=":material/image_not_supported:")
if st.button(
    "Make the report", type="primary", icon=":material/description:", disabled=bool(reason)
):
    started = time.perf_counter()
    try:
        with st.spinner("Drawing the charts…"):
            report = pack.build(ui.connection(), plan, as_of, chosen, area, extras=extras)
            made = {"pdf": pack.pdf_bytes(report), "pptx": pack.pptx_bytes(report)}
    except ExportUnavailable as exc:
        st.error(ui.literal(exc))
        st.stop()
    st.session_state["report"] = {
        **made,
        "name": f"panel_report_{plan}_{as_of:%Y-%m-%d}".replace(" ", "_").lower(),
        "pages": len(report.views),
        "seconds": time.perf_counter() - started,
        "for": (plan, as_of, tuple(chosen), tuple(extras)),
    }

made = st.session_state.get("report")
if made and made["for"] == (plan, as_of, tuple(chosen), tuple(extras)):
    st.success(
        f"Made in {made['seconds']:.1f} s: {ui.plural(made['pages'], 'chart page')} for "
        f"{ui.literal(plan)} as of {ui.date_text(as_of)}.",
        icon=":material/check:",
    )
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "PDF", made["pdf"], f"{made['name']}.pdf", "application/pdf",
        icon=":material/picture_as_pdf:", on_click="ignore",
    )  # fmt: skip
    right.download_button(
        "PowerPoint", made["pptx"], f"{made['name']}.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        icon=":material/slideshow:", on_click="ignore",
    )  # fmt: skip
elif made:
    st.info("The choices have changed since the last report: make it again to download.")
