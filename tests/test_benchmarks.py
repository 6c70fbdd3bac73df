"""The kpi_benchmarks view: LAIT's rank, quartile bands, change, neighbours and region."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import store
from loaders.importer import import_file

DATA = Path(__file__).parent / "data"
DATASET = DATA / "lait_bds_long_trimmed.parquet"
DICTIONARY = DATA / "lait_data_dictionary_trimmed.csv"
END = dt.date(2024, 3, 31)


@pytest.fixture
def con():
    con = store.connect(":memory:")
    yield con
    con.close()


def measure(con, name, polarity_text, no_quartile=False):
    polarity = {"High": "higher", "Low": "lower"}.get(polarity_text)
    con.execute(
        "INSERT INTO measure_dictionary (upload_id, measure_short, measure, polarity, "
        "polarity_text, no_quartile) VALUES (1, ?, ?, ?, ?, ?)",
        [name, name, polarity, polarity_text, no_quartile],
    )


def area(con, name, kind="council", old_code=None, region=None):
    con.execute(
        "INSERT INTO area_rows (upload_id, area, kind, old_code, region) VALUES (1, ?, ?, ?, ?)",
        [name, kind, old_code, region],
    )


def figure(con, indicator, area_name, value, label="2024", end=END, benchmark=False):
    con.execute(
        "INSERT INTO kpi_rows (upload_id, indicator, area, period_label, period_type, "
        "period_start, period_end, value, is_benchmark) VALUES (1, ?, ?, ?, 'financial_year', "
        "?, ?, ?, ?)",
        [indicator, area_name, label, end - dt.timedelta(days=364), end, value, benchmark],
    )


def councils(con, values, indicator="M", label="2024", end=END):
    for i, value in enumerate(values, start=1):
        if label == "2024":
            area(con, f"C{i}", old_code=f"{100 + i}", region="North West")
        figure(con, indicator, f"C{i}", value, label, end)


def rows(con, indicator="M", label="2024"):
    cur = con.execute(
        "SELECT * FROM kpi_benchmarks WHERE indicator = ? AND period_label = ? ORDER BY area",
        [indicator, label],
    )
    names = [d[0] for d in cur.description]
    return {r[names.index("area")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def test_columns_are_the_contract(con):
    names = [r[0] for r in con.execute("DESCRIBE kpi_benchmarks").fetchall()]
    assert names == [
        "indicator", "area", "period_label", "period_end", "value", "previous_period",
        "previous_value", "change", "polarity", "rank", "ranked_count", "band", "q25", "q50",
        "q75", "sn_average", "sn_count", "region", "region_value", "england_value",
    ]  # fmt: skip


def test_ties_share_the_lowest_rank(con):
    measure(con, "M", "High")
    councils(con, [9.0, 7.0, 7.0, 5.0])
    got = rows(con)
    assert [got[f"C{i}"]["rank"] for i in range(1, 5)] == [1, 2, 2, 4]
    assert {r["ranked_count"] for r in got.values()} == {4}


def test_low_polarity_ranks_the_smallest_first(con):
    measure(con, "M", "Low")
    councils(con, [9.0, 7.0, 7.0, 5.0])
    got = rows(con)
    assert [got[f"C{i}"]["rank"] for i in range(1, 5)] == [4, 2, 2, 1]


def test_type7_cut_points_on_one_to_ten(con):
    measure(con, "M", "High")
    councils(con, [float(v) for v in range(1, 11)])
    r = rows(con)["C1"]
    # h = (n - 1)p: 2.25 -> 3 + 0.25, 4.5 -> 5 + 0.5, 6.75 -> 7 + 0.75
    assert (r["q25"], r["q50"], r["q75"]) == (3.25, 5.5, 7.75)


def test_type7_cut_points_by_hand_on_uneven_values(con):
    values = [0.1, 0.7, 2.3, 2.3, 10.0, 11.5]
    measure(con, "M", "Low")
    councils(con, values)
    r = rows(con)["C1"]
    xs = sorted(values)
    # (n - 1)p = 1.25, 2.5, 3.75
    assert r["q25"] == 0.75 * xs[1] + 0.25 * xs[2]
    assert r["q50"] == xs[2]  # x[3] == x[4]: R takes x[lo] as it is
    assert r["q75"] == 0.25 * xs[3] + 0.75 * xs[4]


def test_value_on_a_cut_point_takes_the_band_below_in_value(con):
    # 1..5: q25 = 2, q50 = 3, q75 = 4 exactly
    measure(con, "H", "High")
    measure(con, "L", "Low")
    councils(con, [1.0, 2.0, 3.0, 4.0, 5.0], indicator="H")
    for i, v in enumerate([1.0, 2.0, 3.0, 4.0, 5.0], start=1):
        figure(con, "L", f"C{i}", v)
    high, low = rows(con, "H"), rows(con, "L")
    assert (high["C1"]["q25"], high["C1"]["q50"], high["C1"]["q75"]) == (2.0, 3.0, 4.0)
    # higher is better: 2 on q25 is in the lowest band, D; 4 on q75 in B
    assert [high[f"C{i}"]["band"] for i in range(1, 6)] == ["D", "D", "C", "B", "A"]
    # lower is better: 2 on q25 takes the better band, A
    assert [low[f"C{i}"]["band"] for i in range(1, 6)] == ["A", "A", "B", "C", "D"]


def test_missing_values_are_unranked_and_not_in_the_cut_points(con):
    measure(con, "M", "High")
    councils(con, [1.0, None, 2.0, 3.0, 4.0, 5.0])
    got = rows(con)
    assert got["C2"]["rank"] is None and got["C2"]["band"] is None
    assert got["C2"]["value"] is None  # missing, never zero
    assert got["C1"]["ranked_count"] == 5
    assert (got["C1"]["q25"], got["C1"]["q50"], got["C1"]["q75"]) == (2.0, 3.0, 4.0)
    assert [got[c]["rank"] for c in ("C6", "C5", "C4", "C3", "C1")] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("polarity_text", ["-", "NA", ""])
def test_unknown_polarity_gets_no_rank_and_no_band(con, polarity_text):
    measure(con, "M", polarity_text)
    councils(con, [1.0, 2.0, 3.0])
    for r in rows(con).values():
        assert r["polarity"] is None and r["rank"] is None and r["band"] is None
        assert r["ranked_count"] is None


def test_no_quartile_ranks_but_gives_no_band(con):
    measure(con, "M", "Low", no_quartile=True)
    councils(con, [1.0, 2.0, 3.0, 4.0])
    got = rows(con)
    assert [got[f"C{i}"]["rank"] for i in range(1, 5)] == [1, 2, 3, 4]
    assert {r["band"] for r in got.values()} == {None}
    assert got["C1"]["q25"] is None


def test_officers_polarity_wins_over_the_dictionary(con):
    measure(con, "M", "High")
    councils(con, [1.0, 2.0, 3.0])
    con.execute(
        "INSERT INTO indicator_settings VALUES ('M', 'lower', NULL, NULL, current_timestamp)"
    )
    got = rows(con)
    assert got["C1"]["polarity"] == "lower" and got["C1"]["rank"] == 1
    con.execute("UPDATE indicator_settings SET polarity = 'neutral'")
    assert rows(con)["C1"]["rank"] is None


def test_prov_year_is_the_latest_and_change_from_the_year_before(con):
    measure(con, "M", "High")
    councils(con, [10.0, 20.0])
    councils(con, [12.5, None], label="2025 (prov)", end=dt.date(2025, 3, 31))
    councils(con, [1.0, 2.0], label="2023", end=dt.date(2023, 3, 31))
    latest = con.execute(
        "SELECT max(period_label) FROM kpi_benchmarks WHERE indicator = 'M'"
    ).fetchone()[0]
    assert latest == "2025 (prov)"
    got = rows(con, label="2025 (prov)")
    assert got["C1"]["previous_period"] == "2024" and got["C1"]["previous_value"] == 10.0
    assert got["C1"]["change"] == 2.5
    assert got["C2"]["change"] is None  # missing when either is missing
    assert rows(con, label="2024")["C1"]["previous_period"] == "2023"


def test_text_order_not_dates_for_lait_measures(con):
    # LAIT orders by the label's text even where a revised label's date is earlier
    measure(con, "M", "High")
    councils(con, [1.0, 2.0], label="2024", end=dt.date(2024, 3, 31))
    councils(con, [3.0, 4.0], label="2024 (Rev)", end=dt.date(2023, 3, 31))
    assert rows(con, label="2024 (Rev)")["C1"]["previous_period"] == "2024"


def test_london_region_falls_back_to_london(con):
    measure(con, "M", "Low")
    measure(con, "N", "Low")
    area(con, "Camden", old_code="202", region="Inner London")
    area(con, "Barnet", old_code="302", region="Outer London")
    area(con, "Leeds", old_code="383", region="Yorkshire and The Humber")
    for name, kind in [
        ("London", "region"),
        ("London (Inner)", "region"),
        ("London (Outer)", "region"),
        ("Yorkshire and the Humber", "region"),
        ("England", "national"),
    ]:
        area(con, name, kind)
    for ind in ("M", "N"):
        for name, v in [("Camden", 1.0), ("Barnet", 2.0), ("Leeds", 3.0)]:
            figure(con, ind, name, v)
        figure(con, ind, "London", 50.0, benchmark=True)
        figure(con, ind, "Yorkshire and the Humber", 60.0, benchmark=True)
        figure(con, ind, "England", 70.0, benchmark=True)
    figure(con, "M", "London (Inner)", 40.0, benchmark=True)
    figure(con, "M", "London (Outer)", None, benchmark=True)  # no figure: London instead
    m, n = rows(con, "M"), rows(con, "N")
    assert (m["Camden"]["region"], m["Camden"]["region_value"]) == ("London (Inner)", 40.0)
    assert (m["Barnet"]["region"], m["Barnet"]["region_value"]) == ("London", 50.0)
    assert (n["Camden"]["region"], n["Camden"]["region_value"]) == ("London", 50.0)
    assert (m["Leeds"]["region"], m["Leeds"]["region_value"]) == ("Yorkshire and the Humber", 60.0)
    assert m["Leeds"]["england_value"] == 70.0
    # regions and England are never ranked
    assert m["London"]["rank"] is None and m["England"]["rank"] is None
    assert m["Camden"]["ranked_count"] == 3


def test_neighbour_average_skips_missing(con):
    measure(con, "M", "High")
    councils(con, [1.0, 2.0, None, 6.0, None])
    for rank, code in enumerate(["102", "103", "104"], start=1):
        con.execute(
            "INSERT INTO neighbour_rows (upload_id, old_la_code, rank, neighbour_old_code) "
            "VALUES (1, '101', ?, ?)",
            [rank, code],
        )
    con.execute(
        "INSERT INTO neighbour_rows (upload_id, old_la_code, rank, neighbour_old_code) "
        "VALUES (1, '102', 1, '103'), (1, '102', 2, '105')"
    )
    got = rows(con)
    assert (got["C1"]["sn_average"], got["C1"]["sn_count"]) == (4.0, 2)
    assert got["C2"]["sn_average"] is None and got["C2"]["sn_count"] == 0


def test_own_indicator_alone_is_not_ranked(con):
    figure(con, "Health assessments", "Our Council", 80.0)
    con.execute(
        "INSERT INTO indicator_file_info (upload_id, indicator, polarity) "
        "VALUES (1, 'Health assessments', 'higher')"
    )
    r = rows(con, "Health assessments")["Our Council"]
    assert r["polarity"] == "higher" and r["rank"] is None and r["band"] is None


# --- the trimmed real LAIT files --------------------------------------------------------


def type7(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    index = 1 + (len(xs) - 1) * p
    lo, hi = math.floor(index), math.ceil(index)
    h = index - lo
    if index > lo and xs[hi - 1] != xs[lo - 1]:
        return (1 - h) * xs[lo - 1] + h * xs[hi - 1]
    return xs[lo - 1]


def as_number(text: str | None) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@pytest.mark.parametrize(
    ("short", "name", "higher_better", "council"),
    [
        ("TotPermEx", "Total Permanent Exclusions", False, "Cornwall"),
        ("KS1P_all", "Phonics Decoding - All pupils", True, "Camden"),
    ],
)
def test_real_lait_rank_and_band_match_a_plain_computation(
    tmp_path, short, name, higher_better, council
):
    con = store.connect(tmp_path / "t.duckdb")
    try:
        import_file(con, DICTIONARY)
        import_file(con, DATASET)
        rows_ = [r for r in pq.read_table(DATASET).to_pylist() if r["Short Desc"] == short]
        latest = sorted({r["Years"] for r in rows_} - {"0"})[-1]
        values = {
            r["LA and Regions"]: as_number(r["Values"])
            for r in rows_
            if r["Years"] == latest and r["LA Number"] < 970
        }
        have = [v for v in values.values() if v is not None]
        mine = values[council]
        better = [v for v in have if (v > mine if higher_better else v < mine)]
        rank = 1 + len(better)
        q25, q50, q75 = (type7(have, p) for p in (0.25, 0.5, 0.75))
        by_value = "ABCD" if mine <= q25 else "BCD" if mine <= q50 else "CD" if mine <= q75 else "D"
        band = by_value[0] if not higher_better else "DCBA"["ABCD".index(by_value[0])]

        got = con.execute(
            "SELECT rank, ranked_count, band, q25, q50, q75, value FROM kpi_benchmarks "
            "WHERE indicator = ? AND area = ? AND period_label = ?",
            [name, council, latest],
        ).fetchone()
        assert got == (rank, len(have), band, q25, q50, q75, mine)
    finally:
        con.close()


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(st.none(), st.integers(-20, 20).map(float), st.floats(-1e6, 1e6)),
        min_size=2,
        max_size=14,
    ),
    polarity=st.sampled_from(["High", "Low"]),
)
def test_rank_and_band_agree_with_polarity(values, polarity):
    con = store.connect(":memory:")
    try:
        measure(con, "M", polarity)
        councils(con, values)
        got = [r for r in rows(con).values() if r["value"] is not None]
        sign = 1 if polarity == "High" else -1
        for a in got:
            for b in got:
                if sign * a["value"] > sign * b["value"]:  # a is better
                    assert a["rank"] < b["rank"] or len(got) < 2
                if a["value"] == b["value"]:
                    assert a["rank"] == b["rank"]
                if len(got) >= 2 and a["rank"] < b["rank"]:
                    assert a["band"] <= b["band"]
        if len(got) >= 2:
            assert sorted(r["rank"] for r in got)[0] == 1
            assert {r["band"] for r in got} <= set("ABCD")
        else:
            assert all(r["rank"] is None for r in got)
    finally:
        con.close()
