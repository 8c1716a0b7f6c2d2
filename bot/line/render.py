"""Turns channel-neutral replies into LINE messages that always respect LINE's limits."""

from __future__ import annotations

from linebot.v3.messaging import Message
from pydantic.v1 import PrivateAttr

from bot.replies import QuickReply, Reply, ScoreCard, Text
from bot.textfit import clip, utf16_len


class Prebuilt(Message):
    """A LINE message whose JSON we built (tests check it against the SDK's own message models).

    Built through the SDK's models, a reply with its quick replies is validated once, copied twice and
    serialised twice through a dozen pydantic models before it is sent: more CPU than a bare reply's
    whole request. This hands the SDK the finished JSON instead; the request, its validation, the HTTP
    call and its errors stay the SDK's.
    """

    _json: dict = PrivateAttr()

    class Config:
        underscore_attrs_are_private = True  # kept when pydantic copies the message into a request

    @classmethod
    def of(cls, message: dict) -> Prebuilt:
        made = cls.construct(type=message["type"])
        made._json = message
        return made

    def to_dict(self) -> dict:
        return self._json


MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_ACTION_TEXT = 300
MAX_POSTBACK_DATA = 300
MAX_ALT_TEXT = 1500
LOW_COLOR = "#D64545"
OK_COLOR = "#2E8B57"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split long text on line breaks into chunks LINE accepts."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = line if utf16_len(line) <= limit else clip(line, limit)
    if current.strip():
        chunks.append(current)
    chunks = [chunk for chunk in chunks if chunk.strip()]  # LINE refuses empty text
    return chunks or ["…"]


def render(reply: Reply) -> list[Prebuilt]:
    """LINE messages for a reply: at most five, the quick replies on the last one."""
    messages: list[dict] = []
    for item in reply.messages:
        if isinstance(item, Text):
            messages.extend({"type": "text", "text": chunk} for chunk in split_text(item.text))
        elif isinstance(item, ScoreCard):
            messages.append(
                {"type": "flex", "altText": clip(item.alt_text, MAX_ALT_TEXT), "contents": score_bubble(item)}
            )
    if len(messages) > MAX_MESSAGES:
        messages = messages[: MAX_MESSAGES - 1] + [
            {"type": "text", "text": clip(_text_of(messages[MAX_MESSAGES - 1 :]), MAX_TEXT)}
        ]
    if not messages:
        messages = [{"type": "text", "text": "…"}]
    if reply.quick_replies:
        items = [{"type": "action", "action": quick_action(q)} for q in reply.quick_replies[:MAX_QUICK_REPLIES]]
        messages[-1]["quickReply"] = {"items": items}
    return [Prebuilt.of(message) for message in messages]


def quick_action(q: QuickReply) -> dict:
    """The LINE action behind a quick reply button."""
    label = clip(q.label, MAX_LABEL)
    if q.action == "postback":
        return {
            "type": "postback",
            "label": label,
            "data": q.data[:MAX_POSTBACK_DATA],
            "displayText": clip(q.text, MAX_ACTION_TEXT),
        }
    if q.action == "camera":
        return {"type": "camera", "label": label}
    if q.action == "camera_roll":
        return {"type": "cameraRoll", "label": label}
    if q.action == "location":
        return {"type": "location", "label": label}
    if q.action == "date":
        return {"type": "datetimepicker", "label": label, "data": q.data[:MAX_POSTBACK_DATA], "mode": "date"}
    return {"type": "message", "label": label, "text": clip(q.text, MAX_ACTION_TEXT)}


def _text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or m.get("altText", "") for m in messages)


def score_bubble(card: ScoreCard) -> dict:
    """A Flex bubble: headline score and level, then one bar per indicator."""
    rows = []
    for bar in card.bars:
        width = max(1, min(100, round(bar.value)))
        color = LOW_COLOR if bar.low else OK_COLOR
        rows.append(
            {
                "type": "box",
                "layout": "vertical",
                "spacing": "xs",
                "contents": [
                    {
                        "type": "box",
                        "layout": "horizontal",
                        "contents": [
                            {
                                "type": "text",
                                "text": bar.label,
                                "size": "xs",
                                "color": "#555555",
                                "flex": 5,
                                "wrap": True,
                            },
                            {
                                "type": "text",
                                "text": bar.value_text,
                                "size": "xs",
                                "align": "end",
                                "flex": 2,
                                "weight": "bold",
                                "color": color,
                            },
                        ],
                    },
                    {
                        "type": "box",
                        "layout": "vertical",
                        "backgroundColor": "#EEEEEE",
                        "height": "6px",
                        "cornerRadius": "3px",
                        "contents": [
                            {
                                "type": "box",
                                "layout": "vertical",
                                "width": f"{width}%",
                                "height": "6px",
                                "backgroundColor": color,
                                "cornerRadius": "3px",
                                "contents": [],
                            }
                        ],
                    },
                ],
            }
        )
    header = [
        {"type": "text", "text": card.title, "weight": "bold", "size": "md", "wrap": True},
        {"type": "text", "text": card.subtitle, "size": "xs", "color": "#888888", "wrap": True},
        {
            "type": "box",
            "layout": "baseline",
            "spacing": "sm",
            "margin": "md",
            "contents": [
                {"type": "text", "text": card.headline, "size": "3xl", "weight": "bold", "flex": 0},
                {"type": "text", "text": card.headline_label, "size": "sm", "color": "#888888", "flex": 0},
            ],
        },
    ]
    if card.badge:
        header.append(
            {"type": "text", "text": card.badge, "size": "sm", "weight": "bold", "color": "#1E5AA8", "wrap": True}
        )
    return {
        "type": "bubble",
        "size": "mega",
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "md",
            "contents": header + [{"type": "separator", "margin": "md"}] + rows,
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": card.footnote, "size": "xxs", "color": "#999999", "wrap": True}],
        },
    }
