"""The reports pages: preview and attach participation evidence, edit and delete it, read the progress report."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from models import Measure, ProgressEntry, db
from tests.test_participation import agency, at, first_half_data, measure, respond
from tests.web import audit_entries, form_token, logged_in, login, make_user, parse, redirects_to_login

H1 = "2569-H1"


@pytest.fixture
def site(nammong_oa, client):
    """An admin of Nam Mong only, logged in; Nam Mong has the first-half rows of tests/test_participation."""
    with nammong_oa.app_context():
        first_half_data(agency("nammong").id)
        db.session.commit()
    logged_in(nammong_oa, client, username="coord", role="admin", agencies=["nammong"])
    return nammong_oa


def ids(app, slug="nammong", code="6", year=2569) -> int:
    with app.app_context():
        return measure(slug, code, year).id


def entries(app, measure_id) -> list[ProgressEntry]:
    with app.app_context():
        rows = db.session.scalars(
            select(ProgressEntry)
            .where(ProgressEntry.measure_id == measure_id, ProgressEntry.kind == "participation")
            .order_by(ProgressEntry.id)
        ).all()
        db.session.expunge_all()
        return rows


def textarea(html: str, name: str = "narrative") -> str:
    found = re.search(rf'<textarea id="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return unescape(found.group(1))


def cells(html: str, table_class: str) -> list[list[str]]:
    """The body rows of the first table with this class, as text."""
    found = re.search(rf'<table class="[^"]*\b{table_class}\b[^"]*">(.*?)</table>', html, re.S)
    assert found, f"no table {table_class}"
    body = found.group(1).split("<tbody>", 1)[-1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c))).strip() for c in found])
    return rows


def attach(client, measure_id, period=H1, narrative="คำบรรยาย", replace=False):
    path = f"/admin/reports/measures/{measure_id}"
    data = {"csrf_token": form_token(client, path), "period": period, "narrative": narrative}
    if replace:
        data["replace"] = "y"
    return client.post(path, data=data)


# --- the hub --------------------------------------------------------------------------------------------


def test_the_hub_links_each_agency_year_to_its_reports_and_lists_the_measures(site, client):
    response = client.get("/admin/reports")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = cells(html, "reports-hub")
    assert [r[:3] for r in rows] == [["องค์การบริหารส่วนตำบลน้ำโมง", "2569", "10"]]
    with site.app_context():
        nammong_id = agency("nammong").id
    assert f"/admin/reports/progress?agency={nammong_id}&amp;year=2569&amp;scope=half" in html
    assert f"/admin/reports/progress?agency={nammong_id}&amp;year=2569&amp;scope=year" in html
    listed = cells(html, "reports-measures")
    assert len(listed) == 10 and (listed[5][0], listed[5][2], listed[5][3]) == ("6", "6", "0")
    assert f'href="/admin/reports/measures/{ids(site)}"' in html
    assert "นราธิวาส" not in html  # not this coordinator's agency


# --- preview and attach ---------------------------------------------------------------------------------


def test_the_preview_shows_the_figures_as_published_and_a_thai_draft(site, client):
    measure_id = ids(site)
    response = client.get(f"/admin/reports/measures/{measure_id}?period={H1}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 2 people answered: counts "<5", and no mean or estimate that would tell what they said
    assert cells(html, "evidence-survey") == [["6 คุณภาพการดำเนินงาน", "<5", "–", "–", "94.25"]]
    questions = cells(html, "evidence-questions")
    assert [(q[0].split()[0], q[1], q[2]) for q in questions] == [
        ("e1", "<5", "–"),
        ("e2", "<5", "–"),
        ("e3", "<5", "–"),
        ("e5", "<5", "–"),
    ]
    categories = dict((r[0].split(" (")[0], r[1]) for r in cells(html, "evidence-categories"))
    assert categories["บริการล่าช้า"] == "<5" and categories["เลือกปฏิบัติ"] == "0"
    statuses = dict(cells(html, "evidence-statuses"))
    assert statuses["รับเรื่องแล้ว"] == "<5" and statuses["ดำเนินการแล้วเสร็จ"] == "<5"
    assert cells(html, "evidence-participation") == [
        ["LINE Official Account", "<5"],
        ["แชตบนเว็บไซต์", "<5"],
        ["ทั้งหมด", "<5"],
    ]
    draft = textarea(html)
    assert draft.startswith("ในรอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569")
    assert "มีผู้ตอบน้อยกว่า 5 คน จึงไม่เผยแพร่ค่าเฉลี่ย" in draft and "3.88" not in draft
    assert entries(site, measure_id) == []  # a preview saves nothing


def test_five_or_more_show_as_numbers(site, client):
    with site.app_context():
        for day in range(1, 5):
            respond(agency("nammong").id, None, at(2026, 3, day, 4), (5, 5, 5, 5))
        db.session.commit()
    html = client.get(f"/admin/reports/measures/{ids(site)}?period={H1}").get_data(as_text=True)
    # (17 + 14 + 4 x 20) / 24 answers = 4.625; questions 29/6, 28/6, 28/6, 26/6 -> estimate 90.625
    assert cells(html, "evidence-survey") == [["6 คุณภาพการดำเนินงาน", "6", "4.63", "90.63", "94.25"]]
    assert [q[1:] for q in cells(html, "evidence-questions")] == [
        ["6", "4.83"],
        ["6", "4.67"],
        ["6", "4.67"],
        ["6", "4.33"],
    ]
    assert "ผู้ตอบครบทุกข้อ 6 คน" in html


def test_attaching_freezes_the_figures_with_the_narrative_and_is_audited(site, client):
    measure_id = ids(site)
    response = attach(client, measure_id, narrative="ผลการมีส่วนร่วม รอบ 6 เดือน")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/reports/measures/{measure_id}?period={H1}")
    [entry] = entries(site, measure_id)
    assert entry.report == "ผลการมีส่วนร่วม รอบ 6 เดือน" and entry.period == H1 and entry.status == "done"
    assert entry.evidence["survey"]["responses"] == 2 and entry.evidence["participation"]["participants"] == 4
    [log] = audit_entries(site, "record_created")
    assert (log.target_type, log.target_id, log.detail["period"]) == ("progress_entry", str(entry.id), H1)
    assert "ผลการมีส่วนร่วม" not in json.dumps(log.detail, ensure_ascii=False)

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "แนบหลักฐานการมีส่วนร่วมรอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569แล้ว" in html
    assert f'id="e{entry.id}"' in html and "การมีส่วนร่วมของประชาชน รอบ 6 เดือนแรก" in html
    assert 'name="replace"' in html  # the period is attached: replacing is offered, explicitly


def test_attaching_the_same_period_again_is_refused_unless_replace_is_ticked(site, client):
    measure_id = ids(site)
    assert attach(client, measure_id, narrative="ครั้งแรก").status_code == 302
    refused = attach(client, measure_id, narrative="ครั้งที่สอง ข้อความยาว")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "แนบหลักฐานรอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569ไว้แล้ว" in html
    assert textarea(html) == "ครั้งที่สอง ข้อความยาว"  # what was typed is not lost
    assert [e.report for e in entries(site, measure_id)] == ["ครั้งแรก"]

    with site.app_context():
        respond(agency("nammong").id, None, at(2026, 3, 1, 4), (5, 5, 5, 5))
        db.session.commit()
    assert attach(client, measure_id, narrative="แทนที่", replace=True).status_code == 302
    [entry] = entries(site, measure_id)
    assert entry.report == "แทนที่" and entry.evidence["survey"]["responses"] == 3
    assert audit_entries(site, "record_created")[-1].detail["replaced"] is True


def test_bad_periods_and_inputs_are_named_and_nothing_is_saved(site, client):
    measure_id = ids(site)
    path = f"/admin/reports/measures/{measure_id}"
    for period in ("junk", "2570-H1", "2569-M02"):
        response = client.get(path, query_string={"period": period})
        assert response.status_code == 400
        assert "เลือกได้เฉพาะช่วงเวลาในปีงบประมาณ พ.ศ. 2569" in response.get_data(as_text=True)
        assert attach(client, measure_id, period=period).status_code == 400
    too_long = attach(client, measure_id, narrative="ก" * 8001)
    assert too_long.status_code == 400 and "คำบรรยายยาวเกินไป" in too_long.get_data(as_text=True)
    no_token = client.post(path, data={"period": H1, "narrative": "x"})
    assert no_token.status_code == 400
    assert entries(site, measure_id) == []


def test_a_period_not_begun_cannot_be_attached(site, client):
    with site.app_context():
        future = Measure(agency_id=agency("nammong").id, fiscal_year=2599, code="F", title="อนาคต", steps=[])
        db.session.add(future)
        db.session.commit()
        future_id = future.id
    page = client.get(f"/admin/reports/measures/{future_id}")
    assert page.status_code == 200 and 'name="narrative"' not in page.get_data(as_text=True)
    response = attach(client, future_id, period="2599-H1")
    assert response.status_code == 400 and "ยังไม่เริ่ม" in response.get_data(as_text=True)
    assert entries(site, future_id) == []


# --- edit and delete --------------------------------------------------------------------------------------


def entry_post(client, measure_id, entry_id, **data):
    token = form_token(client, f"/admin/reports/measures/{measure_id}?period={H1}")
    return client.post(f"/admin/reports/entries/{entry_id}", data={"csrf_token": token, **data})


def test_editing_the_narrative_keeps_the_frozen_figures(site, client):
    measure_id = ids(site)
    attach(client, measure_id, narrative="เดิม")
    [entry] = entries(site, measure_id)
    with site.app_context():
        respond(agency("nammong").id, None, at(2026, 3, 1, 4), (5, 5, 5, 5))
        db.session.commit()
    response = entry_post(client, measure_id, entry.id, action="save", narrative="  แก้ไขแล้ว  ")
    assert response.status_code == 302
    [after] = entries(site, measure_id)
    assert after.report == "แก้ไขแล้ว" and after.evidence == entry.evidence
    assert after.evidence["survey"]["responses"] == 2
    [log] = audit_entries(site, "record_changed")
    assert log.detail == {"measure": measure_id, "fields": ["report"]} and log.target_id == str(entry.id)
    too_long = entry_post(client, measure_id, entry.id, action="save", narrative="ก" * 8001)
    assert too_long.status_code == 400 and entries(site, measure_id)[0].report == "แก้ไขแล้ว"


def test_deleting_needs_the_confirmation(site, client):
    measure_id = ids(site)
    attach(client, measure_id)
    [entry] = entries(site, measure_id)
    refused = entry_post(client, measure_id, entry.id, action="delete")
    assert refused.status_code == 400 and "ยืนยันการลบ" in refused.get_data(as_text=True)
    assert len(entries(site, measure_id)) == 1 and audit_entries(site, "record_deleted") == []
    assert entry_post(client, measure_id, entry.id, action="remove").status_code == 400
    done = entry_post(client, measure_id, entry.id, action="delete", confirm="y")
    assert done.status_code == 302 and entries(site, measure_id) == []
    [log] = audit_entries(site, "record_deleted")
    assert (log.target_type, log.target_id, log.detail["period"]) == ("progress_entry", str(entry.id), H1)


def test_a_planned_step_entry_is_not_this_pages_to_change(site, client):
    measure_id = ids(site)
    with site.app_context():
        step = ProgressEntry(measure_id=measure_id, step_no=1, step="ขั้นตอน", status="done")
        db.session.add(step)
        db.session.commit()
        step_id = step.id
    assert entry_post(client, measure_id, step_id, action="delete", confirm="y").status_code == 404
    with site.app_context():
        assert db.session.get(ProgressEntry, step_id) is not None


# --- the progress report -----------------------------------------------------------------------------------


def test_the_six_month_report_reads_like_the_agencies_own(site, client):
    m6, m2 = ids(site), ids(site, code="2")
    attach(client, m6, narrative="ประชาชนมีส่วนร่วมผ่าน LINE")
    attach(client, m6, period="2569-Q3", narrative="ไตรมาสที่สาม")
    with site.app_context():
        m = db.session.get(Measure, m2)
        m.progress.append(ProgressEntry(step_no=1, step=m.steps[0], status="done", result="ประชุมแล้ว 2 ครั้ง"))
        db.session.commit()
        nammong_id, first_step = m.agency_id, m.steps[0]
    response = client.get("/admin/reports/progress", query_string={"agency": nammong_id, "year": 2569, "scope": "half"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        "รายงานข้อมูลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
        " ประจำปีงบประมาณ พ.ศ. 2569 (รอบ 6 เดือน)" in html
    )
    assert "องค์การบริหารส่วนตำบลน้ำโมง" in html and "1 ต.ค. 2568 – 31 มี.ค. 2569" in html
    for header in ("ช่วงระยะเวลา (สำนักงาน ป.ป.ช.)", "ผลการดำเนินการ", "หมายเหตุ (อยู่ระหว่างดำเนินการ/ดำเนินการแล้ว)"):
        assert header in html
    assert first_step in html and "ประชุมแล้ว 2 ครั้ง" in html and "ดำเนินการแล้ว" in html
    assert "ยังไม่ได้รายงาน" in html  # measure 2's other planned steps
    assert "ประชาชนมีส่วนร่วมผ่าน LINE" in html and "ไตรมาสที่สาม" not in html  # Q3 is after the six months
    assert "ผู้มีส่วนร่วม &lt;5 คน" in html
    assert "3.88" not in html  # the mean of the 2 who answered is not published
    assert parse(html).inline_handlers == []

    annual = client.get("/admin/reports/progress", query_string={"agency": nammong_id, "year": 2569, "scope": "year"})
    assert annual.status_code == 200 and "ไตรมาสที่สาม" in annual.get_data(as_text=True)
    assert "(รอบ 6 เดือน)" not in annual.get_data(as_text=True)

    thai = client.get(
        "/admin/reports/progress", query_string={"agency": nammong_id, "year": 2569, "scope": "half", "digits": "thai"}
    ).get_data(as_text=True)
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๙ (รอบ ๖ เดือน)" in thai


def test_the_progress_report_refuses_bad_input(site, client):
    with site.app_context():
        nammong_id = agency("nammong").id
    base = {"agency": nammong_id, "year": 2569}
    assert client.get("/admin/reports/progress", query_string={**base, "scope": "month"}).status_code == 400
    assert client.get("/admin/reports/progress", query_string={**base, "year": "abc"}).status_code == 400
    assert client.get("/admin/reports/progress", query_string={**base, "agency": "x"}).status_code == 404
    assert client.get("/admin/reports/progress").status_code == 200  # the first agency, its latest year


# --- rights and agencies -------------------------------------------------------------------------------------


def routes(app) -> list[tuple[str, str]]:
    measure_id = ids(app)
    with app.app_context():
        entry = ProgressEntry(measure_id=measure_id, step_no=9, step="x", status="done", kind="participation")
        entry.period = H1
        db.session.add(entry)
        db.session.commit()
        entry_id, nammong_id = entry.id, agency("nammong").id
    return [
        ("GET", "/admin/reports"),
        ("GET", f"/admin/reports/measures/{measure_id}?period={H1}"),
        ("POST", f"/admin/reports/measures/{measure_id}"),
        ("POST", f"/admin/reports/entries/{entry_id}"),
        ("GET", f"/admin/reports/progress?agency={nammong_id}&year=2569&scope=half"),
    ]


@pytest.mark.parametrize("role", ["staff", "viewer", "integrity_officer"])
def test_roles_without_the_reports_right_are_refused(nammong_oa, client, role):
    paths = routes(nammong_oa)
    logged_in(nammong_oa, client, username="someone", role=role, agencies=["nammong"])
    refused = client.get("/admin/reports", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    # a valid token (the language switch on the refusal page), so that a 403 is the rights check, not CSRF
    token = next(i["value"] for i in parse(refused.get_data(as_text=True)).inputs if i.get("name") == "csrf_token")
    with nammong_oa.app_context():
        before = db.session.scalar(select(func.count()).select_from(ProgressEntry))
    for method, path in paths:
        if method == "GET":
            response = client.get(path)
        else:
            data = {"csrf_token": token, "period": H1, "narrative": "x", "action": "delete", "confirm": "y"}
            response = client.post(path, data=data)
        assert response.status_code == 403, path
    with nammong_oa.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressEntry)) == before


def test_anonymous_visitors_are_sent_to_the_login(nammong_oa, client):
    for method, path in routes(nammong_oa):
        if method == "GET":
            assert redirects_to_login(client.get(path)), path


def test_another_agencys_measure_entry_and_report_are_not_found(nammong_oa, client):
    with nammong_oa.app_context():
        other = measure("narathiwat", "ITA", 2567)
        other_id, other_agency = other.id, other.agency_id
        entry = ProgressEntry(measure_id=other_id, step_no=99, step="x", status="done", kind="participation")
        entry.period, entry.report = "2567-H1", "ของจังหวัด"
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
    logged_in(nammong_oa, client, username="coord", role="admin", agencies=["nammong"])
    token = form_token(client, "/admin/reports")
    assert client.get(f"/admin/reports/measures/{other_id}").status_code == 404
    assert (
        client.post(f"/admin/reports/measures/{other_id}", data={"csrf_token": token, "period": "2567-H1"}).status_code
        == 404
    )
    for data in ({"action": "save", "narrative": "แก้"}, {"action": "delete", "confirm": "y"}):
        assert client.post(f"/admin/reports/entries/{entry_id}", data={"csrf_token": token, **data}).status_code == 404
    assert client.get("/admin/reports/progress", query_string={"agency": other_agency, "year": 2567}).status_code == 404
    assert client.get("/admin/reports/measures/999999").status_code == 404
    with nammong_oa.app_context():
        assert db.session.get(ProgressEntry, entry_id).report == "ของจังหวัด"
        assert (
            db.session.scalar(
                select(func.count()).select_from(ProgressEntry).where(ProgressEntry.measure_id == other_id)
            )
            == 7
        )


def test_an_admin_of_both_agencies_sees_both(nammong_oa, client):
    make_user(nammong_oa, "both", role="admin", agencies=["nammong", "narathiwat"])
    login(client, "both")
    html = client.get("/admin/reports").get_data(as_text=True)
    assert "น้ำโมง" in html and "นราธิวาส" in html
    with nammong_oa.app_context():
        narathiwat = agency("narathiwat").id
    page = client.get("/admin/reports/progress", query_string={"agency": narathiwat, "year": 2567, "scope": "half"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "จังหวัดนราธิวาส" in text and "การลงทะเบียนเข้าสู่ระบบ ITAS" in text
    assert "อยู่ระหว่างดำเนินการ" in text


def test_the_pages_read_in_english_too(site, client):
    measure_id = ids(site)
    attach(client, measure_id)
    token = form_token(client, "/admin/reports")
    client.post("/admin/language", data={"csrf_token": token, "lang": "en", "next": "/admin/reports"})
    hub = client.get("/admin/reports").get_data(as_text=True)
    assert "Six-month report" in hub and "Annual report" in hub
    page = client.get(f"/admin/reports/measures/{measure_id}?period={H1}").get_data(as_text=True)
    assert "Figures from the data: first six months of fiscal year 2569 B.E." in page
    assert "Satisfaction survey (EIT)" in page and "Attached evidence" in page
    assert textarea(page).startswith("ในรอบ 6 เดือนแรก")  # the narrative is drafted in Thai for the Thai report
    with site.app_context():
        nammong_id = agency("nammong").id
    report = client.get("/admin/reports/progress", query_string={"agency": nammong_id, "year": 2569})
    assert report.status_code == 200
    assert "fiscal year 2569 B.E. (six months)" in report.get_data(as_text=True)
