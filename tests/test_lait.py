"""The DfE's LAIT data set and its measure dictionary: trimmed real files, and the full ones
from ../shared/real-data when they are there."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyarrow import csv as pacsv

from loaders import lait, lait_figures, store
from loaders.errors import LoaderError
from loaders.importer import choose_layout, import_file
from loaders.interpret import Answers, Interpretation
from loaders.layouts import lait as layout
from loaders.layouts.base import Context, Options, Source
from loaders.numbers import MISSING_MARKERS
from loaders.periods import PERIOD_TYPES
from tests.helpers import DATA, FULL_DATASET, FULL_DICTIONARY, LAIT_DATASET, LAIT_DICTIONARY

DATASET, DICTIONARY = LAIT_DATASET, LAIT_DICTIONARY


def parse(path_or_bytes, name=None, *, reference="default", answers=None):
    """Read one file through its layout with a hand-built context; (parsed, interpretation)."""
    if isinstance(path_or_bytes, Path):
        content, name = path_or_bytes.read_bytes(), name or path_or_bytes.name
    else:
        content = path_or_bytes
    source = Source(content, name)
    if reference == "default":
        reference = dictionary_rows()
    interp = Interpretation(name)
    options = Options(reference={"measure_dictionary": reference} if reference is not None else {})
    ctx = Context(interp, Answers(answers or {}), options)
    chosen = layout.DICTIONARY if layout.detect_dictionary(source) else layout.DATASET
    return chosen.parse(source, ctx), interp


def dictionary_rows(path: Path = DICTIONARY) -> pa.Table:
    parsed, _ = parse(path, reference=None)
    return parsed.extra_rows["measure_dictionary"]


def fixture_rows() -> list[dict]:
    return pq.read_table(DATASET).to_pylist()


def dictionary_records(path: Path = DICTIONARY) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def names_by_short() -> dict[str, str]:
    """The measure name each short name loads under: the longest, then alphabetical."""
    names: dict[str, str] = {}
    for r in dictionary_records():
        short, name = r["Measure_short"].strip(), r["Measure"]
        best = names.get(short)
        if best is None or (-len(name), name) < (-len(best), best):
            names[short] = name
    return names


def figure_rows(parsed) -> dict[int, dict]:
    return {f["source_row"]: f for f in parsed.metrics.figures.to_pylist()}


# --- the dictionary -----------------------------------------------------------------------


def test_dictionary_rows_as_written_with_polarity_mapped():
    parsed, interp = parse(DICTIONARY, reference=None)
    assert parsed.kind == "dictionary" and parsed.plan is None and parsed.as_of is None
    rows = parsed.extra_rows["measure_dictionary"].to_pylist()
    records = dictionary_records()
    assert len(rows) == len(records) == 16
    for row, record in zip(rows, records, strict=True):
        assert row["measure_short"] == record["Measure_short"].strip()
        assert row["measure"] == record["Measure"]
        assert row["topic"] == record["Topic"]
        assert row["polarity_text"] == record["Polarity"]
        assert row["polarity"] == {"High": "higher", "Low": "lower"}.get(record["Polarity"])
        assert row["unit"] == record["y_axis_name"]
        assert row["year_type"] == record["Year_Type"]
        assert row["dps"] == (None if record["dps"] == "NA" else int(record["dps"]))
        assert row["no_quartile"] is (record["No_Quartile"] == "N")
        # texts as written, without the spaces and line breaks around them
        assert row["description"] == (
            None if record["Description"] == "NA" else record["Description"].strip()
        )
        assert row["source"] == record["Data Owner (DO) /Supplier and Contact Details"].strip()
    # '-' and NA say no polarity: stored as NULL, never guessed, the text kept as written
    by_short = {r["measure_short"]: r for r in rows}
    assert (
        by_short["CINTime3months"]["polarity"],
        by_short["CINTime3months"]["polarity_text"],
    ) == (None, "-")
    assert (by_short["PriFSM"]["polarity"], by_short["PriFSM"]["polarity_text"]) == (None, "NA")
    assert "\n" in by_short["RTA"]["description"] or "\n" in by_short["LAC"]["description"]
    assert interp.headers[:5] == [
        "Measure_code",
        "Topic",
        "Measure",
        "Chart_title",
        "Measure_short",
    ]
    acc = interp.accounting
    assert acc.cells == 17 * 18 and acc.not_stored["header"] == 18
    assert acc.stored + acc.not_stored["blank"] == 16 * 11  # the eleven columns stored


def test_dictionary_indicator_info_one_name_per_short():
    parsed, interp = parse(DICTIONARY, reference=None)
    info = {r["indicator"]: r for r in parsed.extra_rows["indicator_file_info"].to_pylist()}
    assert set(info) == set(names_by_short().values())
    assert len(info) == 14
    # two names for one measure: the longer says most on its own; equal lengths, alphabetical
    assert "CIN - % with at least one permanent exclusion" in info
    assert "% with at least one permanent exclusion" not in info
    assert "CLA Overall Absence" in info and "LAC Overall Absence" not in info
    assert info["Children looked after rate per 10,000"]["polarity"] is None
    assert info["Total Permanent Exclusions"] == {
        "indicator": "Total Permanent Exclusions",
        "unit": "% of the school population",
        "polarity": "lower",
        "description": info["Total Permanent Exclusions"]["description"],
        "source": "DfE LAIT",
    }
    assert any("also named 'LAC Overall Absence'" in d.evidence for d in interp.decisions)


def test_dictionary_from_excel_matches_the_csv(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["LAIT data dictionary"])  # a title above the header
    with DICTIONARY.open(newline="", encoding="utf-8") as f:
        for record in csv.reader(f):
            sheet.append([int(c) if c.isdigit() else c for c in record])
    path = tmp_path / "lait_data_dictionary.xlsx"
    book.save(path)
    from_excel, interp = parse(path, reference=None)
    from_csv, _ = parse(DICTIONARY, reference=None)
    assert from_excel.extra_rows == from_csv.extra_rows
    assert interp.accounting.not_stored["title"] == 1


@pytest.mark.parametrize(
    ("written", "expected"),
    [("High", "higher"), ("Low", "lower"), ("-", None), ("NA", None), (None, None),
     ("Higher is better", None)],
)  # fmt: skip
def test_polarity_only_high_and_low(written, expected):
    assert lait.polarity_of(written) == expected


def test_dictionary_odd_polarity_is_warned_not_guessed():
    text = "Measure_short,Measure,Polarity,Year_Type\nA,Measure A,Higher is better,Financial Year\n"
    parsed, _ = parse(text.encode(), "dictionary.csv", reference=None)
    assert parsed.extra_rows["measure_dictionary"]["polarity"].to_pylist() == [None]
    assert "Polarity 'Higher is better' is not High or Low" in str(parsed.warnings[0])


# --- the data set: the trimmed file cell by cell ---------------------------------------------


def test_every_cell_of_the_fixture_as_written():
    parsed, interp = parse(DATASET)
    figures = figure_rows(parsed)
    names = names_by_short()
    markers = {m for m in MISSING_MARKERS if m}
    undated = 0
    for i, row in enumerate(fixture_rows(), start=1):
        if row["Years"] == "0":  # LAIT's placeholder for CINPermExclusion: no year
            assert i not in figures
            undated += 1
            continue
        f = figures[i]
        assert f["indicator"] == names[row["Short Desc"]]
        assert f["area"] == row["LA and Regions"]
        assert f["period_label"] == row["Years"]
        assert (f["source_sheet"], f["source_column"]) == (None, "Values")
        text = row["Values"]
        if text.lower() in markers:
            assert f["value"] is None and f["missing"] == text
        else:
            assert f["value"] == float(text) and f["missing"] is None
    assert undated == 29 and len(figures) == len(fixture_rows()) - undated
    assert any("'0' of CINPermExclusion (29 rows)" in str(w) for w in parsed.warnings)
    acc = interp.accounting
    n = len(fixture_rows())
    assert acc.cells == 7 + 7 * n
    assert acc.not_stored["label"] == 6 * n and acc.not_stored["skipped"] == 29
    assert acc.stored + acc.not_stored["missing"] == len(figures)
    assert interp.headers == ["Short Desc", "Data item", "Years", "LA and Regions", "Values",
                              "LA Number", "Region"]  # fmt: skip


def test_full_precision_is_kept():
    parsed, _ = parse(DATASET)
    figures = parsed.metrics.figures.to_pylist()
    indicator = names_by_short()["2yr_Ofsted_rating"]
    cell = {
        (f["area"], f["period_label"]): f["value"] for f in figures if f["indicator"] == indicator
    }
    essex, cornwall = cell[("Essex", "2019")], cell[("Cornwall", "2019")]
    assert essex == float("97.199999999999989") and cornwall == 97.2
    assert essex != cornwall  # different numbers, not a tie


def test_a_tie_stays_a_tie():
    parsed, _ = parse(DATASET)
    indicator = names_by_short()["PriFSM"]
    cell = {
        f["area"]: f["value"]
        for f in parsed.metrics.figures.to_pylist()
        if f["indicator"] == indicator and f["period_label"] == "2017"
    }
    assert cell["Essex"] == cell["Poole (Pre LG)"] == 11.6


def test_areas_councils_regions_and_england():
    parsed, _ = parse(DATASET)
    areas = {a["area"]: a for a in parsed.metrics.areas.to_pylist()}
    assert len(areas) == 29
    assert areas["England"]["kind"] == "national"
    for region in (
        "London",
        "London (Inner)",
        "London (Outer)",
        "North West",
        "Yorkshire and the Humber",
    ):
        assert areas[region]["kind"] == "region" and areas[region]["old_code"] is None
        assert areas[region]["region"] is None
    # former councils are councils, ranked with the rest
    for council, code in (("Dorset (Pre LG)", "835"), ("Poole (Pre LG)", "836"),
                          ("Bournemouth (Pre LG)", "837"), ("Cumbria", "909"),
                          ("Northamptonshire", "928"), ("City of London", "201")):  # fmt: skip
        assert (areas[council]["kind"], areas[council]["old_code"]) == ("council", code)
    assert areas["Camden"]["region"] == "Inner London"
    assert areas["Barnet"]["region"] == "Outer London"
    assert areas["Bristol, City of"]["region"] == "South West"
    kinds = [a["kind"] for a in areas.values()]
    assert (kinds.count("council"), kinds.count("region"), kinds.count("national")) == (21, 7, 1)
    benchmark = {f["area"]: f["is_benchmark"] for f in parsed.metrics.figures.to_pylist()}
    assert {a for a, b in benchmark.items() if b} == {
        a for a, v in areas.items() if v["kind"] != "council"
    }


FY, AY, CAL = (
    lait_figures.YEAR_TYPES["financial year"],
    lait_figures.YEAR_TYPES["academic year"],
    lait_figures.CALENDAR,
)


@pytest.mark.parametrize(
    ("label", "basis", "period_type", "start", "end"),
    [
        ("2022/23", AY, "academic_year", (2022, 9, 1), (2023, 8, 31)),
        ("2016", AY, "academic_year", (2015, 9, 1), (2016, 8, 31)),
        ("2025 (prov)", AY, "academic_year", (2024, 9, 1), (2025, 8, 31)),
        ("2018 (Rev)", AY, "academic_year", (2017, 9, 1), (2018, 8, 31)),
        ("2016-17 (OT)", FY, "financial_year", (2016, 4, 1), (2017, 3, 31)),
        ("2016", FY, "financial_year", (2015, 4, 1), (2016, 3, 31)),
        ("2025-26", FY, "financial_year", (2025, 4, 1), (2026, 3, 31)),
        ("2021/22-23/24", FY, "financial_year", (2021, 4, 1), (2024, 3, 31)),
        ("2014-16", CAL, "calendar_year", (2014, 1, 1), (2016, 12, 31)),
        ("2016", CAL, "calendar_year", (2016, 1, 1), (2016, 12, 31)),
        ("2016", lait_figures.YEAR_TYPES["annual"], "financial_year", (2015, 4, 1), (2016, 3, 31)),
        ("2016", lait_figures.YEAR_TYPES["annual - january"], "academic_year", (2015, 9, 1), (2016, 8, 31)),
        ("2016", lait_figures.YEAR_TYPES["annual (end of sept)"], "year_to_september", (2015, 10, 1), (2016, 9, 30)),
    ],
)  # fmt: skip
def test_periods_keep_the_label_and_read_the_dates(label, basis, period_type, start, end):
    period = lait_figures.lait_period(label, basis)
    assert period.label == label
    assert (period.type, period.start, period.end) == (period_type, dt.date(*start), dt.date(*end))


@pytest.mark.parametrize("label", ["0", "", "2016/18", "next year"])
def test_labels_naming_no_year(label):
    assert lait_figures.lait_period(label, FY) is None


def test_period_labels_are_lait_text_exactly():
    parsed, interp = parse(DATASET)
    labels = set(parsed.metrics.figures["period_label"].to_pylist())
    assert labels == {r["Years"] for r in fixture_rows()} - {"0"}
    assert {"2014-16", "2013/14-15/16", "2016-17 (OT)", "2025 (prov)", "2018 (Rev)",
            "2020 (Final)", "2015/16", "2016-17"} <= labels  # fmt: skip
    assert any(d.topic == "period" and d.subject == "Years '2014-16'" for d in interp.decisions)
    assert set(parsed.metrics.figures["period_type"].to_pylist()) <= set(PERIOD_TYPES)


def test_measures_named_by_the_dictionary_with_decisions():
    parsed, interp = parse(DATASET)
    info = {r["indicator"]: r for r in parsed.metrics.indicators.to_pylist()}
    assert set(info) == set(names_by_short().values())
    assert {r["source"] for r in info.values()} == {"DfE LAIT"}
    assert (
        info["Children killed or seriously injured in road traffic accidents"]["polarity"]
        == "lower"
    )
    series = [d for d in interp.decisions if d.topic == "series"]
    assert len(series) == 14
    assert any(d.subject == "measure 'RTA'" and "lower is better" in d.reading for d in series)


# --- questions and refusals -------------------------------------------------------------------


def test_no_dictionary_is_refused_with_what_to_do():
    with pytest.raises(LoaderError, match=r"Load lait_data_dictionary.csv first"):
        parse(DATASET, reference=None)
    with pytest.raises(LoaderError, match="no dictionary has been loaded"):
        parse(DATASET, reference=dictionary_rows().slice(0, 0))


def without_rta() -> pa.Table:
    rows = dictionary_rows()
    return rows.filter(pc.not_equal(rows["measure_short"], "RTA"))


def test_unknown_measures_ask_one_question():
    _, interp = parse(DATASET, reference=without_rta())
    assert len(interp.questions) == 1
    q = interp.questions[0]
    assert q.key == "lait unknown measures"
    assert q.choices == ("skip them", "load under their short names")
    assert q.likely == "skip them" and q.cells == ("RTA",)


def test_unknown_measures_skipped_when_answered():
    answers = {"lait unknown measures": "skip them"}
    parsed, interp = parse(DATASET, reference=without_rta(), answers=answers)
    assert interp.questions == []
    indicators = set(parsed.metrics.figures["indicator"].to_pylist())
    assert "RTA" not in indicators and len(indicators) == 13
    rta_rows = sum(r["Short Desc"] == "RTA" for r in fixture_rows())
    assert interp.accounting.not_stored["skipped"] == 29 + rta_rows
    assert any("not in the dictionary were not loaded: RTA" in str(w) for w in parsed.warnings)


def test_unknown_measures_loaded_under_short_names_when_answered():
    answers = {"lait unknown measures": "load under their short names"}
    parsed, interp = parse(DATASET, reference=without_rta(), answers=answers)
    rta = [f for f in parsed.metrics.figures.to_pylist() if f["indicator"] == "RTA"]
    assert len(rta) == sum(r["Short Desc"] == "RTA" for r in fixture_rows())
    # no Year_Type known: "2014-16" read as calendar years, and said to be unsure
    assert {(f["period_label"], f["period_start"]) for f in rta} >= {
        ("2014-16", dt.date(2014, 1, 1))
    }
    assert any(not d.certain for d in interp.decisions if d.topic == "period")
    info = {r["indicator"]: r for r in parsed.metrics.indicators.to_pylist()}
    assert info["RTA"]["polarity"] is None


def test_an_answer_not_among_the_choices_is_refused():
    with pytest.raises(LoaderError, match="must be 'skip them' or"):
        parse(DATASET, reference=without_rta(), answers={"lait unknown measures": "guess"})


# --- markers and text that is not a figure ------------------------------------------------


def test_markers_kept_as_written_and_other_text_warned():
    values = ["-", "x", "c", ":", "..", "z", "k", "u", "low", "N/A", "", "12..3", "inf",
              "nan", "1,234.5", "4.7980000000000002E-2", " 7 ", "abc"]  # fmt: skip
    lines = ["Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region"]
    lines += [f'RTA,,{2000 + i},Barnet,"{v}",302,Outer London' for i, v in enumerate(values)]
    parsed, interp = parse("\n".join(lines).encode(), "lait.csv")
    figures = figure_rows(parsed)
    got = {v: figures.get(i + 2) for i, v in enumerate(values)}
    for marker in ["-", "x", "c", ":", "..", "z", "k", "u", "low", "N/A"]:
        assert (got[marker]["value"], got[marker]["missing"]) == (None, marker)
    assert (got[""]["value"], got[""]["missing"]) == (None, None)  # blank: not given
    assert got["1,234.5"]["value"] == 1234.5
    assert got["4.7980000000000002E-2"]["value"] == float("4.7980000000000002E-2")
    assert got[" 7 "]["value"] == 7.0
    for text in ("12..3", "inf", "nan", "abc"):
        assert got[text] is None  # not stored, never zero
    acc = interp.accounting.not_stored
    assert (acc["unreadable"], acc["missing"], acc["blank"]) == (4, 10, 1)
    warning = next(str(w) for w in parsed.warnings if "neither figures" in str(w))
    assert warning.startswith("4 Values cells") and "row 13 '12..3'" in warning


# --- one table, three forms -----------------------------------------------------------------


def as_csv(tmp_path: Path) -> Path:
    path = tmp_path / "lait_bds_long.csv"
    out = io.BytesIO()
    pacsv.write_csv(pq.read_table(DATASET), out)
    path.write_bytes(out.getvalue())
    return path


def as_xlsx(tmp_path: Path, rows: list[dict] | None = None) -> Path:
    """LAIT's Excel download: titles above the header, years and LA numbers as numbers.
    Values stay text, as LAIT keeps them: openpyxl would write 11.600000000000001 as 11.6."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "LAIT data"
    sheet.append(["Local Authority Interactive Tool (LAIT)"])
    sheet.append(["Downloaded 1 April 2026"])
    sheet.append([])
    rows = rows or fixture_rows()
    sheet.append(list(rows[0]))
    for row in rows:
        cells = list(row.values())
        cells[2] = int(cells[2]) if cells[2].isdigit() else cells[2]
        sheet.append(cells)
    path = tmp_path / "lait_download.xlsx"
    book.save(path)
    return path


