"""KPI tables as officers keep them: wide, long, breakdown, several per sheet."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.workbooks import write_xlsx

D = dt.date


@pytest.fixture
def load_metrics(con):
    from loaders.importer import import_file

    def _load(path, **kwargs):
        result = import_file(con, path, area=kwargs.pop("area", "Anytown"), **kwargs)
        rows = con.execute(
            "SELECT indicator, area, breakdown, period_label, period_type, period_start, period_end, "
            "value, unit, numerator, denominator, is_benchmark, source_row, source_column, missing "
            "FROM kpi_values WHERE upload_id = ? ORDER BY source_sheet, source_row, source_column",
            [result.upload_id],
        ).fetch_df()
        return result, rows

    return _load


LAC_HEALTH = [
    ["Anytown Council: looked after children's health"],
    [],
    [
        "Indicator",
        "2014/15",
        "2015/16",
        "2016/17",
        "Statistical Neighbour Average 2015/16",
        "Polarity",
    ],
    ["Immunisations up to date", 0.94, 0.935, 0.907, 0.906, "Higher is better"],
    ["Dental checks", "97.7%", "97.0%", "94.9%", "70.9%", "Higher is better"],
    [
        "Initial health assessments within 20 working days",
        "57.5%",
        "41.2%",
        "90 out of 116",
        "-",
        "Higher is better",
    ],
    ["SDQ average score", 14.2, 14.5, 13.2, 15.2, "Lower is better"],
    ["SDQ completion", "N/A", None, "100%", "63.8%", "Higher is better"],
]
PERCENT = {("LAC health", f"{c}4"): "0.0%" for c in "BCDE"}


def test_wide_table_with_benchmark_column(tmp_path, load_metrics):
    result, rows = load_metrics(
        write_xlsx(tmp_path / "lac.xlsx", {"LAC health": LAC_HEALTH}, formats=PERCENT)
    )
    imms = rows[rows["indicator"] == "Immunisations up to date"]
    assert list(imms["period_label"]) == ["2014/15", "2015/16", "2016/17", "2015/16"]
    assert list(imms["value"]) == [94.0, 93.5, 90.7, 90.6]
    assert list(imms["unit"]) == ["%"] * 4
    assert list(imms["area"]) == ["Anytown"] * 3 + ["Statistical neighbours"]
    assert list(imms["is_benchmark"]) == [False, False, False, True]
    assert list(imms["source_column"]) == ["B", "C", "D", "E"]
    assert set(imms["source_row"]) == {4}
    fy = imms.iloc[1]
    assert (fy["period_type"], fy["period_start"].date(), fy["period_end"].date()) == (
        "financial_year",
        D(2015, 4, 1),
        D(2016, 3, 31),
    )
    iha = rows[rows["indicator"] == "Initial health assessments within 20 working days"]
    assert iha["numerator"].iloc[2] == 90 and iha["denominator"].iloc[2] == 116
    assert iha["value"].iloc[2] == pytest.approx(90 / 116 * 100)
    assert iha["value"].isna().iloc[3] and iha["missing"].iloc[3] == "-"  # "-" is missing, not 0
    sdq = rows[rows["indicator"] == "SDQ completion"]
    assert sdq["value"].isna().tolist() == [True, True, False, False]
    assert result.parsed.warnings == []


def test_polarity_and_units_reach_the_indicators_view(tmp_path, load_metrics, con):
    load_metrics(write_xlsx(tmp_path / "lac.xlsx", {"LAC health": LAC_HEALTH}, formats=PERCENT))
    got = dict(con.execute("SELECT indicator, polarity FROM indicators").fetchall())
    assert got["SDQ average score"] == "lower" and got["Dental checks"] == "higher"
    assert con.execute(
        "SELECT unit FROM indicators WHERE indicator = 'Dental checks'"
    ).fetchone() == ("%",)


def test_quarters_take_the_year_of_the_title_and_ytd_is_not_a_quarter(tmp_path, load_metrics):
    sheet = [
        ["CAMHS Performance Data 2016-17"],
        ["Measure", "Q1", "Q2", "Q3", "Q4", "YTD"],
        ["Referrals", 19, 15, 18, 27, 79],
        ["DNA rate", "8%", "2%", "10%", "7.7%", "8%"],
        ["Direct contacts", 360, 279, 632, 395, 1666],
    ]
    _, rows = load_metrics(write_xlsx(tmp_path / "camhs.xlsx", {"CAMHS": sheet}))
    ref = rows[rows["indicator"] == "Referrals"]
    assert list(ref["period_label"]) == [
        "Q1 2016/17",
        "Q2 2016/17",
        "Q3 2016/17",
        "Q4 2016/17",
        "2016/17 YTD",
    ]
    assert list(ref["period_type"]) == ["quarter"] * 4 + ["ytd"]
    assert [d.date() for d in ref["period_start"]] == [
        D(2016, 4, 1),
        D(2016, 7, 1),
        D(2016, 10, 1),
        D(2017, 1, 1),
        D(2016, 4, 1),
    ]
    assert [d.date() for d in ref["period_end"]] == [
        D(2016, 6, 30),
        D(2016, 9, 30),
        D(2016, 12, 31),
        D(2017, 3, 31),
        D(2017, 3, 31),
    ]
    assert list(rows[rows["indicator"] == "DNA rate"]["value"]) == [8.0, 2.0, 10.0, 7.7, 8.0]


def test_months_as_text_and_as_excel_dates(tmp_path, load_metrics):
    sheet = [["Indicator", "Apr-17", "May-17", dt.datetime(2017, 6, 1)], ["Caseload", 18, 19, 17]]
    _, rows = load_metrics(write_xlsx(tmp_path / "m.xlsx", {"Monthly": sheet}))
    assert list(rows["period_label"]) == ["Apr 2017", "May 2017", "Jun 2017"]
    assert list(rows["period_type"]) == ["month"] * 3
    assert rows["period_end"].iloc[2].date() == D(2017, 6, 30)


def test_two_row_header_year_over_number_and_percent(tmp_path, load_metrics):
    sheet = [
        ["Looked after children by placement type"],
        ["Placement type", 2016, None, 2017, None],
        [None, "Number", "%", "Number", "%"],
        ["Foster care (in county)", 120, 0.6, 130, 0.62],
        ["Residential", 20, 0.1, 22, 0.105],
    ]
    formats = {("LAC", f"{c}{r}"): "0%" for c in "CE" for r in (4, 5)}
    _, rows = load_metrics(
        write_xlsx(
            tmp_path / "p.xlsx", {"LAC": sheet}, formats=formats, merges={"LAC": ["B2:C2", "D2:E2"]}
        )
    )
    foster = rows[rows["breakdown"] == "Foster care (in county)"]
    assert (
        list(foster["indicator"])
        == [
            "Looked after children by placement type",
            "Looked after children by placement type (%)",
        ]
        * 2
    )
    assert list(foster["value"]) == [120.0, 60.0, 130.0, 62.0]
    assert list(foster["period_label"]) == ["2016", "2016", "2017", "2017"]
    assert list(foster["period_type"]) == ["calendar_year"] * 4


def test_breakdown_table_each_measure_an_indicator(tmp_path, load_metrics):
    sheet = [
        ["Social worker stability by team"],
        ["Team", "Year", "Staff group", "Establishment", "Leavers", "Stability %"],
        ["Court and permanence", 2017, "Social workers", 26, 6, 0.77],
        ["Leaving care", 2017, "Social workers", 15.5, 4, "56%"],
    ]
    _, rows = load_metrics(
        write_xlsx(tmp_path / "b.xlsx", {"Churn": sheet}, formats={("Churn", "F3"): "0%"})
    )
    assert sorted(set(rows["indicator"])) == ["Establishment", "Leavers", "Stability %"]
    stability = rows[rows["indicator"] == "Stability %"]
    assert list(stability["breakdown"]) == [
        "Court and permanence / Social workers",
        "Leaving care / Social workers",
    ]
    assert list(stability["value"]) == [77.0, 56.0]
    assert list(stability["unit"]) == ["%", "%"]
    assert list(stability["period_label"]) == ["2017", "2017"]
    assert list(rows[rows["indicator"] == "Leavers"]["value"]) == [6.0, 4.0]


def test_long_table_with_targets_polarity_area_and_breakdown(tmp_path, load_metrics, con):
    sheet = [
        ["Indicator", "Period", "Value", "Target", "Polarity", "Area", "Breakdown"],
        ["Caseload", "2016/17", 19.5, 18, "Lower is better", None, None],
        ["Caseload", "2017/18", 17.2, 18, "Lower is better", None, None],
        ["Caseload", "2017/18", 15.9, None, None, "England", None],
        ["Churn", "Q1 2017/18", "12%", None, "Lower is better", None, "Court team"],
        ["ASF applications", "2017-18", "£52,055.00", None, "Neutral", None, None],
    ]
    _, rows = load_metrics(write_xlsx(tmp_path / "long.xlsx", {"KPIs": sheet}))
    assert list(rows["value"]) == [19.5, 17.2, 15.9, 12.0, 52055.0]
    assert list(rows["unit"].fillna("")) == ["", "", "", "%", "£"]
    assert list(rows["area"]) == ["Anytown", "Anytown", "England", "Anytown", "Anytown"]
    assert list(rows["is_benchmark"]) == [False, False, True, False, False]
    assert rows["breakdown"].iloc[3] == "Court team"
    targets = con.execute(
        "SELECT indicator, period_label, target FROM kpi_targets ORDER BY ALL"
    ).fetchall()
    assert targets == [("Caseload", "2016/17", 18.0), ("Caseload", "2017/18", 18.0)]
    latest = con.execute(
        "SELECT value, previous_value, change, target, polarity, rag FROM kpi_latest "
        "WHERE indicator = 'Caseload' AND area = 'Anytown'"
    ).fetchone()
    assert latest == (17.2, 19.5, pytest.approx(-2.3), 18.0, "lower", "Green")


def test_several_tables_on_a_sheet_and_several_sheets(tmp_path, load_metrics):
    camhs = [
        ["CAMHS Performance Data 2016-17"],
        ["Measure", "Q1", "Q2", "Q3", "Q4", "YTD"],
        ["Referrals", 19, 15, 18, 27, 79],
        [],
        ["Social worker stability 2017"],
        ["Team", "Establishment", "Leavers"],
        ["Court and permanence", 26, 6],
    ]
    result, rows = load_metrics(
        write_xlsx(
            tmp_path / "many.xlsx", {"LAC health": LAC_HEALTH, "Other": camhs}, formats=PERCENT
        )
    )
    assert {"Referrals", "Leavers", "Dental checks"} <= set(rows["indicator"])
    leavers = rows[rows["indicator"] == "Leavers"]
    assert list(leavers["period_label"]) == ["2017"] and list(leavers["breakdown"]) == [
        "Court and permanence"
    ]
    assert result.parsed.kind == "metrics"


def test_unreadable_value_is_a_warning_naming_the_cell(tmp_path, load_metrics):
    sheet = [["Indicator", "2015/16", "2016/17"], ["Referrals", 79, "approx 80"]]
    result, rows = load_metrics(write_xlsx(tmp_path / "w.xlsx", {"KPIs": sheet}))
    assert rows["value"].isna().tolist() == [False, True]
    assert [str(w) for w in result.parsed.warnings] == [
        "sheet 'KPIs', cell C2 (row 2, column C): 'approx 80' is not a figure; loaded as missing. "
        "Enter a number, a percentage or leave it blank."
    ]


def test_own_area_setting_and_default(tmp_path, con, monkeypatch):
    from loaders.importer import import_file

    sheet = [["Indicator", "2015/16", "2016/17"], ["Referrals", 79, 80]]
    monkeypatch.setenv("DASHBOARD_AREA", "Leeds")
    import_file(con, write_xlsx(tmp_path / "a.xlsx", {"KPIs": sheet}))
    monkeypatch.delenv("DASHBOARD_AREA")
    result = import_file(con, write_xlsx(tmp_path / "b.xlsx", {"KPIs2": sheet}))
    areas = con.execute("SELECT DISTINCT area FROM kpi_rows ORDER BY 1").fetchall()
    assert areas == [("Leeds",), ("Our council",)]
    assert "Give --area NAME or set DASHBOARD_AREA" in str(result.parsed.warnings[0])


def test_reimport_replaces_figures_and_keeps_the_old_ones_recoverable(tmp_path, load_metrics, con):
    first = [["Indicator", "2015/16", "2016/17"], ["Referrals", 79, 80]]
    second = [["Indicator", "2016/17", "2017/18"], ["Referrals", 81, 90]]
    load_metrics(write_xlsx(tmp_path / "one.xlsx", {"KPIs": first}))
    load_metrics(write_xlsx(tmp_path / "two.xlsx", {"KPIs": second}))
    values = con.execute(
        "SELECT period_label, value, upload_id FROM kpi_values ORDER BY period_label"
    ).fetchall()
    assert values == [("2015/16", 79.0, 1), ("2016/17", 81.0, 2), ("2017/18", 90.0, 2)]
    assert con.execute("SELECT count(*) FROM kpi_rows WHERE upload_id = 1").fetchone() == (2,)
    from loaders.bin import remove_upload

    remove_upload(con, 2)
    values = con.execute(
        "SELECT period_label, value FROM kpi_values ORDER BY period_label"
    ).fetchall()
    assert values == [("2015/16", 79.0), ("2016/17", 80.0)]


def test_officer_settings_survive_a_fresh_import(tmp_path, load_metrics, con):
    from loaders.indicators import set_indicator

    sheet = [["Indicator", "2015/16", "2016/17"], ["Caseload", 19, 18.5]]
    load_metrics(write_xlsx(tmp_path / "one.xlsx", {"KPIs": sheet}))
    set_indicator(con, "Caseload", polarity="lower", target=18)
    sheet.append(["Referrals", 1, 2])
    load_metrics(write_xlsx(tmp_path / "two.xlsx", {"KPIs": sheet}))
    assert con.execute(
        "SELECT polarity, target FROM indicators WHERE indicator = 'Caseload'"
    ).fetchone() == ("lower", 18.0)
    # 18.5 against 18, lower is better: within 5%, so Amber
    assert con.execute("SELECT rag FROM kpi_latest WHERE indicator = 'Caseload'").fetchone() == (
        "Amber",
    )


@pytest.mark.parametrize(
    ("polarity", "value", "rag"),
    [
        ("higher", 90, "Green"), ("higher", 85.5, "Amber"), ("higher", 85.4, "Red"),
        ("lower", 90, "Green"), ("lower", 94.5, "Amber"), ("lower", 94.6, "Red"),
        ("neutral", 10, "Not rated"),
    ],
)  # fmt: skip
def test_kpi_rag_against_target_given_polarity(tmp_path, load_metrics, con, polarity, value, rag):
    from loaders.indicators import set_indicator

    load_metrics(
        write_xlsx(
            tmp_path / "r.xlsx", {"KPIs": [["Indicator", "2015/16", "2016/17"], ["X", 1, value]]}
        )
    )
    set_indicator(con, "X", polarity=polarity, target=90)
    assert con.execute("SELECT rag FROM kpi_latest WHERE indicator = 'X'").fetchone() == (rag,)


def test_a_later_sheet_does_not_blank_what_an_earlier_one_said(tmp_path, load_metrics, con):
    wide = [
        ["Indicator", "2015/16", "2016/17", "Polarity"],
        ["Caseload", 19, 18, "Lower is better"],
    ]
    long = [["Indicator", "Period", "Value", "Area"], ["Caseload", "2016/17", 16, "England"]]
    load_metrics(write_xlsx(tmp_path / "two.xlsx", {"Own": wide, "Benchmarks": long}))
    assert con.execute(
        "SELECT polarity FROM indicators WHERE indicator = 'Caseload'"
    ).fetchone() == ("lower",)


def test_tidy_benchmarks_with_codes_measures_and_units_reach_the_store(tmp_path, load_metrics, con):
    sheet = [
        ["Area code", "Area name", "Period", "Indicator", "Measure", "Unit", "Value"],
        ["E06000001", "Hartlepool", "2016/17", "Children in care", "Count", "Persons", 185],
        ["E06000001", "Hartlepool", "2016/17", "Children in care", "Percentage", "Persons", 62.1],
        ["E92000001", "England", "2016/17", "Children in care", "Count", "Persons", 72670],
    ]
    _, rows = load_metrics(write_xlsx(tmp_path / "tidy.xlsx", {"Benchmarks": sheet}))
    assert list(zip(rows["indicator"], rows["area"], rows["value"], rows["unit"], strict=True)) == [
        ("Children in care (count)", "Hartlepool", 185.0, "count"),
        ("Children in care (%)", "Hartlepool", 62.1, "%"),
        ("Children in care (count)", "England", 72670.0, "count"),
    ]
    areas = con.execute("SELECT area, kind, code FROM areas ORDER BY area").fetchall()
    assert areas == [("England", "national", "E92000001"), ("Hartlepool", "council", "E06000001")]
