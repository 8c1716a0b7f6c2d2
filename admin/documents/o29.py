"""o29: complaint statistics by lane, category, status and month, with resolution times. Corruption reports
appear as counts only: nothing about a report but its category, status and month."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from admin.documents.context import Context
from admin.documents.model import Column, Paragraph, Section, Table
from models.complaint import CATEGORIES, LANES, STATUSES
from models.feedback_stats import ComplaintStats, complaint_stats


def days(hours: Decimal | None) -> Decimal | None:
    return None if hours is None else (Decimal(hours) / 24).quantize(Decimal("0.01"), ROUND_HALF_UP)


def sections(ctx: Context) -> list[Callable[[], Section]]:
    @cache
    def stats() -> dict[str, ComplaintStats]:
        return {lane: complaint_stats(ctx.agency.id, ctx.start, ctx.end, lanes=(lane,)) for lane in LANES}

    return [
        lambda: _about(ctx),
        lambda: _overview(ctx, stats()),
        lambda: _by_category(ctx, stats()),
        lambda: _by_status(ctx, stats()),
        lambda: _by_month(ctx, stats()),
    ]


def _lane(ctx: Context, lane: str) -> str:
    return ctx.part("complaint.lane", lane)


def _about(ctx: Context) -> Section:
    section = Section(ctx.t("exports.o29.about.heading"), sheet=ctx.t("exports.o29.about.sheet"))
    section.add(Paragraph(ctx.t("exports.o29.about.text", agency=ctx.agency_name)))
    section.add(Paragraph(ctx.t("exports.o29.about.confidential")))
    return section


def _overview(ctx: Context, stats: dict[str, ComplaintStats]) -> Section:
    section = Section(ctx.t("exports.o29.overview.heading"), sheet=ctx.t("exports.o29.overview.sheet"))
    rows = []
    for lane in LANES:
        s = stats[lane]
        rows.append(
            [
                _lane(ctx, lane),
                s.total,
                s.closed,
                s.total - s.closed,
                s.open_overdue,
                days(s.resolution_hours_median),
                days(s.resolution_hours_mean),
            ]
        )
    every = [stats[lane] for lane in LANES]
    total = [ctx.t("exports.col.total"), *(sum(getattr(s, name) for s in every) for name in ("total", "closed"))]
    total += [sum(s.total - s.closed for s in every), sum(s.open_overdue for s in every), None, None]
    section.add(
        Table(
            [
                Column(ctx.t("exports.col.lane"), width=2),
                Column(ctx.t("exports.o29.col.received"), "count", 1.1),
                Column(ctx.t("exports.o29.col.closed"), "count", 1.1),
                Column(ctx.t("exports.o29.col.open"), "count", 1.1),
                Column(ctx.t("exports.o29.col.overdue"), "count", 1.1),
                Column(ctx.t("exports.o29.col.median_days"), "decimal", 1.3),
                Column(ctx.t("exports.o29.col.mean_days"), "decimal", 1.3),
            ],
            rows,
            total=total,
        )
    )
    section.add(Paragraph(ctx.t("exports.o29.overview.note"), style="note"))
    section.add(Paragraph(ctx.t("exports.note.small_counts"), style="note"))
    return section


def _by_category(ctx: Context, stats: dict[str, ComplaintStats]) -> Section:
    section = Section(ctx.t("exports.o29.categories.heading"), sheet=ctx.t("exports.o29.categories.sheet"))
    rows = [
        [_lane(ctx, lane), ctx.part("complaint.category", category), stats[lane].by_category.get(category, 0)]
        for lane in LANES
        for category in CATEGORIES[lane]
    ]
    section.add(
        Table(
            [
                Column(ctx.t("exports.col.lane"), width=2),
                Column(ctx.t("exports.col.category"), width=3),
                Column(ctx.t("exports.col.count"), "count", 1.2),
            ],
            rows,
            total=[ctx.t("exports.col.total"), "", sum(stats[lane].total for lane in LANES)],
        )
    )
    return section


def _by_status(ctx: Context, stats: dict[str, ComplaintStats]) -> Section:
    section = Section(ctx.t("exports.o29.statuses.heading"), sheet=ctx.t("exports.o29.statuses.sheet"))
    rows = [
        [ctx.part("case.status", status), *(stats[lane].by_status.get(status, 0) for lane in LANES)]
        for status in STATUSES
    ]
    for row in rows:
        row.append(sum(row[1:]))
    columns = [Column(ctx.t("exports.col.status"), width=3)]
    columns += [Column(_lane(ctx, lane), "count", 1.3) for lane in LANES]
    columns.append(Column(ctx.t("exports.col.total"), "count", 1.2))
    totals = [stats[lane].total for lane in LANES]
    section.add(Table(columns, rows, total=[ctx.t("exports.col.total"), *totals, sum(totals)]))
    return section


def _by_month(ctx: Context, stats: dict[str, ComplaintStats]) -> Section:
    section = Section(ctx.t("exports.o29.months.heading"), sheet=ctx.t("exports.o29.months.sheet"))
    labels = [label for label, _, _ in ctx.months()]
    per_lane = [[n for _, n in stats[lane].by_month] for lane in LANES]
    rows = []
    for index, label in enumerate(labels):
        counts = [lane_counts[index] if index < len(lane_counts) else 0 for lane_counts in per_lane]
        rows.append([label, *counts, sum(counts)])
    columns = [Column(ctx.t("exports.col.month"), width=2)]
    columns += [Column(_lane(ctx, lane), "count", 1.3) for lane in LANES]
    columns.append(Column(ctx.t("exports.col.total"), "count", 1.2))
    totals = [stats[lane].total for lane in LANES]
    section.add(Table(columns, rows, total=[ctx.t("exports.col.total"), *totals, sum(totals)]))
    section.add(Paragraph(ctx.t("exports.note.small_counts"), style="note"))
    return section