def test_figures_typed_as_numbers_in_excel(tmp_path):
    rows = [
        {"Short Desc": "RTA", "Data item": None, "Years": str(2010 + i), "LA and Regions": "Barnet",
         "Values": value, "LA Number": 302, "Region": "Outer London"}
        for i, value in enumerate([12.13, 0.04798, 0, 250, "-", "x"])
    ]  # fmt: skip
    parsed, _ = parse(as_xlsx(tmp_path, rows))
    figures = sorted(parsed.metrics.figures.to_pylist(), key=lambda f: f["source_row"])
    assert [(f["value"], f["missing"]) for f in figures] == [
        (12.13, None),
        (0.04798, None),
        (0.0, None),
        (250.0, None),
        (None, "-"),
        (None, "x"),
    ]
    assert [f["period_label"] for f in figures] == [str(2010 + i) for i in range(6)]
    assert parsed.metrics.areas["old_code"].to_pylist() == ["302"]


def comparable(parsed) -> list[tuple]:
    figures = parsed.metrics.figures.drop_columns(["source_row", "source_sheet"])
    rows = [tuple(r.values()) for r in figures.to_pylist()]
    # compare doubles bit for bit: 97.199999999999989 must not pass for 97.2
    return [
        tuple(v.hex() if isinstance(v, float) and not math.isnan(v) else v for v in r) for r in rows
    ]


