"""Read one cell of an import: numbers, BE years, CE dates, codes, lists; say plainly what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pythainlp.util import thai_digit_to_arabic_digit

from models.agency import AGENCY_KINDS
from models.ita_import_messages import Msg
from models.ita_import_tables import Column
from models.measure import PROGRESS_STATUSES

KIND_WORDS = {"จังหวัด": "province", "อบจ.": "pao", "อบจ": "pao", "เทศบาล": "municipality", "อบต.": "sao", "อบต": "sao"}
STATUS_WORDS = {
    "ดำเนินการแล้ว": "done",
    "เสร็จสิ้น": "done",
    "อยู่ระหว่างดำเนินการ": "in_progress",
    "ยังไม่ดำเนินการ": "not_started",
}
# The levels the NACC has published results in: letter grades, and the pass levels of recent years.
KNOWN_LEVELS = ("AA", "A", "B", "C", "D", "E", "F", "ผ่านดีเยี่ยม", "ผ่านดีมาก", "ผ่านดี", "ผ่าน", "ไม่ผ่าน")
LIST_KINDS = {"list", "lines", "numbers"}
CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell's value cannot be used; the message says why."""


def show(value: Any) -> str:
    """A cell value as the user typed it, quoted, shortened when long."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    text = text.replace("\n", " ")
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def _text(value: Any) -> str:
    if isinstance(value, bool):
        raise CellError(Msg("not_text", value=show(value)))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, (bool, date, list, dict)):
        raise CellError(Msg("not_number", value=show(value), hint=""))
    if isinstance(value, float):
        value = repr(value)
    text = thai_digit_to_arabic_digit(str(value)).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        comma = re.fullmatch(r"\d+,\d+", text)
        hint = Msg("hint_decimal_point", fixed=text.replace(",", ".")) if comma else ""
        raise CellError(Msg("not_number", value=show(value), hint=hint)) from None
    if not number.is_finite():
        raise CellError(Msg("not_number", value=show(value), hint=""))
    return number


def _integer(value: Any, what: str = "whole_number") -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise CellError(Msg("not_whole", value=show(value), what=Msg(f"what.{what}")))
    return int(number)


def parse_score(value: Any, column: Column) -> Decimal:
    """A score 0-100, rounded to the two decimals the NACC publishes."""
    number = _decimal(value)
    if not 0 <= number <= 100:
        raise CellError(Msg("outside_score", value=show(value)))
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_year(value: Any, column: Column) -> int:
    """A fiscal year in the Buddhist era; a Common Era year gets a hint."""
    text = value if not isinstance(value, str) else re.sub(r"^(พ\.ศ\.|พ\.ศ|พศ\.?)\s*", "", value.strip())
    year = _integer(text, "year")
    if 1900 <= year <= 2200:
        raise CellError(Msg("year_common_era", year=year, be=year + 543))
    if not 2500 <= year <= 2700:
        raise CellError(Msg("year_range", year=year))
    return year


def parse_date(value: Any, column: Column) -> date:
    """A Common Era date, from an Excel date cell or YYYY-MM-DD text."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = thai_digit_to_arabic_digit(_text(value))
        try:
            day = date.fromisoformat(text[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?", text) else None
        except ValueError:
            day = None
        if day is None:
            raise CellError(Msg("not_date", value=show(value)))
    if day.year >= 2400:
        raise CellError(Msg("date_buddhist_era", value=show(value), fixed=day.replace(year=day.year - 543).isoformat()))
    return day


def _ranged(low: int, high: int, what: str) -> Callable[[Any, Column], int]:
    def parse(value: Any, column: Column) -> int:
        number = _integer(value)
        if not low <= number <= high:
            raise CellError(Msg("out_of_range", value=show(value), what=Msg(f"what.{what}"), low=low, high=high))
        return number

    parse.__doc__ = f"A whole number {low}-{high}: {what.replace('_', ' ')}."
    return parse


parse_indicator = _ranged(1, 10, "indicator")
parse_issue_area = _ranged(1, 7, "issue_area")
parse_positive = _ranged(1, 9999, "step_number")


def parse_text(value: Any, column: Column) -> str:
    """Text as written, with line breaks kept and outer spaces trimmed."""
    text = _text(value)
    if column.max_len and len(text) > column.max_len:
        raise CellError(Msg("too_long", value=show(value), length=len(text), limit=column.max_len))
    return text


def parse_code(value: Any, column: Column) -> str:
    """A measure's number or code as the document gives it, with Thai digits made Arabic (๑ → 1)."""
    return thai_digit_to_arabic_digit(parse_text(value, column))


def parse_slug(value: Any, column: Column) -> str:
    """An agency's stable id: lower-case ASCII letters, digits, - and _."""
    text = _text(value).lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", text):
        raise CellError(Msg("bad_slug", value=show(value)))
    return text


def parse_question_code(value: Any, column: Column) -> str:
    """i4, e1, o16: the tool's letter and the question's number."""
    text = thai_digit_to_arabic_digit(_text(value)).lower().replace(" ", "")
    if not re.fullmatch(r"[ieo]\d{1,4}", text):
        raise CellError(Msg("bad_question_code", value=show(value)))
    return text


def parse_list(value: Any, column: Column) -> list[str]:
    """Names separated by | (or a YAML list)."""
    items = value if isinstance(value, list) else _text(value).split("|")
    names = [_text(item) for item in items if item is not None]
    for name in names:
        if column.max_len and len(name) > column.max_len:
            raise CellError(Msg("too_long", value=show(name), length=len(name), limit=column.max_len))
    return list(dict.fromkeys(n for n in names if n))


def parse_lines(value: Any, column: Column) -> list[str]:
    """Steps, one per line (or a YAML list)."""
    items = value if isinstance(value, list) else _text(value).split("\n")
    return [text for text in (_text(item) for item in items if item is not None) if text]


def parse_numbers(value: Any, column: Column) -> list[int]:
    """Indicator numbers separated by | (or a YAML list)."""
    if isinstance(value, list):
        items = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [value]
    else:
        items = [part for part in re.split(r"[|,]", _text(value)) if part.strip()]
    numbers = [parse_indicator(item, column) for item in items]
    return list(dict.fromkeys(numbers))


def parse_agency_kind(value: Any, column: Column) -> str:
    """province, pao, municipality, sao or other (or the Thai word for it)."""
    text = _text(value).lower()
    kind = KIND_WORDS.get(text, text)
    if kind not in AGENCY_KINDS:
        raise CellError(Msg("bad_kind", value=show(value), choices=", ".join(AGENCY_KINDS)))
    return kind


def parse_status(value: Any, column: Column) -> str:
    """done, in_progress or not_started (or the report's Thai wording)."""
    text = _text(value)
    status = STATUS_WORDS.get(text, re.sub(r"[\s-]+", "_", text.lower()))
    if status not in PROGRESS_STATUSES:
        raise CellError(Msg("bad_status", value=show(value), choices=", ".join(PROGRESS_STATUSES)))
    return status


def parse_level(value: Any, column: Column) -> str:
    """A published level, one of KNOWN_LEVELS: `a` is read as A, `ผ่าน ดี` as ผ่านดี."""
    text = re.sub(r"\s+", "", _text(value))
    level = text.upper() if text.isascii() else text
    if level not in KNOWN_LEVELS:
        raise CellError(Msg("bad_level", value=show(value), choices=", ".join(KNOWN_LEVELS)))
    return level


PARSERS: dict[str, Callable[[Any, Column], Any]] = {
    "text": parse_text,
    "code": parse_code,
    "slug": parse_slug,
    "year": parse_year,
    "score": parse_score,
    "date": parse_date,
    "indicator": parse_indicator,
    "issue_area": parse_issue_area,
    "positive": parse_positive,
    "question_code": parse_question_code,
    "list": parse_list,
    "lines": parse_lines,
    "numbers": parse_numbers,
    "agency_kind": parse_agency_kind,
    "status": parse_status,
    "level": parse_level,
}


def is_empty(value: Any) -> bool:
    """An empty cell: nothing, spaces, or an empty YAML list."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []
