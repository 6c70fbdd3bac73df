"""How we compare: bands by topic, one measure across every council with LAIT's cut
points, and a council beside its statistical neighbours.

LAIT's quartile bands run from A (best) to D. Their colours step in lightness from dark
blue to dark orange, a scale that stays in order under every kind of colour blindness,
and every bar also carries its letter or its count, so colour is never the only cue.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.theme import (
    DARK_TEXT,
    MUTED,
    OWN_COLOUR,
    apply_theme,
    bar_height,
    benchmark_style,
    empty_figure,
    is_missing,
    measure_unit,
    plain,
    text_colour_on,
)

BANDS = ("A", "B", "C", "D")
BAND_COLOURS = {"A": "#12436d", "B": "#6f9fd1", "C": "#f4a259", "D": "#a33e0b"}
NOT_BANDED = "Not banded"  # no polarity, no quartiles (LAIT's No_Quartile), or no figure
NOT_BANDED_COLOUR = "#d9d9d9"

CUT_PLOT_PX = 300  # about the every-council chart's plot height, in pixels
CUT_LABEL_GAP_PX = 30  # a label's line at 24 px text


def format_measure(value: object, unit: object = None, dps: object = None) -> str:
    """A figure with the dictionary's decimal places and unit: '58.3%', '£1,204', '12'."""
    if is_missing(value):
        return "–"
    number = float(value)
    places = 1 if is_missing(dps) else int(dps)
    if is_missing(dps) and number.is_integer():
        places = 0
    kind = measure_unit(unit)
    if kind == "£":
        text = f"£{abs(number):,.{places}f}"
        return "-" + text if number < 0 else text
    return f"{number:,.{places}f}" + ("%" if kind == "%" else "")


