"""Parity of the ``kpi_benchmarks`` view with LAIT, on the full published files.

LAIT's rules are written again here in plain Python (no DuckDB, no loaders code), straight
from ``lait_bds_long.parquet``, ``lait_data_dictionary.csv`` and ``lait_sn_may_2025.xlsx``,
and compared with what the view gives once the project's importer has loaded those files.

What LAIT's R code does (dfe-analytical-services/local-authority-interactive-tool,
``global.R``, ``R/fn_analysis.R``, ``R/fn_helper_functions.R``, ``R/fn_table_helpers.R``
and ``R/lait_modules/mod_la_lvl_table.R``), and where it says more than the issue:

- Values: ``values_num = as.numeric(Values)`` after "-", "c", ".." and NA are set to NA;
  any other text R cannot read as a number is NA too. Never zero.
- Councils: ``la_names_bds`` is every ``LA and Regions`` never seen with ``LA Number`` >=
  970, so former councils (Cumbria, Northamptonshire, the pre-2019 Dorset councils) are
  councils; England (970), the regions and Inner/Outer London (980-990) are not.
- Latest year: ``filter_la_regions(la_names_bds, latest = TRUE)`` is ``slice_max(Years)``,
  the largest label as text (R's locale collation), over every council row, missing or
  not. Previous year and change: ``calculate_change_from_prev_yr`` orders a council's
  rows by ``Years_num = as.numeric(substr(Years, 1, 4))`` and takes latest minus the row
  before (NA if either is NA; its comment speaks of consecutive years but the code does not
  check). Both orders are the plain text order when every label of a measure starts with a
  different four-digit year, which ``test_label_orders_agree`` checks for the chosen
  measures. LAIT keeps the placeholder year "0" (always "-"); the importer drops it and so
  does this file: it is never a latest year and never the year before one.
- Rank: ``calculate_rank`` is ``rank(-values_num)`` (High) or ``rank(values_num)`` (Low),
  ``ties.method = "min"``, over the councils' rows of the latest year; NA values unranked;
  any other polarity ("-", NA) gives "-", no rank. (``ranked_count`` is the view's own
  column: the number of councils with a value.) LAIT ranks and bands a lone council
  value too; the view gives neither rank nor cut points below two values. No measure of
  the published data set has fewer than 18 council values in its latest year, so that
  difference is not modelled here.
- Bands: ``quantile(values, na.rm = TRUE)``, R's default type 7, over the same councils;
  ``calculate_quartile_band``: Low is A up to and including the 25% cut, B up to the 50%,
  C up to the 75%, else D; High is D, C, B, A over the same intervals, so a value on a cut
  belongs to the band below it in value. No band for polarity other than High/Low, nor for
  measures whose dictionary ``No_Quartile`` is "N" (``no_qb_indicators``; LAIT shows
  "Data range is too small" instead of cut points). LAIT computes the quantiles for every
  measure but only shows them for High/Low polarity; the view gives cut points for
  polarity-less measures as well and NULL only for No_Quartile ones, which is what is
  checked here.
- Statistical neighbours: the council's ten ``SN1``..``SN10`` (codes, turned into names
  with the workbook's own ``LA num``/``LA Name`` columns, as ``stat_n_la`` does; the rows
  under "Old SNs:" are read too since only rows without an ``LA num`` are dropped);
  ``mean(values_num, na.rm = TRUE)`` by year, NA when none has a value.
- Region: ``GOReg`` of the council in the neighbours workbook ("London (Inner)",
  "London (Outer)" for London). ``clean_ldn_region``: a region starting with "London"
  whose values for the measure are all NA, over every year of the measure, becomes
  "London". So a London council keeps Inner/Outer London (with a missing region value)
  in a year where only that one figure is missing.
- The dictionary: LAIT drops rows whose ``Table_status`` contains "DISCONTINUE" (case
  sensitive, so "Discontinued" stays). A ``Measure_short`` listed under two topics with
  two different ``Measure`` names is shown by LAIT under both names, and so is it in the
  view (the importer stores the figures once, under one name); each name's dictionary
  row gives its polarity and No_Quartile, so the two can band differently.

The 40 measures are chosen by the rule in ``choose_measures`` and the 12 councils are
``COUNCILS``; every column is compared for those, and rank, band, value and ranked_count
for every council of the 40 measures.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass, field

import openpyxl
import pyarrow.parquet as pq
import pytest

from loaders import store
from loaders.importer import import_file
from tests.helpers import FULL_DATASET, FULL_DICTIONARY, REAL

NEIGHBOURS = REAL / "lait_sn_may_2025.xlsx"

pytestmark = pytest.mark.skipif(
    not (FULL_DATASET.exists() and FULL_DICTIONARY.exists() and NEIGHBOURS.exists()),
    reason="the full LAIT files (data set, dictionary, neighbours) are in ../shared/real-data",
)

N_MEASURES = 40
COUNCILS = [
    "Isles of Scilly",  # the smallest council
    "City of London",  # the smallest London council, Inner London
    "Rutland",  # the smallest shire unitary
    "Camden",  # Inner London borough
    "Barnet",  # Outer London borough
    "Leeds",  # metropolitan district
    "St. Helens",  # metropolitan district, "St Helens" in other files
    "Kent",  # county
    "Bristol, City of",  # unitary, a comma in its name
    "Cumbria",  # former council (2023) that still has values for some measures
    "Northamptonshire",  # former council (2021)
    "Dorset (Pre LG)",  # former council (2019), neighbours under "Old SNs:"
]
COLUMNS = [
    "value", "previous_period", "previous_value", "change", "polarity", "rank",
    "ranked_count", "band", "q25", "q50", "q75", "sn_average", "sn_count", "region",
    "region_value", "england_value",
]  # fmt: skip
FLOATS = {"value", "previous_value", "change", "q25", "q50", "q75", "sn_average"}
FLOATS |= {"region_value", "england_value"}

# --- the published files, read without the project's loaders ---------------------------------

# what R's as.numeric reads: a decimal number, optionally signed, with an exponent
_R_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


def lait_number(text: str | None) -> float | None:
    """``values_num``: the text as a double; anything else (markers "-", "c", "x", ":",
    "..", blanks) is missing, never zero."""
    if text is None or not _R_NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


@dataclass
class Measure:
    short: str
    years: list[str] = field(default_factory=list)  # text order, without "0"
    all_years: set[str] = field(default_factory=set)
    values: dict[tuple[str, str], float | None] = field(default_factory=dict)  # (area, year)


@dataclass
class Lait:
    measures: dict[str, Measure]
    councils: list[str]  # la_names_bds
    dictionary: dict[str, dict[str, str]]  # Measure -> its (first) dictionary row
    names_of_short: dict[str, list[str]]  # Measure_short -> its Measure names
    region_of: dict[str, str]  # council -> GOReg
    neighbours_of: dict[str, list[str]]  # council -> its ten neighbours' names
    former: set[str]  # councils listed under "Old SNs:"


def read_dataset() -> tuple[dict[str, Measure], list[str]]:
    table = pq.read_table(
        FULL_DATASET, columns=["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
    ).to_pydict()
    measures: dict[str, Measure] = {}
    numbers: dict[str, set[float]] = {}
    parsed: dict[str, float | None] = {}
    for short, year, area, text, number in zip(*table.values(), strict=True):
        m = measures.get(short) or measures.setdefault(short, Measure(short))
        m.all_years.add(year)
        if text not in parsed:
            parsed[text] = lait_number(text)
        m.values[(area, year)] = parsed[text]
        numbers.setdefault(area, set()).add(number)
    for m in measures.values():
        m.years = sorted(m.all_years - {"0"})
    councils = sorted(a for a, ns in numbers.items() if all(n < 970 for n in ns))
    return measures, councils


def read_dictionary() -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    with FULL_DICTIONARY.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    by_name: dict[str, dict[str, str]] = {}
    names_of_short: dict[str, list[str]] = {}
    for row in rows:
        if "DISCONTINUE" in (row["Table_status"] or ""):
            continue
        by_name.setdefault(row["Measure"], row)
        names = names_of_short.setdefault(row["Measure_short"].strip(), [])
        if row["Measure"] not in names:
            names.append(row["Measure"])
    return by_name, names_of_short


def read_neighbours() -> tuple[dict[str, str], dict[str, list[str]], set[str]]:
    """LAIT's sheet "LA SN Groups": a header row naming LA num, LA Name, GOReg, SN1..SN10;
    a row per council; under an "Old SNs:" line the former councils."""
    wb = openpyxl.load_workbook(NEIGHBOURS, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in wb["LA SN Groups"].iter_rows(values_only=True)]
    finally:
        wb.close()
    top = next(i for i, r in enumerate(rows) if r and r[0] == "LA num")
    header = rows[top]
    col = {name: header.index(name) for name in ("LA num", "LA Name", "GOReg")}
    sn_cols = [header.index(f"SN{k}") for k in range(1, 11)]
    name_of: dict[int, str] = {}
    groups: dict[str, tuple[str, list[int]]] = {}
    former: set[str] = set()
    old = False
    for row in rows[top + 1 :]:
        if any(isinstance(c, str) and c.strip().startswith("Old SNs") for c in row if c):
            old = True
        if row[col["LA num"]] is None:  # stat_n: rows without an LA num are dropped
            continue
        code, name = int(row[col["LA num"]]), row[col["LA Name"]].strip()
        name_of[code] = name
        groups[name] = (row[col["GOReg"]].strip(), [int(row[c]) for c in sn_cols])
        if old:
            former.add(name)
    region_of = {name: region for name, (region, _) in groups.items()}
    neighbours_of = {name: [name_of[c] for c in codes] for name, (_, codes) in groups.items()}
    return region_of, neighbours_of, former


# --- LAIT's rules -------------------------------------------------------------------------------


def r_quantile7(values: list[float], p: float) -> float:
    """R's ``quantile(x, p)`` (type 7) as ``quantile.default`` computes it: index =
    1 + (n - 1)p, qs = x[lo], and where index > lo and x[hi] != qs, (1 - h)qs + h x[hi]."""
    xs = sorted(values)
    index = 1 + max(len(xs) - 1, 0) * p
    lo, hi = math.floor(index), math.ceil(index)
    qs = xs[lo - 1]
    if index > lo and xs[hi - 1] != qs:
        h = index - lo
        qs = (1 - h) * qs + h * xs[hi - 1]
    return qs


def lait_rank(value: float, others: list[float], polarity: str) -> int:
    """``rank(..., ties.method = "min")``: one more than the number strictly better."""
    if polarity == "High":
        return 1 + sum(1 for v in others if v > value)
    return 1 + sum(1 for v in others if v < value)


def lait_band(value: float, cuts: tuple[float, float, float], polarity: str) -> str:
    """``calculate_quartile_band``: intervals (min, q25], (q25, q50], (q50, q75], (q75, max]
    are A-D for Low and D-A for High."""
    q25, q50, q75 = cuts
    position = 0 if value <= q25 else 1 if value <= q50 else 2 if value <= q75 else 3
    return ("ABCD" if polarity == "Low" else "DCBA")[position]


def latest_and_previous(m: Measure) -> tuple[str, str | None]:
    return m.years[-1], (m.years[-2] if len(m.years) > 1 else None)


def clean_ldn_region(region: str, m: Measure) -> str:
    """London when a council's Inner/Outer London has no value for the measure in any
    year (its rows in every year, "0" included, as LAIT filters them)."""
    if region.startswith("London"):
        values = [v for (area, _), v in m.values.items() if area == region]
        if all(v is None for v in values):
            return "London"
    return region


def expected_rows(m: Measure, name: str, lait: Lait) -> tuple[str, dict[str, dict]]:
    """The measure's latest year and every council's row for it, by LAIT's rules."""
    row = lait.dictionary[name]
    polarity = row["Polarity"] if row["Polarity"] in ("High", "Low") else None
    no_quartile = row["No_Quartile"] == "N"
    latest, previous = latest_and_previous(m)
    values = {c: m.values.get((c, latest)) for c in lait.councils}
    have = [v for v in values.values() if v is not None]
    n = len(have)
    cuts = tuple(r_quantile7(have, p) for p in (0.25, 0.5, 0.75)) if n else None
    regions = {r: clean_ldn_region(r, m) for r in set(lait.region_of.values())}
    out = {}
    for council, value in values.items():
        prev = m.values.get((council, previous)) if previous else None
        neighbours = [m.values.get((s, latest)) for s in lait.neighbours_of.get(council, [])]
        with_value = [v for v in neighbours if v is not None]
        region = regions[lait.region_of[council]] if council in lait.region_of else None
        ranked = polarity is not None and value is not None
        out[council] = {
            "value": value,
            "previous_period": previous,
            "previous_value": prev,
            "change": value - prev if value is not None and prev is not None else None,
            "polarity": {"High": "higher", "Low": "lower"}.get(polarity or ""),
            "rank": lait_rank(value, have, polarity) if ranked else None,
            "ranked_count": n if polarity is not None else None,
            "band": lait_band(value, cuts, polarity) if ranked and not no_quartile else None,
            "q25": cuts[0] if cuts and not no_quartile else None,
            "q50": cuts[1] if cuts and not no_quartile else None,
            "q75": cuts[2] if cuts and not no_quartile else None,
            "sn_average": math.fsum(with_value) / len(with_value) if with_value else None,
            "sn_count": len(with_value),
            "region": region,
            "region_value": m.values.get((region, latest)) if region else None,
            "england_value": m.values.get(("England", latest)),
        }
    return latest, out