def test_parquet_csv_and_xlsx_give_identical_figures(tmp_path):
    parquet, _ = parse(DATASET)
    from_csv, csv_interp = parse(as_csv(tmp_path))
    from_xlsx, xlsx_interp = parse(as_xlsx(tmp_path))
    assert comparable(from_csv) == comparable(parquet) == comparable(from_xlsx)
    assert from_csv.metrics.areas == parquet.metrics.areas == from_xlsx.metrics.areas
    assert from_csv.metrics.indicators == parquet.metrics.indicators
    # where each came from: parquet row index + 1; CSV and Excel lines with the header
    first = {name: p.metrics.figures["source_row"][0].as_py()
             for name, p in (("parquet", parquet), ("csv", from_csv), ("xlsx", from_xlsx))}  # fmt: skip
    assert first == {"parquet": 1, "csv": 2, "xlsx": 5}
    assert set(from_xlsx.metrics.figures["source_sheet"].to_pylist()) == {"LAIT data"}
    assert xlsx_interp.accounting.not_stored["title"] == 2
    assert csv_interp.headers == xlsx_interp.headers


def test_detection_finds_each_form_and_nothing_else(tmp_path):
    # every layout looks at each file: a few hundred rows are enough to tell them apart
    for path in (DATASET, as_csv(tmp_path), as_xlsx(tmp_path, fixture_rows()[:300])):
        source = Source(path.read_bytes(), path.name)
        assert layout.detect_dataset(source).score == 1.0
        assert layout.detect_dictionary(source) is None
        chosen, _, doubt = choose_layout(source, "auto", {})
        assert (chosen.name, doubt) == ("lait_dataset", None)
    source = Source(DICTIONARY.read_bytes(), DICTIONARY.name)
    assert layout.detect_dataset(source) is None
    chosen, _, doubt = choose_layout(source, "auto", {})
    assert (chosen.name, doubt) == ("lait_dictionary", None)
    other = DATA / "csww_indicators_2017_to_2025_trimmed.csv"
    source = Source(other.read_bytes(), other.name)
    assert layout.detect_dataset(source) is None and layout.detect_dictionary(source) is None


