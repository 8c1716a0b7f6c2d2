"""The audit log: who did what in the backend. Names actions and targets, never message content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import utcnow

# Every action the backend records; a test checks each is named in locales/ for the audit page.
AUDIT_ACTIONS = (
    "login",
    "login_failed",
    "login_throttled",
    "logout",
    "session_expired",
    "user_created",
    "user_changed",  # role, agencies, name or password
    "user_disabled",
    "user_enabled",
    "case_viewed",  # corruption-lane cases only
    "case_status",
    "identity_revealed",
    "handoff_closed",
    "assigned",  # a case or a staff chat given to someone else (or to nobody)
    "export",
    "import",
    "record_created",
    "record_changed",
    "record_deleted",
)


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(64))  # kept when the user is deleted
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))  # complaint, user, measure, export, ...
    target_id: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    # Small facts (a reveal's reason, an export's kind, a role before and after); no citizen content.
    detail: Mapped[dict | None] = mapped_column(JSON)
