"""Column helpers shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import Numeric

# Scores are published with two decimals; Numeric keeps them exact on both databases.
Score = Numeric(5, 2, asdecimal=True)


def insert_for(dialect: str):
    """The INSERT construct with ON CONFLICT for the database in use (PostgreSQL or SQLite)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def utcnow() -> datetime:
    """Timezone-aware now, the default for every timestamp column."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored timestamp as aware UTC: SQLite gives back naive values, which are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
