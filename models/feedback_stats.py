"""Feedback statistics for one agency over a time window: complaints, handoffs, satisfaction, participation.

Windows are [start, end) of tz-aware datetimes (models.periods.period_bounds gives them; a naive value is
taken as UTC). Stored datetimes are UTC; SQLite keeps them as naive text, so every bound is turned into UTC
before it is compared, which reads the same on SQLite and PostgreSQL. Periods ("2569-M01" …) are Bangkok
months, and every period of the window is listed, empty ones with 0.

The database counts (GROUP BY; periods through a CASE over the period bounds), so the work does not grow with
the rows read into Python. Medians come from the database too: the middle one or two durations, by ORDER BY
with OFFSET.

A corruption report keeps only the day it was filed (bot.casework), also in its status history: fine for
counts, and its resolution time is in whole days.

Durations and means are exact until rounded, half up, to two places.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import and_, case, distinct, false, func, literal, select, union

from models import (
    Agency,
    ChatMessage,
    Complaint,
    ComplaintUpdate,
    Conversation,
    Handoff,
    SurveyAnswer,
    SurveyResponse,
    db,
)
from models.complaint import CATEGORIES, CLOSED_STATUSES, LANES, STATUSES, indicator_clause
from models.conversation import CHANNELS
from models.handoff import HANDOFF_REASONS
from models.periods import PERIOD_KINDS, period_bounds, period_key
from models.types import as_utc, utcnow

__all__ = [
    "ComplaintStats",
    "HandoffStats",
    "ParticipationStats",
    "SatisfactionPoint",
    "complaint_stats",
    "handoff_stats",
    "participation_stats",
    "periods_between",
    "satisfaction_over_time",
]


@dataclass
class ComplaintStats:
    """Complaints filed in the window, by where they stand now."""

    total: int
    by_lane: dict[str, int]  # every lane, 0 included (lanes not asked for stay 0)
    by_category: dict[str, int]  # every category of the lanes asked, 0 included
    by_status: dict[str, int]  # every status: where the cases filed in the window stand now
    by_indicator: dict[int, int]  # a case counts once for each indicator its category concerns
    by_month: list[tuple[str, int]]  # ('2569-M01', n) for every month of the window
    closed: int  # now resolved, rejected or forwarded
    resolution_hours_median: Decimal | None  # filed → first closing update, of the closed cases
    resolution_hours_mean: Decimal | None
    open_overdue: int  # past due_at (now) and not closed
    timed: int = 0  # closed cases with a closing update: what the resolution times are computed from
    lanes: tuple[str, ...] = LANES
    category_lane: dict[str, str] = field(default_factory=dict)  # category → its lane


@dataclass
class HandoffStats:
    """Chats handed to staff, opened in the window."""

    opened: int
    closed: int  # of those opened, closed now
    still_open: int
    by_reason: dict[str, int]  # every reason, 0 included
    answered: int  # staff replied (first_response_at set)
    first_response_seconds_median: Decimal | None
    first_response_seconds_mean: Decimal | None
    rated: int
    rating_mean: Decimal | None  # 1–5
    by_month: list[tuple[str, int]]
    by_closed_by: dict[str, int] = field(default_factory=dict)  # staff | citizen | idle


@dataclass
class SatisfactionPoint:
    period: str  # '2569-M01', '2569-Q1' …
    responses: int  # complete responses completed in the period
    mean: Decimal | None  # 1–5, of all their answers


@dataclass
class ParticipationStats:
    """Who took part in the window. Participants are distinct conversations; corruption reports are apart."""

    participants: int
    by_channel: dict[str, int]  # participants per channel (line, web)
    questions: int  # incoming messages to the bot
    survey_responses: int  # complete, by completion time
    complaints_general: int
    corruption_reports: int  # cannot be linked to anyone: never in participants
    handoffs: int
    asked: int = 0  # conversations that wrote to the bot
    corruption_by_channel: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------- helpers


def _window(column, start: datetime, end: datetime):
    return and_(column >= as_utc(start), column < as_utc(end))


def periods_between(start: datetime, end: datetime, kind: str = "month") -> list[tuple[str, datetime, datetime]]:
    """Every period of a kind that overlaps [start, end), each with its bounds clipped to the window."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r}")
    out = []
    start, end = as_utc(start), as_utc(end)
    cursor = start
    while cursor < end:
        key = period_key(cursor, kind)
        first, after = period_bounds(key)
        out.append((key, max(first, start), min(after, end)))
        cursor = after
    return out


