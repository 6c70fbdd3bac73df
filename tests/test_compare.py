"""How we compare: the copy pages read, the page's queries and views, and the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import queries
from charts.compare import format_measure, measure_unit
from loaders import access, benchmarks, store
from loaders.importer import import_file
from loaders.indicators import set_indicator
from report import compare
from report.views import NoData
from tests.helpers import APP, LAIT_DATASET, LAIT_DICTIONARY, page_opener

DATASET, DICTIONARY = LAIT_DATASET, LAIT_DICTIONARY
EXCLUSIONS = "Total Permanent Exclusions"  # lower is better in LAIT's dictionary


def _neighbours(con, council: str, neighbours: list[str]) -> None:
    """Statistical neighbours by council name (LAIT's codes from the areas loaded)."""
    code = dict(con.execute("SELECT area, old_code FROM areas WHERE kind = 'council'").fetchall())
    for rank, name in enumerate(neighbours, start=1):
        con.execute(
            "INSERT INTO neighbour_rows (upload_id, old_la_code, rank, neighbour_old_code) "
            "VALUES (99, ?, ?, ?)",
            [code[council], rank, code.get(name, "999")],
        )


@pytest.fixture(scope="module")
def lait_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("compare") / "lait.duckdb"
    con = store.connect(path)
    import_file(con, DICTIONARY)
    import_file(con, DATASET)
    councils = [r[0] for r in con.execute(
        "SELECT area FROM areas WHERE kind = 'council' ORDER BY area").fetchall()]  # fmt: skip
    _neighbours(con, "Camden", [*[c for c in councils if c != "Camden"][:4], "Nowhere"])
    con.close()
    return path


@pytest.fixture
def con(lait_db, tmp_path):
    copy = tmp_path / "lait.duckdb"
    copy.write_bytes(lait_db.read_bytes())
    con = store.connect(copy)
    yield con
    con.close()


def _frame(con, table: str) -> pd.DataFrame:
    return (
        con.execute(f"SELECT * FROM {table}")
        .fetch_df()
        .sort_values(["indicator", "area", "period_label"])
        .reset_index(drop=True)
    )


def test_the_copy_holds_exactly_what_the_view_holds(con):
    table = benchmarks.comparisons(con)
    assert table == benchmarks.CACHE
    pd.testing.assert_frame_equal(_frame(con, table), _frame(con, "kpi_benchmarks"))


def test_the_copy_follows_each_change_of_its_inputs(con, tmp_path):
    benchmarks.comparisons(con)
    before = benchmarks.inputs_version(con)
    # an officer's polarity changes ranks: the copy is rebuilt and agrees with the view
    set_indicator(con, EXCLUSIONS, polarity="higher", actor=access.command_line())
    assert benchmarks.inputs_version(con) != before
    table = benchmarks.comparisons(con)
    pd.testing.assert_frame_equal(_frame(con, table), _frame(con, "kpi_benchmarks"))
    ranks = con.execute(
        f"SELECT area, rank FROM {table} WHERE indicator = ? AND rank = 1", [EXCLUSIONS]
    ).fetchall()
    most = con.execute(
        "SELECT area FROM kpi_benchmarks WHERE indicator = ? AND rank IS NOT NULL "
        "QUALIFY value = max(value) OVER (PARTITION BY period_label) AND period_label = "
        "(SELECT max(period_label) FROM kpi_benchmarks WHERE indicator = ?)",
        [EXCLUSIONS, EXCLUSIONS],
    ).fetchall()
    assert {a for a, _ in ranks} >= {a for (a,) in most}


def test_an_action_plan_upload_leaves_the_copy_as_it_is(con, tmp_path):
    from data.demo import write_snapshot

    benchmarks.comparisons(con)
    before = benchmarks.inputs_version(con)
    import_file(con, write_snapshot(tmp_path / "post_ofsted_action_plan_2018-02.xlsx", 1))
    assert benchmarks.inputs_version(con) == before


def test_a_read_only_connection_reads_the_view(lait_db):
    con = duckdb.connect(str(lait_db), read_only=True)
    try:
        assert benchmarks.comparisons(con) in (benchmarks.CACHE, "kpi_benchmarks")
        if benchmarks.comparisons(con) == benchmarks.CACHE:  # built before: must be current
            assert benchmarks._cached_version(con) == benchmarks.inputs_version(con)
    finally:
        con.close()


def test_comparison_takes_lait_latest_year_and_the_dictionary(con):
    table = queries.comparison(con, "Camden")
    assert table["indicator"].is_unique and len(table) > 5
    row = table[table["indicator"] == EXCLUSIONS].iloc[0]
    years = con.execute(
        "SELECT DISTINCT period_label FROM kpi_values WHERE indicator = ?", [EXCLUSIONS]
    ).fetchall()
    assert row["period_label"] == max(y for (y,) in years)  # text order, as LAIT
    assert row["polarity"] == "lower" and isinstance(row["topic"], str)
    direct = con.execute(
        "SELECT value, rank, band FROM kpi_benchmarks WHERE indicator = ? AND area = 'Camden' "
        "AND period_label = ?",
        [EXCLUSIONS, row["period_label"]],
    ).fetchone()
    assert (row["value"], row["rank"], row["band"]) == direct
    earlier = con.execute(
        "SELECT rank FROM kpi_benchmarks WHERE indicator = ? AND area = 'Camden' "
        "AND period_label = ?",
        [EXCLUSIONS, row["previous_period"]],
    ).fetchone()[0]
    assert row["previous_rank"] == earlier


def test_neighbours_view_names_the_missing_neighbours(con):
    view = compare.neighbours(con, EXCLUSIONS, "Camden")
    history = queries.neighbour_history(con, EXCLUSIONS, "Camden")
    assert history["area"].iloc[0] == "Camden"
    assert list(history["area"].drop_duplicates())[-1] == "council 999"  # known by code only
    assert "5 statistical neighbours" in view.summary
    assert "have a figure; no figure: " in view.summary and "council 999." in view.summary
    assert view.table.iloc[-1]["Council"] == "Neighbours' average"
    with pytest.raises(NoData, match="No statistical neighbours"):
        compare.neighbours(con, EXCLUSIONS, "Cornwall")


def test_spread_view_draws_every_council_and_the_cut_points(con):
    row = compare.measure_row(con, EXCLUSIONS, "Camden")
    view = compare.measure_spread(con, EXCLUSIONS, "Camden")
    assert len(view.table) == int(row["ranked_count"])
    assert f"{int(row['rank'])}" in view.summary and "median" in view.summary
    lines = [s for s in view.figure.layout.shapes if s.type == "line"]
    assert sorted(s.y0 for s in lines) == sorted([row["q25"], row["q50"], row["q75"]])


def test_band_view_counts_agree_with_the_table(con):
    view = compare.bands(con, "Camden")
    table = queries.comparison(con, "Camden")
    for band in "ABCD":
        assert view.table[band].sum() == (table["band"] == band).sum()
        assert f"{(table['band'] == band).sum()} in band {band}" in view.summary


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"change": 2.0, "polarity": "lower", "unit": "%", "dps": 1}, "▲ 2.0 points (worse)"),
        ({"change": -2.0, "polarity": "lower", "unit": "%", "dps": 1}, "▼ 2.0 points (better)"),
        ({"change": 3.0, "polarity": None, "unit": "Number", "dps": 0}, "▲ 3"),
        ({"change": 0.0, "polarity": "higher", "unit": None, "dps": None}, "no change"),
        ({"change": float("nan"), "polarity": "higher", "unit": None, "dps": None}, ""),
    ],
)
def test_change_says_better_or_worse_only_by_polarity(row, expected):
    assert compare.change_text(pd.Series(row)) == expected


