"""DfE explore-education-statistics CSVs: trimmed real files, every geographic level."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest

from loaders.dfe import OTHER_BASE, WITHHELD, read_dfe_csv
from loaders.errors import LoaderError
from loaders.importer import import_file
from loaders.interpret import Answers, Interpretation
from loaders.numbers import MISSING_MARKERS

DATA = Path(__file__).parent / "data"
HEALTH = DATA / "la_conviction_health_outcome_cla_trimmed.csv"
WORKFORCE = DATA / "csww_indicators_2017_to_2025_trimmed.csv"


# The looked-after children's "Reporting year 2025" is the year ending 31 March 2025; the
# workforce census's is the year ending 30 September 2025 (loaders/publishers.py says why).
CLA_2025, CLA_2024 = "2024/25", "2023/24"
CSWW_2025, CSWW_2024 = "Year to Sep 2025", "Year to Sep 2024"


def value(con, indicator, area, period=CLA_2025):
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
    england = value(con, "Had their immunisations up to date", "England", CLA_2024)
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
        WHERE v.indicator = 'Had their immunisations up to date' AND v.period_label = '2023/24'
          AND v.area IN (a.area, a.region, 'England')
        ORDER BY v.area
        """
    ).fetchall()
    assert [r[0] for r in rows] == ["England", "Leeds", "Yorkshire and The Humber"]
    assert all(r[1] is not None for r in rows)


def test_workforce_measures_become_named_indicators(con):
    import_file(con, WORKFORCE)
    assert value(con, "Average caseload per social worker (FTE)", "Leeds", CSWW_2025) == (
        14.8,
        "cases",
        None,
        None,
        None,
        False,
    )
    assert value(con, "Social worker turnover rate (FTE)", "England", CSWW_2025)[:2] == (11.8, "%")
    # "u" (low reliability, withheld) is missing
    assert (
        value(con, "Social worker sickness absence rate (FTE)", "Bristol, City of", CSWW_2024)[4]
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
        "SELECT DISTINCT period_type, period_start, period_end FROM kpi_values "
        "WHERE period_label = 'Year to Sep 2025'"
    ).fetchall()
    assert period == [("year_to_september", dt.date(2024, 10, 1), dt.date(2025, 9, 30))]


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
    from loaders.bin import remove_upload

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
        "SELECT source_row, source_column FROM kpi_values WHERE area = 'Leeds' "
        "AND period_label = 'Year to Sep 2025' "
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
        "WHERE area = 'Leeds' AND indicator = 'Average caseload per social worker (FTE)' "
        "AND period_label = 'Year to Sep 2025'"
    ).fetchone()
    caseload = "Average caseload per social worker (FTE)"
    bristol = value(con, caseload, "Bristol, City of", CSWW_2025)[0]
    hull = value(con, caseload, "Kingston upon Hull, City of", CSWW_2025)[0]
    expected = [v for v in (bristol, hull) if v is not None]
    assert got == (pytest.approx(sum(expected) / len(expected)), len(expected), 2)
    # Bristol's 2024 absence rate is "u" (missing): the mean skips it rather than counting 0
    absence = con.execute(
        "SELECT value, neighbours_with_value FROM kpi_neighbour_average WHERE area = 'Leeds' "
        "AND indicator = 'Social worker sickness absence rate (FTE)' "
        "AND period_label = 'Year to Sep 2024'"
    ).fetchone()
    assert absence == (
        value(
            con,
            "Social worker sickness absence rate (FTE)",
            "Kingston upon Hull, City of",
            CSWW_2024,
        )[0],
        1,
    )


def _read(path_or_text, name=None, answers=None):
    """read_dfe_csv with an interpretation, as the dfe_tidy layout calls it."""
    content = path_or_text.read_bytes() if isinstance(path_or_text, Path) else path_or_text.encode()
    interp = Interpretation(name or path_or_text.name)
    tables, warnings = read_dfe_csv(
        content, interp.file_name, interp=interp, answers=Answers(answers or {})
    )
    return tables, warnings, interp


def test_periods_are_what_each_publication_means():
    tables, _, interp = _read(HEALTH)
    periods = set(
        zip(
            *(tables.figures[c].to_pylist() for c in ("period_label", "period_type")),
            tables.figures["period_start"].to_pylist(),
            tables.figures["period_end"].to_pylist(),
            strict=True,
        )
    )
    assert periods == {
        ("2024/25", "financial_year", dt.date(2024, 4, 1), dt.date(2025, 3, 31)),
        ("2023/24", "financial_year", dt.date(2023, 4, 1), dt.date(2024, 3, 31)),
    }
    (period,) = [d for d in interp.decisions if d.topic == "period"]
    assert period.subject == "time_identifier 'Reporting year'"
    assert period.reading.endswith("2024 is 2023/24, 2025 is 2024/25")
    assert period.evidence.startswith(
        "time_identifier 'Reporting year' in a children-looked-after publication (filter value "
    )
    assert period.evidence.endswith("year ending 31 March") and period.certain
    assert interp.questions == []

    tables, _, interp = _read(WORKFORCE)
    assert set(tables.figures["period_label"].to_pylist()) == {CSWW_2024, CSWW_2025}
    (period,) = [d for d in interp.decisions if d.topic == "period"]
    assert "social-work-workforce publication (columns " in period.evidence
    assert period.evidence.endswith("year ending 30 September")


