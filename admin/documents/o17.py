"""o17: the satisfaction survey report, written as an agency writes its own: purpose, method, respondents,
results per question and per indicator, summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from decimal import Decimal
from fractions import Fraction
from functools import cache

from sqlalchemy import func, select

from admin.documents.context import Context
from admin.documents.model import Column, Paragraph, Section, Table
from models import Assessment, SurveyResponse, db
from models.conversation import CHANNELS
from models.feedback_stats import satisfaction_over_time
from models.survey_stats import SMALL_COUNT, SurveySummary, published_mean, survey_summary, two_places

PASS_MARK = Decimal(85)  # the score the NACC's results call a pass; below it, a weakness to fix
# Reading a 1–5 mean, as Thai survey reports do: the lowest mean of each level (5 levels of 0.80).
LEVELS = (
    (Decimal("4.21"), "highest"),
    (Decimal("3.41"), "high"),
    (Decimal("2.61"), "medium"),
    (Decimal("1.81"), "low"),
)


def level(mean: Decimal | None) -> str | None:
    if mean is None:
        return None
    return next((name for floor, name in LEVELS if mean >= floor), "lowest")


def sections(ctx: Context) -> list[Callable[[], Section]]:
    @cache
    def summary() -> SurveySummary:
        year = official_year(ctx)
        return survey_summary(ctx.agency.id, start=ctx.start, end=ctx.end, official_year=year)

    return [
        lambda: _purpose(ctx),
        lambda: _method(ctx, summary()),
        lambda: _respondents(ctx, summary()),
        lambda: _per_question(ctx, summary()),
        lambda: _per_indicator(ctx, summary()),
        lambda: _conclusion(ctx, summary()),
    ]


def official_year(ctx: Context) -> int | None:
    """The ITA result the survey stands beside: the fiscal year's own, else the latest one before it."""
    return db.session.scalar(
        select(func.max(Assessment.fiscal_year)).where(
            Assessment.agency_id == ctx.agency.id, Assessment.fiscal_year <= ctx.fiscal_year
        )
    )


def _level_text(ctx: Context, mean: Decimal | None) -> str | None:
    name = level(mean)
    return ctx.part("exports.o17.level", name) if name else None


def _overall_mean(summary: SurveySummary) -> Decimal | None:
    answers = sum(q.count for q in summary.questions)
    if not answers:
        return None
    total = sum(score * n for q in summary.questions for score, n in q.distribution.items())
    return two_places(Fraction(total, answers))


def _purpose(ctx: Context) -> Section:
    section = Section(ctx.t("exports.o17.purpose.heading"), sheet=ctx.t("exports.o17.purpose.sheet"))
    section.add(Paragraph(ctx.t("exports.o17.purpose.intro", agency=ctx.agency_name)))
    for number in (1, 2, 3):
        section.add(Paragraph(ctx.part("exports.o17.purpose", f"item{number}"), style="item"))
    return section


def _method(ctx: Context, summary: SurveySummary) -> Section:
    section = Section(ctx.t("exports.o17.method.heading"), sheet=ctx.t("exports.o17.method.sheet"))
    section.add(Paragraph(ctx.t("exports.o17.method.population", agency=ctx.agency_name, span=ctx.span())))
    section.add(Paragraph(ctx.t("exports.o17.method.tool", questions=len(summary.questions))))
    section.add(Paragraph(ctx.t("exports.o17.method.analysis")))
    section.add(
        Table(
            [Column(ctx.t("exports.o17.method.range"), width=1), Column(ctx.t("exports.o17.method.meaning"), width=2)],
            [
                [ctx.part("exports.o17.range", name), ctx.part("exports.o17.level", name)]
                for name in ("highest", "high", "medium", "low", "lowest")
            ],
        )
    )
    section.add(Paragraph(ctx.t("exports.o17.method.estimate"), style="note"))
    return section


def _respondents(ctx: Context, summary: SurveySummary) -> Section:
    section = Section(ctx.t("exports.o17.respondents.heading"), sheet=ctx.t("exports.o17.respondents.sheet"))
    section.add(
        Paragraph(
            ctx.t(
                "exports.o17.respondents.text",
                span=ctx.span(),
                complete=ctx.count(summary.responses),
                partial=ctx.count(summary.partial),
            )
        )
    )
    given = func.coalesce(SurveyResponse.completed_at, SurveyResponse.started_at)
    by_channel = dict.fromkeys(CHANNELS, 0)
    by_channel.update(
        db.session.execute(
            select(SurveyResponse.channel, func.count())
            .where(
                SurveyResponse.agency_id == ctx.agency.id,
                SurveyResponse.status == "complete",
                given >= ctx.start.astimezone(UTC),
                given < ctx.end.astimezone(UTC),
            )
            .group_by(SurveyResponse.channel)
        ).all()
    )
    section.add(
        Table(
            [
                Column(ctx.t("exports.o17.respondents.channel"), width=3),
                Column(ctx.t("exports.col.people"), "count", 1),
            ],
            [[ctx.part("exports.channel", name), n] for name, n in by_channel.items()],
            total=[ctx.t("exports.col.total"), sum(by_channel.values())],
        )
    )
    points = satisfaction_over_time(ctx.agency.id, ctx.start, ctx.end, "month")
    labels = [label for label, _, _ in ctx.months()]
    section.add(Paragraph(ctx.t("exports.o17.respondents.by_month")))
    section.add(
        Table(
            [
                Column(ctx.t("exports.col.month"), width=2),
                Column(ctx.t("exports.col.responses"), "count", 1),
                Column(ctx.t("exports.col.mean"), "decimal", 1),
            ],
            [
                [label, point.responses, published_mean(point.mean, point.responses)]
                for label, point in zip(labels, points, strict=True)
            ],
        )
    )
    section.add(Paragraph(ctx.t("exports.note.small_means"), style="note"))
    return section


