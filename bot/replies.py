"""Channel-neutral replies: what the bot says, before any channel decides how it looks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

QUICK_ACTIONS = ("message", "postback", "camera", "camera_roll", "location", "date")


@dataclass
class QuickReply:
    """A tap-to-send suggestion: sends `text` as if typed, or (postback) `data` with `text` shown.

    camera, camera_roll and location open the phone's camera, photos or map; date a date picker
    whose choice comes back as a postback with `data`. Channels that cannot do these leave them out.
    """

    label: str
    text: str
    data: str | None = None
    action: str = "message"


@dataclass
class Text:
    text: str
    kind: str = "text"


@dataclass
class Bar:
    label: str
    value: float
    value_text: str
    low: bool  # under the threshold


@dataclass
class ScoreCard:
    """A score summary drawn as a card: title, a headline figure, and bars."""

    title: str
    subtitle: str
    headline: str  # e.g. "85.86"
    headline_label: str  # e.g. "คะแนนรวม"
    badge: str | None  # the published level
    bars: list[Bar]
    footnote: str
    alt_text: str  # what a screen reader or a notification shows
    kind: str = "scorecard"


@dataclass
class Reply:
    messages: list[Text | ScoreCard] = field(default_factory=list)
    quick_replies: list[QuickReply] = field(default_factory=list)
    intent: str | None = None
    # What the citizen said this turn and this reply must not be kept in the conversation's history
    # (a corruption report being filed): the reply is sent, then forgotten.
    confidential: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Reply:
        messages: list[Text | ScoreCard] = []
        for item in data.get("messages", []):
            if item.get("kind") == "scorecard":
                bars = [Bar(**b) for b in item.get("bars", [])]
                messages.append(ScoreCard(**{**item, "bars": bars}))
            else:
                messages.append(Text(**item))
        return cls(
            messages=messages,
            quick_replies=[QuickReply(**q) for q in data.get("quick_replies", [])],
            intent=data.get("intent"),
            confidential=bool(data.get("confidential")),
        )

    def plain_text(self) -> str:
        """Everything a reader would see, as text (for the web chat fallback and tests)."""
        return "\n".join(m.text if isinstance(m, Text) else m.alt_text for m in self.messages)
