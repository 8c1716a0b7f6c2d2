"""Driving the web backend in tests: logging in with the real form, reading tokens off pages."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from models import Agency, AuditEntry, User, db

# Routes anyone may reach. Everything else must send an anonymous client to the login page (pages) or
# answer 401 (JSON). Adding a route here is a decision, not an accident.
PUBLIC_ENDPOINTS = {
    "line_webhook.callback",
    "admin.login",
    "admin.index",
    "admin.set_language",
    "healthz",
    "static",
    "admin.static",
}

PASSWORD = "correct horse battery"
CHAT_JS = Path(__file__).resolve().parent.parent / "admin" / "static" / "chat.js"


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


def make_user(
    app,
    username: str = "alice",
    password: str = PASSWORD,
    role: str = "admin",
    active: bool = True,
    agencies: list[str] | None = None,
) -> int:
    """A backend user working for the agencies with these slugs (None: every agency loaded)."""
    with app.app_context():
        user = User(username=username, role=role)
        user.set_password(password)
        user.active = active
        query = select(Agency).order_by(Agency.id)
        if agencies is not None:
            query = query.where(Agency.slug.in_(agencies))
        user.agencies = list(db.session.scalars(query))
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


def audit_entries(app, action: str | None = None) -> list[AuditEntry]:
    """The audit log, oldest first (only one action's entries when given), detached for reading."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows
