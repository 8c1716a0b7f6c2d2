"""Recovery: events a crashed or stalled worker left behind, taken up again by the sweeper or the
`process-events` command, and the periodic chores beside the sweep."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import select, update

from bot.line import events as line_events
from bot.line.processing import process_event
from models import WebhookEvent, db
from models.types import utcnow
from models.webhook import forgotten_when_finished

log = logging.getLogger(__name__)


def due_events(app: Flask, limit: int = 200) -> list[tuple[int, str]]:
    """Events a crashed or stalled worker left behind, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(WebhookEvent.id, WebhookEvent.payload)
            .where(
                WebhookEvent.status.in_(("pending", "processing")),
                WebhookEvent.locked_until < utcnow(),
                WebhookEvent.attempts < app.config["EVENT_MAX_ATTEMPTS"],
            )
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


def housekeeping(app: Flask) -> None:
    """Periodic chores beside the sweep: idle handoffs closed, refused case notices tried again."""
    from bot.casework import retry_failed_notices
    from bot.handoffs import close_idle

    close_idle(app)
    with app.app_context():
        try:
            give_up_exhausted()
            retry_failed_notices()
        finally:
            db.session.remove()


def give_up_exhausted() -> int:
    """Events a worker died on at their last attempt: no one may claim them, so they are marked
    failed (and their body dropped, like any finished event) instead of lingering."""
    now = utcnow()
    done = db.session.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.status.in_(("pending", "processing")),
            WebhookEvent.attempts >= current_app.config["EVENT_MAX_ATTEMPTS"],
            WebhookEvent.locked_until < now,
        )
        .values(status="failed", last_error="gave up", processed_at=now, **forgotten_when_finished())
    )
    db.session.commit()
    if done.rowcount:
        log.error("%s event(s) gave up after their last attempt", done.rowcount)
    return done.rowcount
