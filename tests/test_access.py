"""The access rules of the backend, end to end: passwords, one answer for every failed login, login limits, CSRF
on every form, the session cookie, idle and absolute timeouts, logout, the language switch, the audit entries
of logging in and out, and `flask create-user --agency`."""

from __future__ import annotations

import re
import time

from argon2 import PasswordHasher
from flask import url_for
from sqlalchemy import select

from app import create_app
from bot.i18n import t
from models import User, db
from tests.web import PASSWORD, audit_entries, chat_token, form_token, logged_in, login, make_user, redirects_to_login

PER_ACCOUNT = 5  # settings: LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
PER_IP = 8  # the per-address tests set LOGIN_LIMIT_PER_IP to this (the default, 20, only makes them slower)


def _user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        _ = user.agencies
        db.session.expunge(user)
        return user


def _attempt(client, username: str, password: str, ip: str = "192.0.2.1"):
    """A login post from this client address (the form token read from the same address)."""
    token = form_token(client)
    return client.post(
        "/admin/login",
        data={"csrf_token": token, "username": username, "password": password},
        environ_overrides={"REMOTE_ADDR": ip},
    )


def _page_text(response) -> str:
    """The page as a person sees it: without the per-render CSRF token and the name typed into the form."""
    html = response.get_data(as_text=True)
    return re.sub(r'(name="(?:csrf_token|username)"[^>]*?)\svalue="[^"]*"', r"\1", html)


# --- passwords --------------------------------------------------------------------------------------------


def test_login_limits_default_to_five_per_account_and_twenty_per_address(app):
    assert app.config["LOGIN_LIMIT_PER_ACCOUNT"] == f"{PER_ACCOUNT} per 15 minutes"
    assert app.config["LOGIN_LIMIT_PER_IP"] == "20 per 15 minutes"


def test_passwords_are_argon2id_with_current_parameters(app):
    make_user(app, "alice")
    user = _user(app, "alice")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert not PasswordHasher().check_needs_rehash(user.password_hash)
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "!")


# --- one answer for every failure ---------------------------------------------------------------------------


def test_unknown_user_wrong_password_and_disabled_user_get_the_same_status_and_page(app, client):
    make_user(app, "alice")
    make_user(app, "dora", active=False)
    unknown = _attempt(client, "nobody", PASSWORD)
    wrong = _attempt(client, "alice", "not the password")
    disabled = _attempt(client, "dora", PASSWORD)  # the right password of a disabled user
    assert unknown.status_code == wrong.status_code == disabled.status_code == 401
    assert t("admin.login_failed") in unknown.get_data(as_text=True)
    assert _page_text(unknown) == _page_text(wrong) == _page_text(disabled)
    assert redirects_to_login(client.get("/admin/chat"))


def test_username_is_matched_whatever_its_case(app, client):
    make_user(app, "alice")
    assert _attempt(client, "  ALICE ", PASSWORD).status_code == 302


# --- login limits -----------------------------------------------------------------------------------------


def test_sixth_failed_login_for_one_account_is_refused_even_from_other_addresses(app, client):
    make_user(app, "alice")
    for n in range(PER_ACCOUNT):
        assert _attempt(client, "alice", f"wrong {n}", ip=f"198.51.100.{n + 1}").status_code == 401
    blocked = _attempt(client, "Alice", PASSWORD, ip="203.0.113.77")  # even the right password, another address
    assert blocked.status_code == 429
    assert t("admin.login_throttled", "th") in blocked.get_data(as_text=True)
    assert redirects_to_login(client.get("/admin/chat"))
    # Another account from the same address is not affected.
    make_user(app, "bob")
    assert _attempt(client, "bob", PASSWORD, ip="203.0.113.77").status_code == 302
    throttled = audit_entries(app, "login_throttled")
    assert len(throttled) == 1 and throttled[0].actor_id is None and throttled[0].detail is None


