"""The panel report: a plan at a date, and chosen KPIs, as a PDF and a PowerPoint file.

Both are made from the same views the dashboard shows (report.views), one chart per
page or slide, each titled with what it shows and as of when, with the sentence that
says what the chart shows and, where it helps, the table behind it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

import queries
from charts.export import image_bytes
from charts.theme import RAG_COLOURS, for_projector, text_colour_on
from report import views
from report.views import View, date_text

IMAGE_WIDTH, IMAGE_HEIGHT = 1280, 600  # fits an A4 landscape page and a 16:9 slide
TABLE_VIEWS = ("overview", "movement", "overdue", "redated", "trend")  # tables worth printing
ROWS_PER_SLIDE = 10
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")


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
) -> Report:
    """Every view of the report with its chart image (the slow part: one image each)."""
    as_of = as_of or queries.snapshots(con, plan)[-1]
    area = area or queries.default_area(con) or ""
    chosen = [
        views.overview(con, plan, as_of),
        views.rag_by_recommendation(con, plan, as_of),
        views.rag_movement(con, plan, after=as_of),
        views.overdue(con, plan, as_of),
        views.redated(con, plan, as_of),
        *(views.kpi(con, name, area) for name in indicators),
    ]
    images = [_image(v.figure) if v.figure is not None else None for v in chosen]
    return Report(
        f"Panel report: {plan}",
        area or "Council",
        as_of,
        generated or dt.datetime.now(),
        chosen,
        images,
    )


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


# PDF ------------------------------------------------------------------------------------


def pdf_bytes(report: Report) -> bytes:
    """A4 landscape: a cover with contents, then a page (or more) per view, each with the
    council's name, the generated date and 'Page n of N' at the foot."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(size=9)
            self.set_text_color(60)
            self.cell(0, 6, report.footer, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = Pdf(orientation="landscape", format="A4")
    pdf.set_title(report.title)
    pdf.set_author(report.council)
    pdf.set_lang("en-GB")
    pdf.set_creation_date(report.generated.astimezone())
    family = _fonts(pdf)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(15, 14, 15)
    width = pdf.epw

    pdf.add_page()
    pdf.set_font(family, "B", 26)
    pdf.multi_cell(width, 12, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 16)
    pdf.multi_cell(
        width,
        9,
        f"{report.council}. Action plan as of {date_text(report.as_of)}. "
        f"Generated {date_text(report.generated)} at {report.generated:%H:%M}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 9, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 12)
    for n, view in enumerate(report.views, 1):
        pdf.cell(0, 7, f"{n}. {view.heading}", new_x="LMARGIN", new_y="NEXT")

    for view, image in zip(report.views, report.images, strict=True):
        pdf.add_page()
        pdf.start_section(view.title)
        pdf.set_font(family, "B", 18)
        pdf.multi_cell(width, 9, view.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 12)
        pdf.multi_cell(width, 6, view.summary, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        table = _printable(view)
        if image is not None:
            room = 100 if table is not None else 135  # mm: a table goes on the same page
            pdf.image(io.BytesIO(image), w=width, h=_fit(image, width, room), keep_aspect_ratio=True, alt_text=view.summary)  # fmt: skip
        if table is not None:
            pdf.ln(3)
            pdf.set_font(family, "", 9)
            headings = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
            with pdf.table(
                col_widths=_widths(table), headings_style=headings, line_height=5, text_align="LEFT"
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
    """Liberation Sans (Arial's metrics, every character we print) where installed, else
    the built-in Helvetica with text limited to Latin-1."""
    regular, bold = FONT_DIR / "LiberationSans-Regular.ttf", FONT_DIR / "LiberationSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("Liberation", "", regular)
        pdf.add_font("Liberation", "B", bold)
        return "Liberation"
    pdf.core_fonts_encoding = "latin-1"
    return "Helvetica"


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
    the sentence under it, tables on slides of their own; notes carry the text."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = report.title
    deck.core_properties.author = report.council
    deck.core_properties.language = "en-GB"
    blank = deck.slide_layouts[6]
    slides: list = []

    def slide(title: str, notes: str):
        page = deck.slides.add_slide(blank)
        size = Pt(28) if len(title) <= 55 else Pt(22)  # a long title still fits one line
        _text(page, title, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9), size, bold=True)
        page.notes_slide.notes_text_frame.text = notes
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
            picture._element.nvPicPr.cNvPr.set("descr", view.summary)  # alt text
            picture.left = int((deck.slide_width - picture.width) / 2)
            _text(page, view.summary, Inches(0.5), Inches(6.2), Inches(12.3), Inches(0.8), Pt(16))
        else:
            _text(page, view.summary, Inches(0.5), Inches(1.4), Inches(12.3), Inches(1), Pt(20))
        table = _printable(view)
        if table is None:
            continue
        for start in range(0, len(table), ROWS_PER_SLIDE):
            part = table.iloc[start : start + ROWS_PER_SLIDE]
            more = " (continued)" if start else ""
            page = slide(f"{view.title}{more}: the figures", _notes(view))
            _table(page, part, view.rag_columns, Inches(0.5), Inches(1.3), Inches(12.3))

    for n, page in enumerate(slides, 1):
        _text(
            page, f"{report.footer} · {n} of {len(slides)}",
            Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.4), Pt(11),
        )  # fmt: skip
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _text(page, text: str, left, top, width, height, size, bold: bool = False) -> None:
    from pptx.dml.color import RGBColor

    frame = page.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = size
        paragraph.font.bold = bold
        paragraph.font.name = "Arial"
        paragraph.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)


def _table(page, table: pd.DataFrame, rag_columns: Sequence[str], left, top, width) -> None:
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
