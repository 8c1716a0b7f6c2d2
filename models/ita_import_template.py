"""Generate the import template (one XLSX, one CSV per table) from the table definitions, never by hand."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from models.ita_import_tables import TABLES, Column

TEMPLATE_XLSX = "ita-import-template.xlsx"
_FIXED_TIME = (2025, 1, 1)  # document properties: the same bytes of metadata on every run


def _csv_cell(column: Column) -> str:
    value = column.example
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_template(directory: Path | str) -> list[Path]:
    """Write ita-import-template.xlsx and <table>.csv into `directory`: headers and one Nam Mong example row."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [_write_xlsx(directory / TEMPLATE_XLSX)]
    for table, columns in TABLES.items():
        path = directory / f"{table}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:  # the BOM makes Excel read Thai as UTF-8
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(column.name for column in columns)
            writer.writerow(_csv_cell(column) for column in columns)
        written.append(path)
    return written


def _write_xlsx(path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, columns in TABLES.items():
        sheet = workbook.create_sheet(table)
        sheet.append([column.name for column in columns])
        sheet.append([column.example for column in columns])
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
            head = sheet.cell(row=1, column=index)
            head.font = Font(bold=True)
            if column.required:
                head.fill = PatternFill("solid", fgColor="FFF2CC")
            need = "required (ต้องกรอก)" if column.required else "optional (ไม่บังคับ)"
            comment = Comment(f"{column.th}\n{column.help}\n{need}", "ITA import")
            comment.width, comment.height = 320, 110
            head.comment = comment
            example = sheet.cell(row=2, column=index)
            example.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(column.example, date):
                example.number_format = "yyyy-mm-dd"
            elif column.kind == "score":
                example.number_format = "0.00"
            elif column.kind in ("text", "code", "list", "lines", "numbers"):
                example.number_format = "@"  # text, so Excel keeps codes such as 1 or 01 as typed
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "flask --app app import-template"
    workbook.properties.created = datetime(*_FIXED_TIME)
    workbook.save(path)
    return path
