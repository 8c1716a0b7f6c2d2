"""Read-only queries the bot answers from; nothing here invents a number."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.nlu.agencies import AgencyIndex
from models import Agency, Assessment, Measure, db

_INDEX_TTL = 60.0
_index_lock = threading.Lock()
_index_cache: dict[str, tuple[float, tuple, AgencyIndex]] = {}


def agency_index() -> AgencyIndex:
    """The name index, rebuilt when agencies change (checked at most once a minute per process)."""
    key = str(db.engine.url)
    now = time.monotonic()
    cached = _index_cache.get(key)
    if cached and now - cached[0] < _INDEX_TTL:
        return cached[2]
    stamp = tuple(db.session.execute(select(func.count(Agency.id), func.max(Agency.id))).one())
    if cached and cached[1] == stamp:
        _index_cache[key] = (now, stamp, cached[2])
        return cached[2]
    agencies = db.session.scalars(select(Agency).options(selectinload(Agency.aliases))).all()
    index = AgencyIndex(
        [
            {
                "slug": a.slug,
                "name_th": a.name_th,
                "name_en": a.name_en,
                "kind": a.kind,
                "aliases": [alias.alias for alias in a.aliases],
            }
            for a in agencies
        ]
    )
    with _index_lock:
        _index_cache[key] = (now, stamp, index)
    return index


def forget_index() -> None:
    """Called after an import so the next message sees new names at once (in this process)."""
    with _index_lock:
        _index_cache.clear()


def agency(slug: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.slug == slug).options(selectinload(Agency.aliases)))


def agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name_th).options(selectinload(Agency.aliases))))


def assessments(agency_id: int) -> list[Assessment]:
    """All of an agency's assessments, oldest first, with their scores."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.agency_id == agency_id)
            .order_by(Assessment.fiscal_year)
            .options(selectinload(Assessment.indicator_scores), selectinload(Assessment.question_scores))
        )
    )


def measures(agency_id: int) -> list[Measure]:
    """An agency's measures, newest fiscal year first, in their published order."""
    rows = db.session.scalars(
        select(Measure)
        .where(Measure.agency_id == agency_id)
        .options(selectinload(Measure.indicator_links), selectinload(Measure.progress))
    ).all()
    return sorted(rows, key=lambda m: (-m.fiscal_year, _code_order(m.code)))


def _code_order(code: str) -> tuple:
    return (0, int(code), "") if code.isdigit() else (1, 0, code)
