"""Citizens' participation as evidence on a measure, and the measures' six-month and annual progress reports.

participation_evidence() computes, for one measure and one period (models.periods keys: 2569, 2569-H1,
2569-Q2, ...), what the bot's data say: the survey results of the EIT indicators the measure addresses,
the complaints of the categories that map to its indicators, and how many citizens took part through which
channels. The figures are JSON-ready (Decimals as strings) so that attach_participation() can freeze them in
a ProgressEntry (kind "participation"): later answers and complaints do not change an attached entry; only
its narrative (ProgressEntry.report) stays editable.

progress_report() gathers, per agency and fiscal year, each measure's steps with their status and result and
the participation entries of the window: scope "half" (the six-month report, periods up to 31 March) or
"year" (the annual report). It is what o43 (implementation of the measures) is exported from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.i18n import catalog, t
from models import Agency, Assessment, IndicatorScore, Measure, ProgressEntry, db
from models.complaint import CATEGORIES, LANES
from models.measure import code_order
from models.periods import BE_OFFSET, local, period_bounds, periods_of, split_period
from models.survey_stats import EIT_INDICATORS, published_count, published_mean, survey_summary
from models.types import utcnow

EVIDENCE_VERSION = 1
SCOPES = ("half", "year")
KIND = "participation"


class ParticipationError(ValueError):
    """A participation entry that cannot be attached; `code` names why (a reports.error.* string)."""

    def __init__(self, code: str, **values) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


# --- periods -----------------------------------------------------------------------------------------


def period_label(key: str, lang: str = "th") -> str:
    """'2569-H1' → 'รอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569'; raises ValueError for a key that names no period."""
    start, _ = period_bounds(key)
    year, kind, number = split_period(key)
    if kind == "fiscal_year":
        return t("reports.period.year", lang, year=year)
    if kind == "half":
        return t("reports.period.first_half" if number == 1 else "reports.period.second_half", lang, year=year)
    if kind == "quarter":
        return t("reports.period.quarter", lang, number=number, year=year)
    month = catalog(lang)["reports.month_names"][start.month - 1]
    calendar_year = start.year + BE_OFFSET if lang == "th" else start.year
    return t("reports.period.month", lang, month=month, be=calendar_year, year=year)


def period_span(key: str, lang: str = "th") -> str:
    """The period's first and last day: '1 ต.ค. 2568 – 31 มี.ค. 2569'."""
    from models.periods import english_date, thai_date

    start, end = period_bounds(key)
    last = end - timedelta(days=1)
    show = thai_date if lang == "th" else english_date
    return f"{show(start)} – {show(last)}"


def measure_periods(measure: Measure) -> list[str]:
    """The periods evidence may be attached for: the measure's fiscal year, its halves and its quarters."""
    year = measure.fiscal_year
    return [str(year), *periods_of(year, "half"), *periods_of(year, "quarter")]


def period_started(key: str, now: datetime | None = None) -> bool:
    start, _ = period_bounds(key)
    return start <= (now or utcnow())


# --- evidence ----------------------------------------------------------------------------------------


def _text(value) -> str | None:
    """A number as stored in evidence: Decimals (and floats) as strings, None kept."""
    if value is None:
        return None
    if isinstance(value, float):
        value = Decimal(str(round(value, 2)))
    return str(value)


def _counts(mapping) -> dict[str, int]:
    return {str(key): int(value) for key, value in (mapping or {}).items()}


def measure_categories(indicators: list[int]) -> dict[str, list[str]]:
    """The complaint categories, per lane, that concern any of these indicators."""
    wanted = set(indicators)
    return {
        lane: [category for category, numbers in CATEGORIES[lane].items() if wanted & set(numbers)] for lane in LANES
    }


def _baseline(agency_id: int, year: int | None) -> dict[int, Decimal]:
    """The published EIT indicator scores of the ITA result the measure answers."""
    if year is None:
        return {}
    return dict(
        db.session.execute(
            select(IndicatorScore.indicator_no, IndicatorScore.score)
            .join(Assessment, IndicatorScore.assessment_id == Assessment.id)
            .where(Assessment.agency_id == agency_id, Assessment.fiscal_year == year)
        ).all()
    )


