"""OIT evidence and exports: the five items as XLSX and PDF with the numbers in them, "<5" for small counts,
CSV with formula injection neutralised and nothing that identifies a citizen, background jobs with progress,
download rights per agency, role and kind, and the failure path.

Nam Mong's rows (fiscal 2569, first half; times in Bangkok):
  survey   6 complete responses on LINE (Nov 2568), every question: 3 answer 5, 3 answer 4 → mean 4.50, estimate
           87.50; 1 partial response (not counted).
  cases    5 general service_delay (Nov 2568), 3 resolved after 48 h; 2 corruption bribery (Dec 2568), received.
  chats    5 handoffs (Nov 2568), each answered by staff after 10 minutes.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import time
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from admin.documents import Column, Document, Paragraph, Section, Table, render_pdf, render_xlsx
from admin.documents.context import Context
from admin.documents.csv_export import cases_csv, neutralise, responses_csv
from admin.documents.oit import ITEMS, build
from models import (
    Agency,
    AuditEntry,
    ChatMessage,
    Complaint,
    ComplaintUpdate,
    Conversation,
    ExportJob,
    Handoff,
    SurveyAnswer,
    SurveyResponse,
    db,
)
from models.periods import BANGKOK
from models.survey import questions_for
from tests.web import login, make_user

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # after fiscal 2569: every period is over
NUMBERS = itertools.count(500000)
CHATS = itertools.count(1)
LINE_ID = "U" + "ab" * 16  # a LINE user id that must never appear in an export
EVIL = '=HYPERLINK("http://evil.example","click")'


def bkk(*parts) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK).astimezone(UTC)


def agency(slug: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


def conversation(slug: str, chat_id: str | None = None) -> Conversation:
    chat = Conversation(channel="line", chat_id=chat_id or f"U{next(CHATS):032d}", context={"agency": slug})
    db.session.add(chat)
    db.session.flush()
    return chat


def complaint(agency_id, lane, category, filed, status="received", closed_after=None, description="x"):
    case = Complaint(
        tracking_no=f"2569-{next(NUMBERS)}",
        agency_id=agency_id,
        lane=lane,
        category=category,
        description=description,
        place="หน้าที่ทำการ" if lane == "general" else "บ้านนายก",
        status=status,
        filed_at=filed,
        updated_at=filed,
        identified=False,
    )
    case.updates.append(ComplaintUpdate(status="received", created_at=filed))
    if closed_after is not None:
        case.updates.append(ComplaintUpdate(status=status, created_at=filed + closed_after))
    db.session.add(case)
    return case


@pytest.fixture
def data(demo):
    """Nam Mong's first half of fiscal 2569, as in the module docstring."""
    with demo.app_context():
        nammong = agency("nammong")
        questions = questions_for(nammong.id)
        citizen = conversation("nammong", LINE_ID)
        for n in range(6):
            chat = citizen if n == 0 else conversation("nammong")
            response = SurveyResponse(
                agency_id=nammong.id,
                conversation_id=chat.id,
                period="2569",
                status="complete",
                channel="line",
                comment="ชื่อนายสมชาย โทร 0812345678",
                started_at=bkk(2025, 11, 10 + n, 9),
                completed_at=bkk(2025, 11, 10 + n, 9, 5),
            )
            response.answers = [SurveyAnswer(question_id=q.id, score=5 if n < 3 else 4) for q in questions]
            db.session.add(response)
            db.session.add(
                ChatMessage(
                    conversation=chat, direction="in", kind="text", text="สวัสดี", created_at=bkk(2025, 11, 10 + n, 8)
                )
            )
        partial = SurveyResponse(
            agency_id=nammong.id,
            conversation_id=conversation("nammong").id,
            period="2569",
            status="partial",
            started_at=bkk(2025, 11, 20, 9),
        )
        partial.answers = [SurveyAnswer(question_id=questions[0].id, score=1)]
        db.session.add(partial)
        for n in range(5):
            status, after = ("resolved", timedelta(hours=48)) if n < 3 else ("received", None)
            complaint(
                nammong.id,
                "general",
                "service_delay",
                bkk(2025, 11, 3 + n, 10),
                status,
                after,
                EVIL if n == 0 else "ถนนชำรุด",
            )
        for n in range(2):
            complaint(nammong.id, "corruption", "bribery", bkk(2025, 12, 5 + n), description="เจ้าหน้าที่เรียกเงินลับ")
        for n in range(5):
            opened = bkk(2025, 11, 12 + n, 13)
            db.session.add(
                Handoff(
                    conversation_id=conversation("nammong").id,
                    agency_id=nammong.id,
                    reason="asked",
                    status="closed",
                    opened_at=opened,
                    first_response_at=opened + timedelta(minutes=10),
                    closed_at=opened + timedelta(minutes=30),
                    closed_by="staff",
                )
            )
        db.session.commit()
    return demo


