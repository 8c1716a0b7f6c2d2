"""ITA measures and their progress steps: view, add, edit, delete (the shared form kit and the other ITA
records: admin/ita.py). Rights, agency limits and checks as there: fields checked as the importer checks the
same cells, and the bot's cached data forgotten after every change.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from admin import bp
from admin.access import check_agency, requires
from admin.ita import (
    Checked,
    NumbersField,
    _confirm_delete,
    _load,
    _page,
    _saved,
    _shown,
    _steps,
    _text,
    _values,
)
from admin.ui import tr
from models import (
    Agency,
    Measure,
    ProgressEntry,
    db,
)
from models.indicators import INDICATORS
from models.ita_import import (
    MEASURE_FIELDS,
    set_measure_indicators,
)
from models.measure import PROGRESS_STATUSES
from models.participation import participation_entries

ISSUE_AREAS = tuple(range(1, 8))


def _entry(entry_id: int) -> ProgressEntry:
    entry = db.session.get(ProgressEntry, entry_id)
    if entry is None or entry.kind != "step":  # participation evidence is edited on the reports page
        abort(404)
    check_agency(entry.measure.agency_id)
    return entry


class MeasureForm(FlaskForm):
    fiscal_year = _text("measures", "fiscal_year")
    code = _text("measures", "code")
    title = _text("measures", "title", area=True)
    based_on_year = _text("measures", "based_on_year")
    indicators = NumbersField(validators=[Checked("measures", "indicators")])
    issue_area = _text("measures", "issue_area")
    weakness = _text("measures", "weakness", area=True)
    activities = _text("measures", "activities", area=True)
    steps = _text("measures", "steps", area=True)
    responsible_unit = _text("measures", "responsible_unit")
    timeframe = _text("measures", "timeframe")
    monitoring = _text("measures", "monitoring", area=True)


class ProgressForm(FlaskForm):
    step_no = _text("progress", "step_no")
    step = _text("progress", "step", area=True)
    nacc_period = _text("progress", "nacc_period")
    agency_period = _text("progress", "agency_period")
    result = _text("progress", "result", area=True)
    status = _text("progress", "status")
    report = _text("progress", "report")
    reported_on = _text("progress", "reported_on")


@bp.get("/ita/measures/<int:measure_id>")
@requires("ita.view")
def ita_measure(measure_id: int):
    measure = _load(Measure, measure_id)
    return render_template(
        "admin/ita_measure.html",
        measure=measure,
        agency=measure.agency,
        steps=_steps(measure),
        participation=participation_entries(measure),
    )


# --- measures ----------------------------------------------------------------------------------------------


MEASURE_COLUMNS = ("fiscal_year", "code", *MEASURE_FIELDS)  # the key, then what an import sets


def _measure_form(measure: Measure | None, agency: Agency) -> MeasureForm:
    if request.method == "POST":
        return MeasureForm()
    if measure is None:
        latest = max((a.fiscal_year for a in agency.assessments), default=None)
        year = max((m.fiscal_year for m in agency.measures), default=latest + 1 if latest else None)
        return MeasureForm(data={"fiscal_year": _shown(year), "based_on_year": _shown(latest), "indicators": []})
    data = {name: _shown(getattr(measure, name)) for name in MEASURE_COLUMNS}
    data["indicators"] = [str(n) for n in measure.indicators]
    return MeasureForm(data=data)


def _measure_key_taken(agency: Agency, year: int, code: str, current: Measure | None) -> bool:
    query = select(Measure.id).where(Measure.agency_id == agency.id, Measure.fiscal_year == year, Measure.code == code)
    found = db.session.scalar(query)
    return found is not None and (current is None or found != current.id)


def _measure_page(form: MeasureForm, agency: Agency, measure: Measure | None, invalid: bool):
    context = {"form": form, "agency": agency, "measure": measure, "indicators": INDICATORS, "areas": ISSUE_AREAS}
    return _page("admin/ita_measure_form.html", invalid, **context)


def _save_measure(measure: Measure, form: MeasureForm) -> None:
    for name, value in _values(form, MEASURE_COLUMNS).items():
        setattr(measure, name, value)
    set_measure_indicators(measure, form.indicators.value)


@bp.route("/ita/agencies/<int:agency_id>/measures/new", methods=["GET", "POST"])
@requires("ita.edit")
def ita_measure_new(agency_id: int):
    agency = _load(Agency, agency_id)
    form = _measure_form(None, agency)
    if not form.validate_on_submit():
        return _measure_page(form, agency, None, form.is_submitted())
    if _measure_key_taken(agency, form.fiscal_year.value, form.code.value, None):
        form.code.errors.append(tr("ita_admin.error.measure_code_taken"))
        return _measure_page(form, agency, None, True)
    measure = Measure(agency=agency, fiscal_year=form.fiscal_year.value, code=form.code.value, steps=[])
    db.session.add(measure)
    _save_measure(measure, form)
    db.session.flush()
    return _saved(
        "record_created",
        "measure",
        measure,
        agency.id,
        lambda: _measure_page(form, agency, None, False),
        url_for("admin.ita_measure", measure_id=measure.id),
    )


@bp.route("/ita/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@requires("ita.edit")
def ita_measure_edit(measure_id: int):
    measure = _load(Measure, measure_id)
    agency = measure.agency
    form = _measure_form(measure, agency)
    if not form.validate_on_submit():
        return _measure_page(form, agency, measure, form.is_submitted())
    if _measure_key_taken(agency, form.fiscal_year.value, form.code.value, measure):
        form.code.errors.append(tr("ita_admin.error.measure_code_taken"))
        return _measure_page(form, agency, measure, True)
    _save_measure(measure, form)
    return _saved(
        "record_changed",
        "measure",
        measure,
        agency.id,
        lambda: _measure_page(form, agency, measure, False),
        url_for("admin.ita_measure", measure_id=measure.id),
    )


@bp.route("/ita/measures/<int:measure_id>/delete", methods=["GET", "POST"])
@requires("ita.edit")
def ita_measure_delete(measure_id: int):
    measure = _load(Measure, measure_id)
    agency = measure.agency
    return _confirm_delete(
        "measure",
        measure,
        agency.id,
        tr("ita_admin.delete.measure", code=measure.code, title=measure.title, year=measure.fiscal_year),
        [
            tr("ita_admin.delete.loses_steps", count=len(_steps(measure))),
            tr("ita_admin.delete.loses_participation", count=len(participation_entries(measure))),
        ],
        back=url_for("admin.ita_measure", measure_id=measure.id),
        done=url_for("admin.ita_agency", agency_id=agency.id),
    )


# --- progress steps --------------------------------------------------------------------------------------


PROGRESS_COLUMNS = ("step_no", "step", "nacc_period", "agency_period", "result", "status", "report", "reported_on")


def _step_no_taken(measure: Measure, step_no: int, current: ProgressEntry | None) -> bool:
    return any(e.step_no == step_no and e is not current for e in _steps(measure))


def _progress_page(form: ProgressForm, measure: Measure, entry: ProgressEntry | None, invalid: bool):
    context = {
        "form": form,
        "measure": measure,
        "agency": measure.agency,
        "entry": entry,
        "statuses": PROGRESS_STATUSES,
    }
    return _page("admin/ita_progress_form.html", invalid, **context)


def _save_progress(entry: ProgressEntry, form: ProgressForm) -> None:
    for name, value in _values(form, PROGRESS_COLUMNS).items():
        setattr(entry, name, value)


@bp.route("/ita/measures/<int:measure_id>/progress/new", methods=["GET", "POST"])
@requires("ita.edit")
def ita_progress_new(measure_id: int):
    measure = _load(Measure, measure_id)
    if request.method == "POST":
        form = ProgressForm()
    else:
        steps = _steps(measure)
        number = max((e.step_no for e in steps), default=0) + 1
        planned = measure.steps or []
        step = planned[number - 1] if number <= len(planned) else ""  # the plan's next step, to report on
        form = ProgressForm(data={"step_no": str(number), "step": step, "status": "in_progress"})
    if not form.validate_on_submit():
        return _progress_page(form, measure, None, form.is_submitted())
    if _step_no_taken(measure, form.step_no.value, None):
        form.step_no.errors.append(tr("ita_admin.error.step_no_taken"))
        return _progress_page(form, measure, None, True)
    entry = ProgressEntry(kind="step", created_by_id=current_user.id)
    _save_progress(entry, form)
    measure.progress.append(entry)
    db.session.flush()
    return _saved(
        "record_created",
        "progress_entry",
        entry,
        measure.agency_id,
        lambda: _progress_page(form, measure, None, False),
        url_for("admin.ita_measure", measure_id=measure.id),
    )


@bp.route("/ita/progress/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("ita.edit")
def ita_progress_edit(entry_id: int):
    entry = _entry(entry_id)
    measure = entry.measure
    form = ProgressForm(
        data=None if request.method == "POST" else {n: _shown(getattr(entry, n)) for n in PROGRESS_COLUMNS}
    )
    if not form.validate_on_submit():
        return _progress_page(form, measure, entry, form.is_submitted())
    if _step_no_taken(measure, form.step_no.value, entry):
        form.step_no.errors.append(tr("ita_admin.error.step_no_taken"))
        return _progress_page(form, measure, entry, True)
    _save_progress(entry, form)
    return _saved(
        "record_changed",
        "progress_entry",
        entry,
        measure.agency_id,
        lambda: _progress_page(form, measure, entry, False),
        url_for("admin.ita_measure", measure_id=measure.id),
    )


@bp.route("/ita/progress/<int:entry_id>/delete", methods=["GET", "POST"])
@requires("ita.edit")
def ita_progress_delete(entry_id: int):
    entry = _entry(entry_id)
    measure = entry.measure
    return _confirm_delete(
        "progress_entry",
        entry,
        measure.agency_id,
        tr("ita_admin.delete.progress", number=entry.step_no, step=entry.step, code=measure.code),
        [],
        back=url_for("admin.ita_measure", measure_id=measure.id),
        done=url_for("admin.ita_measure", measure_id=measure.id),
        remove=measure.progress.remove,
    )
