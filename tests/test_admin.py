"""The web backend: who may reach which route, logging in and out, security headers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from bot.i18n import t
from models import ChatMessage
from tests.web import (
    PASSWORD,
    PUBLIC_ENDPOINTS,
    ask,
    chat_token,
    count,
    csp_directives,
    form_token,
    logged_in,
    login,
    make_user,
    parse,
    redirects_to_login,
    set_active,
)

# --- every route is public by a list, or closed ------------------------------------------------------


def _sample_url(app, rule) -> str:
    """A URL for the rule, with 1 for every variable part (a route taking an id is checked with id 1)."""
    with app.test_request_context():
        return url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))


def test_public_list_names_routes_that_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= PUBLIC_ENDPOINTS, f"stale public list: {PUBLIC_ENDPOINTS - endpoints}"


def test_every_route_not_on_the_public_list_refuses_an_anonymous_client(app, client):
    # A valid CSRF token for the anonymous session, so what refuses a POST is the login check, not CSRF.
    token = form_token(client)
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _sample_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            page = client.open(
                url, method=method, headers={"Accept": "text/html", "X-CSRFToken": token}, data={"csrf_token": token}
            )
            assert redirects_to_login(page), f"{method} {url} ({rule.endpoint}) as a page: {page.status_code}"
            api = client.open(
                url, method=method, json={"text": "hi"}, headers={"Accept": "application/json", "X-CSRFToken": token}
            )
            assert api.status_code == 401 or redirects_to_login(api), (
                f"{method} {url} ({rule.endpoint}) as JSON: {api.status_code}"
            )
            checked.append(rule.endpoint)
    assert {"admin.chat", "admin.send", "admin.reset", "admin.logout"} <= set(checked)


def test_anonymous_page_goes_to_login_with_next_and_json_gets_401(app, client):
    page = client.get("/admin/chat")
    assert redirects_to_login(page)
    assert parse_qs(urlsplit(page.headers["Location"]).query)["next"] == ["/admin/chat"]
    token = form_token(client)
    api = client.post("/admin/chat/messages", json={"text": "hi"}, headers={"X-CSRFToken": token})
    assert api.status_code == 401
    assert api.is_json
    assert count(app, ChatMessage) == 0


def test_public_routes_answer_without_login(app, client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/admin/login").status_code == 200
    with client.get("/admin/static/chat.js") as script:
        assert script.status_code == 200


# --- logging in ----------------------------------------------------------------------------------------


def test_login_redirects_to_chat_and_session_cookie_is_httponly(app, client):
    make_user(app)
    response = login(client)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/inbox"  # admin.auth.home: the inbox
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "login sets the session cookie"
    attributes = [a.strip().lower() for a in cookies[-1].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert client.get("/admin/chat").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(app, client):
    make_user(app)
    wrong = login(client, "alice", "not the password")
    unknown = login(client, "nobody", PASSWORD)
    message = t("admin.login_failed")
    assert wrong.status_code == unknown.status_code == 401
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert redirects_to_login(client.get("/admin/chat"))


def test_inactive_user_cannot_log_in(app, client):
    make_user(app, active=False)
    response = login(client)
    assert response.status_code == 401
    assert t("admin.login_failed") in response.get_data(as_text=True)
    assert redirects_to_login(client.get("/admin/chat"))


def test_disabled_user_loses_access_on_the_next_request(app, client):
    user_id = logged_in(app, client)
    token = chat_token(client)
    set_active(app, user_id, False)
    assert redirects_to_login(client.get("/admin/chat"))
    api = ask(client, token, "สวัสดี")
    assert api.status_code == 401
    assert count(app, ChatMessage) == 0


def test_login_post_without_csrf_token_is_refused(app, client):
    make_user(app)
    client.get("/admin/login")
    response = client.post("/admin/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    forged = client.post("/admin/login", data={"csrf_token": "forged", "username": "alice", "password": PASSWORD})
    assert forged.status_code == 400
    assert redirects_to_login(client.get("/admin/chat"))


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/admin/chat",
        "/\\evil.example",
        "///evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        # Control characters: URL parsers (Python's and browsers') drop tabs and newlines, so "/<TAB>/evil.example"
        # becomes "//evil.example" on the way out.
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
    ],
    ids=[
        "protocol-relative",
        "https",
        "http-with-path",
        "backslash",
        "triple-slash",
        "double-backslash",
        "javascript",
        "tab",
        "newline",
        "crlf",
    ],
)
def test_login_does_not_follow_next_to_another_site(app, client, target):
    make_user(app)
    response = login(client, next_url=target)
    assert response.status_code == 302, f"next={target!r}: {response.status_code}"
    location = response.headers["Location"]
    # How a browser reads it: tabs and newlines dropped, backslashes taken as slashes.
    normalised = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    parts = urlsplit(normalised)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert not normalised.startswith("//"), location
    assert "evil.example" not in location


def test_login_follows_next_on_this_site(app, client):
    make_user(app)
    response = login(client, next_url="/admin/chat")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/chat"


def test_logout_is_a_post_and_ends_the_session(app, client):
    logged_in(app, client)
    old_cookie = client.get_cookie("session").value
    assert client.get("/admin/logout").status_code == 405
    assert client.get("/admin/chat").status_code == 200, "a GET does not log out"
    token = chat_token(client)
    response = client.post("/admin/logout", data={"csrf_token": token})
    assert redirects_to_login(response)
    assert redirects_to_login(client.get("/admin/chat"))
    # Replaying the cookie from before the logout must not bring the session back.
    client.set_cookie("session", old_cookie)
    assert redirects_to_login(client.get("/admin/chat")), "the pre-logout session cookie still works"


def test_logout_without_csrf_token_is_refused(app, client):
    logged_in(app, client)
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/chat").status_code == 200


# --- security headers ---------------------------------------------------------------------------------------


def _assert_base_headers(response, where: str) -> None:
    directives = csp_directives(response)
    assert directives, f"{where}: no Content-Security-Policy"
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"{where}: CSP says nothing about scripts"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{where}: {scripts}"
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where


def test_security_headers_on_public_responses(app, client):
    _assert_base_headers(client.get("/admin/login"), "login page")
    _assert_base_headers(client.get("/healthz"), "healthz")
    _assert_base_headers(client.get("/admin/no-such-page"), "404")
    _assert_base_headers(client.get("/admin/chat"), "login redirect")


def test_authenticated_admin_responses_are_not_cached(demo, client):
    logged_in(demo, client)
    page = client.get("/admin/chat")
    _assert_base_headers(page, "chat page")
    assert "no-store" in page.headers.get("Cache-Control", "")
    token = parse(page.get_data(as_text=True)).data_csrf[0]
    api = ask(client, token, "น้ำโมงได้กี่คะแนน")
    _assert_base_headers(api, "chat API")
    assert "no-store" in api.headers.get("Cache-Control", "")
    reset = client.post("/admin/chat/reset", headers={"X-CSRFToken": token})
    assert "no-store" in reset.headers.get("Cache-Control", "")


def test_chat_page_has_no_inline_script(demo, client):
    logged_in(demo, client)
    page = parse(client.get("/admin/chat").get_data(as_text=True))
    assert page.scripts, "the chat page loads its script"
    for attrs, body in zip(page.scripts, page.script_bodies, strict=True):
        assert attrs.get("src"), "inline <script> without src"
        assert not body.strip(), "a <script src> with inline code"
    assert page.inline_handlers == [], "inline event handlers are blocked by the CSP"


def test_login_page_has_no_inline_script(app, client):
    page = parse(client.get("/admin/login").get_data(as_text=True))
    assert all(attrs.get("src") for attrs in page.scripts)
    assert page.inline_handlers == []


def test_the_shared_macros_work_when_imported_without_context(app):
    """ui.pager and friends call t(): a template importing the macros plainly must still render."""
    from types import SimpleNamespace

    from flask import render_template_string

    page = SimpleNamespace(pages=3, number=2, has_prev=True, has_next=True, url=lambda n: f"/x?page={n}")
    with app.test_request_context("/admin/cases"):
        html = render_template_string('{% import "admin/_macros.html" as ui %}{{ ui.pager(page) }}', page=page)
    assert t("admin.page_of", page=2, pages=3) in html and "/x?page=3" in html
