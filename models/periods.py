"""Thai fiscal periods (1 October to 30 September, named by the Buddhist-era year) and Bangkok time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
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
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BANGKOK)


def fiscal_year(moment: datetime) -> int:
    """The Buddhist-era fiscal year a moment falls in: 1 Oct 2025 starts fiscal year 2569."""
    day = local(moment)
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def period_key(moment: datetime, kind: str) -> str:
    """The survey period a moment belongs to: 2569, 2569-H1, 2569-Q2 or 2569-M02 (fiscal month 2 = November)."""
    year = fiscal_year(moment)
    fiscal_month = (local(moment).month - 10) % 12 + 1  # October is 1
    if kind == "fiscal_year":
        return str(year)
    if kind == "half":
        return f"{year}-H{(fiscal_month - 1) // 6 + 1}"
    if kind == "quarter":
        return f"{year}-Q{(fiscal_month - 1) // 3 + 1}"
    if kind == "month":
        return f"{year}-M{fiscal_month:02d}"
    raise ValueError(f"unknown survey period kind {kind!r}")


def thai_date(moment: datetime, with_time: bool = False) -> str:
    """'22 พ.ย. 2569' (and '14:05 น.'), in Bangkok time and the Buddhist era."""
    day = local(moment)
    text = f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{text} {day:%H:%M} น." if with_time else text


def english_date(moment: datetime, with_time: bool = False) -> str:
    day = local(moment)
    text = f"{day.day} {day:%b} {day.year}"
    return f"{text}, {day:%H:%M}" if with_time else text