def _per_question(ctx: Context, summary: SurveySummary) -> Section:
    section = Section(ctx.t("exports.o17.questions.heading"), sheet=ctx.t("exports.o17.questions.sheet"))
    section.add(Paragraph(ctx.t("exports.o17.questions.intro")))
    rows = []
    for q in summary.questions:
        mean = published_mean(q.mean, q.count)
        rows.append(
            [
                q.code,
                q.text(ctx.lang),
                q.indicator,
                q.count,
                mean,
                _level_text(ctx, mean),
                published_mean(q.mapped, q.count),
            ]
        )
    overall = published_mean(_overall_mean(summary), summary.responses)
    section.add(
        Table(
            [
                Column(ctx.t("exports.col.code"), width=0.8),
                Column(ctx.t("exports.col.question"), width=5),
                Column(ctx.t("exports.col.indicator"), "number", 1),
                Column(ctx.t("exports.col.responses"), "count", 1.2),
                Column(ctx.t("exports.col.mean"), "decimal", 1.2),
                Column(ctx.t("exports.col.level"), width=1.3),
                Column(ctx.t("exports.col.estimate"), "decimal", 1.4),
            ],
            rows,
            total=["", ctx.t("exports.col.overall"), None, summary.responses, overall, _level_text(ctx, overall), None],
        )
    )
    section.add(Paragraph(ctx.t("exports.note.small_counts"), style="note"))
    section.add(Paragraph(ctx.t("exports.note.small_means"), style="note"))
    return section


def _per_indicator(ctx: Context, summary: SurveySummary) -> Section:
    section = Section(ctx.t("exports.o17.indicators.heading"), sheet=ctx.t("exports.o17.indicators.sheet"))
    year = official_year(ctx)
    if year:
        section.add(Paragraph(ctx.t("exports.o17.indicators.intro", year=year)))
    else:
        section.add(Paragraph(ctx.t("exports.o17.indicators.intro_none")))
    rows = [
        [
            f"{row.indicator} {ctx.part('indicator', f'{row.indicator}.name')}",
            row.respondents,
            row.answers,
            published_mean(row.mean, row.respondents),
            published_mean(row.estimate, row.respondents),
            row.official,
            published_mean(row.difference, row.respondents),
        ]
        for row in summary.indicators
    ]
    section.add(
        Table(
            [
                Column(ctx.t("exports.col.indicator_name"), width=3),
                Column(ctx.t("exports.col.people"), "count", 1.1),
                Column(ctx.t("exports.col.answers"), "count", 1.1),
                Column(ctx.t("exports.col.mean"), "decimal", 1.1),
                Column(ctx.t("exports.col.estimate"), "decimal", 1.3),
                Column(ctx.t("exports.col.official", year=year or "–"), "decimal", 1.3),
                Column(ctx.t("exports.col.difference"), "decimal", 1.1),
            ],
            rows,
        )
    )
    section.add(Paragraph(ctx.t("exports.o17.method.estimate"), style="note"))
    return section


def _conclusion(ctx: Context, summary: SurveySummary) -> Section:
    section = Section(ctx.t("exports.o17.summary.heading"), sheet=ctx.t("exports.o17.summary.sheet"))
    overall = _overall_mean(summary)
    if overall is None or summary.responses < SMALL_COUNT:
        key = "exports.o17.summary.none" if overall is None else "exports.o17.summary.too_few"
        section.add(Paragraph(ctx.t(key, span=ctx.span())))
        section.add(Paragraph(ctx.t("exports.o17.summary.use", agency=ctx.agency_name)))
        return section
    section.add(
        Paragraph(
            ctx.t(
                "exports.o17.summary.overall",
                count=ctx.count(summary.responses),
                mean=overall,
                level=_level_text(ctx, overall),
                percent=(overall * 20).quantize(Decimal("0.01")),
            )
        )
    )
    answered = [q for q in summary.questions if q.mean is not None]
    best = max(answered, key=lambda q: q.mean)
    worst = min(answered, key=lambda q: q.mean)
    if best is not worst:
        section.add(
            Paragraph(ctx.t("exports.o17.summary.best", code=best.code, text=best.text(ctx.lang), mean=best.mean))
        )
        section.add(
            Paragraph(ctx.t("exports.o17.summary.worst", code=worst.code, text=worst.text(ctx.lang), mean=worst.mean))
        )
    for row in summary.indicators:
        if row.estimate is None:
            continue
        name = ctx.part("indicator", f"{row.indicator}.name")
        values = {"number": row.indicator, "name": name, "estimate": row.estimate}
        if row.estimate < PASS_MARK:
            section.add(Paragraph(ctx.t("exports.o17.summary.below", **values), style="item"))
        else:
            section.add(Paragraph(ctx.t("exports.o17.summary.above", **values), style="item"))
    section.add(Paragraph(ctx.t("exports.o17.summary.use", agency=ctx.agency_name)))
    return section
