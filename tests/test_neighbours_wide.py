"""Statistical-neighbour lists in wide form (names, a column per council) and LAIT's workbook."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders import councils as council_table
from loaders.councils import build_rows, by_code, councils, match_council, nearest_councils
from loaders.errors import LoaderError
from loaders.importer import import_file
from loaders.interpret import Answers, Interpretation, QuestionsPending
from loaders.layouts import LAYOUTS, neighbours_lait, neighbours_model, neighbours_wide
from loaders.layouts.base import Context, Options, Source
from loaders.store import connect
from tests.workbooks import write_csv, write_xls, write_xlsx

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"
SN_MODEL = REAL / "sn_model_2025_wide.csv"
LAIT_SN = REAL / "lait_sn_may_2025.xlsx"

# ---- Matching names to councils ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "how"),
    [
        ("St Helens", "342", "exact"),
        ("St. Helens", "342", "punctuation"),
        ("Saint Helens", "342", "punctuation"),
        ("st helens", "342", "case"),
        ("  St   Helens ", "342", "exact"),
        ("Brighton & Hove", "846", "punctuation"),
        ("Telford & Wrekin", "894", "punctuation"),
        ("Stoke on Trent", "861", "punctuation"),
        ("Stockton on Tees Borough Council", "808", "council words"),
        ("Kingston upon Hull, City of", "810", "exact"),
        ("Kingston Upon Hull, City Of", "810", "case"),
        ("Hull", "810", "other name"),
        ("Hull City Council", "810", "other name"),
        ("Bristol, City of", "801", "exact"),
        ("Bristol", "801", "council words"),
        ("City of Bristol", "801", "word order"),
        ("Bristol City Council", "801", "council words"),
        ("Herefordshire, County of", "884", "exact"),
        ("Herefordshire Council", "884", "council words"),
        ("City of London", "201", "exact"),
        ("London, City of", "201", "word order"),
        ("Royal Borough of Greenwich", "203", "council words"),
        ("Royal Borough of Windsor and Maidenhead", "868", "council words"),
        ("London Borough of Hackney", "204", "council words"),
        ("Leeds City Council", "383", "council words"),
        ("Durham County Council", "840", "other name"),
        ("Bedford Borough", "822", "other name"),
        ("Council of the Isles of Scilly", "420", "council words"),
        ("Dorset", "838", "exact"),  # the current council, not the pre-2019 county
        ("Poole", "836", "other name"),  # only the former council had that name
        ("Northamptonshire", "928", "exact"),
    ],
)
def test_names_match_their_council(name, code, how):
    council, got = match_council(name)
    assert (council.old_la_code, got) == (code, how)


@pytest.mark.parametrize(
    "name", ["London", "England", "Inner London", "Bristol City", "Newcastle", "Richmond", "", 301]
)
def test_other_names_match_nothing(name):
    assert match_council(name) is None


def test_a_name_fitting_two_councils_matches_neither(tmp_path, monkeypatch):
    table = tmp_path / "councils.csv"
    table.write_text(
        "old_la_code,new_la_code,la_name,region,former,other_names\n"
        "342,E08000013,St Helens,North West,,\n"
        "999,,St. Helens,Nowhere,,\n"
    )
    caches = (council_table.councils, council_table._by_code, council_table._index)
    caches += (council_table._match,)
    monkeypatch.setattr(council_table, "COUNCILS_CSV", table)
    for cache in caches:
        cache.cache_clear()
    try:
        assert match_council("St Helens")[0].old_la_code == "342"
        assert match_council("St. Helens")[0].old_la_code == "999"
        assert match_council("Saint Helens") is None  # either, once punctuation is ignored
    finally:
        monkeypatch.undo()
        for cache in caches:
            cache.cache_clear()


def test_the_council_table():
    current = [c for c in councils() if not c.former]
    assert len(current) == 153
    assert {c.old_la_code for c in councils() if c.former} == {"835", "836", "837", "909", "928"}
    assert all(c.new_la_code and c.new_la_code.startswith("E") for c in councils())
    assert by_code("370").new_la_code == "E08000038"  # Barnsley's code since 2024
    assert by_code("342").la_name == "St Helens" and "St. Helens" in by_code("342").other_names
    for council in councils():
        for name in (council.la_name, *council.other_names):
            assert match_council(name)[0] == council, name


@pytest.mark.skipif(not SN_MODEL.exists(), reason="needs ../shared/real-data")
def test_the_council_table_is_built_from_the_published_files():
    with council_table.COUNCILS_CSV.open(encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f)) == build_rows(REAL)
    with SN_MODEL.open(encoding="utf-8-sig", newline="") as f:
        model = {r["old_la_code"]: (r["la_name"], r["region_name"]) for r in csv.DictReader(f)}
    assert {c.old_la_code: (c.la_name, c.region) for c in councils() if not c.former} == model


def test_nearest_councils_offer_the_likely_one_first():
    nearest = nearest_councils("Bristol City")
    assert nearest[0][0].la_name == "Bristol, City of" and nearest[0][1] >= 0.8
    assert len(nearest) <= 5
    assert nearest_councils("Xyzzy") == []


# ---- The wide layout --------------------------------------------------------------------

# Each column as written: the council at the top, its neighbours below (closest first).
COLUMNS = {
    "St. Helens": ["Wigan", "Wirral", "Halton", "Knowsley", "Sefton", "Tameside", "Bolton", "Rochdale", "Oldham", "Wakefield"],
    "Brighton & Hove": ["Bristol, City of", "Southampton", "Portsmouth", "Reading", "Leeds", "Plymouth", "Sheffield", "Nottingham", "York", "Trafford"],
    "Kingston upon Hull, City of": ["Stoke-on-Trent", "Middlesbrough", "Hartlepool", "St. Helens", "Blackpool", "Sunderland", "Salford", "Doncaster", "Rotherham", "Barnsley"],
    "Bristol, City of": ["Brighton and Hove", "Leeds", "Sheffield", "Manchester", "Liverpool", "Nottingham", "Newcastle upon Tyne", "Coventry", "Southampton", "Plymouth"],
    "Leeds": ["Sheffield", "Bristol", "Manchester", "Kirklees", "Bradford", "Wakefield", "Coventry", "Liverpool", "Newcastle upon Tyne", "Derby"],
    "Telford & Wrekin": ["Stoke on Trent", "Kingston Upon Hull, City of", "Darlington", "Swindon", "Walsall", "Rotherham", "Dudley", "Wigan", "Barnsley", None],
}  # fmt: skip
EXPECTED = {
    "342": ["359", "344", "876", "340", "343", "357", "350", "354", "353", "384"],
    "846": ["801", "852", "851", "870", "383", "879", "373", "892", "816", "358"],
    "810": ["861", "806", "805", "342", "890", "394", "355", "371", "372", "370"],
    "801": ["846", "383", "373", "352", "341", "892", "391", "331", "852", "879"],
    "383": ["373", "801", "352", "382", "380", "384", "331", "341", "391", "831"],
    "894": ["861", "810", "841", "866", "335", "372", "332", "359", "370"],
}
TITLE = "Statistical neighbours (children's services), May 2025"
NOTE = "Source: DfE children's services statistical neighbour benchmarking tool"


def wide_rows(columns: dict[str, list]) -> list[list]:
    """A title, a blank line, the header with a rank column, ten rows, a blank, a note."""
    rows = [[TITLE], [None], ["Rank", *columns]]
    rows += [[rank, *(c[rank - 1] for c in columns.values())] for rank in range(1, 11)]
    return [*rows, [None], [NOTE]]


WRITERS = {
    "xlsx": lambda path, rows: write_xlsx(path, {"Neighbours": rows}),
    "xls": lambda path, rows: write_xls(path, {"Neighbours": rows}),
    "csv": write_csv,
}


def write(tmp_path: Path, fmt: str, rows: list[list]) -> Path:
    return WRITERS[fmt](tmp_path / f"neighbours.{fmt}", rows)


def read(path: Path, answers: dict[str, str] | None = None):
    """Detect and parse through the layout alone, as the importer would."""
    source = Source(path.read_bytes(), path.name)
    evidence = neighbours_wide.detect(source)
    ctx = Context(Interpretation(path.name), Answers(answers), Options())
    parsed = neighbours_wide.parse(source, ctx) if evidence else None
    return evidence, parsed, ctx.interp


def lists(table) -> dict[str, list[str]]:
    """Council code -> its neighbours' codes in rank order (ranks checked to be 1..n)."""
    out: dict[str, list[tuple[int, str]]] = {}
    for row in table.to_pylist():
        out.setdefault(row["old_la_code"], []).append((row["rank"], row["neighbour_old_code"]))
    for pairs in out.values():
        assert [rank for rank, _ in pairs] == list(range(1, len(pairs) + 1))
    return {code: [n for _, n in pairs] for code, pairs in out.items()}


