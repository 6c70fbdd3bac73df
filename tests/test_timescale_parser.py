"""Timescales as officers write them: parametrised forms plus properties for any input."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.timescale import EARLIEST_YEAR, LATEST_YEAR, parse_date, parse_timescale

D = dt.date


@pytest.mark.parametrize(
    ("text", "due", "kind"),
    [
        ("April 18", D(2018, 4, 30), "date"),
        ("Feb-18", D(2018, 2, 28), "date"),
        ("Jan 18", D(2018, 1, 31), "date"),
        ("March 2019", D(2019, 3, 31), "date"),
        ("March 17", D(2017, 3, 31), "date"),  # a number after a month is a year
        ("Sept 18", D(2018, 9, 30), "date"),
        ("Sep-2018", D(2018, 9, 30), "date"),
        ("Apr '18", D(2018, 4, 30), "date"),
        ("end of March 2018", D(2018, 3, 31), "date"),
        ("by April 2018", D(2018, 4, 30), "date"),
        ("Feb-20", D(2020, 2, 29), "date"),  # leap year
        ("31/03/2018", D(2018, 3, 31), "date"),
        ("31.03.18", D(2018, 3, 31), "date"),
        ("2018-03-31", D(2018, 3, 31), "date"),
        ("31 March 2018", D(2018, 3, 31), "date"),
        ("31st March 2018", D(2018, 3, 31), "date"),
        ("March 31, 2018", D(2018, 3, 31), "date"),
        ("Dec 2016 with an audit in January 2017", D(2017, 1, 31), "milestones"),
        ("Immediate / Ongoing", None, "recurring"),
        ("Quarterly: Reviewed", None, "recurring"),
        ("Monthly", None, "recurring"),
        ("Every 6 weeks", None, "recurring"),
        ("Completed", None, "completed"),
        ("Immediate", None, "immediate"),
        ("TBC", None, "undated"),
        ("Q3", None, "undated"),
        ("   ", None, "blank"),
        (None, None, "blank"),
    ],
)
def test_forms(text, due, kind):
    parsed = parse_timescale(text)
    assert (parsed.due_date, parsed.kind) == (due, kind)


def test_milestones_one_per_line():
    cell = (
        "December 2018: scorecard introduced.\nMarch 2019: impact at team level.\n"
        "September 2019: impact across the service."
    )
    parsed = parse_timescale(cell)
    assert [(m.date, m.text) for m in parsed.milestones] == [
        (D(2018, 12, 31), "December 2018: scorecard introduced."),
        (D(2019, 3, 31), "March 2019: impact at team level."),
        (D(2019, 9, 30), "September 2019: impact across the service."),
    ]
    assert parsed.due_date == D(2019, 9, 30)
    assert parsed.text == cell


def test_milestones_separated_by_slashes():
    parsed = parse_timescale("December 2018: scorecard. / March 2019: impact.")
    assert [m.date for m in parsed.milestones] == [D(2018, 12, 31), D(2019, 3, 31)]


@pytest.mark.parametrize(
    ("number_format", "text", "due"),
    [
        ("mmm-yy", "Mar-18", D(2018, 3, 31)),
        ("mmmm yyyy", "Mar-18", D(2018, 3, 31)),
        ("[$-809]mmm-yy;@", "Mar-18", D(2018, 3, 31)),
        ("dd/mm/yyyy", "01/03/2018", D(2018, 3, 1)),
        (None, "01/03/2018", D(2018, 3, 1)),
    ],
)
def test_excel_dates_follow_their_number_format(number_format, text, due):
    parsed = parse_timescale(dt.datetime(2018, 3, 1), number_format)
    assert (parsed.text, parsed.due_date, parsed.kind) == (text, due, "date")


@pytest.mark.parametrize("value", [42, 3.5, True])
def test_numbers_are_undated_not_errors(value):
    assert parse_timescale(value).due_date is None


MONTH_NAMES = [(calendar.month_name[m], m) for m in range(1, 13)] + [
    (calendar.month_abbr[m], m) for m in range(1, 13)
]


@given(
    st.sampled_from(MONTH_NAMES),
    st.integers(2000, 2099),
    st.sampled_from(["{m} {yy}", "{m}-{yy}", "{m} {yyyy}", "{m}-{yyyy}"]),
)
def test_month_only_is_due_on_the_last_day(month, year, form):
    name, number = month
    text = form.format(m=name, yy=f"{year % 100:02d}", yyyy=year)
    last = calendar.monthrange(year, number)[1]
    assert parse_timescale(text).due_date == D(year, number, last)


@given(st.text())
def test_never_raises_and_due_is_the_last_milestone(text):
    parsed = parse_timescale(text)
    if parsed.milestones:
        assert parsed.due_date == max(m.date for m in parsed.milestones)
    if parsed.due_date is not None:
        assert EARLIEST_YEAR <= parsed.due_date.year <= LATEST_YEAR


@given(
    st.sampled_from(["Monthly", "Quarterly: Reviewed", "Ongoing", "Weekly", "Annually", "Termly"])
)
def test_recurring_has_no_due_date(text):
    assert parse_timescale(text).due_date is None


# Registers' start and end dates: day first, as the UK writes them.
@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("31.03.18", D(2018, 3, 31)),
        ("01.04.20", D(2020, 4, 1)),
        ("1.4.20", D(2020, 4, 1)),
        ("31.03.2030", D(2030, 3, 31)),
        ("31-03-2018", D(2018, 3, 31)),
        ("05-11-2024", D(2024, 11, 5)),  # 5 November, never May 11
        ("05/11/2024", D(2024, 11, 5)),
        ("12/01/1995", D(1995, 1, 12)),  # a four-digit year from 1990 is a date
        ("31/12/2100", D(2100, 12, 31)),
    ],
)
def test_day_first_dates(text, due):
    assert (parse_timescale(text).due_date, parse_timescale(text).kind) == (due, "date")
    assert parse_date(text) == due


@pytest.mark.parametrize(
    "text",
    ["31/12/1989", "01.01.2101", "01-01-1900", "31.02.2020", "13.13.13", "Jan 1899", "March 2150"],
)
def test_implausible_or_impossible_dates_are_not_dates(text):
    assert parse_timescale(text).due_date is None
    assert parse_date(text) is None


@pytest.mark.parametrize("value", [dt.datetime(1900, 1, 5), dt.date(2150, 1, 1)])
def test_implausible_excel_dates_are_not_dates(value):
    parsed = parse_timescale(value, "dd/mm/yyyy")
    assert (parsed.due_date, parsed.kind) == (None, "undated")


# Money, counts and years in a register are numbers, never dates.
@pytest.mark.parametrize("value", [7100.5, 2023, "2023", "2023/24", "1,234.5", "£1.2m", "12.5"])
def test_money_and_years_are_not_dates(value):
    assert parse_date(value) is None


@given(
    st.dates(dt.date(EARLIEST_YEAR, 1, 1), dt.date(LATEST_YEAR, 12, 31)),
    st.sampled_from(
        ["{d:02d}.{m:02d}.{y}", "{d}.{m}.{y}", "{d:02d}-{m:02d}-{y}", "{d:02d}/{m:02d}/{y}"]
    ),
)
def test_any_plausible_day_first_date_reads_back(day, form):
    text = form.format(d=day.day, m=day.month, y=day.year)
    assert parse_timescale(text).due_date == day


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_two_digit_years_are_this_century(day):
    assert parse_date(f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}") == day


@given(
    st.one_of(
        st.dates(max_value=dt.date(EARLIEST_YEAR - 1, 12, 31)),
        st.dates(dt.date(LATEST_YEAR + 1, 1, 1)),
    ),
    st.sampled_from(
        ["{d:02d}.{m:02d}.{y:04d}", "{d:02d}-{m:02d}-{y:04d}", "{d:02d}/{m:02d}/{y:04d}"]
    ),
)
def test_dates_outside_the_plausible_years_are_not_dates(day, form):
    assert parse_timescale(form.format(d=day.day, m=day.month, y=day.year)).due_date is None