# --- which measures -----------------------------------------------------------------------------


def measure_features(m: Measure, lait: Lait) -> dict[str, bool | str]:
    """What makes a measure an interesting case, from the raw files alone."""
    rows = [lait.dictionary[name] for name in lait.names_of_short[m.short]]
    row = rows[0]  # polarity and year type are the same under every name
    latest, _ = latest_and_previous(m)
    values = {c: m.values.get((c, latest)) for c in lait.councils}
    have = [v for v in values.values() if v is not None]
    cuts = {r_quantile7(have, p) for p in (0.25, 0.5, 0.75)} if have else set()
    current = [v for c, v in values.items() if c not in lait.former]

    def london(area: str, year: str | None = None) -> list[float | None]:
        return [v for (a, y), v in m.values.items() if a == area and year in (None, y)]

    inner_any = any(v is not None for v in london("London (Inner)"))
    return {
        "polarity": row["Polarity"],
        "no_quartile": all(r["No_Quartile"] == "N" for r in rows),  # whichever is loaded
        "year_type": row["Year_Type"],
        "prov": "(prov)" in latest,
        "rev": "(Rev)" in latest,
        "ot": "(OT)" in latest,
        "slash": "/" in latest,
        "dash": "-" in latest and "(OT)" not in latest,
        "suppressed": sum(v is None for v in current) >= 3,
        "ties": len(have) != len(set(have)),
        "on_cut": any(v in cuts for v in have),
        "former_value": any(values[c] is not None for c in lait.former if c in values),
        "london_fallback": not inner_any,
        "inner_gap": inner_any and all(v is None for v in london("London (Inner)", latest)),
        "year_zero": "0" in m.all_years,
        "single_year": len(m.years) == 1,
        "two_names": len(lait.names_of_short[m.short]) > 1,
    }


