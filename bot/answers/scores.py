"""Answers about an assessment's numbers: total, level, indicators, tools, questions, trend."""

from __future__ import annotations

from decimal import Decimal

from bot.answers import Kit, answers
from bot.answers.common import with_assessment
from bot.dialogue import Frame
from bot.replies import Bar, Reply, ScoreCard, Text
from models import Agency, Assessment
from models.indicators import INDICATORS, TOOLS


def _scored(assessment: Assessment) -> list[tuple[int, Decimal]]:
    return [(row.indicator_no, row.score) for row in assessment.indicator_scores if row.score is not None]


def _unpublished(assessment: Assessment) -> list[int]:
    have = {n for n, _ in _scored(assessment)}
    return [n for n in INDICATORS if n not in have]


def score_card(kit: Kit, agency: Agency, assessment: Assessment) -> ScoreCard:
    bars = [
        Bar(
            label=f"{n}. {kit.t(f'indicator.{n}.short')}",
            value=float(score),
            value_text=kit.score(score),
            low=float(score) < kit.threshold,
        )
        for n, score in _scored(assessment)
    ]
    level = kit.t("score.level_badge", level=assessment.level) if assessment.level else None
    alt = kit.t(
        "score.card_alt",
        agency=agency.display_name(kit.lang),
        year=kit.year(assessment.fiscal_year),
        total=kit.score(assessment.total_score),
        level=assessment.level or "-",
    )
    return ScoreCard(
        title=agency.display_name(kit.lang),
        subtitle=kit.t("score.card_subtitle", year=kit.year(assessment.fiscal_year)),
        headline=kit.score(assessment.total_score),
        headline_label=kit.t("score.card_total"),
        badge=level,
        bars=bars,
        footnote=kit.t("score.card_footnote", threshold=_num(kit.threshold)),
        alt_text=alt,
    )


def _num(value: float) -> str:
    return f"{value:g}"


def _header(kit: Kit, agency: Agency, assessment: Assessment) -> dict:
    return {"agency": agency.display_name(kit.lang), "year": kit.year(assessment.fiscal_year)}


def _next_steps(kit: Kit, history: list[Assessment]) -> list:
    quick = [
        kit.qr("weakest"),
        kit.qr("all_indicators"),
        kit.qr("below", threshold=_num(kit.threshold)),
        kit.qr("measures"),
    ]
    if len(history) > 1:
        quick.append(kit.qr("trend"))
    return quick + [kit.qr("what_is_ita")]


