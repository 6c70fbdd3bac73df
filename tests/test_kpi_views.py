"""KPI trends' views: quarters and the year to date as separate series, small multiples'
axes, the indicator the page opens at, the sentences of report.metrics' views, and the
page in presentation mode without officers' prompts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import queries
from charts import kpi
from loaders import store
from loaders.importer import import_file
from report import metrics
from report.views import NoData
from tests.helpers import page_opener
from tests.workbooks import write_csv, write_xlsx

AREA = "Anytown"
QUARTERS = [19.0, 15.0, 18.0, 27.0]
DFE_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,characteristic,breakdown,children_count,"
    "children_percent"
)


def _return(path: Path) -> Path:
    """A council's KPI return: a quarterly table with a YTD column, yearly figures with
    targets and polarity, a benchmark, and stability by team with a tie and a gap."""
    percent = {(s, c): "0.0%" for s, cells in {"Health": ["B2", "C2", "D2", "B4"],
               "Workforce": [f"C{r}" for r in range(3, 9)]}.items() for c in cells}  # fmt: skip
    return write_xlsx(
        path,
        {
            "CAMHS": [
                ["CAMHS Performance Data 2016-17"],
                ["Measure", "Q1", "Q2", "Q3", "Q4", "YTD"],
                ["CAMHS referrals", *QUARTERS, 79],
            ],
            "Health": [
                ["Indicator", "2015/16", "2016/17", "Target", "Polarity"],
                ["Dental checks", 0.97, 0.949, 0.95, "Higher is better"],
                ["SDQ average score", 14.5, 13.2, None, "Lower is better"],
                ["Care leavers in touch", 0.9, None, None, None],
            ],
            "Benchmarks": [
                ["Indicator", "Period", "Value", "Area"],
                ["SDQ average score", "2016/17", 14.1, "England"],
            ],
            "Workforce": [
                ["Social worker stability by team"],
                ["Team", "Year", "Stability %"],
                ["Assessment", 2016, 0.8], ["Assessment", 2017, 0.87],
                ["Leaving care", 2016, 0.7], ["Leaving care", 2017, 0.87],
                ["Court", 2016, 0.75], ["Court", 2017, None],
            ],
        },
        formats=percent,
    )  # fmt: skip


def _national(path: Path) -> Path:
    """Dental checks for four councils in 2016/17 (Anytown level with Bridgeford) and for
    three others in 2017/18, when Anytown has none; and England."""
    rows = [DFE_HEADER.split(",")]
    figures = {"201617": [(AREA, 94.9), ("Bridgeford", 94.9), ("Castlebury", 90.0), ("Dunmouth", 97.0)],
               "201718": [("Bridgeford", 95.0), ("Castlebury", 91.0), ("Dunmouth", 96.0)]}  # fmt: skip
    for year, councils in figures.items():
        for i, (council, value) in enumerate(councils):
            place = f"E12000003,Yorkshire and The Humber,{900 + i},{council},E0{9900000 + i}"
            rows.append(f"{year},Financial year,Local authority,E92000001,England,{place},"
                        f"Children looked after,Dental checks,{round(value * 2)},{value}".split(","))  # fmt: skip
        rows.append(f"{year},Financial year,National,E92000001,England,,,,,,Children looked after,"
                    "Dental checks,,86.0".split(","))  # fmt: skip
    return write_csv(path, rows)


@pytest.fixture(scope="module")
def kpi_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kpi_views")
    path = folder / "kpis.duckdb"
    con = store.connect(path)
    for file in (_return(folder / "returns.xlsx"), _national(folder / "national.csv")):
        import_file(con, file, area=AREA)
    con.close()
    return path


@pytest.fixture
def con(kpi_db):
    connection = duckdb.connect(str(kpi_db), read_only=True)
    yield connection
    connection.close()


# Quarters and the year to date are separate series ------------------------------------


def test_kpi_series_keeps_every_kind_of_period_and_the_tiles_the_latest(con):
    series = queries.kpi_series(con, "CAMHS referrals", AREA)
    assert list(series["period_label"]) == [
        "Q1 2016/17", "Q2 2016/17", "Q3 2016/17", "Q4 2016/17", "2016/17 YTD",
    ]  # fmt: skip
    assert list(series["period_type"]) == ["quarter"] * 4 + ["ytd"]
    tile = queries.kpi_tiles(con, AREA).set_index("indicator").loc["CAMHS referrals"]
    assert (tile["period_label"], tile["value"]) == ("2016/17 YTD", 79.0)  # the latest, as before


def test_the_trend_draws_quarters_and_year_to_date_as_two_named_lines(con):
    view = metrics.kpi(con, "CAMHS referrals", AREA)
    lines = {t.name: t for t in view.figure.data}
    assert set(lines) == {"Anytown, quarterly", "Anytown, year to date"}
    quarterly, ytd = lines["Anytown, quarterly"], lines["Anytown, year to date"]
    assert list(quarterly.y) == QUARTERS and list(ytd.y) == [79.0]
    assert "2016/17 YTD" not in quarterly.x  # never joined into one line
    axis = list(view.figure.layout.xaxis.categoryarray)
    assert axis.index("Q4 2016/17") < axis.index("2016/17 YTD")  # one time axis
    assert quarterly.line.dash != ytd.line.dash and quarterly.marker.symbol != ytd.marker.symbol
    assert view.summary == (
        "CAMHS referrals for Anytown, as 2 separate series: year to date 79 in 2016/17 YTD; "
        "quarterly from 19 in Q1 2016/17 to 27 in Q4 2016/17."
    )
    table = view.table
    assert list(table.columns) == ["Period", "Series", AREA]
    q4 = table[table["Period"].isin(["Q4 2016/17", "2016/17 YTD"])]
    assert list(q4["Series"]) == ["Quarterly", "Year to date"] and list(q4[AREA]) == [27.0, 79.0]


def test_a_single_series_reads_as_before(con):
    view = metrics.kpi(con, "Dental checks", AREA)
    assert view.summary.startswith(
        "Dental checks for Anytown went from 97% in 2015/16 to 94.9% in 2016/17, against a "
        "target of 95%; latest benchmarks: England 86%"
    )
    assert [t.name for t in view.figure.data][-1] == AREA
    assert "Series" not in view.table.columns


# Small multiples ----------------------------------------------------------------------


def _multiples(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["indicator", "period_label", "period_type", "period_end", "value", "unit"]
    )


def test_a_single_point_gets_a_range_around_its_value():
    fig = kpi.kpi_small_multiples(
        _multiples([("Visits", "2017/18", "financial_year", dt.date(2018, 3, 31), 5.0, None)])
    )
    low, high = fig.layout.yaxis.range
    assert 0 <= low < 5 < high <= 10
    assert fig.data[0].cliponaxis is False and list(fig.data[0].text) == ["5"]


def test_percentages_share_a_range_and_other_units_have_their_own():
    fig = kpi.kpi_small_multiples(
        _multiples(
            [
                ("Immunisations", "2016/17", "financial_year", dt.date(2017, 3, 31), 90.7, "%"),
                ("Immunisations", "2017/18", "financial_year", dt.date(2018, 3, 31), 92.4, "%"),
                ("Did not attend", "2017/18", "financial_year", dt.date(2018, 3, 31), 8.0, "%"),
                ("Caseload", "2017/18", "financial_year", dt.date(2018, 3, 31), 17.1, None),
            ]
        )
    )
    assert fig.layout.yaxis.range == fig.layout.yaxis2.range
    low, high = fig.layout.yaxis.range
    assert low <= 8 and high > 92.4
    assert fig.layout.yaxis3.range != fig.layout.yaxis.range
    assert fig.layout.yaxis3.range[0] < 17.1 < fig.layout.yaxis3.range[1]


def test_narrow_panels_label_the_first_and_last_period_and_titles_wrap_between_words():
    quarters = [
        (f"Q{q} {y}/{(y + 1) % 100}", dt.date(y + (q == 4), (3 * q + 3) % 12 or 12, 28))
        for y in (2016, 2017)
        for q in (1, 2, 3, 4)
    ]
    name = "Initial health assessments within 20 working days of entering care"
    rows = [(name, label, "quarter", end, 80.0 + i, "%") for i, (label, end) in enumerate(quarters)]
    rows += [("Visits", label, "quarter", end, 5.0, None) for label, end in quarters]
    rows += [("Cost", "2017/18", "financial_year", dt.date(2018, 3, 31), 52055.0, "£")]
    fig = kpi.kpi_small_multiples(_multiples(rows), columns=3)
    assert list(fig.layout.xaxis.tickvals) == ["Q1 2016/17", "Q4 2017/18"]
    title = fig.layout.annotations[0].text
    lines = title.split("<br>")
    assert len(lines) == 2 and title.endswith("…")
    assert all(word in name.split() for line in lines for word in line.rstrip("…").split())
    # the first and last labels sit inside the panel: the axis reaches past both periods
    low, high = fig.layout.xaxis.range
    assert low < -0.5 and high > len(quarters) - 0.5


def test_an_indicator_with_several_kinds_of_period_has_a_line_for_each_in_its_panel():
    ends = [dt.date(2016, 6, 30), dt.date(2016, 9, 30), dt.date(2016, 12, 31), dt.date(2017, 3, 31)]
    rows = [("Referrals", f"Q{q} 2016/17", "quarter", end, v, None)
            for q, end, v in zip((1, 2, 3, 4), ends, QUARTERS, strict=True)]  # fmt: skip
    rows += [("Referrals", "2016/17 YTD", "ytd", dt.date(2017, 3, 31), 79.0, None)]
    fig = kpi.kpi_small_multiples(_multiples(rows))
    assert [t.name for t in fig.data] == ["Year to date", "Quarterly"]
    assert fig.layout.showlegend
    assert [list(t.text)[-1] for t in fig.data] == ["79", "27"]  # each line's latest value


def test_period_labels_are_shortened_only_at_the_year():
    assert kpi.short_period("Q1 2016/17") == "Q1 16/17"
    assert kpi.short_period("2016/17 YTD") == "16/17 YTD"
    assert kpi.short_period("Apr 2017") == "Apr 2017"


# The indicator the page opens at ------------------------------------------------------


def test_the_page_opens_at_a_current_indicator_with_a_target_not_the_first_by_name(con):
    indicators = queries.indicators(con, AREA)
    assert indicators["indicator"].iloc[0] == "CAMHS referrals"
    assert metrics.default_indicator(indicators, queries.kpi_tiles(con, AREA)) == "Dental checks"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the most recent period wins over a target
        ([("A", False, None, "2018-03-31"), ("B", False, 90.0, "2017-03-31")], "A"),
        # in it, one with a target, then by name
        (
            [
                ("C", False, None, "2018-03-31"),
                ("B", False, 1.0, "2018-03-31"),
                ("A", False, None, "2018-03-31"),
            ],
            "B",
        ),
        ([("B", False, None, "2018-03-31"), ("A", False, None, "2018-03-31")], "A"),
        # the council's own before the dictionary's national measures, even older ones
        ([("N", True, 5.0, "2019-08-31"), ("O", False, None, "2018-03-31")], "O"),
        # no figures at all: the first listed
        ([("Z", False, None, None), ("Y", False, None, None)], "Z"),
    ],
)
def test_default_indicator_rule(rows, expected):
    indicators = pd.DataFrame(
        [(n, d, t) for n, d, t, _ in rows], columns=["indicator", "in_dictionary", "target"]
    )
    tiles = pd.DataFrame(
        [(n, pd.Timestamp(e), 1.0) for n, _, _, e in rows if e],
        columns=["indicator", "period_end", "value"],
    )
    assert metrics.default_indicator(indicators, tiles) == expected


# Sentences: where the latest figure stands --------------------------------------------


def _tile(value: float, rag: str = "Not rated", period: str = "2016/17") -> pd.Series:
    return pd.Series({"value": value, "period_label": period, "rag": rag})


ENGLAND = pd.DataFrame({"area": ["England"], "period_label": ["2016/17"], "value": [90.0]})


@pytest.mark.parametrize(
    ("polarity", "target", "benchmarks", "expected"),
    [
        (None, 95.0, None, "latest 92.4% (2016/17), not rated: below the target of 95%"),
        ("higher", None, ENGLAND, "latest 92.4% (2016/17), not rated: better than England (90%)"),
        ("lower", None, ENGLAND, "latest 92.4% (2016/17), not rated: worse than England (90%)"),
        (None, None, ENGLAND, "latest 92.4% (2016/17), not rated: above England (90%)"),
        (
            "neutral",
            92.4,
            None,
            "latest 92.4% (2016/17), not rated: level with the target of 92.4%",
        ),
        (
            None,
            None,
            ENGLAND.assign(period_label="2015/16"),
            "latest 92.4% (2016/17), not rated: no target or benchmark to compare it with",
        ),
    ],
)
def test_standing_says_what_a_figure_without_a_rag_means(polarity, target, benchmarks, expected):
    assert metrics.standing(_tile(92.4), "%", polarity, target, benchmarks) == expected


def test_standing_gives_a_rag_where_there_is_one():
    assert metrics.standing(_tile(92.4, "Amber"), "%", "higher", 95.0) == (
        "latest 92.4% (2016/17), RAG Amber"
    )
    assert metrics.standing(None, "%", "higher", 95.0) == "no figure yet"


# Sentences of report.metrics' views ---------------------------------------------------


def test_side_by_side_names_the_period_once_when_every_figure_shares_it(con):
    view = metrics.side_by_side(con, ["Dental checks", "SDQ average score"], AREA)
    assert view.summary == (
        "Latest figures for Anytown in 2016/17, 2 indicators: Dental checks 94.9%; "
        "SDQ average score 13.2."
    )
    one = metrics.side_by_side(con, ["Dental checks"], AREA)
    assert one.summary.startswith("Latest figures for Anytown in 2016/17, 1 indicator: ")


def test_side_by_side_names_each_series_and_what_has_no_figure(con):
    view = metrics.side_by_side(
        con, ["CAMHS referrals", "Care leavers in touch", "Stability %"], AREA
    )
    assert view.summary == (
        "Latest figures for Anytown, 2 indicators: CAMHS referrals 27 (Q4 2016/17) and 79 "
        "(2016/17 YTD); Care leavers in touch 90% (2015/16). No figures yet for Stability %."
    )
    assert {"Quarterly", "Year to date", "Yearly"} <= set(view.table["Series"])
    nothing = metrics.side_by_side(con, ["Stability %"], AREA)
    assert nothing.summary == "No figures for Anytown in the 1 indicator chosen."
    with pytest.raises(NoData):
        metrics.side_by_side(con, [], AREA)


def test_every_council_names_a_tie_and_a_missing_figure(con):
    view = metrics.every_council(con, "Dental checks", AREA, "2016/17")
    assert view.title.startswith("One year against every council")
    assert view.summary == (
        "In 2016/17, Anytown ranked 2 of 4 councils (quartile band C, A best) with 94.9%, "
        "level with Bridgeford. England 86%."
    )
    latest = metrics.every_council(con, "Dental checks", AREA)  # the latest year by default
    assert latest.as_of == "2017/18"
    assert latest.summary == "In 2017/18, Anytown has no figure; 3 councils have one. England 86%."


def test_every_council_with_no_other_council_says_so(con):
    with pytest.raises(NoData, match="No other council has a figure for CAMHS referrals"):
        metrics.every_council(con, "CAMHS referrals", AREA)


def test_breakdowns_put_ties_together_and_name_the_part_with_no_figure(con):
    view = metrics.breakdowns(con, "Stability %", AREA)
    assert view.summary == (
        "Stability %, 2017: Assessment and Leaving care 87% each; no figure for Court."
    )
    assert view.as_of == "Anytown, 2017"
    assert list(view.table["Breakdown"]) == ["Assessment", "Court", "Leaving care"]
    assert list(view.table.columns) == ["Breakdown", "2016", "2017"]
    with pytest.raises(NoData):
        metrics.breakdowns(con, "Dental checks", AREA)


# The page: an audience never sees officers' prompts -----------------------------------


@pytest.fixture
def page(kpi_db, monkeypatch):
    return page_opener(monkeypatch, kpi_db, area=AREA)


OFFICER_PROMPTS = ("DfE statistics file", "national measure", "officer can", "Data page")


def _texts(at) -> list[str]:
    elements = [*at.markdown, *at.caption, *at.info, *at.subheader]
    links = [p.proto.label for p in at.get("page_link")]
    return [e.value for e in elements] + links


def test_the_page_opens_at_the_default_indicator_with_its_views(page):
    at = page("pages/kpi_trends.py")
    assert not at.exception
    assert at.selectbox(key="w_indicator").value == "Dental checks"
    headings = [s.value for s in at.subheader]
    assert headings[:2] == [
        "Dental checks, Anytown, to 2016/17",
        "Several indicators side by side, Anytown",
    ]
    # the latest year with a figure for the council, not 2017/18 when it has none
    assert "One year against every council: Dental checks, 2016/17" in headings


def test_officers_see_prompts_to_upload_and_link(page):
    at = page("pages/kpi_trends.py", indicator="CAMHS referrals")
    assert not at.exception
    texts = " ".join(_texts(at))
    assert "upload a DfE statistics file" in texts
    assert "Compare it with a national measure (link it on the Data page)" in texts


def test_presentation_mode_shows_no_prompt_to_upload_or_configure(page):
    at = page("pages/kpi_trends.py", indicator="CAMHS referrals", present="1")
    assert not at.exception
    texts = _texts(at)
    assert not [t for t in texts if any(p in t for p in OFFICER_PROMPTS)]
    assert any(
        t.startswith("No other council has a figure for CAMHS referrals") for t in at_info(at)
    )
    assert any("Polarity not set, so it is not ranked or coloured good or bad." in t for t in texts)


def at_info(at) -> list[str]:
    return [i.value for i in at.info]


def test_the_latest_line_says_what_a_figure_without_a_rag_means(page):
    at = page("pages/kpi_trends.py", indicator="SDQ average score")
    assert not at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("**SDQ average score**"))
    assert "latest 13.2 (2016/17), not rated: better than England (14.1)" in line
    assert line.endswith("Lower is better.")
