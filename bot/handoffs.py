"""Handing a chat to staff and back: opening, staff answers sent as LINE pushes, closing, idle closing."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from bot import data, flows
from bot.flows.common import fixed_agency, rating_buttons
from bot.i18n import t
from bot.replies import Reply, Text
from models import ChatMessage, Conversation, Handoff, db
from models.handoff import open_handoff
from models.periods import local
from models.types import utcnow

log = logging.getLogger(__name__)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_STAFF_TEXT = 5000


class HandoffError(ValueError):
    """A staff action the handoff's state does not allow (closed, empty or overlong answer)."""


@dataclass(frozen=True)
class OfficeHours:
    first_day: int
    last_day: int
    opens: clock
    closes: clock

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """'mon-fri 08:30-16:30' (days and times in Bangkok)."""
        found = re.fullmatch(r"\s*(\w{3})-(\w{3})\s+(\d\d):(\d\d)-(\d\d):(\d\d)\s*", spec or "")
        if not found or found.group(1) not in DAYS or found.group(2) not in DAYS:
            raise ValueError(f"OFFICE_HOURS must look like 'mon-fri 08:30-16:30', got {spec!r}")
        h1, m1, h2, m2 = (int(found.group(i)) for i in range(3, 7))
        return cls(DAYS.index(found.group(1)), DAYS.index(found.group(2)), clock(h1, m1), clock(h2, m2))

    def open_at(self, moment: datetime) -> bool:
        here = local(moment)
        return self.first_day <= here.weekday() <= self.last_day and self.opens <= here.time() < self.closes

    def describe(self, lang: str) -> str:
        return t(
            "handoff.hours",
            lang,
            first=t(f"handoff.day.{DAYS[self.first_day]}", lang),
            last=t(f"handoff.day.{DAYS[self.last_day]}", lang),
            opens=self.opens.strftime("%H:%M"),
            closes=self.closes.strftime("%H:%M"),
        )


def open_for(ctx, reason: str) -> Reply:
    """Open (or find the already open) handoff for the chat; the reply says when staff will answer."""
    conversation = ctx.conversation
    handoff = open_handoff(conversation.id)
    if handoff is None:
        agency = fixed_agency() or _agency_talked_about(conversation)
        handoff = Handoff(conversation_id=conversation.id, agency_id=agency.id if agency else None, reason=reason)
        db.session.add(handoff)
        db.session.flush()  # its id goes into the conversation's state
    ctx.state = {"id": handoff.id}
    hours = OfficeHours.parse(current_app.config["OFFICE_HOURS"])
    lang = ctx.kit.lang
    key = "handoff.opened" if hours.open_at(utcnow()) else "handoff.opened_after_hours"
    text = t(
        key,
        lang,
        hours=hours.describe(lang),
        within=current_app.config["HANDOFF_REPLY_HOURS"],
        lead=t(f"handoff.lead.{reason}", lang),
    )
    return ctx.reply(text, "handoff:opened", [ctx.button("handoff.return", "flow=handoff&return=1")])


def _agency_talked_about(conversation: Conversation):
    """On an OA serving several agencies: the agency the chat was last about (its context's slug), if any.

    Without one the handoff has no agency, and every inbox user sees it (admin/inbox.py).
    """
    slug = (conversation.context or {}).get("agency")
    return data.agency(slug) if isinstance(slug, str) and slug else None


def touch(handoff: Handoff) -> None:
    handoff.last_activity_at = utcnow()


def close(handoff: Handoff, by: str, actor_id: int | None = None) -> None:
    handoff.status, handoff.closed_at, handoff.closed_by = "closed", utcnow(), by
    if actor_id and handoff.assigned_to_id is None:
        handoff.assigned_to_id = actor_id


def staff_reply(handoff_id: int, text: str, staff_id: int | None) -> ChatMessage:
    """Send a staff member's answer to the citizen as a LINE push with a retry key; stored in the chat.

    LINE's transient failures are retried by the client with the same key; a message that still
    fails is kept as not delivered (status failed) for staff to see and resend once.
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_STAFF_TEXT:
        raise HandoffError(f"an answer must be 1 to {MAX_STAFF_TEXT} characters")
    handoff = db.session.get(Handoff, handoff_id)
    if handoff is None or handoff.status != "open":
        raise HandoffError("this chat is no longer handed over")
    now = utcnow()
    handoff.first_response_at = handoff.first_response_at or now
    handoff.last_activity_at = now
    handoff.assigned_to_id = handoff.assigned_to_id or staff_id
    reply = Reply(messages=[Text(text)], intent="staff")
    return _deliver(handoff.conversation, reply, kind="staff")


def close_and_offer_rating(handoff_id: int, by: str, actor_id: int | None = None) -> Handoff:
    """Close a handoff (staff or idle), hand the chat back to the bot and offer the one-question rating."""
    for attempt in range(3):
        handoff = db.session.get(Handoff, handoff_id)
        if handoff is None or handoff.status != "open":
            raise HandoffError("this chat is no longer handed over")
        close(handoff, by, actor_id)
        conversation = handoff.conversation
        flows.save(conversation, "rate_handoff", {"id": handoff.id})
        try:
            db.session.flush()
            break
        except StaleDataError:  # the citizen wrote meanwhile: redo on the fresh conversation
            db.session.rollback()
            if attempt == 2:
                raise
    lang = conversation.lang or "th"
    buttons = rating_buttons(lang, f"flow=rate_handoff&h={handoff.id}")
    offer = Reply(messages=[Text(t(f"handoff.closed.{by}", lang))], quick_replies=buttons, intent="handoff:closed")
    _deliver(conversation, offer, kind="notice")
    return handoff


def close_idle(app: Flask) -> int:
    """Close handoffs nobody wrote in for HANDOFF_IDLE_MINUTES (the event sweeper calls this)."""
    with app.app_context():
        cutoff = utcnow() - timedelta(minutes=app.config["HANDOFF_IDLE_MINUTES"])
        idle = db.session.scalars(
            select(Handoff.id).where(Handoff.status == "open", Handoff.last_activity_at < cutoff)
        ).all()
        for handoff_id in idle:
            try:
                close_and_offer_rating(handoff_id, "idle")
            except HandoffError:
                db.session.rollback()
        db.session.remove()
        return len(idle)


def _deliver(conversation: Conversation, reply: Reply, kind: str) -> ChatMessage:
    from bot.line.processing import send

    message = ChatMessage.outgoing(conversation, reply, kind=kind, status="pending", retry_key=str(uuid.uuid4()))
    db.session.add(message)
    db.session.commit()  # recorded before LINE is called: a crash leaves it pending, never lost
    if conversation.channel == "line":
        send(message)
    else:
        message.status, message.sent_at = "sent", utcnow()  # the web chat shows its history
    db.session.commit()
    return message
