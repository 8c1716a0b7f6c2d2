"""Read-only queries the bot answers from; nothing here invents a number."""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

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


@dataclass(frozen=True)
class AgencyData:
    """One agency with its assessments and measures, loaded together and read many times."""

    agency: Agency
    assessments: list[Assessment]
    measures: list[Measure]


_DATA_TTL = 60.0  # ITA data changes a few times a year; an import here forgets it at once
_data_lock = threading.Lock()
_data_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> {slug: (time, AgencyData)}


def agency_data(slug: str) -> AgencyData | None:
    """An agency's ITA data, cached per process: answering must not re-read it for every message.

    The objects are detached from any session with everything the answers read already loaded.
    """
    per_engine = _data_cache.get(db.engine)
    now = time.monotonic()
    if per_engine is not None and slug in per_engine and now - per_engine[slug][0] < _DATA_TTL:
        return per_engine[slug][1]
    found = db.session.scalar(select(Agency).where(Agency.slug == slug).options(selectinload(Agency.aliases)))
    if found is None:
        return None
    loaded = AgencyData(found, _load_assessments(found.id), _load_measures(found.id))
    for obj in (found, *loaded.assessments, *loaded.measures):
        if obj in db.session:
            db.session.expunge(obj)
    with _data_lock:
        _data_cache.setdefault(db.engine, {})[slug] = (now, loaded)
    return loaded


def forget() -> None:
    """After an import: the next message in this process reads the new data."""
    with _data_lock:
        _data_cache.clear()
    forget_index()


def agency(slug: str) -> Agency | None:
    data = agency_data(slug)
    return data.agency if data else None


def agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name_th).options(selectinload(Agency.aliases))))


def assessments(agency: Agency) -> list[Assessment]:
    """All of an agency's assessments, oldest first, with their scores."""
    data = agency_data(agency.slug)
    return data.assessments if data else []


def measures(agency: Agency) -> list[Measure]:
    """An agency's measures, newest fiscal year first, in their published order."""
    data = agency_data(agency.slug)
    return data.measures if data else []


def _load_assessments(agency_id: int) -> list[Assessment]:
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.agency_id == agency_id)
            .order_by(Assessment.fiscal_year)
            .options(selectinload(Assessment.indicator_scores), selectinload(Assessment.question_scores))
        )
    )


def _load_measures(agency_id: int) -> list[Measure]:
    rows = db.session.scalars(
        select(Measure)
        .where(Measure.agency_id == agency_id)
        .options(selectinload(Measure.indicator_links), selectinload(Measure.progress))
    ).all()
    return sorted(rows, key=lambda m: (-m.fiscal_year, _code_order(m.code)))


def _code_order(code: str) -> tuple:
    return (0, int(code), "") if code.isdigit() else (1, 0, code)
