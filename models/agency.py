"""Public agencies assessed by the ITA, and the names citizens call them by."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db

AGENCY_KINDS = ("province", "pao", "municipality", "sao", "other")


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_th: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(128))
    province: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(db.Text)

    aliases: Mapped[list[AgencyAlias]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="AgencyAlias.id"
    )
    assessments: Mapped[list[Assessment]] = relationship(  # noqa: F821
        back_populates="agency", cascade="all, delete-orphan", order_by="Assessment.fiscal_year"
    )
    measures: Mapped[list[Measure]] = relationship(  # noqa: F821
        back_populates="agency", cascade="all, delete-orphan"
    )

    def short_name(self) -> str:
        """The short form citizens use (อบต.น้ำโมง), or the official name."""
        for alias in self.aliases:
            if alias.kind == "short":
                return alias.alias
        return self.name_th

    def display_name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_th


class AgencyAlias(db.Model):
    __tablename__ = "agency_aliases"
    __table_args__ = (UniqueConstraint("agency_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="alias")  # short | alias

    agency: Mapped[Agency] = relationship(back_populates="aliases")
