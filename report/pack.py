"""The panel report: a plan at a date, and chosen KPIs, as a PDF and a PowerPoint file.

Both are made from the same views the dashboard shows (report.views), one chart per
page or slide, each titled with what it shows and as of when, with the sentence that
says what the chart shows and, where it helps, the table behind it.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

import queries
from charts.export import image_bytes
from charts.theme import RAG_COLOURS, for_projector, text_colour_on
from report import metrics, plans, slippage, views
from report.views import View, date_text

IMAGE_WIDTH, IMAGE_HEIGHT = 1280, 600  # fits an A4 landscape page and a 16:9 slide
# tables worth printing
TABLE_VIEWS = (
    "overview", "movement", "overdue", "redated", "unreadable", "trend", "actions", "by_lead",
    "by_recommendation_label",
)  # fmt: skip
# The plan's views every report has; any other view of the dashboard may be added (extras).
STANDARD = (
    "overview",
    "rag_by_recommendation",
    "rag_movement",
    "overdue",
    "unreadable_due_dates",
    "redated",
    "kpi",
)
ROWS_PER_SLIDE = 10
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
# Arabic, Hebrew, Greek, Cyrillic and symbols Liberation Sans lacks; where installed.
FALLBACK_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# A text longer than its table cell can show (Excel allows 32,767 characters in one) is cut
# with a marker saying how much more there is and where to read it, never silently.
PDF_CELL_LINES = 18  # lines of a PDF table cell: a row always fits one page
PDF_LINE = 5  # mm, the PDF table's line height
SLIDE_CELL_LINES = 8  # lines of a slide's table cell
SLIDE_TABLE_HEIGHT = 5.5  # inches of slide under the title that a table may fill
SLIDE_LINE, SLIDE_ROW_MARGIN = 0.2, 0.1  # inches: one 12pt line; a cell's top and bottom margins
SLIDE_WIDTH = 12.3  # inches across a slide's table


@dataclass
class Report:
    title: str
    council: str
    as_of: dt.date
    generated: dt.datetime
    views: list[View]
    images: list[bytes | None]  # each view's chart as PNG, or None for a view with no chart

    @property
    def footer(self) -> str:
        return f"{self.council} · {self.title} · generated {date_text(self.generated)}"


def build(
    con,
    plan: str,
    as_of: dt.date | None = None,
    indicators: Sequence[str] = (),
    area: str | None = None,
    generated: dt.datetime | None = None,
    extras: Sequence[str] = (),
) -> Report:
    """Every view of the report with its chart image (the slow part: one image each):
    the standard views, then ``extras`` (kinds of ``views.KINDS``): a plan's at the report's
    snapshot, an indicator's for each KPI chosen, where it has something to show."""
    as_of = as_of or queries.snapshots(con, plan)[-1]
    area = area or queries.default_area(con) or ""
    chosen = [
        plans.overview(con, plan, as_of),
        plans.rag_by_recommendation(con, plan, as_of),
        plans.rag_movement(con, plan, after=as_of),
        slippage.overdue(con, plan, as_of),
        *_when_any(slippage.unreadable_due_dates(con, plan, as_of)),
        slippage.redated(con, plan, as_of),
    ]
    for kind in extras:
        if "plan" in views.KINDS[kind].needs:
            chosen.append(views.build(con, kind, {"plan": plan, **_at(kind, as_of)}))
        elif "indicators" in views.KINDS[kind].needs and indicators:
            chosen.extend(_if_any(con, kind, {"indicators": tuple(indicators), "area": area}))
    for name in indicators:
        chosen.append(metrics.kpi(con, name, area))
        for kind in extras:
            if "indicator" in views.KINDS[kind].needs:
                chosen.extend(_if_any(con, kind, {"indicator": name, "area": area}))
    images = [_image(v.figure) if v.figure is not None else None for v in chosen]
    return Report(
        f"Panel report: {plan}",
        area or "Council",
        as_of,
        generated or dt.datetime.now(),
        chosen,
        images,
    )


def _at(kind: str, as_of: dt.date) -> dict:
    """``as_of`` for a plan's view that is shown at a snapshot (RAG over time is not)."""
    return (
        {"as_of": as_of} if "as_of" in inspect.signature(views.KINDS[kind].build).parameters else {}
    )


def _if_any(con, kind: str, params: dict) -> list[View]:
    """An indicator's view, or none where it has nothing to show (no other council has the
    figure, no breakdown): the report lists only what it can show."""
    try:
        return [views.build(con, kind, params)]
    except views.NoData:
        return []


