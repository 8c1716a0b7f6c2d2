"""Talking to a person: while a handoff is open the bot stays quiet, except to hand the chat back."""

from __future__ import annotations

from bot.flows import Ctx, Flow, Input, Pass
from bot.flows.common import rating_of
from bot.flows.triggers import is_return_to_bot
from bot.handoffs import close, open_for, touch
from bot.replies import Reply
from models import Handoff, db


class HandedOver(Flow):
    name = "handoff"

    def start(self, ctx: Ctx, args: dict[str, str]) -> Reply:
        return open_for(ctx, args.get("reason", "asked"))

    def step(self, ctx: Ctx, inp: Input) -> Reply | None:
        handoff = db.session.get(Handoff, ctx.state.get("id"))
        if handoff is None or handoff.status != "open":
            ctx.state = {}
            return ctx.reply(ctx.t("handoff.back"), "handoff:back", ctx.kit.menu())
        wants_bot = (inp.kind == "postback" and inp.data.get("return") == "1") or (
            inp.kind == "text" and is_return_to_bot(inp.text)
        )
        if wants_bot:
            close(handoff, "citizen")
            ctx.state = {}
            return ctx.reply(ctx.t("handoff.back"), "handoff:back", ctx.kit.menu())
        touch(handoff)
        return None  # kept for staff; the bot says nothing


class RateHandoff(Flow):
    """The one question offered when a handoff closes."""

    name = "rate_handoff"
    opens = frozenset({"h", "s"})  # the rating buttons pushed when a handoff closes

    def start(self, ctx: Ctx, args: dict[str, str]) -> Reply | None:
        """A rating button tapped after the chat moved on: still counted, if it is this chat's handoff."""
        ctx.state = {"id": args.get("h")}
        return self.step(ctx, Input("postback", data=args))

    def step(self, ctx: Ctx, inp: Input) -> Reply | Pass:
        score = rating_of(inp)
        handoff_id = inp.data.get("h") or ctx.state.get("id")
        handoff = db.session.get(Handoff, int(handoff_id)) if str(handoff_id or "").isdigit() else None
        ctx.state = {}
        if score is None or handoff is None or handoff.conversation_id != ctx.conversation.id:
            return (
                Pass()
                if inp.kind == "text"
                else ctx.reply(ctx.t("social.unknown_action"), "unknown_action", ctx.kit.menu())
            )
        handoff.rating = score
        return ctx.reply(ctx.t("handoff.rated"), "handoff:rated", ctx.kit.menu())
