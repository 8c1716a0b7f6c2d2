"""A Document as an A4 PDF in Thai government style, with the bundled Sarabun fonts (OFL).

Page one opens with the agency's name, the title centred in bold, the period and "ข้อมูล ณ วันที่ ...";
later pages carry their number centred at the top ("- ๒ -"), as Thai official papers do. Margins follow the
official layout (left 3 cm, right 2 cm). Text is shaped with HarfBuzz so Thai marks sit where they belong,
and Thai runs get zero-width spaces between words so lines break between words, not inside them.
"""

from __future__ import annotations

import re
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from admin.documents.model import Document, Paragraph, Table
from admin.documents.text import as_of_line, breakable, cell_text, thai_digits

FONTS = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
FAMILY = "Sarabun"
BODY_SIZE = 14
TABLE_SIZE = 12
LINE = 7.0  # mm per line of body text
TABLE_LINE = 6.0
PAD_X = 1.5  # mm inside a cell, left and right
MAX_WORD = 30.0  # mm: the widest a column grows to fit one word
HEAD_ROOM = 40.0  # mm of a page kept for the repeated heading row when a tall row is cut into parts
HEAD_FILL = (217, 226, 243)
TOTAL_FILL = (242, 242, 242)


class _Paper(FPDF):
    """A4 portrait with the page number centred at the top of every page after the first."""

    thai_numbers = True

    def header(self) -> None:
        if self.page_no() < 2:
            return
        self.set_font(FAMILY, "", BODY_SIZE)
        number = str(self.page_no())
        self.set_y(12)
        self.cell(0, 6, f"- {thai_digits(number) if self.thai_numbers else number} -", align="C")
        self.set_y(self.t_margin)


def render_pdf(doc: Document) -> bytes:
    pdf = _Paper(orientation="portrait", unit="mm", format="A4")
    pdf.thai_numbers = doc.lang == "th"
    pdf.add_font(FAMILY, "", str(FONTS / "Sarabun-Regular.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "Sarabun-Bold.ttf"))
    pdf.set_text_shaping(True)
    pdf.set_margins(left=30, top=25, right=20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(doc.title)
    pdf.set_author(doc.agency)
    pdf.set_creator(doc.agency)
    pdf.set_lang("th-TH" if doc.lang == "th" else "en")
    pdf.add_page()

    _centred(pdf, doc.agency, "B", 16)
    _centred(pdf, doc.title, "B", 18)
    for line in [doc.subtitle, *doc.lines]:
        if line:
            _centred(pdf, line, "", BODY_SIZE)
    _centred(pdf, as_of_line(doc.as_of, doc.lang), "", BODY_SIZE)
    pdf.ln(2)
    pdf.line(pdf.l_margin + 40, pdf.get_y(), pdf.w - pdf.r_margin - 40, pdf.get_y())
    pdf.ln(4)

    for section in doc.sections:
        if pdf.get_y() > pdf.h - 60:  # a heading never sits alone at the foot of a page
            pdf.add_page()
        pdf.set_font(FAMILY, "B", BODY_SIZE + 1)
        pdf.multi_cell(0, LINE + 1, breakable(section.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                _paragraph(pdf, block)
            else:
                _table(pdf, block)
        pdf.ln(3)
    return bytes(pdf.output())


def _centred(pdf: FPDF, text: str, style: str, size: int) -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(0, size * 0.5, breakable(text), align="C", new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    if block.style == "note":
        pdf.set_font(FAMILY, "", TABLE_SIZE)
        pdf.multi_cell(0, TABLE_LINE, breakable(block.text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        return
    pdf.set_font(FAMILY, "", BODY_SIZE)
    indent = 10 if block.style == "item" else 0
    for part in block.text.split("\n"):
        pdf.set_x(pdf.l_margin + indent)
        # The first line of a body paragraph is indented, as in Thai official writing.
        text = ("\u2003\u2003" if block.style == "body" else "") + breakable(part)
        pdf.multi_cell(0, LINE, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _widths(pdf: FPDF, table: Table, rows: list) -> tuple[float, ...]:
    """Column widths in mm: the table's shares of the page, widened where a single word would not fit
    (a Thai word cut in two reads wrongly), taken from the columns that have room to spare."""
    available = pdf.w - pdf.l_margin - pdf.r_margin
    share = sum(column.width for column in table.columns)
    widths = [available * column.width / share for column in table.columns]
    needed = []
    for index, column in enumerate(table.columns):
        pdf.set_font(FAMILY, "B", TABLE_SIZE)
        longest = max(map(pdf.get_string_width, _words(column.heading)), default=0)
        pdf.set_font(FAMILY, "", TABLE_SIZE)
        for row in [*rows, *([table.total] if table.total else [])]:
            shown = cell_text(row[index], column.kind)
            longest = max(longest, *map(pdf.get_string_width, _words(shown)), 0)
        # A long web address may still break inside: no column grows past MAX_WORD for one word.
        needed.append(min(longest + 2 * PAD_X + 0.5, max(widths[index], MAX_WORD)))
    short = sum(max(0.0, need - width) for need, width in zip(needed, widths, strict=True))
    spare = sum(max(0.0, width - need) for need, width in zip(needed, widths, strict=True))
    if short <= 0 or spare <= 0:
        return tuple(widths)
    scale = min(1.0, short / spare)
    return tuple(
        need if need > width else width - (width - need) * scale for need, width in zip(needed, widths, strict=True)
    )


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s\u200b]+", breakable(text)) if word]


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FAMILY, "", TABLE_SIZE)
    aligns = tuple("RIGHT" if column.numeric else "LEFT" for column in table.columns)
    rows = table.rows or [[table.empty, *[None] * (len(table.columns) - 1)]]
    widths = _widths(pdf, table, rows)
    shown_rows = []
    for values in rows:
        cells = []
        for column, value in zip(table.columns, values, strict=True):
            shown = cell_text(value, column.kind) if table.rows else (value or "")
            cells.append(breakable(shown) if not column.numeric else shown)
        shown_rows.append(cells)
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        line_height=TABLE_LINE,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        cell_fill_mode=TableCellFillMode.NONE,
        padding=(1, PAD_X),
        v_align="TOP",
    ) as grid:
        head = grid.row()
        for column in table.columns:
            head.cell(breakable(column.heading), align="CENTER")
        for cells in _page_sized(pdf, widths, shown_rows):
            row = grid.row()
            for text in cells:
                row.cell(text)
        if table.total:
            total = grid.row(style=FontFace(emphasis="BOLD", fill_color=TOTAL_FILL))
            for column, value in zip(table.columns, table.total, strict=True):
                shown = cell_text(value, column.kind)
                total.cell(breakable(shown) if not column.numeric else shown)
    pdf.ln(2)


def _page_sized(pdf: FPDF, widths: tuple[float, ...], rows: list[list[str]]) -> list[list[str]]:
    """The rows, each one taller than a page cut into parts that each fit on one (fpdf2 refuses a row taller
    than a page): a long step result, as in the agencies' own progress reports, runs on over the next rows."""
    most = max(1, int((pdf.page_break_trigger - pdf.t_margin - HEAD_ROOM) / TABLE_LINE))
    out = []
    for cells in rows:
        lines = [
            pdf.multi_cell(
                w=width,
                h=TABLE_LINE,
                text=text,
                max_line_height=TABLE_LINE,
                padding=(1, PAD_X),
                dry_run=True,
                output="LINES",
            )
            for width, text in zip(widths, cells, strict=True)
        ]
        tallest = max((len(cell) for cell in lines), default=0)
        if tallest <= most:
            out.append(cells)
            continue
        for first in range(0, tallest, most):
            out.append(["\n".join(cell[first : first + most]) for cell in lines])
    return out