def _survey(measure: Measure, start: datetime, end: datetime) -> dict | None:
    eit = [n for n in measure.indicators if n in EIT_INDICATORS]
    if not eit:
        return None
    summary = survey_summary(measure.agency_id, start=start, end=end)
    baseline = _baseline(measure.agency_id, measure.based_on_year)
    indicators = []
    for number in eit:
        row = summary.indicator(number)
        indicators.append(
            {
                "indicator": number,
                "respondents": row.respondents,
                "answers": row.answers,
                "mean": _text(row.mean),
                "estimate": _text(row.estimate),
                "baseline": _text(baseline.get(number)),
            }
        )
    questions = [
        {
            "code": q.code,
            "text_th": q.text_th,
            "text_en": q.text_en,
            "indicator": q.indicator,
            "count": q.count,
            "mean": _text(q.mean),
            "mapped": _text(q.mapped),
        }
        for q in summary.questions
        if q.indicator in eit
    ]
    return {
        "responses": summary.responses,
        "baseline_year": measure.based_on_year,
        "indicators": indicators,
        "questions": questions,
    }


def _complaints(measure: Measure, start: datetime, end: datetime) -> dict | None:
    from models.feedback_stats import complaint_stats

    if not measure.indicators:
        return None
    categories = measure_categories(measure.indicators)
    stats = complaint_stats(measure.agency_id, start, end, lanes=LANES, indicators=list(measure.indicators))
    by_category = _counts(stats.by_category)
    return {
        "categories": categories,
        "total": int(stats.total),
        "by_category": {c: by_category.get(c, 0) for lane in LANES for c in categories[lane]},
        "by_status": _counts(stats.by_status),
        "closed": int(stats.closed),
        "resolution_hours_median": _text(stats.resolution_hours_median),
    }


def _participation(agency_id: int, start: datetime, end: datetime) -> dict:
    from models.feedback_stats import participation_stats

    stats = participation_stats(agency_id, start, end)
    return {
        "participants": int(stats.participants),
        "by_channel": _counts(stats.by_channel),
        "survey_responses": int(stats.survey_responses),
        "complaints_general": int(stats.complaints_general),
        "corruption_reports": int(stats.corruption_reports),
        "handoffs": int(stats.handoffs),
        "questions": int(stats.questions),
    }


def participation_evidence(measure: Measure, period: str) -> dict:
    """What the bot's data say for this measure and period, JSON-ready; ValueError for a bad period key."""
    start, end = period_bounds(period)
    now = utcnow()
    bounds = (start.astimezone(UTC), end.astimezone(UTC))  # stored times are UTC
    return {
        "version": EVIDENCE_VERSION,
        "period": period,
        "period_label": period_label(period, "th"),
        "period_label_en": period_label(period, "en"),
        "start": start.date().isoformat(),
        "end": (end - timedelta(days=1)).date().isoformat(),  # the last day, inclusive
        "complete": end <= now,  # False: the period was still running when computed
        "computed_at": now.isoformat(timespec="seconds"),
        "agency_id": measure.agency_id,
        "measure_id": measure.id,
        "indicators": list(measure.indicators),
        "issue_area": measure.issue_area,
        "survey": _survey(measure, *bounds),
        "complaints": _complaints(measure, *bounds),
        "participation": _participation(measure.agency_id, *bounds),
    }


# --- the narrative draft ---------------------------------------------------------------------------


def channel_label(channel: str, lang: str = "th") -> str:
    names = catalog(lang)
    key = f"reports.channel.{channel}"
    return str(names[key]) if key in names else channel


def figures_summary(evidence: dict, lang: str = "th") -> str:
    """One line of the frozen figures, as published (counts 1–4 as "<5"): the entry's result column."""
    part = evidence.get("participation") or {}
    channels = ", ".join(
        t("reports.draft.channel_count", lang, channel=channel_label(c, lang), count=published_count(n))
        for c, n in sorted(part.get("by_channel", {}).items())
        if n
    )
    lines = [t("reports.draft.summary_people", lang, count=published_count(part.get("participants", 0)))]
    if channels:
        lines[0] += f" ({channels})"
    survey = evidence.get("survey")
    if survey is not None:
        lines.append(t("reports.draft.summary_survey", lang, count=published_count(survey["responses"])))
    complaints = evidence.get("complaints")
    if complaints is not None:
        lines.append(
            t(
                "reports.draft.summary_complaints",
                lang,
                count=published_count(complaints["total"]),
                closed=published_count(complaints["closed"]),
            )
        )
    return ("; " if lang == "en" else " ").join(lines)


