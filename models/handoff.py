"""A chat handed from the bot to staff: open until staff close it, the citizen returns, or it idles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import utcnow

HANDOFF_REASONS = ("asked", "not_understood")


class Handoff(db.Model):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)  # open | closed
    reason: Mapped[str] = mapped_column(String(16))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(8))  # staff | citizen | idle
    rating: Mapped[int | None]  # 1-5, the one question offered when it closes

    conversation: Mapped[Conversation] = relationship()  # noqa: F821


def open_handoff(conversation_id: int) -> Handoff | None:
    return db.session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status == "open")
    )
