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
