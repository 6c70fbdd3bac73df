"""The sentences under the views say what a reader would: ties named together, verbs that
agree with their numbers, no 'nan' for a missing lead."""

from __future__ import annotations

import pandas as pd
import pytest

from report.plans import most_red_text
from report.views import plural, shortened


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"Recommendation 1": 1, "Recommendation 8": 3}, "Recommendation 8 has the most Red actions (3)."),
        ({"Recommendation 2": 1, "Recommendation 8": 1}, "Recommendations 2 and 8 have the most Red actions (1 each)."),
        ({"Recommendation 2": 2, "Recommendation 5": 2, "Recommendation 8": 2},
         "Recommendations 2, 5 and 8 have the most Red actions (2 each)."),
        ({f"Recommendation {i}": 1 for i in range(1, 6)}, "5 recommendations have 1 Red action each."),
        ({"Ofsted rec 1": 2, "Service finding 1": 2}, "Ofsted rec 1 and Service finding 1 have the most Red actions (2 each)."),
    ],
)  # fmt: skip
def test_the_most_red_actions_names_every_tie(counts, expected):
    assert most_red_text(pd.Series(counts)) == expected


def test_a_missing_text_is_blank_never_nan():
    assert shortened(float("nan")) == "" and shortened(None) == "" and shortened(pd.NA) == ""
    assert shortened("  Head of   Service ") == "Head of Service"


def test_verbs_agree_with_their_numbers():
    assert plural(1, "was", "were") == "1 was" and plural(3, "was", "were") == "3 were"


def test_a_change_in_a_percentage_is_in_points():
    from charts.theme import format_change

    assert format_change(48.5, "%") == "+48.5 points"
    assert format_change(-2.0, "% of pupils") == "-2 points"
    assert format_change(-1200, "£") == "-£1,200" and format_change(3, None) == "+3"
    assert format_change(0, "%") == "0 points"
