"""DfE explore-education-statistics CSVs: trimmed real files, every geographic level."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from loaders.importer import import_file

DATA = Path(__file__).parent / "data"
HEALTH = DATA / "la_conviction_health_outcome_cla_trimmed.csv"
WORKFORCE = DATA / "csww_indicators_2017_to_2025_trimmed.csv"


def value(con, indicator, area, period="2025"):
    return con.execute(
        "SELECT value, unit, numerator, denominator, missing, is_benchmark FROM kpi_values "
        "WHERE indicator = ? AND area = ? AND period_label = ?",
        [indicator, area, period],
    ).fetchone()


def test_health_outcomes_percent_with_counts(con):
    result = import_file(con, HEALTH)
    assert result.parsed.kind == "metrics" and result.parsed.warnings == []
    assert value(con, "Had their immunisations up to date", "Leeds") == (
        62.0,
        "%",
        720.0,
        1159.0,
        None,
        False,
    )
    england = value(con, "Had their immunisations up to date", "England", "2024")
    assert england[:2] == (82.0, "%") and england[5] is True
    # the SDQ average score has no percent ("z"): its figure is the score itself
    assert value(con, "SDQ average score", "Leeds") == (14.8, "score", None, None, None, False)
    assert value(con, "Health assessments: Children looked after all ages: total", "Leeds")[:2] == (
        1159.0,
        "children",
    )


def test_suppressed_and_not_applicable_are_missing_never_zero(con):
    import_file(con, HEALTH)
    assert value(con, "Development assessments up to date", "Bristol, City of") == (
        None,
        None,
        None,
        None,
        "c",
        False,
    )
    assert value(con, "Offered intervention but refused it", "Bristol, City of")[4] == "z"
    zeros = con.execute(
        "SELECT count(*) FROM kpi_values WHERE missing IS NOT NULL AND value = 0"
    ).fetchone()
    assert zeros == (0,)


def test_areas_with_kinds_codes_and_regions(con):
    import_file(con, HEALTH)
    areas = {
        r[0]: r[1:]
        for r in con.execute("SELECT area, kind, code, old_code, region FROM areas").fetchall()
    }
    assert areas["England"] == ("national", "E92000001", None, None)
    assert areas["Yorkshire and The Humber"] == ("region", "E12000003", None, None)
    assert areas["Bristol, City of"] == ("council", "E06000023", "801", "South West")
    assert areas["Kingston upon Hull, City of"][0] == "council"


def test_compare_a_council_with_its_region_and_england_in_sql(con):
    import_file(con, HEALTH)
    rows = con.execute(
        """
        SELECT v.area, v.value FROM kpi_values v JOIN areas a ON a.area = 'Leeds'
        WHERE v.indicator = 'Had their immunisations up to date' AND v.period_label = '2024'
          AND v.area IN (a.area, a.region, 'England')
        ORDER BY v.area
        """
    ).fetchall()
    assert [r[0] for r in rows] == ["England", "Leeds", "Yorkshire and The Humber"]
    assert all(r[1] is not None for r in rows)


def test_workforce_measures_become_named_indicators(con):
    import_file(con, WORKFORCE)
    assert value(con, "Average caseload per social worker (FTE)", "Leeds") == (
        14.8,
        "cases",
        None,
        None,
        None,
        False,
    )
    assert value(con, "Social worker turnover rate (FTE)", "England")[:2] == (11.8, "%")
    # "u" (low reliability, withheld) is missing
    assert (
        value(con, "Social worker sickness absence rate (FTE)", "Bristol, City of", "2024")[4]
        == "u"
    )
    joint = con.execute(
        "SELECT code, old_code FROM areas WHERE area LIKE 'North Northamptonshire%'"
    ).fetchone()
    assert joint == ("E06000061 / E06000062", "940 / 941")
    polarity = con.execute(
        "SELECT polarity FROM indicators WHERE indicator = 'Social worker turnover rate (FTE)'"
    ).fetchone()
    assert polarity == ("lower",)
    period = con.execute(
        "SELECT DISTINCT period_type, period_start, period_end FROM kpi_values WHERE period_label = '2025'"
    ).fetchall()
    assert period == [("calendar_year", dt.date(2025, 1, 1), dt.date(2025, 12, 31))]


def _reordered(path: Path) -> bytes:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    order = list(reversed(range(len(rows[0]))))
    out = io.StringIO()
    csv.writer(out).writerows([[row[i] for i in order] for row in rows])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("variant", ["bom", "column order"])
def test_bom_and_column_order_do_not_matter(tmp_path, con, variant):
    import_file(con, WORKFORCE)
    expected = con.execute(
        "SELECT * EXCLUDE (upload_id, source_row, source_column) FROM kpi_values ORDER BY ALL"
    ).fetchall()
    from loaders.importer import remove_upload

    remove_upload(con, 1)
    path = tmp_path / "variant.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + WORKFORCE.read_bytes() if variant == "bom" else _reordered(WORKFORCE)
    )
    import_file(con, path)
    got = con.execute(
        "SELECT * EXCLUDE (upload_id, source_row, source_column) FROM kpi_values ORDER BY ALL"
    ).fetchall()
    assert got == expected


def test_source_row_points_at_the_csv_line(con):
    import_file(con, WORKFORCE)
    row = con.execute(
        "SELECT source_row, source_column FROM kpi_values WHERE area = 'Leeds' AND period_label = '2025' "
        "AND indicator = 'Average caseload per social worker (FTE)'"
    ).fetchone()
    lines = WORKFORCE.read_text(encoding="utf-8").splitlines()
    assert ",Leeds," in lines[row[0] - 1] and row[1] == "caseload_fte"


def test_unreadable_dfe_file_is_refused_and_changes_nothing(tmp_path, con, db_state):
    import_file(con, WORKFORCE)
    before = db_state()
    bad = tmp_path / "bad_periods.csv"
    bad.write_text(
        "time_period,time_identifier,geographic_level,country_name,value\n"
        "last year,Reporting year,National,England,5\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception) as info:
        import_file(con, bad)
    assert str(info.value) == (
        "bad_periods.csv: Time periods last year (Reporting year) could not be read. Expected "
        "years such as 2025 or 201617."
    )
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(
        "time_period,time_identifier,geographic_level,country_name,value\n2025,Reporting year,National\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception) as info:
        import_file(con, ragged)
    assert str(info.value).startswith("ragged.csv: The CSV could not be read as a table (")
    assert str(info.value).endswith(
        "Check it was saved as comma-separated values with one header row."
    )
    assert db_state() == before


def test_statistical_neighbour_average_follows_lait(tmp_path, con):
    import_file(con, WORKFORCE)
    model = tmp_path / "sn_model.csv"
    model.write_bytes(
        "\ufeffold_la_code,la_name,region_ind,region_name,SN_1,SN_1P,SN_2,SN_2P,SN_3,SN_3P\n"
        "383,Leeds,7,Yorkshire and The Humber,801,Close ,810,Very close,999,Not close\n".encode()
    )
    result = import_file(con, model)
    assert result.parsed.kind == "neighbours" and result.parsed.rows == 3
    names = con.execute(
        "SELECT rank, neighbour_old_code, closeness FROM statistical_neighbours ORDER BY rank"
    ).fetchall()
    assert names == [(1, "801", "Close"), (2, "810", "Very close"), (3, "999", "Not close")]
    # the mean of the neighbours that have a figure; the unknown code 999 is not in the data
    got = con.execute(
        "SELECT value, neighbours_with_value, neighbours_in_data FROM kpi_neighbour_average "
        "WHERE area = 'Leeds' AND indicator = 'Average caseload per social worker (FTE)' AND period_label = '2025'"
    ).fetchone()
    bristol = value(con, "Average caseload per social worker (FTE)", "Bristol, City of")[0]
    hull = value(con, "Average caseload per social worker (FTE)", "Kingston upon Hull, City of")[0]
    expected = [v for v in (bristol, hull) if v is not None]
    assert got == (pytest.approx(sum(expected) / len(expected)), len(expected), 2)
    # Bristol's 2024 absence rate is "u" (missing): the mean skips it rather than counting 0
    absence = con.execute(
        "SELECT value, neighbours_with_value FROM kpi_neighbour_average WHERE area = 'Leeds' "
        "AND indicator = 'Social worker sickness absence rate (FTE)' AND period_label = '2024'"
    ).fetchone()
    assert absence == (
        value(
            con, "Social worker sickness absence rate (FTE)", "Kingston upon Hull, City of", "2024"
        )[0],
        1,
    )
