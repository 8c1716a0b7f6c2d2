"""Feedback statistics dashboard per agency and fiscal year (Buddhist era).

Satisfaction over time, per question and per EIT indicator (estimates beside the official scores), complaints
by lane, category, status and indicator with resolution times, handoffs with first-response times, and who
took part. Every chart is drawn by admin/static/stats.js from a JSON spec in a data- attribute (no inline
script: CSP) and has its numbers in a table beside it.

Two versions: internal (exact counts) and "for publishing" (?publish=1): every count of 1–4 shows as "<5"
(models.survey_stats.published_count), and a mean of fewer than five citizens' answers is withheld, since it
would tell what those few said. Corruption reports: every stats user sees how many there were (a count is no
identity); their categories, statuses and times only users with the right cases.corruption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import abort, jsonify, render_template, request
from sqlalchemy import func, select

from admin import bp
from admin.access import agency_ids, has_right, requires
from admin.ui import be_date, duration, lang, tr
from models import Agency, Assessment, Complaint, Handoff, SurveyResponse, db
from models.complaint import CATEGORIES, LANES, STATUSES
from models.conversation import CHANNELS
from models.feedback_stats import (
    complaint_stats,
    handoff_stats,
    participation_stats,
    satisfaction_over_time,
)
from models.handoff import HANDOFF_REASONS
from models.indicators import INDICATORS
from models.periods import BE_OFFSET, THAI_MONTHS_SHORT, fiscal_year, period_bounds
from models.survey_stats import SMALL_COUNT, published_count, survey_summary
from models.types import utcnow

MIN_YEAR, MAX_YEAR = 2500, 2800  # fiscal years (BE) a request may ask for
YEARS_OFFERED = 5  # at least this many years back from the latest are offered in the year menu


# Catalog keys of values known at run time (the i18n test scans literal keys only).
LANE_KEYS = {lane: "complaint.lane." + lane for lane in LANES}
CATEGORY_KEYS = {c: "complaint.category." + c for lane in CATEGORIES.values() for c in lane}
STATUS_KEYS = {s: "case.status." + s for s in STATUSES}
INDICATOR_KEYS = {n: "indicator." + str(n) + ".name" for n in INDICATORS}
REASON_KEYS = {r: "stats.handoff.reason." + r for r in HANDOFF_REASONS}
CHANNEL_KEYS = {c: "stats.channel." + c for c in CHANNELS}


def _label(keys: dict, value) -> str:
    """The value's name in the user's language; a value the catalog does not know shows as stored."""
    return tr(keys[value]) if value in keys else str(value)


class BadRequest(ValueError):
    """A parameter the dashboard cannot use: its catalog key says which."""


@dataclass
class Choice:
    agency: Agency
    year: int
    publish: bool
    agencies: list[Agency]
    years: list[int]


def _my_agencies() -> list[Agency]:
    ids = agency_ids()
    if not ids:
        return []
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name_th, Agency.id)))


def _data_years(agency_id: int) -> list[int]:
    """Fiscal years from the agency's first to its latest survey answer, complaint or handoff, and its assessments."""
    bounds = [
        db.session.execute(
            select(func.min(column), func.max(column)).where(owner == agency_id, column.is_not(None))
        ).one()
        for column, owner in (
            (SurveyResponse.completed_at, SurveyResponse.agency_id),
            (Complaint.filed_at, Complaint.agency_id),
            (Handoff.opened_at, Handoff.agency_id),
        )
    ]
    moments = [m for pair in bounds for m in pair if m is not None]
    years: set[int] = set()
    if moments:
        first, last = fiscal_year(min(moments)), fiscal_year(max(moments))
        years.update(range(first, last + 1))
    return sorted(years)


