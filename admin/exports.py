"""OIT evidence (o16, o17, o29, o30, o43) as XLSX and PDF, CSV of cases and responses, built in the background.

A request creates an ExportJob and a thread builds it in its own app context, writing its progress (done of
total) as each section is built; the page polls the job's status and offers the file when it is done. A job that
fails keeps a message key, never a traceback. Who may ask for what is decided per kind: the OIT items and the
responses need "reports"; the cases CSV needs "cases" (and its corruption lane "cases.corruption").
"""

from __future__ import annotations

import io
import logging
import re
import threading
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from wtforms import IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired

from admin import bp
from admin.access import agency_ids, background, check_agency, has_right, my_agencies, requires, visible_lanes
from admin.audit import record
from admin.documents import oit
from admin.documents.context import PERIOD_CHOICES, Context, ExportError, period_key, period_label, phrase
from admin.documents.csv_export import cases_csv, responses_csv
from admin.ui import lang, tr
from models import Agency, ExportJob, db
from models.periods import fiscal_year
from models.types import as_utc, utcnow

log = logging.getLogger(__name__)

OIT_KINDS = tuple(oit.ITEMS)
CSV_KINDS = ("responses", "cases")
KINDS = OIT_KINDS + CSV_KINDS
FORMATS = ("xlsx", "pdf", "csv")
KIND_RIGHT = {**dict.fromkeys(OIT_KINDS, "reports"), "responses": "reports", "cases": "cases"}
YEARS_BACK = 4  # fiscal years offered: this one and the three before
RECENT = 10
PROGRESS_EVERY = 0.3  # seconds between two progress writes
STALE_AFTER = timedelta(minutes=30)


class ExportForm(FlaskForm):
    agency = IntegerField(validators=[InputRequired()])
    year = IntegerField(validators=[InputRequired()])
    period = StringField(validators=[AnyOf(("year", *[p for p in PERIOD_CHOICES if p]))])
    item = StringField(validators=[AnyOf(KINDS)])
    fmt = StringField(validators=[AnyOf(FORMATS)])


def _years() -> list[int]:
    this = fiscal_year(utcnow())
    return list(range(this, this - YEARS_BACK, -1))


def _say(prefix: str, name: object) -> str:
    """One of a family of strings in the user's language (exports.error.*, exports.status.*)."""
    return phrase(prefix, name, lang())


def may_export(kind: str) -> bool:
    return kind in KIND_RIGHT and has_right(KIND_RIGHT[kind])


# --- pages -------------------------------------------------------------------------------------------


@bp.route("/exports", methods=["GET", "POST"])
@requires("reports")
def exports():
    """The coordinator's export page: any OIT item, the responses and the cases."""
    return _page(kinds=KINDS, endpoint="admin.exports", title="exports.title", intro="exports.intro")


@bp.route("/exports/cases", methods=["GET", "POST"])
@requires("cases")
def exports_cases():
    """Staff may export the cases they work (no OIT evidence)."""
    return _page(
        kinds=("cases",), endpoint="admin.exports_cases", title="exports.cases_title", intro="exports.cases_intro"
    )


def _page(kinds: tuple[str, ...], endpoint: str, title: str, intro: str):
    form = ExportForm(
        agency=request.args.get("agency", type=int), year=fiscal_year(utcnow()), period="year", fmt="xlsx"
    )
    errors: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            job, errors = _create(form, kinds)
            if job is not None:
                flash(tr("exports.queued_flash"), "success")
                return redirect(url_for(endpoint, job=job.id, agency=job.agency_id))
        else:
            errors = [_say("exports.error", _field_error(name)) for name in form.errors if name != "csrf_token"]
            errors += [tr("admin.form_invalid")] if "csrf_token" in form.errors else []
    jobs = db.session.scalars(
        select(ExportJob)
        .where(
            ExportJob.user_id == current_user.id,
            ExportJob.agency_id.in_(agency_ids()),
            ExportJob.kind.in_(kinds),
        )
        .order_by(ExportJob.id.desc())
        .limit(RECENT)
    ).all()
    for job in jobs:
        _expire(job)
    agencies = my_agencies()
    status = 400 if errors else 200
    return (
        render_template(
            "admin/exports.html",
            form=form,
            errors=errors,
            kinds=kinds,
            oit_kinds=[k for k in kinds if k in OIT_KINDS],
            csv_kinds=[k for k in kinds if k in CSV_KINDS],
            formats=FORMATS if set(kinds) & set(OIT_KINDS) else ("csv",),
            agencies=agencies,
            agency_names={a.id: a.display_name(lang()) for a in agencies},
            years=_years(),
            periods=("year", *[p for p in PERIOD_CHOICES if p]),
            jobs=jobs,
            endpoint=endpoint,
            title=title,
            intro=intro,
            highlight=request.args.get("job", type=int),
            label=job_label,
        ),
        status,
    )


def _field_error(name: str) -> str:
    return {"year": "fiscal_year", "fmt": "format"}.get(name, name)


def _create(form: ExportForm, kinds: tuple[str, ...]) -> tuple[ExportJob | None, list[str]]:
    """Check the request against the user's agencies and rights, then queue the job and start it."""
    kind, fmt = form.item.data, form.fmt.data
    agency = next((a for a in my_agencies() if a.id == form.agency.data), None)
    if agency is None:
        return None, [tr("exports.error.agency")]
    if kind not in kinds or not may_export(kind):
        return None, [tr("exports.error.no_right")]
    if form.year.data not in _years():
        return None, [tr("exports.error.fiscal_year")]
    if (fmt == "csv") != (kind in CSV_KINDS):
        return None, [tr("exports.error.format")]
    period = period_key(form.year.data, "" if form.period.data == "year" else form.period.data)
    try:
        context = Context(agency, period, lang())
        if kind in OIT_KINDS:
            oit.check(kind, context)
    except ExportError as exc:
        return None, [_say("exports.error", exc.code)]
    params = {"period": period, "lang": lang()}
    if kind == "cases":
        params["lanes"] = list(visible_lanes())
    job = ExportJob(user_id=current_user.id, agency_id=agency.id, kind=kind, fmt=fmt, params=params)
    db.session.add(job)
    db.session.flush()
    record("export", "export", job.id, agency_id=agency.id, kind=kind, format=fmt, period=period)
    db.session.commit()
    start(job.id)
    return job, []


