"""DfE tidy CSVs as an auditor found them: never a count shown as a percentage, never a
denominator the percent is not out of, never a stray cell turning figures into labels."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from loaders.dfe import read_dfe_csv
from loaders.importer import import_file
from loaders.interpret import Answers, Interpretation

HEALTH = Path(__file__).parent / "data" / "la_conviction_health_outcome_cla_trimmed.csv"
GEO = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name"]
GEO += ["region_code", "region_name", "old_la_code", "new_la_code", "la_name"]
ENGLAND = ["National", "E92000001", "England", "", "", "", "", ""]
BIRMINGHAM = ["Local authority", "E92000001", "England", "E12000005", "West Midlands", "330"]
BIRMINGHAM += ["E08000025", "Birmingham"]
LEEDS = ["Local authority", "E92000001", "England", "E12000003", "Yorkshire and The Humber"]
LEEDS += ["383", "E08000035", "Leeds"]
REPORTING_YEAR = {"period meaning 'Reporting year'": "year ending 31 March (financial year)"}


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([GEO + header, *rows])
    return out.getvalue()


def _read(text: str, name: str = "figures.csv", answers: dict | None = None):
    interp = Interpretation(name)
    tables, warnings = read_dfe_csv(
        text.encode(), name, interp=interp, answers=Answers(answers or REPORTING_YEAR)
    )
    return tables, warnings, interp


def _figures(tables, **where) -> list[dict]:
    return [f for f in tables.figures.to_pylist() if all(f[k] == v for k, v in where.items())]


def _units(tables) -> dict[str, str | None]:
    indicators = tables.indicators
    return dict(
        zip(indicators["indicator"].to_pylist(), indicators["unit"].to_pylist(), strict=True)
    )


def _accounted(text: str, tables, interp) -> None:
    """Every cell of the file is counted once, and the cells stored are the figures' values
    and numerators, no more, no fewer."""
    rows = list(csv.reader(io.StringIO(text)))
    accounting = interp.accounting
    assert accounting.cells == len(rows) * len(rows[0])
    assert accounting.cells == accounting.stored + sum(accounting.not_stored.values())
    figures = tables.figures
    kept = figures["value"].drop_null().length() + figures["numerator"].drop_null().length()
    assert accounting.stored == kept


# 1. A percent series shows its percent or nothing, never its count.
SUBSTANCE = "Substance misuse: Children looked after all ages"
SDQ = "Ages 5 to 16 years with SDQ score"
IDENTIFIED = "Identified as having a substance misuse problem"
CARE = ["2025", "Reporting year"]
PAIRS = [
    # lines of the published file (2025): Birmingham's percent rounds to zero ("k")
    CARE + BIRMINGHAM + [SUBSTANCE, IDENTIFIED, "7", "k"],
    CARE + BIRMINGHAM + [SUBSTANCE, "Offered intervention but refused it", "3", "c"],
    CARE + BIRMINGHAM + [SUBSTANCE, "Total all ages", "1705", "100"],
    CARE + BIRMINGHAM + [SDQ, "SDQ average score", "14.9", "z"],
    CARE + BIRMINGHAM + [SDQ, "Total ages 5 to 16 years", "1200", "100"],
    CARE + LEEDS + [SUBSTANCE, IDENTIFIED, "17", "1"],
    CARE + LEEDS + [SUBSTANCE, "Offered intervention but refused it", "8", "47"],
    CARE + LEEDS + [SUBSTANCE, "Total all ages", "1560", "100"],
    CARE + LEEDS + [SDQ, "SDQ average score", "14.1", "z"],
    CARE + LEEDS + [SDQ, "Total ages 5 to 16 years", "900", "100"],
]
PAIR_HEADER = ["characteristic", "breakdown", "children_count", "children_percent"]


def test_a_percent_that_rounds_to_zero_is_missing_never_its_count():
    text = _csv(PAIR_HEADER, PAIRS)
    tables, warnings, interp = _read(text, "la_health_outcome_cla.csv")
    assert warnings == []
    (birmingham,) = _figures(tables, indicator=IDENTIFIED, area="Birmingham")
    assert (birmingham["value"], birmingham["missing"]) == (None, "k")
    assert birmingham["source_column"] == "children_percent"
    # 7 of 1,705 (0.4%) rounds to 0: the count agrees with "k", so it stays as the numerator
    assert (birmingham["numerator"], birmingham["denominator"]) == (7.0, 1705.0)
    (leeds,) = _figures(tables, indicator=IDENTIFIED, area="Leeds")
    assert (leeds["value"], leeds["unit"], leeds["numerator"]) == (1.0, "%", 17.0)
    # one unit per series: every figure of a percent series is a percent or missing
    for name in (IDENTIFIED, "Offered intervention but refused it"):
        figures = _figures(tables, indicator=name)
        assert {f["unit"] for f in figures if f["value"] is not None} == {"%"}
        assert {f["unit"] for f in figures if f["value"] is None} == {None}
    refused = _figures(tables, indicator="Offered intervention but refused it", area="Birmingham")
    assert [(f["value"], f["missing"], f["numerator"]) for f in refused] == [(None, "c", None)]
    assert interp.accounting.not_stored["count beside a withheld percent"] == 1
    # a series with no percent at all (the average score) keeps its own figure
    (score,) = _figures(tables, indicator="SDQ average score", area="Birmingham")
    assert (score["value"], score["unit"], score["numerator"]) == (14.9, "score", None)
    units = _units(tables)
    assert units[IDENTIFIED] == "%" and units["SDQ average score"] == "score"
    assert any(
        d.topic == "unit" and d.subject == f"indicator '{IDENTIFIED}'" and d.reading == "%"
        for d in interp.decisions
    )
    _accounted(text, tables, interp)


# 3. Numerators and denominators only where they give the percent as published.
def test_counts_are_kept_only_when_they_give_the_published_percent(con):
    tables, _, interp = _read(HEALTH.read_text(encoding="utf-8"), HEALTH.name)
    england = {
        f["indicator"]: (f["value"], f["numerator"], f["denominator"])
        for f in _figures(tables, area="England", period_label="2024/25")
    }
    # 14,320 of the 33,790 children with a score is 42%; of all 43,220 it would be 33%
    assert england["SDQ score is a cause for concern"] == (42.0, None, None)
    assert england["SDQ score is normal"] == (45.0, None, None)
    assert england["SDQ score was received"] == (78.0, 33790.0, 43220.0)
    assert england["Had their immunisations up to date"] == (84.0, 49160.0, 58530.0)
    # 790 of the 1,780 identified refused (44%), not of all 58,530 children
    assert england["Offered intervention but refused it"] == (44.0, None, None)
    for f in tables.figures.to_pylist():
        if f["numerator"] is not None:
            assert abs(100 * f["numerator"] / f["denominator"] - f["value"]) <= 0.5 + 1e-9, f
    decided = [d for d in interp.decisions if d.topic == "denominator"]
    assert any("SDQ score is a cause for concern" in d.subject for d in decided)
    _accounted(HEALTH.read_text(encoding="utf-8"), tables, interp)
    # and so in the store
    import_file(con, HEALTH)
    stored = con.execute(
        "SELECT value, numerator, denominator FROM kpi_values WHERE indicator = ? "
        "AND area = 'England' AND period_label = '2024/25'",
        ["SDQ score is a cause for concern"],
    ).fetchone()
    assert stored == (42.0, None, None)


def test_percent_decimals_set_the_rounding_a_count_must_agree_with():
    rows = [
        CARE + LEEDS + [SUBSTANCE, IDENTIFIED, "17", "1.1"],  # 17 / 1560 = 1.09%
        CARE + LEEDS + [SUBSTANCE, "Offered intervention but refused it", "8", "0.4"],  # 0.51%
        CARE + LEEDS + [SUBSTANCE, "Total all ages", "1560", "100"],
    ]
    tables, _, _ = _read(_csv(PAIR_HEADER, rows), "la_health_outcome_cla.csv")
    assert _figures(tables, indicator=IDENTIFIED)[0]["numerator"] == 17.0
    assert _figures(tables, indicator="Offered intervention but refused it")[0]["numerator"] is None


# 2. "." is a missing-value marker; a stray word in a column of numbers is warned, never a label.
PLACEMENTS = ["placement_type", "number", "percentage"]


def _placements(odd: str, kinds: int = 1) -> str:
    out = []
    for year in ("2024", "2025"):
        for geography in (ENGLAND, LEEDS, BIRMINGHAM):
            for i in range(kinds):
                kind = f"Foster placements {i}" if kinds > 1 else "Foster placements"
                out.append([year, "Reporting year", *geography, kind, "100", "68"])
            out.append([year, "Reporting year", *geography, "Other placements", "u", odd])
            out.append([year, "Reporting year", *geography, "Total", "200", "100"])
    return _csv(PLACEMENTS, out)


def test_a_dot_is_a_missing_value_marker():
    text = _placements(".")
    tables, warnings, interp = _read(text, "placements.csv")
    assert warnings == []
    assert set(tables.indicators["indicator"].to_pylist()) == {"Number", "Percentage"}
    assert set(tables.figures["breakdown"].to_pylist()) == {
        "Foster placements",
        "Other placements",
        None,
    }
    (other,) = _figures(tables, indicator="Percentage", area="Leeds", breakdown="Other placements",
                        period_label="2024/25")  # fmt: skip
    assert (other["value"], other["missing"]) == (None, ".")
    _accounted(text, tables, interp)


def test_a_percentage_column_has_the_unit_percent():
    tables, _, _ = _read(_placements("x"), "placements.csv")
    units = _units(tables)
    assert units["Percentage"] == "%"
    assert {f["unit"] for f in _figures(tables, indicator="Percentage")} == {"%"}


def test_a_stray_word_in_a_column_of_numbers_is_warned_and_kept_as_missing():
    text = _placements("68", kinds=20).replace(
        "Foster placements 3,100,68", "Foster placements 3,100,see note", 1
    )
    tables, warnings, interp = _read(text, "placements.csv")
    assert all("/" not in (b or "") for b in tables.figures["breakdown"].to_pylist())
    (warning,) = warnings
    row = next(i for i, line in enumerate(text.splitlines()) if "see note" in line)
    assert (warning.row, warning.column) == (row, len(GEO) + 2)
    assert "'see note' in column 'percentage' of placements.csv" in warning.message
    (odd,) = _figures(tables, indicator="Percentage", missing="see note")
    assert odd["value"] is None and odd["source_row"] == row + 1
    assert interp.accounting.not_stored["unreadable"] == 1
    _accounted(text, tables, interp)


def test_a_column_of_numbers_and_much_text_is_asked_about():
    text = _placements("68").replace("Foster placements,100,68", "Foster placements,100,n/k")
    tables, _, interp = _read(text, "placements.csv")
    (question,) = interp.questions
    assert question.key == "column 'percentage'"
    assert "'n/k'" in question.prompt
    answered = REPORTING_YEAR | {question.key: question.choices[0]}
    tables, warnings, interp = _read(text, "placements.csv", answered)
    assert interp.questions == [] and len(warnings) == 6
    assert set(tables.indicators["indicator"].to_pylist()) == {"Number", "Percentage"}
    _accounted(text, tables, interp)
    answered = REPORTING_YEAR | {question.key: question.choices[1]}
    tables, warnings, interp = _read(text, "placements.csv", answered)
    assert interp.questions == [] and warnings == []
    assert set(tables.indicators["indicator"].to_pylist()) == {"Number"}


def test_a_numbered_breakdown_with_a_total_stays_a_label():
    rows = [
        [year, "Financial year", *geography, age, str(10 * i + len(age))]
        for year in ("202324", "202425")
        for geography in (ENGLAND, LEEDS)
        for i, age in enumerate([str(a) for a in range(10, 18)] + ["Total"])
    ]
    text = _csv(["age", "offences"], rows)
    tables, warnings, interp = _read(text)
    assert warnings == [] and interp.questions == []
    assert tables.indicators["indicator"].to_pylist() == ["Offences"]
    assert set(tables.figures["breakdown"].to_pylist()) == {*map(str, range(10, 18)), None}


def test_a_blank_measure_cell_is_accounted_as_blank():
    text = _csv(
        ["rate_a", "rate_b"],
        [
            ["2024", "Financial year", *ENGLAND, "4", ""],
            ["2025", "Financial year", *ENGLAND, "5", "6"],
        ],
    )
    tables, _, interp = _read(text)
    assert interp.accounting.not_stored["blank"] == 1
    _accounted(text, tables, interp)


# 4. An indicator column names the indicator; a measure tells its series apart.
YOUTH = ["indicator", "measure", "unit", "value"]
FTE = "First time entrants to the youth justice system"
CAUTIONED = "Children cautioned or sentenced"


def _youth() -> str:
    rows = []
    for year in ("202324", "202425"):
        for geography in (ENGLAND, LEEDS):
            rows += [
                [year, "Financial year", *geography, FTE, "Count", "Persons", "123"],
                [
                    year,
                    "Financial year",
                    *geography,
                    FTE,
                    "Per 10,000 aged 10-17",
                    "Persons",
                    "14.5",
                ],
                [year, "Financial year", *geography, CAUTIONED, "Count", "Persons", "c"],
                [year, "Financial year", *geography, CAUTIONED, "Percentage", "%", "2.4"],
            ]
    return _csv(YOUTH, rows)


def test_an_indicator_column_names_the_indicator_and_its_measure_the_series():
    text = _youth()
    tables, warnings, interp = _read(text)
    assert warnings == [] and interp.questions == []
    units = _units(tables)
    assert units == {
        f"{FTE} (count)": "count",
        f"{FTE} (per 10,000 aged 10-17)": "per 10,000",
        f"{CAUTIONED} (count)": "count",
        f"{CAUTIONED} (%)": "%",
    }
    assert set(tables.figures["breakdown"].to_pylist()) == {None}
    (rate,) = _figures(tables, indicator=f"{FTE} (per 10,000 aged 10-17)", area="Leeds",
                       period_label="2024/25")  # fmt: skip
    assert (rate["value"], rate["unit"], rate["source_column"]) == (14.5, "per 10,000", "value")
    (count,) = _figures(tables, indicator=f"{CAUTIONED} (count)", area="England",
                        period_label="2023/24")  # fmt: skip
    assert (count["value"], count["missing"]) == (None, "c")
    assert any(
        d.topic == "unit"
        and d.reading == "not the unit: what is counted"
        and "'Persons'" in d.evidence
        for d in interp.decisions
    )
    _accounted(text, tables, interp)


def test_a_unit_column_alone_tells_series_apart_and_names_no_unit_when_it_counts():
    rows = [
        ["2025", "Reporting year", *geography, "Care leavers in education", unit, value]
        for geography in (ENGLAND, LEEDS)
        for unit, value in (("Persons", "312"), ("%", "56.3"))
    ]
    text = _csv(["indicator", "unit", "value"], rows)
    tables, _, interp = _read(text, "care_leavers.csv")
    units = _units(tables)
    assert units == {
        "Care leavers in education (persons)": None,
        "Care leavers in education (%)": "%",
    }
    assert set(tables.figures["breakdown"].to_pylist()) == {None}
    _accounted(text, tables, interp)


def test_other_filters_still_make_breakdowns_and_totals_none():
    rows = [
        ["202425", "Financial year", *ENGLAND, FTE, "Count", sex, value]
        for sex, value in (("Male", "6000"), ("Female", "2321"), ("Total", "8321"))
    ]
    tables, _, _ = _read(_csv(["indicator", "measure", "sex", "value"], rows))
    assert {(f["indicator"], f["breakdown"], f["unit"]) for f in tables.figures.to_pylist()} == {
        (FTE, "Male", "count"),
        (FTE, "Female", "count"),
        (FTE, None, "count"),
    }


def test_an_unknown_unit_word_is_asked():
    rows = [["202425", "Financial year", *ENGLAND, "Waiting time", "Weeks-ish", "12"]]
    _, _, interp = _read(_csv(["indicator", "unit", "value"], rows))
    (question,) = interp.questions
    assert question.key == "unit 'unit' 'Weeks-ish'"
    tables, _, interp = _read(
        _csv(["indicator", "unit", "value"], rows),
        answers={question.key: question.choices[0]},
    )
    assert interp.questions == []
    assert tables.indicators["unit"].to_pylist() == ["Weeks-ish"]


def test_a_rate_is_asked_never_assumed():
    word = "Rate"
    rows = [["202425", "Financial year", *ENGLAND, "Re-offending", word, "31.2"]]
    _, _, interp = _read(_csv(["indicator", "measure", "value"], rows))
    (question,) = interp.questions
    assert question.key == f"unit 'measure' '{word}'"
    tables, _, _ = _read(_csv(["indicator", "measure", "value"], rows), answers={question.key: "%"})
    assert tables.indicators["unit"].to_pylist() == ["%"]


def test_an_indicator_column_over_several_value_columns_names_each_series():
    rows = [
        ["202425", "Financial year", *geography, FTE, "123", "14.5"]
        for geography in (ENGLAND, LEEDS)
    ]
    text = _csv(["indicator", "number", "percentage"], rows)
    tables, _, interp = _read(text)
    assert _units(tables) == {f"{FTE} (Number)": "count", f"{FTE} (Percentage)": "%"}
    _accounted(text, tables, interp)


def test_a_hundred_measure_columns_read_within_the_workers_memory(tmp_path, con):
    """Each column's kind is asked of it alone: one query over a hundred measure columns
    needed more than the reading worker's 2 GB of address space, and the file failed."""
    from bench.benchmark import generate_national

    path = generate_national(tmp_path / "national.csv")
    result = import_file(con, path)
    assert result.parsed.rows == 163_000
