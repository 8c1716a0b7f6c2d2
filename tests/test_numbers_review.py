"""Numbers and documents, reviewed: edge cases found by generating the documents for the demo data."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from admin.documents import Column, Document, Section, Table, render_pdf
from admin.documents.oit import build
from models import Measure, ProgressEntry, db
from tests.test_exports import NOW, Context, agency, pdf_text, squeeze

LONG_RESULT = (
    "จังหวัดได้เชิญคณะกรรมการผลักดันการดำเนินงานตามแผนแม่บทภายใต้ยุทธศาสตร์ชาติประเด็นการต่อต้านทุจริต"
    "และประพฤติมิชอบ จังหวัดนราธิวาส ประชุมร่วมกันเพื่อรับทราบการปรับเกณฑ์และผลการประเมิน "
) * 12


def test_pdf_table_cell_longer_than_a_page_is_continued_not_refused():
    """A step's result as long as seed 002's (a thousand characters in a narrow column) is taller than a page:
    fpdf2 refuses such a row, so the o43 PDF of Narathiwat's own measures could not be made."""
    doc = Document(title="t", agency="จังหวัดนราธิวาส", as_of=date(2024, 9, 30))
    section = doc.add(Section("s"))
    section.add(
        Table(
            [Column("ที่", "number", 0.6), Column("ขั้นตอน", width=3), Column("ผล", width=3.8)],
            [[1, "ขั้นตอนที่หนึ่ง", LONG_RESULT], [2, "ขั้นตอนที่สอง", "เสร็จแล้ว"]],
        )
    )
    text = squeeze(pdf_text(render_pdf(doc)))
    pages = re.findall(r"-[๐-๙]+-ที่ขั้นตอนผล", text)  # a new page: its number and the repeated heading row
    assert len(pages) >= 1
    for page in pages:
        text = text.replace(page, "")
    assert squeeze(LONG_RESULT) in text  # every word of it, in order, over the pages
    assert squeeze("ขั้นตอนที่สองเสร็จแล้ว") in text


def test_o43_pdf_of_the_demo_province_renders(demo):
    with demo.app_context():
        pdf = build("o43", Context(agency("narathiwat"), "2567", "th", now=NOW), "pdf")
    assert squeeze("ประชุมร่วมกันจำนวน") in squeeze(pdf_text(pdf))


def test_six_month_o43_says_when_a_step_was_reported_after_31_march(demo):
    """The page marks a step reported after the window; the published o43 ("data as of 31 March") must too."""
    with demo.app_context():
        nammong = agency("nammong")
        measure = db.session.scalars(
            select(Measure).where(Measure.agency_id == nammong.id, Measure.fiscal_year == 2569)
        ).first()
        measure.progress.append(
            ProgressEntry(step_no=1, step="ประชุมชี้แจง", status="done", reported_on=date(2026, 5, 10), kind="step")
        )
        db.session.commit()
        book = load_workbook(io.BytesIO(build("o43", Context(nammong, "2569-H1", "th", now=NOW), "xlsx")))
    cells = [str(c) for s in book.worksheets for row in s.iter_rows(values_only=True) for c in row if c]
    assert any("รายงานเมื่อ 10 พฤษภาคม 2569 หลังสิ้นสุดรอบรายงาน" in c for c in cells)


def test_o43_step_numbers_are_numbers_in_xlsx(demo):
    """Excel flags a number stored as text (and sorts it wrongly): step numbers are written as numbers."""
    with demo.app_context():
        book = load_workbook(io.BytesIO(build("o43", Context(agency("nammong"), "2569", "th", now=NOW), "xlsx")))
    steps = book["มาตรการ 1"]
    head = next(row[0].row for row in steps.iter_rows() if row[0].value == "ที่")
    first = steps.cell(row=head + 1, column=1)
    assert first.value == 1 and first.data_type == "n"
