"""Writing the audit log from a request: who, what, which record, from where. Never message content."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from models import AuditEntry, User, db
from models.audit import AUDIT_ACTIONS


def record(
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    agency_id: int | None = None,
    user=None,
    **detail,
) -> AuditEntry:
    """Add an entry to the session (the caller's commit saves it with the change it describes)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = user if user is not None else (current_user if has_request_context() else None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if authenticated else None,
        actor_name=actor.username if authenticated else None,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        agency_id=agency_id,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail or None,
    )
    db.session.add(entry)
    return entry


def assignment(target_type: str, target_id: int, agency_id: int | None, before: int | None, after: int | None) -> None:
    """Who a case or a staff chat was given to, when that changed: usernames before and after (None: nobody)."""
    if before == after:
        return
    ids = [user_id for user_id in (before, after) if user_id is not None]
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()) if ids else {}
    record(
        "assigned",
        target_type,
        target_id,
        agency_id,
        assignee_before=names.get(before),
        assignee_after=names.get(after),
    )
