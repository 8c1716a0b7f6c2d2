"""A Document as an Excel workbook: one sheet per section, each opening with the agency's header rows.

Numbers stay numbers (with number formats) so the coordinator can reuse them; counts of 1–4 are written as
the text "<5", as in every published figure. Font TH Sarabun New, the Thai government's standard face.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from admin.documents.model import Column, Document, Paragraph, Section, Table
from admin.documents.text import as_of_line
from models.survey_stats import SMALL_COUNT

FONT_NAME = "TH Sarabun New"
BODY = Font(name=FONT_NAME, size=14)
BOLD = Font(name=FONT_NAME, size=14, bold=True)
NOTE = Font(name=FONT_NAME, size=12, italic=True)
TITLE = Font(name=FONT_NAME, size=18, bold=True)
HEADING = Font(name=FONT_NAME, size=16, bold=True)
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
FORMATS = {"count": "#,##0", "number": "#,##0", "decimal": "#,##0.00", "percent": "0.0%"}
MIN_COLUMNS = 4  # header rows span at least this many columns
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_COMBINING = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # Thai marks take no width of their own


def render_xlsx(doc: Document) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for section in doc.sections:
        _section_sheet(book.create_sheet(_sheet_name(section, used)), doc, section)
    if not doc.sections:
        _section_sheet(book.create_sheet("1"), doc, Section(heading=""))
    book.properties.title = doc.title
    book.properties.creator = doc.agency
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(section: Section, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", section.sheet or section.heading).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


def _section_sheet(sheet: Worksheet, doc: Document, section: Section) -> None:
    width = max([len(table.columns) for table in section.tables] + [MIN_COLUMNS])
    widths = [10.0] * width
    row = 1
    header = [(doc.agency, HEADING), (doc.title, TITLE)]
    header += [(line, BODY) for line in [doc.subtitle, *doc.lines] if line]
    header.append((as_of_line(doc.as_of, doc.lang), BODY))
    for text, font in header:
        _merged(sheet, row, width, text, font, Alignment(horizontal="center", vertical="center", wrap_text=True))
        row += 1
    row += 1
    paragraphs: list[tuple[int, str]] = []
    if section.heading:
        _merged(sheet, row, width, section.heading, HEADING, Alignment(vertical="center"))
        row += 1
    for block in section.blocks:
        if isinstance(block, Paragraph):
            font = NOTE if block.style == "note" else BODY
            indent = 2 if block.style == "item" else 0
            text = block.text
            _merged(sheet, row, width, text, font, Alignment(wrap_text=True, vertical="top", indent=indent))
            paragraphs.append((row, text))
            row += 1
        else:
            row = _table(sheet, row, block, widths) + 1
    for index, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = value
    for at, text in paragraphs:  # merged cells do not grow by themselves: give a wrapped paragraph its lines
        lines = sum(-(-_visible_len(part) // int(sum(widths) * 1.1)) for part in text.splitlines() or [""])
        sheet.row_dimensions[at].height = 20 * max(1, lines)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def _merged(sheet: Worksheet, row: int, width: int, text: str, font: Font, align: Alignment) -> None:
    cell = _put(sheet, row, 1, text)
    cell.font, cell.alignment = font, align
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _table(sheet: Worksheet, row: int, table: Table, widths: list[float]) -> int:
    """Write the table from `row`; returns the last row written. Widens `widths` to fit the content."""
    for index, column in enumerate(table.columns, start=1):
        cell = _put(sheet, row, index, column.heading)
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths[index - 1] = max(widths[index - 1], min(_visible_len(column.heading) * 0.9 + 2, 24))
    head_row = row
    rows = table.rows or [[table.empty, *[None] * (len(table.columns) - 1)]]
    for values, font in [*((r, BODY) for r in rows), *([(table.total, BOLD)] if table.total else [])]:
        row += 1
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = _put(sheet, row, index, _cell_value(value, column))
            cell.font, cell.border = font, BOX
            if font is BOLD:
                cell.fill = TOTAL_FILL
            if column.numeric and not isinstance(cell.value, str):
                cell.number_format = FORMATS[column.kind]
                cell.alignment = Alignment(horizontal="right", vertical="top")
            elif column.numeric:
                cell.alignment = Alignment(horizontal="right", vertical="top")
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            shown = _visible_len(str(value)) if value is not None else 1
            widths[index - 1] = max(widths[index - 1], min(shown * 0.9 + 2, 60 if column.kind == "text" else 16))
    if sheet.freeze_panes is None and head_row <= 20:
        sheet.freeze_panes = sheet.cell(row=head_row + 1, column=1)
        sheet.print_title_rows = f"{head_row}:{head_row}"
    return row


def _put(sheet: Worksheet, row: int, column: int, value):
    """Write a value; text starting with "=" stays text (openpyxl would store it as a formula)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _cell_value(value, column: Column):
    """The value a cell holds: numbers as numbers, a count of 1–4 as "<5", nothing as '–'."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if column.kind == "count":
        return "<5" if 0 < int(value) < SMALL_COUNT else int(value)
    if column.kind == "number":
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _visible_len(text: str) -> int:
    return max(1, max((len(_COMBINING.sub("", line)) for line in text.splitlines() or [""]), default=1))
