"""A citizen on LINE, for flow tests: every message a signed webhook event, every answer read off the stand-in."""

from __future__ import annotations

from tests import events as ev
from tests.helpers import deliver


class Citizen:
    def __init__(self, app, client, line, user_id: str | None = None):
        self.app, self.client, self.line = app, client, line
        self.user_id = user_id or ev.new_user()
        self.last = None

    def _send(self, event: dict):
        before = len(self.line.sent_to(self.user_id))
        deliver(self.app, self.client, event)
        mine = self.line.sent_to(self.user_id)
        self.last = mine[-1] if len(mine) > before else None
        return self.last

    def says(self, text: str):
        """Types a message; returns what LINE delivered back (None: the bot stayed quiet)."""
        return self._send(ev.text(self.user_id, text))

    def taps(self, data: str, params: dict | None = None):
        return self._send(ev.postback(self.user_id, data, params))

    def sends_photo(self, content: bytes = b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type: str = "image/png"):
        event = ev.message(self.user_id, "image", contentProvider={"type": "line"}, quoteToken="q")
        self.line.contents[event["message"]["id"]] = (content, content_type)
        return self._send(event)

    def sends_location(self, latitude: float = 17.97, longitude: float = 102.65, address: str = "ท่าบ่อ หนองคาย"):
        event = ev.message(
            self.user_id, "location", title="หน้าที่ทำการ", address=address, latitude=latitude, longitude=longitude
        )
        return self._send(event)

    # --- reading the last answer ---------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.last.all_text() if self.last else ""

    def buttons(self) -> list[dict]:
        """The quick reply actions on the last answer."""
        items = (self.last.messages[-1].get("quickReply") or {}).get("items") or [] if self.last else []
        return [item["action"] for item in items]

    def tap_button(self, label_part: str):
        """Taps the quick reply whose label contains `label_part`, as LINE would send it."""
        actions = self.buttons()
        exact = [a for a in actions if a.get("label") == label_part]
        for action in exact or actions:
            if label_part in (action.get("label") or ""):
                if action["type"] == "postback":
                    return self.taps(action["data"])
                if action["type"] == "message":
                    return self.says(action["text"])
        raise AssertionError(f"no button {label_part!r} among {[a.get('label') for a in self.buttons()]}")
