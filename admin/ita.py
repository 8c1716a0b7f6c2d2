"""ITA data: agencies, assessments and their scores, viewed and edited; the measures and their progress steps
are in admin/ita_measures.py, which shares the form kit and record loading below (import: ita_upload).

Viewing needs the right ita.view, changing ita.edit; every page is limited to the user's agencies (another
agency's record is a 404). Forms check each value the way the importer checks the same column's cell
(models/ita_import_cells.py), so a score, a year or a level the importer would refuse is refused here too,
with the same message, beside the field. After any change the bot's cached data is forgotten so that its
next answer uses the new figures.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, Field, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import TextArea

from admin import bp
from admin.access import check_agency, requires
from admin.audit import record
from admin.ui import lang, tr
from models import (
    Agency,
    Assessment,
    Complaint,
    Handoff,
    Measure,
    ProgressEntry,
    QuestionScore,
    SurveyResponse,
    db,
)
from models.agency import AGENCY_KINDS
from models.indicators import INDICATORS, TOOLS
from models.ita_import import (
    set_aliases,
    set_indicator_scores,
)
from models.ita_import_cells import KNOWN_LEVELS, LIST_KINDS, PARSERS, CellError, is_empty
from models.ita_import_messages import Msg, in_language, text_of
from models.ita_import_tables import columns_of
from models.measure import code_order, measure_counts


def forget_bot_data() -> None:
    """The bot answers from the new data at once (as `flask import` does: cli.forget_cached_data)."""
    from bot.data import forget

    forget()


# --- form fields checked as the importer checks cells ------------------------------------------------


class Checked:
    """Validator: parse the field like the importer parses the column's cells; the value lands in field.value."""

    def __init__(self, table: str, column: str, required: bool | None = None) -> None:
        self.column = columns_of(table)[column]
        self.required = self.column.required if required is None else required

    def __call__(self, form, field) -> None:
        field.value = [] if self.column.kind in LIST_KINDS else None
        raw = field.data
        if isinstance(raw, str) and self.column.kind == "list":
            raw = raw.replace("\r\n", "\n").replace("\n", "|")  # one name per line in the form
        if is_empty(raw):
            if self.required:
                raise StopValidation(Msg("required_empty").render(lang()))
            return
        try:
            field.value = PARSERS[self.column.kind](raw, self.column)
        except CellError as exc:
            raise StopValidation(in_language(text_of(exc), lang())) from None


class NumbersField(Field):
    """Indicator numbers from a group of checkboxes with the same name."""

    widget = TextArea()  # never rendered by itself: the template draws the checkboxes

    def process_formdata(self, valuelist):
        self.data = list(valuelist)

    def _value(self):
        return "|".join(map(str, self.data or []))


def _text(table: str, column: str, area: bool = False, required: bool | None = None):
    field_class = TextAreaField if area else StringField
    return field_class(validators=[Checked(table, column, required)])


class AgencyForm(FlaskForm):
    slug = _text("agencies", "slug")
    name_th = _text("agencies", "name_th")
    name_en = _text("agencies", "name_en")
    kind = _text("agencies", "kind")
    district = _text("agencies", "district")
    province = _text("agencies", "province")
    short_names = _text("agencies", "short_names", area=True)
    aliases = _text("agencies", "aliases", area=True)
    notes = _text("agencies", "notes", area=True)


class QuestionRowForm(Form):
    """One question score; a row left blank is ignored, a row ticked 'remove' is deleted."""

    code = _text("questions", "code", required=False)
    indicator = _text("questions", "indicator")
    score = _text("questions", "score", required=False)
    text = _text("questions", "text", area=True)
    remove = BooleanField()

    @property
    def blank(self) -> bool:
        return all(is_empty(f.data) for f in (self.code, self.indicator, self.score, self.text))


class AssessmentForm(FlaskForm):
    fiscal_year = _text("assessments", "fiscal_year")
    total_score = _text("assessments", "total_score")
    level = _text("assessments", "level")
    announced_on = _text("assessments", "announced_on")
    iit_score = _text("assessments", "iit_score")
    eit_score = _text("assessments", "eit_score")
    oit_score = _text("assessments", "oit_score")
    notes = _text("assessments", "notes", area=True)
    questions = FieldList(FormField(QuestionRowForm), min_entries=0)

    def indicator_fields(self) -> list[tuple[int, Field]]:
        return [(n, self[f"indicator_{n}"]) for n in INDICATORS]

    def tool_fields(self) -> list[tuple[str, Field]]:
        return [(tool, self[f"{tool}_score"]) for tool in TOOLS]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        seen: set[str] = set()
        for entry in self.questions:
            row = entry.form
            if row.remove.data or row.blank:
                continue
            for name in ("code", "score"):
                field = row[name]
                if is_empty(field.data) and not field.errors:
                    field.errors.append(Msg("required_empty").render(lang()))
                    ok = False
            code = getattr(row.code, "value", None)
            if code and code in seen:
                row.code.errors.append(tr("ita_admin.error.question_twice", code=code))
                ok = False
            seen.add(code)
        return ok


for _n in INDICATORS:
    setattr(AssessmentForm, f"indicator_{_n}", _text("assessments", f"indicator_{_n}"))


class DeleteForm(FlaskForm):
    """Only the CSRF token: the confirmation page's button."""


def _values(form: FlaskForm, names) -> dict:
    return {name: form[name].value for name in names}


def _shown(value) -> str:
    """A stored value as a form shows it: scores with two decimals, dates as YYYY-MM-DD, lists one per line."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return "\n".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- loading records the user may see -----------------------------------------------------------------


def _load(model: type[Agency | Assessment | Measure], record_id: int):
    """A record of one of the user's agencies, else 404 (another agency's record is not confirmed to exist)."""
    found = db.session.get(model, record_id)
    if found is None:
        abort(404)
    check_agency(found.id if model is Agency else found.agency_id)
    return found


def _measures_of(agency: Agency) -> list[Measure]:
    """The agency's measures, newest year first, with what the list shows of each (indicators, steps) loaded."""
    measures = db.session.scalars(
        select(Measure)
        .where(Measure.agency_id == agency.id)
        .options(selectinload(Measure.indicator_links), selectinload(Measure.progress))
    ).all()
    return sorted(measures, key=lambda m: (-m.fiscal_year, code_order(m.code)))


def _steps(measure: Measure) -> list[ProgressEntry]:
    return [entry for entry in measure.progress if entry.kind == "step"]


def _commit_or_error() -> bool:
    """Commit; on a database refusal roll back and tell the user (nothing saved)."""
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("ITA edit refused by the database on %s", request.endpoint)
        flash(tr("ita_admin.error.database"), "error")
        return False
    forget_bot_data()
    return True


def _page(template: str, invalid: bool, **context):
    """A form page; after a refused submission with the errors beside the fields, and a 400."""
    if not invalid:
        return render_template(template, **context)
    flash(tr("admin.form_invalid"), "error")
    return render_template(template, **context), 400


# --- list and pages ------------------------------------------------------------------------------------


def _saved(action: str, target_type: str, target, agency_id: int | None, page: Callable, done: str, said="admin.saved"):
    """How every create and edit ends: audit, commit (a database refusal shows the form again, 409), say so, go on."""
    db.session.flush()  # a new record gets its id for the audit entry
    record(action, target_type, target.id, agency_id=agency_id)
    if not _commit_or_error():
        return page(), 409
    flash(tr(said), "success")
    return redirect(done)


def _confirm_delete(
    target_type: str,
    target,
    agency_id: int | None,
    what: str,
    losses: list[str],
    back: str,
    done: str,
    remove: Callable | None = None,
    blocked: str | None = None,
):
    """Every delete: a page naming what goes with it, then (confirmed, and not blocked) audit, delete, commit."""
    form = DeleteForm()
    context = {"form": form, "what": what, "losses": losses, "blocked": blocked, "back": back}
    if blocked and form.is_submitted():
        return render_template("admin/ita_confirm_delete.html", **context), 409
    if blocked or not form.validate_on_submit():
        return render_template("admin/ita_confirm_delete.html", **context)
    record("record_deleted", target_type, target.id, agency_id=agency_id)
    (remove or db.session.delete)(target)
    if not _commit_or_error():
        return render_template("admin/ita_confirm_delete.html", **context), 409
    flash(tr("ita_admin.deleted"), "success")
    return redirect(done)


