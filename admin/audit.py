"""Writing the audit log from a request: who, what, which record, from where. Never message content."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from models import AuditEntry, db
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