def _period_of(column, buckets: list[tuple[str, datetime, datetime]]):
    """A CASE naming the period a row falls in (rows are already limited to the window)."""
    if not buckets:
        return literal(None)
    return case(*[(column < as_utc(after), literal(key)) for key, _, after in buckets], else_=literal(None))


def _by_period(column, scope: list, start: datetime, end: datetime, kind: str = "month") -> list[tuple[str, int]]:
    buckets = periods_between(start, end, kind)
    if not buckets:
        return []
    rows = select(_period_of(column, buckets).label("period")).where(*scope, _window(column, start, end)).subquery()
    counted = dict(db.session.execute(select(rows.c.period, func.count()).group_by(rows.c.period)).all())
    return [(key, counted.get(key, 0)) for key, _, _ in buckets]


def _seconds_between(later, earlier):
    """later − earlier in seconds, as the database in use computes it."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _median_and_mean(durations) -> tuple[int, Fraction | None, Fraction | None]:
    """Count, median and mean of a one-column subquery of numbers, computed by the database."""
    value = durations.c.seconds
    n, mean = db.session.execute(select(func.count(value), func.avg(value))).one()
    if not n:
        return 0, None, None
    middle = db.session.scalars(select(value).order_by(value).offset((n - 1) // 2).limit(2 - n % 2)).all()
    median = sum((Fraction(str(v)) for v in middle), Fraction(0)) / len(middle)
    return n, median, Fraction(str(mean))


def _places(value: Fraction | None, unit: int = 1) -> Decimal | None:
    """value / unit rounded half up to two places."""
    if value is None:
        return None
    exact = value / unit
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _mean(total, count) -> Decimal | None:
    return _places(Fraction(int(total), int(count))) if count else None


# -------------------------------------------------------------------------------------------- complaints


def complaint_scope(
    agency_id: int,
    start: datetime,
    end: datetime,
    lanes: tuple[str, ...] = LANES,
    indicators: Iterable[int] | None = None,
) -> list:
    """The WHERE clauses of the complaints filed in the window (for callers that list them, e.g. cases)."""
    scope = [
        Complaint.agency_id == agency_id,
        Complaint.lane.in_(tuple(lanes)),
        _window(Complaint.filed_at, start, end),
    ]
    if indicators is not None:
        scope.append(indicator_clause(lanes, indicators))
    return scope


def complaint_stats(
    agency_id: int,
    start: datetime,
    end: datetime,
    lanes: tuple[str, ...] = LANES,
    indicators: Iterable[int] | None = None,
    now: datetime | None = None,
) -> ComplaintStats:
    """The agency's complaints filed in [start, end): counts, where they stand, and how long closing took."""
    lanes = tuple(lanes)
    wanted = set(indicators) if indicators is not None else None
    scope = complaint_scope(agency_id, start, end, lanes, wanted)

    cells = db.session.execute(
        select(Complaint.lane, Complaint.category, Complaint.status, func.count())
        .where(*scope)
        .group_by(Complaint.lane, Complaint.category, Complaint.status)
    ).all()
    by_lane = dict.fromkeys(LANES, 0)
    category_lane = {c: lane for lane in lanes for c in CATEGORIES.get(lane, {})}
    by_category = dict.fromkeys(category_lane, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    indicator_keys = sorted(
        {i for lane in lanes for inds in CATEGORIES.get(lane, {}).values() for i in inds}
        & (wanted if wanted is not None else set(range(1, 11)))
    )
    by_indicator = dict.fromkeys(indicator_keys, 0)
    total = 0
    for lane, category, status, n in cells:
        total += n
        by_lane[lane] = by_lane.get(lane, 0) + n
        by_category[category] = by_category.get(category, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        for number in CATEGORIES.get(lane, {}).get(category, ()):
            if number in by_indicator:
                by_indicator[number] += n

    first_close = (
        select(ComplaintUpdate.complaint_id, func.min(ComplaintUpdate.created_at).label("closed_at"))
        .where(ComplaintUpdate.status.in_(CLOSED_STATUSES))
        .group_by(ComplaintUpdate.complaint_id)
        .subquery()
    )
    durations = (
        select(_seconds_between(first_close.c.closed_at, Complaint.filed_at).label("seconds"))
        .join(first_close, first_close.c.complaint_id == Complaint.id)
        .where(*scope, Complaint.status.in_(CLOSED_STATUSES))
        .subquery()
    )
    timed, median, mean = _median_and_mean(durations)
    overdue = db.session.scalar(select(func.count()).where(*scope, Complaint.overdue_at(as_utc(now or utcnow()))))
    return ComplaintStats(
        total=total,
        by_lane=by_lane,
        by_category=by_category,
        by_status=by_status,
        by_indicator=by_indicator,
        by_month=_by_period(Complaint.filed_at, scope[:2] + scope[3:], start, end),
        closed=sum(by_status.get(s, 0) for s in CLOSED_STATUSES),
        resolution_hours_median=_places(median, 3600),
        resolution_hours_mean=_places(mean, 3600),
        open_overdue=overdue or 0,
        timed=timed,
        lanes=lanes,
        category_lane=category_lane,
    )


# ---------------------------------------------------------------------------------------------- handoffs


def handoff_stats(agency_id: int, start: datetime, end: datetime) -> HandoffStats:
    """Chats handed to the agency's staff, opened in [start, end), and how fast staff first answered."""
    base = [Handoff.agency_id == agency_id]
    scope = [*base, _window(Handoff.opened_at, start, end)]
    row = db.session.execute(
        select(
            func.count(),
            func.count(case((Handoff.status == "closed", 1))),
            func.count(Handoff.first_response_at),
            func.count(Handoff.rating),
            func.sum(Handoff.rating),
        ).where(*scope)
    ).one()
    opened, closed, answered, rated, rating_sum = row
    by_reason = dict.fromkeys(HANDOFF_REASONS, 0)
    by_reason.update(
        db.session.execute(select(Handoff.reason, func.count()).where(*scope).group_by(Handoff.reason)).all()
    )
    by_closed_by = dict(
        db.session.execute(
            select(Handoff.closed_by, func.count())
            .where(*scope, Handoff.closed_by.is_not(None))
            .group_by(Handoff.closed_by)
        ).all()
    )
    durations = (
        select(_seconds_between(Handoff.first_response_at, Handoff.opened_at).label("seconds"))
        .where(*scope, Handoff.first_response_at.is_not(None))
        .subquery()
    )
    _, median, mean = _median_and_mean(durations)
    return HandoffStats(
        opened=opened,
        closed=closed,
        still_open=opened - closed,
        by_reason=by_reason,
        answered=answered,
        first_response_seconds_median=_places(median),
        first_response_seconds_mean=_places(mean),
        rated=rated,
        rating_mean=_mean(rating_sum or 0, rated),
        by_month=_by_period(Handoff.opened_at, base, start, end),
        by_closed_by=by_closed_by,
    )


# ------------------------------------------------------------------------------------------ satisfaction


def satisfaction_over_time(
    agency_id: int, start: datetime, end: datetime, kind: str = "month"
) -> list[SatisfactionPoint]:
    """Complete survey responses per period by their completion time, with the mean of all their answers."""
    buckets = periods_between(start, end, kind)
    if not buckets:
        return []
    scope = [
        SurveyResponse.agency_id == agency_id,
        SurveyResponse.status == "complete",
        _window(SurveyResponse.completed_at, start, end),
    ]
    # Periods are named in a subquery: PostgreSQL would not match a CASE with bound values in GROUP BY.
    rows = (
        select(SurveyResponse.id.label("id"), _period_of(SurveyResponse.completed_at, buckets).label("period"))
        .where(*scope)
        .subquery()
    )
    responses = dict(db.session.execute(select(rows.c.period, func.count()).group_by(rows.c.period)).all())
    answers = {
        key: (total, n)
        for key, n, total in db.session.execute(
            select(rows.c.period, func.count(SurveyAnswer.id), func.sum(SurveyAnswer.score))
            .join(SurveyAnswer, SurveyAnswer.response_id == rows.c.id)
            .group_by(rows.c.period)
        ).all()
    }
    return [
        SatisfactionPoint(
            period=key,
            responses=responses.get(key, 0),
            mean=_mean(*answers[key]) if key in answers else None,
        )
        for key, _, _ in buckets
    ]


# ----------------------------------------------------------------------------------------- participation


def bot_conversation_scope(agency_id: int) -> list:
    """Which conversations' questions count for the agency.

    A chat message names no agency. On an OA fixed to an agency (DEFAULT_AGENCY) every conversation is that
    agency's and no other's; with a single agency every conversation is its own; otherwise a conversation
    counts when the agency it last talked about (its context) is this one — an approximation.
    """
    slug = db.session.scalar(select(Agency.slug).where(Agency.id == agency_id))
    fixed = current_app.config.get("DEFAULT_AGENCY")
    if fixed:
        return [] if fixed == slug else [false()]
    if db.session.scalar(select(func.count(Agency.id))) == 1:
        return []
    return [Conversation.context["agency"].as_string() == slug]


def participation_stats(agency_id: int, start: datetime, end: datetime) -> ParticipationStats:
    """How many citizens took part in [start, end), and how: asked, answered the survey, complained, talked."""
    bot_scope = bot_conversation_scope(agency_id)
    asked = (
        select(ChatMessage.conversation_id.label("conversation_id"))
        .join(Conversation, ChatMessage.conversation_id == Conversation.id)
        .where(*bot_scope, ChatMessage.direction == "in", _window(ChatMessage.created_at, start, end))
    )
    surveyed = select(SurveyResponse.conversation_id).where(
        SurveyResponse.agency_id == agency_id,
        SurveyResponse.status == "complete",
        _window(SurveyResponse.completed_at, start, end),
    )
    general = [Complaint.agency_id == agency_id, _window(Complaint.filed_at, start, end)]
    complained = select(Complaint.conversation_id).where(*general, Complaint.lane == "general")
    handed = select(Handoff.conversation_id).where(
        Handoff.agency_id == agency_id, _window(Handoff.opened_at, start, end)
    )

    everyone = union(asked, surveyed, complained, handed).subquery()
    by_channel = dict.fromkeys(CHANNELS, 0)
    by_channel.update(
        db.session.execute(
            select(Conversation.channel, func.count(distinct(Conversation.id)))
            .join(everyone, everyone.c.conversation_id == Conversation.id)
            .group_by(Conversation.channel)
        ).all()
    )

    def count(query) -> int:
        return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    corruption_by_channel = dict.fromkeys(CHANNELS, 0)
    corruption_by_channel.update(
        db.session.execute(
            select(Complaint.channel, func.count())
            .where(*general, Complaint.lane == "corruption")
            .group_by(Complaint.channel)
        ).all()
    )
    return ParticipationStats(
        participants=sum(by_channel.values()),
        by_channel=by_channel,
        questions=count(asked),
        survey_responses=count(surveyed),
        complaints_general=count(complained),
        corruption_reports=sum(corruption_by_channel.values()),
        handoffs=count(handed),
        asked=db.session.scalar(select(func.count(distinct(asked.subquery().c.conversation_id)))) or 0,
        corruption_by_channel=corruption_by_channel,
    )
