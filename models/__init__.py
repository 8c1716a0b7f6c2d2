"""The database and every model, so `from models import db, Agency` works everywhere."""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

from models.agency import Agency, AgencyAlias  # noqa: E402
from models.assessment import Assessment, IndicatorScore, QuestionScore  # noqa: E402
from models.audit import AuditEntry  # noqa: E402
from models.complaint import CaseNote, Complaint, ComplaintPhoto, ComplaintUpdate, ReporterIdentity  # noqa: E402
from models.conversation import ChatMessage, Conversation  # noqa: E402
from models.export import ExportJob  # noqa: E402
from models.handoff import Handoff  # noqa: E402
from models.measure import Measure, MeasureIndicator, ProgressEntry  # noqa: E402
from models.survey import SurveyAnswer, SurveyQuestion, SurveyResponse  # noqa: E402
from models.user import User  # noqa: E402
from models.webhook import WebhookEvent  # noqa: E402

__all__ = [
    "Agency",
    "AgencyAlias",
    "Assessment",
    "AuditEntry",
    "Base",
    "CaseNote",
    "ChatMessage",
    "Complaint",
    "ComplaintPhoto",
    "ComplaintUpdate",
    "Conversation",
    "ExportJob",
    "Handoff",
    "IndicatorScore",
    "Measure",
    "MeasureIndicator",
    "ProgressEntry",
    "QuestionScore",
    "ReporterIdentity",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "User",
    "WebhookEvent",
    "db",
]
