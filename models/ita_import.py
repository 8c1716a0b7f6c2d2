"""Import ITA results and measures from XLSX, CSV or the demo YAML: all rows are checked, then written at once."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from models import (
    Agency,
    AgencyAlias,
    Assessment,
    IndicatorScore,
    Measure,
    MeasureIndicator,
    ProgressEntry,
    QuestionScore,
    db,
)
from models.ita_import_check import Row, Validated, row_key, validate
from models.ita_import_messages import Msg, text_of
from models.ita_import_read import ReadError, read_file, records_from_bundle
from models.ita_import_tables import TABLES, Issue, Record
from models.ita_import_template import write_template

__all__ = [
    "DemoDataError",
    "ImportResult",
    "Issue",
    "Record",
    "Validated",
    "apply",
    "check_files",
    "import_files",
    "load_demo",
    "read_file",
    "records_from_bundle",
    "validate",
    "write_template",
]

DEMO_DIR = Path(__file__).parent / "demo"

# Column → model attribute, for the plain fields of each table.
AGENCY_FIELDS = {n: n for n in ("name_th", "name_en", "kind", "district", "province", "notes")}
ASSESSMENT_FIELDS = {
    n: n for n in ("total_score", "level", "announced_on", "iit_score", "eit_score", "oit_score", "notes")
}
QUESTION_FIELDS = {"indicator": "indicator_no", "text": "text", "score": "score"}
MEASURE_FIELDS = {
    n: n
    for n in (
        "title",
        "based_on_year",
        "issue_area",
        "weakness",
        "activities",
        "steps",
        "responsible_unit",
        "timeframe",
        "monitoring",
    )
}
PROGRESS_FIELDS = {n: n for n in ("step", "nacc_period", "agency_period", "result", "status", "report", "reported_on")}


class DemoDataError(RuntimeError):
    """The demo YAML in models/demo does not pass the importer's checks."""


@dataclass
class ImportResult:
    """What an import did: the errors that stopped it, or the rows written per table."""

    errors: list[Issue] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_files(paths: Iterable[Path | str]) -> tuple[Validated, list[Issue]]:
    """Read and check all files together, writing nothing: the checked rows, and every problem found."""
    paths = [Path(p) for p in paths]
    records: list[Record] = []
    errors: list[Issue] = []
    for path in paths:
        try:
            records += read_file(path)
        except ReadError as exc:
            errors.append(Issue(path.name, None, text_of(exc), source=path.name))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
            problem = Msg("cannot_read", error=f"{type(exc).__name__}: {exc}")
            errors.append(Issue(path.name, None, problem, source=path.name))
    validated = validate(records)
    errors += validated.errors
    if not errors and not any(validated.rows.values()):
        names = ", ".join(p.name for p in paths) or "import"
        errors.append(Issue(names, None, Msg("no_rows"), source=names))
    return validated, errors


def import_files(paths: Iterable[Path | str]) -> ImportResult:
    """Read and check all files together; write nothing unless every one of them is clean."""
    validated, errors = check_files(paths)
    if errors:
        return ImportResult(errors=errors)
    try:
        return ImportResult(summary=apply(validated))
    except SQLAlchemyError as exc:
        return ImportResult(errors=[database_refused(exc)])


def database_refused(exc: Exception) -> Issue:
    """The database said no (a constraint, a lost connection): nothing was imported."""
    return Issue("database", None, Msg("database_refused", error=type(exc).__name__))


def load_demo(directory: Path = DEMO_DIR) -> dict[str, int]:
    """Load every models/demo/*.yaml through the importer's checks; a second run changes nothing."""
    records: list[Record] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            bundle = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise DemoDataError(f"{path.name} is not valid YAML: {exc}") from exc
        records += records_from_bundle(bundle, path.name)
    validated = validate(records)
    if validated.errors:
        listing = "\n".join(f"  {issue}" for issue in validated.errors)
        raise DemoDataError(f"the demo data in {directory} has {len(validated.errors)} error(s):\n{listing}")
    return apply(validated)


def apply(validated: Validated, commit: bool = True) -> dict[str, int]:
    """Upsert every checked row in one transaction; returns the rows written per table.

    With commit=False the caller adds to the same transaction (an audit entry) and commits it; on an
    error the session is rolled back either way.
    """
    if validated.errors:
        raise ValueError(f"refusing to write data with {len(validated.errors)} error(s)")
    rows = validated.rows
    try:
        agencies = _Agencies()
        for row in rows["agencies"]:
            _upsert_agency(row, agencies)
        db.session.flush()
        assessments = {row_key("assessments", row): _upsert_assessment(row, agencies) for row in rows["assessments"]}
        for row in rows["questions"]:
            _upsert_question(row, _parent(assessments, row_key("questions", row)[:2], agencies))
        measures = {row_key("measures", row): _upsert_measure(row, agencies) for row in rows["measures"]}
        by_measure: dict[tuple, list[Row]] = {}
        for row in rows["progress"]:
            by_measure.setdefault(row_key("progress", row)[:3], []).append(row)
        for key, entries in by_measure.items():
            _replace_progress(_parent(measures, key, agencies), entries)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return {table: len(rows[table]) for table in TABLES}


class _Agencies(dict[str, Agency]):
    """Agencies by slug: those of the file, then the database's."""

    def __missing__(self, slug: str) -> Agency:
        agency = db.session.scalar(select(Agency).where(Agency.slug == slug))
        if agency is None:  # validate() makes this impossible
            raise LookupError(f"agency {slug} vanished during the import")
        self[slug] = agency
        return agency