@pytest.mark.parametrize("fmt", WRITERS)
def test_a_wide_list_loads_exactly(tmp_path, fmt):
    evidence, parsed, interp = read(write(tmp_path, fmt, wide_rows(COLUMNS)))
    assert evidence.score == 0.95 and "row 3" in evidence.text
    assert not interp.questions
    table = parsed.neighbours
    assert lists(table) == EXPECTED
    rows = {(r["old_la_code"], r["rank"]): r for r in table.to_pylist()}
    assert rows["342", 1] == {
        "old_la_code": "342",
        "la_name": "St Helens",
        "region": "North West",
        "rank": 1,
        "neighbour_old_code": "359",
        "closeness": None,
    }
    assert rows["801", 1]["la_name"] == "Bristol, City of"
    assert interp.headers == ["Rank", *COLUMNS]
    lines = list(interp.lines())
    sheet = "neighbours" if fmt == "csv" else "Neighbours"  # a CSV's one sheet: its name
    decision = "'St. Helens' -> St Helens (punctuation)"
    assert f"council: sheet '{sheet}', cell B3 (row 3, column B): {decision}" in lines
    assert any("'Brighton & Hove' -> Brighton and Hove (punctuation)" in line for line in lines)
    assert not any("'Leeds' ->" in line for line in lines)  # exact names need no decision
    accounting = interp.accounting
    assert accounting.stored == 59
    assert dict(accounting.not_stored) == {
        "title": 1,
        "header": 6,
        "label": 11,
        "blank": 1,
        "note": 1,
    }
    assert accounting.cells == accounting.stored + sum(accounting.not_stored.values()) == 79


