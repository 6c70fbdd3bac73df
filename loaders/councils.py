"""The councils of England with their codes and region, and matching the names people write.

``councils.csv`` (beside this module, public data under the Open Government Licence) is built
by ``python -m loaders.councils build <real-data folder>`` from the DfE statistical-neighbour
model, the DfE's tidy statistics and LAIT; nothing reads those sources at run time.
Names are matched only through the normalisations listed here, never by guessing: a name
that fits no council, or fits two, is not matched.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

COUNCILS_CSV = Path(__file__).with_name("councils.csv")
COLUMNS = ("old_la_code", "new_la_code", "la_name", "region", "former", "other_names")

# Names people use that no normalisation derives from the DfE's, each unique in England.
EXTRA_NAMES = {
    "810": ("Hull",),
    "822": ("Bedford Borough",),
    "840": ("Durham",),
    "811": ("East Riding",),
    "882": ("Southend",),
    "836": ("Poole",),
    "837": ("Bournemouth",),
}
# Words around a council's name that do not change which council it is ("Royal Borough of
# Greenwich", "Leeds City Council"); stripped only when nothing matched with them kept.
PREFIXES = (
    "royal borough of",
    "london borough of",
    "metropolitan borough of",
    "borough of",
    "council of the",
    "city of",
    "county of",
    "the",
)
SUFFIXES = (
    "metropolitan borough council",
    "metropolitan district council",
    "borough council",
    "county council",
    "city council",
    "district council",
    "unitary authority",
    "council",
)
# Names that stripping must never turn into a council: "City of London" less "City of" is
# the region, not the council.
NOT_COUNCILS = frozenset(
    {
        "england",
        "london",
        "inner london",
        "outer london",
        "london inner",
        "london outer",
        "north east",
        "north west",
        "yorkshire and the humber",
        "east midlands",
        "west midlands",
        "east of england",
        "south east",
        "south west",
    }
)
CANDIDATE_CUTOFF = 0.5  # similarity (difflib ratio) a name needs to be offered as a choice
LIKELY_CUTOFF = 0.8  # similarity the best candidate needs to be preselected


@dataclass(frozen=True)
class Council:
    old_la_code: str  # the DfE's 3-digit code, what neighbour lists join on
    new_la_code: str | None  # the ONS E-code, the latest where it changed
    la_name: str  # the DfE statistical-neighbour model's name
    region: str | None
    former: bool = False  # abolished (Cumbria, Northamptonshire, pre-2019 Dorset ...)
    other_names: tuple[str, ...] = ()


@functools.cache
def councils() -> tuple[Council, ...]:
    """Every council in ``councils.csv``, current ones first."""
    with COUNCILS_CSV.open(encoding="utf-8", newline="") as f:
        return tuple(
            Council(
                row["old_la_code"],
                row["new_la_code"] or None,
                row["la_name"],
                row["region"] or None,
                row["former"] == "yes",
                tuple(n for n in row["other_names"].split(";") if n),
            )
            for row in csv.DictReader(f)
        )


def by_code(old_la_code: str) -> Council | None:
    return _by_code().get(old_la_code)


@functools.cache
def _by_code() -> dict[str, Council]:
    return {c.old_la_code: c for c in councils()}


def by_new_code(code: str) -> Council | None:
    """The council whose ONS E-code this is (a current council before a former one)."""
    return _by_new_code().get(code.strip().upper())


@functools.cache
def _by_new_code() -> dict[str, Council]:
    found: dict[str, Council] = {}
    for council in councils():  # current councils first
        if council.new_la_code:
            found.setdefault(council.new_la_code, council)
    return found


@dataclass(frozen=True)
class Identified:
    """The council an area of a metrics file is, how that is known, and any doubt."""

    council: Council | None
    evidence: str = ""
    contradiction: str | None = None  # the file's code against the councils table


def identify_area(code: str | None, name: str | None) -> Identified:
    """The council an area's E-code or name identifies. A code and a name that point at two
    councils identify neither; a code other than the table's for the council its name
    matches is a contradiction (the file's code is kept, the council is its name's)."""
    coded = by_new_code(code) if code else None
    matched = match_council(name) if name and name != code else None
    named = matched[0] if matched else None
    if coded and named and coded.old_la_code != named.old_la_code:
        return Identified(
            None,
            contradiction=f"its code {code} is {coded.la_name}'s in the councils table, but its "
            f"name is {named.la_name}'s",
        )
    if coded:
        return Identified(coded, f"its code {code}")
    if named is None:
        return Identified(None)
    evidence = f"its name ({matched[1]} match to '{named.la_name}')"
    if code and named.new_la_code and code != named.new_la_code:
        return Identified(
            named,
            evidence,
            f"its code {code} is not {named.la_name}'s in the councils table ({named.new_la_code})",
        )
    return Identified(named, evidence)


def _spaced(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _plain(text: str) -> str:
    """Case and spacing ignored."""
    return _spaced(text).casefold()


def _punctuated(text: str) -> str:
    """Also "&"/"and", full stops, apostrophes, hyphens and commas ignored; "Saint" is "St"."""
    text = _plain(text).replace("&", " and ")
    text = re.sub(r"[.'’‘`]", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join("st" if w == "saint" else w for w in text.split())


def _reordered(text: str) -> str | None:
    """ "Bristol, City of" as "City of Bristol" (None without exactly one comma)."""
    head, comma, tail = text.partition(",")
    if not comma or "," in tail:
        return None
    return _punctuated(f"{tail} {head}")


def _stripped(text: str) -> str | None:
    """Council words removed from either end; None if what is left is a region or nothing."""
    words = f" {text} "
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if words.startswith(f" {prefix} ") and len(words) > len(prefix) + 2:
                words, changed = words[len(prefix) + 1 :], True
        for suffix in SUFFIXES:
            if words.endswith(f" {suffix} ") and len(words) > len(suffix) + 2:
                words, changed = words[: -len(suffix) - 1], True
    key = words.strip()
    return key if key and key not in NOT_COUNCILS else None


def _keys(name: str) -> list[tuple[str, str]]:
    """A name's keys from strictest to loosest, each with how it differs from the name."""
    keys = [("exact", _spaced(name)), ("case", _plain(name)), ("punctuation", _punctuated(name))]
    reordered = _reordered(name)
    if reordered:
        keys.append(("word order", reordered))
    for _, key in list(keys[2:]):
        stripped = _stripped(key)
        if stripped and stripped != key:
            keys.append(("council words", stripped))
    return keys


