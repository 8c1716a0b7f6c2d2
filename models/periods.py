"""Thai fiscal periods (1 October to 30 September, named by the Buddhist-era year) and Bangkok time."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def local(moment: datetime) -> datetime:
    """The moment in Bangkok time (naive values are taken as UTC, as SQLite returns them)."""
    from models.types import as_utc

    return as_utc(moment).astimezone(BANGKOK)


def fiscal_year(moment: datetime) -> int:
    """The Buddhist-era fiscal year a moment falls in: 1 Oct 2025 starts fiscal year 2569."""
    day = local(moment)
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


# Survey period kinds: the letter after the year in a period key, and the fiscal months each spans.
PERIOD_KINDS: dict[str, tuple[str, int]] = {
    "fiscal_year": ("", 12),
    "half": ("H", 6),
    "quarter": ("Q", 3),
    "month": ("M", 1),
}


def period_key(moment: datetime, kind: str) -> str:
    """The survey period a moment belongs to: 2569, 2569-H1, 2569-Q2 or 2569-M02 (fiscal month 2 = November)."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown survey period kind {kind!r}")
    letter, months = PERIOD_KINDS[kind]
    year = fiscal_year(moment)
    if not letter:
        return str(year)
    number = ((local(moment).month - 10) % 12) // months + 1  # October opens the fiscal year
    return f"{year}-{letter}{number:02d}" if letter == "M" else f"{year}-{letter}{number}"


def split_period(key: str) -> tuple[int | None, str, int | None]:
    """'2569-Q1' → (2569, 'quarter', 1); '2569' → (2569, 'fiscal_year', None); junk → (None, '', None)."""
    head, _, part = (key or "").partition("-")
    if not head.isdecimal():
        return None, "", None
    if not part:
        return int(head), "fiscal_year", None
    kind = next((k for k, (letter, _) in PERIOD_KINDS.items() if letter and part[0] == letter), "")
    return int(head), kind, int(part[1:]) if part[1:].isdecimal() else None


def thai_date(moment: datetime, with_time: bool = False) -> str:
    """'22 พ.ย. 2569' (and '14:05 น.'), in Bangkok time and the Buddhist era."""
    day = local(moment)
    text = f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{text} {day:%H:%M} น." if with_time else text


def english_date(moment: datetime, with_time: bool = False) -> str:
    day = local(moment)
    text = f"{day.day} {day:%b} {day.year}"
    return f"{text}, {day:%H:%M}" if with_time else text


def period_bounds(key: str) -> tuple[datetime, datetime]:
    """The period's first moment and the first moment after it, in Bangkok time: '2569-H1' → 1 Oct 2568, 1 Apr 2569.

    Raises ValueError for a key that names no period.
    """
    year, kind, number = split_period(key)
    if year is None or not kind or (kind != "fiscal_year" and not number):
        raise ValueError(f"not a period: {key!r}")
    _, months = PERIOD_KINDS[kind]
    count = 12 // months
    if number is not None and not 1 <= number <= count:
        raise ValueError(f"not a period: {key!r}")
    first_month = ((number or 1) - 1) * months  # months after October of the year before
    try:
        start = _fiscal_month_start(year, first_month)
        return start, _fiscal_month_start(year, first_month + months)
    except OverflowError:  # a year of more digits than a C long holds: no period either
        raise ValueError(f"not a period: {key!r}") from None


def _fiscal_month_start(fiscal_year_be: int, offset: int) -> datetime:
    """The first moment of the fiscal month `offset` months after the October opening the year."""
    year_ce = fiscal_year_be - BE_OFFSET - 1
    month_index = 9 + offset  # October is index 9 of a calendar year
    return datetime(year_ce + month_index // 12, month_index % 12 + 1, 1, tzinfo=BANGKOK)


def periods_of(fiscal_year_be: int, kind: str) -> list[str]:
    """Every period key of a kind in a fiscal year: periods_of(2569, 'half') → ['2569-H1', '2569-H2']."""
    letter, months = PERIOD_KINDS[kind]
    if not letter:
        return [str(fiscal_year_be)]
    width = 2 if letter == "M" else 1
    return [f"{fiscal_year_be}-{letter}{n:0{width}d}" for n in range(1, 12 // months + 1)]


def parse_day(text: str) -> date:
    """A day typed as 22/11/2569 (Buddhist era) or 22/11/2025, or 2025-11-22 from a date picker.

    Years from 2400 are Buddhist era. Raises ValueError for anything else.
    """
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    dmy = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif dmy:
        day, month, year = (int(part) for part in dmy.groups())
    else:
        raise ValueError(text)
    if year >= 2400:
        year -= BE_OFFSET
    if not 1900 <= year <= 2200:  # the first moment of year 1 in Bangkok is before datetime's year 1 in UTC
        raise ValueError(text)
    return date(year, month, day)
