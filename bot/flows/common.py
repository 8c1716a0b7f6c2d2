"""Steps several flows share: which agency, a 1–5 rating, the reply that re-asks."""

from __future__ import annotations

import re

from flask import current_app

from bot import data
from bot.answers.common import MAX_CHOICES
from bot.flows import Ctx, Input
from bot.i18n import t
from bot.nlu import understand
from bot.nlu.text import normalize
from bot.replies import QuickReply, Reply
from models import Agency

SCALE_DOWN = ("5", "4", "3", "2", "1")  # rating buttons, best first
_WORD_SCORES = {
    "หนึ่ง": 1,
    "สอง": 2,
    "สาม": 3,
    "สี่": 4,
    "ห้า": 5,
    "น้อยที่สุด": 1,
    "น้อย": 2,
    "ปานกลาง": 3,
    "มาก": 4,
    "มากที่สุด": 5,
    "ดีมาก": 5,
    "ดี": 4,
    "พอใช้": 3,
    "ควรปรับปรุง": 2,
    "แย่": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}
_DIGIT_SCORE = re.compile(r"^([1-5])(?:\s?(?:คะแนน|points?|/\s?5|ดาว|stars?))?(?:\s?\S{0,12})?$")


def rating_of(inp: Input) -> int | None:
    """A 1–5 rating from a tapped button (s=4) or typed text ('4', '๔', 'มาก', 'four')."""
    if inp.kind == "postback":
        value = inp.data.get("s", "")
        return int(value) if value in {"1", "2", "3", "4", "5"} else None
    if inp.kind != "text":
        return None
    said = normalize(inp.text)
    found = _DIGIT_SCORE.match(said)
    if found:
        return int(found.group(1))
    return _WORD_SCORES.get(re.sub(r"(ครับ|คับ|ค่ะ|คะ|จ้า|นะ)$", "", said).strip())


def rating_buttons(lang: str, data_prefix: str) -> list[QuickReply]:
    """Five tap-to-rate buttons, best first, their postback data `<prefix>&s=<n>`."""
    return [
        QuickReply(label=label, text=label, data=f"{data_prefix}&s={score}", action="postback")
        for score in SCALE_DOWN
        for label in [t(f"flow.rating.{score}", lang)]
    ]


def fixed_agency() -> Agency | None:
    """The agency this OA belongs to (DEFAULT_AGENCY), or the only one loaded."""
    slug = current_app.config.get("DEFAULT_AGENCY")
    if slug:
        return data.agency(slug)
    known = data.agencies()
    return known[0] if len(known) == 1 else None


def agency_of(ctx: Ctx, inp: Input) -> Agency | None:
    """The agency a tapped button or typed name picks."""
    if inp.kind == "postback" and inp.data.get("agency"):
        return data.agency(inp.data["agency"])
    if inp.kind == "text" and inp.text.strip():
        understood = understand(inp.text, data.agency_index())
        if understood.agency.slug:
            return data.agency(understood.agency.slug)
    return None


def ask_agency(ctx: Ctx, flow: str, key: str) -> Reply:
    """Which agency, as buttons (and by typed name when there are more than fit)."""
    known = data.agencies()
    buttons = [
        QuickReply(label=a.short_name(), text=a.short_name(), data=f"flow={flow}&agency={a.slug}", action="postback")
        for a in known[: MAX_CHOICES - 1]
    ]
    text = ctx.t(key) + ("\n" + ctx.t("flow.agency_type_name") if len(known) > len(buttons) else "")
    return ctx.reply(text, f"{flow}:agency", buttons + [ctx.button("flow.cancel", f"flow={flow}&cancel=1")])


def cancelled(inp: Input) -> bool:
    from bot.flows.triggers import is_cancel

    return (inp.kind == "postback" and inp.data.get("cancel") == "1") or (inp.kind == "text" and is_cancel(inp.text))


def understood_as_question(text: str) -> bool:
    """The text reads as a question the bot answers (not a free-text reply to a flow)."""
    from bot.dialogue import resolve

    frame = resolve(understand(text[:1000], data.agency_index()), {}, None)
    return frame.intent not in {"out_of_scope", "greeting", "thanks"}
