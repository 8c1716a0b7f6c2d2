"""Participation evidence on measures and the measures' six-month and annual progress reports.

The coordinator picks a measure and a period, previews what the bot's data say for it (survey results of the
measure's EIT indicators, complaints of its categories, participants and channels), writes or edits the
drafted narrative and attaches it: the figures are then frozen in a progress entry, later data do not change
them. A period attached twice is refused unless the coordinator explicitly ticks "replace". Narratives stay
editable; an entry can be deleted with a confirmation. The progress report page lays out, per agency and
fiscal year, each measure's steps and participation entries like the six-month report the agencies send.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from admin import audit, bp
from admin.access import check_agency, choose_agency, my_agencies, requires
from admin.documents.text import thai_digits
from admin.ui import lang, tr, user_labels
from models import Measure, ProgressEntry, db
from models.measure import code_order, measure_counts
from models.participation import (
    SCOPES,
    ParticipationError,
    attach_participation,
    draft_narrative,
    entry_for,
    measure_periods,
    participation_entries,
    participation_evidence,
    period_label,
    period_started,
    progress_report,
)
from models.periods import fiscal_year, period_bounds
from models.survey_stats import published_count, published_mean
from models.types import utcnow

MAX_NARRATIVE = 8000


class AttachForm(FlaskForm):
    period = StringField(validators=[InputRequired()])
    narrative = TextAreaField(validators=[Optional(), Length(max=MAX_NARRATIVE)])
    replace = BooleanField()


class EntryForm(FlaskForm):
    action = StringField(validators=[AnyOf(("save", "delete"))])
    narrative = TextAreaField(validators=[Optional(), Length(max=MAX_NARRATIVE)])
    confirm = BooleanField()


@bp.app_template_filter("thai_digits")
def _thai_digits(text) -> str:
    return thai_digits(str(text))


def _when(iso: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def _helpers() -> dict:
    """What the evidence macros need besides t()."""
    return {"published": published_count, "published_mean": published_mean, "when": _when, "period_label": period_label}


# --- the hub -------------------------------------------------------------------------------------------


@bp.get("/reports")
@requires("reports")
def reports():
    """Per agency and fiscal year: the progress reports, the export page and each measure's evidence."""
    agencies = my_agencies()
    agency = choose_agency(request.args.get("agency"), agencies)
    rows = []
    if agencies:
        ids = [a.id for a in agencies]
        measures = measure_counts(ids)
        entries = dict(
            (tuple(key), n)
            for *key, n in db.session.execute(
                select(Measure.agency_id, Measure.fiscal_year, func.count(ProgressEntry.id))
                .join(ProgressEntry, ProgressEntry.measure_id == Measure.id)
                .where(Measure.agency_id.in_(ids), ProgressEntry.kind == "participation")
                .group_by(Measure.agency_id, Measure.fiscal_year)
            )
        )
        by_id = {a.id: a for a in agencies}
        for agency_id, year in sorted(measures, key=lambda k: (k[0], -k[1])):
            rows.append(
                {
                    "agency": by_id[agency_id],
                    "year": year,
                    "measures": measures[(agency_id, year)],
                    "entries": entries.get((agency_id, year), 0),
                    "exports": url_for("admin.exports", agency=agency_id, year=year),
                }
            )
    years = sorted({r["year"] for r in rows if agency and r["agency"].id == agency.id}, reverse=True)
    year = _int(request.args.get("year"))
    if year not in years:
        year = years[0] if years else None
    listed = []
    if agency is not None and year is not None:
        listed = db.session.scalars(
            select(Measure)
            .where(Measure.agency_id == agency.id, Measure.fiscal_year == year)
            .options(selectinload(Measure.progress))
        ).all()
        listed = sorted(listed, key=lambda m: code_order(m.code))
    return render_template(
        "admin/reports.html",
        agencies=agencies,
        agency=agency,
        rows=rows,
        years=years,
        year=year,
        measures=listed,
        counts={m.id: len(participation_entries(m)) for m in listed},
        exports_url=url_for("admin.exports"),
    )