def _parent(known: dict[Any, Any], key: tuple, agencies: _Agencies) -> Assessment | Measure:
    """The assessment (slug, year) or measure (slug, year, code) a row belongs to, from the file or the database."""
    if key in known:
        return known[key]
    agency = agencies[key[0]]
    model: type[Assessment | Measure] = Assessment if len(key) == 2 else Measure
    query = select(model).where(model.agency_id == agency.id, model.fiscal_year == key[1])
    if model is Measure:
        query = query.where(Measure.code == key[2])
    known[key] = db.session.scalar(query)
    return known[key]


def _assign(target: object, row: Row, fields: dict[str, str]) -> None:
    """Copy the row's values for the columns its source has; an equal value is not rewritten."""
    for column, attribute in fields.items():
        if column in row.present and getattr(target, attribute) != row.data.get(column):
            setattr(target, attribute, row.data.get(column))


def _upsert_agency(row: Row, agencies: _Agencies) -> None:
    slug = row.data["slug"]
    agency = db.session.scalar(select(Agency).where(Agency.slug == slug))
    if agency is None:
        agency = Agency(slug=slug)
        db.session.add(agency)
    agencies[slug] = agency
    _assign(agency, row, AGENCY_FIELDS)
    current = [(alias.kind, alias.alias) for alias in agency.aliases]
    names = {
        kind: row.data[column] if column in row.present else [name for k, name in current if k == kind]
        for kind, column in (("short", "short_names"), ("alias", "aliases"))
    }
    set_aliases(agency, names["short"], names["alias"])


def set_aliases(agency: Agency, short_names: Sequence[str], aliases: Sequence[str]) -> None:
    """The agency's names become these (a name given twice is kept once, as its first kind)."""
    current = [(alias.kind, alias.alias) for alias in agency.aliases]
    wanted: dict[str, str] = {}
    for kind, names in (("short", short_names), ("alias", aliases)):
        for name in names:
            wanted.setdefault(name, kind)
    if [(kind, name) for name, kind in wanted.items()] != current:
        agency.aliases.clear()
        db.session.flush()  # old aliases go before new ones with the same text arrive
        agency.aliases.extend(AgencyAlias(alias=name, kind=kind) for name, kind in wanted.items())


def _upsert_assessment(row: Row, agencies: _Agencies) -> Assessment:
    agency = agencies[row.data["agency"]]
    assessment = _parent({}, (agency.slug, row.data["fiscal_year"]), agencies)
    if assessment is None:
        assessment = Assessment(agency=agency, fiscal_year=row.data["fiscal_year"])
        db.session.add(assessment)
    _assign(assessment, row, ASSESSMENT_FIELDS)
    given = {n: row.data.get(f"indicator_{n}") for n in range(1, 11) if f"indicator_{n}" in row.present}
    set_indicator_scores(assessment, given)
    return assessment


def set_indicator_scores(assessment: Assessment, scores: dict[int, Any]) -> None:
    """Set the indicators given (None removes a score); indicators not given keep theirs."""
    stored = {score.indicator_no: score for score in assessment.indicator_scores}
    for number, value in sorted(scores.items()):
        score = stored.get(number)
        if value is None and score is not None:
            assessment.indicator_scores.remove(score)
        elif value is not None and score is None:
            assessment.indicator_scores.append(IndicatorScore(indicator_no=number, score=value))
        elif score is not None and score.score != value:
            score.score = value


def _upsert_question(row: Row, assessment: Assessment) -> None:
    code = row.data["code"]
    question = next((q for q in assessment.question_scores if q.code == code), None)
    if question is None:
        question = QuestionScore(code=code)
        assessment.question_scores.append(question)
    _assign(question, row, QUESTION_FIELDS)


def _upsert_measure(row: Row, agencies: _Agencies) -> Measure:
    agency = agencies[row.data["agency"]]
    key = (agency.slug, row.data["fiscal_year"], row.data["code"])
    measure = _parent({}, key, agencies)
    if measure is None:
        measure = Measure(agency=agency, fiscal_year=key[1], code=key[2])
        db.session.add(measure)
    _assign(measure, row, MEASURE_FIELDS)
    if "indicators" in row.present:
        set_measure_indicators(measure, row.data["indicators"])
    return measure


def set_measure_indicators(measure: Measure, wanted: Sequence[int]) -> None:
    """The indicators the measure addresses become these; links kept are not rewritten."""
    for link in [link for link in measure.indicator_links if link.indicator_no not in wanted]:
        measure.indicator_links.remove(link)
    have = {link.indicator_no for link in measure.indicator_links}
    measure.indicator_links.extend(MeasureIndicator(indicator_no=n) for n in wanted if n not in have)


def _replace_progress(measure: Measure, rows: Sequence[Row]) -> None:
    """The measure's steps become the file's steps; unchanged steps keep their rows.

    Only entries of kind "step" are the file's to replace: participation evidence attached in the
    backend (kind "participation") stays.
    """
    stored = {entry.step_no: entry for entry in measure.progress if entry.kind == "step"}
    wanted = {row.data["step_no"]: row for row in rows}
    for step_no, entry in stored.items():
        if step_no not in wanted:
            measure.progress.remove(entry)
    for step_no, row in sorted(wanted.items()):
        entry = stored.get(step_no)
        if entry is None:
            entry = ProgressEntry(step_no=step_no, kind="step")
            measure.progress.append(entry)
        _assign(entry, row, PROGRESS_FIELDS)