def test_a_wide_list_is_not_taken_for_other_layouts(tmp_path):
    path = write(tmp_path, "csv", wide_rows(COLUMNS))
    source = Source(path.read_bytes(), path.name)
    fits = [layout.name for layout in LAYOUTS if layout.detect(source)]
    assert fits == ["neighbours_wide"]


def test_councils_across_with_figures_below_is_not_a_neighbour_list(tmp_path):
    rows = [["Indicator", *COLUMNS], ["Referrals", 19, 15, 18, 27, 30, 12]]
    evidence, _, _ = read(write(tmp_path, "xlsx", rows))
    assert evidence is None


def renamed(old: str, new: str) -> dict[str, list]:
    """The columns with one name, wherever it is written, replaced."""
    return {
        (new if head == old else head): [new if n == old else n for n in names]
        for head, names in COLUMNS.items()
    }


def test_an_unknown_name_is_asked_about(tmp_path):
    path = write(tmp_path, "xlsx", wide_rows(renamed("Bristol, City of", "Bristol City")))
    evidence, parsed, interp = read(path)
    assert evidence is not None
    (question,) = interp.questions
    assert question.key == "council name 'Bristol City'"
    assert question.choices[0] == "Bristol, City of" and question.choices[-1] == "skip"
    assert len(question.choices) <= 6
    assert question.likely == "Bristol, City of"
    assert question.cells == ("Bristol City",)
    # The first place it is written: heading column E.
    assert (question.sheet, question.row, question.column) == ("Neighbours", 2, 4)
    assert "'Bristol City' (heading a column)" in question.prompt
    stored = parsed.neighbours.to_pylist()  # what is known so far; the import stops here
    assert "801" not in {r["old_la_code"] for r in stored}
    # The name in Brighton's list, and column E's ten neighbours (E3 itself is a header cell).
    assert interp.accounting.not_stored["council name not known"] == 1 + 10


def test_an_answered_name_loads(tmp_path):
    path = write(tmp_path, "csv", wide_rows(renamed("Bristol, City of", "Bristol City")))
    _, parsed, interp = read(path, {"council name 'Bristol City'": "Bristol, City of"})
    assert not interp.questions
    assert lists(parsed.neighbours) == EXPECTED
    assert any(
        "'Bristol City' -> Bristol, City of (the officer's answer)" in x for x in interp.lines()
    )