@bp.get("/ita")
@requires("ita.view")
def ita():
    """The user's agencies with their latest ITA result and their measures."""
    agencies = sorted(current_user.agencies, key=lambda a: a.name_th)
    ids = [a.id for a in agencies]
    latest: dict[int, Assessment] = {}
    for assessment in db.session.scalars(
        select(Assessment).where(Assessment.agency_id.in_(ids)).order_by(Assessment.fiscal_year)
    ):
        latest[assessment.agency_id] = assessment
    per_year = measure_counts(ids)  # {(agency_id, fiscal_year): count}, one query for every agency
    counts: dict[int, int] = {}
    last_year: dict[int, int] = {}
    for (agency_id, year), count in per_year.items():
        counts[agency_id] = counts.get(agency_id, 0) + count
        last_year[agency_id] = max(year, last_year.get(agency_id, year))
    in_last_year = {agency_id: per_year[(agency_id, year)] for agency_id, year in last_year.items()}
    rows = [
        {
            "agency": agency,
            "latest": latest.get(agency.id),
            "measures": counts.get(agency.id, 0),
            "measure_year": last_year.get(agency.id),
            "measures_in_year": in_last_year.get(agency.id, 0),
        }
        for agency in agencies
    ]
    return render_template("admin/ita.html", rows=rows, threshold=_threshold())


def _threshold() -> float:
    return float(current_app.config.get("LOW_SCORE_THRESHOLD", 85.0))


@bp.get("/ita/agencies/<int:agency_id>")
@requires("ita.view")
def ita_agency(agency_id: int):
    agency = _load(Agency, agency_id)
    assessments = db.session.scalars(
        select(Assessment)
        .where(Assessment.agency_id == agency.id)
        .options(selectinload(Assessment.indicator_scores))  # counted per row: one query, not one per year
        .order_by(Assessment.fiscal_year.desc())
    ).all()
    measures = _measures_of(agency)
    return render_template(
        "admin/ita_agency.html",
        agency=agency,
        assessments=assessments,
        measures=measures,
        steps_of=_steps,
        threshold=_threshold(),
    )


@bp.get("/ita/assessments/<int:assessment_id>")
@requires("ita.view")
def ita_assessment(assessment_id: int):
    assessment = _load(Assessment, assessment_id)
    questions = sorted(assessment.question_scores, key=lambda q: (q.code[:1], code_order(q.code[1:])))
    return render_template(
        "admin/ita_assessment.html",
        assessment=assessment,
        agency=assessment.agency,
        questions=questions,
        indicators=INDICATORS,
        tools=TOOLS,
        threshold=_threshold(),
    )


# --- agencies ------------------------------------------------------------------------------------------


AGENCY_COLUMNS = ("name_th", "name_en", "kind", "district", "province", "notes")


def _agency_form_data(agency: Agency) -> dict:
    data = {name: _shown(getattr(agency, name)) for name in ("slug", *AGENCY_COLUMNS)}
    data["short_names"] = "\n".join(a.alias for a in agency.aliases if a.kind == "short")
    data["aliases"] = "\n".join(a.alias for a in agency.aliases if a.kind != "short")
    return data


def _save_agency(agency: Agency, form: AgencyForm) -> None:
    for name, value in _values(form, AGENCY_COLUMNS).items():
        setattr(agency, name, value)
    set_aliases(agency, form.short_names.value, form.aliases.value)


def _alias_clash(form: AgencyForm, agency: Agency | None) -> bool:
    """An alias that another agency already uses would make the bot unsure which agency a citizen means."""
    names = [*form.short_names.value, *form.aliases.value]
    if not names:
        return False
    from models import AgencyAlias

    query = select(AgencyAlias.alias).where(AgencyAlias.alias.in_(names))
    if agency is not None and agency.id is not None:
        query = query.where(AgencyAlias.agency_id != agency.id)
    taken = sorted(set(db.session.scalars(query)))
    if taken:
        form.aliases.errors.append(tr("ita_admin.error.alias_taken", names=", ".join(taken)))
    return bool(taken)


