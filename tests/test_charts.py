"""Chart builders on tiny frames: RAG order and labels, colours, targets, benchmarks, sorting."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from charts import kpi, rag, slippage
from charts.theme import (
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
    assert [format_value(93.5, "%"), format_value(52055, "£"), format_value(14.2), format_value(None)] == [
        "93.5%", "£52,055", "14.2", "–"
    ]  # fmt: skip


def test_present_mode_text_is_large():
    fig = apply_theme(
        rag.rag_over_time(pd.DataFrame({"as_of": [D(2018, 1, 31)], "rag": ["Red"], "count": [1]})),
        present=True,
    )
    assert fig.layout.font.size >= 18


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
    written = sorted(a.text for a in fig.layout.annotations if a.text.isdigit())
    assert written == ["1", "4"]
    assert fig.layout.xaxis.title.text == "RAG at 28 Feb"


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
    assert any(a.text == "Target 95%" for a in fig.layout.annotations)


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
        ]
    )
    fig = build(empty)
    assert any("No " in (a.text or "") for a in fig.layout.annotations)


def test_rag_order_is_best_first():
    assert RAG_ORDER == ("Complete", "Green", "Amber", "Red", "Not rated")
