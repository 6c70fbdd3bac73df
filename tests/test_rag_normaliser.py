"""RAG text and fill colours: parametrised tables plus properties that must hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.rag import (
    NOT_RATED,
    RAG_LEVELS,
    WORSE_OF_TWO,
    apply_tint,
    classify_colour,
    is_neutral_colour,
    normalise_rag,
    rate_confidence,
    theme_colours,
)

SYNONYMS = {
    "Complete": ["Complete", "Completed", "Blue", "B", "Done", "Achieved"],
    "Green": ["Green", "G", "green ", "On track"],
    "Amber": ["Amber", "A", "Yellow", "Y", "Orange", "Some slippage"],
    "Red": ["Red", "R", "Off track", "At risk"],
    "Not rated": ["", "   ", "Not rated", "Not yet rated", "N/A", "Not started"],
}


@pytest.mark.parametrize(
    ("text", "level"), [(t, level) for level, texts in SYNONYMS.items() for t in texts]
)
def test_synonyms(text, level):
    assert normalise_rag(text) == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Amber/Green", "Amber"),
        ("A/G", "Amber"),
        ("Red / Amber", "Red"),
        ("Green - on track", "Green"),
        ("RAG: Amber", "Amber"),
        ("Red (at risk)", "Red"),
        ("Purple", None),
        ("xyz", None),
        ("a thing", None),
    ],
)
def test_combined_and_unknown(text, level):
    assert normalise_rag(text) == level


@pytest.mark.parametrize("value", [1, 2.5, True, object()])
def test_non_text_is_not_a_rating(value):
    assert normalise_rag(value) is None


@pytest.mark.parametrize(
    ("rgb", "level"),
    [
        ("00B0F0", "Complete"), ("8DB4E2", "Complete"), ("0070C0", "Complete"), ("DDEBF7", "Complete"),
        ("00FF00", "Green"), ("00B050", "Green"), ("92D050", "Green"), ("C6EFCE", "Green"),
        ("FFC000", "Amber"), ("FFFF00", "Amber"), ("FFEB9C", "Amber"), ("F79646", "Amber"), ("FFA500", "Amber"),
        ("FF0000", "Red"), ("C00000", "Red"), ("FFC7CE", "Red"), ("E6B8B7", "Red"),
        ("7030A0", None), ("FF00FF", None),
        ("FFFFFF", None), ("F2F2F2", None), ("000000", None), ("808080", None),
        ("FF92D050", "Green"),  # ARGB as openpyxl gives it
    ],
)  # fmt: skip
def test_fill_colours_by_hue_band(rgb, level):
    assert classify_colour(rgb) == level


@pytest.mark.parametrize("rgb", ["FFFFFF", "F2F2F2", "D9D9D9", "000000", "808080"])
def test_greys_are_neutral(rgb):
    assert is_neutral_colour(rgb)


def test_tint_matches_excel():
    # Excel's "Blue, Accent 1, Lighter 40%" of 4472C4 is 8FAADC; darker 25% of ED7D31 is C55A11
    assert apply_tint("4472C4", 0.3999) == "8FAADC"
    assert apply_tint("ED7D31", -0.25) == "C55A11"


def test_theme_colours_fall_back_to_office_defaults():
    assert theme_colours(None)[4] == "4472C4"
    assert theme_colours(b"not xml")[0] == "FFFFFF"


@given(st.text())
def test_normalise_never_raises_and_stays_on_the_scale(text):
    assert normalise_rag(text) in (*RAG_LEVELS, None)


@given(
    st.sampled_from([t for texts in SYNONYMS.values() for t in texts if t.strip()]),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: f"  {s}\t", lambda s: s + "."]),
)
def test_case_and_spacing_do_not_matter(text, variant):
    assert normalise_rag(variant(text)) == normalise_rag(text)


@given(st.integers(0, 0xFFFFFF))
def test_any_colour_classifies_without_error(value):
    rgb = f"{value:06X}"
    assert classify_colour(rgb) in ("Complete", "Green", "Amber", "Red", None)
    if is_neutral_colour(rgb):
        assert classify_colour(rgb) is None


@given(st.sampled_from(["FF0000", "00B050", "FFC000", "0070C0"]), st.floats(0, 0.4))
def test_lightening_a_saturated_colour_keeps_its_name(rgb, tint):
    assert classify_colour(apply_tint(rgb, tint)) == classify_colour(rgb)


# Five-point delivery confidence (the GMPP's DCA) and its spellings: each two-colour rating
# takes the worse colour, so a panel is never told a project is greener than rated.
@pytest.mark.parametrize(
    ("text", "level", "how"),
    [
        ("Green", "Green", "as written"),
        ("Green/Amber", "Amber", WORSE_OF_TWO),
        ("Amber", "Amber", "as written"),
        ("Amber/Red", "Red", WORSE_OF_TWO),
        ("Red", "Red", "as written"),
        ("Amber-Red", "Red", WORSE_OF_TWO),
        ("Amber - Red", "Red", WORSE_OF_TWO),
        ("Red/Amber", "Red", WORSE_OF_TWO),
        ("A/R", "Red", WORSE_OF_TWO),
        ("A-R", "Red", WORSE_OF_TWO),
        ("Amber Red", "Red", WORSE_OF_TWO),
        ("G/A", "Amber", WORSE_OF_TWO),
        ("green-amber", "Amber", WORSE_OF_TWO),
        ("DCA: Amber/Red", "Red", WORSE_OF_TWO),
        ("Red / at risk", "Red", "as written"),  # one colour and its meaning
        ("Green - on track", "Green", "as written"),
    ],
)
def test_delivery_confidence(text, level, how):
    assert rate_confidence(text) == (level, how)
    assert normalise_rag(text) == level  # plans read the same spellings the same way


@pytest.mark.parametrize(
    "text",
    [
        "Exempt under section 43",
        "Exempt",
        "exempt under Section 43 of the FOI Act",
        "Withheld",
        "s43",
    ],
)
def test_withheld_ratings_are_not_rated_never_guessed(text):
    level, how = rate_confidence(text)
    assert level == NOT_RATED and "withheld" in how


@pytest.mark.parametrize("value", ["Reset", "Purple", "xyz", 16, 2.5, "16", "4 x 4"])
def test_unknown_ratings_are_not_ratings(value):
    assert rate_confidence(value) is None


def test_blank_rating_is_not_rated():
    assert rate_confidence(None) == (NOT_RATED, "blank") == rate_confidence("  ")


COLOURS = ["Green", "Amber", "Red", "G", "A", "R", "green", "AMBER"]
WORST_FIRST = ["Red", "Amber", "Green"]


@given(
    st.sampled_from(COLOURS),
    st.sampled_from(COLOURS),
    st.sampled_from(["/", " / ", "-", " - ", " ", "\\", " & "]),
)
def test_two_colours_take_the_worse(first, second, joiner):
    level, how = rate_confidence(f"{first}{joiner}{second}")
    one, two = normalise_rag(first), normalise_rag(second)
    assert level == min(one, two, key=WORST_FIRST.index)
    assert how == (WORSE_OF_TWO if one != two else "as written")


@given(st.text())
def test_rate_confidence_never_raises_and_stays_on_the_scale(text):
    read = rate_confidence(text)
    assert read is None or (read[0] in RAG_LEVELS and read[1])