def _int(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdecimal() and len(text) <= 6 else None


# --- a measure's evidence ------------------------------------------------------------------------------


def _measure(measure_id: int) -> Measure:
    measure = db.session.get(Measure, measure_id)
    if measure is None:
        abort(404)
    check_agency(measure.agency_id)
    return measure


def _default_period(measure: Measure) -> str | None:
    """The half we are in (or the last one started) of the measure's year; None when the year has not begun."""
    started = [p for p in measure_periods(measure) if period_started(p)]
    if not started:
        return None
    halves = [p for p in started if "-H" in p]
    now_year = fiscal_year(utcnow())
    if measure.fiscal_year < now_year:
        return str(measure.fiscal_year)
    return halves[-1] if halves else started[0]


def _measure_page(measure: Measure, period: str | None, form: AttachForm | None = None, error=None, status=200):
    periods = measure_periods(measure)
    choices = [(p, period_label(p, lang()), period_started(p)) for p in periods]
    evidence = draft = None
    if period in periods and period_started(period):
        evidence = participation_evidence(measure, period)
        draft = draft_narrative(evidence, measure.agency.name_th, "th")
    form = form or AttachForm(formdata=None, period=period, narrative=draft)
    if form.narrative.data is None:
        form.narrative.data = draft
    entries = sorted(participation_entries(measure), key=lambda e: (period_bounds(e.period)[0], e.step_no))
    existing = entry_for(measure, period)
    return (
        render_template(
            "admin/reports_measure.html",
            measure=measure,
            period=period,
            choices=choices,
            evidence=evidence,
            form=form,
            error=error,
            entries=entries,
            existing=existing,
            users=user_labels(e.created_by_id for e in entries),
            **_helpers(),
        ),
        status,
    )


@bp.route("/reports/measures/<int:measure_id>", methods=["GET", "POST"])
@requires("reports")
def reports_measure(measure_id: int):
    """Preview a period's evidence for the measure, and attach it with a narrative (POST)."""
    measure = _measure(measure_id)
    if request.method == "GET":
        period = request.args.get("period") or _default_period(measure)
        if period is not None and period not in measure_periods(measure):
            return _measure_page(
                measure, None, error=tr("reports.error.period_outside", year=measure.fiscal_year), status=400
            )
        if period is not None and not period_started(period):
            return _measure_page(measure, None, error=tr("reports.error.period_future"), status=400)
        return _measure_page(measure, period)

    form = AttachForm()
    period = (form.period.data or "").strip()
    if not form.validate():
        error = tr("reports.error.narrative_too_long", limit=MAX_NARRATIVE) if form.narrative.errors else None
        known = period if period in measure_periods(measure) else None
        return _measure_page(measure, known, form, error or tr("admin.form_invalid"), 400)
    try:
        entry = attach_participation(
            measure, period, form.narrative.data, current_user.id, replace=bool(form.replace.data)
        )
    except ParticipationError as exc:
        known = period if period in measure_periods(measure) else None
        if exc.code == "already_attached":
            message = tr("reports.error.already_attached", period=period_label(period, lang()))
        elif exc.code == "period_outside":
            message = tr("reports.error.period_outside", year=measure.fiscal_year)
        else:
            message = tr("reports.error.period_future")
        db.session.rollback()
        return _measure_page(measure, known, form, message, 409 if exc.code == "already_attached" else 400)
    audit.record(
        "record_created",
        "progress_entry",
        entry.id,
        agency_id=measure.agency_id,
        measure=measure.id,
        kind="participation",
        period=period,
        replaced=bool(form.replace.data),
    )
    db.session.commit()
    flash(tr("reports.measure.attached", period=period_label(period, lang())), "success")
    return redirect(url_for("admin.reports_measure", measure_id=measure.id, period=period))


@bp.post("/reports/entries/<int:entry_id>")
@requires("reports")
def reports_entry(entry_id: int):
    """Edit an attached entry's narrative (its figures stay as frozen), or delete it once confirmed."""
    entry = db.session.get(ProgressEntry, entry_id)
    if entry is None or entry.kind != "participation":
        abort(404)
    measure = _measure(entry.measure_id)
    form = EntryForm()
    if not form.validate():
        error = tr("reports.error.narrative_too_long", limit=MAX_NARRATIVE) if form.narrative.errors else None
        return _measure_page(measure, entry.period, error=error or tr("admin.form_invalid"), status=400)
    label = period_label(entry.period, lang())
    if form.action.data == "delete":
        if not form.confirm.data:
            return _measure_page(measure, entry.period, error=tr("reports.error.confirm_delete"), status=400)
        audit.record(
            "record_deleted",
            "progress_entry",
            entry.id,
            agency_id=measure.agency_id,
            measure=measure.id,
            kind="participation",
            period=entry.period,
        )
        measure.progress.remove(entry)
        db.session.commit()
        flash(tr("reports.measure.deleted", period=label), "success")
        return redirect(url_for("admin.reports_measure", measure_id=measure.id, period=entry.period))
    narrative = (form.narrative.data or "").strip() or None
    if narrative != entry.report:
        entry.report = narrative
        audit.record(
            "record_changed",
            "progress_entry",
            entry.id,
            agency_id=measure.agency_id,
            measure=measure.id,
            fields=["report"],
        )
        db.session.commit()
    flash(tr("reports.measure.narrative_saved"), "success")
    return redirect(url_for("admin.reports_measure", measure_id=measure.id, period=entry.period) + f"#e{entry.id}")


# --- the progress report -------------------------------------------------------------------------------


@bp.get("/reports/progress")
@requires("reports")
def reports_progress():
    """The six-month (scope=half) or annual (scope=year) progress report of an agency's measures."""
    agencies = my_agencies()
    requested = request.args.get("agency")
    if requested:
        agency_id = _int(requested)
        if agency_id is None:
            abort(404)
        check_agency(agency_id)
    else:
        if not agencies:
            abort(404)
        agency_id = agencies[0].id
    scope = request.args.get("scope", "half")
    if scope not in SCOPES:
        return render_template("admin/reports_progress.html", report=None, error=tr("reports.error.bad_scope")), 400
    year = _int(request.args.get("year"))
    if request.args.get("year") and (year is None or not 2400 <= year <= 2700):
        return render_template("admin/reports_progress.html", report=None, error=tr("reports.error.bad_year")), 400
    if year is None:
        year = db.session.scalar(select(func.max(Measure.fiscal_year)).where(Measure.agency_id == agency_id))
        year = year or fiscal_year(utcnow())
    report = progress_report(agency_id, year, scope)
    thai_digits = request.args.get("digits") == "thai"
    return render_template(
        "admin/reports_progress.html",
        report=report,
        error=None,
        thai_digits=thai_digits,
        exports_url=url_for("admin.exports", agency=agency_id, year=year),
        **_helpers(),
    )
