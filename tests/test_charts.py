"""Chart builders on tiny frames: RAG order and labels, colours, targets, benchmarks, sorting."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from charts import kpi, rag, slippage
from charts.theme import (
    BENCHMARK_STYLES,
    OWN_COLOUR,
    RAG_COLOURS,
    RAG_ORDER,
    apply_theme,
    contrast_ratio,
    format_date,
    format_value,
    text_colour_on,
)

D = dt.date


def test_rag_text_contrast_meets_wcag_aa():
    for fill in RAG_COLOURS.values():
        assert contrast_ratio(fill, text_colour_on(fill)) >= 4.5


def test_formats():
    assert format_date(D(2018, 3, 5)) == "5 Mar 2018"
    assert format_date(pd.Timestamp("2018-01-31")) == "31 Jan 2018" and format_date(None) == ""
    assert [format_value(93.5, "%"), format_value(52055, "£"), format_value(14.2), format_value(None)] == [
        "93.5%", "£52,055", "14.2", "–"
    ]  # fmt: skip


def test_present_mode_text_is_large():
    fig = apply_theme(
        rag.rag_over_time(pd.DataFrame({"as_of": [D(2018, 1, 31)], "rag": ["Red"], "count": [1]})),
        present=True,
    )
    assert fig.layout.font.size >= 18
    assert fig.layout.legend.orientation == "h" and fig.layout.plot_bgcolor == "#ffffff"


BY_REC = pd.DataFrame(
    {
        "recommendation_ref": ["10", "2", "2", "1"],
        "recommendation": ["Tenth", "Second " + "long " * 20, None, "First"],
        "rag": ["Red", "Green", "Amber", "Complete"],
        "count": [1, 2, 3, 4],
    }
)


def test_rag_by_recommendation_in_rag_order_with_counts():
    fig = rag.rag_by_recommendation(BY_REC)
    assert [t.name for t in fig.data] == ["Complete", "Green", "Amber", "Red"]
    assert [t.marker.color for t in fig.data] == [
        RAG_COLOURS[n] for n in ("Complete", "Green", "Amber", "Red")
    ]
    labels = list(fig.layout.yaxis.categoryarray)
    assert (
        labels[0] == "Rec 1: First" and labels[-1] == "Rec 10: Tenth"
    )  # natural order, first on top
    assert labels[1].endswith("…") and len(labels[1]) <= len("Rec 2: ") + 50
    assert list(fig.data[1].text) == ["", "2", ""]  # counts written on the segments


def test_rag_over_time_dates_are_readable():
    df = pd.DataFrame(
        {"as_of": [D(2018, 1, 31), D(2018, 2, 28)], "rag": ["Green", "Complete"], "count": [3, 1]}
    )
    fig = rag.rag_over_time(df)
    assert list(fig.layout.xaxis.categoryarray) == ["31 Jan 2018", "28 Feb 2018"]


def test_rag_movement_writes_every_count():
    df = pd.DataFrame(
        {"rag_before": ["Green", "Amber"], "rag_after": ["Complete", "Red"], "count": [4, 1]}
    )
    fig = rag.rag_movement(df, before_label="RAG at 31 Jan", after_label="RAG at 28 Feb")
    written = {(a.y, a.x): a.text for a in fig.layout.annotations if a.text.isdigit()}
    assert len(written) == 25  # every cell, zeros included
    assert written[("Green", "Complete")] == "4" and written[("Amber", "Red")] == "1"
    assert written[("Red", "Red")] == "0"
    assert fig.layout.xaxis.title.text == "RAG at 28 Feb"
    assert list(fig.data[0].x) == list(RAG_ORDER) and list(fig.data[0].y) == list(RAG_ORDER)
    for a in fig.layout.annotations:
        if a.text.isdigit():  # the count's colour contrasts with its cell whatever the shade
            assert a.font.color in ("#ffffff", "#1a1a1a")


def test_actions_by_lead_busiest_first():
    df = pd.DataFrame({"lead": ["A", "B", "B"], "rag": ["Red", "Green", "Red"], "count": [1, 2, 2]})
    assert list(rag.actions_by_lead(df).layout.yaxis.categoryarray) == ["B", "A"]


def test_overdue_bars_say_days_and_rag():
    df = pd.DataFrame(
        {
            "ref": ["1.1", "2.1"],
            "action": ["a", "b"],
            "lead": ["HoS", None],
            "rag": ["Red", "Amber"],
            "days_overdue": [5, 45],
        }
    )
    fig = slippage.overdue_actions(df)
    assert list(fig.data[0].text) == ["45 days · Amber", "5 days · Red"]
    assert list(fig.data[0].y) == ["2.1", "1.1 – HoS"]


def test_redated_dumbbell_labels_the_slip():
    df = pd.DataFrame(
        {
            "ref": ["1.2"],
            "lead": ["PM"],
            "first_due_date": [D(2018, 3, 31)],
            "due_date": [D(2018, 5, 31)],
        }
    )
    fig = slippage.redated_actions(df)
    assert [t.name for t in fig.data if t.name] == ["First due", "Due now"]
    assert list(fig.data[-1].text) == ["+61 days"]


def test_slippage_by_differs_by_pattern_and_writes_counts():
    df = pd.DataFrame({"group": ["Team A", "Team B"], "overdue": [1, 4], "redated": [2, 0]})
    fig = slippage.slippage_by(df, "Lead")
    assert [t.name for t in fig.data] == ["Overdue", "Re-dated"]
    assert fig.data[0].marker.pattern.shape != fig.data[1].marker.pattern.shape
    assert fig.data[0].marker.color == RAG_COLOURS["Red"]
    assert list(fig.data[0].y) == ["Team B", "Team A"]  # most slippage first
    assert list(fig.data[0].text) == ["4 overdue", "1 overdue"]
    assert fig.layout.yaxis.title.text == "Lead"


def test_due_timeline_shapes_and_snapshot_line():
    df = pd.DataFrame(
        {
            "ref": ["1.1", "1.2"],
            "due_date": [D(2018, 2, 28), D(2018, 6, 30)],
            "rag": ["Red", "Complete"],
        }
    )
    fig = slippage.due_timeline(df, D(2018, 4, 30))
    assert [t.name for t in fig.data] == ["Complete", "Red"]
    assert fig.data[0].marker.symbol != fig.data[1].marker.symbol
    assert any(a.text == "As of 30 Apr 2018" for a in fig.layout.annotations)
    assert [s.x0 for s in fig.layout.shapes] == ["2018-04-30"]
    assert fig.layout.shapes[0].line.dash == "dash"


SERIES = pd.DataFrame(
    {
        "period_label": ["2015/16", "2016/17", "2017/18"],
        "period_end": [D(2016, 3, 31), D(2017, 3, 31), D(2018, 3, 31)],
        "value": [93.5, None, 92.4],
    }
)
BENCH = pd.DataFrame(
    {"area": ["England", "England", "Statistical neighbours"], "period_label": ["2014/15", "2017/18", "2017/18"],
     "period_end": [D(2015, 3, 31), D(2018, 3, 31), D(2018, 3, 31)], "value": [87.0, 86.0, 91.0]}
)  # fmt: skip


def test_kpi_trend_with_target_benchmarks_and_gaps():
    fig = kpi.kpi_trend(
        SERIES,
        title="Immunisations: Anytown",
        unit="%",
        target=95,
        polarity="higher",
        benchmarks=BENCH,
    )
    assert list(fig.layout.xaxis.categoryarray) == ["2014/15", "2015/16", "2016/17", "2017/18"]
    names = [t.name for t in fig.data]
    assert names == ["England", "Statistical neighbours", "Anytown"]
    own = fig.data[-1]
    assert list(own.y) == [None, 93.5, None, 92.4]  # a missing year is a gap, never zero
    assert list(own.text) == ["", "93.5%", "", "92.4%"]
    assert fig.data[0].line.dash != fig.data[1].line.dash
    assert any(a.text == "Target<br>95%" for a in fig.layout.annotations)
    target = [s for s in fig.layout.shapes if s.y0 == 95]
    assert target and target[0].line.dash == "dash"
    assert fig.data[0].line.color == BENCHMARK_STYLES["England"][0]
    assert fig.layout.yaxis.title.text == "% (higher is better)"


def test_benchmark_ranking_respects_polarity():
    df = pd.DataFrame(
        {
            "area": ["A", "B", "Me", "England"],
            "kind": ["council", "council", "council", "national"],
            "value": [10.0, 30.0, 20.0, 15.0],
        }
    )
    best_high = kpi.benchmark_ranking(df, own_area="Me", polarity="higher", unit=None)
    assert list(best_high.data[0].y) == ["B", "<b>Me</b>", "A"]
    best_low = kpi.benchmark_ranking(df, own_area="Me", polarity="lower", unit=None)
    assert list(best_low.data[0].y) == ["A", "<b>Me</b>", "B"]
    assert any("England 15" in (a.text or "") for a in best_low.layout.annotations)
    assert not any(t.y and "England" in t.y for t in best_low.data)  # a line, not a bar
    colours = list(best_low.data[0].marker.color)
    assert colours[1] == OWN_COLOUR and colours[0] == colours[2] != OWN_COLOUR
    neutral = kpi.benchmark_ranking(df, own_area="Me", polarity=None, unit=None)
    assert list(neutral.data[0].y) == ["B", "<b>Me</b>", "A"]


def test_small_multiples_one_panel_per_indicator_with_latest_value():
    df = pd.DataFrame(
        {
            "indicator": ["Visits", "Visits", "Cost"],
            "period_label": ["Q1", "Q2", "2017/18"],
            "period_end": [D(2017, 6, 30), D(2017, 9, 30), D(2018, 3, 31)],
            "value": [80.0, 85.5, 52055.0],
            "unit": ["%", "%", "£"],
        }
    )
    fig = kpi.kpi_small_multiples(df, columns=3)
    assert len(fig.data) == 2
    assert [a.text for a in fig.layout.annotations][:2] == ["Visits", "Cost"]
    assert list(fig.data[0].text) == ["", "85.5%"] and list(fig.data[1].text) == ["£52,055"]


def test_sparkline_is_bare_and_marks_the_last_point():
    fig = kpi.sparkline([1.0, None, 3.0, None])
    assert fig.layout.height <= 80 and fig.layout.showlegend is False
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert list(fig.data[-1].x) == [2] and list(fig.data[-1].y) == [3.0]
    assert len(kpi.sparkline([]).data) == 1  # nothing to mark, nothing raised


def test_breakdown_bars_one_series_per_period():
    df = pd.DataFrame({"breakdown": ["Team A", "Team A", "Team B"], "period_label": ["2016", "2017", "2017"],
                       "period_end": [D(2016, 12, 31), D(2017, 12, 31), D(2017, 12, 31)], "value": [0.5, 77.0, 56.0]})  # fmt: skip
    fig = kpi.breakdown_bars(df, unit="%")
    assert [t.name for t in fig.data] == ["2016", "2017"]
    assert list(fig.data[1].text) == ["77%", "56%"]


@pytest.mark.parametrize(
    "build",
    [
        lambda e: rag.rag_by_recommendation(e),
        lambda e: rag.rag_over_time(e),
        lambda e: rag.actions_by_lead(e),
        lambda e: slippage.overdue_actions(e),
        lambda e: kpi.kpi_trend(e, title="x", unit=None),
        lambda e: kpi.kpi_small_multiples(e),
        lambda e: rag.rag_movement(e),
        lambda e: slippage.redated_actions(e),
        lambda e: slippage.slippage_by(e, "Lead"),
        lambda e: slippage.due_timeline(e, D(2018, 4, 30)),
        lambda e: kpi.benchmark_ranking(e, own_area="Me", polarity="higher", unit=None),
        lambda e: kpi.breakdown_bars(e, unit="%"),
    ],
)
def test_empty_frames_say_so(build):
    empty = pd.DataFrame(
        columns=[
            "recommendation_ref",
            "recommendation",
            "rag",
            "count",
            "as_of",
            "lead",
            "period_label",
            "period_end",
            "value",
            "indicator",
            "unit",
            "rag_before",
            "rag_after",
            "ref",
            "action",
            "days_overdue",
            "first_due_date",
            "due_date",
            "group",
            "overdue",
            "redated",
            "area",
            "kind",
            "breakdown",
        ]
    )
    fig = build(empty)
    assert [a.text for a in fig.layout.annotations] == ["No data to show"]


def test_rag_order_is_best_first():
    assert RAG_ORDER == ("Complete", "Green", "Amber", "Red", "Not rated")


# Recommendations are told apart by section: refs restart in each ----------------------

TWO_SECTIONS = pd.DataFrame(
    {
        "section": ["Ofsted recommendation 1", "Ofsted recommendation 1", "Service finding 1"],
        "recommendation_ref": ["1", "1", "1"],
        "recommendation": ["Management oversight", None, "Pathway plans"],
        "rag": ["Red", "Green", "Amber"],
        "count": [2, 1, 3],
    }
)


def test_two_sections_numbered_1_are_two_bars():
    fig = rag.rag_by_recommendation(TWO_SECTIONS)
    assert list(fig.layout.yaxis.categoryarray) == [
        "Ofsted rec 1: Management oversight",
        "Service finding 1: Pathway plans",
    ]
    counts = {t.name: dict(zip(t.y, t.x, strict=True)) for t in fig.data}
    assert counts["Red"]["Ofsted rec 1: Management oversight"] == 2
    assert counts["Amber"]["Service finding 1: Pathway plans"] == 3
    assert counts["Amber"]["Ofsted rec 1: Management oversight"] == 0


def test_one_section_keeps_rec_labels():
    one = TWO_SECTIONS.assign(section="Ofsted recommendation 1", recommendation_ref=["1", "1", "2"])
    assert list(rag.rag_by_recommendation(one).layout.yaxis.categoryarray) == [
        "Rec 1: Management oversight",
        "Rec 2: Pathway plans",
    ]


@pytest.mark.parametrize(
    ("pairs", "labels"),
    [
        ([(None, "1"), (None, "2")], ["Rec 1", "Rec 2"]),
        ([("Ofsted recommendation 3", "3")], ["Rec 3"]),  # one section: no need to name it
        (
            [("Ofsted recommendation 1", "1"), ("Service finding 1", "1")],
            ["Ofsted rec 1", "Service finding 1"],
        ),
        (
            [("Ofsted recommendations", "2"), ("Own findings", "2")],
            ["Ofsted rec 2", "Own findings 2"],
        ),
        ([(None, "1"), ("Service finding 1", "1")], ["Rec 1", "Service finding 1"]),
        ([("Priority 2", "4"), ("Priority 3", "4")], ["Priority 2, rec 4", "Priority 3, rec 4"]),
        ([("Theme", "1"), ("Theme ", "2"), ("Other", None)], ["Theme 1", "Theme 2", "Other"]),
    ],
)
def test_recommendation_labels(pairs, labels):
    assert list(rag.recommendation_labels(pairs).values()) == labels


def test_recommendation_labels_never_repeat():
    pairs = [("Area " + "x" * 40 + " A", "1"), ("Area " + "x" * 40 + " B", "1")]
    labels = list(rag.recommendation_labels(pairs).values())
    assert len(set(labels)) == 2


def test_sections_are_kept_apart_in_queries_views_and_filters(tmp_path, con):
    """A plan whose two sections both number their recommendation 1, end to end."""
    import queries
    from loaders.importer import import_file
    from report import plans, slippage
    from tests.workbooks import write_xlsx

    header = ["Ref", "Action", "Lead", "Timescale", "Progress", "RAG"]
    sheet = [
        ["Children's Services Improvement Plan"],
        ["Updated 31 May 2018"],
        ["Ofsted recommendation 1:"],
        ["Ensure that management oversight is recorded on every file"],
        header,
        ["1.1", "Issue practice standards", "PM", "Apr-18", "Late", "Red"],
        ["1.2", "Audit oversight", "QA lead", "Jun-18", "Under way", "Red"],
        ["Service finding 1:"],
        ["Care leavers' pathway plans are not updated"],
        header,
        ["1.1", "Refresh pathway plan template", "Leaving care TM", "Mar-18", "", "Amber"],
    ]
    import_file(con, write_xlsx(tmp_path / "s.xlsx", {"Plan": sheet}))
    plan, as_of = "Children's Services Improvement Plan", D(2018, 5, 31)

    by_rec = queries.rag_by_recommendation(con, plan, as_of)
    assert sorted(zip(by_rec["section"], by_rec["count"], strict=True)) == [
        ("Ofsted recommendation 1", 2),
        ("Service finding 1", 1),
    ]
    options = queries.filter_options(con, plan, as_of)
    assert options["recommendation"] == ["Ofsted rec 1", "Service finding 1"]
    chosen = queries.actions(con, plan, as_of, recommendation="Service finding 1")
    assert list(chosen["action"]) == ["Refresh pathway plan template"]
    assert len(queries.actions(con, plan, as_of, recommendation="1")) == 3  # an older link

    view = plans.rag_by_recommendation(con, plan, as_of)
    assert list(view.table["Recommendation"]) == ["Ofsted rec 1", "Service finding 1"]
    assert "Ofsted rec 1 has the most Red actions (2)" in view.summary
    assert len(view.figure.layout.yaxis.categoryarray) == 2

    slip = queries.slippage(con, plan)
    assert list(slip["recommendation_label"]) == [
        "Ofsted rec 1",
        "Ofsted rec 1",
        "Service finding 1",
    ]
    late = slippage.overdue(con, plan, as_of)
    assert list(late.table["Rec"]) == ["Service finding 1", "Ofsted rec 1"]
    assert "the longest, Service finding 1 action 1.1 (Leaving care TM)" in late.summary