def job_label(job: ExportJob) -> str:
    """'o17 … · ปีงบประมาณ พ.ศ. 2569' for the jobs table."""
    item = _say("exports.item", f"{job.kind}.label")
    return f"{item} · {period_label((job.params or {}).get('period', ''), lang())}"


def _expire(job: ExportJob) -> None:
    """A job left queued or running long after it began (the server restarted under it) is failed, so the
    page does not wait for it forever."""
    if job.status in ("queued", "running") and datetime.now(UTC) - as_utc(job.created_at) > STALE_AFTER:
        job.status, job.error, job.finished_at = "failed", "interrupted", utcnow()
        db.session.commit()


# --- status and download -----------------------------------------------------------------------------


def _job_for_user(job_id: int) -> ExportJob:
    """The job if this user may have it: 404 for another agency's or another user's (unless admin), 403
    without the right its kind needs."""
    job = db.session.get(ExportJob, job_id)
    check_agency(job.agency_id if job is not None else None)
    corruption = job.kind == "cases" and "corruption" in (job.params or {}).get("lanes", [])
    if not may_export(job.kind) or (corruption and not has_right("cases.corruption")):
        abort(403)
    if job.user_id != current_user.id and current_user.role != "admin":
        abort(404)  # another user's file: not confirmed
    _expire(job)
    return job


@bp.get("/exports/<int:job_id>/status")
@background
@requires("cases")
def exports_status(job_id: int):
    """{status, done, total} for the page's progress bar, and the download link or error when finished."""
    job = _job_for_user(job_id)
    body = {"status": job.status, "done": job.done, "total": job.total, "label": _say("exports.status", job.status)}
    if job.status == "done":
        body["download"] = url_for("admin.exports_download", job_id=job.id)
    if job.status == "failed":
        body["error"] = _say("exports.error", job.error or "build_failed")
    return jsonify(body)


@bp.get("/exports/<int:job_id>/download")
@requires("cases")
def exports_download(job_id: int):
    job = _job_for_user(job_id)
    back = url_for("admin.exports" if has_right("reports") else "admin.exports_cases")
    if job.status != "done" or job.content is None:
        message = (
            _say("exports.error", job.error or "build_failed")
            if job.status == "failed"
            else tr("exports.error.not_ready")
        )
        flash(message, "error")
        return redirect(back)
    response = send_file(
        io.BytesIO(job.content),
        mimetype=job.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.filename or f"export-{job.id}.{job.fmt}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- building ----------------------------------------------------------------------------------------


_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


def filename(job: ExportJob, agency: Agency) -> str:
    """o17_อบต.น้ำโมง_2569-H1.pdf: the agency's short name kept in Thai (sent with RFC 5987 encoding)."""
    name = _UNSAFE.sub("_", agency.short_name()).strip("_.") or agency.slug
    return f"{job.kind}_{name}_{(job.params or {}).get('period', '')}.{job.fmt}"


def start(job_id: int) -> threading.Thread:
    """Build the job in a background thread with its own app context (and so its own database session)."""
    app = current_app._get_current_object()
    thread = threading.Thread(target=run, args=(app, job_id), name=f"export-{job_id}", daemon=True)
    thread.start()
    return thread


def run(app, job_id: int) -> None:
    with app.app_context():
        try:
            _run(job_id)
        finally:
            db.session.remove()


def _run(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status = "running"
    db.session.commit()
    progress = _Progress(job_id)
    try:
        agency = db.session.get(Agency, job.agency_id)
        params = job.params or {}
        context = Context(agency, params["period"], params.get("lang", "th"))
        if job.kind in OIT_KINDS:
            content = oit.build(job.kind, context, job.fmt, progress)
        elif job.kind == "cases":
            lanes = tuple(params.get("lanes") or ("general",))
            content = cases_csv(agency.id, context.start, context.end, lanes, context.lang, progress)
        else:
            content = responses_csv(agency.id, context.start, context.end, context.lang, progress)
    except ExportError as exc:
        _fail(job_id, exc.code)
        return
    except Exception:  # noqa: BLE001 - any failure becomes a clear message on the page, never a 500
        log.exception("export %s (%s, %s) failed", job_id, job.kind, job.fmt)
        _fail(job_id, "build_failed")
        return
    job.content = content
    job.content_type = oit.CONTENT_TYPES[job.fmt]
    job.filename = filename(job, agency)
    job.status = "done"
    job.done = job.total = max(progress.total, 1)
    job.finished_at = utcnow()
    db.session.commit()


def _fail(job_id: int, code: str) -> None:
    db.session.rollback()
    job = db.session.get(ExportJob, job_id)
    job.status, job.error, job.finished_at = "failed", code, utcnow()
    db.session.commit()


class _Progress:
    """Writes done/total on the job through its own connection (the build's session may hold a cursor open)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.total = 0
        self._written = datetime.min.replace(tzinfo=UTC)

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        now = datetime.now(UTC)
        if done not in (0, total) and (now - self._written).total_seconds() < PROGRESS_EVERY:
            return
        self._written = now
        with db.engine.begin() as conn:
            conn.execute(update(ExportJob).where(ExportJob.id == self.job_id).values(done=done, total=total))
