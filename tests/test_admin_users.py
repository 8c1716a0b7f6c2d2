"""Backend users and the audit log page: who an admin sees and may change, what is logged, and what is not."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from sqlalchemy import select

from bot.i18n import LANGUAGES, catalog, t
from models import Agency, AuditEntry, User, db
from models.audit import AUDIT_ACTIONS
from models.user import ROLES
from tests.web import PASSWORD, audit_entries, form_token, logged_in, login, make_user, parse, redirects_to_login

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def admin_client(demo, client):
    """An admin of nammong and nakhonphanom, logged in."""
    logged_in(demo, client, username="boss", agencies=["nammong", "nakhonphanom"])
    return client


def _agency_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Agency.id).where(Agency.slug == slug))


def _user(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            _ = user.agencies  # load before leaving the session
            db.session.expunge(user)
        return user


def _slugs(user: User) -> list[str]:
    return sorted(agency.slug for agency in user.agencies)


def _post(client, path: str, data: dict, token_from: str | None = None):
    token = form_token(client, token_from or "/admin/users/new")
    return client.post(path, data={"csrf_token": token, **data})


def _create(client, app, **fields):
    data = {
        "username": "somchai",
        "full_name": "สมชาย ใจดี",
        "role": "staff",
        "agencies": [_agency_id(app, "nammong")],
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        **fields,
    }
    return _post(client, "/admin/users/new", data)


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- the list -------------------------------------------------------------------------------------------


def test_list_shows_only_users_sharing_an_agency(demo, admin_client):
    make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    make_user(demo, "both", role="viewer", agencies=["nakhonphanom", "narathiwat"])
    make_user(demo, "farstaff", role="staff", agencies=["narathiwat"])
    make_user(demo, "nowhere", role="staff", agencies=[])
    page = admin_client.get("/admin/users")
    assert page.status_code == 200
    html = _text(page)
    listed = set(re.findall(r'data-user="([^"]+)"', html))
    assert listed == {"boss", "namstaff", "both"}
    assert t("admin.role.viewer") in html
    assert "องค์การบริหารส่วนตำบลน้ำโมง" in html  # nammong's display_name("th")
    assert t("users.never") in html, "a user who never logged in says so"
    assert t("users.other_agencies") in html, "a user with agencies beyond the admin's is marked"


def test_last_login_shows_in_buddhist_era(demo, admin_client):
    user_id = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    with demo.app_context():
        db.session.get(User, user_id).last_login_at = datetime(2025, 11, 22, 7, 5, tzinfo=UTC)
        db.session.commit()
    html = _text(admin_client.get("/admin/users"))
    assert "22 พ.ย. 2568 14:05 น." in html


@pytest.mark.parametrize("role", ["staff", "integrity_officer", "viewer"])
def test_roles_without_the_right_get_403_on_every_users_and_audit_route(demo, client, role):
    target = make_user(demo, "target", role="staff", agencies=["nammong"])
    logged_in(demo, client, username="worker", role=role, agencies=["nammong"])
    for path in ("/admin/users", "/admin/users/new", f"/admin/users/{target}", "/admin/audit"):
        assert client.get(path).status_code == 403, path
    token = form_token(client, "/admin/login")
    for path in (
        "/admin/users/new",
        f"/admin/users/{target}",
        f"/admin/users/{target}/password",
        f"/admin/users/{target}/disable",
        f"/admin/users/{target}/enable",
    ):
        response = client.post(path, data={"csrf_token": token, "role": "admin", "password": "x" * 10})
        assert response.status_code == 403, path
    assert _user(demo, "target").role == "staff"
    assert _user(demo, "target").active


def test_anonymous_is_sent_to_login(demo, client):
    for path in ("/admin/users", "/admin/users/new", "/admin/audit"):
        assert redirects_to_login(client.get(path)), path


def test_menu_shows_users_and_audit_for_admins_only(demo, client):
    logged_in(demo, client, username="boss")
    html = _text(client.get("/admin/users"))
    assert 'href="/admin/users"' in html and 'href="/admin/audit"' in html
    client.post("/admin/logout", data={"csrf_token": form_token(client, "/admin/users")})
    logged_in(demo, client, username="worker", role="staff")
    html = _text(client.get("/admin/chat"))
    assert 'href="/admin/users"' not in html and 'href="/admin/audit"' not in html


# --- creating ---------------------------------------------------------------------------------------------


def test_create_user_stores_argon2id_and_logs_without_the_password(demo, admin_client, client):
    response = _create(admin_client, demo)
    assert response.status_code == 302, _text(response)
    user = _user(demo, "somchai")
    assert user.role == "staff" and user.full_name == "สมชาย ใจดี" and user.active
    assert _slugs(user) == ["nammong"]
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password(NEW_PASSWORD)
    [entry] = audit_entries(demo, "user_created")
    assert entry.actor_name == "boss"
    assert entry.target_type == "user" and entry.target_id == str(user.id)
    assert entry.agency_id == _agency_id(demo, "nammong")
    assert entry.detail == {"role": "staff", "agencies": ["nammong"]}
    everything = json.dumps([e.detail for e in audit_entries(demo)], ensure_ascii=False)
    assert NEW_PASSWORD not in everything and "$argon2" not in everything
    # The new user can log in with it.
    client.post("/admin/logout", data={"csrf_token": form_token(client, "/admin/users")})
    assert login(client, "somchai", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "a b"}, "username", "users.error.username_format"),
        ({"username": "ab"}, "username", "users.error.username_format"),
        ({"username": "BOSS"}, "username", "users.error.username_taken"),
        ({"password": "short", "password_confirm": "short"}, "password", "users.error.password_short"),
        ({"password_confirm": "something else"}, "password_confirm", "users.error.password_mismatch"),
        ({"role": "root"}, "role", "users.error.role"),
        ({"agencies": []}, "agencies", "users.error.agency_required"),
        ({"agencies": ["999"]}, "agencies", "users.error.agency_unknown"),
        ({"agencies": ["x"]}, "agencies", "users.error.agency_unknown"),
        ({"full_name": "ก" * 129}, "full_name", "users.error.full_name_long"),
    ],
)
def test_create_user_refuses_bad_input_with_a_named_error_and_keeps_the_values(
    demo, admin_client, fields, field, message
):
    before = len(audit_entries(demo))
    response = _create(admin_client, demo, **fields)
    assert response.status_code == 400
    html = _text(response)
    text = t(message, count=8) if "password_short" in message else t(message, count=128)
    assert text in html
    assert f'id="{field}-error"' in html
    assert 'value="สมชาย ใจดี"' in html or field == "full_name", "what was typed is kept"
    assert NEW_PASSWORD not in html, "a password is never sent back"
    with demo.app_context():
        assert db.session.scalar(select(User).where(User.username == "somchai")) is None
    assert len(audit_entries(demo)) == before


def test_create_user_cannot_give_an_agency_the_admin_does_not_have(demo, admin_client):
    response = _create(admin_client, demo, agencies=[_agency_id(demo, "nammong"), _agency_id(demo, "narathiwat")])
    assert response.status_code == 400
    assert t("users.error.agency_unknown") in _text(response)
    assert _user(demo, "somchai") is None


def test_new_user_form_offers_only_the_admins_agencies(demo, admin_client):
    page = parse(_text(admin_client.get("/admin/users/new")))
    offered = {int(i["value"]) for i in page.inputs if i.get("name") == "agencies"}
    assert offered == {_agency_id(demo, "nammong"), _agency_id(demo, "nakhonphanom")}


# --- editing ----------------------------------------------------------------------------------------------


def test_edit_role_and_agencies_is_logged_with_before_and_after(demo, admin_client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    response = _post(
        admin_client,
        f"/admin/users/{target}",
        {
            "full_name": "นางสาวน้ำ",
            "role": "integrity_officer",
            "agencies": [_agency_id(demo, "nammong"), _agency_id(demo, "nakhonphanom")],
        },
    )
    assert response.status_code == 302
    user = _user(demo, "namstaff")
    assert user.role == "integrity_officer" and user.full_name == "นางสาวน้ำ"
    assert _slugs(user) == ["nakhonphanom", "nammong"]
    [entry] = audit_entries(demo, "user_changed")
    assert entry.detail == {
        "role_before": "staff",
        "role_after": "integrity_officer",
        "agencies_before": ["nammong"],
        "agencies_after": ["nakhonphanom", "nammong"],
        "full_name_changed": True,
    }
    assert "นางสาวน้ำ" not in json.dumps(entry.detail, ensure_ascii=False)


def test_saving_without_changes_logs_nothing(demo, admin_client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    response = _post(
        admin_client, f"/admin/users/{target}", {"role": "staff", "agencies": [_agency_id(demo, "nammong")]}
    )
    assert response.status_code == 302
    assert audit_entries(demo, "user_changed") == []


def test_user_of_another_agency_is_404_for_every_action(demo, admin_client):
    far = make_user(demo, "farstaff", role="staff", agencies=["narathiwat"])
    assert admin_client.get(f"/admin/users/{far}").status_code == 404
    assert admin_client.get("/admin/users/99999").status_code == 404
    data = {"role": "admin", "agencies": [_agency_id(demo, "nammong")], "password": NEW_PASSWORD}
    for path in (f"/admin/users/{far}", f"/admin/users/{far}/password", f"/admin/users/{far}/disable"):
        assert _post(admin_client, path, {**data, "password_confirm": NEW_PASSWORD}).status_code == 404, path
    user = _user(demo, "farstaff")
    assert user.role == "staff" and user.active and user.check_password(PASSWORD)
    assert audit_entries(demo, "user_changed") == [] and audit_entries(demo, "user_disabled") == []


def test_user_with_agencies_beyond_the_admins_is_read_only(demo, admin_client):
    wide = make_user(demo, "wide", role="staff", agencies=["nammong", "narathiwat"])
    page = admin_client.get(f"/admin/users/{wide}")
    assert page.status_code == 200
    assert t("users.read_only") in _text(page)
    assert f'action="/admin/users/{wide}/password"' not in _text(page)
    token = form_token(admin_client, "/admin/users/new")
    for path, data in (
        (f"/admin/users/{wide}", {"role": "admin", "agencies": [_agency_id(demo, "nammong")]}),
        (f"/admin/users/{wide}/password", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
        (f"/admin/users/{wide}/disable", {}),
    ):
        assert admin_client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    user = _user(demo, "wide")
    assert user.role == "staff" and user.active and user.check_password(PASSWORD)
    assert _slugs(user) == ["nammong", "narathiwat"]


def test_admin_cannot_demote_themselves_as_the_last_admin(demo, client):
    me = logged_in(demo, client, username="boss", agencies=["nammong"])
    response = _post(client, f"/admin/users/{me}", {"role": "staff", "agencies": [_agency_id(demo, "nammong")]})
    assert response.status_code == 400
    assert t("users.error.last_admin") in _text(response)
    assert _user(demo, "boss").role == "admin"
    assert audit_entries(demo, "user_changed") == []


def test_admin_may_step_down_when_another_admin_remains(demo, client):
    make_user(demo, "deputy", role="admin", agencies=["nammong"])
    me = logged_in(demo, client, username="boss", agencies=["nammong"])
    response = _post(client, f"/admin/users/{me}", {"role": "staff", "agencies": [_agency_id(demo, "nammong")]})
    assert response.status_code == 302
    assert _user(demo, "boss").role == "staff"
    assert client.get("/admin/users").status_code == 403, "the right went with the role"


def test_a_disabled_admin_does_not_count_as_the_other_admin(demo, client):
    make_user(demo, "gone", role="admin", agencies=["nammong"], active=False)
    me = logged_in(demo, client, username="boss", agencies=["nammong"])
    response = _post(client, f"/admin/users/{me}", {"role": "viewer", "agencies": [_agency_id(demo, "nammong")]})
    assert response.status_code == 400
    assert _user(demo, "boss").role == "admin"


# --- password, disable, enable ----------------------------------------------------------------------------


def test_reset_password_ends_the_users_sessions_and_logs_no_password(demo, admin_client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    other = demo.test_client()
    assert login(other, "namstaff").status_code == 302
    assert other.get("/admin/chat").status_code == 200
    response = _post(
        admin_client,
        f"/admin/users/{target}/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert redirects_to_login(other.get("/admin/chat")), "the old session ended"
    user = _user(demo, "namstaff")
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    [entry] = audit_entries(demo, "user_changed")
    assert entry.detail == {"password_reset": True}
    assert NEW_PASSWORD not in json.dumps([e.detail for e in audit_entries(demo)])


def test_reset_password_refuses_a_short_or_mismatched_password(demo, admin_client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    short = _post(admin_client, f"/admin/users/{target}/password", {"password": "short", "password_confirm": "short"})
    assert short.status_code == 400
    assert t("users.error.password_short", count=8) in _text(short)
    mismatch = _post(
        admin_client, f"/admin/users/{target}/password", {"password": NEW_PASSWORD, "password_confirm": "other one!"}
    )
    assert mismatch.status_code == 400
    assert t("users.error.password_mismatch") in _text(mismatch)
    assert _user(demo, "namstaff").check_password(PASSWORD)


def test_admin_resetting_their_own_password_stays_logged_in_here_only(demo, client):
    me = logged_in(demo, client, username="boss", agencies=["nammong"])
    elsewhere = demo.test_client()
    assert login(elsewhere, "boss").status_code == 302
    response = _post(
        client, f"/admin/users/{me}/password", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert redirects_to_login(elsewhere.get("/admin/users"))


def test_disabling_ends_every_session_at_once(demo, admin_client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    laptop, phone = demo.test_client(), demo.test_client()
    for device in (laptop, phone):
        assert login(device, "namstaff").status_code == 302
        assert device.get("/admin/chat").status_code == 200
    token_before = _user(demo, "namstaff").session_token
    response = _post(admin_client, f"/admin/users/{target}/disable", {})
    assert response.status_code == 302
    user = _user(demo, "namstaff")
    assert not user.active
    assert user.session_token != token_before, "the session token rotated"
    for device in (laptop, phone):
        assert redirects_to_login(device.get("/admin/chat"))
    # Enabling again does not bring an old session back; logging in does.
    assert _post(admin_client, f"/admin/users/{target}/enable", {}).status_code == 302
    assert _user(demo, "namstaff").active
    assert redirects_to_login(laptop.get("/admin/chat"))
    assert login(laptop, "namstaff").status_code == 302
    assert [e.action for e in audit_entries(demo) if e.action.startswith("user_")] == ["user_disabled", "user_enabled"]
    disabled = audit_entries(demo, "user_disabled")[0]
    assert disabled.target_id == str(target) and disabled.agency_id == _agency_id(demo, "nammong")


def test_disabled_user_cannot_log_in(demo, admin_client, client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    _post(admin_client, f"/admin/users/{target}/disable", {})
    other = demo.test_client()
    response = login(other, "namstaff")
    assert response.status_code == 401
    assert t("admin.login_failed") in _text(response)


def test_admin_cannot_disable_themselves(demo, client):
    me = logged_in(demo, client, username="boss", agencies=["nammong"])
    response = _post(client, f"/admin/users/{me}/disable", {})
    assert response.status_code == 400
    assert t("users.error.self_disable") in _text(response)
    assert _user(demo, "boss").active
    assert client.get("/admin/users").status_code == 200
    assert audit_entries(demo, "user_disabled") == []


# --- the audit log page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_audit_action_is_named(lang):
    have = catalog(lang)
    missing = [action for action in AUDIT_ACTIONS if f"audit.action.{action}" not in have]
    assert missing == []


def _add_entry(app, action: str, at: datetime, agency: str | None = None, actor: str | None = None, **detail):
    with app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.slug == agency)) if agency else None
        db.session.add(
            AuditEntry(
                action=action, at=at, agency_id=agency_id, actor_name=actor, ip="10.0.0.9", detail=detail or None
            )
        )
        db.session.commit()


def _rows(response) -> list[str]:
    return re.findall(r'<tr data-action="([a-z_]+)"', _text(response))


def test_audit_log_shows_own_agencies_and_unassigned_newest_first(demo, admin_client):
    _add_entry(demo, "export", datetime(2025, 11, 1, 3, tzinfo=UTC), "nammong", "boss", kind="o17")
    _add_entry(demo, "case_viewed", datetime(2025, 11, 2, 3, tzinfo=UTC), "narathiwat", "far")
    _add_entry(demo, "identity_revealed", datetime(2025, 11, 3, 3, tzinfo=UTC), "nakhonphanom", "boss", reason="x")
    page = admin_client.get("/admin/audit")
    assert page.status_code == 200
    rows = _rows(page)
    assert "case_viewed" not in rows, "another agency's entry is hidden"
    # Newest first: the admin's own login (now), then 3 Nov, then 1 Nov.
    assert rows == ["login", "identity_revealed", "export"]
    html = _text(page)
    assert t("audit.action.identity_revealed") in html
    assert "3 พ.ย. 2568 10:00 น." in html
    assert "10.0.0.9" in html


def test_audit_log_filters_by_action_user_and_buddhist_era_dates(demo, admin_client):
    _add_entry(demo, "export", datetime(2025, 11, 1, 3, tzinfo=UTC), "nammong", "boss")
    _add_entry(demo, "export", datetime(2025, 11, 5, 3, tzinfo=UTC), "nammong", "other")
    _add_entry(demo, "import", datetime(2025, 11, 5, 3, tzinfo=UTC), "nammong", "boss")
    # 30 Nov 2025 23:30 in Bangkok is 16:30 UTC: still the 30th for a Thai reader.
    _add_entry(demo, "export", datetime(2025, 11, 30, 16, 30, tzinfo=UTC), "nammong", "boss")
    _add_entry(demo, "export", datetime(2025, 11, 30, 17, 30, tzinfo=UTC), "nammong", "boss")  # 1 Dec in Bangkok
    assert _rows(admin_client.get("/admin/audit?action=import")) == ["import"]
    assert len(_rows(admin_client.get("/admin/audit?action=export&user=BOSS"))) == 3
    by_date = admin_client.get("/admin/audit", query_string={"from": "02/11/2568", "to": "30/11/2568"})
    assert by_date.status_code == 200
    assert _rows(by_date) == ["export", "import", "export"]  # same moment: the later entry first
    ce = admin_client.get("/admin/audit", query_string={"from": "2025-11-02", "to": "2025-11-30"})
    assert _rows(ce) == _rows(by_date)


def test_audit_log_user_filter_finds_entries_about_that_user(demo, admin_client):
    target = make_user(demo, "namstaff", role="staff", agencies=["nammong"])
    _post(admin_client, f"/admin/users/{target}/disable", {})
    page = admin_client.get("/admin/audit?user=namstaff")
    assert _rows(page) == ["user_disabled"]
    assert f"{t('audit.target.user')} namstaff" in _text(page), "the target user is named"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_role_has_a_hint_on_the_user_form(demo, client, lang):
    have = catalog(lang)
    assert [role for role in ROLES if f"users.role_hint.{role}" not in have] == []
    logged_in(demo, client, username="boss")
    token = form_token(client, "/admin/users/new")
    client.post("/admin/language", data={"csrf_token": token, "lang": lang, "next": "/admin/users/new"})
    page = client.get("/admin/users/new")
    assert page.status_code == 200
    html = _text(page)
    assert [role for role in ROLES if str(escape(t(f"users.role_hint.{role}", lang))) not in html] == []


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"from": "31/02/2568"}, "audit.error.date"),
        ({"to": "yesterday"}, "audit.error.date"),
        ({"from": "05/11/2568", "to": "01/11/2568"}, "audit.error.range"),
        ({"action": "drop_table"}, "audit.error.action"),
    ],
)
def test_audit_log_bad_filter_is_named_and_shows_nothing(demo, admin_client, query, error):
    response = admin_client.get("/admin/audit", query_string=query)
    assert response.status_code == 400
    assert t(error) in _text(response)
    assert _rows(response) == []


def test_audit_log_is_paginated(demo, admin_client):
    for day in range(1, 61):
        _add_entry(demo, "export", datetime(2025, 1, 1, tzinfo=UTC).replace(day=1 + day % 28, month=1 + day // 28))
    first = admin_client.get("/admin/audit")
    assert len(_rows(first)) == 50
    assert t("admin.page_of", page=1, pages=2) in _text(first)
    second = admin_client.get("/admin/audit?page=2")
    assert len(_rows(second)) == 11  # 60 + the admin's login


def test_audit_log_in_english(demo, admin_client):
    _add_entry(demo, "user_changed", datetime(2025, 11, 1, 3, tzinfo=UTC), "nammong", "boss", role_before="staff")
    token = form_token(admin_client, "/admin/audit")
    admin_client.post("/admin/language", data={"csrf_token": token, "lang": "en", "next": "/admin/audit"})
    html = _text(admin_client.get("/admin/audit"))
    assert t("audit.title", "en") in html
    assert t("audit.action.user_changed", "en") in html
    assert f"{t('audit.detail.role_before', 'en')}: {t('admin.role.staff', 'en')}" in html
