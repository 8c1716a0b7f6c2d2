"""What every OIT item is built from: the agency, the period asked for, the reader's language, and a few helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from admin.documents.model import Document
from admin.documents.text import long_date, month_name
from bot.i18n import t
from models import Agency
from models.feedback_stats import periods_between
from models.periods import local, period_bounds, split_period
from models.survey_stats import published_count
from models.types import utcnow

# The periods a report may cover, as suffixes of the fiscal year's key ("" is the whole year).
PERIOD_CHOICES = ("", "H1", "H2", "Q1", "Q2", "Q3", "Q4")


class ExportError(ValueError):
    """A request that cannot be built; `code` names an exports.error.* string."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def period_key(fiscal_year: int, part: str) -> str:
    return f"{fiscal_year}-{part}" if part else str(fiscal_year)


def phrase(prefix: str, name: object, lang: str = "th", **values) -> str:
    """The string prefix.name: a key chosen at run time (every name a family can take is in the catalogs)."""
    key = f"{prefix}.{name}"
    return t(key, lang, **values)


def period_label(period: str, lang: str = "th") -> str:
    """'รอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569'; the key itself when it names no period."""
    year, kind, number = split_period(period)
    if year is None:
        return period
    if kind == "half":
        return phrase("exports.period", f"half{number}", lang, year=year)
    if kind == "quarter":
        return t("exports.period.quarter", lang, number=number, year=year)
    return t("exports.period.year", lang, year=year)


@dataclass
class Context:
    """One export's subject: agency, fiscal year, period window, language and when the data were read."""

    agency: Agency
    period: str  # models.periods key: 2569, 2569-H1, 2569-Q2
    lang: str = "th"
    now: datetime | None = None

    def __post_init__(self) -> None:
        self.fiscal_year, self.kind, self.number = split_period(self.period)
        self.start, self.period_end = period_bounds(self.period)  # raises ValueError for a bad key
        now = local(self.now or utcnow())
        if self.start > now:
            raise ExportError("period_future")
        self.end = min(self.period_end, now)  # a running period is counted up to now
        self.as_of: date = min(now.date(), (self.period_end - timedelta(days=1)).date())

    def t(self, key: str, **values) -> str:
        """A string in the report's language."""
        return t(key, self.lang, **values)

    def part(self, prefix: str, name: object, **values) -> str:
        """One of a family of strings: part("case.status", "resolved")."""
        return phrase(prefix, name, self.lang, **values)

    def count(self, n: int) -> str:
        """A count in running text, as published (1–4 → "<5")."""
        return published_count(n)

    @property
    def agency_name(self) -> str:
        return self.agency.display_name(self.lang)

    def period_label(self) -> str:
        return period_label(self.period, self.lang)

    def span(self) -> str:
        last = (self.period_end - timedelta(days=1)).date()
        return self.t(
            "exports.period.span", start=long_date(self.start.date(), self.lang), end=long_date(last, self.lang)
        )

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """(label, start, end) of each month of the window up to now: the rows of a by-month table."""
        rows = []
        for _, first, after in periods_between(self.start, self.end, "month"):
            day = local(first)
            rows.append((month_name(day.year, day.month, self.lang), first, after))
        return rows

    def document(self, item: str) -> Document:
        return Document(
            title=self.part("exports.item", f"{item}.title"),
            agency=self.agency_name,
            as_of=self.as_of,
            lang=self.lang,
            subtitle=self.period_label(),
            lines=[self.span(), self.t("exports.evidence_for", item=item)],
        )