def _when_any(view: View) -> list[View]:
    """The view as a page of the report if its table lists anything."""
    return [view] if view.table is not None and not view.table.empty else []


def _image(fig: go.Figure) -> bytes:
    fig = for_projector(go.Figure(fig))  # a copy, with text sized for a slide
    return image_bytes(fig, "png", IMAGE_WIDTH, max(IMAGE_HEIGHT, fig.layout.height or 0))


def _printable(view: View) -> pd.DataFrame | None:
    table = view.table
    if view.key not in TABLE_VIEWS or table is None or table.empty:
        return None
    return table.map(_cell_text)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _notes(view: View) -> str:
    return f"{view.heading}.\n{view.summary}"


def continues(rest: int, cell: str | None) -> str:
    """The marker that ends a text cut short: how much more there is and where to read it."""
    where = f" or the file's cell {cell}" if cell else ""
    return f"(continues: {rest:,} more characters; see the Data page{where})"


def _cut(text: str, keep: int, cell: str | None) -> str:
    """``text`` cut after at most ``keep`` characters, with the marker on a line of its own
    (so that right-to-left text before it cannot reorder it); a word is not split where
    there is a space near the cut."""
    kept = text[:keep]
    if keep < len(text) and not text[keep].isspace():
        space = kept.rfind(" ")
        kept = kept[:space] if space > keep * 0.8 else kept
    kept = kept.rstrip()
    return f"{kept}…\n{continues(len(text) - len(kept), cell)}"


def _fit_text(
    text: str, cell: str | None, lines: Callable[[str], list[str]], most: int, ceiling: int
) -> str:
    """``text`` whole if it takes at most ``most`` lines (``lines`` breaks a text into the
    lines it takes), else its first lines with the marker in as many. ``ceiling``: more
    characters than any ``most`` lines can hold."""
    head = lines(text[:ceiling])
    if len(text) <= ceiling and len(head) <= most:
        return text
    room = most - len(lines(continues(len(text), cell)))
    for whole in range(max(room, 0), -1, -1):
        cut = _cut(text, _length(text, head[:whole]), cell)
        if len(lines(cut)) <= most:
            return cut
    return cut


def _length(text: str, lines: Sequence[str]) -> int:
    """How many characters of ``text`` its first lines, as broken, take."""
    end = 0
    for line in lines:
        found = text.find(line.strip(), end)
        if found < 0:
            break
        end = found + len(line.strip())
    return end


def _source(view: View, column: str, row: int) -> str | None:
    """The file's cell a table text was read from ("Plan!C7"), where the view knows it."""
    sources = view.sources
    if sources is None or column not in sources or row >= len(sources):
        return None
    cell = sources[column].iloc[row]
    return cell if isinstance(cell, str) else None


def _fitted(view: View, table: pd.DataFrame, fit: Callable[[str, int, str | None], str]):
    """The table with each cell's text passed through ``fit(text, column number, cell)``."""
    out = table.copy()
    for c, column in enumerate(table.columns):
        out[column] = [
            fit(text, c, _source(view, column, r)) for r, text in enumerate(table[column])
        ]
    return out


def _plain(text: str) -> str:
    """Text a document can hold (XML's characters): tabs as spaces, line breaks kept, and
    other control characters and non-characters, which show nothing, left out."""
    return "".join(
        " " if ch == "\t" else ch
        for ch in text
        if ch in "\t\n"
        or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in "\ufffe\uffff")
    )


# PDF ------------------------------------------------------------------------------------


