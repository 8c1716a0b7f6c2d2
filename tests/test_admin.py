"""The web backend: who may reach which route, logging in and out, the web chat API, security headers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select

from bot.i18n import t
from models import ChatMessage, Conversation, User, db

# Routes anyone may reach. Everything else must send an anonymous client to the login page (pages) or
# answer 401 (JSON). Adding a route here is a decision, not an accident.
PUBLIC_ENDPOINTS = {"line_webhook.callback", "admin.login", "healthz", "static", "admin.static"}

PASSWORD = "correct horse battery"
CHAT_JS = Path(__file__).resolve().parent.parent / "admin" / "static" / "chat.js"


# --- helpers ---------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects the inputs, the data-csrf attribute and the script tags of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict[str, str | None]] = []
        self.data_csrf: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[tuple[str, str]] = []
        self._in_script = False
        self.script_bodies: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "input":
            self.inputs.append(found)
        if "data-csrf" in found:
            self.data_csrf.append(found["data-csrf"] or "")
        if tag == "script":
            self.scripts.append(found)
            self._in_script = True
            self.script_bodies.append("")
        self.inline_handlers += [(tag, name) for name in found if name.lower().startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_bodies[-1] += data


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def form_token(client, path: str = "/admin/login") -> str:
    """The CSRF token of the hidden `csrf_token` input on a page."""
    response = client.get(path)
    assert response.status_code == 200
    tokens = [i.get("value") for i in parse(response.get_data(as_text=True)).inputs if i.get("name") == "csrf_token"]
    assert tokens and tokens[0], "the page has no csrf_token input"
    return tokens[0]


def chat_token(client) -> str:
    """The CSRF token the chat page hands its script (data-csrf)."""
    response = client.get("/admin/chat")
    assert response.status_code == 200
    tokens = parse(response.get_data(as_text=True)).data_csrf
    assert tokens and tokens[0], "the chat page has no data-csrf"
    return tokens[0]


def make_user(app, username: str = "alice", password: str = PASSWORD, role: str = "admin", active: bool = True) -> int:
    with app.app_context():
        user = User(username=username, role=role)
        user.set_password(password)
        user.active = active
        db.session.add(user)
        db.session.commit()
        return user.id


def set_active(app, user_id: int, active: bool) -> None:
    with app.app_context():
        db.session.get(User, user_id).active = active
        db.session.commit()


def login(client, username: str = "alice", password: str = PASSWORD, next_url: str | None = None):
    token = form_token(client)
    path = "/admin/login"
    query = {"next": next_url} if next_url is not None else None
    return client.post(path, query_string=query, data={"csrf_token": token, "username": username, "password": password})


def logged_in(app, client, **user) -> int:
    user_id = make_user(app, **user)
    response = login(client, user.get("username", "alice"), user.get("password", PASSWORD))
    assert response.status_code == 302, response.get_data(as_text=True)
    return user_id


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/admin/login"


def ask(client, token: str | None, text):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/admin/chat/messages", json={"text": text}, headers=headers)


def reply_text(response) -> str:
    return json.dumps(response.get_json()["messages"], ensure_ascii=False)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


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
    assert urlsplit(response.headers["Location"]).path == "/admin/chat"
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


# --- the web chat API ------------------------------------------------------------------------------------


def test_chat_answers_a_question_and_a_follow_up(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    first = ask(client, token, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    assert first.status_code == 200
    assert first.is_json
    body = first.get_json()
    assert set(body) >= {"messages", "quick_replies"}
    assert "85.86" in reply_text(first)
    assert body["quick_replies"], "the answer offers next questions"
    follow_up = ask(client, token, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    assert follow_up.status_code == 200
    assert "73.25" in reply_text(follow_up)
    with demo.app_context():
        directions = db.session.scalars(select(ChatMessage.direction).order_by(ChatMessage.id)).all()
        assert directions == ["in", "out", "in", "out"]
        conversation = db.session.scalars(select(Conversation)).one()
        assert conversation.channel == "web"


def test_chat_without_csrf_token_is_refused(demo, client):
    logged_in(demo, client)
    response = ask(client, None, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    assert response.status_code == 400
    assert ask(client, "forged-token", "น้ำโมง").status_code == 400
    assert count(demo, ChatMessage) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "text=hello", "content_type": "application/x-www-form-urlencoded"},
        {"data": "hello", "content_type": "text/plain"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": {}},
        {"json": {"message": "hello"}},
        {"json": {"text": 5}},
        {"json": {"text": None}},
        {"json": ["hello"]},
        {"json": "hello"},
    ],
    ids=["form", "plain-text", "bad-json", "empty-object", "no-text", "number", "null", "array", "string"],
)
def test_chat_refuses_a_body_that_is_not_json_with_text(demo, client, kwargs):
    logged_in(demo, client)
    token = chat_token(client)
    response = client.post("/admin/chat/messages", headers={"X-CSRFToken": token}, **kwargs)
    assert response.status_code == 400
    assert count(demo, ChatMessage) == 0


def test_chat_text_over_5000_characters_is_413(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    assert ask(client, token, "ก" * 5001).status_code == 413
    assert count(demo, ChatMessage) == 0
    assert ask(client, token, "ก" * 5000).status_code == 200


@pytest.mark.parametrize(
    "payload",
    ['<script>alert("x")</script>', "<img src=x onerror=alert(1)> ได้คะแนนเท่าไหร่", '"><svg onload=alert(1)>'],
)
def test_html_in_chat_comes_back_only_as_json_data(demo, client, payload):
    logged_in(demo, client)
    token = chat_token(client)
    response = ask(client, token, payload)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_json()
    assert isinstance(body["messages"], list)
    with demo.app_context():
        stored = db.session.scalar(select(ChatMessage.text).where(ChatMessage.direction == "in"))
        assert stored == payload, "the question is kept as the citizen typed it"
    page = client.get("/admin/chat").get_data(as_text=True)
    assert payload not in page


def test_chat_script_never_writes_html():
    # Comments may name what is avoided ("never innerHTML"); the code must not use it.
    source = re.sub(r"/\*.*?\*/", "", CHAT_JS.read_text(encoding="utf-8"), flags=re.S)
    source = re.sub(r"(^|[^:])//[^\n]*", r"\1", source)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, f"chat.js uses {sink}"
    assert "textContent" in source


def test_chat_reset_clears_the_context(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    assert "85.86" in reply_text(ask(client, token, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่"))
    with demo.app_context():
        assert db.session.scalars(select(Conversation)).one().context.get("agency") == "nammong"
    assert client.post("/admin/chat/reset").status_code == 400, "reset needs the CSRF token"
    response = client.post("/admin/chat/reset", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}
    with demo.app_context():
        conversation = db.session.scalars(select(Conversation)).one()
        assert conversation.context == {}
        assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 2, "history is kept"
    after = ask(client, token, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    assert after.status_code == 200
    assert "73.25" not in reply_text(after), "the agency was forgotten"


def test_each_user_has_their_own_chat_context(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    ask(client, token, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    other = demo.test_client()
    logged_in(demo, other, username="bob")
    answer = ask(other, chat_token(other), "แล้วตัวชี้วัดที่ 9 ล่ะ")
    assert answer.status_code == 200
    assert "73.25" not in reply_text(answer)


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
