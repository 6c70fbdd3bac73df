"""A council's own indicators linked to national measures: the links (saved, replaced,
removed, audited, refused without the officer role), suggestions by name, the national
comparison on KPI trends and the Overview, and ranks and bands taken from kpi_benchmarks."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

import queries
from charts.compare import format_measure
from loaders import access, store
from loaders.access import Actor, NotAllowed
from loaders.errors import LoaderError
from loaders.importer import import_file
from loaders.indicators import LINK, link_indicator, unlink_indicator
from report.metrics import national_text
from tests.helpers import DATA, REAL, ROOT, page_opener

OFFICER = Actor("officer@example.test", "officer", "sign-in")
VIEWER = Actor("viewer@example.test", "viewer", "sign-in")
END = dt.date(2024, 3, 31)
TURNOVER = "Percentage rate of social worker turnover"  # LAIT: Low is better
CLA_RATE = "Children looked after rate per 10,000"  # LAIT: "-", no better direction


# Small databases built row by row ----------------------------------------------------


def measure(con, name, polarity_text="Low", unit=None):
    polarity = {"High": "higher", "Low": "lower"}.get(polarity_text)
    con.execute(
        "INSERT INTO measure_dictionary (upload_id, measure_short, measure, polarity, "
        "polarity_text, unit, no_quartile) VALUES (1, ?, ?, ?, ?, ?, false)",
        [name, name, polarity, polarity_text, unit],
    )


def figure(con, indicator, area, value, label="2024", end=END):
    con.execute(
        "INSERT INTO kpi_rows (upload_id, indicator, area, period_label, period_type, "
        "period_start, period_end, value, is_benchmark) VALUES (1, ?, ?, ?, 'financial_year', "
        "?, ?, ?, false)",
        [indicator, area, label, end - dt.timedelta(days=364), end, value],
    )


def councils(con, indicator, values, label="2024", end=END):
    for i, value in enumerate(values, start=1):
        if label == "2024":
            con.execute(
                "INSERT INTO area_rows (upload_id, area, kind, old_code) VALUES (1, ?, 'council', ?)",
                [f"C{i}", str(100 + i)],
            )
        figure(con, indicator, f"C{i}", value, label, end)


def trail(con) -> list[tuple]:
    return con.execute(
        "SELECT who, action, target, before, after FROM audit_log ORDER BY audit_id"
    ).fetchall()


@pytest.fixture
def linkable(con):
    """A council's own monthly indicator and two national measures to link it to."""
    measure(con, "M", "Low")
    measure(con, "N", "High")
    councils(con, "M", [1, 2, 3, 4])
    figure(con, "Our measure", "C1", 5.0, "Apr 2024", dt.date(2024, 4, 30))
    return con


# Links: saved, replaced, removed, audited; roles enforced -------------------------------


def test_a_link_is_saved_replaced_and_removed_each_with_its_audit_row(linkable):
    con = linkable
    link_indicator(con, "Our measure", "M", actor=OFFICER)
    assert queries.indicator_links(con)[["indicator", "measure", "linked_by"]].values.tolist() == [
        ["Our measure", "M", OFFICER.who]
    ]
    link_indicator(con, "Our measure", "N", actor=OFFICER)  # one measure per indicator
    assert queries.indicator_links(con)["measure"].tolist() == ["N"]
    assert unlink_indicator(con, "Our measure", actor=OFFICER) == "N"
    assert queries.indicator_links(con).empty
    assert trail(con) == [
        (OFFICER.who, LINK, "Our measure", None, '{"measure": "M"}'),
        (OFFICER.who, LINK, "Our measure", '{"measure": "M"}', '{"measure": "N"}'),
        (OFFICER.who, LINK, "Our measure", '{"measure": "N"}', None),
    ]


def test_only_an_officer_links_and_a_refusal_changes_nothing(linkable, db_state):
    con = linkable
    link_indicator(con, "Our measure", "M", actor=OFFICER)
    before = db_state()
    for actor in (VIEWER, Actor("someone@example.test", None, "sign-in")):
        with pytest.raises(NotAllowed, match="Indicator link needs the officer role"):
            link_indicator(con, "Our measure", "N", actor=actor)
        with pytest.raises(NotAllowed):
            unlink_indicator(con, "Our measure", actor=actor)
    assert db_state() == before
    assert access.WRITES[LINK] == "officer"