# (what, how many at least): filled in a fixed order of the measures, a hash of the short
# name (spread over topics, stable from run to run), then the rest of the 40 in that order
WANTS = [
    ("polarity High", lambda f: f["polarity"] == "High", 8),
    ("polarity Low", lambda f: f["polarity"] == "Low", 8),
    ('polarity "-"', lambda f: f["polarity"] == "-", 3),
    ("polarity NA", lambda f: f["polarity"] == "NA", 2),
    ("No_Quartile", lambda f: f["no_quartile"], 3),
    ("No_Quartile, High/Low", lambda f: f["no_quartile"] and f["polarity"] in ("High", "Low"), 2),
    ('"(prov)" label', lambda f: f["prov"], 2),
    ('"(Rev)" label', lambda f: f["rev"], 2),
    ('"(OT)" label', lambda f: f["ot"], 2),
    ('"2022/23" label', lambda f: f["slash"], 2),
    ('"2023-24" label', lambda f: f["dash"], 2),
    ("Financial Year", lambda f: f["year_type"] == "Financial Year", 2),
    ("Academic Year", lambda f: f["year_type"] == "Academic Year", 2),
    ("suppressed councils", lambda f: f["suppressed"], 4),
    ("ties", lambda f: f["ties"], 4),
    ("a value on a cut point", lambda f: f["on_cut"], 3),
    ("a former council's value", lambda f: f["former_value"], 2),
    ("no Inner/Outer London figures", lambda f: f["london_fallback"], 2),
    ("Inner London missing in the latest year only", lambda f: f["inner_gap"], 1),
    ('a year "0"', lambda f: f["year_zero"], 1),
    ("a single year", lambda f: f["single_year"], 1),
    ("two dictionary names", lambda f: f["two_names"], 1),
]


