"""Posting signed webhook bodies and waiting for the bot to answer them."""

from __future__ import annotations

from sqlalchemy import func, select

from models import WebhookEvent, db
from tests import events as ev


def post(client, payload: bytes, signature: str | None = "auto", **headers):
    if signature == "auto":
        signature = ev.sign(payload)
    if signature is not None:
        headers["X-Line-Signature"] = signature
    return client.post("/callback", data=payload, headers=headers, content_type="application/json")


def deliver(app, client, *events: dict):
    """Post events as LINE would, then wait until the bot has answered them."""
    response = post(client, ev.body(*events))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert app.extensions["event_dispatcher"].drain(), "events not answered in time"
    return response


def ask(app, client, line, user_id: str, text: str):
    """One question through the signed webhook; returns what LINE received for it."""
    event = ev.text(user_id, text)
    before = len(line.sent)
    deliver(app, client, event)
    sent = line.wait_for(before + 1, timeout=10)
    mine = [s for s in sent[before:] if s.reply_token == event["replyToken"] or s.to == user_id]
    assert mine, f"no reply to {text!r}"
    return mine[-1]


def event_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WebhookEvent))