# --- into the store ------------------------------------------------------------------------


def test_import_dictionary_then_data_set(tmp_path):
    con = store.connect(tmp_path / "t.duckdb")
    try:
        with pytest.raises(LoaderError, match=r"lait_data_dictionary\.csv first"):
            import_file(con, DATASET)
        import_file(con, DICTIONARY)
        result = import_file(con, DATASET)
        assert result.parsed.kind == "metrics"
        n = con.execute("SELECT count(*) FROM kpi_rows").fetchone()[0]
        assert n == len(fixture_rows()) - 29
        essex, cornwall = con.execute(
            "SELECT max(value) FILTER (WHERE area = 'Essex'), max(value) FILTER (WHERE area = "
            "'Cornwall') FROM kpi_values WHERE period_label = '2019' AND indicator = ?",
            [names_by_short()["2yr_Ofsted_rating"]],
        ).fetchone()
        assert essex == float("97.199999999999989") and cornwall == 97.2
        assert con.execute("SELECT count(*) FROM measure_dictionary").fetchone()[0] == 16
        polarity = con.execute(
            "SELECT polarity FROM indicators WHERE indicator = 'Primary Free School Meals'"
        ).fetchone()
        assert polarity == (None,)
        kinds = dict(con.execute("SELECT kind, count(*) FROM areas GROUP BY kind").fetchall())
        assert kinds == {"council": 21, "region": 7, "national": 1}
    finally:
        con.close()


