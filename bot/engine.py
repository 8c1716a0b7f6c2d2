"""The bot: a message and its conversation in, a channel-neutral reply out. Knows nothing of LINE."""

from __future__ import annotations

from flask import current_app

from bot import data, flows
from bot.answers import Kit, handler_for
from bot.dialogue import AGENCY_INTENTS, Frame, remember, resolve
from bot.flows import Input, Pass, triggers
from bot.nlu import understand
from bot.nlu.text import language_of
from bot.replies import Reply
from models import Conversation

MEDIA_KINDS = {"image", "video", "audio", "file", "location"}
MAX_UNDERSTOOD_CHARS = 1000  # longer messages are read up to here; nobody asks a score in more


def _kit(conversation: Conversation) -> Kit:
    config = current_app.config
    return Kit(
        lang=conversation.lang or "th",
        threshold=float(config["LOW_SCORE_THRESHOLD"]),
        staff_contact=str(config.get("STAFF_CONTACT") or ""),
    )


def respond(conversation: Conversation, text: str, private: bool = True) -> Reply | None:
    """Answer one text message: the open flow's next step, a flow it asks for, or an answer.

    None: nothing to say (a chat handed to staff, where the message waits for them). In a shared
    chat (`private` False: a LINE group or room) no flow opens: reports and handoffs are one to one.
    """
    full = (text or "").strip()
    kit = _kit(conversation)
    result = flows.step(conversation, kit, Input("text", text=full)) if private else Pass()
    if not isinstance(result, Pass):  # a flow sees every word: nothing is lost
        return result
    text = full[:MAX_UNDERSTOOD_CHARS]
    if not text:
        return kit.text_reply(kit.t("social.empty"), "empty", kit.menu())
    trigger = triggers.match(text)
    if trigger:
        # The flow speaks the language it was asked in (not re-read inside it: a typed name in
        # Latin letters must not switch a Thai report to English).
        conversation.lang = language_of(text) or conversation.lang
        kit = _kit(conversation)
        if not private:
            return _private_only(kit)
        name, args = trigger
        code = triggers.code_in(text) if name == "track" else None
        return flows.start(name, conversation, kit, {**args, "code": code} if code else args)
    reply = _answer(conversation, text)
    if not private:
        return reply
    if reply.intent == "contact_staff":
        return flows.start("handoff", conversation, _kit(conversation), {"reason": "asked"})
    if reply.intent == "out_of_scope" and conversation.misunderstood >= 2:
        conversation.misunderstood = 0
        return flows.start("handoff", conversation, _kit(conversation), {"reason": "not_understood"})
    return _with_reminder(reply, result.reminder)


def _answer(conversation: Conversation, text: str) -> Reply:
    """A question about ITA results or measures, answered; updates the conversation's context."""
    understood = understand(text, data.agency_index())
    if understood.lang:
        conversation.lang = understood.lang
    context = dict(conversation.context or {})
    frame = resolve(understood, context, current_app.config.get("DEFAULT_AGENCY"))
    kit = _kit(conversation)
    reply = handler_for(frame.intent)(frame, kit)
    conversation.misunderstood = (conversation.misunderstood or 0) + 1 if frame.intent == "out_of_scope" else 0
    conversation.context = {**_next_context(frame, kit, context), **_kept_flow(conversation)}
    return reply


def _private_only(kit: Kit) -> Reply:
    return kit.text_reply(kit.t("flow.private_only"), "private_only", kit.menu())


def _kept_flow(conversation: Conversation) -> dict:
    """A flow left waiting (a survey paused for a question) stays in the context."""
    flow = (conversation.context or {}).get("flow")
    return {"flow": flow} if flow else {}


def _with_reminder(reply: Reply, reminder: Reply | None) -> Reply:
    if reminder is None:
        return reply
    reply.messages.extend(reminder.messages)
    reply.quick_replies = reminder.quick_replies + reply.quick_replies[: 12 - len(reminder.quick_replies)]
    return reply


def media(conversation: Conversation, kind: str, fetch_image=None, location: dict | None = None) -> Reply | None:
    """A photo, location or other media: the open flow's if it wants it, else a polite 'text only'."""
    kit = _kit(conversation)
    result = flows.step(conversation, kit, Input(kind, fetch_image=fetch_image, location=location))
    if not isinstance(result, Pass):
        return result
    return unsupported(conversation, kind if kind in MEDIA_KINDS else "other")


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


def postback(
    conversation: Conversation, payload: str, params: dict | None = None, private: bool = True
) -> Reply | None:
    """Postback data: 'ask=<question>' asks it; 'flow=<name>&...' is a flow's button; else the menu."""
    kit = _kit(conversation)
    inp = Input.postback(payload, params)
    wanted, opened = inp.data.get("flow"), flows.open_name(conversation)
    if not private:
        asked = inp.data.get("ask", "").strip()
        return respond(conversation, asked, private=False) if asked else _private_only(kit)
    if wanted in flows.FLOWS and wanted != opened and opened != "handoff":  # staff have the chat: it decides
        if flows.FLOWS[wanted].opens_with(inp.data):
            return flows.start(wanted, conversation, kit, inp.data)
        return kit.text_reply(kit.t("social.unknown_action"), "unknown_action", kit.menu())  # a finished step's button
    result = flows.step(conversation, kit, inp)
    if not isinstance(result, Pass):
        return result
    asked = inp.data.get("ask")
    if asked and asked.strip():
        return respond(conversation, asked)
    return kit.text_reply(kit.t("social.unknown_action"), "unknown_action", kit.menu())
