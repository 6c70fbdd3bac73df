"""KPI charts: a trend against target and benchmarks, small multiples, one year against
every council, breakdowns, and sparklines."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.theme import (
    DARK_TEXT,
    MUTED,
    OWN_COLOUR,
    SERIES_COLOURS,
    TARGET_COLOUR,
    apply_theme,
    bar_height,
    benchmark_style,
    empty_figure,
    format_value,
    plain,
)

POLARITY_TEXT = {
    "higher": "higher is better",
    "lower": "lower is better",
    "neutral": "neither higher nor lower is better",
}
RANKED_POLARITIES = ("higher", "lower")  # the only ones ranked, banded or coloured good or bad

# st.metric's delta colours: green for a change in the good direction, red for the bad;
# grey ("off") for an indicator with no polarity, whose change is neither.
DELTA_COLOURS = {"higher": "normal", "lower": "inverse"}


def delta_colour(polarity: object) -> str:
    """How st.metric colours a change of an indicator with this polarity."""
    return DELTA_COLOURS[polarity] if polarity in RANKED_POLARITIES else "off"


def polarity_sentence(polarity: object, in_dictionary: bool = False) -> str:
    """What an indicator's polarity means for how it is shown, as a sentence's start."""
    if isinstance(polarity, str) and polarity in POLARITY_TEXT:
        return POLARITY_TEXT[polarity].capitalize()
    if in_dictionary:
        return (
            "The measure dictionary gives no better direction, so it is never ranked, banded "
            "or coloured good or bad"
        )
    return (
        "Polarity not set, so it is not ranked or coloured good or bad (an officer can set it "
        "on the Data page)"
    )


def _periods(*frames: pd.DataFrame | None) -> list[str]:
    """Every period label across the frames, in time order."""
    parts = [f[["period_label", "period_end"]] for f in frames if f is not None and not f.empty]
    if not parts:
        return []
    both = pd.concat(parts).dropna().drop_duplicates("period_label")
    return list(both.sort_values("period_end")["period_label"])


def _values(df: pd.DataFrame, order: list[str]) -> list[float | None]:
    """Values in period order, None where a period has no figure (a gap, never zero)."""
    by_period = df.set_index("period_label")["value"]
    return [None if pd.isna(by_period.get(p)) else float(by_period.get(p)) for p in order]


def kpi_trend(
    series: pd.DataFrame,
    *,
    title: str,
    unit: str | None,
    target: float | None = None,
    polarity: str | None = None,
    benchmarks: pd.DataFrame | None = None,
) -> go.Figure:
    """The council's figures over time with its target and comparison series."""
    order = _periods(series, benchmarks)
    if not order:
        return empty_figure()
    shown = [plain(p) for p in order]  # period labels as the axis draws them
    fig = go.Figure()
    if benchmarks is not None and not benchmarks.empty:
        for area, part in benchmarks.groupby("area", sort=True):
            if part["value"].isna().all():
                continue  # no figures: no line, and no legend entry promising one
            colour, dash = benchmark_style(str(area))
            values = _values(part.drop_duplicates("period_label"), order)
            fig.add_trace(
                go.Scatter(
                    x=shown, y=values, name=plain(area),
                    mode="lines+markers", line={"color": colour, "dash": dash, "width": 3},
                    marker={"size": 8, "symbol": "diamond"}, connectgaps=False,
                    customdata=[format_value(v, unit) for v in values],
                    hovertemplate="%{fullData.name}<br>%{x}: %{customdata}<extra></extra>",
                )
            )  # fmt: skip
    own = _values(series, order)
    fig.add_trace(
        go.Scatter(
            x=shown, y=own, name=plain(title.split(": ")[-1]) if ": " in title else "This council",
            mode="lines+markers+text", line={"color": OWN_COLOUR, "width": 4}, marker={"size": 12},
            text=[format_value(v, unit) if v is not None else "" for v in own], textposition="top center",
            connectgaps=False, hovertemplate="%{x}: %{text}<extra></extra>",
            cliponaxis=False,  # the highest point's label may sit above the plot area
        )
    )  # fmt: skip
    if target is not None:
        fig.add_hline(
            y=target, line={"dash": "dash", "color": TARGET_COLOUR, "width": 2},
            annotation_text=f"Target<br>{format_value(target, unit)}", annotation_position="right",
        )  # fmt: skip
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=shown, title="Period")
    axis = unit or "Value"
    if polarity in ("higher", "lower"):  # a neutral indicator's axis needs no note
        axis += f" ({POLARITY_TEXT[polarity]})"
    fig.update_yaxes(title=axis)  # not from zero: a 90-95% series must stay readable
    fig.update_layout(height=440)
    apply_theme(fig, plain(title))
    # The target's label sits right of the plot, where no point's label can cover it.
    return fig.update_layout(margin={"r": 130 if target is not None else 30})