@bp.route("/ita/agencies/new", methods=["GET", "POST"])
@requires("ita.edit")
def ita_agency_new():
    form = AgencyForm(data=None if request.method == "POST" else {"kind": "sao"})
    context = {"form": form, "agency": None, "kinds": AGENCY_KINDS}
    if not form.validate_on_submit():
        return _page("admin/ita_agency_form.html", form.is_submitted(), **context)
    if db.session.scalar(select(Agency.id).where(Agency.slug == form.slug.value)) is not None:
        form.slug.errors.append(tr("ita_admin.error.slug_taken"))
        return _page("admin/ita_agency_form.html", True, **context)
    if _alias_clash(form, None):
        return _page("admin/ita_agency_form.html", True, **context)
    agency = Agency(slug=form.slug.value)
    db.session.add(agency)
    _save_agency(agency, form)
    current_user.agencies.append(agency)  # the admin who adds an agency works for it
    db.session.flush()
    return _saved(
        "record_created",
        "agency",
        agency,
        agency.id,
        lambda: render_template("admin/ita_agency_form.html", **context),
        url_for("admin.ita_agency", agency_id=agency.id),
        said="ita_admin.saved.agency_created",
    )


@bp.route("/ita/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@requires("ita.edit")
def ita_agency_edit(agency_id: int):
    agency = _load(Agency, agency_id)
    form = AgencyForm(data=None if request.method == "POST" else _agency_form_data(agency))
    del form.slug  # the slug is the key files refer to: it does not change
    context = {"form": form, "agency": agency, "kinds": AGENCY_KINDS}
    if not form.validate_on_submit():
        return _page("admin/ita_agency_form.html", form.is_submitted(), **context)
    if _alias_clash(form, agency):
        return _page("admin/ita_agency_form.html", True, **context)
    _save_agency(agency, form)
    return _saved(
        "record_changed",
        "agency",
        agency,
        agency.id,
        lambda: render_template("admin/ita_agency_form.html", **context),
        url_for("admin.ita_agency", agency_id=agency.id),
    )


def _citizen_records(agency: Agency) -> int:
    """Complaints, survey responses and handoffs of the agency: what deleting it would take with it."""
    return sum(
        db.session.scalar(select(func.count()).select_from(model).where(model.agency_id == agency.id)) or 0
        for model in (Complaint, SurveyResponse, Handoff)
    )


@bp.route("/ita/agencies/<int:agency_id>/delete", methods=["GET", "POST"])
@requires("ita.edit")
def ita_agency_delete(agency_id: int):
    agency = _load(Agency, agency_id)
    blocked = _citizen_records(agency)
    return _confirm_delete(
        "agency",
        agency,
        None,  # the entry outlives the agency
        tr("ita_admin.delete.agency", name=agency.name_th),
        [
            tr("ita_admin.delete.loses_assessments", count=len(agency.assessments)),
            tr("ita_admin.delete.loses_measures", count=len(agency.measures)),
        ],
        back=url_for("admin.ita_agency", agency_id=agency.id),
        done=url_for("admin.ita"),
        blocked=tr("ita_admin.delete.agency_has_citizen_records", count=blocked) if blocked else None,
    )


# --- assessments -----------------------------------------------------------------------------------------


ASSESSMENT_COLUMNS = (
    "fiscal_year",
    "total_score",
    "level",
    "announced_on",
    "iit_score",
    "eit_score",
    "oit_score",
    "notes",
)
BLANK_QUESTION_ROWS = 3


def _assessment_form(assessment: Assessment | None) -> AssessmentForm:
    if request.method == "POST":
        return AssessmentForm()
    data: dict = {}
    questions: list[dict] = []
    if assessment is not None:
        data = {name: _shown(getattr(assessment, name)) for name in ASSESSMENT_COLUMNS}
        data.update({f"indicator_{n}": _shown(assessment.indicator(n)) for n in INDICATORS})
        questions = [
            {"code": q.code, "indicator": _shown(q.indicator_no), "score": _shown(q.score), "text": q.text or ""}
            for q in sorted(assessment.question_scores, key=lambda q: (q.code[:1], code_order(q.code[1:])))
        ]
    data["questions"] = questions + [{}] * BLANK_QUESTION_ROWS
    return AssessmentForm(data=data)


def _year_taken(agency: Agency, year: int, current: Assessment | None) -> bool:
    query = select(Assessment.id).where(Assessment.agency_id == agency.id, Assessment.fiscal_year == year)
    found = db.session.scalar(query)
    return found is not None and (current is None or found != current.id)


def _save_assessment(assessment: Assessment, form: AssessmentForm) -> None:
    for name, value in _values(form, ASSESSMENT_COLUMNS).items():
        setattr(assessment, name, value)
    set_indicator_scores(assessment, {n: form[f"indicator_{n}"].value for n in INDICATORS})
    stored = {q.code: q for q in assessment.question_scores}
    wanted: dict[str, QuestionRowForm] = {}
    for entry in form.questions:
        row = entry.form
        if not row.remove.data and not row.blank:
            wanted[row.code.value] = row
    for code, question in stored.items():
        if code not in wanted:
            assessment.question_scores.remove(question)
    for code, row in wanted.items():
        question = stored.get(code)
        if question is None:
            question = QuestionScore(code=code)
            assessment.question_scores.append(question)
        question.indicator_no = row.indicator.value
        question.score = row.score.value
        question.text = row.text.value


def _assessment_page(form: AssessmentForm, agency: Agency, assessment: Assessment | None, invalid: bool):
    context = {
        "form": form,
        "agency": agency,
        "assessment": assessment,
        "levels": KNOWN_LEVELS,
        "indicators": INDICATORS,
    }
    return _page("admin/ita_assessment_form.html", invalid, **context)


@bp.route("/ita/agencies/<int:agency_id>/assessments/new", methods=["GET", "POST"])
@requires("ita.edit")
def ita_assessment_new(agency_id: int):
    agency = _load(Agency, agency_id)
    form = _assessment_form(None)
    if not form.validate_on_submit():
        return _assessment_page(form, agency, None, form.is_submitted())
    if _year_taken(agency, form.fiscal_year.value, None):
        form.fiscal_year.errors.append(tr("ita_admin.error.assessment_year_taken"))
        return _assessment_page(form, agency, None, True)
    assessment = Assessment(agency=agency, fiscal_year=form.fiscal_year.value)
    db.session.add(assessment)
    _save_assessment(assessment, form)
    db.session.flush()
    return _saved(
        "record_created",
        "assessment",
        assessment,
        agency.id,
        lambda: _assessment_page(form, agency, None, False),
        url_for("admin.ita_assessment", assessment_id=assessment.id),
    )


@bp.route("/ita/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
@requires("ita.edit")
def ita_assessment_edit(assessment_id: int):
    assessment = _load(Assessment, assessment_id)
    agency = assessment.agency
    form = _assessment_form(assessment)
    if not form.validate_on_submit():
        return _assessment_page(form, agency, assessment, form.is_submitted())
    if _year_taken(agency, form.fiscal_year.value, assessment):
        form.fiscal_year.errors.append(tr("ita_admin.error.assessment_year_taken"))
        return _assessment_page(form, agency, assessment, True)
    _save_assessment(assessment, form)
    return _saved(
        "record_changed",
        "assessment",
        assessment,
        agency.id,
        lambda: _assessment_page(form, agency, assessment, False),
        url_for("admin.ita_assessment", assessment_id=assessment.id),
    )


@bp.route("/ita/assessments/<int:assessment_id>/delete", methods=["GET", "POST"])
@requires("ita.edit")
def ita_assessment_delete(assessment_id: int):
    assessment = _load(Assessment, assessment_id)
    agency = assessment.agency
    return _confirm_delete(
        "assessment",
        assessment,
        agency.id,
        tr("ita_admin.delete.assessment", name=agency.name_th, year=assessment.fiscal_year),
        [
            tr("ita_admin.delete.loses_indicators", count=len(assessment.indicator_scores)),
            tr("ita_admin.delete.loses_questions", count=len(assessment.question_scores)),
        ],
        back=url_for("admin.ita_assessment", assessment_id=assessment.id),
        done=url_for("admin.ita_agency", agency_id=agency.id),
    )
