"""One place for the palette, fonts and layout every chart shares.

RAG colours differ in lightness as well as hue (dark blue, mid green, light amber, dark
red, grey), so they stay apart under protanopia, deuteranopia and tritanopia (checked with
the Machado 2009 simulation: every pair at least 24 CIELAB units apart), and every mark
also carries its label or a distinct shape, so colour is never the only cue. Text drawn on a fill uses whichever of near-black or white
passes WCAG 2.2 AA (4.5:1) against it.
"""

from __future__ import annotations

import datetime as dt
import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from loaders.rag import RAG_LEVELS

RAG_ORDER = RAG_LEVELS  # the scale is the loaders' (best first); charts only colour it
RAG_COLOURS = {
    "Complete": "#1f5fa8",
    "Green": "#5fae4f",
    "Amber": "#f2a900",
    "Red": "#a4161a",
    "Not rated": "#9e9e9e",
}
RAG_SYMBOLS = {
    "Complete": "star",
    "Green": "circle",
    "Amber": "triangle-up",
    "Red": "x",
    "Not rated": "square-open",
}
DARK_TEXT = "#1a1a1a"
LIGHT_TEXT = "#ffffff"
OWN_COLOUR = "#12436d"  # the council itself: strong dark blue
MUTED = "#b8b8b8"  # other councils
# Benchmarks differ in colour and in dash, so a printed greyscale pack still tells them apart.
BENCHMARK_STYLES = {
    "Statistical neighbours": ("#801650", "dash"),
    "England": ("#1a7f74", "dot"),
    "Region": ("#c2410c", "dashdot"),
}
OTHER_BENCHMARK = ("#5e5e5e", "longdash")
TARGET_COLOUR = "#1a1a1a"
# Series without a meaning of their own (periods in a breakdown); all >= 4.5:1 on white.
SERIES_COLOURS = ("#12436d", "#c2410c", "#1a7f74", "#801650", "#6a4c93", "#5e5e5e")
FONT = "Arial, Helvetica, 'Segoe UI', sans-serif"
BASE_FONT_SIZE = 16
PRESENT_FONT_SIZE = 24  # legible at the back of a room at 1280x720


def plain(text: object) -> str:
    """Text from a file as a chart shows it: plotly draws a subset of HTML in titles, tick
    labels, hover text, legends and annotations (live ``<a href>`` links, ``<b>``, ``<br>``),
    so ``<``, ``>`` and ``&`` are written as entities and the text appears as typed."""
    return html.escape(str(text), quote=False)


def _luminance(hex_colour: str) -> float:
    rgb = [c / 255 for c in _rgb(hex_colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio between two '#rrggbb' colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(fill: str | None) -> str:
    """Near-black or white, whichever contrasts more with the fill."""
    if not fill:
        return DARK_TEXT
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda text: contrast_ratio(fill, text))


def benchmark_style(area: str) -> tuple[str, str]:
    """Colour and dash for a comparison series; any other named area is taken as a region."""
    for name, style in BENCHMARK_STYLES.items():
        if area.startswith(name):
            return style
    return BENCHMARK_STYLES["Region"] if area else OTHER_BENCHMARK


def format_date(value: dt.date | dt.datetime | pd.Timestamp | str | None) -> str:
    """'31 Jan 2018' (no leading zero); blank when missing."""
    if is_missing(value) or value is pd.NaT:
        return ""
    if isinstance(value, str | pd.Timestamp):
        value = pd.Timestamp(value).to_pydatetime()
    return f"{value.day} {value:%b %Y}"


def _rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]


