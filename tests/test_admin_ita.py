"""The ITA pages of the backend: results and measures listed, viewed, edited and imported, per right and agency."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from models import Agency, Assessment, Complaint, Measure, ProgressEntry, User, db
from tests.helpers import Chat
from tests.importing import AGENCIES, ASSESSMENTS, MEASURES, snapshot, write_csv, write_xlsx
from tests.web import audit_entries, form_token, logged_in

# --- helpers ---------------------------------------------------------------------------------------------


class _Form(HTMLParser):
    """The fields of the first <form method=post> with fields on a page, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, object]] = []
        self._form: dict[str, object] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self.errors: list[str] = []
        self._in_error = False
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if tag == "small" and "error" in (a.get("class") or ""):
            self._in_error = True
            self.errors.append("")
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox":
                if "checked" in a:
                    self._form.setdefault(name, []).append(a.get("value") or "y")
            elif kind != "submit":
                self._form[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = ""
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self._form[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "small":
            self._in_error = False

    def handle_data(self, data):
        self.text += data
        if self._textarea and self._form is not None:
            first = not self._form[self._textarea]
            self._form[self._textarea] += data.removeprefix("\r\n").removeprefix("\n") if first else data
        if self._in_error:
            self.errors[-1] += data


def read_page(html: str) -> _Form:
    page = _Form()
    page.feed(html)
    return page


def form_of(client, path: str) -> dict[str, object]:
    """The values the page's form would post as it is (the first form with fields other than the token)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    forms = [f for f in read_page(response.get_data(as_text=True)).forms if set(f) - {"csrf_token", "lang", "next"}]
    assert forms, f"no form on {path}"
    return forms[0]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", read_page(response.get_data(as_text=True)).text)


def bot_says(app, question: str) -> str:
    """What the bot answers a citizen now (a fresh app context: nothing cached in a test's session)."""
    with app.app_context():
        answer = Chat().ask(question)
        db.session.rollback()
        return answer


def agency_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Agency.id).where(Agency.slug == slug))


def assessment_id(app, slug: str, year: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Assessment.id).join(Agency).where(Agency.slug == slug, Assessment.fiscal_year == year)
        )


def measure_id(app, slug: str, year: int, code: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Measure.id)
            .join(Agency)
            .where(Agency.slug == slug, Measure.fiscal_year == year, Measure.code == code)
        )


def state(app) -> dict:
    with app.app_context():
        return snapshot()


def audit(app, action: str) -> list[tuple[str | None, str | None, dict | None]]:
    """(target type, target id, detail) of the audit log's entries for this action, oldest first."""
    return [(e.target_type, e.target_id, e.detail) for e in audit_entries(app, action)]


ASK_TOTAL = "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่"


# --- viewing ---------------------------------------------------------------------------------------------


def test_staff_see_their_agencies_results_and_measures(demo, client):
    logged_in(demo, client, username="somchai", role="staff", agencies=["nammong"])
    listing = client.get("/admin/ita")
    assert listing.status_code == 200
    text = text_of(listing)
    assert "องค์การบริหารส่วนตำบลน้ำโมง" in text and "85.86" in text and "ผ่าน" in text and "2568" in text
    assert "นครปฐม" not in text  # only the user's agencies
    assert "นำเข้าข้อมูลจากไฟล์" not in text  # staff see, they do not change

    agency = text_of(client.get(f"/admin/ita/agencies/{agency_id(demo, 'nammong')}"))
    assert "อบต.น้ำโมง" in agency and "ท่าบ่อ" in agency  # short name, district
    assert "85.86" in agency and "การปฏิบัติหน้าที่" in agency  # assessments and measures

    page = text_of(client.get(f"/admin/ita/assessments/{assessment_id(demo, 'nammong', 2568)}"))
    assert "85.86" in page and "68.69" in page  # total and indicator 4
    assert "การใช้ทรัพย์สินของราชการ" in page  # indicator names from the bot's catalog
    assert "แก้ไขผลการประเมิน" not in page

    measure = text_of(client.get(f"/admin/ita/measures/{measure_id(demo, 'nammong', 2569, '1')}"))
    assert "มาตรการที่ 1" in measure and "สำนักปลัด" in measure and "ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่" in measure