def draft_narrative(evidence: dict, agency_name: str, lang: str = "th") -> str:
    """A first draft of the narrative, in the style of a progress report, written from the figures."""
    part = evidence.get("participation") or {}
    channels = t("list.join", lang).join(
        channel_label(c, lang) for c, n in sorted(part.get("by_channel", {}).items()) if n
    ) or t("reports.draft.no_channel", lang)
    label = evidence["period_label"] if lang == "th" else evidence.get("period_label_en", evidence["period_label"])
    span = period_span(evidence["period"], lang)
    paragraphs = [
        t(
            "reports.draft.opening",
            lang,
            period=label,
            span=span,
            agency=agency_name,
            channels=channels,
            count=published_count(part.get("participants", 0)),
        )
    ]
    survey = evidence.get("survey")
    if survey is not None:
        if survey["responses"]:
            rows = []
            for row in survey["indicators"]:
                name = t(f"indicator.{row['indicator']}.name", lang)
                if row["mean"] is None:
                    rows.append(t("reports.draft.survey_indicator_none", lang, number=row["indicator"], name=name))
                    continue
                if published_mean(row["mean"], row["respondents"]) is None:  # what so few said stays theirs
                    rows.append(t("reports.draft.survey_indicator_few", lang, number=row["indicator"], name=name))
                    continue
                text = t(
                    "reports.draft.survey_indicator",
                    lang,
                    number=row["indicator"],
                    name=name,
                    mean=row["mean"],
                    estimate=row["estimate"],
                )
                if row.get("baseline"):
                    text += t("reports.draft.baseline", lang, year=survey["baseline_year"], score=row["baseline"])
                rows.append(text)
            paragraphs.append(
                t("reports.draft.survey", lang, count=published_count(survey["responses"])) + " " + " ".join(rows)
            )
        else:
            paragraphs.append(t("reports.draft.survey_none", lang))
    complaints = evidence.get("complaints")
    if complaints is not None:
        if complaints["total"]:
            text = t(
                "reports.draft.complaints",
                lang,
                count=published_count(complaints["total"]),
                closed=published_count(complaints["closed"]),
            )
            if complaints.get("resolution_hours_median") is not None:
                text += " " + t("reports.draft.resolution", lang, hours=complaints["resolution_hours_median"])
            paragraphs.append(text)
        else:
            paragraphs.append(t("reports.draft.complaints_none", lang))
    paragraphs.append(t("reports.draft.closing", lang))
    return "\n".join(paragraphs)


# --- attaching ---------------------------------------------------------------------------------------


def participation_entries(measure: Measure) -> list[ProgressEntry]:
    return [entry for entry in measure.progress if entry.kind == KIND]


def entry_for(measure: Measure, period: str) -> ProgressEntry | None:
    return next((e for e in participation_entries(measure) if e.period == period), None)


def next_step_no(measure: Measure) -> int:
    """After the planned steps and every entry so far."""
    return max([len(measure.steps or []), *(e.step_no for e in measure.progress)]) + 1


def entry_title(period: str, lang: str = "th") -> str:
    return t("reports.entry_title", lang, period=period_label(period, lang))


def attach_participation(
    measure: Measure,
    period: str,
    narrative: str | None,
    user_id: int | None,
    replace: bool = False,
    evidence: dict | None = None,
) -> ProgressEntry:
    """Freeze the period's evidence on the measure as a done progress entry, with the staff's narrative.

    A period already attached is refused (ParticipationError "already_attached") unless replace is set:
    then the old entry is deleted and the figures computed again. The caller commits.
    """
    if period not in measure_periods(measure):
        raise ParticipationError("period_outside", year=measure.fiscal_year)
    if not period_started(period):
        raise ParticipationError("period_future")
    existing = entry_for(measure, period)
    if existing is not None:
        if not replace:
            raise ParticipationError("already_attached", period=period_label(period))
        measure.progress.remove(existing)
        db.session.flush()
    evidence = evidence if evidence is not None else participation_evidence(measure, period)
    entry = ProgressEntry(
        step_no=next_step_no(measure),
        step=entry_title(period),
        agency_period=period_span(period),
        result=figures_summary(evidence),
        status="done",
        report=(narrative or "").strip() or None,
        reported_on=local(utcnow()).date(),
        kind=KIND,
        period=period,
        evidence=evidence,
        created_by_id=user_id,
    )
    measure.progress.append(entry)
    db.session.flush()
    return entry