STAGES = ("exact", "case", "punctuation", "word order", "council words")


@functools.cache
def _index() -> dict[str, dict[str, set[str]]]:
    """Stage -> key -> the councils with a name having that key at that stage or a stricter one."""
    index: dict[str, dict[str, set[str]]] = {}
    for i, stage in enumerate(STAGES):
        index[stage] = {}
        for council in councils():
            for name in (council.la_name, *council.other_names):
                for key in _keys_upto(name, i):
                    index[stage].setdefault(key, set()).add(council.old_la_code)
    return index


def _keys_upto(name: str, stage: int) -> set[str]:
    return {key for s, key in _keys(name) if STAGES.index(s) <= stage}


def match_council(name: object) -> tuple[Council, str] | None:
    """The council a name means and how it was recognised ("exact", "punctuation" ...).

    Each normalisation is tried in turn, strictest first; None if the first that finds
    anything finds two councils, or none finds any.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    return _match(name)


@functools.lru_cache(maxsize=4096)
def _match(name: str) -> tuple[Council, str] | None:
    index = _index()
    for i, stage in enumerate(STAGES):
        found = set().union(*(index[stage].get(k, set()) for k in _keys_upto(name, i)))
        if len(found) > 1:
            return None
        if found:
            council = _by_code()[found.pop()]
            return council, _how(name, council)
    return None


def _how(name: str, council: Council) -> str:
    """How the name differs from the council's own name, in the words of the stages."""
    for i, stage in enumerate(STAGES):
        if _keys_upto(name, i) & _keys_upto(council.la_name, i):
            return stage
    return "other name"