@pytest.mark.parametrize(
    "indicator, target, message",
    [
        ("Our measure", "Not loaded", "'Not loaded' is not a national measure"),
        ("Our measure", "Our measure", "cannot be linked to itself"),
        ("M", "N", "'M' is itself a national measure"),
        ("Nobody's", "M", "There is no indicator 'Nobody's'"),
    ],
)
def test_a_link_that_makes_no_sense_is_refused_plainly(
    linkable, db_state, indicator, target, message
):
    before = db_state()
    with pytest.raises(LoaderError, match=message):
        link_indicator(linkable, indicator, target, actor=OFFICER)
    assert db_state() == before


def test_removing_a_link_that_is_not_there_says_so(linkable):
    with pytest.raises(LoaderError, match="'Our measure' is not linked"):
        unlink_indicator(linkable, "Our measure", actor=OFFICER)
    assert trail(linkable) == []


def test_pages_link_and_unlink_as_the_visitor():
    """As tests/test_access.py holds every other write: a page that forgot the visitor
    would write as the command line's admin."""
    calls = 0
    for source in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            name = getattr(getattr(node, "func", None), "id", None)
            if isinstance(node, ast.Call) and name in {"link_indicator", "unlink_indicator"}:
                calls += 1
                assert any("actor" in ast.unparse(k) for k in node.keywords), source.name
    assert calls == 2


# Suggestions by name ------------------------------------------------------------------


def test_suggestions_on_the_trimmed_dictionary(con):
    import_file(con, DATA / "lait_data_dictionary_trimmed.csv", actor=access.LOCAL)
    choices = queries.measure_choices(con, "Social worker turnover (%)")
    assert choices.iloc[0]["measure"] == TURNOVER
    assert choices["suggested"].iloc[0] and not choices["suggested"].iloc[-1]
    # every measure can be picked: the rest follow the suggestions, by name
    assert set(choices["measure"]) == set(queries.national_measures(con)["measure"])
    rest = choices[~choices["suggested"]]["measure"].tolist()
    assert rest == sorted(rest)


@pytest.fixture(scope="module")
def real_dictionary(tmp_path_factory):
    if not (REAL / "lait_data_dictionary.csv").exists():
        pytest.skip("the real LAIT dictionary is in ../shared/real-data")
    con = store.connect(tmp_path_factory.mktemp("links") / "dictionary.duckdb")
    import_file(con, REAL / "lait_data_dictionary.csv", actor=access.LOCAL)
    yield con
    con.close()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Immunisations up to date", "Percentage of CLA Had their immunisations up to date"),
        ("Dental checks", "Percentage of CLA having Dental Checks"),
        ("Initial health assessments within 20 working days", "Percentage of CLA having Health Checks"),
        ("Care leavers in education, employment or training", "Care Leavers - Education, Employment & Training (EET) (%)"),
        ("Re-referrals within 12 months", "Percentage of re-referrals to children's social care within 12 months"),
        ("Average caseload per social worker", "Average number of cases per children and family social worker (based on FTE counts)"),
        ("SDQ average score", "Emotional Health of Looked after Children"),
    ],
)  # fmt: skip
def test_suggestions_rank_the_obvious_measure_first(real_dictionary, name, expected):
    choices = queries.measure_choices(real_dictionary, name)
    assert choices.iloc[0]["measure"] == expected
    assert (
        len(choices)
        == real_dictionary.execute(
            "SELECT count(DISTINCT measure) FROM measure_dictionary"
        ).fetchone()[0]
    )


# What the pages show ------------------------------------------------------------------


def _own_return(path: Path) -> Path:
    months = [dt.date(2024, m, 1) for m in range(4, 13)] + [dt.date(2025, m, 1) for m in (1, 2, 3)]
    lines = ["Indicator,Period,Value,Target,Polarity,Unit"]
    for i, month in enumerate(months):
        lines.append(
            f"Social worker turnover,{month:%b %Y},{14 - i * 0.2:.1f},15,Lower is better,%"
        )
        lines.append(f"Children in care,{month:%b %Y},{50 + i},45,,")
        lines.append(f"Agency social workers,{month:%b %Y},{20 - i},15,Lower is better,%")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def barnet_db(tmp_path_factory) -> Path:
    """LAIT's trimmed fixtures, a statistical-neighbour model for Barnet, and Barnet's own
    monthly return with two indicators linked to LAIT measures."""
    folder = tmp_path_factory.mktemp("barnet")
    path = folder / "barnet.duckdb"
    con = store.connect(path)
    import_file(con, DATA / "lait_data_dictionary_trimmed.csv", actor=access.LOCAL)
    import_file(con, DATA / "lait_bds_long_trimmed.parquet", actor=access.LOCAL)
    model = folder / "sn_model.csv"
    model.write_text(
        "old_la_code," + ",".join(f"SN_{i}" for i in range(1, 11)) + "\n"
        "302,309,202,881,801,908,810,342,940,941,839\n",
        encoding="utf-8",
    )
    import_file(con, model, kind="neighbours", actor=access.LOCAL)
    import_file(con, _own_return(folder / "barnet_kpis.csv"), area="Barnet", actor=access.LOCAL)
    store.set_state(con, "own_area", "Barnet")
    link_indicator(con, "Social worker turnover", TURNOVER, actor=OFFICER)
    link_indicator(con, "Children in care", CLA_RATE, actor=OFFICER)
    con.close()
    return path


