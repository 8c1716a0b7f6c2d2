"""Guided conversations (survey, complaint, tracking, handoff): where a citizen is, kept in the database.

A flow's state lives in the conversation's context under "flow", so it survives restarts, is shared
by every worker process, and two messages at once are settled by the conversation's version lock.
A confidential flow's state is sealed with the identity key, so not even a draft is readable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from flask import current_app

from bot.answers import Kit
from bot.replies import QuickReply, Reply
from models import Conversation, db
from models.sealing import SealingError, seal, unseal

log = logging.getLogger(__name__)


class MediaUnavailable(Exception):
    """The channel could not hand over a photo the citizen sent."""


@dataclass
class Input:
    """One thing the citizen sent, as a flow sees it."""

    kind: str  # text | postback | image | location
    text: str = ""
    data: dict[str, str] = field(default_factory=dict)  # postback fields
    params: dict[str, str] = field(default_factory=dict)  # postback params (a picked date)
    fetch_image: Callable[[], tuple[bytes, str]] | None = None  # downloads the photo: (bytes, content type)
    location: dict | None = None  # latitude, longitude, address, title

    @classmethod
    def postback(cls, payload: str, params: dict | None = None) -> Input:
        fields = {k: v[0] for k, v in parse_qs(payload or "", keep_blank_values=True).items()}
        return cls("postback", data=fields, params={k: str(v) for k, v in (params or {}).items() if v})


@dataclass
class Pass:
    """Not this flow's input: answer it as a question, adding `reminder` of the flow left waiting."""

    reminder: Reply | None = None


@dataclass
class Ctx:
    """What a flow step needs: the conversation, the language kit and the flow's saved state."""

    conversation: Conversation
    kit: Kit
    state: dict
    # Set by a flow for a turn of a corruption report: state sealed, turn kept out of the history.
    confidential: bool = False

    @property
    def config(self):
        return current_app.config

    def t(self, key: str, **values) -> str:
        return self.kit.t(key, **values)

    def reply(self, text: str, intent: str, quick: list[QuickReply] | None = None) -> Reply:
        return self.kit.text_reply(text, intent, quick)

    def button(self, key: str, data: str, **values) -> QuickReply:
        """A postback quick reply whose label and shown text come from the catalog key `<key>`."""
        label = self.t(key, **values)
        return QuickReply(label=label, text=label, data=data, action="postback")


FLOWS: dict[str, Flow] = {}


class Flow:
    """A guided conversation: `start` opens it, `step` takes each input while it is open."""

    name = ""
    opens = frozenset()  # the postback fields besides flow=<name> that may open it (a menu's, not a step's)

    def opens_with(self, data: dict[str, str]) -> bool:
        return set(data) - {"flow"} <= self.opens

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            FLOWS[cls.name] = cls()

    def start(self, ctx: Ctx, args: dict[str, str]) -> Reply | None:
        raise NotImplementedError

    def step(self, ctx: Ctx, inp: Input) -> Reply | Pass | None:
        raise NotImplementedError


def open_name(conversation: Conversation) -> str | None:
    """Which flow is open, without unsealing its state."""
    return ((conversation.context or {}).get("flow") or {}).get("name")


def current(conversation: Conversation) -> tuple[str, dict, bool] | None:
    """The open flow's name, its state (unsealed) and whether it was sealed."""
    saved = (conversation.context or {}).get("flow")
    if not saved:
        return None
    if "sealed" not in saved:
        return saved["name"], {k: v for k, v in saved.items() if k != "name"}, False
    try:
        return saved["name"], unseal(saved["sealed"]), True
    except SealingError:  # the identity key was replaced: the draft cannot be read, start afresh
        log.warning("a sealed flow state could not be opened; dropped")
        end(conversation)
        return None


def save(conversation: Conversation, name: str, state: dict, sealed: bool = False) -> None:
    stored = {"name": name, "sealed": seal(state)} if sealed else {"name": name, **state}
    conversation.context = {**(conversation.context or {}), "flow": stored}


def end(conversation: Conversation) -> None:
    conversation.context = {k: v for k, v in (conversation.context or {}).items() if k != "flow"}


def start(name: str, conversation: Conversation, kit: Kit, args: dict[str, str] | None = None) -> Reply | None:
    """Open flow `name`, replacing any other; its first reply."""
    if conversation.id is None:
        db.session.add(conversation)
        db.session.flush()  # a new conversation: the flow's rows point to it
    ctx = Ctx(conversation, kit, {})
    return _finish(name, ctx, FLOWS[name].start(ctx, args or {}))


def step(conversation: Conversation, kit: Kit, inp: Input) -> Reply | Pass | None:
    """Hand the input to the open flow, if any. Pass: no flow, or the flow does not want it."""
    opened = current(conversation)
    if opened is None or opened[0] not in FLOWS:
        return Pass()
    name, state, sealed = opened
    ctx = Ctx(conversation, kit, state, confidential=sealed)
    return _finish(name, ctx, FLOWS[name].step(ctx, inp))


def _finish(name: str, ctx: Ctx, result: Reply | Pass | None) -> Reply | Pass | None:
    """Keep the state the step left (an empty state ends the flow); mark confidential replies."""
    if ctx.state:
        save(ctx.conversation, name, ctx.state, sealed=ctx.confidential)
    else:
        end(ctx.conversation)
    if isinstance(result, Reply) and ctx.confidential:
        result.confidential = True
    return result


from bot.flows import complaint, handoff, survey, tracking  # noqa: E402, F401 - registers the flows