# --- the full published files ---------------------------------------------------------------

full_files = pytest.mark.skipif(
    not (FULL_DATASET.exists() and FULL_DICTIONARY.exists()),
    reason="the full LAIT files are in ../shared/real-data",
)


@full_files
def test_full_data_set():
    reference = dictionary_rows(FULL_DICTIONARY)
    assert reference.num_rows == 448
    parsed, interp = parse(FULL_DATASET, reference=reference)
    figures = parsed.metrics.figures
    acc = interp.accounting
    # every row is a figure (a value or a marker), except LAIT's 170 year-"0" placeholders
    assert figures.num_rows + acc.not_stored["skipped"] == 641_070
    assert acc.not_stored["skipped"] == 170 and acc.not_stored["unreadable"] == 0
    assert acc.stored + acc.not_stored["missing"] == figures.num_rows
    assert pc.count_distinct(figures["indicator"]).as_py() == 434
    areas = parsed.metrics.areas
    assert areas.num_rows == 170
    assert pc.sum(pc.equal(areas["kind"], "council")).as_py() == 158
    assert interp.questions == []


@full_files
def test_fixtures_are_the_published_rows():
    full = pq.read_table(FULL_DATASET)
    measures = pa.array({r["Short Desc"] for r in fixture_rows()})
    published = {
        (r["Short Desc"], r["Years"], r["LA and Regions"]): r
        for r in full.filter(pc.is_in(full["Short Desc"], measures)).to_pylist()
    }
    for row in fixture_rows():
        assert published[(row["Short Desc"], row["Years"], row["LA and Regions"])] == row
    records = dictionary_records(FULL_DICTIONARY)
    assert all(record in records for record in dictionary_records())


@full_files
def test_full_dictionary():
    parsed, _ = parse(FULL_DICTIONARY, reference=None)
    rows = parsed.extra_rows["measure_dictionary"]
    assert rows.num_rows == 448 and parsed.warnings == []
    assert parsed.extra_rows["indicator_file_info"].num_rows == 434
    texts = dict(zip(*pc.value_counts(rows["polarity_text"]).flatten(), strict=True))
    assert {k.as_py(): v.as_py() for k, v in texts.items()} == {
        "High": 222,
        "Low": 100,
        "-": 96,
        "NA": 30,
    }
