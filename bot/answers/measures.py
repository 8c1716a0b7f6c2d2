"""Answers about an agency's integrity measures: what, who, when, how monitored, how far along."""

from __future__ import annotations

from bot import data
from bot.answers import Kit, answers
from bot.answers.common import with_agency
from bot.dialogue import Frame
from bot.replies import Reply
from bot.textfit import clip
from models import Agency, Measure

PROCESS_CODE = "ITA"  # progress on driving the assessment itself, not a measure of its own
FIELD_LIMIT = 700
BRIEF_OVER = 3  # more measures than this in one answer: each one's activities are cut short
BRIEF_LIMIT = 160
STATUS_MARK = {"done": "✅", "in_progress": "⏳", "not_started": "▫️"}


def _select(frame: Frame, kit: Kit, items: list[Measure]) -> tuple[list[Measure], str | None]:
    """The measures the question is about, and a note when a filter matched none."""
    if frame.year:
        dated = [m for m in items if frame.year in (m.fiscal_year, m.based_on_year)]
        items = dated or items
    if items:
        latest = max(m.fiscal_year for m in items)
        items = [m for m in items if m.fiscal_year == latest]
        kit.year_used = latest
    if frame.measure:
        matched = [m for m in items if m.code == frame.measure]
        if not matched:
            codes = ", ".join(m.code for m in items)
            return items, kit.t("measures.no_such_measure", code=frame.measure, codes=codes)
        return matched, None
    if frame.indicator:
        matched = [m for m in items if frame.indicator in m.indicators]
        if not matched:
            return items, kit.t(
                "measures.none_for_indicator", number=frame.indicator, name=kit.indicator_name(frame.indicator)
            )
        return matched, None
    if frame.issue_area:
        matched = [m for m in items if m.issue_area == frame.issue_area]
        if not matched:
            return items, kit.t("measures.none_for_area", area=kit.t(f"issue_area.{frame.issue_area}"))
        return matched, None
    return items, None


def _title(kit: Kit, m: Measure) -> str:
    if m.code == PROCESS_CODE:
        return m.title
    refs = ", ".join(str(n) for n in m.indicators)
    suffix = kit.t("measures.indicators_ref", numbers=refs) if refs else ""
    return kit.t("measures.title", code=m.code, title=m.title) + suffix


def _field(kit: Kit, value: str | None, limit: int = FIELD_LIMIT) -> str:
    return clip(value.strip(), limit) if value and value.strip() else kit.t("measures.not_stated")


def _detail(kit: Kit, m: Measure, aspect: str | None, limit: int = FIELD_LIMIT) -> list[str]:
    lines = [_title(kit, m)]
    if aspect in (None, "what"):
        if aspect is None and m.weakness:
            lines.append(kit.t("measures.weakness", text=_field(kit, m.weakness)))
        what = m.activities or "\n".join(f"- {s}" for s in m.steps or [])
        lines.append(kit.t("measures.activities", text=_field(kit, what, limit)))
    if aspect in (None, "who"):
        lines.append(kit.t("measures.responsible", text=_field(kit, m.responsible_unit)))
    if aspect in (None, "when"):
        lines.append(kit.t("measures.timeframe", text=_field(kit, m.timeframe)))
    if aspect in (None, "monitoring"):
        lines.append(kit.t("measures.monitoring", text=_field(kit, m.monitoring)))
    return lines


ASPECT_FIELDS = {
    "who": ("responsible_unit", "measures.responsible"),
    "when": ("timeframe", "measures.timeframe"),
    "monitoring": ("monitoring", "measures.monitoring"),
}


def _shared_answer(kit: Kit, items: list[Measure], aspect: str | None) -> str | None:
    """The one line that answers the aspect for every measure, when they all say the same."""
    if aspect not in ASPECT_FIELDS or len(items) < 2:
        return None
    field, key = ASPECT_FIELDS[aspect]
    values = {(getattr(m, field) or "").strip() for m in items}
    return kit.t(key, text=_field(kit, values.pop())) if len(values) == 1 else None


@answers("measures")
@with_agency
def measures(frame: Frame, kit: Kit, agency: Agency) -> Reply:
    name = agency.display_name(kit.lang)
    all_items = [m for m in data.measures(agency) if m.code != PROCESS_CODE]
    if not all_items:
        return kit.text_reply(kit.t("measures.none", agency=name), frame.intent, kit.menu())
    items, note = _select(frame, kit, all_items)
    heading = kit.t("measures.heading", agency=name, year=kit.year(items[0].fiscal_year), count=len(items))
    lines = [note] if note else []
    lines.append(heading)
    shared = _shared_answer(kit, items, frame.aspect)
    if shared:  # "ทุกมาตรการรายงานผลในไตรมาสที่ 2" once, not five times
        lines += [""] + [_title(kit, m) for m in items] + ["", kit.t("measures.all_same", count=len(items)), shared]
    elif frame.aspect or len(items) <= 2:
        brief = len(items) > BRIEF_OVER  # many measures at once: a glimpse of each, details on request
        for m in items:
            lines += [""] + _detail(kit, m, frame.aspect, BRIEF_LIMIT if brief else FIELD_LIMIT)
        if brief and frame.aspect == "what":
            lines += ["", kit.t("measures.ask_one")]
    else:
        lines += [_title(kit, m) for m in items]
        lines.append(kit.t("measures.ask_detail"))
    quick = [kit.qr("measures_who"), kit.qr("measures_when"), kit.qr("measures_monitoring"), kit.qr("progress")]
    if not frame.indicator:
        numbers = sorted({n for m in items for n in m.indicators})[:8]
        quick += [kit.qr("measures_for", number=n) for n in numbers]
    return kit.text_reply("\n".join(lines), frame.intent, quick)


@answers("measure_progress")
@with_agency
def measure_progress(frame: Frame, kit: Kit, agency: Agency) -> Reply:
    name = agency.display_name(kit.lang)
    every = data.measures(agency)
    if not every:
        return kit.text_reply(kit.t("measures.none", agency=name), frame.intent, kit.menu())
    items, note = _select(frame, kit, every) if frame.indicator or frame.issue_area else (every, None)
    reported = [m for m in items if m.progress]
    if not reported:
        lines = [note] if note else []
        lines.append(kit.t("progress.none", agency=name))
        lines += [
            kit.t(
                "progress.planned",
                title=_title(kit, m),
                timeframe=_field(kit, m.timeframe),
                monitoring=_field(kit, m.monitoring),
            )
            for m in items[:10]
        ]
        return kit.text_reply("\n".join(lines), frame.intent, [kit.qr("measures"), kit.qr("staff")])
    lines = [note] if note else []
    for m in reported:
        done = sum(1 for p in m.progress if p.status == "done")
        report = m.progress[0].report or ""
        lines.append(kit.t("progress.heading", title=_title(kit, m), done=done, total=len(m.progress), report=report))
        for p in m.progress:
            lines.append(
                kit.t(
                    "progress.step",
                    mark=STATUS_MARK.get(p.status, "▫️"),
                    step=clip(p.step, 300),
                    status=kit.t(f"progress.status.{p.status}"),
                )
            )
            if p.result:
                lines.append(kit.t("progress.result", text=clip(p.result, 400)))
        lines.append("")
    return kit.text_reply("\n".join(lines).strip(), frame.intent, [kit.qr("measures"), kit.qr("score")])
