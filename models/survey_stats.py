"""Survey statistics for one agency, and estimated EIT indicator scores (6, 7, 8) to set beside the official ones.

Only complete responses count unless include_partial is set; both counts are reported. The database counts
(GROUP BY question and score), so the work does not grow with the number of answers.

Estimate (for the agency's own use; NOT the NACC's formula, which uses its own sample and weights): a question's
mean m on the 1–5 scale maps linearly to 0–100 by (m − 1) / 4 × 100 (1 → 0, 3 → 50, 5 → 100); an indicator's
estimate is the unweighted mean of its questions' mapped scores, questions without answers skipped, None if none
has any. An indicator's `mean` is that of all its answers, so when questions are answered unevenly (partial
responses counted) the estimate is not exactly (mean − 1) / 4 × 100. All values are exact until rounded, half
up, to two places. The official score is the IndicatorScore of the agency's Assessment for the fiscal year asked
for (or the one the period belongs to), None without one.

Published counts: 1–4 show as "<5" so a few citizens cannot be picked out; 0 shows as "0" (an empty cell
identifies nobody, and hiding it would make "no answers" read as "a few").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import distinct, func, or_, select

from models import Assessment, IndicatorScore, SurveyAnswer, SurveyQuestion, SurveyResponse, db
from models.indicators import INDICATORS
from models.periods import split_period
from models.survey import RESPONSE_STATUSES, SCALE, questions_for

EIT_INDICATORS = tuple(n for n, ind in INDICATORS.items() if ind.tool == "eit")  # 6, 7, 8
SMALL_COUNT = 5  # counts below this (but above 0) are published as "<5"


@dataclass
class QuestionStats:
    """One question's answers: how many, their mean and how they spread over 1–5."""

    question_id: int
    code: str
    text_th: str
    text_en: str
    indicator: int
    count: int
    mean: Decimal | None  # 1–5, two places; None without answers
    distribution: dict[int, int]  # score 1..5 → answers, every score present
    mapped: Decimal | None  # the mean on 0–100, (m − 1) / 4 × 100

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_th


@dataclass
class IndicatorStats:
    """One EIT indicator: the survey's estimate of its score beside the official one."""

    indicator: int
    answers: int
    respondents: int
    mean: Decimal | None  # 1–5, mean of all answers
    estimate: Decimal | None  # 0–100, unweighted mean of the questions' mapped scores
    official: Decimal | None  # 0–100, IndicatorScore for the fiscal year
    difference: Decimal | None  # estimate − official


@dataclass
class SurveySummary:
    """What a survey says for one agency and period, ready for a report or the admin page."""

    agency_id: int
    fiscal_year: int | None
    period: str | None
    include_partial: bool
    responses: int  # complete responses
    partial: int  # partial responses (counted only with include_partial)
    questions: list[QuestionStats]
    indicators: list[IndicatorStats]  # 6, 7, 8, always all three

    @property
    def counted(self) -> int:
        """The responses the statistics are computed from."""
        return self.responses + (self.partial if self.include_partial else 0)

    def indicator(self, number: int) -> IndicatorStats | None:
        return next((row for row in self.indicators if row.indicator == number), None)

    def question(self, code: str) -> QuestionStats | None:
        return next((row for row in self.questions if row.code == code), None)


def published_mean(value, people: int):
    """A mean or estimate as published: none for 1–4 people, whose answers it would reveal (like the counts' "<5")."""
    return None if 0 < people < SMALL_COUNT else value


def published_count(n: int) -> str:
    """A count as published: 1–4 become "<5" so that few respondents cannot be identified; 1,234 otherwise."""
    if n < 0:
        raise ValueError(f"a count cannot be negative: {n}")
    return "<5" if 0 < n < SMALL_COUNT else f"{n:,}"


def two_places(value: Fraction) -> Decimal:
    """Round an exact non-negative value half up to two places, once, at the end."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)


def mapped_score(mean: Fraction) -> Fraction:
    """A 1–5 mean on the ITA's 0–100 scale."""
    return (mean - 1) / 4 * 100