def context(item_period="2569-H1", lang="th", slug="nammong") -> Context:
    return Context(agency(slug), item_period, lang, now=NOW)


def sheet_values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_starting(sheet, first) -> list:
    return next(row for row in sheet_values(sheet) if row and row[0] == first)


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


def pdf_text(data: bytes) -> str:
    """The text fpdf2 drew: glyph ids mapped back through each font's ToUnicode table (no PDF library needed)."""
    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        raw = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S).group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    cmaps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
            table = stream(objects[int(unicode_ref.group(1))])
            cmaps[name] = {
                int(gid, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for gid, text in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", table)
            }
    out, font = [], None
    for body in objects.values():
        if b"stream" not in body or b"/ToUnicode" in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        for match in re.finditer(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
            if match.group(1):
                font = match.group(1)
                continue
            raw = re.sub(rb"\\([\\()])", rb"\1", match.group(2)).replace(b"\\r", b"\r").replace(b"\\n", b"\n")
            glyphs = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            out.append("".join(cmaps.get(font, {}).get(g, "") for g in glyphs))
    return "".join(out)


# --- the five items ----------------------------------------------------------------------------------


def test_o17_xlsx_holds_the_survey_numbers(data):
    with data.app_context():
        book = load_workbook(io.BytesIO(build("o17", context(), "xlsx")))
    assert book.sheetnames[0].startswith("1")
    first = book.worksheets[0]
    assert first["A1"].value == "องค์การบริหารส่วนตำบลน้ำโมง"
    assert first["A2"].value == "รายงานผลการสำรวจความพึงพอใจการให้บริการ"
    assert first["A2"].font.name == "TH Sarabun New" and first["A2"].font.b
    header = [row[0] for row in sheet_values(first)[:8] if row[0]]
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2569" in header  # the half is over: data as of its last day
    questions = book["4 รายข้อ"]
    e1 = row_starting(questions, "e1")
    assert e1[3] == 6  # respondents, a number (not text) since 6 ≥ 5
    assert e1[4] == pytest.approx(4.5) and e1[5] == "มากที่สุด" and e1[6] == pytest.approx(87.5)
    mean_cell = next(c for c in questions["E"] if c.value == pytest.approx(4.5))
    assert mean_cell.number_format == "#,##0.00"
    indicators = book["5 รายตัวชี้วัด"]
    six = row_starting(indicators, "6 คุณภาพการดำเนินงาน")
    assert six[1] == 6 and six[3] == pytest.approx(4.5) and six[4] == pytest.approx(87.5)
    respondents = sheet_values(book["3 ผู้ตอบ"])
    text = " ".join(str(cell) for row in respondents for cell in row if cell)
    assert "ตอบไม่ครบ <5 คน" in text  # the one partial response, published as "<5"
    summary = " ".join(str(row[0]) for row in sheet_values(book["6 สรุป"]) if row[0])
    assert "ค่าเฉลี่ย 4.50" in summary and "ร้อยละ 90.00" in summary


def test_o17_publishes_no_mean_of_fewer_than_five_people(data):
    """Three respondents: counts read "<5", and no mean, level, estimate or summary gives their answers away."""
    with data.app_context():
        complete = select(SurveyResponse).where(SurveyResponse.status == "complete").order_by(SurveyResponse.id)
        for response in db.session.scalars(complete).all()[3:]:
            db.session.delete(response)
        db.session.commit()
        book = load_workbook(io.BytesIO(build("o17", context(), "xlsx")))
    e1 = row_starting(book["4 รายข้อ"], "e1")
    assert e1[3] == "<5" and e1[4] == e1[5] == e1[6] == "–"
    six = row_starting(book["5 รายตัวชี้วัด"], "6 คุณภาพการดำเนินงาน")
    assert six[1] == "<5" and six[3] == six[4] == "–" and six[5] != "–"  # the official score stays
    november = row_starting(book["3 ผู้ตอบ"], "พฤศจิกายน 2568")
    assert november[1] == "<5" and november[2] == "–"
    lines = [str(row[0]) for row in sheet_values(book["6 สรุป"]) if row[0]]
    assert any(line.startswith("ผู้ตอบแบบสำรวจ จำนวน <5 คน") for line in lines), lines
    assert not any("ค่าเฉลี่ย 4" in line or "ค่าเฉลี่ย 5" in line for line in lines), lines
    notes = " ".join(str(row[0]) for row in sheet_values(book["4 รายข้อ"]) if row[0])
    assert "น้อยกว่า 5 คน แสดงเป็น" in notes


def test_o29_counts_corruption_reports_only_and_publishes_small_counts_as_under_five(data):
    with data.app_context():
        book = load_workbook(io.BytesIO(build("o29", context(), "xlsx")))
    overview = book["2 ภาพรวม"]
    general = row_starting(overview, "เรื่องทั่วไป")
    corruption = row_starting(overview, "ทุจริต/ประพฤติมิชอบ")
    assert general[1:4] == [5, "<5", "<5"]  # 5 received, 3 closed, 2 open
    assert general[5] == pytest.approx(2.0)  # 48 h → 2 days
    assert corruption[1] == "<5" and corruption[2] == 0
    assert row_starting(overview, "รวม")[1] == 7
    categories = sheet_values(book["3 ลักษณะเรื่อง"])
    assert ["ทุจริต/ประพฤติมิชอบ", "เรียกรับสินบน", "<5"] in [row[:3] for row in categories]
    everything = " ".join(str(c) for s in book.worksheets for row in sheet_values(s) for c in row if c)
    assert "เจ้าหน้าที่เรียกเงินลับ" not in everything and "บ้านนายก" not in everything


def test_o16_and_o30_count_questions_handoffs_and_participants_by_month(data):
    with data.app_context():
        o16 = load_workbook(io.BytesIO(build("o16", context(), "xlsx")))
        o30 = load_workbook(io.BytesIO(build("o30", context(), "xlsx")))
    november = row_starting(o16["3 รายเดือน"], "พฤศจิกายน 2568")
    # questions 6, askers 6, handoffs 5, answered 5, first reply 10 minutes, complaints 5, closed 3 ("<5")
    assert november[1:] == [6, 6, 5, 5, pytest.approx(10.0), 5, "<5"]
    assert row_starting(o16["3 รายเดือน"], "ตุลาคม 2568")[1:] == [0, 0, 0, 0, "–", 0, 0]
    overview = sheet_values(o30["2 ภาพรวม"])
    people = next(row for row in overview if row[0] == "ผู้มีส่วนร่วม (คน)")
    # 6 askers (who also answered the survey) + 1 partial respondent is not counted + 5 handoff chats = 11
    assert people[1] == 11
    assert next(row for row in overview if row[0] == "แจ้งเบาะแสการทุจริต (เรื่อง)")[1] == "<5"


def test_o43_reports_the_measures_steps(demo):
    with demo.app_context():
        book = load_workbook(io.BytesIO(build("o43", context("2569"), "xlsx")))
        measures = db.session.scalar(
            select(func.count())
            .select_from(db.Model.metadata.tables["measures"])
            .where(db.Model.metadata.tables["measures"].c.agency_id == agency("nammong").id)
        )
    assert book.worksheets[0]["A2"].value.endswith("(รอบ 12 เดือน)")
    assert len(book.sheetnames) == 1 + measures
    assert book.sheetnames[1] == "มาตรการ 1"


@pytest.mark.parametrize("item", list(ITEMS))
def test_every_item_renders_as_pdf_in_sarabun_with_thai_text(data, item):
    period = "2569" if item == "o43" else "2569-H1"
    with data.app_context():
        pdf = build(item, context(period), "pdf")
        title = context(period).part("exports.item", f"{item}.title")
    assert pdf.startswith(b"%PDF")
    assert re.search(rb"/BaseFont /[A-Z]{6}\+Sarabun", pdf)
    text = squeeze(pdf_text(pdf))
    assert squeeze("องค์การบริหารส่วนตำบลน้ำโมง") in text
    assert squeeze(title) in text
    assert squeeze("ข้อมูล ณ วันที่") in text


def test_pdf_shows_small_counts_as_under_five(data):
    with data.app_context():
        text = squeeze(pdf_text(build("o29", context(), "pdf")))
    assert "<5" in text


def test_english_report_when_asked_in_english(data):
    with data.app_context():
        book = load_workbook(io.BytesIO(build("o17", context(lang="en"), "xlsx")))
    first = book.worksheets[0]
    assert first["A2"].value == "Service satisfaction survey report"
    assert any(row[0] == "Data as of 31 March 2026" for row in sheet_values(first))


def test_renderers_keep_formulas_out_and_numbers_numeric():
    doc = Document(title="t", agency="a", as_of=datetime(2026, 1, 1).date())
    section = doc.add(Section("s"))
    section.add(Paragraph("p"))
    section.add(Table([Column("x"), Column("n", "count")], [[EVIL, 3], ["ok", 12], ["none", 0]]))
    book = load_workbook(io.BytesIO(render_xlsx(doc)))
    cells = {c.value: c for row in book.active.iter_rows() for c in row if c.value is not None}
    assert cells[EVIL].data_type == "s"  # text, not a formula
    assert "<5" in cells and 12 in cells and 0 in cells
    assert render_pdf(doc).startswith(b"%PDF")


# --- CSV ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_get_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert neutralise("ถนน -1") == "ถนน -1" and neutralise(5) == 5


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Thai
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_cases_csv_general_lane_only_neutralised_and_without_identity(data):
    with data.app_context():
        ctx = context()
        rows = read_csv(cases_csv(ctx.agency.id, ctx.start, ctx.end, ("general",), "th", lambda d, t: None))
    assert rows[0][0] == "เลขที่เรื่อง" and len(rows) == 1 + 5
    assert {row[1] for row in rows[1:]} == {"เรื่องทั่วไป"}
    assert "'" + EVIL in [row[-1] for row in rows]
    assert LINE_ID not in str(rows)


def test_cases_csv_corruption_rows_carry_no_description_place_or_time(data):
    with data.app_context():
        ctx = context()
        content = cases_csv(ctx.agency.id, ctx.start, ctx.end, ("general", "corruption"), "th", lambda d, t: None)
    rows = read_csv(content)
    corruption = [row for row in rows if row[1] == "ทุจริต/ประพฤติมิชอบ"]
    assert len(corruption) == 2
    assert all(row[-3:] == ["", "", ""] for row in corruption)
    assert all("น." not in row[6] for row in corruption)  # the day only
    assert "เจ้าหน้าที่เรียกเงินลับ" not in content.decode("utf-8-sig")


def test_responses_csv_has_scores_per_question_and_no_line_id_or_comment(data):
    with data.app_context():
        ctx = context()
        codes = [q.code for q in questions_for(ctx.agency.id)]
        content = responses_csv(ctx.agency.id, ctx.start, ctx.end, "th", lambda d, t: None)
    rows = read_csv(content)
    assert rows[0][6:] == codes
    complete = [row for row in rows[1:] if row[2] == "ตอบครบ"]
    assert len(complete) == 6 and sorted(row[6] for row in complete) == ["4", "4", "4", "5", "5", "5"]
    text = content.decode("utf-8-sig")
    assert LINE_ID not in text and "0812345678" not in text


# --- jobs over the web -------------------------------------------------------------------------------


def token(client, path="/admin/exports") -> str:
    from tests.web import form_token

    return form_token(client, path)


def request_export(client, agency_id, item, fmt, period="H1", year=2569, path="/admin/exports"):
    return client.post(
        path,
        data={
            "csrf_token": token(client, path),
            "agency": agency_id,
            "year": year,
            "period": period,
            "item": item,
            "fmt": fmt,
        },
    )


def wait(client, job_id, timeout=30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/admin/exports/{job_id}/status").get_json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def last_job(app) -> ExportJob:
    with app.app_context():
        job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
        db.session.expunge(job)
        return job


def nammong_id(app) -> int:
    with app.app_context():
        return agency("nammong").id


@pytest.fixture
def fiscal_2569(monkeypatch):
    """The exports page offers fiscal 2569 and its halves have begun, whatever today's date."""
    import admin.exports

    monkeypatch.setattr(admin.exports, "utcnow", lambda: NOW)


def test_admin_exports_o17_as_pdf_with_progress_audit_and_a_thai_filename(data, client, fiscal_2569):
    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    response = request_export(client, nammong_id(data), "o17", "pdf")
    assert response.status_code == 302
    job = last_job(data)
    body = wait(client, job.id)
    assert body["status"] == "done" and body["done"] == body["total"] == len(ITEMS["o17"](None)) + 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page or body["download"] in page
    download = client.get(body["download"])
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''o17_" in disposition and "%E0%B8" in disposition  # Thai, percent-encoded (RFC 5987)
    assert disposition.endswith("2569-H1.pdf")
    with data.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
        assert entry.detail == {"kind": "o17", "format": "pdf", "period": "2569-H1"}
        assert entry.agency_id == job.agency_id and entry.target_id == str(job.id)


def test_wrong_format_or_period_is_refused_with_a_message_and_no_job(data, client, fiscal_2569):
    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    bad = request_export(client, nammong_id(data), "o17", "csv")
    assert bad.status_code == 400 and "หลักฐาน OIT เป็น Excel หรือ PDF" in bad.get_data(as_text=True)
    bad = request_export(client, nammong_id(data), "o43", "pdf", period="Q1")
    assert bad.status_code == 400 and "(o43)" in bad.get_data(as_text=True)
    with data.app_context():
        other = agency("narathiwat").id
    bad = request_export(client, other, "o17", "pdf")
    assert bad.status_code == 400 and "หน่วยงานที่ท่านรับผิดชอบ" in bad.get_data(as_text=True)
    bad = request_export(client, nammong_id(data), "o17", "pdf", year=2590)
    assert bad.status_code == 400
    with data.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_failure_is_shown_as_a_message_never_a_500(data, client, fiscal_2569, monkeypatch):
    import admin.documents.oit

    def broken(ctx):
        return [lambda: (_ for _ in ()).throw(RuntimeError("boom"))]

    monkeypatch.setitem(admin.documents.oit.ITEMS, "o17", broken)
    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    request_export(client, nammong_id(data), "o17", "xlsx")
    job = last_job(data)
    body = wait(client, job.id)
    assert body["status"] == "failed" and "จัดทำไฟล์ไม่สำเร็จ" in body["error"]
    download = client.get(f"/admin/exports/{job.id}/download")
    assert download.status_code == 302
    page = client.get("/admin/exports").get_data(as_text=True)
    assert "จัดทำไฟล์ไม่สำเร็จ" in page and "boom" not in page


def test_download_rights_by_agency_owner_and_role(data, client, fiscal_2569):
    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    request_export(client, nammong_id(data), "o29", "xlsx")
    job = last_job(data)
    assert wait(client, job.id)["status"] == "done"
    client.post("/admin/logout", data={"csrf_token": token(client)})

    make_user(data, "other", role="admin", agencies=["narathiwat"])
    make_user(data, "colleague", role="admin", agencies=["nammong"])
    make_user(data, "staffer", role="staff", agencies=["nammong"])
    make_user(data, "watcher", role="viewer", agencies=["nammong"])
    for username, expected in (("other", 404), ("staffer", 403), ("watcher", 403), ("colleague", 200)):
        with data.test_client() as other_client:
            login(other_client, username)
            assert other_client.get(f"/admin/exports/{job.id}/download").status_code == expected, username
            assert other_client.get(f"/admin/exports/{job.id}/status").status_code == expected, username
    with data.test_client() as staff_client:
        login(staff_client, "staffer")
        assert staff_client.get("/admin/exports").status_code == 403
    assert client.get("/admin/exports/999999/status").status_code in (302, 401)  # logged out


def test_staff_export_general_cases_only_and_cannot_ask_for_oit(data, client, fiscal_2569):
    make_user(data, "staffer", role="staff", agencies=["nammong"])
    login(client, "staffer")
    refused = request_export(client, nammong_id(data), "o17", "pdf", path="/admin/exports/cases")
    assert refused.status_code == 400
    response = request_export(client, nammong_id(data), "cases", "csv", path="/admin/exports/cases")
    assert response.status_code == 302
    job = last_job(data)
    assert job.params["lanes"] == ["general"]
    assert wait(client, job.id)["status"] == "done"
    rows = read_csv(client.get(f"/admin/exports/{job.id}/download").data)
    assert len(rows) == 1 + 5 and "ทุจริต/ประพฤติมิชอบ" not in str(rows)

    make_user(data, "another_staffer", role="staff", agencies=["nammong"])
    with data.test_client() as colleague:
        login(colleague, "another_staffer")
        assert colleague.get(f"/admin/exports/{job.id}/download").status_code == 404  # not theirs


def test_integrity_officer_cases_include_the_corruption_lane(data, client, fiscal_2569):
    make_user(data, "officer", role="integrity_officer", agencies=["nammong"])
    login(client, "officer")
    request_export(client, nammong_id(data), "cases", "csv", path="/admin/exports/cases")
    job = last_job(data)
    assert wait(client, job.id)["status"] == "done"
    rows = read_csv(client.get(f"/admin/exports/{job.id}/download").data)
    assert len(rows) == 1 + 7
    make_user(data, "boss", role="admin", agencies=["nammong"])
    with data.test_client() as boss:
        login(boss, "boss")
        assert boss.get(f"/admin/exports/{job.id}/download").status_code == 200


def test_exports_page_has_no_inline_script_and_shows_an_empty_state(data, client, fiscal_2569):
    from tests.web import parse

    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    response = client.get("/admin/exports")
    html = response.get_data(as_text=True)
    page = parse(html)
    assert response.status_code == 200 and "ยังไม่มีไฟล์ที่จัดทำ" in html
    assert not page.inline_handlers and all(s.get("src") for s in page.scripts)
    assert "o17 รายงานผลการสำรวจความพึงพอใจการให้บริการ" in html


def test_a_job_left_running_is_shown_as_interrupted(data, client):
    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    with data.app_context():
        user_id = db.session.scalar(select(ExportJob.user_id))  # none yet
        assert user_id is None
        from models import User

        coord = db.session.scalar(select(User).where(User.username == "coord"))
        job = ExportJob(
            user_id=coord.id,
            agency_id=agency("nammong").id,
            kind="o16",
            fmt="pdf",
            params={"period": "2569"},
            status="running",
            created_at=datetime.now(UTC) - timedelta(hours=2),
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    body = client.get(f"/admin/exports/{job_id}/status").get_json()
    assert body["status"] == "failed" and "หยุดลงก่อนเสร็จ" in body["error"]


def test_published_counts_use_decimal_free_numbers_in_xlsx(data):
    """Counts of 5 or more stay numbers with a thousands format; decimals keep two places."""
    with data.app_context():
        book = load_workbook(io.BytesIO(build("o16", context(), "xlsx")))
    cell = next(c for row in book["3 รายเดือน"].iter_rows() for c in row if c.value == 6)
    assert cell.number_format == "#,##0" and isinstance(cell.value, int)
    assert Decimal("10.00") == Decimal(str(row_starting(book["3 รายเดือน"], "พฤศจิกายน 2568")[5]))


def test_polling_a_job_does_not_keep_an_idle_session_alive(data, client, fiscal_2569):
    make_user(data, "coord", role="admin", agencies=["nammong"])
    login(client, "coord")
    request_export(client, nammong_id(data), "o30", "xlsx")
    job = last_job(data)
    wait(client, job.id)
    with client.session_transaction() as session:
        session["seen_at"] = seen = session["seen_at"] - 60
    assert client.get(f"/admin/exports/{job.id}/status").status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] == seen