def test_many_names_from_one_address_are_refused_after_the_per_ip_limit(app, client):
    app.config["LOGIN_LIMIT_PER_IP"] = f"{PER_IP} per 15 minutes"  # read per request; smaller keeps the test quick
    make_user(app, "alice")
    for n in range(PER_IP):
        assert _attempt(client, f"guess{n}", "whatever1", ip="192.0.2.50").status_code == 401, n
    blocked = _attempt(client, "alice", PASSWORD, ip="192.0.2.50")
    assert blocked.status_code == 429
    assert t("admin.login_throttled") in blocked.get_data(as_text=True)
    # A colleague at another address logs in as usual.
    assert _attempt(app.test_client(), "alice", PASSWORD, ip="192.0.2.51").status_code == 302


def test_a_successful_login_is_not_counted(app, client):
    make_user(app, "alice")
    for n in range(PER_ACCOUNT - 1):
        assert _attempt(client, "alice", f"wrong {n}").status_code == 401
    assert _attempt(client, "alice", PASSWORD).status_code == 302  # a success: not a failure to count
    assert _attempt(client, "alice", "wrong again").status_code == 401, "the success was counted as a failure"
    assert _attempt(client, "alice", "wrong once more").status_code == 429


def test_successful_logins_from_one_address_never_hit_the_limit(app, client):
    app.config["LOGIN_LIMIT_PER_IP"] = f"{PER_IP} per 15 minutes"
    make_user(app, "alice")
    for _ in range(PER_IP + 2):
        assert _attempt(client, "alice", PASSWORD, ip="192.0.2.60").status_code == 302


def test_limits_start_from_zero_in_a_new_app(app_config, app, client):
    """memory:// counts live in the process's limiter; a new app gets new storage (what the fixture relies on)."""
    make_user(app, "alice")
    for n in range(PER_ACCOUNT):
        _attempt(client, "alice", f"wrong {n}")
    assert _attempt(client, "alice", "wrong").status_code == 429
    other = create_app(app_config)
    try:
        assert _attempt(other.test_client(), "alice", PASSWORD).status_code == 302
    finally:
        _close(other)


# --- CSRF ---------------------------------------------------------------------------------------------------


def _sample_url(app, rule) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))


def test_every_post_of_the_admin_blueprint_refuses_a_missing_or_forged_csrf_token(demo, client):
    logged_in(demo, client, username="boss", role="admin")
    checked = []
    for rule in demo.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "POST" not in rule.methods:
            continue
        url = _sample_url(demo, rule)
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data={**data, "username": "boss", "password": PASSWORD, "lang": "en"})
            assert response.status_code == 400, f"POST {url} ({rule.endpoint}) with {data}: {response.status_code}"
        api = client.post(url, json={"text": "hi"}, headers={"X-CSRFToken": "forged"})
        assert api.status_code == 400, f"POST {url} ({rule.endpoint}) as JSON: {api.status_code}"
        checked.append(rule.endpoint)
    assert {"admin.login", "admin.logout", "admin.set_language", "admin.users_new", "admin.users_disable"} <= set(
        checked
    )
    assert client.get("/admin/users").status_code == 200, "still logged in: the refused logout did nothing"
    assert t("admin.nav.users", "th") in client.get("/admin/users").get_data(as_text=True), "language unchanged"


# --- the session cookie ---------------------------------------------------------------------------------------


def _session_cookie(response) -> list[str]:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "the response sets the session cookie"
    return [a.strip().lower() for a in cookies[-1].split(";")]


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_user(app)
    attributes = _session_cookie(login(client))
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_session_cookie_is_secure_in_production(app_config):
    production = create_app({**app_config, "APP_ENV": "production"})
    try:
        assert production.config["SESSION_COOKIE_SECURE"] is True
        page = production.test_client().get("/admin/login")  # the CSRF token puts the session in a cookie
        attributes = _session_cookie(page)
        assert {"secure", "httponly", "samesite=lax"} <= set(attributes)
    finally:
        _close(production)


def _close(extra_app) -> None:
    """An app made inside a test: stop its workers and close its connections (PostgreSQL warns otherwise)."""
    extra_app.extensions["event_dispatcher"].stop()
    with extra_app.app_context():
        db.engine.dispose()


# --- idle and absolute timeouts ---------------------------------------------------------------------------------


