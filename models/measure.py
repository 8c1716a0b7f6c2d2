"""An agency's integrity measures (มาตรการส่งเสริมคุณธรรมและความโปร่งใส) and their progress."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import utcnow

PROGRESS_STATUSES = ("done", "in_progress", "not_started")
# step: a step of the measure as the agency planned it; participation: citizens' participation evidence
# computed from the bot's data for a period and frozen (evidence), with staff's editable narrative (report).
PROGRESS_KINDS = ("step", "participation")


def code_order(code: str | None) -> tuple:
    """A sort key putting codes in the document's order: numbers by value (2 before 10), then text codes."""
    code = code or ""
    return (0, int(code), "") if code.isdecimal() else (1, 0, code)


def measure_counts(agency_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """How many measures each of these agencies has per fiscal year: {(agency_id, fiscal_year): count}."""
    found = db.session.execute(
        select(Measure.agency_id, Measure.fiscal_year, func.count())
        .where(Measure.agency_id.in_(list(agency_ids)))
        .group_by(Measure.agency_id, Measure.fiscal_year)
    )
    return {(agency_id, year): count for agency_id, year, count in found}


class Measure(db.Model):
    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("agency_id", "fiscal_year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int]  # the FY (BE) in which it is carried out
    based_on_year: Mapped[int | None]  # the ITA result it answers
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(db.Text)
    issue_area: Mapped[int | None]  # 1-7, the provinces' issue areas
    weakness: Mapped[str | None] = mapped_column(db.Text)
    activities: Mapped[str | None] = mapped_column(db.Text)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    responsible_unit: Mapped[str | None] = mapped_column(db.Text)
    timeframe: Mapped[str | None] = mapped_column(db.Text)
    monitoring: Mapped[str | None] = mapped_column(db.Text)

    agency: Mapped[Agency] = relationship(back_populates="measures")  # noqa: F821
    indicator_links: Mapped[list[MeasureIndicator]] = relationship(
        cascade="all, delete-orphan", order_by="MeasureIndicator.indicator_no"
    )
    progress: Mapped[list[ProgressEntry]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="ProgressEntry.step_no"
    )

    @property
    def indicators(self) -> list[int]:
        return [link.indicator_no for link in self.indicator_links]


class MeasureIndicator(db.Model):
    __tablename__ = "measure_indicators"

    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True)
    indicator_no: Mapped[int] = mapped_column(primary_key=True)


class ProgressEntry(db.Model):
    __tablename__ = "progress_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    step_no: Mapped[int]
    step: Mapped[str] = mapped_column(db.Text)
    nacc_period: Mapped[str | None] = mapped_column(db.Text)
    agency_period: Mapped[str | None] = mapped_column(db.Text)
    result: Mapped[str | None] = mapped_column(db.Text)
    status: Mapped[str] = mapped_column(String(16))
    report: Mapped[str | None] = mapped_column(db.Text)
    reported_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="step", server_default="step")
    period: Mapped[str | None] = mapped_column(String(16))  # models.periods key: "2569", "2569-H1", ...
    evidence: Mapped[dict | None] = mapped_column(JSON)  # frozen figures of a participation entry
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship(back_populates="progress")
