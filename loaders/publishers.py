"""What each publisher means by its time periods: one table, each line with its reason.

The DfE's explore-education-statistics (EES) files label every period with a
``time_identifier``. Most identifiers mean the same in every publication ("Financial year"
201718 is April 2017 to March 2018), but "Reporting year" means the publication's own
collection year, so the publication decides. The file does not name its publication, so it
is recognised from its columns and filter values (certain) or its file name (asked to
confirm). A meaning this table does not give is a question to the officer, never a guess.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from loaders.errors import LoaderError
from loaders.interpret import Answers, Interpretation, Question

# What a period meaning is called in an answer, and the key ``periods.from_dfe`` reads.
CHOICES = {
    "year ending 31 March (financial year)": "financial_year",
    "calendar year": "calendar_year",
    "academic year": "academic_year",
    "year ending 30 September": "year_to_september",
}
MEANING_TEXT = {key: text for text, key in CHOICES.items()} | {
    "month": "a calendar month",
    "financial_quarter": "a quarter of the financial year (Q1 = April to June)",
}
QUESTION_KEY = "period meaning '{}'"


@dataclass(frozen=True)
class Publication:
    """A DfE statistics publication, and how its files can be told apart from others'."""

    name: str
    short: str  # said in evidence: "in a children-looked-after publication"
    columns: frozenset[str] = frozenset()  # columns only its files have
    phrases: tuple[str, ...] = ()  # words in its filter values ("looked after")
    file_words: tuple[str, ...] = ()  # words in its files' names: weaker, so confirmed


# Readable names, units and polarity of the social work workforce's measures (one column
# each); any other measure is named from its column ("caseload_fte" -> "Caseload fte").
KNOWN_MEASURES: dict[str, tuple[str, str | None, str | None]] = {
    "inpost_fte": ("Social workers in post (FTE)", "FTE", "neutral"),
    "inpost_headcount": ("Social workers in post (headcount)", "people", "neutral"),
    "starters_fte": ("Social worker starters (FTE)", "FTE", "neutral"),
    "starters_headcount": ("Social worker starters (headcount)", "people", "neutral"),
    "leavers_fte": ("Social worker leavers (FTE)", "FTE", "lower"),
    "leavers_headcount": ("Social worker leavers (headcount)", "people", "lower"),
    "turnover_rate_fte": ("Social worker turnover rate (FTE)", "%", "lower"),
    "turnover_rate_headcount": ("Social worker turnover rate (headcount)", "%", "lower"),
    "agency_fte": ("Agency social workers (FTE)", "FTE", "lower"),
    "agency_headcount": ("Agency social workers (headcount)", "people", "lower"),
    "agency_rate_fte": ("Agency social worker rate (FTE)", "%", "lower"),
    "agency_rate_headcount": ("Agency social worker rate (headcount)", "%", "lower"),
    "agency_cover_fte": ("Agency workers covering vacancies (FTE)", "FTE", "neutral"),
    "agency_cover_rate_fte": ("Agency cover rate of vacancies (FTE)", "%", "neutral"),
    "vacancy_fte": ("Social worker vacancies (FTE)", "FTE", "lower"),
    "vacancy_rate_fte": ("Social worker vacancy rate (FTE)", "%", "lower"),
    "vacancy_agency_cover_rate_fte": ("Vacancies covered by agency workers (FTE)", "%", "neutral"),
    "case_holders_fte": ("Case-holding social workers (FTE)", "FTE", "neutral"),
    "cases": ("Cases held by social workers", "cases", "neutral"),
    "caseload_fte": ("Average caseload per social worker (FTE)", "cases", "lower"),
    "working_days_lost_fte": ("Working days lost to sickness (FTE)", "days", "lower"),
    "absence_rate_fte": ("Social worker sickness absence rate (FTE)", "%", "lower"),
}
# Polarity of the looked-after children's health outcome measures, by their breakdown.
KNOWN_POLARITY = {
    "had their annual health assessment": "higher",
    "had their immunisations up to date": "higher",
    "had their teeth checked by a dentist": "higher",
    "development assessments up to date": "higher",
    "sdq score was received": "higher",
    "sdq average score": "lower",
    "sdq score is normal": "higher",
    "sdq score is borderline": "lower",
    "sdq score is a cause for concern": "lower",
    "identified as having a substance misuse problem": "lower",
    "received an intervention for their substance misuse problem": "higher",
    "offered intervention but refused it": "lower",
    "convicted or subject to youth cautions, or youth conditional cautions during the year": "lower",
}


CLA = Publication(
    "Children looked after in England including adoptions",
    "children-looked-after",
    phrases=("looked after", "looked-after", "care leaver"),
    file_words=("cla", "looked after", "care leavers"),
)
CIN = Publication(
    "Characteristics of children in need",
    "children-in-need",
    phrases=("children in need", "child protection plan"),
    file_words=("cin", "children in need"),
)
CSWW = Publication(
    "Children's social work workforce",
    "social-work-workforce",
    columns=frozenset(KNOWN_MEASURES),
    file_words=("csww", "social work workforce"),
)
PUBLICATIONS = (CLA, CIN, CSWW)

