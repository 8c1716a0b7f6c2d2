"""What a checked import would do, told before it is done: which rows are new and which replace stored ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import Agency, Assessment, Measure, db
from models.ita_import_check import Validated, row_key


@dataclass(frozen=True)
class Planned:
    """One thing the import will write: an agency, an assessment, a measure, or a measure's steps."""

    table: str  # agencies | assessments | questions | measures | progress
    slug: str
    fiscal_year: int | None = None
    code: str | None = None  # a measure's code
    title: str | None = None  # an agency's Thai name, a measure's title
    total_score: object = None  # an assessment's total
    new: bool = True  # False: replaces (updates) what is stored under the same key
    rows: int = 1  # questions: how many; progress: steps in the file
    stored: int = 0  # questions, progress: how many the database has now


def plan(validated: Validated) -> list[Planned]:
    """Every write of a clean import, in table order (needs an app context; reads, never writes)."""
    rows = validated.rows
    agencies = {a.slug: a for a in db.session.scalars(select(Agency))}
    out: list[Planned] = []
    for row in rows["agencies"]:
        slug = row.data["slug"]
        stored = agencies.get(slug)
        out.append(
            Planned(
                "agencies", slug, title=row.data.get("name_th") or getattr(stored, "name_th", None), new=stored is None
            )
        )
    for row in rows["assessments"]:
        slug, year = row_key("assessments", row)
        stored = _assessment(agencies.get(slug), year)
        out.append(Planned("assessments", slug, year, total_score=row.data.get("total_score"), new=stored is None))
    by_assessment: dict[tuple, int] = {}
    for row in rows["questions"]:
        key = row_key("questions", row)[:2]
        by_assessment[key] = by_assessment.get(key, 0) + 1
    for (slug, year), count in by_assessment.items():
        stored = _assessment(agencies.get(slug), year)
        have = len(stored.question_scores) if stored else 0
        out.append(Planned("questions", slug, year, rows=count, stored=have, new=not have))
    for row in rows["measures"]:
        slug, year, code = row_key("measures", row)
        stored = _measure(agencies.get(slug), year, code)
        out.append(Planned("measures", slug, year, code, title=row.data.get("title"), new=stored is None))
    by_measure: dict[tuple, int] = {}
    for row in rows["progress"]:
        key = row_key("progress", row)[:3]
        by_measure[key] = by_measure.get(key, 0) + 1
    for (slug, year, code), count in by_measure.items():
        stored = _measure(agencies.get(slug), year, code)
        have = sum(1 for entry in stored.progress if entry.kind == "step") if stored else 0
        out.append(Planned("progress", slug, year, code, rows=count, stored=have, new=not have))
    return out


def _assessment(agency: Agency | None, year: int) -> Assessment | None:
    if agency is None:
        return None
    return db.session.scalar(
        select(Assessment).where(Assessment.agency_id == agency.id, Assessment.fiscal_year == year)
    )


def _measure(agency: Agency | None, year: int, code: str) -> Measure | None:
    if agency is None:
        return None
    return db.session.scalar(
        select(Measure).where(Measure.agency_id == agency.id, Measure.fiscal_year == year, Measure.code == code)
    )
