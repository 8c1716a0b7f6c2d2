"""Complaints and corruption reports: the case, its photos, its status history and, apart, the reporter."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, LargeBinary, String, and_, false, or_, select
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import as_utc, utcnow

LANES = ("general", "corruption")
# Each category, with the ITA indicators it concerns (see models/indicators.py).
CATEGORIES: dict[str, dict[str, tuple[int, ...]]] = {
    "general": {
        "service_delay": (6,),  # service late or not by the published steps
        "staff_conduct": (6,),
        "unfair_treatment": (6,),
        "information": (7,),  # information unclear or hard to find
        "public_works": (6, 8),  # roads, lights, water, waste: a trouble to fix
        "suggestion": (8,),
        "other_general": (6,),
    },
    "corruption": {
        "bribery": (1, 6),  # asked for money, gifts or favours in return for service
        "official_property": (4,),  # official cars, equipment or time used for private ends
        "abuse_of_authority": (3,),
        "procurement": (2,),  # budget and procurement irregularities
        "conflict_of_interest": (1, 3),
        "other_misconduct": (5,),
    },
}
STATUSES = ("received", "in_progress", "resolved", "rejected", "forwarded")
CLOSED_STATUSES = ("resolved", "rejected", "forwarded")
# The workflow staff move a case through; a closed case may be reopened into progress.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "rejected", "forwarded"),
    "in_progress": ("resolved", "rejected", "forwarded"),
    "resolved": ("in_progress",),
    "rejected": ("in_progress",),
    "forwarded": ("in_progress",),
}


def indicator_clause(lanes, indicators):
    """Complaints of the lanes whose category counts towards one of the ITA indicators (none: false)."""
    wanted = set(indicators)
    pairs = [
        and_(Complaint.lane == lane, Complaint.category.in_(cats))
        for lane in lanes
        if (cats := [c for c, numbers in CATEGORIES.get(lane, {}).items() if wanted & set(numbers)])
    ]
    return or_(*pairs) if pairs else false()


def receipt_digest(code: str) -> str:
    """What is stored of a receipt code: its SHA-256 (the code is 80 random bits, so no salt is needed)."""
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


class Complaint(db.Model):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(16), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    lane: Mapped[str] = mapped_column(String(12), index=True)
    category: Mapped[str] = mapped_column(String(32))
    # General lane only. A corruption report is never linked to the conversation: an identified
    # reporter's identity lives sealed in reporter_identities, an unidentified one holds a receipt code.
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"), index=True)
    receipt_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    identified: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(db.Text)
    place: Mapped[str | None] = mapped_column(db.Text)
    occurred: Mapped[str | None] = mapped_column(String(255))  # as the citizen said it: "เมื่อวาน 10 โมง"
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(db.Text)
    channel: Mapped[str] = mapped_column(String(8), default="line")
    lang: Mapped[str] = mapped_column(String(2), default="th")
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    # A corruption report keeps only the day it was filed (also in its other rows), so its time cannot
    # be matched to a chat's activity.
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    photos: Mapped[list[ComplaintPhoto]] = relationship(back_populates="complaint", order_by="ComplaintPhoto.id")
    updates: Mapped[list[ComplaintUpdate]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", order_by="ComplaintUpdate.id"
    )
    notes: Mapped[list[CaseNote]] = relationship(cascade="all, delete-orphan", order_by="CaseNote.id")

    @property
    def indicators(self) -> tuple[int, ...]:
        return CATEGORIES.get(self.lane, {}).get(self.category, ())

    @hybrid_method
    def overdue_at(self, now: datetime) -> bool:
        """Past its due date at `now` and not closed; a case with no due date never is (also in SQL)."""
        due = as_utc(self.due_at)
        return due is not None and self.status not in CLOSED_STATUSES and due < now

    @overdue_at.inplace.expression
    @classmethod
    def _overdue_at_sql(cls, now: datetime):
        return and_(cls.due_at.is_not(None), cls.due_at < now, cls.status.not_in(CLOSED_STATUSES))


class ComplaintPhoto(db.Model):
    """A photo the citizen sent while filing: held by the draft's key until the case is filed."""

    __tablename__ = "complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    draft_key: Mapped[str | None] = mapped_column(String(32), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    complaint: Mapped[Complaint | None] = relationship(back_populates="photos")


class ComplaintUpdate(db.Model):
    """A status change and whether the citizen was told of it on LINE."""

    __tablename__ = "complaint_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    public_note: Mapped[str | None] = mapped_column(db.Text)  # told to the citizen
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Delivery of the notice: none (nobody to tell), pending, sent or failed.
    notice: Mapped[str] = mapped_column(String(8), default="none")
    retry_key: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))

    complaint: Mapped[Complaint] = relationship(back_populates="updates")


class CaseNote(db.Model):
    """Staff's internal note on a case: never shown to the citizen."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(db.Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReporterIdentity(db.Model):
    """Who filed an identified corruption report, sealed with a key that is not in the database."""

    __tablename__ = "reporter_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), unique=True)
    sealed: Mapped[str] = mapped_column(db.Text)  # Fernet token of {"line_user_id", "name", "phone"}
    # Keyed hash of the LINE user id, so "my cases" finds the reporter's reports without unsealing them all.
    owner_index: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    complaint: Mapped[Complaint] = relationship()


def by_tracking_no(tracking_no: str) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.tracking_no == tracking_no.strip().upper()))


def by_receipt(code: str) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.receipt_digest == receipt_digest(code)))
