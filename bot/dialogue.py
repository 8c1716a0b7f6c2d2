"""From one understood message and the conversation so far, to a complete request (a Frame)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from bot.nlu import Understanding

SCORE_INTENTS = {
    "total_score",
    "indicator_score",
    "all_indicators",
    "strongest",
    "weakest",
    "below_threshold",
    "trend",
    "tool_scores",
    "question_score",
}
MEASURE_INTENTS = {"measures", "measure_progress"}
AGENCY_INTENTS = SCORE_INTENTS | MEASURE_INTENTS
_THIS = re.compile(
    r"เรื่องนี้|ตัวนี้|อันนี้|ข้อนี้|ด้านนี้|ตัวชี้วัดนี้|นี้ล่ะ|มาตรการนี้|this indicator|this one|for it|for that|that indicator"
    r"|these measures|this measure"
)
_WHICH = re.compile(r"ตัวไหน|อันไหน|ด้านไหน|ข้อไหน|อะไรบ้าง|ไหนบ้าง|ตัวชี้วัด|กี่ตัว|which|what indicators|indicators|any ")
_WEAK_HINTS = ["ต่ำ", "น้อย", "แย่", "อ่อน", "ด้อย", "ปรับปรุง", "แก้", "low", "worst", "weak", "improv"]
_PASS_QUESTION = re.compile(r"ผ่านไหม|ผ่านมั้ย|ผ่านหรือ|ผ่านเกณฑ์ไหม|ผ่านป่าว|ผ่านรึ|did .* pass|pass or fail")


@dataclass
class Frame:
    intent: str
    agency: str | None = None
    candidates: tuple[str, ...] = ()
    unknown_agency: str | None = None
    year: int | None = None  # None: the latest in the data
    indicator: int | None = None
    threshold: float | None = None
    tool: str | None = None
    question: str | None = None
    aspect: str | None = None
    topic: str | None = None
    issue_area: int | None = None
    measure: str | None = None


def decide(u: Understanding) -> str | None:
    """The intent the message's own words ask for, or None when they only carry entities."""
    c = u.cues
    if "concept" in c and (u.topic or u.mentions_ita) and not u.agency.slug:
        return "concept"
    if u.no_such_indicator and not u.indicator:
        return "concept"  # answered with the list of the ten indicators
    if "progress" in c and ("measures" in c or not (c & {"score", "strongest", "weakest"})):
        return "measure_progress"
    if "measures" in c:
        return "measures"
    if u.question:
        return "question_score"
    if u.threshold is not None or ("below" in c and _WHICH.search(u.text) and not _PASS_QUESTION.search(u.text)):
        return "below_threshold"
    if "weakest" in c or "strongest" in c:
        return _first_of(u.text, c & {"weakest", "strongest"}, weakest=_WEAK_HINTS)
    if "trend" in c or len(u.years) > 1:
        return "trend"
    if "tool" in c:
        return "tool_scores"
    if "all_indicators" in c:
        return "all_indicators"
    if u.tool:
        return "tool_scores"
    if u.indicator:
        return "indicator_score"
    if "contact_staff" in c and "score" not in c:
        return "contact_staff"
    anchored = u.mentions_ita or bool(u.agency.slug or u.agency.unknown or u.agency.candidates or u.year)
    if "score" in c or ("score_weak" in c and anchored):
        return "total_score"
    if "concept" in c and u.mentions_ita:
        return "concept"
    for social in ("help", "thanks", "greeting", "contact_staff"):
        if social in c:
            return social
    if u.mentions_ita and not u.has_entities:
        return "total_score"
    return None


def _first_of(text: str, options: set[str], weakest: list[str]) -> str:
    if len(options) == 1:
        return next(iter(options))
    return "weakest" if any(w in text for w in weakest) else "strongest"


