"""Complaint cases in the backend: a citizen files on LINE, staff work the case, the citizen hears of it on LINE.

The corruption lane is for integrity officers only: for anyone else its cases do not exist. Every view of
one is audited, and a reporter's identity is shown only after a reason is given and logged.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from bot.i18n import t
from models import Agency, CaseNote, Complaint, ComplaintUpdate, User, db
from models.complaint import by_tracking_no
from models.periods import BANGKOK, fiscal_year, local, thai_date
from models.types import utcnow
from tests.citizen import Citizen
from tests.test_complaint_flow import TRACKING, WHAT_HAPPENED, begin_general, file_general
from tests.test_corruption_reports import NAME, PHONE, REPORT
from tests.test_corruption_reports import report as report_corruption
from tests.web import audit_entries, form_token, login, make_user

LIGHTS = "ถนนหน้าตลาดสดน้ำโมงเป็นหลุมลึก รถจักรยานยนต์ล้มทุกวัน"
INFO = "ประกาศรับสมัครงานบนเว็บไซต์ไม่บอกวันปิดรับ ถามเจ้าหน้าที่แล้วก็ไม่ทราบ"


# --- helpers -------------------------------------------------------------------------------------


def staff_client(app, username: str, role: str = "staff", agencies: list[str] | None = ("nammong",)):
    """A browser of a backend user, logged in with the real form."""
    make_user(app, username, role=role, agencies=None if agencies is None else list(agencies))
    browser = app.test_client()
    assert login(browser, username).status_code == 302
    return browser


def case_id(app, number: str) -> int:
    with app.app_context():
        return by_tracking_no(number).id


def fetch(app, number: str) -> Complaint:
    with app.app_context():
        complaint = by_tracking_no(number)
        _ = complaint.updates, complaint.notes, complaint.photos
        db.session.expunge_all()
        return complaint


def post(browser, path: str, data: dict, page: str | None = None):
    token = form_token(browser, page or path.rsplit("/", 1)[0])
    return browser.post(path, data={"csrf_token": token, **data})


def esc(text: str) -> str:
    """The text as the page shows it (quotes escaped)."""
    return str(escape(text))


def html(response) -> str:
    return response.get_data(as_text=True)


def listed(browser, **filters) -> list[str]:
    """The tracking numbers the list shows for these filters."""
    response = browser.get("/admin/cases", query_string=filters)
    assert response.status_code == 200
    return re.findall(r'data-case="([^"]+)"', html(response))


def pushes(line, citizen) -> list:
    return [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]


def file_with(citizen: Citizen, category: str, description: str) -> str:
    begin_general(citizen, category, description)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    citizen.tap_button(t("complaint.photos_done"))
    citizen.tap_button(t("complaint.confirm"))
    return TRACKING.search(citizen.text).group(0)


# --- the general lane, end to end ----------------------------------------------------------------


def test_staff_move_a_case_to_resolved_and_each_change_reaches_the_citizen_on_line(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    staff = staff_client(nammong_oa, "somchai")
    assert number in listed(staff)
    cid = case_id(nammong_oa, number)
    page = html(staff.get(f"/admin/cases/{cid}"))
    assert WHAT_HAPPENED in page, "the description"
    assert t("complaint.category.public_works") in page and t("case.status.received") in page
    assert page.count(WHAT_HAPPENED) >= 2, "and the conversation in which it was told"

    moved = post(
        staff,
        f"/admin/cases/{cid}/status",
        {"status": "in_progress", "current": "received", "public_note": "ส่งช่างไฟฟ้าออกตรวจพรุ่งนี้เช้า"},
    )
    assert moved.status_code == 302
    [first] = pushes(line, citizen)
    assert number in first.all_text() and t("case.status.in_progress") in first.all_text()
    assert "ส่งช่างไฟฟ้าออกตรวจพรุ่งนี้เช้า" in first.all_text()

    page = html(staff.get(moved.headers["Location"]))
    assert esc(t("cases.flash.status_sent", status=t("case.status.in_progress"))) in page

    assert (
        post(staff, f"/admin/cases/{cid}/status", {"status": "resolved", "current": "in_progress"}).status_code == 302
    )
    second = pushes(line, citizen)[1]
    assert t("case.status.resolved") in second.all_text()
    assert t("case.rate_service") in second.quick_labels()

    complaint = fetch(nammong_oa, number)
    assert complaint.status == "resolved"
    assert [(u.status, u.notice) for u in complaint.updates] == [
        ("received", "none"),
        ("in_progress", "sent"),
        ("resolved", "sent"),
    ]
    page = html(staff.get(f"/admin/cases/{cid}"))
    history = page[page.index('id="history"') : page.index('id="notes"')]
    assert history.count(t("cases.notice.sent")) == 2 and t("cases.notice.filed") in history
    entries = audit_entries(nammong_oa, "case_status")
    assert [(e.detail["from"], e.detail["to"]) for e in entries] == [
        ("received", "in_progress"),
        ("in_progress", "resolved"),
    ]
    assert all(e.target_id == str(cid) and e.actor_name == "somchai" for e in entries)
    assert all("ส่งช่าง" not in json.dumps(e.detail, ensure_ascii=False) for e in entries), "no note text in the log"


def test_a_transition_the_workflow_does_not_allow_is_refused_and_nothing_changes(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    cid = case_id(nammong_oa, number)
    staff = staff_client(nammong_oa, "somchai")

    skipped = post(staff, f"/admin/cases/{cid}/status", {"status": "resolved", "current": "received"})
    assert skipped.status_code == 409
    expected = t("cases.error.transition", current=t("case.status.received"), wanted=t("case.status.resolved"))
    assert esc(expected) in html(skipped)
    unknown = post(staff, f"/admin/cases/{cid}/status", {"status": "closed_forever", "public_note": "x"})
    assert unknown.status_code == 400 and t("cases.error.choose_status") in html(unknown)
    stale = post(staff, f"/admin/cases/{cid}/status", {"status": "rejected", "current": "in_progress"})
    assert stale.status_code == 409 and t("cases.error.changed_meanwhile") in html(stale)
    long_note = post(staff, f"/admin/cases/{cid}/status", {"status": "in_progress", "public_note": "ก" * 1001})
    assert long_note.status_code == 400
    assert "ก" * 1001 in html(long_note), "what was typed is given back"

    complaint = fetch(nammong_oa, number)
    assert complaint.status == "received" and len(complaint.updates) == 1
    assert pushes(line, citizen) == []
    assert audit_entries(nammong_oa, "case_status") == []


def test_a_notice_line_refuses_keeps_the_change_and_the_page_shows_it_failed(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    cid = case_id(nammong_oa, number)
    staff = staff_client(nammong_oa, "somchai")
    line.fail("/v2/bot/message/push", status=500, times=10)
    moved = post(staff, f"/admin/cases/{cid}/status", {"status": "in_progress", "current": "received"})
    assert moved.status_code == 302
    page = html(staff.get(moved.headers["Location"]))
    assert esc(t("cases.flash.status_failed", status=t("case.status.in_progress"))) in page
    assert t("cases.notice.failed") in page
    complaint = fetch(nammong_oa, number)
    assert complaint.status == "in_progress" and complaint.updates[-1].notice == "failed"
    assert pushes(line, citizen) == []


# --- the list --------------------------------------------------------------------------------------


def test_filters_and_search_find_the_right_cases(nammong_oa, client, line):
    lights = file_with(Citizen(nammong_oa, client, line), "public_works", LIGHTS)
    info = file_with(Citizen(nammong_oa, client, line), "information", INFO)
    with nammong_oa.app_context():  # a case of another agency, and an old one
        other = Agency.query.filter_by(slug="nakhonphanom").one()
        db.session.add(
            Complaint(
                tracking_no="2569-000001",
                agency_id=other.id,
                lane="general",
                category="staff_conduct",
                description="เจ้าหน้าที่พูดจาไม่สุภาพ",
                status="received",
            )
        )
        nammong = Agency.query.filter_by(slug="nammong").one()
        old = datetime(2024, 1, 15, 3, 0, tzinfo=UTC)
        db.session.add(
            Complaint(
                tracking_no="2567-123456",
                agency_id=nammong.id,
                lane="general",
                category="suggestion",
                description="ขอให้เพิ่มถังขยะ 100% ทุกหมู่บ้าน",
                status="resolved",
                filed_at=old,
                updated_at=old,
            )
        )
        db.session.commit()
    staff = staff_client(nammong_oa, "somchai")
    assert set(listed(staff)) == {lights, info, "2567-123456"}, "only the user's agency"
    assert t("cases.count", count=3) in html(staff.get("/admin/cases"))

    assert listed(staff, category="information") == [info]
    assert listed(staff, indicator=7) == [info]
    assert set(listed(staff, indicator=8)) == {lights, "2567-123456"}
    assert listed(staff, status="resolved") == ["2567-123456"]
    assert set(listed(staff, status="open")) == {lights, info}
    year = fiscal_year(utcnow())
    assert set(listed(staff, period=str(year))) == {lights, info}
    assert listed(staff, period="2567-Q2") == ["2567-123456"]
    assert set(listed(staff, period="not-a-period")) == {lights, info, "2567-123456"}, "a bad value is dropped"

    assert listed(staff, q="หลุมลึก") == [lights]
    assert listed(staff, q="ตลาดสด จักรยานยนต์") == [lights], "every word must appear"
    assert listed(staff, q="ตลาดสด ไม่มีคำนี้") == []
    assert set(listed(staff, q=info[:5])) == {lights, info}, "the fiscal year's numbers"
    assert listed(staff, q=info) == [info]
    assert listed(staff, q="2567-12") == ["2567-123456"]
    assert listed(staff, q="%") == ["2567-123456"], "LIKE wildcards are taken literally"
    assert listed(staff, q="_") == []

    make_user(nammong_oa, "two", role="staff", agencies=["nammong", "nakhonphanom"])
    both = nammong_oa.test_client()
    login(both, "two")
    assert "2569-000001" in listed(both)
    with nammong_oa.app_context():
        other_id = Agency.query.filter_by(slug="nakhonphanom").one().id
    assert listed(both, agency=other_id) == ["2569-000001"]
    assert "2569-000001" not in listed(staff, agency=other_id), "another agency's filter is ignored"

    # Overdue: a due date passed on an open case
    with nammong_oa.app_context():
        by_tracking_no(lights).due_at = utcnow() - timedelta(days=1)
        by_tracking_no("2567-123456").due_at = utcnow() - timedelta(days=1)  # closed: not overdue
        db.session.commit()
    assert listed(staff, overdue="1") == [lights]
    row = html(staff.get("/admin/cases", query_string={"overdue": "1"}))
    assert 'class="overdue"' in row and t("cases.overdue") in row
    assert t("cases.empty_filtered") in html(staff.get("/admin/cases", query_string={"q": "ไม่มีเรื่องนี้แน่นอน"}))


def test_the_list_pages_and_shows_thai_names_and_buddhist_era_dates(nammong_oa, client, line):
    with nammong_oa.app_context():
        nammong = Agency.query.filter_by(slug="nammong").one()
        for i in range(55):
            db.session.add(
                Complaint(
                    tracking_no=f"2569-{i:06d}",
                    agency_id=nammong.id,
                    lane="general",
                    category="service_delay",
                    description=f"เรื่องที่ {i}",
                )
            )
        db.session.commit()
    staff = staff_client(nammong_oa, "somchai")
    first = html(staff.get("/admin/cases"))
    assert len(re.findall(r'data-case="', first)) == 50
    assert t("admin.page_of", page=1, pages=2) in first
    assert len(listed(staff, page=2)) == 5
    assert t("complaint.category.service_delay") in first and t("case.status.received") in first
    with nammong_oa.app_context():
        filed = by_tracking_no("2569-000054").filed_at
    assert f'<td class="nowrap">{thai_date(filed, with_time=True)}</td>' in first, "Buddhist-era date and time"
    assert "อบต.น้ำโมง" in first, "the agency by the name people use"


# --- working a case -------------------------------------------------------------------------------


def test_notes_due_dates_and_assignment(nammong_oa, client, line):
    number = file_general(Citizen(nammong_oa, client, line))
    cid = case_id(nammong_oa, number)
    staff = staff_client(nammong_oa, "somchai")
    colleague = make_user(nammong_oa, "malee", role="staff", agencies=["nammong"])
    stranger = make_user(nammong_oa, "outsider", role="staff", agencies=["nakhonphanom"])
    viewer = make_user(nammong_oa, "looker", role="viewer", agencies=["nammong"])
    path = f"/admin/cases/{cid}"

    assert post(staff, f"{path}/notes", {"body": "โทรประสานกองช่างแล้ว รอใบสั่งงาน"}, path).status_code == 302
    empty = post(staff, f"{path}/notes", {"body": "   "}, path)
    assert empty.status_code == 400 and t("cases.error.note_empty") in html(empty)
    assert "โทรประสานกองช่างแล้ว รอใบสั่งงาน" in html(staff.get(path))
    with nammong_oa.app_context():
        [note] = db.session.scalars(select(CaseNote)).all()
        assert note.complaint_id == cid and db.session.get(User, note.author_id).username == "somchai"

    day = (local(utcnow()) + timedelta(days=7)).date()
    assert post(staff, f"{path}/due", {"due": day.isoformat()}, path).status_code == 302
    complaint = fetch(nammong_oa, number)
    assert local(complaint.due_at).date() == day and local(complaint.due_at).hour == 23
    assert thai_date(datetime(day.year, day.month, day.day, 12, tzinfo=BANGKOK)) in html(staff.get(path))
    be = day.replace(year=day.year + 543)
    assert post(staff, f"{path}/due", {"due": be.isoformat()}, path).status_code == 302, "a BE year typed by hand"
    assert local(fetch(nammong_oa, number).due_at).date() == day
    typed = f"{day.day}/{day.month}/{day.year + 543}"  # as Thai staff write a date: day/month/BE year
    assert post(staff, f"{path}/due", {"due": typed}, path).status_code == 302, typed
    assert local(fetch(nammong_oa, number).due_at).date() == day
    for bad in ("31/02/2569", "พรุ่งนี้", "", "2020-01-01"):
        refused = post(staff, f"{path}/due", {"due": bad}, path)
        assert refused.status_code == 400, bad
    assert local(fetch(nammong_oa, number).due_at).date() == day, "a refused date changes nothing"
    assert post(staff, f"{path}/due", {"clear": "1", "due": ""}, path).status_code == 302
    assert fetch(nammong_oa, number).due_at is None

    assert post(staff, f"{path}/assign", {"user": str(colleague)}, path).status_code == 302
    assert fetch(nammong_oa, number).assigned_to_id == colleague
    assert "malee" in listed_row(staff, number)
    for wrong in (stranger, viewer, 99999):
        refused = post(staff, f"{path}/assign", {"user": str(wrong)}, path)
        assert refused.status_code == 400 and t("cases.error.assignee") in html(refused)
    assert fetch(nammong_oa, number).assigned_to_id == colleague
    assert post(staff, f"{path}/assign", {"user": ""}, path).status_code == 302
    assert fetch(nammong_oa, number).assigned_to_id is None
    assert post(staff, f"{path}/assign", {"user": ""}, path).status_code == 302  # no change: nothing to log
    logged = audit_entries(nammong_oa, "assigned")
    assert [(e.actor_name, e.target_type, e.target_id, e.detail) for e in logged] == [
        ("somchai", "complaint", str(cid), {"assignee_before": None, "assignee_after": "malee"}),
        ("somchai", "complaint", str(cid), {"assignee_before": "malee", "assignee_after": None}),
    ]  # the refused ones changed nothing and logged nothing
    audit_page = html(staff_client(nammong_oa, "admin1", role="admin").get("/admin/audit"))
    assert "มอบหมายผู้รับผิดชอบ" in audit_page and "ผู้รับผิดชอบใหม่: malee" in audit_page


def listed_row(browser, number: str) -> str:
    page = html(browser.get("/admin/cases"))
    start = page.index(f'data-case="{number}"')
    return page[start : page.index("</tr>", start)]


def test_photos_are_served_only_to_the_cases_agency_with_their_type(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    begin_general(citizen, "public_works", WHAT_HAPPENED)
    citizen.sends_location()
    citizen.says("เมื่อวานนี้")
    citizen.sends_photo(b"\xff\xd8\xffjpeg-bytes-of-the-pothole", "image/jpeg")
    citizen.tap_button(t("complaint.photos_done"))
    citizen.tap_button(t("complaint.confirm"))
    number = TRACKING.search(citizen.text).group(0)
    complaint = fetch(nammong_oa, number)
    [photo] = complaint.photos
    staff = staff_client(nammong_oa, "somchai")
    url = f"/admin/cases/{complaint.id}/photos/{photo.id}"

    page = html(staff.get(f"/admin/cases/{complaint.id}"))
    assert url in page
    assert "https://www.openstreetmap.org/?mlat=17.970000&amp;mlon=102.650000" in page
    assert "<iframe" not in page

    served = staff.get(url)
    assert served.status_code == 200 and served.data == b"\xff\xd8\xffjpeg-bytes-of-the-pothole"
    assert served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served.headers["Cache-Control"]

    outsider = staff_client(nammong_oa, "outsider", agencies=["nakhonphanom"])
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/admin/cases/{complaint.id}").status_code == 404
    assert staff.get(f"/admin/cases/{complaint.id + 1}/photos/{photo.id}").status_code == 404
    assert staff.get(f"/admin/cases/{complaint.id}/photos/{photo.id + 1}").status_code == 404


# --- rights and agencies ---------------------------------------------------------------------------


def test_a_viewer_is_refused_and_another_agency_gets_404_with_nothing_changed(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    cid = case_id(nammong_oa, number)
    viewer = staff_client(nammong_oa, "looker", role="viewer")
    assert viewer.get("/admin/cases").status_code == 403
    assert viewer.get(f"/admin/cases/{cid}").status_code == 403
    token = form_token(viewer, "/admin/login")
    assert (
        viewer.post(f"/admin/cases/{cid}/status", data={"csrf_token": token, "status": "in_progress"}).status_code
        == 403
    )

    outsider = staff_client(nammong_oa, "outsider", agencies=["nakhonphanom"])
    assert number not in listed(outsider) and listed(outsider, q=number) == []
    token = form_token(outsider, "/admin/cases")
    for action, data in [
        ("status", {"status": "in_progress"}),
        ("notes", {"body": "บันทึกจากหน่วยงานอื่น"}),
        ("due", {"due": "2030-01-01"}),
        ("assign", {"user": ""}),
    ]:
        refused = outsider.post(f"/admin/cases/{cid}/{action}", data={"csrf_token": token, **data})
        assert refused.status_code == 404, action
    complaint = fetch(nammong_oa, number)
    assert complaint.status == "received" and complaint.notes == [] and complaint.due_at is None
    assert pushes(line, citizen) == []
    assert outsider.get("/admin/cases/99999").status_code == 404


# --- the corruption lane ---------------------------------------------------------------------------


def test_corruption_reports_do_not_exist_for_staff(nammong_oa, client, line):
    number = TRACKING.search(report_corruption(Citizen(nammong_oa, client, line), identified=True)).group(0)
    general = file_general(Citizen(nammong_oa, client, line))
    cid = case_id(nammong_oa, number)
    staff = staff_client(nammong_oa, "somchai")
    assert listed(staff) == [general]
    assert listed(staff, lane="corruption") == [general], "a lane the user cannot see is not a filter"
    assert listed(staff, q=number) == [] and listed(staff, q="เรียกเงิน") == []
    assert listed(staff, indicator=1) == [general], "bribery's indicator is no filter for staff"
    page = html(staff.get("/admin/cases"))
    assert t("cases.count", count=1) in page and t("complaint.lane.corruption") not in page
    assert staff.get(f"/admin/cases/{cid}").status_code == 404
    token = form_token(staff, "/admin/cases")
    for action, data, expected in [
        ("status", {"status": "in_progress"}, 404),  # the case does not exist for staff
        ("notes", {"body": "ดูแล้ว"}, 404),
        ("reveal", {"reason": "ต้องการติดต่อผู้แจ้งเพื่อสอบข้อเท็จจริง"}, 403),  # staff lack the right itself
    ]:
        response = staff.post(f"/admin/cases/{cid}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == expected, f"{action}: {response.status_code}"
    complaint = fetch(nammong_oa, number)
    assert complaint.status == "received" and complaint.notes == []
    assert audit_entries(nammong_oa, "case_viewed") == [] and audit_entries(nammong_oa, "identity_revealed") == []


def test_an_integrity_officer_works_a_report_and_reveals_the_reporter_only_with_a_logged_reason(
    nammong_oa, client, line
):
    citizen = Citizen(nammong_oa, client, line)
    number = TRACKING.search(report_corruption(citizen, identified=True)).group(0)
    cid = case_id(nammong_oa, number)
    officer = staff_client(nammong_oa, "integrity", role="integrity_officer")
    assert listed(officer, lane="corruption") == [number]
    assert listed(officer, q="เรียกเงิน") == [number]
    assert listed(officer, indicator=1) == [number]

    path = f"/admin/cases/{cid}"
    page = html(officer.get(path))
    assert REPORT in page and t("complaint.category.bribery") in page
    assert NAME not in page and PHONE not in page and citizen.user_id not in page
    assert t("cases.identity.sealed") in page
    [viewed] = audit_entries(nammong_oa, "case_viewed")
    assert viewed.target_id == str(cid) and viewed.actor_name == "integrity"
    filed = fetch(nammong_oa, number).filed_at
    assert thai_date(filed) in page and thai_date(filed, with_time=True) not in page, "the day only"

    short = post(officer, f"{path}/reveal", {"reason": "ขอดู"}, path)
    assert short.status_code == 400 and t("cases.error.reason_short", min=10) in html(short)
    assert NAME not in html(short)
    assert audit_entries(nammong_oa, "identity_revealed") == []

    reason = "ต้องสอบถามข้อเท็จจริงเพิ่มเติมจากผู้แจ้งตามคำสั่งคณะกรรมการสอบ"
    revealed = post(officer, f"{path}/reveal", {"reason": reason}, path)
    assert revealed.status_code == 200
    assert NAME in html(revealed) and PHONE in html(revealed)
    assert citizen.user_id not in html(revealed), "never the LINE id"
    assert "no-store" in revealed.headers["Cache-Control"]
    [entry] = audit_entries(nammong_oa, "identity_revealed")
    assert entry.detail == {"reason": reason} and entry.target_id == str(cid) and entry.actor_name == "integrity"
    assert NAME not in html(officer.get(path)), "shown for that response only"

    moved = post(officer, f"{path}/status", {"status": "in_progress", "current": "received"}, path)
    assert moved.status_code == 302
    [push] = pushes(line, citizen)
    assert number in push.all_text() and t("case.status.in_progress") in push.all_text()

    logged = json.dumps(
        [[e.action, e.target_type, e.target_id, e.detail] for e in audit_entries(nammong_oa)], ensure_ascii=False
    )
    for secret in (REPORT, "เรียกเงิน", NAME, PHONE, "081-234-5678", citizen.user_id):
        assert secret not in logged
    assert len(audit_entries(nammong_oa, "case_viewed")) >= 3, "every view, also after a reveal or a change"

    staff = staff_client(nammong_oa, "somchai")
    token = form_token(staff, "/admin/cases")
    refused = staff.post(f"{path}/reveal", data={"csrf_token": token, "reason": reason})
    assert refused.status_code == 403
    assert len(audit_entries(nammong_oa, "identity_revealed")) == 1


def test_an_unidentified_report_says_so_and_has_nothing_to_reveal(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = TRACKING.search(report_corruption(citizen, identified=False)).group(0)
    cid = case_id(nammong_oa, number)
    admin = staff_client(nammong_oa, "boss", role="admin")
    path = f"/admin/cases/{cid}"
    page = html(admin.get(path))
    assert "ผู้แจ้งไม่เปิดเผยตัวตน" in page and t("cases.status_form.no_notice") in page
    refused = post(admin, f"{path}/reveal", {"reason": "ต้องการติดต่อผู้แจ้งเพื่อสอบข้อเท็จจริง"}, path)
    assert refused.status_code == 409
    assert audit_entries(nammong_oa, "identity_revealed") == []
    assert post(admin, f"{path}/status", {"status": "in_progress"}, path).status_code == 302
    complaint = fetch(nammong_oa, number)
    assert complaint.updates[-1].notice == "none"
    assert pushes(line, citizen) == []
    assert esc(t("cases.flash.status_no_notice", status=t("case.status.in_progress"))) in html(admin.get(path))


def test_a_corruption_photo_is_served_only_to_the_lane_and_each_opening_is_audited(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.says("แจ้งทุจริต")
    citizen.tap_button(t("complaint.agree"))
    citizen.tap_button(t("complaint.identity.anonymous"))
    citizen.tap_button(t("complaint.category.official_property"))
    citizen.says(REPORT)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    citizen.sends_photo(b"\x89PNG\r\n\x1a\nofficial-car-at-the-market", "image/png")
    citizen.tap_button(t("complaint.photos_done"))
    citizen.tap_button(t("complaint.confirm"))
    complaint = fetch(nammong_oa, TRACKING.search(citizen.text).group(0))
    url = f"/admin/cases/{complaint.id}/photos/{complaint.photos[0].id}"
    staff = staff_client(nammong_oa, "somchai")
    assert staff.get(url).status_code == 404
    officer = staff_client(nammong_oa, "integrity", role="integrity_officer")
    page = html(officer.get(f"/admin/cases/{complaint.id}"))
    assert url in page and f'<img src="{url}"' not in page, "opened on purpose, not loaded with the page"
    served = officer.get(url)
    assert served.status_code == 200 and served.data.endswith(b"official-car-at-the-market")
    assert [e.detail for e in audit_entries(nammong_oa, "case_viewed")] == [None, {"photo": complaint.photos[0].id}]


@pytest.mark.parametrize("lane_filter", ["general", "corruption"])
def test_an_admin_sees_both_lanes(nammong_oa, client, line, lane_filter):
    corruption = TRACKING.search(report_corruption(Citizen(nammong_oa, client, line), identified=False)).group(0)
    general = file_general(Citizen(nammong_oa, client, line))
    admin = staff_client(nammong_oa, "boss", role="admin", agencies=None)
    assert set(listed(admin)) == {corruption, general}
    assert listed(admin, lane=lane_filter) == [general if lane_filter == "general" else corruption]
    assert audit_entries(nammong_oa, "case_viewed") == [], "a list is not a view of a case"


def test_no_update_rows_are_added_by_refused_posts(nammong_oa, client, line):
    number = file_general(Citizen(nammong_oa, client, line))
    cid = case_id(nammong_oa, number)
    staff = staff_client(nammong_oa, "somchai")
    path = f"/admin/cases/{cid}"
    post(staff, f"{path}/status", {"status": "forwarded", "current": "received"}, path)
    post(staff, f"{path}/status", {"status": "in_progress", "current": "received"}, path)  # stale now
    with nammong_oa.app_context():
        rows = db.session.scalars(
            select(ComplaintUpdate.status).where(ComplaintUpdate.complaint_id == cid).order_by(ComplaintUpdate.id)
        ).all()
    assert rows == ["received", "forwarded"]


def test_the_pages_read_in_english_too(nammong_oa, client, line):
    number = file_general(Citizen(nammong_oa, client, line))
    staff = staff_client(nammong_oa, "somchai")
    token = form_token(staff, "/admin/cases")
    staff.post("/admin/language", data={"csrf_token": token, "lang": "en", "next": "/admin/cases"})
    page = html(staff.get("/admin/cases"))
    assert t("cases.title", "en") in page and t("complaint.category.public_works", "en") in page
    view = html(staff.get(f"/admin/cases/{case_id(nammong_oa, number)}"))
    assert t("cases.view.title", "en", number=number) in view and t("cases.status_form.submit", "en") in view
    assert "[location]" not in view and "ประวัติสถานะ" not in view
