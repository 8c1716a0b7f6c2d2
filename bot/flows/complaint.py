"""Filing a complaint or a corruption report by conversation, from the lane to a tracking number.

Steps: lane → privacy notice → (corruption: identified or not → name → phone) → agency → category →
what happened → where → when → photos → summary to confirm. "ยกเลิก" at any step drops the draft.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select

from bot import data
from bot.casework import drop_draft_photos, file_complaint
from bot.flows import Ctx, Flow, Input, MediaUnavailable, Pass
from bot.flows.common import agency_of, ask_agency, cancelled, fixed_agency
from bot.nlu.text import normalize
from bot.replies import QuickReply, Reply
from bot.textfit import clip
from models import ComplaintPhoto, db
from models.complaint import CATEGORIES

STEPS = (
    "lane",
    "notice",
    "identity",
    "name",
    "phone",
    "agency",
    "category",
    "describe",
    "place",
    "when",
    "photos",
    "confirm",
)
MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 10
MAX_SHORT = 300
PHONE = re.compile(r"^0\d{8,9}$")


class FilingComplaint(Flow):
    name = "complaint"
    opens = frozenset({"lane"})

    def start(self, ctx: Ctx, args: dict[str, str]) -> Reply:
        ctx.state = {"step": "lane"}
        if args.get("lane") in CATEGORIES:
            return self._choose_lane(ctx, args["lane"])
        return self._prompt(ctx)

    def step(self, ctx: Ctx, inp: Input) -> Reply | Pass:
        if cancelled(inp):
            drop_draft_photos(ctx.state.get("draft"))
            ctx.state = {}
            return ctx.reply(ctx.t("complaint.cancelled"), "complaint:cancelled", ctx.kit.menu())
        step = ctx.state.get("step", "lane")
        taken = getattr(self, f"_take_{step}")(ctx, inp)
        if isinstance(taken, Reply):
            return taken
        if taken is False:  # not an answer to this step: say what is expected
            return self._prompt(ctx, ctx.t(f"complaint.invalid.{step}"))
        return self._prompt(ctx)

    # --- answers, one per step: True moves on (the step is set), False re-asks, a Reply replaces --
    def _choose_lane(self, ctx: Ctx, lane: str) -> Reply:
        ctx.state = {"step": "notice", "lane": lane}
        ctx.confidential = lane == "corruption"
        return self._prompt(ctx)

    def _take_lane(self, ctx: Ctx, inp: Input):
        lane = inp.data.get("lane") if inp.kind == "postback" else _typed_lane(inp.text)
        return self._choose_lane(ctx, lane) if lane in CATEGORIES else False

    def _take_notice(self, ctx: Ctx, inp: Input):
        if not (inp.kind == "postback" and inp.data.get("agree") == "1") and not _yes(inp):
            return False
        return self._go(ctx, "identity" if ctx.state["lane"] == "corruption" else "agency")

    def _take_identity(self, ctx: Ctx, inp: Input):
        choice = inp.data.get("identified") if inp.kind == "postback" else None
        if choice not in {"0", "1"}:
            return False
        ctx.state["identified"] = choice == "1"
        return self._go(ctx, "name" if choice == "1" else "agency")

    def _take_name(self, ctx: Ctx, inp: Input):
        name = " ".join(inp.text.split()) if inp.kind == "text" else ""
        if not 2 <= len(name) <= 100:
            return False
        ctx.state["name"] = name
        return self._go(ctx, "phone")

    def _take_phone(self, ctx: Ctx, inp: Input):
        if not _skipped(inp):
            digits = re.sub(r"[\s\-()]", "", inp.text if inp.kind == "text" else "")
            if not PHONE.match(digits):
                return False
            ctx.state["phone"] = digits
        return self._go(ctx, "agency")

    def _take_agency(self, ctx: Ctx, inp: Input):
        agency = agency_of(ctx, inp)
        if agency is None:
            return False
        ctx.state["agency"] = agency.slug
        return self._go(ctx, "category")

    def _take_category(self, ctx: Ctx, inp: Input):
        category = inp.data.get("category") if inp.kind == "postback" else _typed_category(ctx, inp.text)
        if category not in CATEGORIES[ctx.state["lane"]]:
            return False
        ctx.state["category"] = category
        return self._go(ctx, "describe")

    def _take_describe(self, ctx: Ctx, inp: Input):
        text = inp.text.strip() if inp.kind == "text" else ""
        if len(text) > MAX_DESCRIPTION:
            return self._prompt(ctx, ctx.t("complaint.too_long", limit=f"{MAX_DESCRIPTION:,}", length=f"{len(text):,}"))
        if len(text) < MIN_DESCRIPTION:
            return False
        ctx.state["description"] = text
        return self._go(ctx, "place")

    def _take_place(self, ctx: Ctx, inp: Input):
        if inp.kind == "location" and inp.location:
            place = inp.location
            ctx.state.update(lat=place.get("latitude"), lon=place.get("longitude"))
            ctx.state["address"] = clip(" ".join(filter(None, [place.get("title"), place.get("address")])), MAX_SHORT)
        elif not _skipped(inp):
            text = inp.text.strip() if inp.kind == "text" else ""
            if not text:
                return False
            ctx.state["place"] = clip(text, MAX_SHORT)
        return self._go(ctx, "when")

    def _take_when(self, ctx: Ctx, inp: Input):
        picked = inp.params.get("date") if inp.kind == "postback" else None
        if picked:
            ctx.state["occurred"] = picked
        elif not _skipped(inp):
            text = inp.text.strip() if inp.kind == "text" else ""
            if not text:
                return False
            ctx.state["occurred"] = clip(text, 200)
        return self._go(ctx, "photos")

    def _take_photos(self, ctx: Ctx, inp: Input):
        if inp.kind == "image" and inp.fetch_image:
            return self._photo(ctx, inp)
        if _skipped(inp) or (inp.kind == "postback" and inp.data.get("done") == "1"):
            return self._go(ctx, "confirm")
        return False

    def _take_confirm(self, ctx: Ctx, inp: Input):
        if not ((inp.kind == "postback" and inp.data.get("confirm") == "1") or _yes(inp)):
            return False
        agency = data.agency(ctx.state["agency"])
        complaint, receipt = file_complaint(ctx.conversation, ctx.state, agency.id)
        lane = ctx.state["lane"]
        ctx.state = {}
        key = "complaint.filed.anonymous" if receipt else f"complaint.filed.{lane}"
        text = ctx.t(key, number=complaint.tracking_no, receipt=receipt or "", agency=agency.display_name(ctx.kit.lang))
        track = ctx.t("case.track_label")
        quick = [QuickReply(label=track, text=ctx.t("case.track_text", number=complaint.tracking_no))]
        return ctx.reply(text, "complaint:filed", ([] if receipt else quick) + ctx.kit.menu()[:4])

    def _photo(self, ctx: Ctx, inp: Input) -> Reply:
        limit = ctx.config["COMPLAINT_MAX_PHOTOS"]
        draft = ctx.state.setdefault("draft", secrets.token_hex(16))
        held = _photo_count(draft)
        if held >= limit:
            return self._prompt(ctx, ctx.t("complaint.photo_limit", limit=limit))
        try:
            content, content_type = inp.fetch_image()
        except MediaUnavailable:
            return self._prompt(ctx, ctx.t("complaint.photo_failed"))
        if not content_type.startswith("image/") or len(content) > ctx.config["COMPLAINT_PHOTO_MAX_BYTES"]:
            return self._prompt(ctx, ctx.t("complaint.photo_refused"))
        db.session.add(ComplaintPhoto(draft_key=draft, content_type=content_type, size=len(content), data=content))
        return self._prompt(ctx, ctx.t("complaint.photo_received", number=held + 1, limit=limit))

    # --- prompts -------------------------------------------------------------------------------
    def _go(self, ctx: Ctx, step: str) -> bool:
        if step == "agency" and "agency" not in ctx.state:
            fixed = fixed_agency()
            if fixed is not None:
                ctx.state["agency"] = fixed.slug
                step = "category"
        ctx.state["step"] = step
        return True

    def _prompt(self, ctx: Ctx, lead: str = "") -> Reply:
        """The question of the current step, after `lead` (what went wrong, or what was received)."""
        step = ctx.state["step"]
        ctx.confidential = ctx.state.get("lane") == "corruption"
        cancel = ctx.button("flow.cancel", "flow=complaint&cancel=1")
        if step == "agency":
            asked = ask_agency(ctx, self.name, "complaint.which_agency")
            asked.messages[0].text = f"{lead}\n\n{asked.messages[0].text}".strip()
            return asked
        text, buttons = getattr(self, f"_ask_{step}")(ctx)
        return ctx.reply(f"{lead}\n\n{text}".strip(), f"complaint:{step}", buttons + [cancel])

    def _ask_lane(self, ctx: Ctx):
        return ctx.t("complaint.ask.lane"), [
            ctx.button("complaint.lane.general", "flow=complaint&lane=general"),
            ctx.button("complaint.lane.corruption", "flow=complaint&lane=corruption"),
        ]

    def _ask_notice(self, ctx: Ctx):
        years = ctx.config["COMPLAINT_RETENTION_YEARS"]
        notice = ctx.t(f"complaint.notice.{ctx.state['lane']}", years=years)
        return notice, [ctx.button("complaint.agree", "flow=complaint&agree=1")]

    def _ask_identity(self, ctx: Ctx):
        return ctx.t("complaint.ask.identity"), [
            ctx.button("complaint.identity.anonymous", "flow=complaint&identified=0"),
            ctx.button("complaint.identity.identified", "flow=complaint&identified=1"),
        ]

    def _ask_name(self, ctx: Ctx):
        return ctx.t("complaint.ask.name"), []

    def _ask_phone(self, ctx: Ctx):
        return ctx.t("complaint.ask.phone"), [ctx.button("complaint.skip", "flow=complaint&skip=1")]

    def _ask_category(self, ctx: Ctx):
        lane = ctx.state["lane"]
        return ctx.t(f"complaint.ask.category.{lane}"), [
            ctx.button(f"complaint.category.{c}", f"flow=complaint&category={c}") for c in CATEGORIES[lane]
        ]

    def _ask_describe(self, ctx: Ctx):
        return ctx.t("complaint.ask.describe", limit=f"{MAX_DESCRIPTION:,}"), []

    def _ask_place(self, ctx: Ctx):
        return ctx.t("complaint.ask.place"), [
            QuickReply(label=ctx.t("complaint.send_location"), text="", action="location"),
            ctx.button("complaint.skip", "flow=complaint&skip=1"),
        ]

    def _ask_when(self, ctx: Ctx):
        return ctx.t("complaint.ask.when"), [
            QuickReply(label=ctx.t("complaint.pick_date"), text="", data="flow=complaint&date=1", action="date"),
            ctx.button("complaint.not_sure", "flow=complaint&skip=1"),
        ]

    def _ask_photos(self, ctx: Ctx):
        return ctx.t("complaint.ask.photos", limit=ctx.config["COMPLAINT_MAX_PHOTOS"]), [
            QuickReply(label=ctx.t("complaint.camera"), text="", action="camera"),
            QuickReply(label=ctx.t("complaint.camera_roll"), text="", action="camera_roll"),
            ctx.button("complaint.photos_done", "flow=complaint&done=1"),
        ]

    def _ask_confirm(self, ctx: Ctx):
        return self._summary(ctx), [ctx.button("complaint.confirm", "flow=complaint&confirm=1")]

    def _summary(self, ctx: Ctx) -> str:
        s = ctx.state
        agency = data.agency(s["agency"])
        photos = _photo_count(s.get("draft"))
        none = ctx.t("complaint.summary.none")
        if s["lane"] == "corruption":
            who = (
                ctx.t("complaint.summary.identified", name=s["name"])
                if s.get("identified")
                else ctx.t("complaint.summary.anonymous")
            )
        else:
            who = ctx.t("complaint.summary.line_account")
        return ctx.t(
            "complaint.summary.text",
            lane=ctx.t(f"complaint.lane.{s['lane']}"),
            category=ctx.t(f"complaint.category.{s['category']}"),
            agency=agency.display_name(ctx.kit.lang),
            description=clip(s["description"], 500),
            place=s.get("place") or s.get("address") or none,
            occurred=s.get("occurred") or none,
            photos=photos,
            who=who,
        )


def _photo_count(draft: str | None) -> int:
    """Photos held for a draft (each arrives in a turn of its own, already committed)."""
    if not draft:
        return 0
    return db.session.scalar(select(func.count()).select_from(ComplaintPhoto).where(ComplaintPhoto.draft_key == draft))


def _skipped(inp: Input) -> bool:
    if inp.kind == "postback":
        return inp.data.get("skip") == "1"
    return inp.kind == "text" and normalize(inp.text) in {"ข้าม", "ไม่มี", "ไม่ทราบ", "ไม่แน่ใจ", "skip", "none", "no"}


def _yes(inp: Input) -> bool:
    said = normalize(inp.text) if inp.kind == "text" else ""
    return said in {"ยืนยัน", "ตกลง", "ยอมรับ", "ใช่", "โอเค", "ok", "yes", "confirm", "agree"}


def _typed_lane(text: str) -> str | None:
    said = normalize(text)
    if re.search(r"ทุจริต|คอร์?รัป|สินบน|มิชอบ|corrupt|brib|misconduct", said):
        return "corruption"
    if re.search(r"ทั่วไป|บริการ|general|service", said):
        return "general"
    return None


def _typed_category(ctx: Ctx, text: str) -> str | None:
    said = normalize(text)
    for category in CATEGORIES[ctx.state["lane"]]:
        if normalize(ctx.t(f"complaint.category.{category}")) == said:
            return category
    return None