def test_a_skipped_name_is_left_out(tmp_path):
    path = write(tmp_path, "csv", wide_rows(renamed("Leeds", "Leeds Metropolitan")))
    _, parsed, interp = read(path, {"council name 'Leeds Metropolitan'": "skip"})
    assert not interp.questions
    expected = {k: [n for n in v if n != "383"] for k, v in EXPECTED.items() if k != "383"}
    got = parsed.neighbours.to_pylist()
    assert {r["old_la_code"] for r in got} == set(expected)
    # The others keep their places: Brighton's 6th neighbour is still rank 6 after Leeds (5th).
    assert [(r["rank"], r["neighbour_old_code"]) for r in got if r["old_la_code"] == "846"][4] == (
        6,
        "879",
    )
    skipped = interp.accounting.not_stored["council name the officer chose to skip"]
    assert skipped == 10 + 2  # Leeds' own column, and Leeds in Brighton's and Bristol's


def test_an_answer_that_is_not_a_council_is_refused_naming_the_cell(tmp_path):
    path = write(tmp_path, "xlsx", wide_rows(renamed("Bristol, City of", "Bristol City")))
    with pytest.raises(LoaderError) as info:
        read(path, {"council name 'Bristol City'": "Bristle"})
    assert "'Bristle' for 'Bristol City' in cell E3 is not a council of England" in str(info.value)
    assert (info.value.sheet, info.value.row, info.value.column) == ("Neighbours", 2, 4)


def test_a_dash_for_a_shorter_list_is_missing_not_asked(tmp_path):
    columns = dict(COLUMNS)
    columns["Telford & Wrekin"] = [*columns["Telford & Wrekin"][:9], "n/a"]
    _, parsed, interp = read(write(tmp_path, "csv", wide_rows(columns)))
    assert not interp.questions and lists(parsed.neighbours) == EXPECTED
    assert interp.accounting.not_stored["missing"] == 1


def test_a_neighbour_listed_twice_is_refused(tmp_path):
    columns = dict(COLUMNS)
    columns["Leeds"] = ["Sheffield", *columns["Leeds"][1:9], "Sheffield"]
    with pytest.raises(
        LoaderError, match=r"Sheffield is listed twice as a neighbour of Leeds \(F4 and F13\)"
    ):
        read(write(tmp_path, "csv", wide_rows(columns)))


# ---- The published neighbours, as names and in LAIT's workbook ------------------------


def model_lists() -> dict[str, list[str]]:
    with SN_MODEL.open(encoding="utf-8-sig", newline="") as f:
        return {r["old_la_code"]: [r[f"SN_{i}"] for i in range(1, 11)] for r in csv.DictReader(f)}


@pytest.mark.skipif(not SN_MODEL.exists(), reason="needs ../shared/real-data")
@pytest.mark.parametrize("names", ["model", "other"])
def test_the_published_model_as_names_round_trips(tmp_path, names):
    model = model_lists()

    def name(code: str) -> str:
        council = by_code(code)
        # "other": the statistics' and LAIT's names where they differ (St. Helens, Durham ...)
        return (
            council.other_names[0] if names == "other" and council.other_names else council.la_name
        )

    columns = {name(code): [name(n) for n in listed] for code, listed in model.items()}
    path = write_xlsx(tmp_path / "all.xlsx", {"SN": wide_rows(columns)})
    _, parsed, interp = read(path)
    assert not interp.questions
    assert lists(parsed.neighbours) == model
    assert interp.accounting.stored == 1530


@pytest.mark.skipif(not LAIT_SN.exists(), reason="needs ../shared/real-data")
def test_laits_workbook_gives_the_models_groupings():
    source = Source(LAIT_SN.read_bytes(), LAIT_SN.name)
    assert [layout.name for layout in LAYOUTS if layout.detect(source)] == ["neighbours_lait"]
    ctx = Context(Interpretation(LAIT_SN.name), Answers(), Options())
    parsed = neighbours_lait.parse(source, ctx)
    got = lists(parsed.neighbours)
    model = model_lists()
    assert {code: got[code] for code in model} == model
    # The former councils LAIT still has figures for come under "Old SNs:".
    assert set(got) - set(model) == {"835", "836", "837", "909", "928"}
    assert any("former councils" in line and "Cumbria (909)" in line for line in ctx.interp.lines())
    with SN_MODEL.open(encoding="utf-8-sig", newline="") as f:
        closeness = {
            (r["old_la_code"], i): r[f"SN_{i}P"].strip()
            for r in csv.DictReader(f)
            for i in range(1, 11)
        }
    rows = parsed.neighbours.to_pylist()
    assert all(
        closeness[r["old_la_code"], r["rank"]] == r["closeness"]
        for r in rows
        if r["old_la_code"] in model
    )
    accounting = ctx.interp.accounting
    assert accounting.stored == 1580 * 2  # each neighbour's code and closeness
    assert accounting.cells == 164 * 25 == accounting.stored + sum(accounting.not_stored.values())
    assert not parsed.warnings