def nearest_councils(name: str, n: int = 5) -> list[tuple[Council, float]]:
    """Up to ``n`` current councils whose names look most like ``name``, most alike first."""
    key = _punctuated(name)
    loose = _stripped(key) or key
    scores: dict[str, float] = {}
    for council in councils():
        if council.former:
            continue
        for other in (council.la_name, *council.other_names):
            for _, candidate in _keys(other)[2:]:
                ratio = max(
                    difflib.SequenceMatcher(None, k, candidate).ratio() for k in {key, loose}
                )
                if ratio > scores.get(council.old_la_code, 0.0):
                    scores[council.old_la_code] = ratio
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(_by_code()[code], s) for code, s in ranked[:n] if s >= CANDIDATE_CUTOFF]


# --- Building councils.csv (a developer's step; never at run time) -------------------------


def build_rows(real_data: Path) -> list[dict[str, str]]:
    """The rows of ``councils.csv`` from the DfE model, the DfE's statistics and LAIT."""
    import pyarrow.parquet as pq

    rows: dict[str, dict[str, str]] = {}
    names: dict[str, list[str]] = {}
    with (real_data / "sn_model_2025_wide.csv").open(encoding="utf-8-sig", newline="") as f:
        for record in csv.DictReader(f):
            code = record["old_la_code"].strip()
            rows[code] = {
                "old_la_code": code,
                "new_la_code": "",
                "la_name": record["la_name"].strip(),
                "region": record["region_name"].strip(),
                "former": "",
            }
    # E-codes: where a council was given a new one the files disagree for a while (Barnsley
    # is E08000038 in one 2025 file, E08000016 in another), so take the code first seen latest.
    first_seen: dict[str, dict[str, str]] = {}
    for path in sorted(real_data.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not {"la_name", "old_la_code", "new_la_code"} <= set(reader.fieldnames or []):
                continue
            for record in reader:
                code = record["old_la_code"].strip()
                if not code.isdigit():
                    continue  # England, regions, and joint codes such as "940 / 941"
                seen = first_seen.setdefault(code, {})
                new_code, period = record["new_la_code"].strip(), record.get("time_period", "")
                seen[new_code] = min(seen.get(new_code, period), period)
                rows.setdefault(code, _former(code, record["la_name"], ""))
                names.setdefault(code, []).append(record["la_name"].strip())
    for code, seen in first_seen.items():
        rows[code]["new_la_code"] = max(seen, key=lambda c: (seen[c], c))
    lait = pq.read_table(
        real_data / "lait_bds_long.parquet", columns=["LA and Regions", "LA Number", "Region"]
    )
    for name, number, region in set(zip(*(c.to_pylist() for c in lait.columns), strict=True)):
        code = f"{int(number)}" if number is not None else ""
        if region in (None, "NA") or not code:
            continue  # England and the regions
        if code not in rows or rows[code]["former"]:
            rows[code] = _former(code, name, region, rows.get(code, {}).get("new_la_code", ""))
        names.setdefault(code, []).append(name)
    for code, extra in EXTRA_NAMES.items():
        names.setdefault(code, []).extend(extra)
    # A former council's plain name ("Dorset" in older statistics) means its successor now.
    current = {_plain(r["la_name"]) for r in rows.values() if not r["former"]}
    for code, row in rows.items():
        others = {n for n in names.get(code, []) if n != row["la_name"]}
        if row["former"]:
            others = {n for n in others if _plain(n) not in current}
        row["other_names"] = ";".join(sorted(others))
    return sorted(rows.values(), key=lambda r: (r["former"], r["la_name"]))


def _former(code: str, name: str, region: str, new_code: str = "") -> dict[str, str]:
    """A council with no row in the current model: abolished, named as LAIT names it."""
    region = "London" if "London" in region else region
    return {
        "old_la_code": code,
        "new_la_code": new_code,
        "la_name": name,
        "region": region.replace("Yorkshire and the Humber", "Yorkshire and The Humber"),
        "former": "yes",
    }


def write_csv(rows: list[dict[str, str]], path: Path = COUNCILS_CSV) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        sys.exit("usage: python -m loaders.councils build <real-data folder>")
    write_csv(build_rows(Path(sys.argv[2])))