def test_measures_are_written_with_the_dictionarys_unit_and_places():
    assert measure_unit("% of Children Looked After") == "%"
    assert measure_unit("Spend") == "£" and measure_unit("Rate per 10,000") is None
    assert format_measure(58.25, "% CIN", 1) == "58.2%"  # half to even, as written
    assert format_measure(1204.4, "Unit Cost", 0) == "£1,204"
    assert format_measure(12.0, "Number", None) == "12"
    assert format_measure(None, "%", 1) == "–"


def _measures_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Measure" in d.value.columns)


def _page(db: Path, monkeypatch, **params) -> AppTest:
    at = page_opener(monkeypatch, db, "Camden")("pages/compare.py", **params)
    assert not at.exception, at.exception[0].value if at.exception else ""
    return at


def test_page_lists_every_measure_and_opens_one(lait_db, monkeypatch, tmp_path):
    db = tmp_path / "page.duckdb"
    db.write_bytes(lait_db.read_bytes())
    at = _page(db, monkeypatch, measure=EXCLUSIONS)
    frame = _measures_table(at)
    con = store.connect(db)
    try:
        expected = queries.comparison(con, "Camden")
    finally:
        con.close()
    assert list(frame["Measure"]) == list(expected["indicator"])
    headings = [s.value for s in at.subheader]
    assert (
        f"{EXCLUSIONS}: every council, {expected.set_index('indicator').loc[EXCLUSIONS, 'period_label']}"
        in headings
    )
    assert f"{EXCLUSIONS}: statistical neighbours, Camden" in headings