def test_a_reporting_year_of_an_unknown_publication_is_asked_never_guessed():
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,rate\n"
        "2024,Reporting year,National,E92000001,England,4\n"
        "2025,Reporting year,National,E92000001,England,5\n"
    )
    tables, _, interp = _read(text, "figures.csv")
    (question,) = interp.questions
    assert question.key == "period meaning 'Reporting year'"
    assert question.choices == (
        "year ending 31 March (financial year)",
        "calendar year",
        "academic year",
        "year ending 30 September",
    )
    assert question.likely is None and question.cells == (
        "2024 (Reporting year)",
        "2025 (Reporting year)",
    )
    # its rows wait for the answer: nothing is read from them, and the cells say why
    assert tables.rows == 0
    assert interp.accounting.as_dict() == {
        "cells": 18, "stored": 0, "not_stored": {"header": 6, "unanswered": 12},
    }  # fmt: skip
    # without an interpretation to ask through, the file is refused with the question
    with pytest.raises(LoaderError) as info:
        read_dfe_csv(text.encode(), "figures.csv")
    assert str(info.value).startswith(
        "figures.csv: The periods of this file need an answer first: What period does "
        "time_identifier 'Reporting year' mean in this file?"
    )

    tables, _, interp = _read(
        text, "figures.csv", {"period meaning 'Reporting year'": "year ending 30 September"}
    )
    assert interp.questions == []
    assert tables.figures["period_label"].to_pylist() == [CSWW_2024, CSWW_2025]
    (period,) = [d for d in interp.decisions if d.topic == "period"]
    assert period.evidence == "the officer's answer to [period meaning 'Reporting year']"
    with pytest.raises(LoaderError, match="The answer 'soon' for \\[period meaning"):
        _read(text, "figures.csv", {"period meaning 'Reporting year'": "soon"})

    # a file name alone is a hint to confirm, not evidence
    _, _, interp = _read(text, "cla_outcomes_2025.csv")
    (question,) = interp.questions
    assert question.likely == "year ending 31 March (financial year)"
    assert "The file name suggests the Children looked after" in question.prompt


def test_source_column_names_the_cell_each_value_came_from():
    tables, _, _ = _read(HEALTH)
    rows = list(csv.reader(io.StringIO(HEALTH.read_text(encoding="utf-8"))))
    header = rows[0]
    used = set()
    for figure in tables.figures.to_pylist():
        cell = rows[figure["source_row"] - 1][header.index(figure["source_column"])]
        if figure["value"] is not None:
            assert float(cell) == figure["value"], figure
        else:
            assert cell == figure["missing"], figure
        used.add((figure["indicator"].endswith(": total"), figure["unit"], figure["source_column"]))
    # totals and scores (no percent) come from the count; percentages from the percent
    assert {
        (True, "children", "children_count"),
        (False, "score", "children_count"),
        (False, "%", "children_percent"),
    } <= used


LOADED = {"National": "country_name", "Regional": "region_name", "Local authority": "la_name"}


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None


def _expected_accounting(text: str, measures: list[str]) -> dict:
    """Every cell classified with the csv module alone, as the README says cells are counted.
    In a count and percent file a breakdown with any percent is a percent series, and its
    count is stored (as the numerator) only where it gives the percent out of the total
    row's count, within the rounding the percent shows."""
    rows = list(csv.reader(io.StringIO(text)))
    header, records = rows[0], rows[1:]
    got = Counter(header=len(header))
    loaded = []
    for record in records:
        row = dict(zip(header, record, strict=True))
        level = row["geographic_level"]
        if level not in LOADED or not row.get(LOADED[level], "").strip():
            got["skipped"] += len(header)
            continue
        got["label"] += len(header) - len(measures)
        loaded.append(row)
    if measures != ["children_count", "children_percent"]:  # a column per measure
        for row in loaded:
            for column in measures:
                cell = row[column].strip()
                kind = (
                    "blank" if not cell else "missing" if cell.lower() in MISSING_MARKERS else None
                )
                got[kind or ("stored" if _number(cell) is not None else "unreadable")] += 1
    else:
        got.update(_count_percent_cells(loaded))
    stored = got.pop("stored", 0)
    return {"cells": len(rows) * len(header), "stored": stored, "not_stored": dict(got)}


