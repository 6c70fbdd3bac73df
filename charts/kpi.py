"""KPI charts: a trend against target and benchmarks, small multiples, one year against
every council, breakdowns, and sparklines."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.theme import (
    BASE_FONT_SIZE,
    DARK_TEXT,
    MUTED,
    OWN_COLOUR,
    PRESENT_FONT_SIZE,
    PROJECTOR_MIN_TEXT,
    SERIES_COLOURS,
    TARGET_COLOUR,
    apply_theme,
    bar_height,
    benchmark_style,
    empty_figure,
    format_value,
    measure_unit,
    plain,
)
from loaders.periods import PERIOD_PRIORITY

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


def polarity_sentence(polarity: object, in_dictionary: bool = False, officer: bool = True) -> str:
    """What an indicator's polarity means for how it is shown, as a sentence's start; for an
    audience (``officer=False``) without the note on where an officer sets it."""
    if isinstance(polarity, str) and polarity in POLARITY_TEXT:
        return POLARITY_TEXT[polarity].capitalize()
    if in_dictionary:
        return (
            "The measure dictionary gives no better direction, so it is never ranked, banded "
            "or coloured good or bad"
        )
    text = "Polarity not set, so it is not ranked or coloured good or bad"
    return text + (" (an officer can set it on the Data page)" if officer else "")


# A series is one kind of period ("Anytown, quarterly"): quarters, months, years and the year
# to date are never joined into one line. Named by loaders.periods' period types.
SERIES_WORDS = {
    "financial_year": "yearly",
    "calendar_year": "calendar year",
    "academic_year": "academic year",
    "year_to_september": "year to September",
    "ytd": "year to date",
    "quarter": "quarterly",
    "month": "monthly",
}
# The council's own series, told apart by dash and marker as well as by name (greyscale packs).
OWN_STYLES = (("solid", "circle"), ("dash", "square"), ("dot", "triangle-up"), ("dashdot", "x"))


def series_word(period_type: object) -> str:
    """How a series of one kind of period is named: 'quarterly', 'year to date'."""
    if not isinstance(period_type, str):
        return ""
    return SERIES_WORDS.get(period_type, period_type.replace("_", " "))


def series_types(df: pd.DataFrame | None) -> list[str | None]:
    """The kinds of period a frame's figures are in, whole years first (as ``kpi_latest``
    ranks them); ``[None]`` for a frame that does not say, which is one series."""
    if df is None or "period_type" not in df or df["period_type"].isna().all():
        return [None]
    kinds = df["period_type"].dropna().unique()
    return sorted(kinds, key=lambda k: PERIOD_PRIORITY.get(k, len(PERIOD_PRIORITY)))


def period_order(*frames: pd.DataFrame | None) -> list[str]:
    """Every period label across the frames on one time axis: by the day each ends, and
    where periods of several kinds end on one day the shorter first (Q4, then the year to
    date, then the year)."""
    parts = [
        f[["period_label", "period_end"]].assign(period_type=f.get("period_type"))
        for f in frames
        if f is not None and not f.empty
    ]
    if not parts:
        return []
    both = pd.concat(parts).dropna(subset=["period_label", "period_end"])
    both = both.drop_duplicates("period_label")
    both["period_end"] = pd.to_datetime(both["period_end"])
    both["shorter_first"] = [-PERIOD_PRIORITY.get(k, 0) for k in both["period_type"]]
    return list(both.sort_values(["period_end", "shorter_first"], kind="stable")["period_label"])


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
    """The council's figures over time with its target and comparison series: one line per
    kind of period in ``series.period_type`` ("Anytown, quarterly", "Anytown, year to
    date"), each on the shared time axis and never joined to another."""
    order = period_order(series, benchmarks)
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
    area = plain(title.split(": ")[-1]) if ": " in title else "This council"
    kinds = series_types(series)
    for i, kind in enumerate(kinds):
        if len(kinds) == 1:  # one series: every period on the axis, a gap where it has none
            part, labels, name = series, order, area
        else:  # a line through its own kind of period only, skipping the others' places
            part = series[series["period_type"] == kind]
            if part["value"].isna().all():
                continue  # no figures: no line, and no legend entry promising one
            labels = [p for p in order if p in set(part["period_label"])]
            name = f"{area}, {series_word(kind)}"
        own = _values(part, labels)
        dash, symbol = OWN_STYLES[i % len(OWN_STYLES)]
        fig.add_trace(
            go.Scatter(
                x=[plain(p) for p in labels], y=own, name=name, mode="lines+markers+text",
                line={"color": OWN_COLOUR, "width": 4 if i == 0 else 3, "dash": dash},
                marker={"size": 12 if i == 0 else 10, "symbol": symbol},
                text=[format_value(v, unit) if v is not None else "" for v in own], textposition="top center",
                connectgaps=False, hovertemplate="%{fullData.name}<br>%{x}: %{text}<extra></extra>",
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


# Small multiples share the page's width. Text is measured at its size beside the sidebar
# (16 px across a plot 820 px wide at 1366 px); presentation mode's larger text has a wider
# screen without the sidebar, in much the same proportion (24 px across some 1,150).
CHART_WIDTH = 820  # px across a chart's plot area, beside the sidebar at 1366 px
PANEL_HEIGHT = 190  # px of plot area per panel
TICK_SIZE = BASE_FONT_SIZE  # px, tick labels
TITLE_SIZE = BASE_FONT_SIZE  # px, panel titles
CHAR = 0.55  # an average character's width in Arial, as a share of the font size, rounded up
TITLE_LINES = 2  # a panel's title wraps onto at most this many lines
TICK_GAP = 12  # px kept clear between two tick labels
Y_TICKS = 7 * CHAR * TICK_SIZE  # px a panel's y tick labels take ("1,500", "92.5%")
# Heights are measured at presentation mode's sizes: its chart keeps the height it has here.
TALL = PRESENT_FONT_SIZE  # px, tick and legend text on the projector
LABEL_HEIGHT = 1.3 * PROJECTOR_MIN_TEXT  # px a value written by a point takes
TITLE_LINE = 1.3 * PROJECTOR_MIN_TEXT  # px a line of a panel's title takes


def _text_px(text: str, size: float) -> float:
    return len(text) * CHAR * size


def wrap_words(text: object, width: int, lines: int = TITLE_LINES) -> list[str]:
    """A text as at most ``lines`` lines of about ``width`` characters, broken between words;
    what does not fit is left off after the last whole word, with '…'."""
    out: list[str] = []
    line = ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while len(last) + 1 > width and " " in last:
            last = last.rsplit(" ", 1)[0]
        out[-1] = last + "…"
    return out


_LONG_YEAR = re.compile(r"\b(?:19|20)(\d{2}/\d{2})\b")  # "2016/17" -> "16/17"


def short_period(label: str) -> str:
    """A period label shortened for a narrow axis: 'Q1 2016/17' -> 'Q1 16/17'."""
    return _LONG_YEAR.sub(r"\1", label)


@dataclass
class _Ticks:
    """Which of a panel's period labels its axis writes, as written, and at what angle."""

    values: list[str]
    texts: list[str]
    angle: int = 0

    def height(self) -> float:
        """px the labels take below the panel."""
        if not self.texts:
            return 0
        if not self.angle:
            return 1.4 * TALL
        return max(_text_px(t, TALL) for t in self.texts) * 0.71 + TALL

    def reach(self) -> tuple[float, float]:
        """px the first label reaches left of its tick, and the last one right of its tick."""
        if not self.texts:
            return 0, 0
        if self.angle:  # an angled label hangs down and to the left of its tick
            return _text_px(self.texts[0], TICK_SIZE) * 0.71, 0
        return _text_px(self.texts[0], TICK_SIZE) / 2, _text_px(self.texts[-1], TICK_SIZE) / 2


def _ticks(labels: list[str], width: float, narrow: bool) -> _Ticks:
    """Every label where they fit side by side in a wide panel, else the first and last
    only; shortened ('Q1 16/17'), then angled, where even those would overlap."""
    if not labels:
        return _Ticks([], [])
    step = width / len(labels)  # px per period
    if not narrow and all(_text_px(p, TICK_SIZE) + TICK_GAP <= step for p in labels):
        return _Ticks(labels, labels)
    chosen = labels if len(labels) == 1 else [labels[0], labels[-1]]

    def fits(texts: list[str]) -> bool:
        if len(texts) == 1:
            return _text_px(texts[0], TICK_SIZE) <= width
        # each sits inside the panel (see _x_range): together they must fit across it
        return sum(_text_px(t, TICK_SIZE) for t in texts) + TICK_GAP <= width

    for texts in (chosen, [short_period(p) for p in chosen]):
        if fits(texts):
            return _Ticks(chosen, texts)
    return _Ticks(chosen, [short_period(p) for p in chosen], angle=-45)


def _x_range(periods: int, ticks: _Ticks, width: float) -> list[float]:
    """A panel's period axis, widened at either end just enough that the first and last
    labels sit inside the panel: clear of the value axis's labels and of the next panel."""
    reach_left, reach_right = ticks.reach()
    left = right = 0.0
    for _ in range(6):  # the widening narrows each period: settle on it
        step = width / (periods + left + right)
        left = min(max(0.0, reach_left / step - 0.5), 2.0 * periods)
        right = min(max(0.0, reach_right / step - 0.5), 2.0 * periods)
    return [-0.5 - left, periods - 0.5 + right]


def _y_range(values: list[float]) -> list[float] | None:
    """A panel's value axis: room above the highest point for its label, a single point in
    the middle of a range around it, and never below zero for figures that are not."""
    if not values:
        return None
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        pad = max(abs(high) * 0.1, 1.0)
        bottom, top = low - pad, high + pad
    else:
        bottom, top = low - 0.12 * span, high + 0.3 * span
    if low >= 0 > bottom:
        bottom = 0 if low > 0 else -0.05 * (top - low)
    return [bottom, top]


def _falls_to(values: list[float | None], last: int) -> bool:
    """Whether a line comes down to its point ``last`` (from the figure before it)."""
    before = [v for v in values[:last] if v is not None]
    return bool(before) and before[-1] > values[last]


def _label_places(
    lasts: list[tuple[float, float, bool]], y_range: list[float], step: float, texts: list[str]
) -> tuple[list[str], list[float]]:
    """Where each line's latest value is written (given its point's place in periods, its
    value and whether the line falls to it): above the point, or below it where the line
    comes down from above or the label would cover another line's; and the panel's value
    axis, lowered where a label below its point needs the room."""
    low, high = y_range
    places = ["top left"] * len(lasts)
    taken: list[tuple[float, float, float, float]] = []  # px: left, right, bottom, top
    for i in sorted(range(len(lasts)), key=lambda i: -lasts[i][1]):
        x, value, falling = lasts[i]
        right = x * step
        left, point = right - _text_px(texts[i], TICK_SIZE), (value - low) / (high - low)
        boxes = {
            "top left": (left, right, point * PANEL_HEIGHT, point * PANEL_HEIGHT + LABEL_HEIGHT),
            "bottom left": (left, right, point * PANEL_HEIGHT - LABEL_HEIGHT, point * PANEL_HEIGHT),
        }
        order = ["bottom left", "top left"] if falling else ["top left", "bottom left"]
        free = [
            place
            for place in order
            if not any(a < r2 and l2 < b and c < t2 and b2 < d for l2, r2, b2, t2 in taken
                       for a, b, c, d in [boxes[place]])
        ]  # fmt: skip
        places[i] = (free or order)[0]
        taken.append(boxes[places[i]])
        if places[i] == "bottom left":
            share = LABEL_HEIGHT / PANEL_HEIGHT
            low = min(low, (value - share * high) / (1 - share))
    return places, [low, high]


def kpi_small_multiples(df: pd.DataFrame, *, columns: int = 3) -> go.Figure:
    """One small trend per indicator in a grid, the latest value written on each line.

    Percentages share one value axis, so panels compare at a glance; other units (counts,
    pounds, scores of different sizes) each have their own. An indicator with several
    kinds of period (quarterly and year to date) has a line for each, named in a legend."""
    if df.empty:
        return empty_figure()
    names = list(dict.fromkeys(df["indicator"]))
    columns = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / columns)
    kinds = series_types(df)
    parts = {n: df[df["indicator"] == n] for n in names}
    several = any(len(series_types(part)) > 1 for part in parts.values())
    gap_x = Y_TICKS + 2 * TICK_GAP  # the next panel's value labels, and some air
    width = (CHART_WIDTH - gap_x * (columns - 1)) / columns  # px across one panel
    labels = {n: period_order(parts[n]) for n in names}
    ticks = {n: _ticks(labels[n], width, narrow=columns > 1) for n in names}
    titles = {n: wrap_words(n, int((width + gap_x / 2) / (CHAR * TITLE_SIZE))) for n in names}
    title_px = max(len(t) for t in titles.values()) * TITLE_LINE
    tick_px = max(t.height() for t in ticks.values())
    gap_y = tick_px + title_px + TICK_GAP
    plot_height = rows * PANEL_HEIGHT + (rows - 1) * gap_y
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=["<br>".join(plain(line) for line in titles[n]) for n in names],
        horizontal_spacing=gap_x / CHART_WIDTH if columns > 1 else 0,
        vertical_spacing=gap_y / plot_height if rows > 1 else 0,
    )
    units = {
        n: measure_unit(parts[n]["unit"].dropna().iloc[0]) if parts[n]["unit"].notna().any() else None
        for n in names
    }  # fmt: skip
    percentages = [v for n in names if units[n] == "%" for v in parts[n]["value"].dropna()]
    shared = _y_range([float(v) for v in percentages])
    legend_shown: set[str | None] = set()
    for i, name in enumerate(names):
        row, col = i // columns + 1, i % columns + 1
        part, unit, order, tick = parts[name], units[name], labels[name], ticks[name]
        observed = [float(v) for v in part["value"].dropna()]
        x_range = _x_range(len(order), tick, width)
        y_range = shared if unit == "%" and shared else _y_range(observed)
        lines = []
        mine = series_types(part)
        for kind in mine:
            line = part if len(mine) == 1 else part[part["period_type"] == kind]
            x = [p for p in order if p in set(line["period_label"])]
            values = _values(line, x)
            last = max((j for j, v in enumerate(values) if v is not None), default=None)
            lines.append((kind, x, values, last))
        lasts = [
            (order.index(x[j]) - x_range[0], values[j], _falls_to(values, j))
            for _, x, values, j in lines
            if j is not None
        ]
        texts = [format_value(values[j], unit) for _, _, values, j in lines if j is not None]
        places, y_range = (
            _label_places(lasts, y_range, width / (x_range[1] - x_range[0]), texts)
            if y_range
            else ([], None)
        )
        placed = iter(places)
        for kind, x, values, last in lines:
            text = ["" if j != last else format_value(values[j], unit) for j in range(len(values))]
            dash, symbol = (
                OWN_STYLES[kinds.index(kind) % len(OWN_STYLES)] if several else OWN_STYLES[0]
            )
            word = series_word(kind)
            fig.add_trace(
                go.Scatter(
                    x=[plain(p) for p in x], y=values, mode="lines+markers+text", text=text,
                    textposition=next(placed) if last is not None else "top left",
                    cliponaxis=False,  # the latest value is never cut off
                    line={"color": OWN_COLOUR, "width": 3, "dash": dash}, marker={"size": 8, "symbol": symbol},
                    name=word.capitalize() if several else plain(name), legendgroup=str(kind),
                    showlegend=several and kind not in legend_shown,
                    hovertext=[plain(f"{name}, {word}" if word else name)] * len(x),
                    customdata=[format_value(v, unit) for v in values],
                    hovertemplate="%{hovertext}<br>%{x}: %{customdata}<extra></extra>",
                ),
                row=row, col=col,
            )  # fmt: skip
            legend_shown.add(kind)
        fig.update_yaxes(range=y_range, row=row, col=col)
        fig.update_xaxes(
            type="category", categoryorder="array", categoryarray=[plain(p) for p in order],
            range=x_range, tickvals=[plain(p) for p in tick.values],
            ticktext=[plain(t) for t in tick.texts], tickangle=tick.angle, row=row, col=col,
        )  # fmt: skip
        if not observed:
            fig.add_annotation(
                text="No figures", showarrow=False, font={"color": DARK_TEXT},
                xref=f"x{i + 1 if i else ''} domain", yref=f"y{i + 1 if i else ''} domain", x=0.5, y=0.5,
            )  # fmt: skip
    apply_theme(fig)
    legend_px = 1.6 * TALL if several else 0
    top = title_px + legend_px + TICK_GAP
    fig.update_layout(
        height=round(plot_height + top + tick_px + TICK_GAP),
        margin={"t": round(top), "b": TICK_GAP},
        showlegend=several,
        legend={"y": 1 + (title_px + TICK_GAP / 2) / plot_height, "yanchor": "bottom"},
    )
    return fig


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
    order = period_order(df)
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