def choose_measures(lait: Lait) -> tuple[list[str], dict[str, dict]]:
    features = {s: measure_features(m, lait) for s, m in lait.measures.items()}
    order = sorted(features, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    chosen: list[str] = []
    for _, wanted, count in WANTS:
        for short in order:
            if sum(1 for s in chosen if wanted(features[s])) >= count:
                break
            if short not in chosen and wanted(features[short]):
                chosen.append(short)
    chosen += [s for s in order if s not in chosen][: N_MEASURES - len(chosen)]
    assert len(chosen) == N_MEASURES, f"the wants alone took {len(chosen)} measures"
    return chosen, features


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lait() -> Lait:
    measures, councils = read_dataset()
    dictionary, names_of_short = read_dictionary()
    region_of, neighbours_of, former = read_neighbours()
    return Lait(measures, councils, dictionary, names_of_short, region_of, neighbours_of, former)


@pytest.fixture(scope="module")
def chosen(lait):
    return choose_measures(lait)


@pytest.fixture(scope="module")
def view(tmp_path_factory, lait, chosen):
    """The view's rows for the chosen measures' dictionary names after importing the three
    files: {(indicator, area, period_label): row}."""
    shorts, _ = chosen
    names = sorted({n for s in shorts for n in lait.names_of_short[s]})
    con = store.connect(tmp_path_factory.mktemp("lait_parity") / "x.duckdb")
    try:
        for path in (FULL_DICTIONARY, FULL_DATASET, NEIGHBOURS):
            import_file(con, path)
        cur = con.execute(
            f"SELECT * FROM kpi_benchmarks WHERE indicator IN ({', '.join('?' for _ in names)})",
            names,
        )
        columns = [d[0] for d in cur.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    return {(r["indicator"], r["area"], r["period_label"]): r for r in rows}


@pytest.fixture(scope="module")
def names(lait, chosen, view):
    """Every dictionary name of each chosen measure, as (short, name): LAIT shows a measure
    under each of its names, and the view must too."""
    shorts, _ = chosen
    in_view = {k[0] for k in view}
    pairs = [(short, name) for short in shorts for name in sorted(lait.names_of_short[short])]
    missing = [pair for pair in pairs if pair[1] not in in_view]
    assert not missing, f"not in the view: {missing}"
    return pairs


@pytest.fixture(scope="module")
def expected(lait, names):
    return {(s, n): expected_rows(lait.measures[s], n, lait) for s, n in names}


# --- comparing ---------------------------------------------------------------------------------


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def same(column: str, want, got) -> bool:
    if _missing(want) or _missing(got):
        return _missing(want) and _missing(got)  # NULL and NaN are both missing
    if column in FLOATS:
        return math.isclose(want, got, rel_tol=1e-12)
    return want == got


def mismatches(expected, view, councils, columns) -> list[tuple]:
    """(measure, council, column, LAIT, view) for every disagreement at the latest year."""
    found = []
    for (short, name), (latest, rows) in expected.items():
        for council in councils:
            got = view.get((name, council, latest))
            for column in columns:
                want = rows[council][column]
                if got is None:
                    found.append((f"{short} as {name!r}", council, column, want, "<no row>"))
                elif not same(column, want, got[column]):
                    found.append((f"{short} as {name!r}", council, column, want, got[column]))
    return found


def table(found: list[tuple], limit: int = 40) -> str:
    lines = [f"{len(found)} mismatches (measure | council | column | LAIT | view):"]
    for short, council, column, want, got in found[:limit]:
        lines.append(f"  {short} | {council} | {column} | {want!r} | {got!r}")
    if len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more")
    return "\n".join(lines)


# --- the tests ----------------------------------------------------------------------------------


def test_files_agree_as_lait_requires(lait):
    # global.R: the same councils in the data set and the neighbours workbook, by name
    assert set(lait.councils) == set(lait.neighbours_of)
    assert all(s in lait.neighbours_of for ns in lait.neighbours_of.values() for s in ns)
    assert all(len(ns) == 10 for ns in lait.neighbours_of.values())
    assert set(COUNCILS) <= set(lait.councils)
    for names in lait.names_of_short.values():  # a measure under two names: one polarity
        assert len({lait.dictionary[n]["Polarity"] for n in names}) == 1, names
    assert {"Cumbria", "Northamptonshire", "Dorset (Pre LG)"} <= lait.former
    areas = {a for m in lait.measures.values() for (a, _) in m.values}
    assert set(lait.region_of.values()) | {"London", "England"} <= areas


def test_choice_has_variety(chosen):
    shorts, features = chosen
    assert len(set(shorts)) == N_MEASURES
    for what, wanted, count in WANTS:
        available = sum(1 for f in features.values() if wanted(f))
        got = sum(1 for s in shorts if wanted(features[s]))
        assert got >= min(count, available), f"{what}: {got} of {available}"
        assert available > 0, f"no measure has {what}"


def test_label_orders_agree(lait, chosen):
    """R picks the latest year by text (slice_max) and the year before it by the first four
    characters (Years_num): the same where no two labels of a measure share a year."""
    for short in chosen[0]:
        years = lait.measures[short].years
        starts = [int(y[:4]) for y in years]
        assert starts == sorted(starts) and len(set(starts)) == len(starts), (short, years)


def test_periods_are_the_published_years(lait, view, names):
    for short, name in names:
        labels = {p for (i, _, p) in view if i == name}
        assert labels == set(lait.measures[short].years), (short, name)


@pytest.mark.parametrize("column", COLUMNS)
def test_twelve_councils_match_lait(expected, view, column):
    found = mismatches(expected, view, COUNCILS, [column])
    assert not found, table(found)


def test_every_council_rank_and_band_match_lait(lait, expected, view):
    columns = ["value", "rank", "band", "ranked_count"]
    found = mismatches(expected, view, lait.councils, columns)
    assert not found, table(found)
