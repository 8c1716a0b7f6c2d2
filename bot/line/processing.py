"""Answering one recorded event: claim it, decide the reply, store it, then send it."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from bot.line import events as line_events
from bot.line.client import LineCallFailed, LineClient, LineSettings
from bot.line.render import render
from bot.replies import Reply
from models import ChatMessage, Conversation, WebhookEvent, db
from models.types import utcnow

log = logging.getLogger(__name__)
_client_lock = threading.Lock()
CONTEXT_RETRIES = 3


def line_client(app: Flask | None = None) -> LineClient:
    """The process's LINE client, made on first use."""
    app = app or current_app._get_current_object()
    client = app.extensions.get("line_client")
    if client is None:
        with _client_lock:
            client = app.extensions.get("line_client")
            if client is None:
                client = app.extensions["line_client"] = LineClient(LineSettings.from_config(app.config))
    return client


def claim(pk: int) -> bool:
    """Take the event for this worker unless another has it or it is finished."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["EVENT_LEASE_SECONDS"])
    result = db.session.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.id == pk,
            WebhookEvent.attempts < current_app.config["EVENT_MAX_ATTEMPTS"],
            or_(
                WebhookEvent.status == "pending",
                (WebhookEvent.status == "processing") & (WebhookEvent.locked_until < now),
            ),
        )
        .values(status="processing", attempts=WebhookEvent.attempts + 1, locked_until=lease)
    )
    db.session.commit()
    return result.rowcount == 1


def process_event(app: Flask, pk: int) -> None:
    with app.app_context():
        if not claim(pk):
            return
        row = db.session.get(WebhookEvent, pk)
        try:
            _answer(row)
            row.status, row.processed_at, row.last_error = "done", utcnow(), None
        except Exception as exc:  # noqa: BLE001 - any failure: record it, retry later, never lose the event
            db.session.rollback()
            row = db.session.get(WebhookEvent, pk)
            row.last_error = type(exc).__name__
            gave_up = row.attempts >= app.config["EVENT_MAX_ATTEMPTS"]
            row.status = "failed" if gave_up else "pending"
            # Retried by the sweeper after a pause that grows with each attempt.
            row.locked_until = utcnow() + timedelta(seconds=min(300, 5 * 2**row.attempts))
            log.error("event %s attempt %s failed: %s", pk, row.attempts, type(exc).__name__)
        db.session.commit()


def _answer(row: WebhookEvent) -> None:
    # A crash after the reply was stored but before it was sent: send that reply, decide nothing again.
    stored = db.session.scalar(
        select(ChatMessage).where(ChatMessage.event_id == row.event_id, ChatMessage.direction == "out")
    )
    if stored is not None:
        if stored.status != "sent":
            send(stored)
        return
    event = line_events.parse(row.payload)
    target = line_events.chat_target(event)
    if target is None:
        return
    outgoing = None
    for attempt in range(CONTEXT_RETRIES):
        try:
            conversation = line_events.conversation_for(target)
            reply = line_events.reply_for(event, conversation, current_app.config["GROUP_REPLY_MODE"])
            if reply is not None:
                outgoing = _outgoing(conversation, reply, row.event_id)
            db.session.commit()  # the context and the reply to send, together
            break
        except StaleDataError:
            # Another process answered this chat meanwhile: decide again on the fresh context.
            db.session.rollback()
            if attempt == CONTEXT_RETRIES - 1:
                raise
    if outgoing is not None:
        age = (utcnow() - _aware(row.received_at)).total_seconds()
        token = getattr(event, "reply_token", None)
        send(outgoing, token if age < current_app.config["REPLY_TOKEN_TTL"] else None)


def _aware(moment):
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _outgoing(conversation: Conversation, reply: Reply, event_id: str) -> ChatMessage:
    message = ChatMessage(
        conversation=conversation,
        direction="out",
        kind="reply",
        text=reply.plain_text()[:2000],
        body=reply.to_dict(),
        intent=reply.intent,
        event_id=event_id,
        status="pending",
        retry_key=str(uuid.uuid4()),
    )
    db.session.add(message)
    return message


def send(message: ChatMessage, reply_token: str | None = None) -> None:
    """Reply while the token is fresh, else (or when LINE refuses it) push once with the retry key."""
    client = line_client()
    lines = render(Reply.from_dict(message.body))
    message.attempts += 1
    try:
        if reply_token:
            try:
                client.reply(reply_token, lines)
                _sent(message)
                return
            except LineCallFailed as exc:
                if exc.status == 401:
                    raise
        if not message.conversation.followed:
            message.status, message.last_error = "failed", "unfollowed"
        else:
            client.push(message.conversation.chat_id, lines, message.retry_key)
            _sent(message)
    except LineCallFailed as exc:
        # Dead letter: staff see it as not delivered; nothing of the content is logged.
        message.status, message.last_error = "failed", f"LINE {exc.status}"
        log.warning("message %s not delivered: LINE %s", message.id, exc.status)
    db.session.commit()


def _sent(message: ChatMessage) -> None:
    message.status, message.sent_at, message.last_error = "sent", utcnow(), None
    db.session.commit()


def due_events(app: Flask, limit: int = 200) -> list[tuple[int, str]]:
    """Events a crashed or stalled worker left behind, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(WebhookEvent.id, WebhookEvent.payload)
            .where(WebhookEvent.status.in_(("pending", "processing")), WebhookEvent.locked_until < utcnow())
            .order_by(WebhookEvent.event_ts)
            .limit(limit)
        ).all()
        return [(pk, line_events.chat_key(payload)) for pk, payload in rows]


def process_pending(app: Flask) -> int:
    """Answer, in this process, every event left pending (the `process-events` command)."""
    count = 0
    with app.app_context():
        pks = db.session.scalars(
            select(WebhookEvent.id)
            .where(WebhookEvent.status.in_(("pending", "processing")))
            .order_by(WebhookEvent.event_ts)
        ).all()
    for pk in pks:  # pending ones are taken at once; one another process holds, only once its lease ran out
        process_event(app, pk)
        count += 1
    return count