def test_the_agency_page_reads_as_many_statements_whatever_the_number_of_years(demo, client):
    """Each year's indicator count is loaded with the others, not by one query per assessment."""
    from sqlalchemy import event

    from models import IndicatorScore

    logged_in(demo, client, username="somchai", role="staff", agencies=["nammong"])
    path = f"/admin/ita/agencies/{agency_id(demo, 'nammong')}"
    with demo.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    def page_cost() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    before = page_cost()
    with demo.app_context():
        nammong = agency_id(demo, "nammong")
        for year in (2560, 2561, 2562):
            assessment = Assessment(agency_id=nammong, fiscal_year=year, total_score=Decimal("80.00"))
            assessment.indicator_scores = [IndicatorScore(indicator_no=n, score=Decimal("80.00")) for n in range(1, 11)]
            db.session.add(assessment)
        db.session.commit()
    page = client.get(path)
    assert "2560" in text_of(page) and text_of(page).count("10/10") >= 3
    assert page_cost() == before


def test_question_scores_and_participation_entries_are_shown(demo, client):
    logged_in(demo, client, username="somchai", role="staff", agencies=["nammong"])
    with demo.app_context():
        assessment = db.session.get(Assessment, assessment_id(demo, "nammong", 2568))
        from models import QuestionScore

        assessment.question_scores.append(QuestionScore(code="e11", indicator_no=7, score=Decimal("77.10"), text="ข้อ"))
        measure = db.session.get(Measure, measure_id(demo, "nammong", 2569, "1"))
        measure.progress.append(
            ProgressEntry(
                step_no=9,
                step="หลักฐานการมีส่วนร่วม รอบ 6 เดือนแรก",
                status="done",
                kind="participation",
                period="2569-H1",
                result="ผู้ร่วม <5 คน",
                evidence={"participation": {"participants": 3}},
            )
        )
        db.session.commit()
        entry_id = measure.progress[-1].id
    page = text_of(client.get(f"/admin/ita/assessments/{assessment_id(demo, 'nammong', 2568)}"))
    assert "e11" in page and "77.10" in page
    the_measure = measure_id(demo, "nammong", 2569, "1")
    attach_link = f'href="/admin/reports/measures/{the_measure}"'
    measure_page = client.get(f"/admin/ita/measures/{the_measure}")
    text = text_of(measure_page)
    assert "2569-H1" in text and "ผู้ร่วม <5 คน" in text
    # staff have no reports right: no link to attach participation evidence
    assert attach_link not in measure_page.get_data(as_text=True)
    assert "แนบหลักฐานการมีส่วนร่วม" not in text
    # a participation entry is not editable here (it is the reports page's), not even by an admin
    client.post("/admin/logout", data={"csrf_token": form_token(client, "/admin/ita")})
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    assert client.get(f"/admin/ita/progress/{entry_id}/edit").status_code == 404
    admin_page = client.get(f"/admin/ita/measures/{the_measure}")
    assert attach_link in admin_page.get_data(as_text=True)
    assert "แนบหลักฐานการมีส่วนร่วม" in text_of(admin_page)


def test_viewer_is_refused_every_ita_page(demo, client):
    logged_in(demo, client, username="viewer", role="viewer", agencies=["nammong"])
    nammong = agency_id(demo, "nammong")
    for path in (
        "/admin/ita",
        f"/admin/ita/agencies/{nammong}",
        f"/admin/ita/assessments/{assessment_id(demo, 'nammong', 2568)}",
        f"/admin/ita/measures/{measure_id(demo, 'nammong', 2569, '1')}",
        "/admin/ita/import",
        "/admin/ita/import/template.xlsx",
    ):
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 403, path


def test_staff_may_not_change_anything(demo, client):
    logged_in(demo, client, username="somchai", role="staff", agencies=["nammong"])
    token = form_token(client, "/admin/ita")  # the language switch's form carries the token
    before = state(demo)
    nammong = agency_id(demo, "nammong")
    assessment = assessment_id(demo, "nammong", 2568)
    measure = measure_id(demo, "nammong", 2569, "1")
    for path in (
        "/admin/ita/agencies/new",
        f"/admin/ita/agencies/{nammong}/edit",
        f"/admin/ita/agencies/{nammong}/delete",
        f"/admin/ita/agencies/{nammong}/assessments/new",
        f"/admin/ita/assessments/{assessment}/edit",
        f"/admin/ita/assessments/{assessment}/delete",
        f"/admin/ita/agencies/{nammong}/measures/new",
        f"/admin/ita/measures/{measure}/edit",
        f"/admin/ita/measures/{measure}/delete",
        f"/admin/ita/measures/{measure}/progress/new",
        "/admin/ita/import",
        "/admin/ita/import/confirm",
    ):
        response = client.post(path, data={"csrf_token": token, "total_score": "99", "fiscal_year": "2568"})
        assert response.status_code == 403, path
    assert state(demo) == before


def test_another_agencys_records_are_not_found(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    token = form_token(client, "/admin/ita")
    before = state(demo)
    other = agency_id(demo, "nakhonpathom")
    assessment = assessment_id(demo, "nakhonpathom", 2565)
    measure = measure_id(demo, "nakhonpathom", 2566, "1")
    for path in (
        f"/admin/ita/agencies/{other}",
        f"/admin/ita/agencies/{other}/edit",
        f"/admin/ita/agencies/{other}/delete",
        f"/admin/ita/agencies/{other}/assessments/new",
        f"/admin/ita/assessments/{assessment}",
        f"/admin/ita/assessments/{assessment}/edit",
        f"/admin/ita/measures/{measure}",
        f"/admin/ita/measures/{measure}/edit",
        f"/admin/ita/measures/{measure}/progress/new",
        "/admin/ita/agencies/99999",
    ):
        assert client.get(path).status_code == 404, path
        if not path.endswith(
            ("/agencies/99999", f"/agencies/{other}", f"/assessments/{assessment}", f"/measures/{measure}")
        ):
            assert client.post(path, data={"csrf_token": token, "total_score": "99"}).status_code == 404, path
    assert state(demo) == before
    assert "นครปฐม" not in text_of(client.get("/admin/ita"))


# --- editing ---------------------------------------------------------------------------------------------


def test_admin_edits_an_assessment_and_the_bot_answers_the_new_score(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    assert "85.86" in bot_says(demo, ASK_TOTAL)  # the bot has read (and cached) the old figures
    path = f"/admin/ita/assessments/{assessment_id(demo, 'nammong', 2568)}/edit"
    data = form_of(client, path)
    assert data["total_score"] == "85.86" and data["indicator_4"] == "68.69" and data["level"] == "ผ่าน"
    data.update(
        {
            "total_score": "90.12",
            "indicator_4": "",  # the document gives no score: removed
            "eit_score": "88.5",
            "questions-0-code": "E11",
            "questions-0-indicator": "7",
            "questions-0-score": "๗๗.๕",  # Thai digits, as the importer accepts them
            "questions-0-text": "การสื่อสาร",
        }
    )
    response = client.post(path, data=data)
    assert response.status_code == 302, text_of(response)
    with demo.app_context():
        assessment = db.session.get(Assessment, assessment_id(demo, "nammong", 2568))
        assert assessment.total_score == Decimal("90.12") and assessment.eit_score == Decimal("88.50")
        assert assessment.indicator(4) is None and assessment.indicator(1) == Decimal("88.49")
        assert [(q.code, q.indicator_no, q.score) for q in assessment.question_scores] == [("e11", 7, Decimal("77.50"))]
    assert audit(demo, "record_changed") == [("assessment", str(assessment_id(demo, "nammong", 2568)), None)]
    answer = bot_says(demo, ASK_TOTAL)
    assert "90.12" in answer and "85.86" not in answer
    page = text_of(client.get(f"/admin/ita/assessments/{assessment_id(demo, 'nammong', 2568)}"))
    assert "e11" in page and "77.50" in page and "การสื่อสาร" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total_score", "101", '"101" อยู่นอกช่วง 0-100'),
        ("total_score", "8o.5", '"8o.5" ไม่ใช่ตัวเลข'),
        ("fiscal_year", "2025", "ต้องเป็นปี พ.ศ. หมายถึง 2568 หรือไม่"),
        ("level", "ดีมาก", '"ดีมาก" ไม่ใช่ระดับผลการประเมินที่กำหนด'),
        ("indicator_9", "-1", '"-1" อยู่นอกช่วง 0-100'),
        ("announced_on", "2568-08-15", "ใช้ปี พ.ศ. แต่วันที่ต้องใช้ปี ค.ศ. หมายถึง 2025-08-15 หรือไม่"),
        ("questions-0-code", "x7", '"x7" ไม่ใช่รหัสข้อคำถาม'),
    ],
)
def test_a_bad_value_is_named_beside_its_field_and_nothing_is_saved(demo, client, field, value, message):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    path = f"/admin/ita/assessments/{assessment_id(demo, 'nammong', 2568)}/edit"
    data = form_of(client, path)
    data["notes"] = "เปลี่ยนหมายเหตุด้วย"
    data[field] = value
    if field.startswith("questions-"):
        data["questions-0-score"] = "80"
    before = state(demo)
    response = client.post(path, data=data)
    assert response.status_code == 400
    page = read_page(response.get_data(as_text=True))
    assert any(message in error for error in page.errors), page.errors
    assert "กรุณาตรวจสอบข้อมูลที่กรอก" in page.text
    assert state(demo) == before
    assert audit(demo, "record_changed") == []


def test_an_assessment_is_added_once_per_year_and_deleted_after_confirmation(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    path = f"/admin/ita/agencies/{agency_id(demo, 'nammong')}/assessments/new"
    data = form_of(client, path)
    data.update({"fiscal_year": "2568", "total_score": "88", "level": "A"})
    taken = client.post(path, data=data)
    assert taken.status_code == 400 and "หน่วยงานนี้มีผลการประเมินของปีนี้อยู่แล้ว" in text_of(taken)
    data.update({"fiscal_year": "๒๕๖๙", "indicator_7": "91.5"})
    assert client.post(path, data=data).status_code == 302
    new_id = assessment_id(demo, "nammong", 2569)
    with demo.app_context():
        assessment = db.session.get(Assessment, new_id)
        assert (assessment.total_score, assessment.level, assessment.indicator(7)) == (
            Decimal("88.00"),
            "A",
            Decimal("91.50"),
        )
    assert "88.00" in bot_says(demo, "อบต.น้ำโมง ได้คะแนน ITA ปี 69 เท่าไหร่")
    assert "ยืนยันการลบ" in text_of(client.get(f"/admin/ita/assessments/{new_id}/delete"))
    token = form_token(client, f"/admin/ita/assessments/{new_id}/delete")
    assert client.post(f"/admin/ita/assessments/{new_id}/delete", data={"csrf_token": token}).status_code == 302
    assert assessment_id(demo, "nammong", 2569) is None
    assert audit(demo, "record_created") == [("assessment", str(new_id), None)]
    assert audit(demo, "record_deleted") == [("assessment", str(new_id), None)]


def test_an_agencys_names_are_edited_and_its_slug_stays(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    nammong = agency_id(demo, "nammong")
    path = f"/admin/ita/agencies/{nammong}/edit"
    data = form_of(client, path)
    assert "slug" not in data and data["kind"] == "sao" and "nam mong" in data["aliases"].splitlines()
    data.update({"name_en": "Nam Mong SAO", "slug": "hijack", "short_names": "อบต.น้ำโมง", "kind": "village"})
    refused = client.post(path, data=data)
    assert refused.status_code == 400 and any("ไม่ใช่ประเภทหน่วยงานที่กำหนด" in e for e in read_page(refused.text).errors)
    data["kind"] = "sao"
    assert client.post(path, data=data).status_code == 302
    with demo.app_context():
        agency = db.session.get(Agency, nammong)
        assert (agency.slug, agency.name_en) == ("nammong", "Nam Mong SAO")
        assert [a.alias for a in agency.aliases if a.kind == "short"] == ["อบต.น้ำโมง"]
    assert audit(demo, "record_changed") == [("agency", str(nammong), None)]


def test_a_measure_is_created_edited_with_indicators_and_deleted_after_confirmation(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    nammong = agency_id(demo, "nammong")
    path = f"/admin/ita/agencies/{nammong}/measures/new"
    data = form_of(client, path)
    assert data["fiscal_year"] == "2569" and data["based_on_year"] == "2568"
    data.update(
        {
            "code": "11",
            "title": "เปิดช่องทางแชตบอท",
            "indicators": ["7", "11"],
            "steps": "เปิดบริการ\nประชาสัมพันธ์",
        }
    )
    refused = client.post(path, data=data)
    assert refused.status_code == 400
    assert any('"11" ไม่ใช่เลขตัวชี้วัดที่ใช้ได้ (1-10)' in e for e in read_page(refused.get_data(as_text=True)).errors)
    data["indicators"] = ["7", "8"]
    data["code"] = "1"  # taken in 2569
    taken = client.post(path, data=data)
    assert taken.status_code == 400 and "ปีงบประมาณนี้มีมาตรการลำดับนี้อยู่แล้ว" in text_of(taken)
    data["code"] = "11"
    created = client.post(path, data=data)
    assert created.status_code == 302
    new_id = measure_id(demo, "nammong", 2569, "11")
    with demo.app_context():
        measure = db.session.get(Measure, new_id)
        assert measure.indicators == [7, 8] and measure.steps == ["เปิดบริการ", "ประชาสัมพันธ์"]
    edit = f"/admin/ita/measures/{new_id}/edit"
    data = form_of(client, edit)
    assert data["indicators"] == ["7", "8"]
    data.update({"indicators": ["7"], "issue_area": "2", "responsible_unit": "กองคลัง"})
    assert client.post(edit, data=data).status_code == 302
    with demo.app_context():
        measure = db.session.get(Measure, new_id)
        assert (measure.indicators, measure.issue_area, measure.responsible_unit) == ([7], 2, "กองคลัง")
    confirm = client.get(f"/admin/ita/measures/{new_id}/delete")
    assert "ยืนยันการลบ" in text_of(confirm)
    with demo.app_context():
        assert db.session.get(Measure, new_id) is not None  # asking is not deleting
    token = form_token(client, f"/admin/ita/measures/{new_id}/delete")
    assert client.post(f"/admin/ita/measures/{new_id}/delete", data={"csrf_token": token}).status_code == 302
    with demo.app_context():
        assert db.session.get(Measure, new_id) is None
    assert [a[:2] for a in audit(demo, "record_created")] == [("measure", str(new_id))]
    assert [a[:2] for a in audit(demo, "record_deleted")] == [("measure", str(new_id))]


def test_progress_steps_are_added_edited_and_deleted(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    measure = measure_id(demo, "nammong", 2569, "1")
    path = f"/admin/ita/measures/{measure}/progress/new"
    data = form_of(client, path)
    assert data["step_no"] == "1" and data["step"].startswith("จัดทำคู่มือการปฏิบัติหน้าที่")  # the plan's first step
    data.update({"status": "finished", "reported_on": "2026-04-30", "result": "จัดทำคู่มือแล้ว"})
    refused = client.post(path, data=data)
    assert refused.status_code == 400 and any("ไม่ใช่สถานะที่กำหนด" in e for e in read_page(refused.text).errors)
    data["status"] = "done"
    assert client.post(path, data=data).status_code == 302
    with demo.app_context():
        (entry,) = db.session.get(Measure, measure).progress
        assert (entry.kind, entry.step_no, entry.status, entry.result) == ("step", 1, "done", "จัดทำคู่มือแล้ว")
        assert entry.reported_on.isoformat() == "2026-04-30"
        entry_id = entry.id
    page = text_of(client.get(f"/admin/ita/measures/{measure}"))
    assert "ดำเนินการแล้ว" in page and "30 เม.ย. 2569" in page
    edit = f"/admin/ita/progress/{entry_id}/edit"
    data = form_of(client, edit)
    data["status"] = "in_progress"
    assert client.post(edit, data=data).status_code == 302
    with demo.app_context():
        assert db.session.get(ProgressEntry, entry_id).status == "in_progress"
    token = form_token(client, f"/admin/ita/progress/{entry_id}/delete")
    assert client.post(f"/admin/ita/progress/{entry_id}/delete", data={"csrf_token": token}).status_code == 302
    with demo.app_context():
        assert db.session.get(ProgressEntry, entry_id) is None
    assert audit(demo, "record_created") == [("progress_entry", str(entry_id), None)]
    assert audit(demo, "record_changed") == [("progress_entry", str(entry_id), None)]
    assert audit(demo, "record_deleted") == [("progress_entry", str(entry_id), None)]


def test_an_admin_who_adds_an_agency_works_for_it_and_may_delete_it(demo, client):
    user = logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    data = form_of(client, "/admin/ita/agencies/new")
    data.update({"slug": "Ban Suan", "name_th": "เทศบาลตำบลบ้านสวน", "kind": "municipality", "aliases": "น้ำโมง"})
    refused = client.post("/admin/ita/agencies/new", data=data)
    assert refused.status_code == 400
    assert any("ใช้เป็นรหัสหน่วยงานไม่ได้" in e for e in read_page(refused.text).errors)
    data["slug"] = "bansuan"
    clash = client.post("/admin/ita/agencies/new", data=data)
    assert clash.status_code == 400 and "ชื่อต่อไปนี้เป็นชื่อของหน่วยงานอื่นอยู่แล้ว: น้ำโมง" in text_of(clash)
    data["aliases"] = "บ้านสวน\nban suan"
    data["short_names"] = "ทต.บ้านสวน"
    assert client.post("/admin/ita/agencies/new", data=data).status_code == 302
    bansuan = agency_id(demo, "bansuan")
    with demo.app_context():
        assert bansuan in db.session.get(User, user).agency_ids
        agency = db.session.get(Agency, bansuan)
        assert [(a.kind, a.alias) for a in agency.aliases] == [
            ("short", "ทต.บ้านสวน"),
            ("alias", "บ้านสวน"),
            ("alias", "ban suan"),
        ]
    assert "ทต.บ้านสวน" in text_of(client.get(f"/admin/ita/agencies/{bansuan}"))
    assert "บ้านสวน" in bot_says(demo, "ทต.บ้านสวน ได้คะแนน ITA เท่าไหร่")  # the bot knows the new name at once
    token = form_token(client, f"/admin/ita/agencies/{bansuan}/delete")
    assert client.post(f"/admin/ita/agencies/{bansuan}/delete", data={"csrf_token": token}).status_code == 302
    assert agency_id(demo, "bansuan") is None
    assert audit(demo, "record_created") == [("agency", str(bansuan), None)]
    assert audit(demo, "record_deleted") == [("agency", str(bansuan), None)]


def test_an_agency_with_citizens_records_cannot_be_deleted(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    nammong = agency_id(demo, "nammong")
    with demo.app_context():
        db.session.add(
            Complaint(tracking_no="G-TEST-1", agency_id=nammong, lane="general", category="service", description="x")
        )
        db.session.commit()
    page = client.get(f"/admin/ita/agencies/{nammong}/delete")
    assert "ลบหน่วยงานนี้ไม่ได้" in text_of(page) and "ยืนยันการลบ" not in text_of(page).replace("ยืนยันการลบข้อมูล", "")
    token = form_token(client, "/admin/ita")
    assert client.post(f"/admin/ita/agencies/{nammong}/delete", data={"csrf_token": token}).status_code == 409
    assert agency_id(demo, "nammong") == nammong


# --- import ----------------------------------------------------------------------------------------------


def upload(client, *files: Path | tuple[bytes, str]):
    """Post files to the upload form as a browser does."""
    token = form_token(client, "/admin/ita/import")
    parts = [(io.BytesIO(f.read_bytes()), f.name) if isinstance(f, Path) else (io.BytesIO(f[0]), f[1]) for f in files]
    builder = EnvironBuilder(
        path="/admin/ita/import",
        method="POST",
        data={"csrf_token": token, "files": parts},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()  # a body the app refused unread is the test's to close
        builder.close()


def error_rows(response) -> list[list[str]]:
    """The table of problems: file, sheet, row, column, message."""
    html = response.get_data(as_text=True)
    table = html.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows.append([re.sub(r"\s+", " ", c).strip().replace("&#34;", '"').replace("&quot;", '"') for c in cells])
    return rows


NAMMONG_2568 = [
    ["agency", "fiscal_year", "total_score", "level", "indicator_4"],
    ["nammong", 2568, 91.5, "ผ่านดี", 80.25],
]


def test_a_file_with_errors_shows_every_bad_row_and_column_and_changes_nothing(demo, client, tmp_path):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    before = state(demo)
    workbook = write_xlsx(
        tmp_path / "ita-2568.xlsx",
        {
            "assessments": [
                [*NAMMONG_2568[0], "totl_score"],
                [*NAMMONG_2568[1], ""],
                ["nammong", 2025, "8o.5", "ผ่าน", 70, ""],
                ["nakhonpathom", 2568, 90, "A", 70, ""],
            ],
            "measures": [MEASURES[0], ["nammong", 2569, "1", "ชื่อใหม่", 2568, "4|11", None, None]],
        },
    )
    response = upload(client, workbook)
    assert response.status_code == 422
    rows = error_rows(response)
    assert rows[0][:3] == ["ita-2568.xlsx", "assessments", "1"] and rows[0][3].startswith("totl_score")
    assert "ไม่รู้จักคอลัมน์นี้ (หมายถึง total_score หรือไม่)" in rows[0][4]
    located = {(r[1], r[2], r[3].split(" ")[0]): r[4] for r in rows}
    assert "หมายถึง 2568 หรือไม่" in located[("assessments", "3", "fiscal_year")]
    assert located[("assessments", "3", "total_score")] == '"8o.5" ไม่ใช่ตัวเลข'
    assert 'ท่านไม่ได้รับผิดชอบหน่วยงาน "nakhonpathom"' in located[("assessments", "4", "agency")]
    assert located[("measures", "2", "indicators")] == '"11" ไม่ใช่เลขตัวชี้วัดที่ใช้ได้ (1-10)'
    assert "ยืนยันการนำเข้า" not in text_of(response)
    assert state(demo) == before
    assert audit(demo, "import") == []


def test_a_clean_file_is_previewed_then_imported_on_confirmation(demo, client, tmp_path):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    assert "85.86" in bot_says(demo, ASK_TOTAL)
    before = state(demo)
    files = [
        write_csv(tmp_path / "assessments.csv", NAMMONG_2568),
        write_csv(
            tmp_path / "measures.csv",
            [MEASURES[0], ["nammong", 2570, "1", "มาตรการใหม่", 2568, "4", "ขั้นที่หนึ่ง", "สำนักปลัด"]],
        ),
    ]
    preview = upload(client, *files)
    assert preview.status_code == 200
    text = text_of(preview)
    assert "ตรวจแล้วไม่พบข้อผิดพลาด" in text and "แทนที่ข้อมูลเดิม" in text and "เพิ่มใหม่" in text
    assert "คะแนนรวม 91.50" in text and "มาตรการใหม่" in text
    assert state(demo) == before  # checking writes nothing
    confirm = [f for f in read_page(preview.text).forms if "token" in f][0]
    done = client.post("/admin/ita/import/confirm", data=confirm)
    assert done.status_code == 302
    with demo.app_context():
        assessment = db.session.get(Assessment, assessment_id(demo, "nammong", 2568))
        assert (assessment.total_score, assessment.level, assessment.indicator(4)) == (
            Decimal("91.50"),
            "ผ่านดี",
            Decimal("80.25"),
        )
        assert assessment.indicator(1) == Decimal("88.49")  # a column not in the file keeps its value
    assert measure_id(demo, "nammong", 2570, "1") is not None
    (entry,) = audit(demo, "import")
    assert entry[:2] == (None, None) and entry[2]["files"] == 2
    assert entry[2]["rows"] == {"agencies": 0, "assessments": 1, "questions": 0, "measures": 1, "progress": 0}
    answer = bot_says(demo, ASK_TOTAL)
    assert "91.50" in answer and "85.86" not in answer
    # the upload is gone: confirming again is refused, nothing imported twice
    again = client.post("/admin/ita/import/confirm", data=confirm)
    assert again.status_code == 410 and "หมดอายุ" in text_of(again)
    assert list((Path(demo.config["UPLOAD_FOLDER"]) / "ita").iterdir()) == []


def test_an_import_keeps_participation_entries_of_a_measure(demo, client, tmp_path):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    measure = measure_id(demo, "nammong", 2569, "1")
    with demo.app_context():
        stored = db.session.get(Measure, measure)
        stored.progress.append(
            ProgressEntry(step_no=5, step="หลักฐาน", status="done", kind="participation", period="2569-H1", evidence={})
        )
        db.session.commit()
    progress = [
        ["agency", "fiscal_year", "measure_code", "step_no", "step", "status"],
        ["nammong", 2569, "1", 1, "จัดทำคู่มือ", "done"],
    ]
    preview = upload(client, write_csv(tmp_path / "progress.csv", progress))
    confirm = [f for f in read_page(preview.text).forms if "token" in f][0]
    assert client.post("/admin/ita/import/confirm", data=confirm).status_code == 302
    with demo.app_context():
        kinds = sorted((p.kind, p.step_no) for p in db.session.get(Measure, measure).progress)
        assert kinds == [("participation", 5), ("step", 1)]


def test_an_admin_importing_a_new_agency_works_for_it(demo, client, tmp_path):
    user = logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    preview = upload(client, write_xlsx(tmp_path / "bansuan.xlsx", {"agencies": AGENCIES, "assessments": ASSESSMENTS}))
    assert preview.status_code == 200, error_rows(preview) if "import-errors" in preview.text else preview.status_code
    confirm = [f for f in read_page(preview.text).forms if "token" in f][0]
    assert client.post("/admin/ita/import/confirm", data=confirm).status_code == 302
    with demo.app_context():
        assert agency_id(demo, "bansuan") in db.session.get(User, user).agency_ids
    assert "เทศบาลตำบลบ้านสวน" in text_of(client.get("/admin/ita"))


def test_a_confirmation_token_from_elsewhere_is_refused(demo, client, tmp_path):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    before = state(demo)
    token = form_token(client, "/admin/ita/import")
    for forged in ("../../etc", "x" * 32, "", "../uploads"):
        response = client.post("/admin/ita/import/confirm", data={"csrf_token": token, "token": forged})
        assert response.status_code == 410
        assert "หมดอายุหรือไม่พบแล้ว" in text_of(response)
    assert state(demo) == before


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"%PDF-1.4", "ita.pdf", 400, "ไม่ใช่ประเภทที่รับ"),
        (b"MZ", "ita.xlsx.exe", 400, "ไม่ใช่ประเภทที่รับ"),
        (b"a" * (5 * 1024 * 1024 + 200 * 1024), "big.csv", 303, "ไฟล์ใหญ่เกินไป: ขนาดรวมต้องไม่เกิน 5 MB"),
        (b"a" * (5 * 1024 * 1024 + 1), "nearly.csv", 413, "ไฟล์ใหญ่เกินไป: ขนาดรวมต้องไม่เกิน 5 MB"),
        (b"", "empty.csv", 400, "ว่างเปล่า"),
        (b"not a zip", "broken.xlsx", 422, "อ่านไฟล์ไม่ได้"),
        ("agency,fiscal_year,level\nnammong,2568,ผ่าน\n".encode("cp874"), "x.csv", 422, "ไม่ได้บันทึกเป็นข้อความ UTF-8"),
    ],
)
def test_a_wrong_file_gets_a_clear_message(demo, client, content, name, status, message):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    before = state(demo)
    response = upload(client, (content, name))
    assert response.status_code == status
    if status == 303:  # too large to be read at all: sent back to the upload page, told why
        response = client.get(response.headers["Location"])
    assert message in text_of(response)
    assert state(demo) == before


def test_no_file_chosen_is_told(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    token = form_token(client, "/admin/ita/import")
    response = client.post("/admin/ita/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "กรุณาเลือกไฟล์ที่จะนำเข้า" in text_of(response)


def test_the_template_is_offered_for_download(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    page = client.get("/admin/ita/import")
    assert "/admin/ita/import/template.xlsx" in page.text
    response = client.get("/admin/ita/import/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "ita-import-template.xlsx" in response.headers["Content-Disposition"]