def pdf_bytes(report: Report) -> bytes:
    """A4 landscape: a cover with contents, then a page (or more) per view, each with the
    council's name, the generated date and 'Page n of N' at the foot.

    Tagged as far as fpdf2 tags: each chart is a Figure with its sentence as alt text in
    the structure tree (which marks the file as tagged); headings, paragraphs and tables
    are drawn untagged, as fpdf2 has no way to tag them."""
    from fpdf import FPDF, ViewerPreferences
    from fpdf.fonts import FontFace

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(size=9)
            self.set_text_color(60)
            self.cell(0, 6, one_line(report.footer), align="L")
            self.set_x(self.l_margin)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = Pdf(orientation="landscape", format="A4")
    pdf.set_title(report.title)
    pdf.set_author(report.council)
    pdf.set_lang("en-GB")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)  # not the file's name
    pdf.set_creation_date(report.generated.astimezone())
    family = _fonts(pdf)
    drawable = _drawable(pdf, family)

    def one_line(text: str) -> str:
        return " ".join(drawable(text).split())

    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(15, 14, 15)
    width = pdf.epw

    pdf.add_page()
    pdf.set_font(family, "B", 26)
    pdf.multi_cell(width, 12, drawable(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 16)
    pdf.multi_cell(
        width,
        9,
        drawable(
            f"{report.council}. Action plan as of {date_text(report.as_of)}. "
            f"Generated {date_text(report.generated)} at {report.generated:%H:%M}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 9, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 12)
    for n, view in enumerate(report.views, 1):
        pdf.cell(0, 7, one_line(f"{n}. {view.heading}"), new_x="LMARGIN", new_y="NEXT")

    for view, image in zip(report.views, report.images, strict=True):
        pdf.add_page()
        pdf.start_section(view.title)
        pdf.set_font(family, "B", 18)
        pdf.multi_cell(width, 9, drawable(view.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 12)
        pdf.multi_cell(width, 6, drawable(view.summary), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        table = _printable(view)
        if image is not None:
            room = 100 if table is not None else 135  # mm: a table goes on the same page
            pdf.image(io.BytesIO(image), w=width, h=_fit(image, width, room), keep_aspect_ratio=True, alt_text=_plain(view.summary))  # fmt: skip
        if table is not None:
            pdf.ln(3)
            pdf.set_font(family, "", 9)
            headings = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
            widths = _widths(table)
            table = _pdf_cells(pdf, view, table.map(drawable), widths)
            with pdf.table(
                col_widths=widths, headings_style=headings, line_height=PDF_LINE, text_align="LEFT"
            ) as grid:
                grid.row(list(table.columns))
                for record in table.itertuples(index=False):
                    row = grid.row()
                    for column, value in zip(table.columns, record, strict=True):
                        fill = RAG_COLOURS.get(value) if column in view.rag_columns else None
                        style = (
                            FontFace(fill_color=fill, color=text_colour_on(fill)) if fill else None
                        )
                        row.cell(value, style=style)
    return bytes(pdf.output())


def _fonts(pdf) -> str:
    """Liberation Sans (Arial's metrics, every character we print) where installed, with
    DejaVu Sans for the characters it lacks where that is; else the built-in Helvetica with
    text limited to Latin-1."""
    regular, bold = FONT_DIR / "LiberationSans-Regular.ttf", FONT_DIR / "LiberationSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        pdf.core_fonts_encoding = "latin-1"
        return "Helvetica"
    pdf.add_font("Liberation", "", regular)
    pdf.add_font("Liberation", "B", bold)
    more = FALLBACK_FONT_DIR / "DejaVuSans.ttf", FALLBACK_FONT_DIR / "DejaVuSans-Bold.ttf"
    if all(path.exists() for path in more):
        pdf.add_font("DejaVu", "", more[0])
        pdf.add_font("DejaVu", "B", more[1])
        pdf.set_fallback_fonts(["DejaVu"])
    return "Liberation"


def _drawable(pdf, family: str) -> Callable[[str], str]:
    """A function giving text the PDF's fonts can draw: a character none has shows as the
    replacement mark (as any viewer shows one), never vanishing or stopping the report;
    invisible marks (joiners, variation selectors, controls) none draws are left out."""
    if family == "Helvetica":
        return lambda text: _plain(text).encode("latin-1", "replace").decode("latin-1")
    glyphs = set().union(*(font.cmap for font in pdf.fonts.values()))
    mark = "\ufffd" if ord("\ufffd") in glyphs else "\u25a1"

    def drawable(text: str) -> str:
        return "".join(
            ch if ch == "\n" or ord(ch) in glyphs else mark
            for ch in _plain(text)
            if ch == "\n" or ord(ch) in glyphs or unicodedata.category(ch) not in INVISIBLE
        )

    return drawable


INVISIBLE = ("Cc", "Cf", "Mn", "Me")  # controls, format marks, combining marks


def _pdf_cells(pdf, view: View, table: pd.DataFrame, widths: Sequence[int]) -> pd.DataFrame:
    """Each cell's text as it fits PDF_CELL_LINES lines of its column (the current font)."""
    columns = [pdf.epw * w / sum(widths) - 0.5 for w in widths]  # less the table's border

    def lines(text: str, width: float) -> list[str]:
        return pdf.multi_cell(width, PDF_LINE, text, dry_run=True, output="LINES")

    def fit(text: str, c: int, cell: str | None) -> str:
        # 0.5 mm: narrower than any character at 9 pt, so more than the lines can hold
        ceiling = PDF_CELL_LINES * int(columns[c] / 0.5)
        return _fit_text(text, cell, partial(lines, width=columns[c]), PDF_CELL_LINES, ceiling)

    return _fitted(view, table, fit)


def _fit(image: bytes, width: float, max_height: float) -> float:
    from PIL import Image

    with Image.open(io.BytesIO(image)) as img:
        return min(max_height, width * img.height / img.width)


def _widths(table: pd.DataFrame) -> tuple[int, ...]:
    """Column widths by their longest text, with long text (actions) given the room."""
    longest = [
        max([len(str(c)), *(len(v) for v in table[c])]) if len(table) else len(str(c))
        for c in table.columns
    ]
    return tuple(min(max(n, 11), 40) for n in longest)  # 11: "Complete" on one line


# PowerPoint -----------------------------------------------------------------------------


def pptx_bytes(report: Report) -> bytes:
    """16:9 slides: a title slide, then one chart per slide with its title, as-of date and
    the sentence under it, tables on slides of their own; notes carry the text. Each slide's
    title is its title placeholder, distinct from every other's, so that PowerPoint's
    outline and accessibility checker find it; pictures and tables carry alt text."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = _plain(report.title)
    deck.core_properties.author = _plain(report.council)
    deck.core_properties.language = "en-GB"
    layout = deck.slide_layouts.get_by_name("Title Only")
    slides: list = []
    used: set[str] = set()

    def slide(title: str, notes: str):
        page = deck.slides.add_slide(layout)
        title = _distinct(_plain(title), used)
        size = Pt(28) if len(title) <= 55 else Pt(22)  # a long title still fits one line
        _title(page, title, size)
        page.notes_slide.notes_text_frame.text = _plain(notes)
        slides.append(page)
        return page

    cover = slide(report.title, f"{report.title}, {report.council}.")
    _text(
        cover,
        f"{report.council}\nAction plan as of {date_text(report.as_of)}\n"
        f"Generated {date_text(report.generated)}",
        Inches(0.5), Inches(1.4), Inches(12.3), Inches(2), Pt(24),
    )  # fmt: skip
    for view, image in zip(report.views, report.images, strict=True):
        page = slide(view.heading, _notes(view))
        if image is not None:
            picture = page.shapes.add_picture(
                io.BytesIO(image), Inches(0.5), Inches(1.25), height=Inches(4.9)
            )
            _describe(picture, view.summary)
            picture.left = int((deck.slide_width - picture.width) / 2)
            _text(page, view.summary, Inches(0.5), Inches(6.2), Inches(12.3), Inches(0.8), Pt(16))
        else:
            _text(page, view.summary, Inches(0.5), Inches(1.4), Inches(12.3), Inches(1), Pt(20))
        table = _printable(view)
        if table is None:
            continue
        per_line = _slide_chars_per_line(table)
        table = _slide_cells(view, table.map(_plain), per_line)
        parts = _slide_parts(table, per_line)
        for n, part in enumerate(parts, 1):
            # each part titled apart: the checker flags slides with the same title
            more = " (continued)" if n > 1 else ""
            of = f", {n} of {len(parts)}" if len(parts) > 1 else ""
            page = slide(f"{view.title}{more}: the figures{of}", _notes(view))
            _table(page, part, view.rag_columns, Inches(0.5), Inches(1.3), Inches(SLIDE_WIDTH))

    for n, page in enumerate(slides, 1):
        _text(
            page, f"{report.footer} · {n} of {len(slides)}",
            Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.4), Pt(11),
        )  # fmt: skip
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _slide_chars_per_line(table: pd.DataFrame) -> list[int]:
    """About how many characters of 12 pt Arial each column of a slide's table holds in a
    line (an average character taken as 0.6 em, wider than Arial's, so estimates err long)."""
    widths = _widths(table)
    return [max(4, int(SLIDE_WIDTH * w / sum(widths) * 72 / (12 * 0.6))) for w in widths]


def _slide_cells(view: View, table: pd.DataFrame, per_line: Sequence[int]) -> pd.DataFrame:
    """Each cell's text as it fits SLIDE_CELL_LINES lines of its column."""

    def fit(text: str, c: int, cell: str | None) -> str:
        lines = partial(_slide_wrap, per_line=per_line[c])
        return _fit_text(text, cell, lines, SLIDE_CELL_LINES, SLIDE_CELL_LINES * per_line[c])

    return _fitted(view, table, fit)


def _slide_wrap(text: str, per_line: int) -> list[str]:
    """About the lines a text takes in a column holding ``per_line`` characters a line."""
    return [
        line[start : start + per_line]
        for line in text.split("\n")
        for start in range(0, max(len(line), 1), per_line)
    ]


def _slide_parts(table: pd.DataFrame, per_line: Sequence[int]) -> list[pd.DataFrame]:
    """The table's rows split into slides: at most ROWS_PER_SLIDE, and as many as fit."""

    def height(row: Sequence[str]) -> float:
        lines = max(len(_slide_wrap(str(v), n)) for v, n in zip(row, per_line, strict=True))
        return SLIDE_ROW_MARGIN + SLIDE_LINE * lines

    parts, start, used = [], 0, height(list(table.columns))
    for r, row in enumerate(table.itertuples(index=False)):
        if r > start and (r - start == ROWS_PER_SLIDE or used + height(row) > SLIDE_TABLE_HEIGHT):
            parts.append(table.iloc[start:r])
            start, used = r, height(list(table.columns))
        used += height(row)
    return [*parts, table.iloc[start:]]


def _distinct(title: str, used: set[str]) -> str:
    """``title``, numbered where a slide already has it (a KPI chosen twice), and noted used."""
    n, distinct = 1, title
    while distinct in used:
        n += 1
        distinct = f"{title} ({n})"
    used.add(distinct)
    return distinct


def _title(page, title: str, size) -> None:
    """The slide's title placeholder, styled as the title text box it replaced; any other
    placeholder the layout brings is removed (an empty one is flagged as an error)."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
    from pptx.util import Inches

    for shape in list(page.placeholders):
        if shape.placeholder_format.idx != 0:  # 0: the title
            shape.element.getparent().remove(shape.element)
    shape = page.shapes.title
    shape.left, shape.top, shape.width, shape.height = (Inches(x) for x in (0.5, 0.3, 12.3, 0.9))
    frame = shape.text_frame
    frame.vertical_anchor, frame.auto_size = MSO_ANCHOR.TOP, MSO_AUTO_SIZE.NONE
    _write(frame, title, size, bold=True)


def _describe(shape, text: str) -> None:
    """Alt text on a picture or table: the description in its non-visual properties."""
    shape._element._nvXxPr.cNvPr.set("descr", _plain(text))


def _text(page, text: str, left, top, width, height, size, bold: bool = False) -> None:
    _write(page.shapes.add_textbox(left, top, width, height).text_frame, text, size, bold)


def _write(frame, text: str, size, bold: bool = False) -> None:
    """``text`` in a text frame, a paragraph a line: Arial, near-black, left aligned."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN

    frame.word_wrap = True
    for i, line in enumerate(_plain(text).split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT  # a title placeholder's own is centred
        run = paragraph.add_run()
        run.text = line
        # on the run, not as the paragraph's default, which a placeholder's style can outrank
        run.font.size, run.font.bold, run.font.name = size, bold, "Arial"
        run.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)


def _table(page, table: pd.DataFrame, rag_columns: Sequence[str], left, top, width) -> None:
    """The table on the slide, described for a screen reader by the slide's title."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    rows, cols = len(table) + 1, len(table.columns)
    shape = page.shapes.add_table(rows, cols, left, top, width, Pt(26) * rows)
    grid = shape.table
    widths = _widths(table)
    for i, share in enumerate(widths):
        grid.columns[i].width = int(width * share / sum(widths))
    for c, name in enumerate(table.columns):
        grid.cell(0, c).text = str(name)
    for r, record in enumerate(table.itertuples(index=False), 1):
        for c, (name, value) in enumerate(zip(table.columns, record, strict=True)):
            cell = grid.cell(r, c)
            cell.text = value
            fill = RAG_COLOURS.get(value) if name in rag_columns else None
            if fill:
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(fill.lstrip("#").upper())
                cell.text_frame.paragraphs[0].font.color.rgb = RGBColor.from_string(
                    text_colour_on(fill).lstrip("#").upper()
                )
    for r in range(rows):
        for c in range(cols):
            for paragraph in grid.cell(r, c).text_frame.paragraphs:
                paragraph.font.size = Pt(12)
                paragraph.font.name = "Arial"
    title, columns = page.shapes.title.text_frame.text, ", ".join(map(str, table.columns))
    rows = f"{len(table)} row{'s' if len(table) != 1 else ''}"
    _describe(shape, f"{title}, as a table of {rows}. Columns: {columns}.")