# THE table: (publication, or None for every publication; time_identifier; meaning; why).
PERIOD_MEANINGS: tuple[tuple[Publication | None, str, str, str], ...] = (
    # EES's own conventions (its data screener's list of time identifiers; six-digit periods
    # such as 201718 name the year's two calendar years).
    (None, "Financial year", "financial_year", "EES: 201718 is 1 April 2017 to 31 March 2018"),
    (None, "Academic year", "academic_year", "EES: 201718 is the school year from September 2017"),
    (None, "Calendar year", "calendar_year", "EES: 2017 is January to December 2017"),
    *(
        (
            None,
            f"Financial year Q{q}",
            "financial_quarter",
            "EES: quarter of 201718, Q1 = April to June",
        )
        for q in range(1, 5)
    ),
    *((None, calendar.month_name[m], "month", "EES: that month of the year") for m in range(1, 13)),
    # The SSDA903 return behind the looked-after children statistics covers 1 April to
    # 31 March; its data sets say so ("CLA on 31 March for 12 months"), and the DfE's LAIT
    # dictionary files these measures as "Financial Year". "Reporting year 2025" = 2024/25.
    (CLA, "Reporting year", "financial_year", "SSDA903 collection year: year ending 31 March"),
    # The children in need census covers 1 April to 31 March (EES methodology).
    (CIN, "Reporting year", "financial_year", "children in need census: year ending 31 March"),
    # EES data guidance for the workforce: "Each reporting year covers the period 1 October
    # to 30 September"; posts, vacancies and caseloads are counted at 30 September, starters,
    # leavers and sickness over the year (LAIT: "Annual (end of Sept)"). Not a financial year.
    (CSWW, "Reporting year", "year_to_september", "workforce census: year ending 30 September"),
)


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def recognise(
    columns: Iterable[str], filter_values: Iterable[str], file_name: str
) -> list[tuple[Publication, str, bool]]:
    """The publications the file looks like: (publication, evidence, certain)."""
    columns = set(columns)
    texts = [v for v in filter_values if v]
    name = _words(file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    found = []
    for pub in PUBLICATIONS:
        hits = sorted(pub.columns & columns)
        text = next((t for t in texts if any(p in t.lower() for p in pub.phrases)), None)
        if hits:
            found.append((pub, f"columns {', '.join(hits[:3])}", True))
        elif text is not None:
            found.append((pub, f"filter value '{text}'", True))
        elif any(_words(w) in name for w in pub.file_words):
            found.append((pub, f"file name '{file_name}'", False))
    return found


def _meaning(publication: Publication | None, identifier: str) -> tuple[str, str] | None:
    for pub, ident, meaning, why in PERIOD_MEANINGS:
        if pub is publication and ident.lower() == identifier.strip().lower():
            return meaning, why
    return None


def meaning_of(identifier: str, publication: Publication | None = None) -> str | None:
    """What ``identifier`` means in every publication, or else in ``publication``."""
    found = _meaning(None, identifier) or (publication and _meaning(publication, identifier))
    return found[0] if found else None


@dataclass(frozen=True)
class Reading:
    """What one time_identifier of a file means, and why; or the question to ask."""

    identifier: str
    meaning: str | None  # a key of MEANING_TEXT; None when asked (or not a year at all)
    evidence: str = ""
    question: Question | None = None


def read_identifier(
    identifier: str,
    found: list[tuple[Publication, str, bool]],
    answers: Answers | None,
    examples: list[str],
) -> Reading:
    """Decide what ``identifier`` means in a file that looks like ``found``."""
    general = _meaning(None, identifier)
    if general:
        return Reading(identifier, general[0], f"time_identifier '{identifier}': {general[1]}")
    sure = {m[0] for pub, _, certain in found if certain and (m := _meaning(pub, identifier))}
    if len(sure) == 1:
        (meaning,) = sure
        pub, evidence = next((p, e) for p, e, c in found if c and _meaning(p, identifier))
        return Reading(
            identifier,
            meaning,
            f"time_identifier '{identifier}' in a {pub.short} publication ({evidence}): "
            f"{MEANING_TEXT[meaning].split(' (')[0]}",
        )
    if not identifier.strip().lower().endswith("year"):
        return Reading(identifier, None)  # terms, weeks, calendar quarters: not read
    key = QUESTION_KEY.format(identifier)
    answer = answers.get(key) if answers is not None else None
    if answer:
        meaning = _answered(answer, key)
        return Reading(identifier, meaning, f"the officer's answer to [{key}]")
    guesses = [(p, e, _meaning(p, identifier)) for p, e, c in found if not c]
    guess = next(((p, e, m[0]) for p, e, m in guesses if m), None)
    hint = (
        f" The file name suggests the {guess[0].name} statistics, where it is the "
        f"{MEANING_TEXT[guess[2]]}."
        if guess and not sure
        else ""
    )
    question = Question(
        key,
        f"What period does time_identifier '{identifier}' mean in this file? The DfE's "
        f"publications use it for different years and this file does not say which "
        f"publication it comes from.{hint}",
        tuple(CHOICES),
        likely=MEANING_TEXT[guess[2]] if guess and not sure else None,
        cells=tuple(examples),
    )
    return Reading(identifier, None, question=question)


def _answered(answer: str, key: str) -> str:
    text = answer.strip().lower()
    for choice, meaning in CHOICES.items():
        if text in (choice.lower(), meaning, meaning.replace("_", " ")):
            return meaning
    raise LoaderError(
        f"The answer '{answer}' for [{key}] is not one of: {'; '.join(CHOICES)}. "
        "Give one of these as written."
    )


def read_identifiers(
    examples: dict[str, list[str]],
    columns: list[str],
    filter_values: Callable[[], list[str]],
    file_name: str,
    interp: Interpretation,
    answers: Answers | None,
) -> dict[str, Reading]:
    """What each time_identifier of a file means (``examples``: a few of its periods each);
    the publication is looked for only when an identifier's meaning depends on it."""
    found = []
    if any(meaning_of(ident) is None for ident in examples):
        found = recognise(columns, filter_values(), file_name)
        for pub, evidence, certain in found:
            interp.decide("publication", "the file", pub.name, evidence, certain=certain)
    readings = {}
    for ident, cells in examples.items():
        readings[ident] = read_identifier(ident, found, answers, cells)
        if readings[ident].question is not None:
            interp.ask(readings[ident].question)
    return readings
