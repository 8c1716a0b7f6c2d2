"""o30: how the agency opened its work to citizens' participation, and how many took part through which channel."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from admin.documents.context import Context
from admin.documents.model import Column, Paragraph, Section, Table
from models.feedback_stats import ParticipationStats, participation_stats

MONTH_FIGURES = ("participants", "questions", "survey_responses", "complaints_general", "handoffs")


def sections(ctx: Context) -> list[Callable[[], Section]]:
    @cache
    def window() -> ParticipationStats:
        return participation_stats(ctx.agency.id, ctx.start, ctx.end)

    return [
        lambda: _channels(ctx),
        lambda: _overview(ctx, window()),
        lambda: _by_month(ctx, window()),
        lambda: _use(ctx),
    ]


def _channels(ctx: Context) -> Section:
    section = Section(ctx.t("exports.o30.channels.heading"), sheet=ctx.t("exports.o30.channels.sheet"))
    section.add(Paragraph(ctx.t("exports.o30.channels.text", agency=ctx.agency_name)))
    for key in ("ask", "survey", "complain", "corruption", "staff"):
        section.add(Paragraph(ctx.part("exports.o30.way", key), style="item"))
    return section


def _overview(ctx: Context, stats: ParticipationStats) -> Section:
    section = Section(ctx.t("exports.o30.overview.heading"), sheet=ctx.t("exports.o30.overview.sheet"))
    section.add(Paragraph(ctx.t("exports.o30.overview.text", span=ctx.span(), count=ctx.count(stats.participants))))
    rows = [[ctx.t("exports.o30.col.participants"), stats.participants]]
    rows += [
        [ctx.t("exports.o30.by_channel", channel=ctx.part("exports.channel", c)), n]
        for c, n in stats.by_channel.items()
    ]
    rows += [[ctx.part("exports.o30.col", key), getattr(stats, key)] for key in MONTH_FIGURES[1:]]
    rows.append([ctx.t("exports.o30.col.corruption_reports"), stats.corruption_reports])
    section.add(
        Table([Column(ctx.t("exports.col.item"), width=4), Column(ctx.t("exports.col.count"), "count", 1.2)], rows)
    )
    section.add(Paragraph(ctx.t("exports.o30.overview.note"), style="note"))
    section.add(Paragraph(ctx.t("exports.note.small_counts"), style="note"))
    return section


def _by_month(ctx: Context, stats: ParticipationStats) -> Section:
    section = Section(ctx.t("exports.o30.months.heading"), sheet=ctx.t("exports.o30.months.sheet"))
    rows = []
    for label, first, after in ctx.months():
        month = participation_stats(ctx.agency.id, first, after)
        rows.append([label, *(getattr(month, key) for key in MONTH_FIGURES)])
    columns = [Column(ctx.t("exports.col.month"), width=2)]
    columns += [Column(ctx.part("exports.o30.col", key), "count", 1.2) for key in MONTH_FIGURES]
    total = [ctx.t("exports.col.whole_period"), *(getattr(stats, key) for key in MONTH_FIGURES)]
    section.add(Table(columns, rows, total=total))
    section.add(Paragraph(ctx.t("exports.o30.months.note"), style="note"))
    return section


def _use(ctx: Context) -> Section:
    section = Section(ctx.t("exports.o30.use.heading"), sheet=ctx.t("exports.o30.use.sheet"))
    section.add(Paragraph(ctx.t("exports.o30.use.text", agency=ctx.agency_name)))
    return section
