"""Column helpers shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import Numeric

# Scores are published with two decimals; Numeric keeps them exact on both databases.
Score = Numeric(5, 2, asdecimal=True)


def utcnow() -> datetime:
    """Timezone-aware now, the default for every timestamp column."""
    return datetime.now(UTC)