def _choose() -> Choice | None:
    """The agency, year and version asked for; 404 for an agency that is not the user's, BadRequest for junk."""
    agencies = _my_agencies()
    if not agencies:
        return None
    requested = request.args.get("agency", "").strip()
    if requested:
        agency = next((a for a in agencies if str(a.id) == requested), None)
        if agency is None:
            abort(404)  # another agency's, or none: its existence is not confirmed
    else:
        agency = agencies[0]
    data_years = _data_years(agency.id)
    assessed = db.session.scalars(select(Assessment.fiscal_year).where(Assessment.agency_id == agency.id)).all()
    current = fiscal_year(utcnow())
    latest = max([*data_years, current]) if data_years else current
    default = data_years[-1] if data_years else current
    years = sorted({*data_years, *assessed, *range(latest - YEARS_OFFERED + 1, latest + 1)}, reverse=True)

    raw_year = request.args.get("year", "").strip()
    if raw_year:
        if not raw_year.isdecimal() or not MIN_YEAR <= int(raw_year) <= MAX_YEAR:
            raise BadRequest("stats.error.year")
        year = int(raw_year)
        if year not in years:
            years = sorted({*years, year}, reverse=True)
    else:
        year = default
    publish = request.args.get("publish", "") in ("1", "true", "on", "yes")
    return Choice(agency=agency, year=year, publish=publish, agencies=agencies, years=years)


# --- shaping the numbers ---------------------------------------------------------------------------


class Shown:
    """How numbers read in this version of the page: exact, or as published."""

    def __init__(self, publish: bool):
        self.publish = publish

    def count(self, n: int | None) -> str:
        if n is None:
            return "–"
        return published_count(n) if self.publish else f"{n:,}"

    def plotted(self, n: int) -> int | None:
        """A count on a chart: left out when published and 1–4 (the table says "<5")."""
        return None if self.publish and 0 < n < SMALL_COUNT else n

    def mean(self, value: Decimal | None, base: int) -> Decimal | None:
        """A mean of `base` citizens' answers: withheld when published and fewer than five."""
        if value is None or (self.publish and base < SMALL_COUNT):
            return None
        return value


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def month_label(key: str, short: bool = False) -> str:
    """'2569-M01' → 'ต.ค. 2568' (axis: 'ต.ค. 68'); in English 'Oct 2025' ('Oct 25')."""
    start, _ = period_bounds(key)
    if lang() == "th":
        year = start.year + BE_OFFSET
        return f"{THAI_MONTHS_SHORT[start.month - 1]} {year % 100 if short else year:02d}"
    return f"{start:%b} {start.year % 100 if short else start.year:02d}"


def _bar(labels: list[str], datasets: list[dict], **options) -> dict:
    return {"type": "bar", "labels": labels, "datasets": datasets, **options}