def resolve(u: Understanding, context: dict, default_agency: str | None) -> Frame:
    """Fill what the message leaves open from the last turn, the OA's own agency, or the only agency."""
    intent = decide(u)
    previous = context.get("intent")
    if context.get("said") == "concept" and not u.agency.slug and (intent is None or "followup" in u.cues):
        topic = u.tool or u.topic
        if topic:  # "แล้ว OIT ล่ะ" after "EIT คืออะไร"
            return Frame(intent="concept", topic=topic)
    pending = context.get("pending") or {}
    follow_up = intent is None
    if intent is None:
        if pending and (u.agency.slug or u.year):
            intent = pending.get("intent")
        elif previous in AGENCY_INTENTS and (u.has_entities or "followup" in u.cues or u.aspect):
            intent = _follow_up_intent(u, previous)
        elif u.has_entities and (u.agency.slug or u.agency.unknown or u.year) and u.bare:
            intent = "indicator_score" if u.indicator else "total_score"
        else:
            return Frame(intent="out_of_scope")
    if intent == "total_score" and u.indicator:
        intent = "indicator_score"
    frame = Frame(
        intent=intent,
        candidates=tuple(u.agency.candidates),
        unknown_agency=u.agency.unknown,
        threshold=u.threshold,
        tool=u.tool,
        question=u.question,
        aspect=u.aspect if intent == "measures" else None,
        topic="indicators" if u.no_such_indicator and not u.indicator else u.topic,
        issue_area=u.issue_area,
        measure=u.measure,
    )
    if intent not in AGENCY_INTENTS:
        return frame
    frame.agency = u.agency.slug
    if not frame.agency and not frame.candidates and not frame.unknown_agency:
        frame.agency = context.get("agency") or pending.get("agency") or default_agency
    same_agency = frame.agency == context.get("agency")
    if u.year:
        frame.year = u.year
    elif u.year_relative == "previous":
        base = context.get("year") if same_agency else None
        frame.year = (base - 1) if base else -1  # -1: the year before the latest
    elif pending and u.year_relative != "latest" and pending.get("year"):
        frame.year = pending["year"]  # the year asked before we asked which agency
    elif u.year_relative != "latest" and same_agency and follow_up:
        frame.year = context.get("year")
    carry = follow_up or bool(_THIS.search(u.text)) or bool(pending)
    if (
        intent in MEASURE_INTENTS
        and previous in MEASURE_INTENTS
        and not u.agency.slug
        and (u.aspect or "progress" in u.cues)
    ):
        carry = True
    if intent == "trend" and previous == "indicator_score" and not u.agency.slug:
        carry = True
    frame.indicator = u.indicator
    if frame.indicator is None and carry and intent in {"indicator_score", "measures", "measure_progress", "trend"}:
        frame.indicator = context.get("indicator") or pending.get("indicator")
    if frame.issue_area is None and frame.indicator is None and carry and intent in MEASURE_INTENTS:
        frame.issue_area = context.get("issue_area")
    if frame.measure is None and frame.indicator is None and carry and intent in MEASURE_INTENTS:
        frame.measure = context.get("measure")
    if frame.threshold is None and carry and intent == "below_threshold":
        frame.threshold = context.get("threshold")
    if frame.tool is None and carry and intent == "tool_scores":
        frame.tool = context.get("tool")
    if frame.question is None and carry and intent == "question_score":
        frame.question = context.get("question")
    if frame.aspect is None and follow_up and intent == "measures":
        frame.aspect = context.get("aspect")
    return frame


def _follow_up_intent(u: Understanding, previous: str) -> str:
    if previous in MEASURE_INTENTS:
        return previous
    if u.question:
        return "question_score"
    if u.indicator and previous not in {"trend", "indicator_score"}:
        return "indicator_score"
    if u.tool:
        return "tool_scores"
    return previous


def remember(frame: Frame, *, year_used: int | None, pending: dict | None = None) -> dict:
    """What the next turn may reuse."""
    keep = {
        "intent",
        "agency",
        "indicator",
        "threshold",
        "tool",
        "question",
        "aspect",
        "topic",
        "issue_area",
        "measure",
    }
    data = {k: v for k, v in asdict(frame).items() if k in keep and v is not None}
    data["year"] = year_used or (frame.year if frame.year and frame.year > 0 else None)
    if pending:
        data["pending"] = pending
    return data