def survey_summary(
    agency_id: int,
    fiscal_year: int | None = None,
    period: str | None = None,
    include_partial: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
    official_year: int | None = None,
) -> SurveySummary:
    """The agency's survey statistics for a fiscal year (all its periods) or one exact period, or for all time.

    start/end (end excluded) keep the responses given in that time (completed, or started for a partial one),
    whatever survey period they were filed under: a measure's six-month evidence when the survey runs yearly.
    official_year names the assessment whose scores stand beside the estimates (default: the fiscal year or
    the period's year), for a summary asked by start/end alone.
    """
    scope = [SurveyResponse.agency_id == agency_id]
    given = func.coalesce(SurveyResponse.completed_at, SurveyResponse.started_at)
    if start is not None:
        scope.append(given >= start.astimezone(UTC))  # stored in UTC (SQLite compares the text)
    if end is not None:
        scope.append(given < end.astimezone(UTC))
    if fiscal_year is not None:
        scope.append(or_(SurveyResponse.period == str(fiscal_year), SurveyResponse.period.like(f"{fiscal_year}-%")))
    if period is not None:
        scope.append(SurveyResponse.period == period)
    statuses = RESPONSE_STATUSES if include_partial else ("complete",)
    counted = [*scope, SurveyResponse.status.in_(statuses)]

    by_status = dict(
        db.session.execute(
            select(SurveyResponse.status, func.count()).where(*scope).group_by(SurveyResponse.status)
        ).all()
    )
    cells = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.score, func.count())
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(*counted)
        .group_by(SurveyAnswer.question_id, SurveyAnswer.score)
    ).all()
    per_indicator = db.session.execute(
        select(
            SurveyQuestion.indicator,
            func.count(),
            func.count(distinct(SurveyAnswer.response_id)),
            func.sum(SurveyAnswer.score),
        )
        .select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(*counted)
        .group_by(SurveyQuestion.indicator)
    ).all()

    distributions: dict[int, dict[int, int]] = {}
    for question_id, score, n in cells:
        distributions.setdefault(question_id, dict.fromkeys(SCALE, 0))[score] = n
    # The agency's current questions, plus any retired one that still has answers in scope.
    ids = {q.id for q in questions_for(agency_id)} | set(distributions)
    rows = db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.id.in_(ids)).order_by(SurveyQuestion.position, SurveyQuestion.id)
    ).all()

    questions, means = [], {}
    for q in rows:
        spread = distributions.get(q.id, dict.fromkeys(SCALE, 0))
        count = sum(spread.values())
        mean = Fraction(sum(s * n for s, n in spread.items()), count) if count else None
        if mean is not None:
            means.setdefault(q.indicator, []).append(mean)
        questions.append(
            QuestionStats(
                question_id=q.id,
                code=q.code,
                text_th=q.text_th,
                text_en=q.text_en,
                indicator=q.indicator,
                count=count,
                mean=two_places(mean) if mean is not None else None,
                distribution=spread,
                mapped=two_places(mapped_score(mean)) if mean is not None else None,
            )
        )

    totals = {row[0]: (row[1], row[2], int(row[3])) for row in per_indicator}
    year = official_year if official_year is not None else fiscal_year
    year = year if year is not None else split_period(period)[0]
    official = _official_scores(agency_id, year) if year is not None else {}

    indicators = []
    for number in EIT_INDICATORS:
        answers, respondents, total = totals.get(number, (0, 0, 0))
        found = means.get(number)
        estimate = two_places(sum(map(mapped_score, found), Fraction(0)) / len(found)) if found else None
        score = official.get(number)
        indicators.append(
            IndicatorStats(
                indicator=number,
                answers=answers,
                respondents=respondents,
                mean=two_places(Fraction(total, answers)) if answers else None,
                estimate=estimate,
                official=score,
                difference=estimate - score if estimate is not None and score is not None else None,
            )
        )
    return SurveySummary(
        agency_id=agency_id,
        fiscal_year=fiscal_year,
        period=period,
        include_partial=include_partial,
        responses=by_status.get("complete", 0),
        partial=by_status.get("partial", 0),
        questions=questions,
        indicators=indicators,
    )


def _official_scores(agency_id: int, fiscal_year: int) -> dict[int, Decimal]:
    """The published EIT indicator scores of the agency's assessment for that year."""
    return dict(
        db.session.execute(
            select(IndicatorScore.indicator_no, IndicatorScore.score)
            .join(Assessment, IndicatorScore.assessment_id == Assessment.id)
            .where(
                Assessment.agency_id == agency_id,
                Assessment.fiscal_year == fiscal_year,
                IndicatorScore.indicator_no.in_(EIT_INDICATORS),
            )
        ).all()
    )