@pytest.mark.skipif(not SN_MODEL.exists(), reason="needs ../shared/real-data")
def test_the_model_csv_is_still_the_models():
    source = Source(SN_MODEL.read_bytes(), SN_MODEL.name)
    assert [layout.name for layout in LAYOUTS if layout.detect(source)] == [
        neighbours_model.LAYOUT.name
    ]


# ---- Into the store ---------------------------------------------------------------------


def test_a_wide_list_imports_into_the_statistical_neighbours_view(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    try:
        unknown = write(tmp_path, "xlsx", wide_rows(renamed("Bristol, City of", "Bristol City")))
        with pytest.raises(QuestionsPending, match="council name 'Bristol City'"):
            import_file(con, unknown)
        assert con.execute("SELECT count(*) FROM neighbour_rows").fetchone() == (0,)
        result = import_file(
            con, unknown, answers={"council name 'Bristol City'": "Bristol, City of"}
        )
        assert result.parsed.interpretation.layout == "neighbours_wide"
        got = con.execute(
            "SELECT council, old_la_code, rank, neighbour, neighbour_old_code, closeness "
            "FROM statistical_neighbours ORDER BY old_la_code, rank"
        ).fetchall()
        assert len(got) == 59
        assert ("Bristol, City of", "801", 1, "Brighton and Hove", "846", None) in got
        assert {(c, code) for c, code, *_ in got} == {
            (by_code(code).la_name, code) for code in EXPECTED
        }
        listed: dict[str, list[str]] = {}
        for _, code, _, _, neighbour, _ in got:
            listed.setdefault(code, []).append(neighbour)
        assert listed == EXPECTED
    finally:
        con.close()


@pytest.mark.skipif(not LAIT_SN.exists(), reason="needs ../shared/real-data")
def test_laits_workbook_imports(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    try:
        result = import_file(con, LAIT_SN)
        assert result.parsed.interpretation.layout == "neighbours_lait"
        got = con.execute(
            "SELECT council, rank, neighbour, neighbour_old_code, closeness "
            "FROM statistical_neighbours WHERE old_la_code = '342' ORDER BY rank LIMIT 1"
        ).fetchone()
        assert got == ("St. Helens", 1, "Halton", "876", "Very close")  # as the model has it
        assert con.execute("SELECT count(*) FROM statistical_neighbours").fetchone() == (1580,)
    finally:
        con.close()


def test_a_list_for_one_council_replaces_only_that_councils_neighbours(tmp_path):
    """A council's own list (one column) after the full model: its neighbours change, the
    others keep the model's, and neighbours named in no list take the councils table's name."""
    con = connect(tmp_path / "t.duckdb")
    try:
        import_file(con, write(tmp_path, "xlsx", wide_rows(renamed("Bristol, City of", "Bristol"))))
        own = {"Bristol, City of": [by_code(c).la_name for c in reversed(EXPECTED["801"])]}
        path = write_csv(tmp_path / "bristol_neighbours.csv", wide_rows(own))
        import_file(con, path)
        rows = con.execute(
            "SELECT old_la_code, rank, neighbour_old_code, neighbour FROM statistical_neighbours"
        ).fetchall()
        listed: dict[str, list[str]] = {}
        for code, _rank, neighbour, _name in sorted(rows):
            listed.setdefault(code, []).append(neighbour)
        assert listed == {**EXPECTED, "801": list(reversed(EXPECTED["801"]))}
        assert all(name is not None for *_, name in rows)
        assert con.execute(
            "SELECT neighbour FROM statistical_neighbours WHERE old_la_code = '801' AND rank = 1"
        ).fetchone() == (by_code(EXPECTED["801"][-1]).la_name,)
    finally:
        con.close()