def _count_percent_cells(loaded: list[dict]) -> Counter:
    def total(row):
        return row["breakdown"].strip().lower().startswith("total")

    def group(row):
        area = row[LOADED[row["geographic_level"]]].strip()
        return (row["time_period"], row["time_identifier"], area, row["characteristic"])

    totals = {group(r): _number(r["children_count"]) for r in loaded if total(r)}
    percent_series = {
        r["breakdown"].strip()
        for r in loaded
        if not total(r) and _number(r["children_percent"]) is not None
    }
    got = Counter()
    for row in loaded:
        count, percent = row["children_count"].strip(), row["children_percent"].strip()
        c, pc, whole = _number(count), _number(percent), totals.get(group(row))
        for cell, number in ((count, c), (percent, pc)):
            if not cell:
                got["blank"] += 1
            elif number is None:
                got["missing"] += 1
        if pc is not None:
            got["redundant" if total(row) else "stored"] += 1
        if c is None:
            continue
        if total(row) or row["breakdown"].strip() not in percent_series:
            got["stored"] += 1
        elif whole and pc is not None:
            decimals = len(percent.split(".")[1]) if "." in percent else 0
            gives = abs(100 * c / whole - pc) <= 0.5 * 10**-decimals + 1e-9
            got["stored" if gives else OTHER_BASE] += 1
        elif whole and percent.lower() in ("k", "low") and 100 * c / whole <= 0.5 + 1e-9:
            got["stored"] += 1
        else:
            got[WITHHELD if pc is None else OTHER_BASE] += 1
    return got


@pytest.mark.parametrize("path", [HEALTH, WORKFORCE], ids=["count and percent", "measures"])
def test_every_cell_is_accounted_for(path):
    text = path.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    measures = header[header.index("children_count") :] if path == HEALTH else header[10:]
    tables, _, interp = _read(path)
    accounting = interp.accounting
    assert accounting.as_dict() == _expected_accounting(text, measures)
    assert accounting.cells == accounting.stored + sum(accounting.not_stored.values())
    # and the cells stored are the figures' values and numerators, no more, no fewer
    figures = tables.figures
    kept = figures["value"].drop_null().length() + figures["numerator"].drop_null().length()
    assert accounting.stored == kept


def _variant(path: Path, change) -> str:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], *map(change(rows[0]), rows[1:])])
    return out.getvalue()


def test_rows_not_loaded_are_accounted_as_skipped_and_warned():
    def change(header):
        def row(r):
            r = list(r)
            if r[header.index("la_name")] == "Leeds":
                r[header.index("geographic_level")] = "Local authority district"
            if r[header.index("la_name")] == "Bristol, City of":
                r[header.index("la_name")] = ""
            return r

        return row

    text = _variant(WORKFORCE, change)
    tables, warnings, interp = _read(text, "workforce.csv")
    assert {w.message for w in warnings} == {
        "rows of other geographic levels were not loaded: Local authority district (2 rows).",
        "2 row(s) with no area name were not loaded (geographic level Local authority).",
    }
    assert interp.accounting.not_stored["skipped"] == 4 * 32
    header = text.splitlines()[0].split(",")
    assert interp.accounting.as_dict() == _expected_accounting(text, header[10:])
    assert not {"Leeds", "Bristol, City of"} & set(tables.figures["area"].to_pylist())


@pytest.mark.parametrize("what", ["every value suppressed", "only other geographic levels"])
def test_a_file_that_would_store_nothing_shows_0_stored(what):
    def change(header):
        def row(r):
            r = list(r)
            if what == "every value suppressed":
                return r[:10] + ["c"] * (len(r) - 10)
            r[header.index("geographic_level")] = "Local authority district"
            return r

        return row

    text = _variant(WORKFORCE, change)
    _, _, interp = _read(text, "workforce.csv")
    accounting = interp.accounting
    assert accounting.stored == 0 and accounting.cells == 15 * 32
    reason = "missing" if what == "every value suppressed" else "skipped"
    assert accounting.not_stored[reason] == 14 * (22 if reason == "missing" else 32)


def test_a_neighbour_model_with_a_quote_never_closed_is_refused_at_its_line(
    tmp_path, con, db_state
):
    model = tmp_path / "sn_model.csv"
    model.write_bytes(
        "old_la_code,la_name,region_ind,region_name,SN_1,SN_1P\n"
        "383,Leeds,7,Yorkshire,801,Close\n"
        f'384,"Wakefield,7,Yorkshire,802,{"x" * 140_000}\n'.encode()
    )
    before = db_state()
    with pytest.raises(LoaderError) as info:
        import_file(con, model)
    assert str(info.value).startswith(
        "sn_model.csv, row 3: The CSV could not be read from line 3 on (field larger than "
        "field limit (131072)). Most often a quote mark opens a cell and never closes"
    )
    assert db_state() == before