# --- progress reports --------------------------------------------------------------------------------


@dataclass
class StepRow:
    """A step of a measure as reported (entry set) or only planned (entry None, status None)."""

    step_no: int
    step: str
    nacc_period: str | None = None
    agency_period: str | None = None
    result: str | None = None
    status: str | None = None  # done | in_progress | not_started; None: planned, not reported yet
    report: str | None = None
    reported_on: date | None = None
    entry: ProgressEntry | None = None
    late: bool = False  # reported after the report's window closed (its status is newer than the window)


@dataclass
class MeasureProgress:
    measure: Measure
    steps: list[StepRow]
    participation: list[ProgressEntry]

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for row in self.steps if row.status == "done")


@dataclass
class ProgressReport:
    agency: Agency
    fiscal_year: int
    scope: str  # half | year
    as_of: date
    start: date  # first day of the window
    end: date  # last day of the window, inclusive
    periods: list[str]  # the periods whose participation entries belong to the window
    measures: list[MeasureProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.measures)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.measures)

    def title(self, lang: str = "th") -> str:
        key = "reports.progress.title_half" if self.scope == "half" else "reports.progress.title_year"
        return t(key, lang, year=self.fiscal_year)


def window_periods(fiscal_year: int, scope: str) -> list[str]:
    """Every period key lying inside the report's window."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    _, window_end = period_bounds(f"{fiscal_year}-H1" if scope == "half" else str(fiscal_year))
    keys = [str(fiscal_year)]
    for kind in ("half", "quarter", "month"):
        keys += periods_of(fiscal_year, kind)
    return [key for key in keys if period_bounds(key)[1] <= window_end]


def _step_rows(measure: Measure, last_day: date) -> list[StepRow]:
    entries = {e.step_no: e for e in measure.progress if e.kind != KIND}
    rows = []
    for number, planned in enumerate(measure.steps or [], start=1):
        if number not in entries:
            rows.append(StepRow(step_no=number, step=str(planned)))
    for number, entry in entries.items():
        rows.append(
            StepRow(
                step_no=number,
                step=entry.step,
                nacc_period=entry.nacc_period,
                agency_period=entry.agency_period,
                result=entry.result,
                status=entry.status,
                report=entry.report,
                reported_on=entry.reported_on,
                entry=entry,
                late=entry.reported_on is not None and entry.reported_on > last_day,
            )
        )
    return sorted(rows, key=lambda row: row.step_no)


def progress_report(agency_id: int, fiscal_year: int, scope: str) -> ProgressReport:
    """The six-month (scope "half": to 31 March) or annual ("year") progress report of the agency's measures."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise ValueError(f"no agency {agency_id}")
    start, end = period_bounds(f"{fiscal_year}-H1" if scope == "half" else str(fiscal_year))
    last_day = (end - timedelta(days=1)).date()
    today = local(utcnow()).date()
    periods = window_periods(fiscal_year, scope)
    measures = db.session.scalars(
        select(Measure).where(Measure.agency_id == agency_id, Measure.fiscal_year == fiscal_year)
    ).all()
    report = ProgressReport(
        agency=agency,
        fiscal_year=fiscal_year,
        scope=scope,
        as_of=min(today, last_day),
        start=start.date(),
        end=last_day,
        periods=periods,
    )
    for measure in sorted(measures, key=lambda measure: code_order(measure.code)):
        entries = [e for e in participation_entries(measure) if e.period in periods]
        entries.sort(key=lambda e: (period_bounds(e.period)[1], period_bounds(e.period)[0], e.step_no))
        report.measures.append(MeasureProgress(measure, _step_rows(measure, last_day), entries))
    return report
