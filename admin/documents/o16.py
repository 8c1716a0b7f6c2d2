"""o16: service statistics: questions to the chatbot, chats handed to staff and how fast staff answered,
complaints received and closed, month by month."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from admin.documents.context import Context
from admin.documents.model import Column, Paragraph, Section, Table
from models.feedback_stats import complaint_stats, handoff_stats, participation_stats


def minutes(seconds: Decimal | None) -> Decimal | None:
    return None if seconds is None else (Decimal(seconds) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def sections(ctx: Context) -> list[Callable[[], Section]]:
    @cache
    def window():
        return _figures(ctx, ctx.start, ctx.end)

    return [lambda: _about(ctx), lambda: _overview(ctx, window()), lambda: _by_month(ctx, window())]


def _figures(ctx: Context, start, end) -> list:
    """One row of figures: questions, people who asked, handoffs, answered, median first reply (minutes),
    general complaints received, of them closed."""
    people = participation_stats(ctx.agency.id, start, end)
    chats = handoff_stats(ctx.agency.id, start, end)
    cases = complaint_stats(ctx.agency.id, start, end, lanes=("general",))
    return [
        people.questions,
        people.asked,
        chats.opened,
        chats.answered,
        minutes(chats.first_response_seconds_median),
        cases.total,
        cases.closed,
    ]


def _about(ctx: Context) -> Section:
    section = Section(ctx.t("exports.o16.about.heading"), sheet=ctx.t("exports.o16.about.sheet"))
    section.add(Paragraph(ctx.t("exports.o16.about.text", agency=ctx.agency_name)))
    for key in ("questions", "asked", "handoffs", "first_response", "complaints"):
        section.add(Paragraph(ctx.part("exports.o16.define", key), style="item"))
    return section


def _overview(ctx: Context, figures: list) -> Section:
    section = Section(ctx.t("exports.o16.overview.heading"), sheet=ctx.t("exports.o16.overview.sheet"))
    labels = ("questions", "asked", "handoffs", "answered")
    rows = [[ctx.part("exports.o16.col", key), value] for key, value in zip(labels, figures[:4], strict=True)]
    rows += [
        [ctx.part("exports.o16.col", key), value]
        for key, value in zip(("complaints", "closed"), figures[5:], strict=True)
    ]
    section.add(
        Table([Column(ctx.t("exports.col.item"), width=4), Column(ctx.t("exports.col.count"), "count", 1.2)], rows)
    )
    section.add(
        Table(
            [Column(ctx.t("exports.col.item"), width=4), Column(ctx.t("exports.col.minutes"), "decimal", 1.2)],
            [[ctx.t("exports.o16.col.first_response"), figures[4]]],
        )
    )
    section.add(Paragraph(ctx.t("exports.note.small_counts"), style="note"))
    return section


def _by_month(ctx: Context, total: list) -> Section:
    section = Section(ctx.t("exports.o16.months.heading"), sheet=ctx.t("exports.o16.months.sheet"))
    rows = [[label, *_figures(ctx, first, after)] for label, first, after in ctx.months()]
    columns = [Column(ctx.t("exports.col.month"), width=2.2)]
    for key in ("questions", "asked", "handoffs", "answered"):
        columns.append(Column(ctx.part("exports.o16.col", key), "count", 1.1))
    columns.append(Column(ctx.t("exports.o16.col.first_response_short"), "decimal", 1.2))
    columns += [Column(ctx.part("exports.o16.col", key), "count", 1.1) for key in ("complaints", "closed")]
    section.add(Table(columns, rows, total=[ctx.t("exports.col.whole_period"), *total]))
    section.add(Paragraph(ctx.t("exports.o16.months.note"), style="note"))
    section.add(Paragraph(ctx.t("exports.note.small_counts"), style="note"))
    return section
