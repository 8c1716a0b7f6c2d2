"""Satisfaction surveys: the questions an agency asks on chat and the citizens' answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import utcnow

RESPONSE_STATUSES = ("partial", "complete")
SCALE = (1, 2, 3, 4, 5)


class SurveyQuestion(db.Model):
    """One rating question; agency_id None is the default set used by agencies without their own."""

    __tablename__ = "survey_questions"
    __table_args__ = (CheckConstraint("indicator IN (6, 7, 8)", name="eit_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(16))  # the EIT question it follows, e.g. e1
    text_th: Mapped[str] = mapped_column(db.Text)
    text_en: Mapped[str] = mapped_column(db.Text)
    indicator: Mapped[int]  # ITA indicator 6, 7 or 8
    active: Mapped[bool] = mapped_column(default=True)

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_th


class SurveyResponse(db.Model):
    """One citizen's answers for one agency and survey period; partial until the last question."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("agency_id", "conversation_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    # SET NULL: erasing a citizen's conversation keeps the answers as anonymous counts.
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"), index=True)
    period: Mapped[str] = mapped_column(String(16))  # e.g. 2569 or 2569-Q1, see bot.periods
    status: Mapped[str] = mapped_column(String(16), default="partial")
    channel: Mapped[str] = mapped_column(String(8), default="line")
    comment: Mapped[str | None] = mapped_column(db.Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="SurveyAnswer.id"
    )


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()


def questions_for(agency_id: int) -> list[SurveyQuestion]:
    """The agency's own active questions, or the default set when it has none."""
    for owner in (agency_id, None):
        owned = SurveyQuestion.agency_id == owner if owner is not None else SurveyQuestion.agency_id.is_(None)
        rows = db.session.scalars(
            select(SurveyQuestion).where(owned, SurveyQuestion.active.is_(True)).order_by(SurveyQuestion.position)
        ).all()
        if rows:
            return list(rows)
    return []
