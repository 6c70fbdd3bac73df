"""Action-plan RAG charts: by recommendation, over time, movement, and by lead."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from charts.theme import (
    OWN_COLOUR,
    RAG_COLOURS,
    RAG_ORDER,
    apply_theme,
    bar_height,
    blend,
    empty_figure,
    format_date,
    plain,
    text_colour_on,
)

LABEL_LENGTH = 50
# A section's part of a recommendation's label ("Ofsted rec 1", "Service finding 1").
SECTION_LENGTH = 30
MOVEMENT_COLOUR = OWN_COLOUR  # neutral blue: movement cells count actions, they are not RAG


def _natural(text: object) -> tuple:
    """Sort key putting '2' before '10' and '1.2' before '1.10'."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", str(text)) if p)


def _short(text: object, length: int = LABEL_LENGTH) -> str:
    text = "" if text is None or pd.isna(text) else str(text).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _stacked(
    df: pd.DataFrame, category: str, order: list, labels: dict, horizontal: bool, axis_title: str
) -> go.Figure:
    """Bars stacked by RAG level in RAG order, each segment showing its count."""
    fig = go.Figure()
    for level in RAG_ORDER:
        part = df[df["rag"] == level].set_index(category)["count"]
        if part.empty:
            continue
        counts = [int(part.get(key, 0)) for key in order]
        names = [labels[key] for key in order]
        fill = RAG_COLOURS[level]
        fig.add_trace(
            go.Bar(
                name=level,
                x=counts if horizontal else names,
                y=names if horizontal else counts,
                orientation="h" if horizontal else "v",
                marker={"color": fill, "line": {"color": "#ffffff", "width": 1}},
                text=[str(c) if c else "" for c in counts],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont={"color": text_colour_on(fill)},
                hovertemplate=f"%{{{'y' if horizontal else 'x'}}}<br>{level}: %{{{'x' if horizontal else 'y'}}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    if horizontal:
        fig.update_yaxes(
            autorange="reversed", categoryorder="array", categoryarray=[labels[k] for k in order]
        )
        fig.update_xaxes(title=axis_title)
        fig.update_layout(height=bar_height(len(order)))
    else:
        fig.update_xaxes(
            type="category", categoryorder="array", categoryarray=[labels[k] for k in order]
        )
        fig.update_yaxes(title=axis_title)
    return apply_theme(fig)


def _blank(value: object) -> str | None:
    """None for missing values (None, NaN, empty text); else the value as stripped text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value).strip() or None


def recommendation_key(section: object, ref: object) -> tuple[str | None, str | None]:
    """A recommendation's key in ``recommendation_labels``: its section and ref as text."""
    return _blank(section), _blank(ref)


def _section_label(section: str, ref: str | None) -> str:
    """'Ofsted recommendation 1' and ref 1 -> 'Ofsted rec 1'; 'Service finding 1' -> itself."""
    short = _short(re.sub(r"\brecommendations?\b", "rec", section, flags=re.I), SECTION_LENGTH)
    if ref is None:
        return short
    numbered = re.match(r"^(?P<base>.*?)[\s:.\-–]*(?P<number>\d+[a-z]?)$", short, re.I)
    if numbered is None:
        return f"{short} {ref}"
    if numbered["number"].lower() == ref.lower():
        return f"{numbered['base']} {ref}".strip()
    return f"{short}, rec {ref}"


def recommendation_labels(
    pairs: Iterable[tuple[object, object]], word: str = "Rec"
) -> dict[tuple[str | None, str | None], str]:
    """A label for each (section, recommendation ref) that tells the recommendations apart.

    Refs restart in each section ("Ofsted recommendation 1", "Service finding 1"), so in a
    plan with several sections the label names the section; with one section, or none,
    it is "Rec 1" (``word`` + ref). Keys are the pairs as text (None for blanks).
    """
    keys = list(dict.fromkeys(recommendation_key(s, r) for s, r in pairs))
    many = len({section for section, _ in keys}) > 1
    labels: dict[tuple[str | None, str | None], str] = {}
    for section, ref in keys:
        if many and section is not None:
            label = _section_label(section, ref if ref != "–" else None)
        else:
            label = f"{word} {ref or '–'}"
        while label in labels.values():  # never two recommendations under one label
            label += "*"
        labels[(section, ref)] = label
    return labels


def recommendation_order(
    pairs: Iterable[tuple[object, object]],
) -> list[tuple[str | None, str | None]]:
    """(section, ref) pairs in reading order: sections in natural order, then refs."""
    keys = dict.fromkeys(recommendation_key(s, r) for s, r in pairs)
    return sorted(
        keys, key=lambda k: (k[0] is not None, _natural(k[0] or ""), _natural(k[1] or ""))
    )


def rag_by_recommendation(df: pd.DataFrame) -> go.Figure:
    """Stacked RAG counts, one bar per recommendation (per section), the first at the top."""
    if df.empty:
        return empty_figure()
    sections = df["section"] if "section" in df else pd.Series([None] * len(df), index=df.index)
    pairs = list(zip(sections, df["recommendation_ref"], strict=True))
    order = recommendation_order(pairs)
    names = recommendation_labels(order)
    data = df.assign(key=[names[recommendation_key(s, r)] for s, r in pairs])
    text = data.groupby("key")["recommendation"].first()
    keys = [names[pair] for pair in order]
    labels = {key: plain(f"{key}: {_short(text.get(key))}".rstrip(": ")) for key in keys}
    data = data.groupby(["key", "rag"], as_index=False)["count"].sum()
    return _stacked(data, "key", keys, labels, True, "Number of actions")


def rag_over_time(df: pd.DataFrame) -> go.Figure:
    """Stacked RAG counts per snapshot, in date order."""
    if df.empty:
        return empty_figure()
    dates = sorted(pd.to_datetime(df["as_of"]).dt.date.unique())
    data = df.assign(as_of=pd.to_datetime(df["as_of"]).dt.date)
    return _stacked(
        data, "as_of", dates, {d: format_date(d) for d in dates}, False, "Number of actions"
    )


def rag_movement(
    df: pd.DataFrame, *, before_label: str = "Before", after_label: str = "After"
) -> go.Figure:
    """A before-by-after matrix of actions, every cell showing its count."""
    if df.empty:
        return empty_figure()
    levels = list(RAG_ORDER)
    grid = [[0] * len(levels) for _ in levels]
    for row in df.itertuples():
        if row.rag_before in levels and row.rag_after in levels:
            grid[levels.index(row.rag_before)][levels.index(row.rag_after)] += int(row.count)
    improved = [
        [("better" if j < i else "worse" if j > i else "same") for j in range(len(levels))]
        for i in range(len(levels))
    ]
    peak = max(max(row) for row in grid) or 1
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=levels,
            y=levels,
            colorscale=[[0, "#ffffff"], [1, MOVEMENT_COLOUR]],
            zmin=0,
            zmax=peak,
            showscale=False,
            customdata=improved,
            hovertemplate=f"{before_label}: %{{y}}<br>{after_label}: %{{x}}<br>%{{z}} actions (%{{customdata}})<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_xaxes(title=after_label, side="top", showgrid=False)
    fig.update_yaxes(title=before_label, autorange="reversed", showgrid=False)
    fig.add_annotation(
        text="Above the diagonal: worsened · below: improved",
        x=0, y=-0.08, xref="paper", yref="paper", showarrow=False, xanchor="left",
    )  # fmt: skip
    fig = apply_theme(fig)
    # Every cell, zeros too, carries its count in whichever text colour contrasts with its fill.
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            fill = blend("#ffffff", MOVEMENT_COLOUR, value / peak)
            fig.add_annotation(
                x=levels[j], y=levels[i], text=str(value), showarrow=False,
                font={"size": 20, "color": text_colour_on(fill)},
            )  # fmt: skip
    fig.update_layout(height=460)
    return fig


def actions_by_lead(df: pd.DataFrame) -> go.Figure:
    """Stacked RAG counts per lead officer, the busiest at the top."""
    if df.empty:
        return empty_figure()
    totals = df.groupby("lead")["count"].sum().sort_values(ascending=False)
    order = list(totals.index)
    return _stacked(
        df,
        "lead",
        order,
        {lead: plain(_short(lead, 40)) for lead in order},
        True,
        "Number of actions",
    )
