"""The issue's "Done when", in a real browser: an agency's ITA coordinator, new to the system, logs in, answers a
citizen who asked for staff, closes a complaint, sees the statistics move, attaches that participation to a measure
and downloads the o17 satisfaction report. Screenshots at each step: test-artifacts/screenshots/journey-*.png.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from bot.i18n import t
from models import Agency, Measure, MeasureIndicator, ProgressEntry, db
from models.periods import fiscal_year
from models.types import utcnow
from tests.browser.conftest import SHOTS, sign_in
from tests.browser.steps import citizen, completes_survey, shot
from tests.test_complaint_flow import file_general

THAI = re.compile(r"[\u0e01-\u0e5b]")
ANSWER = "สวัสดีค่ะ เอกสารขออนุญาตก่อสร้างยื่นได้ที่กองช่าง ชั้น 1 ในวันและเวลาราชการค่ะ"
CLOSING = "เปลี่ยนหลอดไฟหน้าโรงเรียนแล้ว ขอบคุณที่แจ้งค่ะ"
MEASURE_TITLE = "มาตรการปรับปรุงการให้บริการตามความคิดเห็นของประชาชน"


@pytest.fixture
def this_years_measure(live) -> int:
    """A measure of this fiscal year on indicators 6 and 8, as the agency's plan would have it (the demo's are of
    the year before; the participation of today counts only toward this year's)."""
    with live.app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == "nammong"))
        year = fiscal_year(utcnow())
        measure = Measure(agency_id=agency.id, fiscal_year=year, based_on_year=year - 1, code="1", title=MEASURE_TITLE)
        measure.indicator_links = [MeasureIndicator(indicator_no=6), MeasureIndicator(indicator_no=8)]
        db.session.add(measure)
        db.session.commit()
        return measure.id


def _headline(page) -> dict[str, int]:
    keys = ("responses", "complaints-closed", "handoffs-answered", "handoffs-closed")
    return {key: int(page.locator(f'dd[data-key="{key}"]').inner_text()) for key in keys}


def _open_menu(page, key: str) -> None:
    with page.expect_navigation():
        page.click(f"nav.mainnav >> text={t(key)}")


