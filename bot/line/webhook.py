"""POST /callback: verify the signature on the raw body, record the events durably, ack, answer later."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import cache

from flask import Blueprint, abort, current_app, request
from linebot.v3.webhook import SignatureValidator
from sqlalchemy.exc import SQLAlchemyError

from bot.line.events import chat_key
from models import WebhookEvent, db
from models.types import insert_for, utcnow

log = logging.getLogger(__name__)
bp = Blueprint("line_webhook", __name__)


@bp.post("/callback")
def callback():
    # Werkzeug answers 413 for bodies over MAX_CONTENT_LENGTH before we read them.
    raw = request.get_data(cache=False)
    secret = current_app.config["LINE_CHANNEL_SECRET"]
    signature = request.headers.get("X-Line-Signature", "")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "body is not UTF-8")
    if not secret or not signature or not SignatureValidator(secret).validate(text, signature):
        abort(400, "invalid signature")
    events = _events_of(text)
    recorded = _record(events)
    dispatcher = current_app.extensions["event_dispatcher"]
    for pk, key in recorded:
        dispatcher.submit(pk, key)
    return "OK"


def _events_of(text: str) -> list[dict]:
    """The events of a signed body; 400 when it is not the shape LINE sends."""
    try:
        body = json.loads(text)
    except ValueError:
        abort(400, "malformed JSON")
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        abort(400, "events must be a list")
    for event in events:
        if not (
            isinstance(event, dict)
            and isinstance(event.get("webhookEventId"), str)
            and 0 < len(event["webhookEventId"]) <= 64
            and isinstance(event.get("type"), str)
            and isinstance(event.get("timestamp"), int)
        ):
            abort(400, "every event needs webhookEventId, type and timestamp")
    return sorted(events, key=lambda e: e["timestamp"])


def _record(events: list[dict]) -> list[tuple[int, str]]:
    """Insert the events not seen before, in one transaction; a redelivered one is skipped."""
    if not events:
        return []
    lease = timedelta(seconds=current_app.config["EVENT_LEASE_SECONDS"])
    now = utcnow()
    stmt = _insert_event(db.engine.dialect.name)
    recorded = []
    try:
        # A plain connection and one statement built once, not the ORM session: the hot path of every webhook.
        with db.engine.begin() as conn:
            for event in events:
                chat = chat_key(event)
                values = {
                    "event_id": event["webhookEventId"],
                    "chat": chat[:64],
                    "type": event["type"][:32],
                    "event_ts": event["timestamp"],
                    "is_redelivery": bool((event.get("deliveryContext") or {}).get("isRedelivery")),
                    "payload": event,
                    "status": "pending",
                    "attempts": 0,
                    "received_at": now,
                    # If no worker has claimed it by then (the process died), the sweeper takes it.
                    "locked_until": now + lease,
                }
                pk = conn.execute(stmt, values).scalar()
                if pk is not None:
                    recorded.append((pk, chat))
    except SQLAlchemyError as exc:
        # 503 so LINE redelivers; nothing from the body goes to the log.
        log.error("could not record webhook events: %s", type(exc).__name__)
        abort(503)
    return recorded


@cache
def _insert_event(dialect: str):
    """INSERT a webhook event unless one with its webhookEventId is already recorded; RETURNING its id."""
    table = WebhookEvent.__table__
    return insert_for(dialect)(table).on_conflict_do_nothing(index_elements=["event_id"]).returning(table.c.id)
