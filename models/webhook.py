"""Webhook events as LINE delivered them: recorded before the ack, answered after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import utcnow

EVENT_STATUSES = ("pending", "processing", "done", "failed")


def forgotten_when_finished() -> dict:
    """What a finished (done or failed) event no longer keeps: the body LINE sent and its chat, which
    would link it to the citizen. Its id, type and times stay."""
    return {"payload": {}, "chat": None}


class WebhookEvent(db.Model):
    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # LINE's webhookEventId: unique, so a redelivered event is recorded (and answered) once.
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    event_ts: Mapped[int] = mapped_column(BigInteger)  # LINE's timestamp, ms; kept on redelivery
    is_redelivery: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict] = mapped_column(JSON)  # the event as LINE sent it (never logged)
    # The chat (group, room or user) of an event still to answer, so that whichever worker answers one
    # of a chat's events answers all it has waiting, in order; cleared, like the body, once finished.
    chat: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(255))  # exception type only, no content
