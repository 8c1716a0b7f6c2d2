"""Writing for Thai readers: full Buddhist-era dates, Thai digits, numbers as published, and line-break hints."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from models.periods import BE_OFFSET
from models.survey_stats import published_count

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
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_THAI_RUN = re.compile(r"[\u0e00-\u0e7f]{2,}")
ZWSP = "\u200b"


def long_date(day: date, lang: str = "th") -> str:
    """'22 พฤศจิกายน 2569' (Buddhist era) or '22 November 2026'."""
    if lang == "en":
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"


def month_name(year_ce: int, month: int, lang: str = "th") -> str:
    """'พฤศจิกายน 2568' or 'November 2025': a row of a by-month table."""
    if lang == "en":
        return f"{ENGLISH_MONTHS[month - 1]} {year_ce}"
    return f"{THAI_MONTHS[month - 1]} {year_ce + BE_OFFSET}"


def as_of_line(day: date, lang: str = "th") -> str:
    """'ข้อมูล ณ วันที่ 22 พฤศจิกายน 2569' under a document's title."""
    from bot.i18n import t

    return t("exports.as_of", lang, date=long_date(day, lang))


def thai_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def cell_text(value, kind: str) -> str:
    """A value as a reader sees it in the PDF (the XLSX keeps numbers as numbers)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == "count":
        return published_count(int(value))
    if kind == "number":
        return f"{int(value):,}"
    if kind == "decimal":
        return f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    if kind == "percent":
        return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    return str(value)


def breakable(text: str) -> str:
    """Thai text with zero-width spaces between words: Thai has no spaces inside a phrase, and the PDF
    layout breaks lines only at spaces (fpdf2 counts U+200B as one), so a long Thai run would otherwise be
    cut in the middle of a word."""
    if not _THAI_RUN.search(text):
        return text
    from pythainlp.tokenize import word_tokenize

    return _THAI_RUN.sub(lambda run: ZWSP.join(word_tokenize(run.group(0), keep_whitespace=True)), text)
