"""Period labels and KPI cell values: parametrised tables plus properties for any input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.numbers import read_value
from loaders.periods import financial_year_in, from_dfe, parse_period
from loaders.publishers import CIN, CLA, CSWW

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
        ("Year to Sep 2025", "Year to Sep 2025", "year_to_september", D(2024, 10, 1), D(2025, 9, 30)),
        ("year ending September 2025", "Year to Sep 2025", "year_to_september", D(2024, 10, 1), D(2025, 9, 30)),
    ],
)  # fmt: skip
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


@pytest.mark.parametrize(
    ("time_period", "identifier", "publication", "label", "kind", "start", "end"),
    [
        ("201617", "Financial year", None, "2016/17", "financial_year", D(2016, 4, 1), D(2017, 3, 31)),
        ("201617", "Academic year", None, "AY 2016/17", "academic_year", D(2016, 9, 1), D(2017, 8, 31)),
        ("2025", "Calendar year", None, "2025", "calendar_year", D(2025, 1, 1), D(2025, 12, 31)),
        ("2025", "March", None, "Mar 2025", "month", D(2025, 3, 1), D(2025, 3, 31)),
        ("202425", "Financial year Q3", None, "Q3 2024/25", "quarter", D(2024, 10, 1), D(2024, 12, 31)),
        # "Reporting year" is the publication's own year, named by the year it ends in
        ("2025", "Reporting year", CLA, "2024/25", "financial_year", D(2024, 4, 1), D(2025, 3, 31)),
        ("2025", "Reporting year", CIN, "2024/25", "financial_year", D(2024, 4, 1), D(2025, 3, 31)),
        ("2025", "Reporting year", CSWW, "Year to Sep 2025", "year_to_september", D(2024, 10, 1), D(2025, 9, 30)),
        # a four-digit financial year is the one ending in it, as the DfE numbers years
        ("2025", "Financial year", None, "2024/25", "financial_year", D(2024, 4, 1), D(2025, 3, 31)),
        ("2016/17", "Financial year", None, "2016/17", "financial_year", D(2016, 4, 1), D(2017, 3, 31)),
    ],
)  # fmt: skip
def test_dfe_periods(time_period, identifier, publication, label, kind, start, end):
    period = from_dfe(time_period, identifier, publication)
    assert (period.label, period.type, period.start, period.end) == (label, kind, start, end)
    assert parse_period(label) == period  # the label reads back as the same period


@pytest.mark.parametrize(
    ("time_period", "identifier"),
    [
        ("2025", "Reporting year"),  # whose? the publication decides: asked, never guessed
        ("201618", "Financial year"),  # not consecutive years
        ("202425", "Calendar year"),
        ("2025", "Autumn term"),
        ("last year", "Financial year"),
    ],
)
def test_dfe_periods_not_read(time_period, identifier):
    assert from_dfe(time_period, identifier) is None


def test_an_answered_meaning_reads_any_identifier():
    assert from_dfe("2025", "Reporting year", meaning="academic_year").label == "AY 2024/25"
    assert from_dfe("2025", "Reporting year", meaning="calendar_year").label == "2025"


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
