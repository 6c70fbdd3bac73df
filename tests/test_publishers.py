"""What each DfE publication means by its time identifiers: the one table, and asking."""

from __future__ import annotations

import pytest

from loaders.interpret import Answers, Interpretation
from loaders.periods import PERIOD_PRIORITY, PERIOD_TYPES, from_dfe
from loaders.publishers import (
    CHOICES,
    CLA,
    CSWW,
    MEANING_TEXT,
    PERIOD_MEANINGS,
    PUBLICATIONS,
    read_identifiers,
    recognise,
)


def test_the_table_gives_a_readable_period_for_every_line():
    for publication, identifier, meaning, why in PERIOD_MEANINGS:
        assert meaning in MEANING_TEXT and why
        sample = "202425" if meaning == "financial_quarter" else "2025"
        period = from_dfe(sample, identifier, publication)
        assert period is not None and period.type in PERIOD_TYPES, (identifier, meaning)
    assert set(PERIOD_TYPES) == set(PERIOD_PRIORITY)
    # every answer an officer can give reads a four-digit year
    assert all(from_dfe("2025", "Reporting year", meaning=m) for m in CHOICES.values())
    # each publication says what its "Reporting year" is
    reporting = {pub for pub, ident, _, _ in PERIOD_MEANINGS if ident == "Reporting year"}
    assert reporting == set(PUBLICATIONS)


@pytest.mark.parametrize(
    ("columns", "values", "file_name", "expected"),
    [
        (["caseload_fte"], [], "data.csv", [(CSWW, "columns caseload_fte", True)]),
        (
            ["breakdown"],
            [None, "Children looked after all ages"],
            "data.csv",
            [(CLA, "filter value 'Children looked after all ages'", True)],
        ),
        (["rate"], [], "la_conviction_health_outcome_cla.csv", [
            (CLA, "file name 'la_conviction_health_outcome_cla.csv'", False)
        ]),
        (["rate"], [], "classes.csv", []),  # "cla" as a word, not inside another
    ],
)  # fmt: skip
def test_publications_are_recognised_by_their_columns_values_or_name(
    columns, values, file_name, expected
):
    assert recognise(columns, values, file_name) == expected


def test_publications_that_disagree_are_asked():
    interp = Interpretation("mixed.csv")
    readings = read_identifiers(
        {
            "Reporting year": ["2025 (Reporting year)"],
            "Financial year": ["202425 (Financial year)"],
        },
        ["caseload_fte", "characteristic"],
        lambda: ["Children looked after"],
        "mixed.csv",
        interp,
        Answers({}),
    )
    assert readings["Financial year"].meaning == "financial_year"
    assert readings["Reporting year"].meaning is None
    assert [q.key for q in interp.questions] == ["period meaning 'Reporting year'"]
    assert [d.reading for d in interp.decisions if d.topic == "publication"] == [
        CLA.name,
        CSWW.name,
    ]


def test_the_publication_is_looked_for_only_when_it_matters():
    called = []
    interp = Interpretation("demo.csv")
    read_identifiers(
        {"Financial year": ["201718 (Financial year)"]},
        [],
        lambda: called.append(1) or [],
        "demo.csv",
        interp,
        None,
    )
    assert called == [] and interp.decisions == [] and interp.questions == []


def test_publications_that_agree_need_no_question():
    interp = Interpretation("cin_cla.csv")
    readings = read_identifiers(
        {"Reporting year": ["2025 (Reporting year)"]},
        ["characteristic"],
        lambda: ["Children in need", "Children looked after"],
        "cin_cla.csv",
        interp,
        None,
    )
    assert readings["Reporting year"].meaning == "financial_year" and interp.questions == []
