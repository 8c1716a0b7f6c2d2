"""CSV of cases and of survey responses, for the coordinator's own analysis in Excel.

UTF-8 with a byte-order mark so Excel shows Thai; every text cell that a spreadsheet would read as a formula
(= + - @, tab, carriage return at its start) gets a leading apostrophe. Cases never carry the reporter's
identity; a corruption report carries no description, place or time of day. Responses carry scores only: no
LINE id, no conversation, no free-text comment (a comment may name the citizen).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import func, select

from admin.documents.context import phrase
from models import Complaint, SurveyAnswer, SurveyQuestion, SurveyResponse, User, db
from models.periods import english_date, thai_date
from models.types import as_utc

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 200  # rows between two progress reports

Progress = Callable[[int, int], None]


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: list[str], rows: Iterable[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _when(moment: datetime | None, lang: str, with_time: bool = True) -> str | None:
    if moment is None:
        return None
    return (thai_date if lang == "th" else english_date)(moment, with_time)


def cases_csv(
    agency_id: int, start: datetime, end: datetime, lanes: tuple[str, ...], lang: str, progress: Progress
) -> bytes:
    """The agency's cases filed in [start, end) of the lanes given (the caller decides which the user may see)."""
    scope = [
        Complaint.agency_id == agency_id,
        Complaint.lane.in_(lanes),
        Complaint.filed_at >= as_utc(start),
        Complaint.filed_at < as_utc(end),
    ]
    total = db.session.scalar(select(func.count()).select_from(Complaint).where(*scope)) or 0
    progress(0, total)
    header = [
        phrase("exports.csv.cases", key, lang)
        for key in (
            "tracking_no",
            "lane",
            "category",
            "indicators",
            "status",
            "channel",
            "filed",
            "due",
            "updated",
            "assigned",
            "place",
            "address",
            "description",
        )
    ]
    staff = select(User.id, func.coalesce(User.full_name, User.username)).subquery()
    query = (
        select(Complaint, staff.c[1])
        .outerjoin(staff, staff.c.id == Complaint.assigned_to_id)
        .where(*scope)
        .order_by(Complaint.filed_at, Complaint.id)
        .execution_options(yield_per=BATCH)
    )

    def rows():
        for index, (case, assignee) in enumerate(db.session.execute(query), start=1):
            general = case.lane == "general"
            yield [
                case.tracking_no,
                phrase("complaint.lane", case.lane, lang),
                phrase("complaint.category", case.category, lang),
                " ".join(str(n) for n in case.indicators),
                phrase("case.status", case.status, lang),
                case.channel,
                _when(case.filed_at, lang, with_time=general),
                _when(case.due_at, lang, with_time=False),
                _when(case.updated_at, lang, with_time=general),
                assignee,
                case.place if general else None,
                case.address if general else None,
                case.description if general else None,
            ]
            if index % BATCH == 0:
                progress(index, total)
        progress(total, total)

    return write_csv(header, rows())


def responses_csv(agency_id: int, start: datetime, end: datetime, lang: str, progress: Progress) -> bytes:
    """One row per survey response given in [start, end) (completed, or started if partial): scores per question."""
    given = func.coalesce(SurveyResponse.completed_at, SurveyResponse.started_at)
    scope = [SurveyResponse.agency_id == agency_id, given >= as_utc(start), given < as_utc(end)]
    total = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(*scope)) or 0
    progress(0, total)
    questions = db.session.execute(
        select(SurveyQuestion.id, SurveyQuestion.code)
        .where(
            SurveyQuestion.id.in_(
                select(SurveyAnswer.question_id)
                .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
                .where(*scope)
            )
        )
        .order_by(SurveyQuestion.position, SurveyQuestion.id)
    ).all()
    position = {question_id: index for index, (question_id, _) in enumerate(questions)}
    header = [
        phrase("exports.csv.responses", key, lang)
        for key in ("number", "period", "status", "channel", "started", "completed")
    ]
    header += [code for _, code in questions]
    responses = db.session.execute(
        select(
            SurveyResponse.id,
            SurveyResponse.period,
            SurveyResponse.status,
            SurveyResponse.channel,
            SurveyResponse.started_at,
            SurveyResponse.completed_at,
        )
        .where(*scope)
        .order_by(SurveyResponse.id)
    ).all()

    def rows():
        for offset in range(0, len(responses), BATCH):
            batch = responses[offset : offset + BATCH]
            scores: dict[int, list] = {row.id: [None] * len(questions) for row in batch}
            for response_id, question_id, score in db.session.execute(
                select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.score).where(
                    SurveyAnswer.response_id.in_(list(scores))
                )
            ):
                scores[response_id][position[question_id]] = score
            for row in batch:
                yield [
                    row.id,
                    row.period,
                    phrase("exports.csv.status", row.status, lang),
                    row.channel,
                    _when(row.started_at, lang),
                    _when(row.completed_at, lang),
                    *scores[row.id],
                ]
            progress(min(offset + BATCH, total), total)
        progress(total, total)

    return write_csv(header, rows())
