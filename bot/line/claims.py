"""A recorded event's claim and outcome: which worker answers it, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, or_, select, text, update

from bot.line import events as line_events
from models import WebhookEvent, db
from models.types import utcnow
from models.webhook import forgotten_when_finished


@dataclass
class Claimed:
    pk: int
    event_id: str
    payload: dict
    received_at: datetime
    attempts: int


def claim(pk: int) -> Claimed | None:
    """Take the event for this worker unless another has it or it is finished."""
    claimed = claim_all([pk])
    return claimed[0] if claimed else None


def claim_all(pks: list[int]) -> list[Claimed]:
    """Take, in one statement, those of the events no other worker has and that are not finished;
    in the order given.

    Not committed here: the claim commits together with the decision. A worker in another process
    trying the same event waits on the row (PostgreSQL) or the write lock (SQLite), then finds it taken.
    """
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["EVENT_LEASE_SECONDS"])
    relaxed_commit()
    rows = db.session.execute(_claim_statement(), {"pks": pks, "lease": lease, **_claimable_params(now)}).all()
    return _in_order(rows, pks)


# The answering path's statements are built once (parameters bound at each call): building a
# statement costs more CPU than SQLite takes to run it.


@cache
def _claim_statement():
    events = WebhookEvent.__table__  # a plain UPDATE: no objects of the session to keep in step
    return (
        update(events)
        .where(events.c.id.in_(bindparam("pks", expanding=True)), *_claimable_now())
        .values(status="processing", attempts=events.c.attempts + 1, locked_until=bindparam("lease"))
        .returning(*_claimed_columns())
    )


def claimable(pks: list[int]) -> list[Claimed]:
    """Those of the events a worker may take now, with every other event their chats have waiting,
    in the order LINE sent them (read only: nothing is locked); `attempts` as before any claim (0: never tried).

    A citizen's next message may be queued in another process while this one holds the first (or the
    other way round): whichever worker comes first answers both, in order, and the other finds them taken.
    """
    rows = db.session.execute(_claimable_statement(), {"pks": pks, **_claimable_params(utcnow())}).all()
    return [Claimed(*row) for row in rows]


@cache
def _claimable_statement():
    c = WebhookEvent.__table__.c
    pks = bindparam("pks", expanding=True)
    return (
        select(*_claimed_columns())
        .where(or_(c.id.in_(pks), c.chat.in_(line_events.chats_of(pks))), *_claimable_now())
        .order_by(c.event_ts, c.id)
    )


def _claimed_columns() -> tuple:
    """What a worker reads of an event it takes, in the order of Claimed's fields."""
    c = WebhookEvent.__table__.c
    return c.id, c.event_id, c.payload, c.received_at, c.attempts


def _claimable_now() -> tuple:
    """Not finished, attempts left, and no other worker's lease running (at `now`; see _claimable_params)."""
    c = WebhookEvent.__table__.c
    return (
        c.attempts < bindparam("most_attempts"),
        or_(c.status == "pending", (c.status == "processing") & (c.locked_until < bindparam("now"))),
    )


def _claimable_params(now: datetime) -> dict:
    return {"now": now, "most_attempts": current_app.config["EVENT_MAX_ATTEMPTS"]}


def _in_order(rows, pks: list[int]) -> list[Claimed]:
    """The rows found, as Claimed, in the order of `pks` (each once)."""
    by_pk = {row[0]: Claimed(*row) for row in rows}
    return [by_pk[pk] for pk in dict.fromkeys(pks) if pk in by_pk]


def relaxed_commit() -> None:
    """PostgreSQL: this transaction's commit need not wait for its WAL flush.

    Only for answering, never for the ack: if PostgreSQL itself crashed, the last few milliseconds
    of answering could be undone and the event answered again (at least once, as designed); the
    recorded event LINE was told about is never at risk.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def finish(pk: int, status: str, error: str | None, **values) -> None:
    """The event's outcome, committed with whatever the send recorded on the reply.

    A finished event keeps its id, type and times but not the body LINE sent: what the citizen said
    is in the conversation (or, for a corruption report, nowhere), and the body would link it to them.
    """
    finish_all([pk], status, error, **values)


def finish_all(pks: list[int], status: str = "done", error: str | None = None, **values) -> None:
    relaxed_commit()
    if not pks:
        db.session.commit()
        return
    if status in ("done", "failed"):
        values.update(forgotten_when_finished())
    events = WebhookEvent.__table__
    db.session.execute(
        update(events)
        .where(events.c.id.in_(pks))
        .values(status=status, last_error=error, processed_at=utcnow(), **values)
    )
    db.session.commit()
