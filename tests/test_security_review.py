"""Security review: bugs found by probing the backend, each pinned by a test that failed before its fix."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from sqlalchemy import select

from models import Agency, db
from tests.test_admin_ita import upload
from tests.web import form_token, logged_in, login, make_user

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/cases/{HUGE}",
        f"/admin/cases/1/photos/{HUGE}",
        f"/admin/inbox/{HUGE}",
        f"/admin/inbox/{HUGE}/messages",
        f"/admin/exports/{HUGE}/status",
        f"/admin/exports/{HUGE}/download",
        f"/admin/ita/agencies/{HUGE}",
        f"/admin/ita/measures/{HUGE}",
        f"/admin/users/{HUGE}",
        "/admin/cases/2147483648",
    ],
)
def test_an_id_too_long_for_the_database_is_a_404_not_a_500(demo, client, path):
    logged_in(demo, client, username="root", role="admin")
    assert client.get(path).status_code == 404


def test_a_period_with_a_huge_year_is_ignored_not_a_500(demo, client):
    logged_in(demo, client, username="root", role="admin")
    assert client.get("/admin/cases", query_string={"period": HUGE}).status_code == 200
    assert client.get("/admin/cases", query_string={"period": HUGE + "-Q1"}).status_code == 200


# --- XLSX import: a few hundred bytes must not stand for millions of cells ---------------------------------


def sparse_xlsx(dimension: str, last_cell: str, last_row: int, sheet: str = "measures", padding: int = 0) -> bytes:
    """A workbook of two cells whose <dimension> (or whose last cell) claims a huge sheet."""
    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
        f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><dimension ref="{dimension}"/>'
        f'<sheetData><row r="1">{cell.format("A1", "agency")}</row>'
        f'<row r="{last_row}">{cell.format(last_cell, "x")}</row></sheetData></worksheet>',
    }
    if padding:  # a part that compresses a thousandfold
        parts["xl/media/padding.xml"] = "<p>" + "A" * padding + "</p>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return out.getvalue()


def test_an_xlsx_whose_dimension_claims_16384_columns_is_read_in_moments(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    bomb = sparse_xlsx("A1:XFD30000", "XFD30000", 30000)
    assert len(bomb) < 2000
    started = time.monotonic()
    response = upload(client, (bomb, "measures.xlsx"))
    assert time.monotonic() - started < 8  # 30,000 rows padded to 16,384 columns took about 40 s
    assert response.status_code == 422


def test_an_xlsx_of_a_million_rows_is_refused_by_name(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    response = upload(client, (sparse_xlsx("A1:A1048576", "A1048576", 1048576), "measures.xlsx"))
    assert response.status_code == 422
    assert "มีเกิน 50,000 แถว" in response.get_data(as_text=True)


def test_an_xlsx_that_unpacks_past_100_mb_is_refused_before_openpyxl_reads_it(demo, client, monkeypatch):
    import openpyxl

    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    bomb = sparse_xlsx("A1:A2", "A2", 2, padding=101 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1) or pytest.fail("opened"))
    response = upload(client, (bomb, "measures.xlsx"))
    assert response.status_code == 422
    assert "เมื่อแตกไฟล์แล้วมีขนาดเกิน 100 MB" in response.get_data(as_text=True)
    assert opened == []


def test_a_csv_of_too_many_rows_is_refused_by_name(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    response = upload(client, (b"agency,fiscal_year,code,title\n" + b"\n" * 60_000, "measures.csv"))
    assert response.status_code == 422
    assert "มีเกิน 50,000 แถว" in response.get_data(as_text=True)


# --- digits that str.isdigit() accepts but int() does not ------------------------------------------------


def test_a_superscript_digit_in_a_form_or_query_is_refused_not_a_500(demo, client):
    me = logged_in(demo, client, username="root", role="admin")
    token = form_token(client, "/admin/users/new")
    new = {"username": "bob1", "role": "staff", "agencies": "²", "password": "x" * 10, "password_confirm": "x" * 10}
    assert client.post("/admin/users/new", data={"csrf_token": token, **new}).status_code == 400
    assert (
        client.post(f"/admin/users/{me}", data={"csrf_token": token, "role": "admin", "agencies": "²"}).status_code
        == 400
    )
    assert client.get("/admin/stats", query_string={"year": "²"}).status_code == 400
    assert client.get("/admin/reports", query_string={"year": "²"}).status_code == 200
    assert client.get("/admin/reports/progress", query_string={"year": "²"}).status_code == 400
    assert client.get("/admin/cases", query_string={"period": "²"}).status_code == 200


def test_a_measure_coded_with_a_superscript_digit_leaves_every_page_working(demo, client):
    logged_in(demo, client, username="root", role="admin")
    with demo.app_context():
        agency = db.session.scalar(select(Agency.id).where(Agency.slug == "nammong"))
    token = form_token(client, f"/admin/ita/agencies/{agency}/measures/new")
    form = {"csrf_token": token, "code": "²", "title": "มาตรการทดสอบ", "fiscal_year": "2569"}
    assert client.post(f"/admin/ita/agencies/{agency}/measures/new", data=form).status_code == 302
    for path in (
        f"/admin/ita/agencies/{agency}",
        f"/admin/reports?agency={agency}&year=2569",
        f"/admin/reports/progress?agency={agency}&year=2569",
    ):
        assert client.get(path).status_code == 200, path
    with demo.app_context():
        from bot import data

        assert "²" in [m.code for m in data.measures(db.session.get(Agency, agency))]  # the bot's answers too


@pytest.mark.parametrize(("start", "end"), [("01/01/0001", ""), ("0001-01-01", "9999-12-31"), ("", "31/12/9999")])
def test_an_audit_date_out_of_range_is_named_not_a_500(demo, client, start, end):
    logged_in(demo, client, username="root", role="admin")
    response = client.get("/admin/audit", query_string={"from": start, "to": end})
    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.get_data(as_text=True)


# --- login: a disabled account answers in the time of a password check, like every other failure ----------


def test_a_disabled_account_is_not_told_apart_by_a_fast_answer(app, client, monkeypatch):
    from admin import auth
    from models.user import User

    make_user(app, "gone", role="staff", active=False)
    hashed = []
    check = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, pw: hashed.append(1) or check(self, pw))
    monkeypatch.setattr(auth, "burn_password_check", lambda pw: hashed.append(1))
    response = login(client, "gone")
    assert response.status_code == 401
    assert hashed, "no password hashed: the refusal came faster than for an unknown name or a wrong password"


# --- NUL characters: PostgreSQL text cannot hold them (psycopg raises, the page was a 500) -----------------


def a_case(app, slug: str = "nammong", lane: str = "general") -> int:
    from models import Complaint

    with app.app_context():
        agency = db.session.scalar(select(Agency.id).where(Agency.slug == slug))
        case = Complaint(
            tracking_no=f"69-{lane[:1]}{slug[:3]}",
            agency_id=agency,
            lane=lane,
            category="public_works" if lane == "general" else "bribery",
            description="ถนนพัง",
        )
        db.session.add(case)
        db.session.commit()
        return case.id


def test_a_nul_character_in_a_form_query_or_json_is_refused_before_the_database(demo, client):
    from models import CaseNote

    logged_in(demo, client, username="root", role="admin")
    case = a_case(demo)
    token = form_token(client, f"/admin/cases/{case}")
    assert client.post(f"/admin/cases/{case}/notes", data={"csrf_token": token, "body": "a\x00b"}).status_code == 400
    assert client.get("/admin/cases", query_string={"q": "ถนน\x00"}).status_code == 400
    headers = {"X-CSRFToken": token}
    assert (
        client.post(
            "/admin/chat/messages", data='{"text": "hi\\u0000"}', content_type="application/json", headers=headers
        ).status_code
        == 400
    )
    with demo.app_context():
        assert db.session.scalars(select(CaseNote)).all() == []
    assert client.post(f"/admin/cases/{case}/notes", data={"csrf_token": token, "body": "ปกติ"}).status_code == 302


# --- audit log: another agency's staff, their logins and addresses -------------------------------------------


def test_the_audit_log_hides_logins_of_another_agencys_staff(demo, client):
    from models import AuditEntry

    make_user(demo, "far", role="staff", agencies=["narathiwat"])
    other = demo.test_client()
    assert login(other, "far").status_code == 302
    assert login(other, "far", password="wrong password here").status_code in (302, 401)
    assert login(demo.test_client(), "nobody-at-all", password="wrong password here").status_code == 401
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    with demo.app_context():
        far_entries = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_name == "far")).all()
        assert far_entries, "far's login was audited"
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "far" not in page.replace("farm", "")
    rows = re.findall(r'<tr data-action="([a-z_]+)"', page)
    assert rows.count("login") == 1  # boss's own
    assert "login_failed" in rows  # the unknown name's attempt is about no one
    assert len([r for r in rows if r == "login_failed"]) == 1  # far's failed attempt is hidden