def dashboard(choice: Choice) -> dict:
    """Everything the page shows, as plain values (also the JSON of admin.stats_data)."""
    agency, year, shown = choice.agency, choice.year, Shown(choice.publish)
    start, end = period_bounds(str(year))
    corruption_allowed = has_right("cases.corruption")

    satisfaction = satisfaction_over_time(agency.id, start, end)
    survey = survey_summary(agency.id, start=start, end=end, official_year=year)
    everything = complaint_stats(agency.id, start, end)
    complaints = everything if corruption_allowed else complaint_stats(agency.id, start, end, lanes=("general",))
    handoffs = handoff_stats(agency.id, start, end)
    people = participation_stats(agency.id, start, end)
    months = [p.period for p in satisfaction]
    axis = [month_label(key, short=True) for key in months]

    satisfaction_rows = [
        {
            "period": p.period,
            "label": month_label(p.period),
            "responses": p.responses,
            "responses_shown": shown.count(p.responses),
            "mean": _number(shown.mean(p.mean, p.responses)),
        }
        for p in satisfaction
    ]
    question_rows = [
        {
            "code": q.code,
            "text": q.text(lang()),
            "indicator": q.indicator,
            "count": q.count,
            "count_shown": shown.count(q.count),
            "mean": _number(shown.mean(q.mean, q.count)),
            "mapped": _number(shown.mean(q.mapped, q.count)),
        }
        for q in survey.questions
    ]
    indicator_rows = [
        {
            "indicator": i.indicator,
            "name": tr(INDICATOR_KEYS[i.indicator]),
            "respondents": i.respondents,
            "respondents_shown": shown.count(i.respondents),
            "answers": i.answers,
            "answers_shown": shown.count(i.answers),
            "mean": _number(shown.mean(i.mean, i.respondents)),
            "estimate": _number(shown.mean(i.estimate, i.respondents)),
            "official": _number(i.official),
            "difference": _number(shown.mean(i.difference, i.respondents)),
        }
        for i in survey.indicators
    ]

    def counted(pairs, label_of) -> list[dict]:
        return [{"key": k, "label": label_of(k), "n": n, "shown": shown.count(n)} for k, n in pairs]

    lanes = counted(everything.by_lane.items(), lambda k: _label(LANE_KEYS, k))
    categories = counted(complaints.by_category.items(), lambda k: _label(CATEGORY_KEYS, k))
    statuses = counted(complaints.by_status.items(), lambda k: _label(STATUS_KEYS, k))
    indicators = counted(
        complaints.by_indicator.items(), lambda k: tr("stats.indicator_label", number=k, name=tr(INDICATOR_KEYS[k]))
    )
    complaint_months = counted(complaints.by_month, month_label)
    reasons = counted(handoffs.by_reason.items(), lambda k: _label(REASON_KEYS, k))
    handoff_months = counted(handoffs.by_month, month_label)
    channels = counted(people.by_channel.items(), lambda k: _label(CHANNEL_KEYS, k))

    def hours(value: Decimal | None) -> dict:
        return {"hours": _number(value), "text": duration(float(value) * 3600) if value is not None else "–"}

    def seconds(value: Decimal | None) -> dict:
        return {"seconds": _number(value), "text": duration(float(value)) if value is not None else "–"}

    def bars(rows: list[dict], label: str, axis_labels: list[str] | None = None, **options) -> dict:
        data = [shown.plotted(r["n"]) for r in rows]
        return _bar(axis_labels or [r["label"] for r in rows], [{"label": label, "data": data}], **options)

    charts = {
        "satisfaction": {
            "type": "line",
            "labels": axis,
            "datasets": [
                {
                    "label": tr("stats.satisfaction.mean"),
                    "data": [r["mean"] for r in satisfaction_rows],
                    "yAxisID": "y",
                },
                {
                    "label": tr("stats.satisfaction.responses"),
                    "data": [shown.plotted(p.responses) for p in satisfaction],
                    "type": "bar",
                    "yAxisID": "y1",
                },
            ],
            "scales": {
                "y": {"min": 1, "max": 5, "title": tr("stats.satisfaction.mean_axis")},
                "y1": {"min": 0, "title": tr("stats.satisfaction.responses"), "position": "right", "integer": True},
            },
        },
        "indicators": _bar(
            [tr("stats.indicator_label", number=r["indicator"], name=r["name"]) for r in indicator_rows],
            [
                {"label": tr("stats.survey.estimate"), "data": [r["estimate"] for r in indicator_rows]},
                {"label": tr("stats.survey.official"), "data": [r["official"] for r in indicator_rows]},
            ],
            scales={"y": {"min": 0, "max": 100}},
        ),
        "questions": _bar(
            [r["code"] for r in question_rows],
            [{"label": tr("stats.survey.mean"), "data": [r["mean"] for r in question_rows]}],
            scales={"y": {"min": 1, "max": 5}},
        ),
        "lanes": bars(lanes, tr("stats.complaints.count"), scales={"y": {"min": 0, "integer": True}}),
        "categories": bars(
            categories, tr("stats.complaints.count"), indexAxis="y", scales={"x": {"min": 0, "integer": True}}
        ),
        "statuses": bars(statuses, tr("stats.complaints.count"), scales={"y": {"min": 0, "integer": True}}),
        "complaint_indicators": bars(
            indicators,
            tr("stats.complaints.count"),
            axis_labels=[str(r["key"]) for r in indicators],
            scales={"y": {"min": 0, "integer": True}},
        ),
        "complaint_months": bars(
            complaint_months, tr("stats.complaints.count"), axis_labels=axis, scales={"y": {"min": 0, "integer": True}}
        ),
        "handoff_months": bars(
            handoff_months, tr("stats.handoffs.opened"), axis_labels=axis, scales={"y": {"min": 0, "integer": True}}
        ),
    }
    return {
        "agency": {"id": agency.id, "name": agency.display_name(lang())},
        "fiscal_year": year,
        "start": be_date(start),
        "end": be_date(end - timedelta(days=1)),
        "publish": choice.publish,
        "corruption_details": corruption_allowed,
        "satisfaction": satisfaction_rows,
        "survey": {
            "responses": survey.responses,
            "responses_shown": shown.count(survey.responses),
            "partial": survey.partial,
            "partial_shown": shown.count(survey.partial),
            "questions": question_rows,
            "indicators": indicator_rows,
        },
        "complaints": {
            "total": complaints.total,
            "total_shown": shown.count(complaints.total),
            "all_lanes_total": everything.total,
            "all_lanes_total_shown": shown.count(everything.total),
            "closed": complaints.closed,
            "closed_shown": shown.count(complaints.closed),
            "timed": complaints.timed,
            "open_overdue": complaints.open_overdue,
            "open_overdue_shown": shown.count(complaints.open_overdue),
            "resolution_median": hours(complaints.resolution_hours_median),
            "resolution_mean": hours(complaints.resolution_hours_mean),
            "by_lane": lanes,
            "by_category": categories,
            "by_status": statuses,
            "by_indicator": indicators,
            "by_month": complaint_months,
        },
        "handoffs": {
            "opened": handoffs.opened,
            "opened_shown": shown.count(handoffs.opened),
            "closed_shown": shown.count(handoffs.closed),
            "still_open_shown": shown.count(handoffs.still_open),
            "answered_shown": shown.count(handoffs.answered),
            "first_response_median": seconds(handoffs.first_response_seconds_median),
            "first_response_mean": seconds(handoffs.first_response_seconds_mean),
            "rated": handoffs.rated,
            "rated_shown": shown.count(handoffs.rated),
            "rating_mean": _number(shown.mean(handoffs.rating_mean, handoffs.rated)),
            "by_reason": reasons,
            "by_month": handoff_months,
        },
        "participation": {
            "participants": people.participants,
            "participants_shown": shown.count(people.participants),
            "by_channel": channels,
            "questions_shown": shown.count(people.questions),
            "survey_responses_shown": shown.count(people.survey_responses),
            "complaints_general_shown": shown.count(people.complaints_general),
            "corruption_reports_shown": shown.count(people.corruption_reports),
            "handoffs_shown": shown.count(people.handoffs),
        },
        "charts": charts,
    }


# --- views -----------------------------------------------------------------------------------------


@bp.get("/stats")
@requires("stats")
def stats():
    try:
        choice = _choose()
    except BadRequest as exc:
        return render_template("admin/stats.html", choice=None, board=None, error=tr(str(exc))), 400
    if choice is None:
        return render_template("admin/stats.html", choice=None, board=None, error=None)
    return render_template("admin/stats.html", choice=choice, board=dashboard(choice), error=None)


@bp.get("/stats/data")
@requires("stats")
def stats_data():
    """The dashboard's numbers as JSON (the same agency, year and version parameters as the page)."""
    try:
        choice = _choose()
    except BadRequest as exc:
        return jsonify(error=tr(str(exc)), status=400), 400
    if choice is None:
        return jsonify(error=tr("stats.no_agency"), status=404), 404
    return jsonify(dashboard(choice))