@pytest.fixture
def page(barnet_db, monkeypatch):
    return page_opener(monkeypatch, barnet_db)


def _view_row(path: Path, indicator: str, area: str) -> pd.Series:
    """What kpi_benchmarks itself holds for the area in the measure's latest LAIT year (the
    view, not the pages' copy of it; the same database the pages opened in this process)."""
    con = store.connect(path)
    try:
        return (
            con.execute(
                "SELECT * FROM kpi_benchmarks WHERE indicator = ? AND area = ? "
                "AND period_label = (SELECT max(period_label) FROM kpi_benchmarks WHERE indicator = ?)",
                [indicator, area, indicator],
            )
            .fetch_df()
            .iloc[0]
        )
    finally:
        con.close()


def test_kpi_trends_shows_the_linked_measure_as_kpi_benchmarks_has_it(page, barnet_db):
    at = page("pages/kpi_trends.py", indicator="Social worker turnover")
    assert not at.exception
    view = _view_row(barnet_db, TURNOVER, "Barnet")
    assert view["period_label"] == "2025" and view["sn_count"] == 10  # every figure there

    def shown(value: float) -> str:
        return format_measure(value, "Turnover rate")

    expected = (
        f"**Against the nation.** National (LAIT), 2025: {shown(view['value'])}, "
        f"rank {view['rank']} of {view['ranked_count']}, band {view['band']}; "
        f"neighbours {shown(view['sn_average'])}, London (Outer) {shown(view['region_value'])}, "
        f"England {shown(view['england_value'])}."
    )
    assert [m.value for m in at.markdown if m.value.startswith("**Against")] == [expected]
    assert expected == (
        "**Against the nation.** National (LAIT), 2025: 13.3, rank 14 of 15, band D; "
        "neighbours 10.6, London (Outer) 15.7, England 11.8."
    )
    assert any(c.value.startswith(f"Linked national measure: {TURNOVER} (Turnover rate; lower "
                                  "is better") for c in at.caption)  # fmt: skip
    assert any("through its linked national measure, above" in i.value for i in at.info)
    # the council's own monthly series is its own: no national year drawn into it
    trend = at.get("plotly_chart")[0].proto.spec
    assert '"2025"' not in trend and "Apr 2024" in trend


def test_overview_tiles_carry_the_national_line_and_only_our_own_kpis(page, barnet_db):
    at = page()
    assert not at.exception
    tiles = {m.label: m for m in at.metric}
    assert set(tiles) >= {"Social worker turnover", "Children in care"}
    assert TURNOVER not in tiles  # the national data set's measures are How we compare's
    captions = [c.value for c in at.caption if c.value.startswith("National (LAIT)")]
    assert "National (LAIT), 2025: 13.3, rank 14 of 15, band D; neighbours 10.6, London " \
           "(Outer) 15.7, England 11.8" in captions  # fmt: skip
    # lower is better and turnover fell: the arrow is green
    assert tiles["Social worker turnover"].proto.color == MetricProto.GREEN


def test_no_polarity_is_never_ranked_banded_or_coloured(page, barnet_db):
    at = page()
    tile = {m.label: m for m in at.metric}["Children in care"]
    assert tile.proto.color == MetricProto.GRAY  # a change, neither good nor bad
    # no RAG: where it stands in words, above or below, never better or worse
    assert "Above the target of 45 (Mar 2025)." in [m.value for m in at.markdown]
    view = _view_row(barnet_db, CLA_RATE, "Barnet")
    assert pd.isna(view["rank"]) and pd.isna(view["band"])
    line = next(c.value for c in at.caption if c.value.startswith("National (LAIT), 2025: "))
    assert line.startswith(
        "National (LAIT), 2025: "
        f"{format_measure(view['value'], 'Rate per 10,000')} (not ranked: neither higher "
        "nor lower is better); neighbours"
    )

    at = page("pages/kpi_trends.py", indicator="Children in care")
    assert not at.exception
    assert any("Polarity not set, so it is not ranked or coloured" in m.value for m in at.markdown)
    assert any("(not ranked: neither higher nor lower is better)" in m.value for m in at.markdown)

    at = page("pages/kpi_trends.py", indicator=CLA_RATE, period="2025")
    assert not at.exception
    assert any("The measure dictionary gives no better direction" in m.value for m in at.markdown)
    con = store.connect(barnet_db)
    ranked = queries.benchmark_year(con, CLA_RATE, "2025", "Barnet")
    con.close()
    assert ranked["rank"].isna().all() and ranked["quartile"].isna().all()
    assert any("none is ranked or banded" in c.value for c in at.caption)


