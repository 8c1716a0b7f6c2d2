"""The bot: a message and its conversation in, a channel-neutral reply out. Knows nothing of LINE."""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import current_app

from bot import data
from bot.answers import Kit, handler_for
from bot.dialogue import AGENCY_INTENTS, Frame, remember, resolve
from bot.nlu import understand
from bot.replies import Reply
from models import Conversation

MAX_UNDERSTOOD_CHARS = 1000  # longer messages are read up to here; nobody asks a score in more


def _kit(conversation: Conversation) -> Kit:
    config = current_app.config
    return Kit(
        lang=conversation.lang or "th",
        threshold=float(config["LOW_SCORE_THRESHOLD"]),
        staff_contact=str(config.get("STAFF_CONTACT") or ""),
    )


def respond(conversation: Conversation, text: str) -> Reply:
    """Answer one text message, updating the conversation's context."""
    text = (text or "").strip()[:MAX_UNDERSTOOD_CHARS]
    if not text:
        kit = _kit(conversation)
        return kit.text_reply(kit.t("social.empty"), "empty", kit.menu())
    understood = understand(text, data.agency_index())
    if understood.lang:
        conversation.lang = understood.lang
    context = dict(conversation.context or {})
    frame = resolve(understood, context, current_app.config.get("DEFAULT_AGENCY"))
    kit = _kit(conversation)
    reply = handler_for(frame.intent)(frame, kit)
    conversation.misunderstood = (conversation.misunderstood or 0) + 1 if frame.intent == "out_of_scope" else 0
    conversation.context = _next_context(frame, kit, context)
    return reply


def _next_context(frame: Frame, kit: Kit, context: dict) -> dict:
    """The topic the next turn may lean on; `said` is what this turn was taken to mean."""
    if frame.intent in AGENCY_INTENTS:
        return {
            **remember(frame, year_used=kit.year_used, pending=kit.pending),
            **kit.extra_context,
            "said": frame.intent,
        }
    kept = {k: v for k, v in context.items() if k not in {"pending", "said", "topic"}}
    if frame.intent == "concept":
        kept["topic"] = frame.topic or "ita"
    return {**kept, "said": frame.intent}


def welcome(conversation: Conversation, returning: bool = False) -> Reply:
    kit = _kit(conversation)
    return kit.text_reply(kit.t("social.welcome_back" if returning else "social.welcome"), "welcome", kit.menu())


def group_welcome(conversation: Conversation) -> Reply:
    kit = _kit(conversation)
    return kit.text_reply(kit.t("social.group_welcome"), "welcome")


def sticker(conversation: Conversation) -> Reply:
    kit = _kit(conversation)
    return kit.text_reply(kit.t("social.sticker"), "sticker", kit.menu())


def unsupported(conversation: Conversation, kind: str) -> Reply:
    kit = _kit(conversation)
    return kit.text_reply(kit.t(f"social.unsupported.{kind}"), "unsupported", kit.menu())


def postback(conversation: Conversation, payload: str) -> Reply:
    """Postback data 'ask=<question>' asks that question; anything else gets the menu."""
    asked = parse_qs(payload or "").get("ask")
    if asked and asked[0].strip():
        return respond(conversation, asked[0])
    kit = _kit(conversation)
    return kit.text_reply(kit.t("social.unknown_action"), "unknown_action", kit.menu())