def kpi_small_multiples(df: pd.DataFrame, *, columns: int = 3) -> go.Figure:
    """One small trend per indicator in a grid, the latest value written on each."""
    if df.empty:
        return empty_figure()
    names = list(dict.fromkeys(df["indicator"]))
    columns = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[plain(n if len(n) <= 38 else n[:37] + "…") for n in names],
        vertical_spacing=0.18 if rows > 1 else 0.1,
    )
    for i, name in enumerate(names):
        part = df[df["indicator"] == name].sort_values("period_end")
        unit = part["unit"].dropna().iloc[0] if part["unit"].notna().any() else None
        values = [None if pd.isna(v) else float(v) for v in part["value"]]
        last = max((j for j, v in enumerate(values) if v is not None), default=None)
        text = ["" if j != last else format_value(values[j], unit) for j in range(len(values))]
        fig.add_trace(
            go.Scatter(
                x=[plain(p) for p in part["period_label"]], y=values, mode="lines+markers+text", text=text,
                textposition="top left", line={"color": OWN_COLOUR, "width": 3}, showlegend=False,
                name=plain(name), hovertemplate="%{fullData.name}<br>%{x}: %{y}<extra></extra>",
            ),
            row=i // columns + 1, col=i % columns + 1,
        )  # fmt: skip
    # Small panels have room for the first and last period only; the rest are on hover.
    for i, name in enumerate(names):
        labels = [
            plain(p) for p in df[df["indicator"] == name].sort_values("period_end")["period_label"]
        ]
        fig.update_xaxes(
            type="category", tickangle=0, tickvals=[labels[0], labels[-1]] if labels else None,
            row=i // columns + 1, col=i % columns + 1,
        )  # fmt: skip
    fig.update_layout(height=300 * rows)
    return apply_theme(fig)


def benchmark_ranking(
    df: pd.DataFrame, *, own_area: str, polarity: str | None, unit: str | None
) -> go.Figure:
    """Every council's figure, best first given polarity, this council highlighted, and
    region, England and neighbours as labelled reference lines."""
    councils = df[(df["kind"] == "council") & df["value"].notna()]
    if councils.empty:
        return empty_figure()
    councils = councils.sort_values("value", ascending=(polarity == "lower"))
    names = list(councils["area"])
    colours = [OWN_COLOUR if a == own_area else MUTED for a in names]
    labels = [f"<b>{plain(a)}</b>" if a == own_area else plain(a) for a in names]
    fig = go.Figure(
        go.Bar(
            x=councils["value"], y=labels, orientation="h", marker={"color": colours},
            text=[format_value(v, unit) for v in councils["value"]], textposition="outside",
            hovertemplate="%{y}: %{text}<extra></extra>", showlegend=False,
        )
    )  # fmt: skip
    references = df[(df["kind"] != "council") & df["value"].notna()].sort_values("value")
    # Labels sit in steps above the plot so close reference values never print over each other.
    for step, row in enumerate(references.itertuples()):
        colour, dash = benchmark_style(str(row.area))
        fig.add_vline(x=row.value, line={"color": colour, "dash": dash, "width": 3})
        fig.add_annotation(
            x=row.value, y=1 + 0.05 * step, xref="x", yref="paper", yanchor="bottom", showarrow=False,
            text=f"{plain(row.area)} {format_value(row.value, unit)}", font={"color": DARK_TEXT},
            bgcolor="#ffffff", bordercolor=colour, borderwidth=2,
        )  # fmt: skip
    fig.update_yaxes(
        autorange="reversed", title="Best first" if polarity in ("higher", "lower") else None
    )
    fig.update_xaxes(title=unit or "Value")
    fig.update_layout(height=bar_height(len(names), per_row=26, minimum=360) + 40 * len(references))
    fig = apply_theme(fig)
    fig.update_layout(margin={"t": 50 + 40 * len(references)})
    return fig


def breakdown_bars(df: pd.DataFrame, *, unit: str | None) -> go.Figure:
    """One group of bars per breakdown (team, placement type), a bar per period."""
    if df.empty:
        return empty_figure()
    order = _periods(df)
    breakdowns = list(dict.fromkeys(df.sort_values("breakdown")["breakdown"]))
    fig = go.Figure()
    for i, period in enumerate(order):
        part = df[df["period_label"] == period].set_index("breakdown")["value"]
        values = [None if pd.isna(part.get(b)) else float(part.get(b)) for b in breakdowns]
        fig.add_trace(
            go.Bar(
                name=plain(period), x=[plain(b) for b in breakdowns], y=values,
                marker={"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
                text=[format_value(v, unit) if v is not None else "" for v in values], textposition="outside",
                hovertemplate="%{x}, %{fullData.name}: %{y}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="group", height=440)
    fig.update_yaxes(title=unit or "Value")
    fig.update_xaxes(type="category")
    return apply_theme(fig)


def sparkline(values: list[float | None]) -> go.Figure:
    """A tiny trend line with its last point marked."""
    points = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]
    fig = go.Figure(
        go.Scatter(y=points, mode="lines", line={"color": OWN_COLOUR, "width": 2}, hoverinfo="skip")
    )
    last = max((i for i, v in enumerate(points) if v is not None), default=None)
    if last is not None:
        fig.add_trace(
            go.Scatter(
                x=[last], y=[points[last]], mode="markers", marker={"color": OWN_COLOUR, "size": 7}
            )
        )
    fig.update_layout(height=60, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