def test_the_data_page_opens_on_the_link_of_the_indicator_asked_for(page):
    at = page("pages/kpi_trends.py", indicator="Social worker turnover")
    assert not [p for p in at.get("page_link") if "national measure" in p.proto.label]  # linked
    at = page("pages/kpi_trends.py", indicator="Agency social workers")  # not linked
    offered = [p.proto for p in at.get("page_link") if "national measure" in p.proto.label]
    assert [(p.page, p.query_string) for p in offered] == [("data", "link=Agency+social+workers")]
    at = page("pages/data.py", link="Children in care")
    assert not at.exception
    assert at.selectbox(key="w_link").value == "Children in care"
    assert at.selectbox(key="link_measure_Children in care").value == CLA_RATE


# The national line's own cases --------------------------------------------------------


def test_the_latest_year_without_our_figure_says_so_and_gives_the_one_before(con):
    measure(con, "M", "Low", "% of children")
    councils(con, "M", [10, 20, 30, 40])
    councils(con, "M", [None, 25, 35, 45], label="2025", end=dt.date(2025, 3, 31))
    figure(con, "Ours", "Ourtown", 5.0, "Apr 2024", dt.date(2024, 4, 30))
    link_indicator(con, "Ours", "M", actor=OFFICER)
    rows = queries.national_comparisons(con, "C1").set_index("indicator")
    assert national_text(rows.loc["Ours"], "C1") == (
        "National (LAIT), 2025: no figure for C1; 2024: 10%, rank 1 of 4, band A"
    )
    rows = queries.national_comparisons(con, "Ourtown").set_index("indicator")
    assert national_text(rows.loc["Ours"], "Ourtown") == (
        "National (LAIT): Ourtown has no figure in the national set for this measure"
    )


# benchmark_year agrees with kpi_benchmarks ------------------------------------------------


@pytest.mark.parametrize("polarity, on_cut, band", [("Low", 3, "A"), ("High", 7, "B")])
def test_benchmark_year_agrees_with_kpi_benchmarks_on_a_cut_point(con, polarity, on_cut, band):
    """1..9: LAIT's type-7 cut points are 3, 5 and 7 exactly. A value on one belongs to the
    band below it in value: for lower-is-better, 3 is in band A (the best), not B."""
    measure(con, "M", polarity)
    councils(con, "M", range(1, 10))
    ranked = queries.benchmark_year(con, "M", "2024", "C1").set_index("area")
    view = (
        con.execute(
            "SELECT area, rank, band FROM kpi_benchmarks WHERE indicator = 'M' AND period_label = '2024'"
        )
        .fetch_df()
        .set_index("area")
    )
    assert ranked.loc[view.index, "rank"].tolist() == view["rank"].tolist()
    assert ranked.loc[view.index, "quartile"].tolist() == view["band"].tolist()
    assert ranked.loc[f"C{on_cut}", "quartile"] == band
    assert set(ranked["councils_ranked"]) == {9}


def test_benchmark_year_agrees_with_kpi_benchmarks_on_real_lait_figures(con):
    import_file(con, DATA / "lait_data_dictionary_trimmed.csv", actor=access.LOCAL)
    import_file(con, DATA / "lait_bds_long_trimmed.parquet", actor=access.LOCAL)
    for indicator in (TURNOVER, "CLA Overall Absence", CLA_RATE):
        for period in queries.kpi_periods(con, indicator)[:3]:
            ranked = queries.benchmark_year(con, indicator, period, "Barnet")
            councils_ = ranked[ranked["kind"] == "council"].set_index("area")
            view = (
                con.execute(
                    "SELECT area, rank, band FROM kpi_benchmarks WHERE indicator = ? "
                    "AND period_label = ? AND area IN (SELECT area FROM areas WHERE kind = 'council')",
                    [indicator, period],
                )
                .fetch_df()
                .set_index("area")
            )
            pd.testing.assert_series_equal(
                councils_.loc[view.index, "rank"], view["rank"], check_names=False
            )
            assert councils_.loc[view.index, "quartile"].fillna("").tolist() == (
                view["band"].fillna("").tolist()
            )
            assert "London (Outer)" in set(ranked["area"])  # Barnet's region, as LAIT has it
