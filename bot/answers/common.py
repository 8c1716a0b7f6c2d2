"""Settling which agency and which assessment a question is about, or asking back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import wraps

from bot import data
from bot.answers import Kit
from bot.dialogue import Frame
from bot.replies import QuickReply, Reply, Text
from models import Agency, Assessment

MAX_CHOICES = 12


def settle_agency(frame: Frame, kit: Kit) -> Agency | Reply:
    """The agency the frame names, or the reply that asks which one (or says we have none)."""
    if frame.unknown_agency and not frame.agency:
        known = data.agencies()
        return Reply(
            messages=[Text(kit.t("agency.unknown", name=frame.unknown_agency))],
            quick_replies=_agency_choices(known, kit) + [kit.qr("staff")],
            intent=frame.intent,
        )
    if frame.candidates and not frame.agency:
        options = [a for a in (data.agency(slug) for slug in frame.candidates) if a]
        return _ask_agency(frame, kit, options, "agency.which_of")
    agency = data.agency(frame.agency) if frame.agency else None
    if agency is None:
        known = data.agencies()
        if len(known) == 1:
            return known[0]
        if not known:
            return kit.text_reply(kit.t("agency.none_loaded"), frame.intent, [kit.qr("staff")])
        return _ask_agency(frame, kit, known, "agency.which")
    return agency


def _ask_agency(frame: Frame, kit: Kit, options: list[Agency], key: str) -> Reply:
    kit.pending = {k: v for k, v in asdict(frame).items() if k in {"intent", "year", "indicator"} and v}
    names = ", ".join(a.display_name(kit.lang) for a in options)
    return Reply(
        messages=[Text(kit.t(key, names=names))],
        quick_replies=_agency_choices(options, kit),
        intent="ask_agency",
    )


def _agency_choices(agencies: list[Agency], kit: Kit) -> list[QuickReply]:
    return [QuickReply(label=a.short_name(), text=a.short_name()) for a in agencies[:MAX_CHOICES]]


def settle_assessment(frame: Frame, kit: Kit, agency: Agency) -> tuple[Assessment, list[Assessment]] | Reply:
    """The assessment for the frame's year (the latest by default), with all of the agency's years."""
    history = data.assessments(agency)
    name = agency.display_name(kit.lang)
    if not history:
        return kit.text_reply(kit.t("assessment.none", agency=name), frame.intent, kit.menu())
    if frame.year is None:
        chosen = history[-1]
    elif frame.year == -1:
        if len(history) < 2:
            return _missing_year(frame, kit, agency, history, history[-1].fiscal_year - 1)
        chosen = history[-2]
    else:
        chosen = next((a for a in history if a.fiscal_year == frame.year), None)
        if chosen is None:
            return _missing_year(frame, kit, agency, history, frame.year)
    kit.year_used = chosen.fiscal_year
    return chosen, history


def _missing_year(frame: Frame, kit: Kit, agency: Agency, history: list[Assessment], year: int) -> Reply:
    kit.pending = {"intent": frame.intent, "agency": agency.slug}
    if frame.indicator:
        kit.pending["indicator"] = frame.indicator
    years = ", ".join(str(a.fiscal_year) for a in history)
    quick = [
        QuickReply(label=kit.t("qr.year.label", year=a.fiscal_year), text=kit.t("qr.year.text", year=a.fiscal_year))
        for a in history[-MAX_CHOICES:]
    ]
    quick.append(kit.qr("staff"))
    return Reply(
        messages=[Text(kit.t("assessment.no_year", agency=agency.display_name(kit.lang), year=year, years=years))],
        quick_replies=quick,
        intent=frame.intent,
    )


def with_agency(handler: Callable[..., Reply]) -> Callable[[Frame, Kit], Reply]:
    """Settle the agency before the handler runs, or answer with the ask-back."""

    @wraps(handler)
    def settled_first(frame: Frame, kit: Kit) -> Reply:
        agency = settle_agency(frame, kit)
        if isinstance(agency, Reply):
            return agency
        kit.extra_context["agency"] = agency.slug
        return handler(frame, kit, agency)

    return settled_first


def with_assessment(handler: Callable[..., Reply]) -> Callable[[Frame, Kit], Reply]:
    """Settle the agency, then the assessment, before the handler runs, or answer with what stands in."""

    @with_agency
    def settled_first(frame: Frame, kit: Kit, agency: Agency) -> Reply:
        settled = settle_assessment(frame, kit, agency)
        if isinstance(settled, Reply):
            return settled
        return handler(frame, kit, agency, *settled)

    return settled_first
