"""A citizen's conversation with the bot: context between turns and what was said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import utcnow

CHANNELS = ("line", "web")
DELIVERY_STATUSES = ("pending", "sent", "failed", "received")


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    # LINE: the user, group or room id the bot answers to; web: "user:<id>" of the logged-in user.
    chat_id: Mapped[str] = mapped_column(String(80))
    lang: Mapped[str] = mapped_column(String(2), default="th")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    misunderstood: Mapped[int] = mapped_column(default=0)  # consecutive turns not understood
    followed: Mapped[bool] = mapped_column(default=True)  # False after unfollow: no pushes
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Optimistic lock: two workers answering the same chat cannot overwrite each other's context.
    version: Mapped[int] = mapped_column(default=1)

    messages: Mapped[list[ChatMessage]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="ChatMessage.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ChatMessage(db.Model):
    """One message in or out. Outgoing ones carry their delivery state and LINE retry key."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    kind: Mapped[str] = mapped_column(String(16))  # text, image, sticker, reply, ...
    text: Mapped[str | None] = mapped_column(db.Text)
    body: Mapped[dict | None] = mapped_column(JSON)  # outgoing: the channel-neutral reply
    intent: Mapped[str | None] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)  # the event answered
    external_id: Mapped[str | None] = mapped_column(String(64))  # LINE's message id, for unsend
    status: Mapped[str] = mapped_column(String(16), default="received")
    retry_key: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))
    resent: Mapped[bool] = mapped_column(default=False)  # a dead letter is replayed at most once
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @classmethod
    def incoming(cls, conversation: Conversation, kind: str, text: str | None, external_id: str | None = None):
        """What the citizen sent (text only for text messages)."""
        return cls(conversation=conversation, direction="in", kind=kind, text=text, external_id=external_id)

    @classmethod
    def outgoing(cls, conversation: Conversation, reply, **fields) -> ChatMessage:
        """A bot reply: readable text for staff and search, and the structure a channel renders.

        A confidential reply (a corruption report being filed) keeps no text, and the row itself only
        until it is sent (bot.line.processing deletes it then).
        """
        return cls(
            conversation=conversation,
            direction="out",
            kind=fields.pop("kind", "reply"),
            text=None if reply.confidential else reply.plain_text()[:2000],
            body=reply.to_dict(),
            intent="confidential" if reply.confidential else reply.intent,
            **fields,
        )