def test_band_d_view_shows_only_band_d(lait_db, monkeypatch, tmp_path):
    db = tmp_path / "page.duckdb"
    db.write_bytes(lait_db.read_bytes())
    at = _page(db, monkeypatch, show="band_d", area="Cornwall")
    frame = _measures_table(at)
    assert set(frame["Band"]) <= {"D"}
    headings = [s.value for s in at.subheader]
    assert "Where we are in band D (the worst quarter of councils)" in headings
    assert "No statistical neighbours are loaded for Cornwall." in [i.value for i in at.info]


def test_page_without_national_figures_says_what_to_load(monkeypatch, tmp_path):
    db = tmp_path / "empty.duckdb"
    con = store.connect(db)
    store.set_state(con, "demo_cleared", dt.date.today().isoformat())
    con.close()
    at = _page(db, monkeypatch)
    assert any("No national figures are loaded yet" in i.value for i in at.info)


def test_the_data_page_says_when_national_figures_were_refreshed(lait_db, monkeypatch, tmp_path):
    db = tmp_path / "page.duckdb"
    db.write_bytes(lait_db.read_bytes())
    con = store.connect(db)
    try:
        refresh = queries.national_refresh(con)
        names = con.execute("SELECT file_name FROM upload_files ORDER BY upload_id").fetchall()
    finally:
        con.close()
    assert (refresh["upload_id"], refresh["file_name"]) == (2, DATASET.name)
    assert [n for (n,) in names] == [DICTIONARY.name, DATASET.name]
    assert (refresh["measures"], refresh["areas"]) == (14, 29)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "National figures" in m.value)
    assert "14 measures for 29 areas) last refreshed" in line and "upload 2" in line


def test_compare_views_go_into_a_deck(con):
    from report import decks, views

    deck = decks.Deck(name="Panel, national picture", slides=[
        decks.Slide(kind, {"indicator": EXCLUSIONS, "area": "Camden"}, "")
        for kind in ("measure_trend", "measure_spread", "neighbours")
    ])  # fmt: skip
    deck_id = decks.save(con, deck, access.command_line())
    saved = decks.load(con, deck_id)
    built = [views.build(con, s.kind, s.params) for s in saved.slides]
    assert [v.key for v in built] == ["measure_trend", "measure_spread", "neighbours"]
    assert built[1].summary == compare.measure_spread(con, EXCLUSIONS, "Camden").summary
    assert views.describe("measure_spread", saved.slides[1].params) == (
        f"Every council, with cut points: {EXCLUSIONS} (Camden)"
    )
