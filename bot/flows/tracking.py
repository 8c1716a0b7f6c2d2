"""Following a case: by tracking number, by receipt code, or the list of the citizen's own cases."""

from __future__ import annotations

from bot.casework import cases_of, find_for
from bot.flows import Ctx, Flow, Input, Pass
from bot.flows.common import cancelled, understood_as_question
from bot.flows.triggers import code_in, match
from bot.replies import QuickReply, Reply
from models import Complaint
from models.periods import english_date, thai_date


class Tracking(Flow):
    name = "track"

    def start(self, ctx: Ctx, args: dict[str, str]) -> Reply:
        code = args.get("code")
        if code:
            return self._show(ctx, code)
        mine = cases_of(ctx.conversation)
        ctx.state = {"step": "code"}
        if not mine:
            return ctx.reply(ctx.t("case.none_yet"), "track:ask", [ctx.button("flow.cancel", "flow=track&cancel=1")])
        ctx.confidential = any(c.lane == "corruption" for c in mine)  # the list would tie the chat to a report
        lines = [ctx.t("case.list_line", number=c.tracking_no, status=ctx.t(f"case.status.{c.status}")) for c in mine]
        quick = [
            QuickReply(label=c.tracking_no, text=ctx.t("case.track_text", number=c.tracking_no)) for c in mine[:12]
        ]
        return ctx.reply(ctx.t("case.list", cases="\n".join(lines)), "track:list", quick)

    def step(self, ctx: Ctx, inp: Input) -> Reply | Pass:
        if cancelled(inp):
            ctx.state = {}
            return ctx.reply(ctx.t("case.track_cancelled"), "track:cancelled", ctx.kit.menu())
        code = code_in(inp.text) if inp.kind == "text" else None
        if code:
            ctx.state = {}
            return self._show(ctx, code)
        if inp.kind == "text" and (match(inp.text) or understood_as_question(inp.text)) or ctx.state.get("asked"):
            ctx.state = {}
            return Pass()
        ctx.state["asked"] = True  # re-asked once; the next unrelated message is answered as usual
        return ctx.reply(ctx.t("case.ask_code"), "track:ask", [ctx.button("flow.cancel", "flow=track&cancel=1")])

    def _show(self, ctx: Ctx, code: str) -> Reply:
        complaint = find_for(ctx.conversation, code)
        ctx.state = {}
        if complaint is None:
            return ctx.reply(ctx.t("case.not_found", code=code), "track:not_found", ctx.kit.menu())
        ctx.confidential = complaint.lane == "corruption"
        return ctx.reply(status_text(ctx, complaint), "track:status", ctx.kit.menu())


def status_text(ctx: Ctx, complaint: Complaint) -> str:
    lang = ctx.kit.lang
    when = thai_date if lang == "th" else english_date
    last = complaint.updates[-1] if complaint.updates else None
    text = ctx.t(
        "case.status_text",
        number=complaint.tracking_no,
        lane=ctx.t(f"complaint.lane.{complaint.lane}"),
        category=ctx.t(f"complaint.category.{complaint.category}"),
        filed=when(complaint.filed_at),
        status=ctx.t(f"case.status.{complaint.status}"),
        updated=when(last.created_at, with_time=complaint.lane == "general") if last else "-",
    )
    note = next((u.public_note for u in reversed(complaint.updates) if u.public_note), None)
    return text + ("\n" + ctx.t("case.note", note=note) if note else "")
