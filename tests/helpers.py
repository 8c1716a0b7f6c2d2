"""Posting signed webhook bodies and waiting for the bot to answer them."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import count

from sqlalchemy import func, select

from bot.engine import respond
from models import Agency, Conversation, WebhookEvent, db
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


SCORE = re.compile(r"\d+\.\d\d")
THAI = re.compile(r"[ก-๙]")
_ids = count(1)


class Chat:
    """One citizen talking to the bot on the web channel."""

    def __init__(self, lang: str | None = None):
        self.conversation = Conversation(channel="web", chat_id=f"user:{next(_ids)}", context={})
        if lang:
            self.conversation.lang = lang
        db.session.add(self.conversation)  # flows (survey, complaint, handoff) keep rows that point to it
        self.reply = None

    def ask(self, text: str) -> str:
        self.reply = respond(self.conversation, text)
        return self.reply.plain_text()

    @property
    def context(self) -> dict:
        return self.conversation.context

    @property
    def quick(self) -> list[tuple[str, str]]:
        return [(q.label, q.text) for q in self.reply.quick_replies]


def stored_scores(slug: str) -> set[str]:
    """Every score the database holds for an agency, as the bot prints them."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == slug))
    values: set[Decimal] = set()
    for a in agency.assessments:
        values |= {a.total_score, a.iit_score, a.eit_score, a.oit_score}
        values |= {row.score for row in a.indicator_scores}
        values |= {q.score for q in a.question_scores}
    return {f"{v:.2f}" for v in values if v is not None}
