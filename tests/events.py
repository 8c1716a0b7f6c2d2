"""Builders for webhook bodies exactly as LINE sends them, with every field the SDK requires."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
import uuid

SECRET = "test-channel-secret"
_counter = itertools.count(1)


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def body(*events: dict, destination: str = "Ubot0000000000000000000000000000") -> bytes:
    return json.dumps({"destination": destination, "events": list(events)}, ensure_ascii=False).encode()


def source(user_id: str, group_id: str | None = None, room_id: str | None = None) -> dict:
    if group_id:
        return {"type": "group", "groupId": group_id, "userId": user_id}
    if room_id:
        return {"type": "room", "roomId": room_id, "userId": user_id}
    return {"type": "user", "userId": user_id}


def base(kind: str, user_id: str, *, group_id=None, room_id=None, event_id=None, redelivery=False, ts=None) -> dict:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": ts or int(time.time() * 1000),
        "source": source(user_id, group_id, room_id),
        "webhookEventId": event_id or uuid.uuid4().hex.upper()[:26],
        "deliveryContext": {"isRedelivery": redelivery},
    }


def reply_token(user_id: str, group_id: str | None = None, room_id: str | None = None) -> str:
    """Tokens carry the chat id so the stand-in can tell who a reply went to."""
    return f"{group_id or room_id or user_id}:{next(_counter)}"


def text(user_id: str, message: str, *, group_id=None, room_id=None, mention_self=False, **kw) -> dict:
    event = base("message", user_id, group_id=group_id, room_id=room_id, **kw)
    event["replyToken"] = reply_token(user_id, group_id, room_id)
    msg = {"type": "text", "id": str(next(_counter)), "quoteToken": "qt" + uuid.uuid4().hex, "text": message}
    if mention_self:
        msg["mention"] = {"mentionees": [{"index": 0, "length": 4, "type": "user", "userId": "Ubot", "isSelf": True}]}
    event["message"] = msg
    return event


def message(user_id: str, kind: str, **fields) -> dict:
    event = base("message", user_id)
    event["replyToken"] = reply_token(user_id)
    event["message"] = {"type": kind, "id": str(next(_counter)), **fields}
    return event


def follow(user_id: str, unblocked: bool = False) -> dict:
    event = base("follow", user_id)
    event["replyToken"] = reply_token(user_id)
    event["follow"] = {"isUnblocked": unblocked}
    return event


def postback(user_id: str, data: str, params: dict | None = None) -> dict:
    event = base("postback", user_id)
    event["replyToken"] = reply_token(user_id)
    event["postback"] = {"data": data, **({"params": params} if params else {})}
    return event


def new_user() -> str:
    return "U" + uuid.uuid4().hex