@answers("total_score")
@with_assessment
def total_score(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    verdict = "score.passes" if float(assessment.total_score) >= kit.threshold else "score.below_pass"
    text = kit.t(
        "score.total",
        **_header(kit, agency, assessment),
        total=kit.score(assessment.total_score),
        level=assessment.level or "-",
    )
    text += "\n" + kit.t(verdict, threshold=_num(kit.threshold))
    if assessment.fiscal_year != history[-1].fiscal_year or len(history) > 1:
        text += "\n" + kit.t("score.years_available", years=", ".join(str(a.fiscal_year) for a in history))
    return Reply(
        messages=[Text(text), score_card(kit, agency, assessment)],
        quick_replies=_next_steps(kit, history),
        intent=frame.intent,
    )


@answers("indicator_score")
@with_assessment
def indicator_score(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    if frame.indicator is None:
        return _all_indicators(frame, kit, agency, assessment, history)
    n = frame.indicator
    score = assessment.indicator(n)
    head = _header(kit, agency, assessment)
    quick = [kit.qr("measures_for", number=n), kit.qr("all_indicators"), kit.qr("weakest")]
    if score is None:
        return kit.text_reply(
            kit.t("indicator.unpublished", number=n, name=kit.indicator_name(n), **head), frame.intent, quick
        )
    ranked = sorted(_scored(assessment), key=lambda item: item[1], reverse=True)
    rank = 1 + sum(1 for _, s in ranked if s > score)
    text = kit.t(
        "indicator.score",
        number=n,
        name=kit.indicator_name(n),
        score=kit.score(score),
        tool=kit.t(f"tool.{INDICATORS[n].tool}.short"),
        **head,
    )
    status = "indicator.below" if float(score) < kit.threshold else "indicator.at_or_above"
    text += "\n" + kit.t(status, threshold=_num(kit.threshold), rank=rank, count=len(ranked))
    return kit.text_reply(text, frame.intent, quick)


@answers("all_indicators")
@with_assessment
def all_indicators(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    return _all_indicators(frame, kit, agency, assessment, history)


def _all_indicators(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    lines = [kit.t("indicators.heading", **_header(kit, agency, assessment))]
    for n, score in _scored(assessment):
        mark = " ⚠️" if float(score) < kit.threshold else ""
        lines.append(kit.t("indicators.line", number=n, name=kit.indicator_name(n), score=kit.score(score)) + mark)
    missing = _unpublished(assessment)
    if missing:
        lines.append(kit.t("indicators.unpublished", numbers=", ".join(map(str, missing))))
    lines.append(kit.t("indicators.legend", threshold=_num(kit.threshold)))
    return Reply(
        messages=[Text("\n".join(lines)), score_card(kit, agency, assessment)],
        quick_replies=_next_steps(kit, history),
        intent=frame.intent,
    )


@answers("strongest", "weakest")
@with_assessment
def extremes(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    scored = _scored(assessment)
    if not scored:
        return kit.text_reply(kit.t("indicators.none", **_header(kit, agency, assessment)), frame.intent, kit.menu())
    pick = max if frame.intent == "strongest" else min
    best = pick(score for _, score in scored)
    tied = [n for n, score in scored if score == best]
    names = kit.t("list.join").join(kit.t("indicators.named", number=n, name=kit.indicator_name(n)) for n in tied)
    text = kit.t(f"extreme.{frame.intent}", names=names, score=kit.score(best), **_header(kit, agency, assessment))
    if frame.intent == "weakest" and float(best) < kit.threshold:
        text += "\n" + kit.t("extreme.weak_note", threshold=_num(kit.threshold))
    missing = _unpublished(assessment)
    if missing:
        text += "\n" + kit.t("indicators.unpublished", numbers=", ".join(map(str, missing)))
    other = "weakest" if frame.intent == "strongest" else "strongest"
    quick = [
        kit.qr("measures_for", number=tied[0]),
        kit.qr(other),
        kit.qr("all_indicators"),
        kit.qr("below", threshold=_num(kit.threshold)),
    ]
    return kit.text_reply(text, frame.intent, quick)


@answers("below_threshold")
@with_assessment
def below_threshold(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    threshold = frame.threshold if frame.threshold is not None else kit.threshold
    kit.extra_context["threshold"] = threshold
    below = [(n, s) for n, s in _scored(assessment) if float(s) < threshold]
    head = _header(kit, agency, assessment)
    if not below:
        text = kit.t("below.none", threshold=_num(threshold), **head)
    else:
        lines = [kit.t("below.heading", threshold=_num(threshold), count=len(below), **head)]
        lines += [
            kit.t("indicators.line", number=n, name=kit.indicator_name(n), score=kit.score(s))
            for n, s in sorted(below, key=lambda item: item[1])
        ]
        text = "\n".join(lines)
    missing = _unpublished(assessment)
    if missing:
        text += "\n" + kit.t("indicators.unpublished", numbers=", ".join(map(str, missing)))
    quick = [kit.qr("measures_for", number=n) for n, _ in sorted(below, key=lambda item: item[1])[:3]]
    return kit.text_reply(text, frame.intent, quick + [kit.qr("all_indicators"), kit.qr("weakest")])


@answers("trend")
@with_assessment
def trend(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    name = agency.display_name(kit.lang)
    if len(history) < 2:
        return kit.text_reply(
            kit.t("trend.single", agency=name, year=kit.year(assessment.fiscal_year)),
            frame.intent,
            [kit.qr("score"), kit.qr("all_indicators")],
        )
    n = frame.indicator
    label = kit.t("trend.of_indicator", number=n, name=kit.indicator_name(n)) if n else kit.t("trend.of_total")
    lines = [kit.t("trend.heading", agency=name, what=label)]
    previous = None
    for item in history:
        value = item.indicator(n) if n else item.total_score
        change = ""
        if value is not None and previous is not None:
            change = " " + kit.t("trend.change", delta=f"{value - previous:+.2f}")
        lines.append(
            # The published level belongs to the total, not to one indicator.
            kit.t(
                "trend.line_indicator" if n else "trend.line",
                year=item.fiscal_year,
                score=kit.score(value),
                level=item.level or "-",
            )
            + change
        )
        previous = value if value is not None else previous
    return kit.text_reply("\n".join(lines), frame.intent, [kit.qr("all_indicators"), kit.qr("weakest")])


@answers("tool_scores")
@with_assessment
def tool_scores(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    tools = [frame.tool] if frame.tool else list(TOOLS)
    kit.extra_context["tool"] = frame.tool
    lines = [kit.t("tool.heading", **_header(kit, agency, assessment))]
    for tool in tools:
        score = assessment.tool_score(tool)
        members = [n for n in INDICATORS if INDICATORS[n].tool == tool]
        parts = "\n".join(
            kit.t("indicators.line", number=n, name=kit.indicator_name(n), score=kit.score(assessment.indicator(n)))
            for n in members
        )
        if score is not None:
            lines.append(kit.t("tool.line", tool=kit.t(f"tool.{tool}.name"), score=kit.score(score)))
        else:
            lines.append(kit.t("tool.unpublished", tool=kit.t(f"tool.{tool}.name")))
        lines.append(kit.t("tool.members", indicators=parts))
    return kit.text_reply(
        "\n".join(lines), frame.intent, [kit.qr(f"concept_{t}") for t in tools] + [kit.qr("all_indicators")]
    )


@answers("question_score")
@with_assessment
def question_score(frame: Frame, kit: Kit, agency: Agency, assessment: Assessment, history: list[Assessment]) -> Reply:
    head = _header(kit, agency, assessment)
    codes = [q.code for q in assessment.question_scores]
    found = next((q for q in assessment.question_scores if q.code.lower() == (frame.question or "").lower()), None)
    if found is None:
        key = "question.none_published" if not codes else "question.missing"
        text = kit.t(key, code=(frame.question or "?").upper(), codes=", ".join(codes[:40]), **head)
        return kit.text_reply(text, frame.intent, [kit.qr("all_indicators"), kit.qr("weakest")])
    text = kit.t("question.score", code=found.code, text=found.text or "-", score=kit.score(found.score), **head)
    if found.indicator_no:
        text += "\n" + kit.t(
            "question.of_indicator", number=found.indicator_no, name=kit.indicator_name(found.indicator_no)
        )
    quick = [kit.qr("indicator", number=found.indicator_no)] if found.indicator_no else []
    return kit.text_reply(text, frame.intent, quick + [kit.qr("all_indicators")])
