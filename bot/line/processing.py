"""Answering one recorded event: claim it, decide the reply, store it, then send it."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta
from functools import cache

from flask import Flask, current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from bot.line import events as line_events
from bot.line.claims import Claimed, claim, claim_all, claimable, finish, finish_all
from bot.line.client import LineCallFailed, LineClient, LineSettings
from bot.line.render import render
from bot.replies import Reply
from models import ChatMessage, Conversation, WebhookEvent, db
from models.types import as_utc, utcnow

log = logging.getLogger(__name__)
_client_lock = threading.Lock()
CONTEXT_RETRIES = 3
SEND_ORDER_WAIT = 2.0  # seconds a reply waits at most for the chat's earlier replies to go out


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


def process_event(app: Flask, pk: int) -> None:
    with app.app_context():
        _keep_loaded()
        try:
            if _answer(pk):
                finish(pk, status="done", error=None)
        except Exception as exc:  # noqa: BLE001 - any failure: record it, retry later, never lose the event
            db.session.rollback()
            _failed(app, pk, exc)
        finally:
            db.session.remove()


def process_events(app: Flask, pks: list[int]) -> None:
    """Answer the events a worker found queued (one or more): decided first, then claimed, stored and
    committed together, sent, and marked in one more commit; two commits in all instead of three each.

    Only the common case goes this way: first attempts whose replies are decided without calling LINE,
    with no other worker taking one of them or writing to one of their chats meanwhile. A batch another
    process made stale (it answered one of the chats first) is decided again, once. Anything else, or
    any error before the decisions are committed, rolls the batch back whole and answers each of its
    events alone (`process_event`), as carefully as before.
    """
    with app.app_context():
        _keep_loaded()
        try:
            try:
                alone = _answer_together(app, pks)
            except StaleDataError:
                # Another process answered one of these chats meanwhile (on SQLite, which has no row
                # locks to wait on): decided again, together, on the contexts it left; a second time, alone.
                db.session.rollback()
                alone = _answer_together(app, pks)
        except Exception as exc:  # noqa: BLE001 - nothing of the batch was committed
            db.session.rollback()
            alone = list(pks)
            log.info("%s event(s) answered one by one: %s", len(pks), type(exc).__name__)
        finally:
            db.session.remove()
    for pk in alone:
        process_event(app, pk)


def _answer_together(app: Flask, pks: list[int]) -> list[int]:
    """Answer the batch; the events to answer alone instead (all of them, when it could not be done together)."""
    # Locked first (PostgreSQL): a worker answering one of these chats now is waited for, and what it
    # answered is then no longer waiting.
    conversations = line_events.conversations_of(pks)
    waiting = claimable(pks)
    events = [line_events.parse(w.payload) for w in waiting]
    if any(w.attempts or line_events.asks_line_to_decide(e) for w, e in zip(waiting, events, strict=True)):
        return _one_by_one(pks)
    chats = [c for c in map(line_events.chat_target, events) if c]
    conversations.update(line_events.conversations_for([c for c in chats if c not in conversations]))
    decided, unflushed = [], set()
    # Nothing is written while deciding: SQLite has one write lock for the whole database, and a
    # batch holding it through its answers would stall the acks. What one chat's event writes concerns
    # no other chat, so only a second event of a chat already in the batch flushes what came before.
    # A clash between chats (two random tracking numbers alike) fails the flush: all answered alone.
    with db.session.no_autoflush:
        for held, event in zip(waiting, events, strict=True):
            chat = line_events.chat_target(event)
            if chat in unflushed:
                db.session.flush()
                unflushed.clear()
            unflushed.add(chat)
            decided.append((held, *_decision(held, event, conversations.get(chat))))
    # Claimed only now, with the same conditions: one another worker took meanwhile is missing from
    # the answer, and the batch goes back to one event at a time (the taker keeps its event).
    if [c.pk for c in claim_all([w.pk for w in waiting])] != [w.pk for w in waiting]:
        return _one_by_one(pks)
    db.session.commit()  # the claims, contexts and replies to send of the whole batch
    try:
        _deliver_all(app, decided)
    except Exception as exc:  # noqa: BLE001 - the database went away: the leases run out and the
        db.session.rollback()  # sweeper sends the stored replies; nothing is decided twice
        log.error("%s answered events not marked: %s", len(decided), type(exc).__name__)
    return []


def _one_by_one(pks: list[int]) -> list[int]:
    """Drop what the batch did so far; its events are answered alone."""
    db.session.rollback()
    return list(pks)


def _deliver_all(app: Flask, decided: list[tuple[Claimed, ChatMessage | None, str | None]]) -> None:
    """Send each stored reply, then mark the events and replies in one commit; an event whose
    sending broke is left for a retry, alone."""
    _after_earlier_replies([outgoing for _, outgoing, _ in decided if outgoing is not None])
    finished, broken = [], []
    for held, outgoing, token in decided:
        try:
            if outgoing is not None:
                _deliver(outgoing, token)
            finished.append(held.pk)
        except Exception as exc:  # noqa: BLE001 - one reply's fault is that event's alone
            broken.append((held.pk, exc))
    finish_all(finished)
    for pk, exc in broken:
        _failed(app, pk, exc)


def _keep_loaded() -> None:
    """The answering session keeps its objects loaded across commits: the reply just committed is sent
    and marked without reading it back (a session lives for one event or one batch)."""
    db.session().expire_on_commit = False


def _failed(app: Flask, pk: int, exc: Exception) -> None:
    status, attempts = db.session.execute(
        select(WebhookEvent.status, WebhookEvent.attempts).where(WebhookEvent.id == pk)
    ).one()
    if status != "processing":  # the failed attempt's claim was rolled back with it: count it here
        attempts += 1
    gave_up = attempts >= app.config["EVENT_MAX_ATTEMPTS"]
    # Retried by the sweeper after a pause that grows with each attempt.
    retry_at = utcnow() + timedelta(seconds=min(300, 5 * 2**attempts))
    finish(pk, "failed" if gave_up else "pending", type(exc).__name__, attempts=attempts, locked_until=retry_at)
    log.error("event %s attempt %s failed: %s", pk, attempts, type(exc).__name__)


def _answer(pk: int) -> bool:
    """Claim, decide and store the reply in one transaction, then send it. False: not ours to answer."""
    held = None
    for attempt in range(CONTEXT_RETRIES):
        # A retry after the claim was committed early (a decision that called LINE) finds it still ours.
        claimed = claim(pk) or (held and _still_ours(held))
        if not claimed:
            db.session.rollback()
            return False
        held = claimed
        try:
            outgoing, token = _decide(claimed)
            db.session.commit()  # the claim, the context and the reply to send, together
            break
        except (StaleDataError, IntegrityError):
            # Another process answered this chat meanwhile (its context moved on, or it wrote the same
            # survey answer or conversation first): decide again on the fresh state.
            db.session.rollback()
            if attempt == CONTEXT_RETRIES - 1:
                raise
    if outgoing is not None:
        _after_earlier_replies([outgoing])
        _deliver(outgoing, token)
    return True


def _after_earlier_replies(outgoing: list[ChatMessage]) -> None:
    """Return once no other worker is still sending an earlier reply in these replies' chats (or after
    SEND_ORDER_WAIT): the citizen then reads the answers in the order asked.

    A worker commits its replies before sending them, and another one answering the same chat's next
    message can only decide after that commit (it waits on the chat's row, or finds its context stale),
    so the two sends could otherwise race. Replies of events no one is working on now (a failed one
    waiting for its retry) are not waited for; nor is a stalled sender, for long.
    """
    first: dict[int, int] = {}
    for message in outgoing:
        first[message.conversation_id] = min(message.id, first.get(message.conversation_id, message.id))
    deadline = time.monotonic() + SEND_ORDER_WAIT
    while first:
        sending = db.session.execute(_sending_statement(), {"chats": list(first), "now": utcnow()}).all()
        behind = {chat for chat, other in sending if other < first[chat]}
        first = {chat: mine for chat, mine in first.items() if chat in behind}
        if not first or time.monotonic() >= deadline:
            return
        db.session.commit()  # nothing to write: the next look sees what the other worker committed since
        time.sleep(0.01)


@cache
def _sending_statement():
    """The replies other workers are sending now in some chats: decided, committed, not yet marked sent."""
    return (
        select(ChatMessage.conversation_id, ChatMessage.id)
        .join(WebhookEvent, WebhookEvent.event_id == ChatMessage.event_id)
        .where(
            ChatMessage.conversation_id.in_(bindparam("chats", expanding=True)),
            ChatMessage.direction == "out",
            ChatMessage.status == "pending",
            WebhookEvent.status == "processing",
            WebhookEvent.locked_until > bindparam("now"),
        )
    )


def _deliver(outgoing: ChatMessage, token: str | None) -> None:
    confidential = bool(outgoing.body and outgoing.body.get("confidential"))
    send(outgoing, token)
    if confidential:  # delivered or not, a corruption report's turn leaves no row in the chat
        db.session.delete(outgoing)


def _still_ours(held: Claimed) -> Claimed | None:
    status, attempts = db.session.execute(
        select(WebhookEvent.status, WebhookEvent.attempts).where(WebhookEvent.id == held.pk)
    ).one()
    return held if status == "processing" and attempts == held.attempts else None


def _decide(claimed: Claimed) -> tuple[ChatMessage | None, str | None]:
    if claimed.attempts > 1:
        # A retry: if the reply was already decided (the worker died before sending), send that one.
        stored = db.session.scalar(
            select(ChatMessage).where(ChatMessage.event_id == claimed.event_id, ChatMessage.direction == "out")
        )
        if stored is not None:
            return (stored if stored.status != "sent" else None), None
    return _decision(claimed, line_events.parse(claimed.payload))


def _decision(
    claimed: Claimed, event, conversation: Conversation | None = None
) -> tuple[ChatMessage | None, str | None]:
    """The reply to a first attempt at the event (added to the session, not flushed) and the reply token
    still fit to use; `conversation`: the event's chat's, when the caller has read it already."""
    target = line_events.chat_target(event)
    if target is None:
        return None, None
    conversation = conversation or line_events.conversation_for(target)
    if line_events.asks_line_to_decide(event):
        # Never hold the claim's row (or SQLite's write lock) across an HTTP call to LINE.
        db.session.commit()
    # Nothing is written while deciding: on SQLite a flushed write would hold the database's
    # single write lock through the whole answer and stall every other worker and the ack.
    with db.session.no_autoflush:
        reply = line_events.reply_for(event, conversation, current_app.config["GROUP_REPLY_MODE"])
        if reply is None:
            return None, None
        outgoing = _outgoing(conversation, reply, claimed.event_id)
    age = (utcnow() - as_utc(claimed.received_at)).total_seconds()
    token = getattr(event, "reply_token", None)
    return outgoing, (token if age < current_app.config["REPLY_TOKEN_TTL"] else None)


def _outgoing(conversation: Conversation, reply: Reply, event_id: str) -> ChatMessage:
    message = ChatMessage.outgoing(
        conversation, reply, event_id=event_id, status="pending", retry_key=str(uuid.uuid4())
    )
    db.session.add(message)
    return message


def send(message: ChatMessage, reply_token: str | None = None) -> None:
    """Reply while the token is fresh, else (or when LINE refuses it) push once with the retry key.

    Records the outcome on the message; the caller commits it (with the event's own status).
    """
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


def _sent(message: ChatMessage) -> None:
    message.status, message.sent_at, message.last_error = "sent", utcnow(), None


def resend_failed(message_id: int) -> str:
    """Send a reply that LINE never accepted once more, as a push with its own retry key; say how it went."""
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.direction != "out":
        return "no such reply"
    if message.status != "failed":
        return f"not resent: it is {message.status}"
    if message.resent:
        return "not resent: it was resent once already"
    message.resent = True
    send(message)
    db.session.commit()
    return message.status if message.status == "sent" else f"failed again ({message.last_error})"
