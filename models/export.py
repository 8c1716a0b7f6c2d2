"""A requested export (OIT evidence, CSV of cases or responses): built in the background, progress shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import utcnow

EXPORT_STATUSES = ("queued", "running", "done", "failed")


class ExportJob(db.Model):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # o16, o17, o29, o30, o43, cases, responses
    fmt: Mapped[str] = mapped_column(String(8))  # xlsx, pdf, csv
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # fiscal year, period, filters
    status: Mapped[str] = mapped_column(String(12), default="queued")
    done: Mapped[int] = mapped_column(default=0)  # progress: steps done of total
    total: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(128))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
