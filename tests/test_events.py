"""Each kind of LINE event, through the signed webhook: what the bot answers, ignores or forgets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.i18n import t
from models import ChatMessage, WebhookEvent, db
from tests import events as ev
from tests.helpers import ask, deliver


def test_follow_gets_a_greeting_with_quick_replies(demo, client, line):
    deliver(demo, client, ev.follow(ev.new_user()))
    sent = line.wait_for(1)[0]
    assert "ITA" in sent.all_text()
    assert 1 <= len(sent.quick_labels()) <= 13


def test_unfollowed_user_is_not_pushed_to(demo, client, line):
    user = ev.new_user()
    ask(demo, client, line, user, "สวัสดี")
    deliver(demo, client, {**ev.base("unfollow", user)})
    event = ev.text(user, "น้ำโมงได้กี่คะแนน")
    line.expire_token(event["replyToken"])
    deliver(demo, client, event)
    assert len(line.sent) == 1
    with demo.app_context():
        last = db.session.scalars(select(ChatMessage).order_by(ChatMessage.id.desc())).first()
        assert last.status == "failed" and last.last_error == "unfollowed"


OTHER_EVENTS = {
    "leave": {},
    "join": {"replyToken": "g:1"},
    "memberJoined": {"joined": {"members": [{"type": "user", "userId": "U1"}]}},
    "memberLeft": {"left": {"members": [{"type": "user", "userId": "U1"}]}},
    "postback": {"replyToken": "p:1", "postback": {"data": "unknown=1"}},
    "beacon": {"replyToken": "b:1", "beacon": {"hwid": "d41d8cd98f", "type": "enter"}},
    "accountLink": {"replyToken": "a:1", "link": {"result": "ok", "nonce": "n"}},
    "videoPlayComplete": {"replyToken": "v:1", "videoPlayComplete": {"trackingId": "t"}},
    "unsend": {"unsend": {"messageId": "325708"}},
    "membership": {"replyToken": "m:1", "membership": {"type": "joined", "membershipId": 1}},
    "activated": {"chatControl": {"expireAt": 1}},
    "deactivated": {},
    "botSuspended": {},
    "botResumed": {},
    "delivery": {"delivery": {"data": "x"}},
    "module": {"module": {"type": "attached", "botId": "U", "scopes": []}},
    "somethingLineInventsNextYear": {"whatever": [1, 2, 3]},
}


@pytest.mark.parametrize("kind", sorted(OTHER_EVENTS))
def test_every_event_type_is_handled_or_ignored_without_error(demo, client, line, kind):
    event = {
        **ev.base(kind, ev.new_user(), group_id="Cgroup" if kind in {"join", "leave"} else None),
        **OTHER_EVENTS[kind],
    }
    deliver(demo, client, event)
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        assert row.status == "done", row.last_error


@pytest.mark.parametrize(
    "kind,fields",
    [
        ("image", {"contentProvider": {"type": "line"}, "quoteToken": "q"}),
        ("video", {"duration": 1, "contentProvider": {"type": "line"}, "quoteToken": "q"}),
        ("audio", {"duration": 1, "contentProvider": {"type": "line"}}),
        ("file", {"fileName": "a.pdf", "fileSize": 3}),
        ("location", {"title": "t", "address": "a", "latitude": 13.7, "longitude": 100.5}),
        ("sticker", {"packageId": "1", "stickerId": "1", "stickerResourceType": "STATIC", "quoteToken": "q"}),
    ],
)
def test_every_message_type_gets_a_clear_answer(demo, client, line, kind, fields):
    deliver(demo, client, ev.message(ev.new_user(), kind, **fields))
    sent = line.wait_for(1)
    assert len(sent) == 1 and sent[0].texts()


def test_group_messages_are_answered_only_when_the_bot_is_mentioned(demo, client, line):
    user, group = ev.new_user(), "C" + "1" * 32
    deliver(demo, client, ev.text(user, "น้ำโมงได้กี่คะแนน", group_id=group))
    assert line.sent == []
    deliver(demo, client, ev.text(user, "@bot น้ำโมงได้กี่คะแนน", group_id=group, mention_self=True))
    sent = line.wait_for(1)
    assert len(sent) == 1 and "85.86" in sent[0].all_text()
    with demo.app_context():
        stored = db.session.scalars(select(ChatMessage.text).where(ChatMessage.direction == "in")).all()
        assert stored == ["น้ำโมงได้กี่คะแนน"], "unmentioned group talk is not kept"


@pytest.mark.parametrize("mode", ["mention", "all"])
def test_reports_and_handoffs_are_not_opened_in_a_group(demo, client, line, mode):
    from models import Conversation, Handoff

    demo.config["GROUP_REPLY_MODE"] = mode
    user, group = ev.new_user(), "C" + "2" * 32
    for text in ("@bot แจ้งทุจริต", "@bot ขอคุยกับเจ้าหน้าที่", "@bot ประเมินความพึงพอใจ"):
        deliver(demo, client, ev.text(user, text, group_id=group, mention_self=True))
    answers = [s.all_text() for s in line.wait_for(3) if s.to == group]
    assert len(answers) == 3
    assert t("flow.private_only") in answers[0] and t("flow.private_only") in answers[2]
    deliver(demo, client, ev.text(user, "@bot น้ำโมงได้กี่คะแนน", group_id=group, mention_self=True))
    assert "85.86" in line.wait_for(4)[-1].all_text(), "the group is not stuck in a flow"
    with demo.app_context():
        assert db.session.scalars(select(Handoff)).all() == []
        conversation = db.session.scalar(select(Conversation).where(Conversation.chat_id == group))
        assert "flow" not in (conversation.context or {})


def test_postback_carrying_a_question_is_answered_like_typed_text(demo, client, line):
    from urllib.parse import quote

    deliver(demo, client, ev.postback(ev.new_user(), "ask=" + quote("น้ำโมงได้กี่คะแนน")))
    sent = line.wait_for(1)
    assert len(sent) == 1 and "85.86" in sent[0].all_text()


def test_a_new_follower_is_greeted_in_their_line_language(demo, client, line):
    user = ev.new_user()
    line.profiles[user] = {"displayName": "Somchai", "language": "en"}
    deliver(demo, client, ev.follow(user))
    sent = line.wait_for(1)[0]
    assert "Hello" in sent.all_text() and "What is ITA?" in sent.quick_labels()


def test_greeting_stays_thai_when_the_profile_cannot_be_read(demo, client, line):
    line.fail("/v2/bot/profile/", status=404, times=1)
    deliver(demo, client, ev.follow(ev.new_user()))
    assert "สวัสดี" in line.wait_for(1)[0].all_text()
