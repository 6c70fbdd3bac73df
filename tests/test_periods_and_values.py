"""Period labels and KPI cell values: parametrised tables plus properties for any input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.numbers import read_value
from loaders.periods import financial_year_in, from_dfe, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("text", "label", "kind", "start", "end"),
    [
        ("2016/17", "2016/17", "financial_year", D(2016, 4, 1), D(2017, 3, 31)),
        ("2016-17", "2016/17", "financial_year", D(2016, 4, 1), D(2017, 3, 31)),
        ("2016/2017", "2016/17", "financial_year", D(2016, 4, 1), D(2017, 3, 31)),
        ("1999/00", "1999/00", "financial_year", D(1999, 4, 1), D(2000, 3, 31)),
        ("Q1 2016/17", "Q1 2016/17", "quarter", D(2016, 4, 1), D(2016, 6, 30)),
        ("Q3 2016-17", "Q3 2016/17", "quarter", D(2016, 10, 1), D(2016, 12, 31)),
        ("2016/17 Q4", "Q4 2016/17", "quarter", D(2017, 1, 1), D(2017, 3, 31)),
        ("2016/17 YTD", "2016/17 YTD", "ytd", D(2016, 4, 1), D(2017, 3, 31)),
        ("Apr-17", "Apr 2017", "month", D(2017, 4, 1), D(2017, 4, 30)),
        ("February 2020", "Feb 2020", "month", D(2020, 2, 1), D(2020, 2, 29)),
        ("2017", "2017", "calendar_year", D(2017, 1, 1), D(2017, 12, 31)),
        ("AY 2016/17", "AY 2016/17", "academic_year", D(2016, 9, 1), D(2017, 8, 31)),
    ],
)
def test_period_labels(text, label, kind, start, end):
    period = parse_period(text)
    assert (period.label, period.type, period.start, period.end) == (label, kind, start, end)


def test_quarters_and_ytd_need_a_year_from_context():
    assert parse_period("Q2") is None
    assert parse_period("Q2", 2016).label == "Q2 2016/17"
    assert parse_period("YTD", 2016).label == "2016/17 YTD"
    assert financial_year_in("CAMHS Performance Data 2016-17") == 2016
    assert financial_year_in("Plan 2017-2019") is None  # a span, not a financial year


@pytest.mark.parametrize(
    "text", ["2016/18", "Q5", "Statistical neighbours", "", "hello", "13/14/15"]
)
def test_not_periods(text):
    assert parse_period(text) is None


def test_dfe_periods():
    assert from_dfe("201617", "Financial year").label == "2016/17"
    assert from_dfe("201617", "Academic year").label == "AY 2016/17"
    assert from_dfe("2025", "Reporting year").label == "2025"


@given(
    st.integers(1990, 2098),
    st.sampled_from(["{a}/{b:02d}", "{a}-{b:02d}", "{a}/{c}"]),
    st.integers(1, 4),
)
def test_any_financial_year_and_its_quarters(year, form, q):
    text = form.format(a=year, b=(year + 1) % 100, c=year + 1)
    fy = parse_period(text)
    assert (fy.start, fy.end) == (D(year, 4, 1), D(year + 1, 3, 31))
    quarter = parse_period(f"Q{q} {text}")
    assert fy.start <= quarter.start < quarter.end <= fy.end
    assert (quarter.end - quarter.start).days in range(89, 92)


@pytest.mark.parametrize(
    ("cell", "number_format", "value", "unit", "numerator", "denominator"),
    [
        (0.935, "0.0%", 93.5, "%", None, None),
        ("93.5%", None, 93.5, "%", None, None),
        ("£52,055.00", None, 52055.0, "£", None, None),
        ("90 out of 116", None, 90 / 116 * 100, "%", 90.0, 116.0),
        ("89.7% (90 of 116 children)", None, 89.7, "%", 90.0, 116.0),
        ("1,666", None, 1666.0, None, None, None),
        (14.2, None, 14.2, None, None, None),
        (24000, "£#,##0", 24000.0, "£", None, None),
    ],
)
def test_values(cell, number_format, value, unit, numerator, denominator):
    reading = read_value(cell, number_format)
    assert (reading.value, reading.unit, reading.numerator, reading.denominator) == (
        pytest.approx(value),
        unit,
        numerator,
        denominator,
    )


@pytest.mark.parametrize(
    "cell", ["-", "N/A", "n/a", "c", "z", "x", ":", "..", "low", "u", None, "  "]
)
def test_missing_markers_are_missing_never_zero(cell):
    reading = read_value(cell)
    assert reading.value is None and reading.problem is None


@given(st.text())
def test_any_text_reads_as_a_figure_missing_or_a_problem(text):
    reading = read_value(text)
    assert (
        (reading.value is not None)
        or reading.marker is not None
        or reading.problem is not None
        or not text.strip()
    )