def bands_by_topic(df: pd.DataFrame) -> go.Figure:
    """For each topic, how many of its measures put the council in each band: one bar per
    topic, A to D then not banded, each segment labelled with its count."""
    if df.empty:
        return empty_figure("No measures to show")
    counts = (
        df.assign(band=df["band"].fillna(NOT_BANDED))
        .groupby(["topic", "band"], sort=False)
        .size()
        .unstack(fill_value=0)
    )
    topics = list(dict.fromkeys(df["topic"]))
    counts = counts.reindex(index=topics, columns=[*BANDS, NOT_BANDED], fill_value=0)
    fig = go.Figure()
    for band in counts.columns:
        fill = BAND_COLOURS.get(band, NOT_BANDED_COLOUR)
        values = counts[band]
        fig.add_trace(
            go.Bar(
                y=[plain(t) for t in counts.index], x=values, orientation="h",
                name=band if band == NOT_BANDED else f"Band {band}", marker={"color": fill},
                text=[str(v) if v else "" for v in values], textposition="inside",
                insidetextanchor="middle", textangle=0, textfont={"color": text_colour_on(fill)},
                hovertemplate=f"%{{y}}: %{{x}} in {band if band == NOT_BANDED else 'band ' + band}"
                "<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack", height=bar_height(len(counts), per_row=34, minimum=320))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Measures")
    return apply_theme(fig)


def spread(df: pd.DataFrame, *, own_area: str, unit: object, dps: object) -> go.Figure:
    """Every council's value of one measure in one year, best first (or highest first where
    no side is better), the council highlighted and named, LAIT's cut points drawn across."""
    councils = df[df["value"].notna()]
    if councils.empty:
        return empty_figure("No council has a figure for this year")
    ranked = councils["rank"].notna().any()
    councils = (
        councils.sort_values(["rank", "area"])
        if ranked
        else councils.sort_values(["value", "area"], ascending=[False, True])
    )
    fills = [
        OWN_COLOUR if a == own_area else BAND_COLOURS.get(b, MUTED) if ranked else MUTED
        for a, b in zip(councils["area"], councils["band"], strict=True)
    ]
    position = list(range(1, len(councils) + 1))
    fig = go.Figure(
        go.Bar(
            x=position, y=councils["value"], marker={"color": fills, "line": {"width": 0}},
            customdata=[[plain(a), format_measure(v, unit, dps), b or NOT_BANDED]
                        for a, v, b in zip(councils["area"], councils["value"], councils["band"], strict=True)],
            hovertemplate="%{customdata[0]}: %{customdata[1]} (%{customdata[2]})<extra></extra>",
            showlegend=False,
        )
    )  # fmt: skip
    mine = councils["area"].eq(own_area).to_numpy().nonzero()[0]
    if len(mine):
        at = int(mine[0])
        row = councils.iloc[at]
        fig.add_annotation(
            x=at + 1, y=row["value"], text=f"<b>{plain(own_area)}</b> "
            f"{format_measure(row['value'], unit, dps)}", showarrow=True, arrowhead=2,
            ay=-60, bgcolor="#ffffff", bordercolor=OWN_COLOUR, borderwidth=2,
            font={"color": DARK_TEXT},
        )  # fmt: skip
    cuts = councils[["q25", "q50", "q75"]].iloc[0].dropna().astype(float).sort_values()
    names = {"q25": "lower quartile", "q50": "median", "q75": "upper quartile"}
    # Cut points close together would print their labels over each other: each label sits
    # at least a line (at a projector's text size) above the one below it.
    low, high = min(0.0, float(councils["value"].min())), float(councils["value"].max())
    per_unit = CUT_PLOT_PX / (high - low) if high > low else 0.0
    below = None
    for column, value in cuts.items():
        at = (value - low) * per_unit
        shift = max(0.0, below + CUT_LABEL_GAP_PX - at) if below is not None else 0.0
        below = at + shift
        fig.add_hline(
            y=value, line={"color": DARK_TEXT, "dash": "dot", "width": 2},
            annotation_text=f"{names[column]} {format_measure(value, unit, dps)}",
            annotation_position="right", annotation_font={"color": DARK_TEXT},
            annotation_bgcolor="#ffffff", annotation_yshift=shift,
        )  # fmt: skip
    fig.update_xaxes(
        title=f"Councils, {'best' if ranked else 'highest'} first ({len(councils)})"
        + ("; colour: band A darkest blue to D dark orange" if ranked else ""),
        showticklabels=False,
    )
    fig.update_yaxes(title=plain(unit) if not is_missing(unit) else "Value")
    fig.update_layout(height=440, bargap=0.15)
    fig = apply_theme(fig)
    fig.update_layout(margin={"r": 200})  # room for the cut points' labels
    return fig


def neighbours(
    df: pd.DataFrame, average: pd.DataFrame, *, own_area: str, unit: object, dps: object
) -> go.Figure:
    """The council's line over its neighbours' (thin, grey, named on hover) and their
    average, in the period order given."""
    order = list(dict.fromkeys(df["period_label"]))
    if df["value"].isna().all():
        return empty_figure("No figures for this council or its neighbours")
    fig = go.Figure()
    for area, part in df.groupby("area", sort=False):
        if area == own_area or part["value"].isna().all():
            continue
        values = part.set_index("period_label")["value"].reindex(order)
        fig.add_trace(
            go.Scatter(
                x=order, y=values, name=plain(area), mode="lines", line={"color": MUTED, "width": 1.5},
                hovertemplate=f"{plain(area)} %{{x}}: %{{y}}<extra></extra>", showlegend=False,
            )
        )  # fmt: skip
    colour, dash = benchmark_style("Statistical neighbours")
    mean = average.set_index("period_label")["sn_average"].reindex(order)
    fig.add_trace(
        go.Scatter(
            x=order, y=mean, name="Neighbours' average", mode="lines+markers",
            line={"color": colour, "dash": dash, "width": 3}, marker={"symbol": "diamond", "size": 8},
        )
    )  # fmt: skip
    own = df[df["area"] == own_area].set_index("period_label")["value"].reindex(order)
    fig.add_trace(
        go.Scatter(
            x=order, y=own, name=plain(own_area), mode="lines+markers+text",
            line={"color": OWN_COLOUR, "width": 4}, marker={"size": 10},
            text=[format_measure(v, unit, dps) for v in own], textposition="top center",
        )
    )  # fmt: skip
    fig.add_trace(  # a legend entry for the grey lines
        go.Scatter(x=[None], y=[None], mode="lines", name="Each neighbour",
                   line={"color": MUTED, "width": 1.5})
    )  # fmt: skip
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=plain(unit) if not is_missing(unit) else "Value")
    fig.update_layout(height=440)
    return apply_theme(fig)
