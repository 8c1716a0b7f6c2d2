"""What the ITA and its parts are, in plain words."""

from __future__ import annotations

from bot.answers import Kit, answers
from bot.dialogue import Frame
from bot.replies import Reply

TOPICS = ("ita", "iit", "eit", "oit", "indicators", "levels")


@answers("concept")
def concept(frame: Frame, kit: Kit) -> Reply:
    topic = frame.topic if frame.topic in TOPICS else "ita"
    others = [t for t in TOPICS if t != topic][:4]
    return kit.text_reply(
        kit.t(f"concept.{topic}"), frame.intent, [kit.qr(f"concept_{t}") for t in others] + [kit.qr("score")]
    )
