"""Understanding one message: intent cues and entities, before any conversation context."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache

from bot.nlu.agencies import AgencyIndex, AgencyMatch
from bot.nlu.lexicon import patterns
from bot.nlu.text import compact, language_of, normalize

_YEAR_BE = re.compile(r"(?<![\d.])(25[4-9]\d)(?![\d.])")
_YEAR_CE = re.compile(r"(?<![\d.])(20[0-4]\d)(?![\d.])")
_YEAR_SHORT = re.compile(r"(?:ปีงบประมาณ|ปีงบ|ปี|พ\.?\s?ศ\.?|fy|'|’)\s*(\d{2})(?![\d.])")
_YEAR_LATEST = re.compile(r"ปีนี้|ปีล่าสุด|ล่าสุด|ปีปัจจุบัน|this year|latest|most recent|current year|recent")
_YEAR_PREVIOUS = re.compile(
    r"ปีที่แล้ว|ปีก่อน|ปีที่ผ่านมา|ปีก่อนหน้า|ปีกลาย|ปีที่แล้ว|last year|previous year|year before|prior year|year earlier"
)
_INDICATOR_NO = re.compile(
    r"(?:ตัวชี้วัด|ตัวที่|ด้านที่|indicator|ind\.?)\s*(?:ลำดับที่|ลำดับ|ข้อที่|ข้อ|ที่|no\.?|number|#)?\s*(\d{1,2})(?![\d.])(?!\s*ตัว)"
    r"|(\d{1,2})(?:st|nd|rd|th)\s*indicator"
)
_MEASURE_NO = re.compile(r"(?:มาตรการ|measure)\s*(?:ที่|ข้อ|no\.?|number|#)?\s*(\d{1,2})(?![\d.])")
_QUESTION = re.compile(r"(?<![a-z])([ieo])\s?-?\s?(\d{1,2})(?![\d.])")
_THRESHOLD = re.compile(
    r"(?:ต่ำกว่า|น้อยกว่า|ไม่ถึง|ไม่เกิน|ต่ำว่า|หลุด|ตกเกณฑ์|below|under|less than|lower than|<)\s*(?:เกณฑ์)?\s*"
    r"(\d{1,3}(?:\.\d+)?)"
)
_EN_WORDS = re.compile(r"[a-z]")


@dataclass
class Understanding:
    """What one message says on its own; context fills the rest later."""

    text: str
    lang: str | None
    cues: set[str] = field(default_factory=set)
    agency: AgencyMatch = field(default_factory=AgencyMatch)
    year: int | None = None
    year_relative: str | None = None  # latest | previous
    years: list[int] = field(default_factory=list)
    indicator: int | None = None
    indicators: list[int] = field(default_factory=list)
    threshold: float | None = None
    tool: str | None = None
    question: str | None = None
    aspect: str | None = None
    topic: str | None = None
    issue_area: int | None = None
    mentions_ita: bool = False
    no_such_indicator: int | None = None  # "ตัวชี้วัดที่ 11": the ITA has ten
    measure: str | None = None  # "มาตรการที่ 3": the measure's own number
    bare: bool = False  # little besides names, years and particles: "น้ำโมง ปี 68 ครับ"

    @property
    def has_entities(self) -> bool:
        return bool(
            self.agency.slug
            or self.agency.candidates
            or self.agency.unknown
            or self.year
            or self.year_relative
            or self.indicator
            or self.question
            or self.tool
            or self.threshold is not None
        )


def understand(text: str, index: AgencyIndex) -> Understanding:
    lex = patterns()
    norm = normalize(text)
    squeezed = compact(norm)
    result = Understanding(text=norm, lang=language_of(text))
    result.cues = _cues(squeezed, norm)
    result.agency = index.find(norm)
    _years(norm, squeezed, result)
    _indicators(norm, squeezed, result)
    threshold = _THRESHOLD.search(norm)
    if threshold and 0 < float(threshold.group(1)) <= 100:
        result.threshold = float(threshold.group(1))
    measure = _MEASURE_NO.search(norm)
    if measure:
        result.measure = str(int(measure.group(1)))
    question = _QUESTION.search(norm)
    if question and 1 <= int(question.group(2)) <= 99:
        result.question = question.group(1) + str(int(question.group(2)))
    tools = [
        tool for tool, pattern in lex.tools_th.items() if pattern.search(squeezed) or lex.tools_en[tool].search(norm)
    ]
    result.tool = tools[0] if len(tools) == 1 else None
    if len(tools) > 1:
        result.cues.add("tool")
    result.aspect = _first(lex.aspects_th, squeezed) or _first(lex.aspects_en, norm)
    result.topic = (
        (_first(lex.topics_th, squeezed) or _first(lex.topics_th, norm)) if "concept" in result.cues else None
    )
    result.issue_area = _issue_area(norm, squeezed)
    result.mentions_ita = bool(lex.ita.search(squeezed) or lex.ita.search(norm))
    result.bare = _is_bare(squeezed, index)
    return result


_FILLER = re.compile(
    r"ครับผม|ครับ|ค่ะ|คะ|ค้าบ|คับ|จ้า|จ้ะ|นะ|หน่อย|ล่ะ|ละ|แล้ว|ของ|ปีงบประมาณ|ปีงบ|ปี|พศ|ที่|ตัวชี้วัด|ด้วย|ฮะ|จ๊ะ|"
    r"and|what|about|how|the|of|for|in|\d+|ita|ไอทีเอ"
)


def _is_bare(squeezed: str, index: AgencyIndex) -> bool:
    rest = index.strip_names(squeezed)
    return len(_FILLER.sub("", rest)) <= 4


def _cues(squeezed: str, norm: str) -> set[str]:
    lex = patterns()
    cues = {name for name, pattern in lex.intents_th.items() if pattern.search(squeezed)}
    if _EN_WORDS.search(norm):
        cues |= {name for name, pattern in lex.intents_en.items() if pattern.search(norm)}
    return cues


def _first(patterns: dict, text: str):
    for key, pattern in patterns.items():
        if pattern.search(text):
            return key
    return None


def _years(norm: str, squeezed: str, result: Understanding) -> None:
    years = [int(y) for y in _YEAR_BE.findall(norm)]
    years += [int(y) + 543 for y in _YEAR_CE.findall(norm)]
    years += [2500 + int(y) for y in _YEAR_SHORT.findall(norm) if 40 <= int(y) <= 99]
    result.years = sorted(set(years))
    if result.years:
        result.year = result.years[-1] if len(result.years) == 1 else None
    if _YEAR_PREVIOUS.search(norm) or _YEAR_PREVIOUS.search(squeezed):
        result.year_relative = "previous"
    elif _YEAR_LATEST.search(norm):
        result.year_relative = "latest"


def _indicators(norm: str, squeezed: str, result: Understanding) -> None:
    lex = patterns()
    numbers = []
    for match in _INDICATOR_NO.finditer(norm):
        value = int(match.group(1) or match.group(2))
        if 1 <= value <= 10:
            numbers.append(value)
        else:
            result.no_such_indicator = value
    if not numbers:
        named = [n for n, pattern in lex.indicators_th.items() if pattern.search(squeezed)]
        named += [n for n, pattern in lex.indicators_en.items() if pattern.search(norm) and n not in named]
        numbers = _prefer_specific(named)
    result.indicators = numbers
    result.indicator = numbers[0] if numbers else None


def _prefer_specific(named: list[int]) -> list[int]:
    """'ป้องกันการทุจริต' names 10, not also 5; 'การปรับปรุงการให้บริการ' names 8, not 6."""
    if 10 in named and 5 in named:
        named.remove(5)
    if 8 in named and 6 in named:
        named.remove(6)
    return named


def _issue_area(norm: str, squeezed: str) -> int | None:
    lex = patterns()
    number = re.search(r"ประเด็น(?:ที่)?\s*(\d)", norm) or re.search(r"issue area\s*(\d)", norm)
    if number and 1 <= int(number.group(1)) <= 7:
        return int(number.group(1))
    return _first(lex.issue_areas_th, squeezed)


@cache
def _warm() -> None:
    """Load pythainlp's dictionary, compile the lexicon and read the reply catalogs, once per process
    (half a second): not on the first question in Thai, nor on the first in English."""
    from pythainlp.tokenize import word_tokenize

    from bot.i18n import LANGUAGES, catalog

    word_tokenize("อบต.น้ำโมงได้คะแนนเท่าไหร่")
    patterns()
    for lang in LANGUAGES:
        catalog(lang)


_warm_lock = threading.Lock()


def warm_up() -> None:
    """Load what understanding needs before the first citizen waits for it, one thread at a time."""
    with _warm_lock:
        _warm()