def blend(a: str, b: str, share: float) -> str:
    """The colour `share` of the way from a to b, as '#rrggbb'."""
    mixed = (round(x + (y - x) * share) for x, y in zip(_rgb(a), _rgb(b), strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def is_missing(value: object) -> bool:
    """None, NaN, pandas' NA, or a masked entry of a list DuckDB returned with a NULL in it."""
    return (
        value is None
        or value is pd.NA
        or value is np.ma.masked
        or (isinstance(value, float) and math.isnan(value))
    )


def measure_unit(unit: object) -> str | None:
    """The unit a figure is written with ('%' or '£'), from the dictionary's axis name
    ("% of Children Looked After", "Spend", "Unit Cost"); None for counts, rates, scores."""
    if is_missing(unit):
        return None
    text = str(unit).strip()
    if text.startswith("%") or text.lower().startswith(("percent", "proportion")):
        return "%"
    if "£" in text or text.lower() in ("spend", "unit cost"):
        return "£"
    return None


def format_value(value: float | None, unit: str | None = None) -> str:
    """A figure as people write it: '93.5%', '£52,055', '14.2', '1,666'."""
    if is_missing(value):
        return "–"
    number = float(value)
    unit = measure_unit(unit)  # "% of pupils", "Spend": the dictionary's names for them
    if unit == "%":
        return f"{number:.1f}%".replace(".0%", "%") if number.is_integer() else f"{number:.1f}%"
    if unit == "£":
        return f"-£{abs(number):,.0f}" if number < 0 else f"£{number:,.0f}"
    text = f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    return text


def format_change(change: float, unit: str | None = None) -> str:
    """A change with its sign: '+2.9 points' for a percentage (a change in a percentage is
    in percentage points, never itself a percentage), '-£1,200', '+3', '0'."""
    sign = "+" if change > 0 else "-" if change < 0 else ""
    if measure_unit(unit) == "%":
        return f"{sign}{format_value(abs(change))} points"
    return sign + format_value(abs(change), unit)


def apply_theme(fig: go.Figure, title: str | None = None, present: bool = False) -> go.Figure:
    """The shared look: readable fonts (larger when presenting), white background, legend on top."""
    size = PRESENT_FONT_SIZE if present else BASE_FONT_SIZE
    fig.update_layout(
        font={"family": FONT, "size": size, "color": DARK_TEXT},
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": size + 4}}
        if title
        else None,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 10, "r": 30, "t": 70 if title else 40, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "font": {"size": size},
            "traceorder": "normal",
        },
        hoverlabel={"font": {"size": size, "family": FONT}},
        # "show" rather than "hide": a narrow segment still shows its count, never colour alone.
        uniformtext={"minsize": max(12, size - 4), "mode": "show"},
    )
    fig.update_xaxes(
        gridcolor="#e5e5e5", zerolinecolor="#bdbdbd", automargin=True, tickfont={"size": size}
    )
    fig.update_yaxes(
        gridcolor="#e5e5e5", zerolinecolor="#bdbdbd", automargin=True, tickfont={"size": size}
    )
    return fig


# Below this, text in a chart is not read from the back of a room at 1280x720.
PROJECTOR_MIN_TEXT = 20
PROJECTOR_HEIGHT = 460  # with its heading and sentence, a chart fits one 1280x720 screen


def for_projector(fig: go.Figure) -> go.Figure:
    """Enlarge every piece of a built chart's text for a projector (presentation mode)."""
    size = PRESENT_FONT_SIZE
    fig.update_layout(
        font={"size": size}, legend={"font": {"size": size}}, hoverlabel={"font": {"size": size}}
    )
    if fig.layout.title and fig.layout.title.text:
        fig.update_layout(title={"font": {"size": size + 4}})
    fig.update_xaxes(tickfont={"size": size}, title_font={"size": size})
    fig.update_yaxes(tickfont={"size": size}, title_font={"size": size})
    for annotation in fig.layout.annotations:
        annotation.font.size = max(annotation.font.size or 0, PROJECTOR_MIN_TEXT)
    for trace in fig.data:
        if hasattr(trace, "textfont"):
            trace.textfont.size = max(trace.textfont.size or 0, PROJECTOR_MIN_TEXT)
    # Larger text needs more room, but no more than a screen unless the rows need it.
    height = fig.layout.height or PROJECTOR_HEIGHT
    fig.update_layout(
        height=min(max(height * size / BASE_FONT_SIZE, 300), max(PROJECTOR_HEIGHT, height)),
        uniformtext={"minsize": PROJECTOR_MIN_TEXT},
    )
    return fig


def empty_figure(message: str = "No data to show") -> go.Figure:
    """A blank figure with the message in the middle, so a page never shows bare axes."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 18}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_theme(fig)


def bar_height(rows: int, per_row: int = 44, minimum: int = 260) -> int:
    """Enough height for every bar's label to be read."""
    return max(minimum, 120 + per_row * rows)


def enlarged(fig: go.Figure, factor: float) -> go.Figure:
    """A chart for a screen ``factor`` times 1280x720's size: its text, margins and height
    scaled (presentation mode zooms the page on a large screen, but Plotly must draw at the
    screen's own size, so the chart is enlarged here instead)."""
    if factor == 1:
        return fig

    def scale(font) -> None:
        if font is not None and font.size:
            font.size = font.size * factor

    layout = fig.layout
    for font in (layout.font, layout.legend.font, layout.hoverlabel.font, layout.title.font):
        scale(font)
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        scale(axis.tickfont)
        scale(axis.title.font)
    for annotation in layout.annotations:
        scale(annotation.font)
        annotation.xshift = (annotation.xshift or 0) * factor
        annotation.yshift = (annotation.yshift or 0) * factor
    for trace in fig.data:
        if hasattr(trace, "textfont"):
            scale(trace.textfont)
    margin = layout.margin
    fig.update_layout(
        height=(layout.height or PROJECTOR_HEIGHT) * factor,
        margin={side: getattr(margin, side) * factor for side in "lrtb" if getattr(margin, side)},
    )
    if layout.uniformtext.minsize:
        layout.uniformtext.minsize = layout.uniformtext.minsize * factor
    return fig
