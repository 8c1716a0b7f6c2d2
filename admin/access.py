"""Who may do what, and for which agencies: one table of rights per role, enforced on every request.

Every backend endpoint is either on PUBLIC_ENDPOINTS or carries a right given with @requires. A request
to an endpoint with neither is refused (403) so a route added without a decision fails closed; a test
walks the route table to keep that so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import ColumnElement, false, or_

# Endpoints anyone may reach, logged in or not.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "admin.static",
        "admin.login",
        "admin.index",
        "admin.set_language",
        "healthz",
        "line_webhook.callback",
    }
)

RIGHTS: dict[str, str] = {
    "chat": "try the bot in the web chat",
    "inbox": "answer chats handed to staff",
    "cases": "work general complaints",
    "cases.corruption": "work corruption reports",
    "identity.reveal": "reveal who filed an identified corruption report (reason logged)",
    "stats": "see feedback statistics",
    "ita.view": "see ITA results and measures",
    "ita.edit": "edit and import ITA results and measures",
    "reports": "participation evidence, progress reports, OIT exports",
    "users": "manage backend users",
    "audit": "read the audit log",
}

ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "admin": frozenset(RIGHTS),
    "integrity_officer": frozenset(
        {"chat", "inbox", "cases", "cases.corruption", "identity.reveal", "stats", "ita.view"}
    ),
    "staff": frozenset({"chat", "inbox", "cases", "stats", "ita.view"}),
    "viewer": frozenset({"stats"}),
}


def has_right(right: str, user=None) -> bool:
    user = user or current_user
    if right not in RIGHTS:
        raise KeyError(f"unknown right {right!r}")
    return bool(user and user.is_authenticated and right in ROLE_RIGHTS.get(user.role, ()))


def requires(*rights: str) -> Callable:
    """The view needs a login and every one of these rights (403 without them)."""
    for right in rights:
        if right not in RIGHTS:
            raise KeyError(f"unknown right {right!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not all(has_right(right) for right in rights):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_rights = frozenset(rights)
        return guarded

    return decorate


def background(view: Callable) -> Callable:
    """Marks a request the page makes by itself (polling): it does not keep an idle session alive."""
    view.background = True
    return view


def is_background(endpoint: str | None) -> bool:
    return bool(getattr(current_app.view_functions.get(endpoint or ""), "background", False))


def required_rights(endpoint: str) -> frozenset[str] | None:
    """The rights an endpoint declares; None when it declares nothing (then it must be public)."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "required_rights", None)


def enforce_declared() -> None:
    """before_request: refuse any endpoint that is neither public nor guarded (fail closed)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return
    if required_rights(endpoint) is None:
        current_app.logger.error("endpoint %s declares no rights: refused", endpoint)
        abort(403)


# Agencies -------------------------------------------------------------------------------------------


def agency_ids(user=None) -> set[int]:
    """The agencies the user works for: every role sees only these."""
    user = user or current_user
    return user.agency_ids if user and user.is_authenticated else set()


def may_see_agency(agency_id: int | None, user=None) -> bool:
    return agency_id is not None and agency_id in agency_ids(user)


def check_agency(agency_id: int | None) -> None:
    """404 for a record of an agency the user does not work for (its existence is not confirmed)."""
    if not may_see_agency(agency_id):
        abort(404)


def agency_clause(column, include_unassigned: bool = False) -> ColumnElement[bool]:
    """A WHERE clause keeping rows of the user's agencies (and, if asked, rows with no agency)."""
    ids = agency_ids()
    clause = column.in_(ids) if ids else false()
    return or_(clause, column.is_(None)) if include_unassigned else clause


def visible_lanes() -> tuple[str, ...]:
    return ("general", "corruption") if has_right("cases.corruption") else ("general",)


def choose_agency(requested: str | int | None, choices: Iterable) -> object | None:
    """The agency a page is about: the one asked for if the user may see it, else their first."""
    choices = list(choices)
    for agency in choices:
        if str(agency.id) == str(requested):
            return agency
    return choices[0] if choices else None


def my_agencies() -> list:
    """The signed-in user's agencies, in the order they were created."""
    return sorted(current_user.agencies, key=lambda agency: agency.id)