def test_a_coordinator_answers_closes_sees_the_statistics_move_attaches_them_and_downloads_o17(
    page, live, line, this_years_measure
):
    asking = citizen(live, line)
    asking.says("ขอคุยกับเจ้าหน้าที่")
    complaining = citizen(live, line)
    number = file_general(complaining)

    # 1. Log in (a coordinator is an administrator of their agency): the inbox greets them with the chat.
    sign_in(page, live, "coordinator", role="admin", agencies=["nammong"])
    _open_menu(page, "admin.nav.stats")
    before = _headline(page)
    shot(page, "journey-1-statistics-before")

    # 2. Answer the citizen: the answer is a LINE push; closing offers the rating, which the citizen gives.
    _open_menu(page, "admin.nav.inbox")
    with page.expect_navigation():
        page.locator("#rows tr.waiting a").first.click()
    page.fill("#reply-text", ANSWER)
    page.click("#reply-send")
    expect(page.locator("#thread .msg-staff .bubble")).to_have_text(ANSWER)
    assert [s.texts() for s in line.sent_to(asking.user_id) if s.kind == "push"] == [[ANSWER]]
    shot(page, "journey-2-answered")
    with page.expect_navigation():
        page.click("#close button[type=submit]")
    asking.last = line.sent_to(asking.user_id)[-1]
    asking.tap_button(t("flow.rating.5"))
    assert t("handoff.rated") in asking.text

    # 3. Close the complaint: in progress, then resolved with a note; the citizen is told each time and,
    # offered the survey with the last notice, answers it.
    _open_menu(page, "admin.nav.cases")
    with page.expect_navigation():
        page.get_by_role("link", name=number).click()
    for status, note in (("in_progress", ""), ("resolved", CLOSING)):
        page.select_option("#new-status", status)
        page.fill("#public-note", note)
        with page.expect_navigation():
            page.click("#status button[type=submit]")
        expect(page.locator(".flash.success")).to_contain_text(t(f"case.status.{status}"))
    notices = [s for s in line.sent_to(complaining.user_id) if s.kind == "push"]
    assert len(notices) == 2 and CLOSING in notices[-1].all_text()
    shot(page, "journey-3-case-resolved")
    complaining.last = notices[-1]
    complaining.tap_button(t("case.rate_service"))
    completes_survey(complaining, start=False)

    # 4. The statistics moved: one more survey response, complaint closed, chat answered and closed.
    _open_menu(page, "admin.nav.stats")
    after = _headline(page)
    assert after == {key: value + 1 for key, value in before.items()}, (before, after)
    shot(page, "journey-4-statistics-after")

    # 5. Attach this participation to the measure, with the narrative the page drafts in Thai.
    _open_menu(page, "admin.nav.reports")
    row = page.locator("table.reports-measures tr", has_text=MEASURE_TITLE)
    with page.expect_navigation():
        row.get_by_role("link", name=t("reports.hub.attach")).click()
    preview = page.locator("section.preview")
    expect(preview).to_be_visible()
    narrative = page.locator("#narrative").input_value()
    assert "น้ำโมง" in narrative and THAI.search(narrative), narrative
    with page.expect_navigation():
        page.get_by_role("button", name=t("reports.measure.attach")).click()
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("section.entry")).to_have_count(1)
    with live.app.app_context():
        [entry] = db.session.scalars(
            select(ProgressEntry).where(
                ProgressEntry.measure_id == this_years_measure, ProgressEntry.kind == "participation"
            )
        ).all()
        frozen = entry.evidence
    assert frozen["survey"]["responses"] == 1, frozen["survey"]
    assert frozen["complaints"]["total"] == 1 and frozen["complaints"]["closed"] == 1, frozen["complaints"]
    assert frozen["participation"]["participants"] >= 2, frozen["participation"]
    shot(page, "journey-5-evidence-attached")

    # 6. Download the o17 satisfaction survey report for this fiscal year, as Excel and as PDF.
    _open_menu(page, "admin.nav.reports")
    with page.expect_navigation():
        page.get_by_role("link", name=t("reports.hub.exports")).first.click()
    year = fiscal_year(utcnow())
    xlsx = _export(page, "o17", "xlsx")
    shot(page, "journey-6-export-ready")
    assert xlsx.suggested_filename.endswith(".xlsx"), xlsx.suggested_filename
    xlsx.save_as(SHOTS.parent / "journey-o17.xlsx")  # kept with the screenshots, to be read as a person would
    content = Path(xlsx.path()).read_bytes()
    assert zipfile.is_zipfile(io.BytesIO(content))
    sheets = _xlsx_texts(content)
    first = sheets[0]
    assert first[:3] == ["องค์การบริหารส่วนตำบลน้ำโมง", "รายงานผลการสำรวจความพึงพอใจการให้บริการ", f"ปีงบประมาณ พ.ศ. {year}"]
    everything = [text for sheet in sheets for text in sheet]
    assert any(re.fullmatch(r"ข้อมูล ณ วันที่ \d{1,2} [ก-๙]+ 25\d\d", text) for text in everything), "Thai BE date"
    assert "<5" in everything, "one respondent is published as <5"
    assert any(text.startswith("ผู้ตอบแบบสำรวจ จำนวน <5 คน") for text in everything), "the summary of the survey"

    pdf = _export(page, "o17", "pdf")
    assert pdf.suggested_filename.endswith(".pdf"), pdf.suggested_filename
    pdf.save_as(SHOTS.parent / "journey-o17.pdf")
    content = Path(pdf.path()).read_bytes()
    assert content.startswith(b"%PDF-") and b"Sarabun" in content, "a PDF in the Sarabun font"
    assert _pdf_thai_glyphs(content) >= 20, "Thai text in the PDF"


def _export(page, item: str, fmt: str):
    """Asks for the file on the export page, waits for the progress to finish and downloads it."""
    page.get_by_label(t("exports.item_field")).select_option(item)
    page.get_by_label(t("exports.format_field")).select_option(fmt)
    with page.expect_navigation():
        page.get_by_role("button", name=t("exports.submit")).click()
    link = page.locator('tr.export-job.highlight [data-role="download"]')
    expect(link).to_be_visible(timeout=20_000)
    with page.expect_download() as waiting:
        link.click()
    return waiting.value


def _pdf_thai_glyphs(content: bytes) -> int:
    """How many Thai characters the PDF's fonts map to (its ToUnicode tables, inside compressed streams)."""
    found = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            text = stream
        found.update(re.findall(rb"<(0E[0-5][0-9A-F])>", text, re.I))
    return len(found)


def _xlsx_texts(content: bytes) -> list[list[str]]:
    """The text cells of each sheet, in reading order."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheets = [
        [value for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)]
        for sheet in book.worksheets
    ]
    book.close()
    return sheets
