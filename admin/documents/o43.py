"""o43: implementation of the integrity measures, the six-month (first half) or annual progress report, laid out
like the agencies' own (seed 002): per measure, each step with its periods, result and status."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from admin.documents.context import Context, ExportError
from admin.documents.model import Column, Paragraph, Section, Table
from admin.documents.text import long_date
from models.participation import MeasureProgress, ProgressReport, StepRow, progress_report


def scope_of(ctx: Context) -> str:
    """The report a period asks for: its first half (six-month report) or the whole year."""
    if ctx.kind == "fiscal_year":
        return "year"
    if ctx.kind == "half" and ctx.number == 1:
        return "half"
    raise ExportError("o43_period")


def sections(ctx: Context) -> list[Callable[[], Section]]:
    scope = scope_of(ctx)

    @cache
    def report() -> ProgressReport:
        return progress_report(ctx.agency.id, ctx.fiscal_year, scope)

    count = len(report().measures)
    return [lambda: _overview(ctx, report())] + [
        (lambda index=index: _measure(ctx, report().measures[index])) for index in range(count)
    ]


def title_suffix(ctx: Context) -> str:
    return ctx.t("exports.o43.half") if scope_of(ctx) == "half" else ctx.t("exports.o43.year")


def _overview(ctx: Context, report: ProgressReport) -> Section:
    section = Section(ctx.t("exports.o43.overview.heading"), sheet=ctx.t("exports.o43.overview.sheet"))
    if not report.measures:
        section.add(Paragraph(ctx.t("exports.o43.none", year=ctx.fiscal_year)))
        return section
    section.add(
        Paragraph(
            ctx.t(
                "exports.o43.overview.text",
                agency=ctx.agency_name,
                year=ctx.fiscal_year,
                measures=len(report.measures),
                done=report.done,
                total=report.total,
            )
        )
    )
    rows = []
    for item in report.measures:
        m = item.measure
        indicators = ", ".join(str(n) for n in m.indicators) or "–"
        rows.append([m.code, m.title, indicators, m.responsible_unit, item.done, item.total])
    section.add(
        Table(
            [
                Column(ctx.t("exports.o43.col.code"), width=0.9),
                Column(ctx.t("exports.o43.col.measure"), width=4.5),
                Column(ctx.t("exports.col.indicator"), width=1.2),
                Column(ctx.t("exports.o43.col.unit"), width=2.2),
                Column(ctx.t("exports.o43.col.done"), "number", 1.2),
                Column(ctx.t("exports.o43.col.steps"), "number", 1.2),
            ],
            rows,
            total=[ctx.t("exports.col.total"), "", "", "", report.done, report.total],
        )
    )
    return section


def _status(ctx: Context, status: str | None) -> str:
    return ctx.part("exports.o43.status", status or "unreported")


def _step_status(ctx: Context, row: StepRow) -> str:
    """The step's status; one reported after the report's window says when (the document is "as of" its end)."""
    status = _status(ctx, row.status)
    if row.late and row.reported_on is not None:
        status += "\n" + ctx.t("reports.progress.late", date=long_date(row.reported_on, ctx.lang))
    return status


def _measure(ctx: Context, item: MeasureProgress) -> Section:
    m = item.measure
    section = Section(
        ctx.t("exports.o43.measure.heading", code=m.code, title=m.title),
        sheet=ctx.t("exports.o43.measure.sheet", code=m.code),
    )
    facts = [
        ("indicators", ", ".join(f"{n} {ctx.part('indicator', f'{n}.name')}" for n in m.indicators)),
        ("weakness", m.weakness),
        ("activities", m.activities),
        ("unit", m.responsible_unit),
        ("timeframe", m.timeframe),
        ("monitoring", m.monitoring),
    ]
    for key, value in facts:
        if value:
            section.add(Paragraph(ctx.part("exports.o43.fact", key, value=value), style="item"))
    rows = [
        [
            row.step_no,
            row.nacc_period,
            row.agency_period,
            row.step,
            _result(row.result, row.report),
            _step_status(ctx, row),
        ]
        for row in item.steps
    ]
    for entry in item.participation:
        rows.append(
            [
                entry.step_no,
                entry.nacc_period,
                entry.agency_period,
                entry.step,
                _result(entry.result, entry.report),
                _status(ctx, entry.status),
            ]
        )
    section.add(
        Table(
            [
                Column(ctx.t("exports.o43.col.step_no"), "number", 0.6),
                Column(ctx.t("exports.o43.col.nacc_period"), width=1.5),
                Column(ctx.t("exports.o43.col.agency_period"), width=1.5),
                Column(ctx.t("exports.o43.col.step"), width=3.2),
                Column(ctx.t("exports.o43.col.result"), width=3.8),
                Column(ctx.t("exports.o43.col.status"), width=1.6),
            ],
            rows,
            empty=ctx.t("exports.o43.no_steps"),
        )
    )
    return section


def _result(result: str | None, report: str | None) -> str | None:
    parts = [part.strip() for part in (result, report) if part and part.strip()]
    return "\n".join(parts) or None
