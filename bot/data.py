"""Read-only queries the bot answers from; nothing here invents a number."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.nlu.agencies import AgencyIndex
from models import Agency, Assessment, Measure, db
from models.measure import code_order

# ITA data changes a few times a year: each process keeps what it read for a minute, and an import
# forgets it at once in its own process. Keyed by engine, so two apps (or tests) never share entries.
_TTL = 60.0
_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> {key: (loaded at, value)}


def _cached(key: object, load: Callable[[], object]):
    entry = (_cache.get(db.engine) or {}).get(key)
    now = time.monotonic()
    if entry is not None and now - entry[0] < _TTL:
        return entry[1]
    value = load()
    with _lock:
        _cache.setdefault(db.engine, {})[key] = (now, value)
    return value


def forget() -> None:
    """After an import: the next message in this process reads the new data."""
    with _lock:
        _cache.clear()


def agency_index() -> AgencyIndex:
    """The index of every agency's names, for understanding which one a citizen means."""
    return _cached("index", _build_index)


def _build_index() -> AgencyIndex:
    agencies = db.session.scalars(select(Agency).options(selectinload(Agency.aliases))).all()
    return AgencyIndex(
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


@dataclass(frozen=True)
class AgencyData:
    """One agency with its assessments and measures, loaded together and read many times."""

    agency: Agency
    assessments: list[Assessment]
    measures: list[Measure]


def agency_data(slug: str) -> AgencyData | None:
    """An agency's ITA data: answering must not re-read it for every message.

    The objects are detached from any session with everything the answers read already loaded.
    """
    return _cached(("agency", slug), lambda: _load_agency(slug))


def _load_agency(slug: str) -> AgencyData | None:
    found = db.session.scalar(select(Agency).where(Agency.slug == slug).options(selectinload(Agency.aliases)))
    if found is None:
        return None
    loaded = AgencyData(found, _load_assessments(found.id), _load_measures(found.id))
    for obj in (found, *loaded.assessments, *loaded.measures):
        if obj in db.session:
            db.session.expunge(obj)
    return loaded


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
    return sorted(rows, key=lambda m: (-m.fiscal_year, code_order(m.code)))