def test_idle_session_ends_and_cannot_be_replayed(app, client):
    user_id = logged_in(app, client)
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - (app.config["SESSION_IDLE_MINUTES"] - 1) * 60
    assert client.get("/admin/chat").status_code == 200, "not idle long enough yet"
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    old_cookie = client.get_cookie("session").value
    response = client.get("/admin/chat")
    assert redirects_to_login(response)
    assert t("admin.session_expired") in client.get(response.headers["Location"]).get_data(as_text=True)
    client.set_cookie("session", old_cookie)
    assert redirects_to_login(client.get("/admin/chat")), "the expired session's cookie still works"
    [entry] = audit_entries(app, "session_expired")
    assert entry.actor_id == user_id and entry.target_id == str(user_id)


def test_activity_keeps_a_session_alive(app, client):
    logged_in(app, client)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - idle + 60
    assert client.get("/admin/chat").status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] >= int(time.time()) - 5, "a request moves seen_at"


def test_session_ends_after_the_absolute_limit_even_when_active(app, client):
    logged_in(app, client)
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - app.config["SESSION_MAX_HOURS"] * 3600 - 5
        session["seen_at"] = int(time.time())
    assert redirects_to_login(client.get("/admin/chat"))
    assert redirects_to_login(client.get("/admin/chat"))
    assert len(audit_entries(app, "session_expired")) == 1


# --- logout ------------------------------------------------------------------------------------------------------


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app, client):
    user_id = logged_in(app, client)
    copy = client.get_cookie("session").value
    second_device = app.test_client()
    assert login(second_device).status_code == 302
    response = client.post("/admin/logout", data={"csrf_token": chat_token(client)})
    assert redirects_to_login(response)
    assert redirects_to_login(client.get("/admin/chat"))
    client.set_cookie("session", copy)
    assert redirects_to_login(client.get("/admin/chat")), "a copy of the old cookie still works"
    assert redirects_to_login(second_device.get("/admin/chat")), "logout ends the user's every session"
    [entry] = audit_entries(app, "logout")
    assert entry.actor_id == user_id


# --- language -----------------------------------------------------------------------------------------------------


def _switch(client, lang: str, next_url: str):
    token = form_token(client, "/admin/login")
    return client.post("/admin/language", data={"csrf_token": token, "lang": lang, "next": next_url})


def test_language_switch_changes_page_strings_to_english_and_back(demo, client):
    logged_in(demo, client, username="boss")
    thai = client.get("/admin/users").get_data(as_text=True)
    assert t("users.title", "th") in thai and t("admin.logout", "th") in thai
    response = _switch(client, "en", "/admin/users")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    english = client.get("/admin/users").get_data(as_text=True)
    assert t("users.title", "en") in english and t("admin.logout", "en") in english
    assert t("admin.logout", "th") not in english
    assert '<html lang="en">' in english
    _switch(client, "th", "/admin/users")
    assert t("admin.logout", "th") in client.get("/admin/users").get_data(as_text=True)


def test_language_chosen_before_login_is_kept_after_it(app, client):
    make_user(app)
    _switch(client, "en", "/admin/login")
    assert t("admin.sign_in", "en") in client.get("/admin/login").get_data(as_text=True)
    assert login(client).status_code == 302
    assert t("admin.logout", "en") in client.get("/admin/chat").get_data(as_text=True)


def test_language_switch_refuses_an_unknown_language_and_another_site(app, client):
    response = _switch(client, "fr", "https://evil.example/")
    assert "evil.example" not in response.headers["Location"]
    assert t("admin.sign_in", "th") in client.get("/admin/login").get_data(as_text=True)


# --- audit entries of logging in and out -------------------------------------------------------------------------


