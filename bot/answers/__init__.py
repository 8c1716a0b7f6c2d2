"""Answer handlers, one per intent, registered by name: `@answers("total_score")`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.dialogue import Frame
from bot.i18n import t
from bot.replies import QuickReply, Reply, Text

HANDLERS: dict[str, Callable[[Frame, Kit], Reply]] = {}


def answers(*intents: str):
    def register(fn):
        for intent in intents:
            HANDLERS[intent] = fn
        return fn

    return register


@dataclass
class Kit:
    """What a handler needs besides the frame: language, settings, and what it settled."""

    lang: str
    threshold: float
    staff_contact: str
    year_used: int | None = None
    pending: dict | None = None
    extra_context: dict = field(default_factory=dict)

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def qr(self, key: str, **values) -> QuickReply:
        """A quick reply whose label and sent text both come from the catalog."""
        return QuickReply(label=self.t(f"qr.{key}.label", **values), text=self.t(f"qr.{key}.text", **values))

    def text_reply(self, text: str, intent: str, quick: list[QuickReply] | None = None) -> Reply:
        return Reply(messages=[Text(text)], quick_replies=quick or [], intent=intent)

    def menu(self) -> list[QuickReply]:
        return [
            self.qr(k) for k in ("score", "weakest", "measures", "what_is_ita", "survey", "complaint", "help", "staff")
        ]

    def score(self, value: Decimal | float | None) -> str:
        return "-" if value is None else f"{Decimal(value):.2f}"

    def year(self, fiscal_year: int) -> str:
        """Thai readers see the Buddhist era; English readers get both."""
        return self.t("year.fiscal", be=fiscal_year, ce=fiscal_year - 543)

    def indicator_name(self, number: int) -> str:
        return self.t(f"indicator.{number}.name")


def handler_for(intent: str) -> Callable[[Frame, Kit], Reply]:
    from bot.answers import concepts, measures, scores, social  # noqa: F401 - registers the handlers

    return HANDLERS.get(intent) or HANDLERS["out_of_scope"]
