"""Slippage charts: overdue actions, re-dated actions, slippage by group, due-date timeline."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from charts.theme import (
    DARK_TEXT,
    OWN_COLOUR,
    RAG_COLOURS,
    RAG_ORDER,
    RAG_SYMBOLS,
    apply_theme,
    bar_height,
    empty_figure,
    format_date,
    plain,
    text_colour_on,
)

OVERDUE_COLOUR = RAG_COLOURS["Red"]
REDATED_COLOUR = OWN_COLOUR
CONNECTOR_COLOUR = "#757575"  # 4.6:1 on white, so the dumbbell bar is visible


def _dates(series: pd.Series) -> list[dt.date]:
    """Plain dates, so differences come out in whole days."""
    return [pd.Timestamp(d).date() for d in series]


def overdue_actions(df: pd.DataFrame) -> go.Figure:
    """Days overdue per action, longest at the top, each bar labelled with days and RAG."""
    if df.empty:
        return empty_figure()
    data = df.sort_values("days_overdue", ascending=False)
    labels = [
        plain(f"{ref} – {lead}" if isinstance(lead, str) and lead.strip() else ref)
        for ref, lead in zip(data["ref"], data["lead"], strict=True)
    ]
    fills = [RAG_COLOURS.get(r, RAG_COLOURS["Not rated"]) for r in data["rag"]]
    fig = go.Figure(
        go.Bar(
            x=data["days_overdue"],
            y=labels,
            orientation="h",
            marker={"color": fills},
            text=[
                f"{int(d)} days · {r}"
                for d, r in zip(data["days_overdue"], data["rag"], strict=True)
            ],
            textposition="auto",
            # Inside a bar the text takes the contrasting colour; pushed outside, it is dark.
            insidetextfont={"color": [text_colour_on(f) for f in fills]},
            outsidetextfont={"color": DARK_TEXT},
            customdata=[plain(a) for a in data["action"]],
            hovertemplate="%{y}<br>%{customdata}<br>%{x} days overdue<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="Days overdue")
    fig.update_layout(height=bar_height(len(data)))
    return apply_theme(fig)


def redated_actions(df: pd.DataFrame) -> go.Figure:
    """First against current due date per action: an open circle moving to a filled one."""
    if df.empty:
        return empty_figure()
    data = df.sort_values("due_date")
    refs = [plain(r) for r in data["ref"]]
    first, now = _dates(data["first_due_date"]), _dates(data["due_date"])
    fig = go.Figure()
    for ref, a, b in zip(refs, first, now, strict=True):
        fig.add_trace(
            go.Scatter(
                x=[a, b],
                y=[ref, ref],
                mode="lines",
                line={"color": CONNECTOR_COLOUR, "width": 3},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=first, y=refs, mode="markers", name="First due",
            marker={"symbol": "circle-open", "size": 14, "color": REDATED_COLOUR, "line": {"width": 3}},
            customdata=[format_date(d) for d in first], hovertemplate="%{y}: first due %{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=now, y=refs, mode="markers+text", name="Due now",
            marker={"symbol": "circle", "size": 14, "color": REDATED_COLOUR},
            text=[f"+{(b - a).days} days" for a, b in zip(first, now, strict=True)], textposition="middle right",
            customdata=[format_date(d) for d in now], hovertemplate="%{y}: now due %{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(title="Action", type="category")
    span = max(now + first) - min(now + first)
    pad = dt.timedelta(days=max(20, span.days // 5))
    fig.update_xaxes(
        title="Due date",
        tickformat="%b %Y",
        range=[min(now + first) - pad / 4, max(now + first) + pad],
    )
    fig.update_layout(height=bar_height(len(refs), per_row=40))
    return apply_theme(fig)


def slippage_by(df: pd.DataFrame, group_label: str) -> go.Figure:
    """Overdue and re-dated counts per group (lead or recommendation), side by side."""
    if df.empty:
        return empty_figure()
    data = df.assign(total=df["overdue"] + df["redated"]).sort_values("total", ascending=False)
    groups = [plain(g) for g in data["group"]]
    fig = go.Figure()
    # Solid against hatched, so the two series differ in more than colour.
    for column, name, colour, pattern in (
        ("overdue", "Overdue", OVERDUE_COLOUR, ""),
        ("redated", "Re-dated", REDATED_COLOUR, "/"),
    ):
        counts = [int(v) for v in data[column]]
        fig.add_trace(
            go.Bar(
                name=name, y=groups, x=counts, orientation="h",
                # "overlay": the bar keeps its colour even where a browser draws no pattern
                marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#ffffff", "fillmode": "overlay"}},
                text=[f"{v} {name.lower()}" if v else "" for v in counts], textposition="outside",
                cliponaxis=False, hovertemplate=f"%{{y}}<br>{name}: %{{x}}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="group", height=bar_height(len(groups), per_row=56))
    fig.update_yaxes(title=group_label, autorange="reversed", type="category")
    fig.update_xaxes(
        title="Number of actions", dtick=1, range=[0, max(data["total"].max(), 1) * 1.35]
    )
    return apply_theme(fig)


def due_timeline(df: pd.DataFrame, as_of: dt.date) -> go.Figure:
    """Each dated action at its due date, coloured and shaped by RAG, against the snapshot date."""
    if df.empty:
        return empty_figure()
    data = df.sort_values("due_date")
    fig = go.Figure()
    for level in RAG_ORDER:
        part = data[data["rag"] == level]
        if part.empty:
            continue
        # A dark outline keeps light fills (Amber) visible on white; open symbols keep their colour.
        open_symbol = RAG_SYMBOLS[level].endswith("-open")
        outline = RAG_COLOURS[level] if open_symbol else DARK_TEXT
        fig.add_trace(
            go.Scatter(
                x=_dates(part["due_date"]), y=[plain(r) for r in part["ref"]], mode="markers", name=level,
                marker={"symbol": RAG_SYMBOLS[level], "size": 16, "color": RAG_COLOURS[level],
                        "line": {"width": 2 if open_symbol else 1, "color": outline}},
                customdata=[format_date(d) for d in _dates(part["due_date"])],
                hovertemplate=f"%{{y}} due %{{customdata}} ({level})<extra></extra>",
            )
        )  # fmt: skip
    # A shape at an ISO date rather than add_vline, which cannot label a line on a date axis.
    when = pd.Timestamp(as_of).strftime("%Y-%m-%d")
    fig.add_shape(
        type="line", x0=when, x1=when, y0=0, y1=1, yref="paper",
        line={"dash": "dash", "color": OWN_COLOUR, "width": 2},
    )  # fmt: skip
    fig.add_annotation(
        x=when, y=1.0, yref="paper", text=f"As of {format_date(as_of)}",
        showarrow=False, xanchor="left", yanchor="bottom", font={"color": OWN_COLOUR},
    )  # fmt: skip
    refs = [plain(r) for r in data["ref"]]
    fig.update_yaxes(
        title="Action",
        type="category",
        categoryorder="array",
        categoryarray=list(dict.fromkeys(refs)),
        autorange="reversed",
    )
    fig.update_xaxes(title="Due date", tickformat="%b %Y")
    fig.update_layout(height=bar_height(len(set(refs)), per_row=30))
    return apply_theme(fig)