def test_login_failures_and_logout_are_audited_without_what_was_typed(app, client):
    user_id = make_user(app, "alice")
    _attempt(client, "somchai.secret-name", "typed password 1", ip="192.0.2.9")
    _attempt(client, "alice", "typed password 2", ip="192.0.2.9")
    assert _attempt(client, "alice", PASSWORD, ip="192.0.2.9").status_code == 302
    # The same address throughout: the session is bound to it (Flask-Login's strong protection).
    here = {"REMOTE_ADDR": "192.0.2.9"}
    token = re.search(r'data-csrf="([^"]+)"', client.get("/admin/chat", environ_overrides=here).get_data(as_text=True))
    client.post("/admin/logout", data={"csrf_token": token.group(1)}, environ_overrides=here)
    entries = audit_entries(app)
    assert [e.action for e in entries] == ["login_failed", "login_failed", "login", "logout"]
    unknown, wrong, success, logout = entries
    assert (unknown.actor_id, unknown.actor_name, unknown.target_type, unknown.target_id) == (None, None, None, None)
    assert unknown.detail is None
    assert (wrong.target_type, wrong.target_id, wrong.actor_id) == ("user", str(user_id), None)
    assert (success.actor_id, success.actor_name, success.target_id) == (user_id, "alice", str(user_id))
    assert (logout.actor_id, logout.target_id) == (user_id, str(user_id))
    assert {e.ip for e in entries} == {"192.0.2.9"}
    stored = repr([(e.actor_name, e.target_id, e.detail) for e in entries])
    for typed in ("somchai.secret-name", "typed password", PASSWORD):
        assert typed not in stored
    assert _user(app, "alice").last_login_at is not None


# --- flask create-user --agency -------------------------------------------------------------------------------------


def _create_user(demo, *args):
    return demo.test_cli_runner().invoke(
        args=["create-user", "--username", "somchai", "--password", "long enough pw", *args]
    )


def test_create_user_with_an_unknown_agency_lists_the_known_ones(demo):
    result = _create_user(demo, "--role", "staff", "--agency", "nammong", "--agency", "atlantis")
    assert result.exit_code == 2
    assert "unknown agency atlantis" in result.output
    for slug in ("nammong", "nakhonphanom", "nakhonpathom", "narathiwat"):
        assert slug in result.output
    assert "Traceback" not in result.output
    with demo.app_context():
        assert db.session.scalar(select(User).where(User.username == "somchai")) is None


def test_create_user_for_chosen_agencies_and_all(demo):
    assert _create_user(demo, "--role", "staff", "--agency", "nammong", "--agency", "narathiwat").exit_code == 0
    assert sorted(a.slug for a in _user(demo, "somchai").agencies) == ["nammong", "narathiwat"]
    result = demo.test_cli_runner().invoke(
        args=[
            "create-user",
            "--username",
            "viewer1",
            "--password",
            "long enough pw",
            "--role",
            "viewer",
            "--agency",
            "all",
        ]
    )
    assert result.exit_code == 0, result.output
    assert len(_user(demo, "viewer1").agencies) == 4


def test_admin_defaults_to_every_agency_and_others_must_name_one(demo):
    assert _create_user(demo, "--role", "admin").exit_code == 0
    assert len(_user(demo, "somchai").agencies) == 4
    staff = demo.test_cli_runner().invoke(
        args=["create-user", "--username", "staff1", "--password", "long enough pw", "--role", "staff"]
    )
    assert staff.exit_code == 2 and "at least one agency" in staff.output


def test_create_user_again_keeps_agencies_unless_given_and_logs_the_change(demo):
    assert _create_user(demo, "--role", "staff", "--agency", "nammong").exit_code == 0
    again = _create_user(demo, "--role", "integrity_officer")
    assert again.exit_code == 0, again.output
    user = _user(demo, "somchai")
    assert user.role == "integrity_officer"
    assert [a.slug for a in user.agencies] == ["nammong"]
    moved = demo.test_cli_runner().invoke(
        args=[
            "create-user",
            "--username",
            "SomChai",
            "--password",
            "long enough pw",
            "--role",
            "staff",
            "--agency",
            "narathiwat",
        ]
    )
    assert moved.exit_code == 0, moved.output
    assert [a.slug for a in _user(demo, "somchai").agencies] == ["narathiwat"], "one account whatever the case"
    created, changed, changed_again = audit_entries(demo)
    assert created.action == "user_created" and created.detail["agencies"] == ["nammong"]
    assert changed.detail["role_before"] == "staff" and changed.detail["role_after"] == "integrity_officer"
    assert changed.detail["agencies_before"] == changed.detail["agencies_after"] == ["nammong"]
    assert changed_again.detail["agencies_after"] == ["narathiwat"]
    assert "long enough pw" not in repr([e.detail for e in audit_entries(demo)])
