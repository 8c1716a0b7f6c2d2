"""One agency's ITA result for one fiscal year, down to indicator and question scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import Score


class Assessment(db.Model):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("agency_id", "fiscal_year"),
        CheckConstraint("total_score >= 0 AND total_score <= 100", name="total_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int]  # Buddhist era
    total_score: Mapped[Decimal] = mapped_column(Score)
    level: Mapped[str | None] = mapped_column(String(64))  # as published
    announced_on: Mapped[date | None] = mapped_column(Date)
    iit_score: Mapped[Decimal | None] = mapped_column(Score)
    eit_score: Mapped[Decimal | None] = mapped_column(Score)
    oit_score: Mapped[Decimal | None] = mapped_column(Score)
    notes: Mapped[str | None] = mapped_column(db.Text)

    agency: Mapped[Agency] = relationship(back_populates="assessments")  # noqa: F821
    indicator_scores: Mapped[list[IndicatorScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="IndicatorScore.indicator_no"
    )
    question_scores: Mapped[list[QuestionScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="QuestionScore.id"
    )

    def indicator(self, number: int) -> Decimal | None:
        for row in self.indicator_scores:
            if row.indicator_no == number:
                return row.score
        return None

    def tool_score(self, tool: str) -> Decimal | None:
        return getattr(self, f"{tool}_score")


class IndicatorScore(db.Model):
    __tablename__ = "indicator_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator_no"),
        CheckConstraint("indicator_no BETWEEN 1 AND 10", name="indicator_no_range"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    indicator_no: Mapped[int]
    score: Mapped[Decimal] = mapped_column(Score)

    assessment: Mapped[Assessment] = relationship(back_populates="indicator_scores")


class QuestionScore(db.Model):
    __tablename__ = "question_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "code"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))  # i7, e11, o16: codes change between years
    indicator_no: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(db.Text)
    score: Mapped[Decimal] = mapped_column(Score)

    assessment: Mapped[Assessment] = relationship(back_populates="question_scores")
