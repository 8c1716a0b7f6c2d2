"""Handing a chat to staff: the bot stays quiet, staff answers reach LINE as pushes, closing offers a rating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import handoffs
from bot.handoffs import HandoffError, OfficeHours
from bot.i18n import t
from bot.line.processing import resend_failed
from models import ChatMessage, Conversation, Handoff, db
from tests.citizen import Citizen


def the_handoff(app, user_id: str) -> Handoff:
    with app.app_context():
        handoff = db.session.scalar(
            select(Handoff)
            .join(Conversation, Handoff.conversation_id == Conversation.id)
            .where(Conversation.chat_id == user_id)
        )
        db.session.expunge_all()
        return handoff


def stored_texts(app, user_id: str, direction: str) -> list[str | None]:
    with app.app_context():
        return db.session.scalars(
            select(ChatMessage.text)
            .join(Conversation)
            .where(Conversation.chat_id == user_id, ChatMessage.direction == direction)
            .order_by(ChatMessage.id)
        ).all()


def test_while_staff_have_the_chat_the_bot_is_quiet_and_keeps_every_message(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    assert "เจ้าหน้าที่" in citizen.text and "น." in citizen.text, "office hours are told"
    assert t("handoff.return") in citizen.last.quick_labels()
    for message in ["น้ำโมงได้คะแนนเท่าไหร่", "ขอสำเนาเอกสารประกอบการประชุมสภาค่ะ", "ประเมินความพึงพอใจ"]:
        assert citizen.says(message) is None, f"the bot answered {message!r} during a handoff"
    assert citizen.taps("flow=survey") is None
    assert "ขอสำเนาเอกสารประกอบการประชุมสภาค่ะ" in stored_texts(demo, citizen.user_id, "in")
    handoff = the_handoff(demo, citizen.user_id)
    assert handoff.status == "open" and handoff.reason == "asked"
    citizen.says("กลับไปคุยกับบอท")
    assert t("handoff.back") in citizen.text
    citizen.says("น้ำโมงได้คะแนนเท่าไหร่")
    assert "85.86" in citizen.text
    assert the_handoff(demo, citizen.user_id).closed_by == "citizen"


def test_a_staff_answer_is_pushed_with_a_retry_key_and_stored_in_the_conversation(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    handoff = the_handoff(demo, citizen.user_id)
    with demo.app_context():
        message = handoffs.staff_reply(handoff.id, "สวัสดีค่ะ เอกสารอยู่ที่ห้องสมุดของ อบต. ค่ะ", staff_id=None)
        assert message.status == "sent" and message.kind == "staff"
        with pytest.raises(HandoffError):
            handoffs.staff_reply(handoff.id, "   ", staff_id=None)
    [push] = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]
    assert push.texts() == ["สวัสดีค่ะ เอกสารอยู่ที่ห้องสมุดของ อบต. ค่ะ"] and push.retry_key
    assert "สวัสดีค่ะ เอกสารอยู่ที่ห้องสมุดของ อบต. ค่ะ" in stored_texts(demo, citizen.user_id, "out")
    opened = the_handoff(demo, citizen.user_id)
    assert opened.first_response_at is not None


def test_a_staff_answer_line_keeps_refusing_is_shown_as_not_delivered_and_can_be_resent_once(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    handoff = the_handoff(demo, citizen.user_id)
    line.fail("/v2/bot/message/push", status=500, times=20)
    with demo.app_context():
        message = handoffs.staff_reply(handoff.id, "เดี๋ยวโทรกลับนะคะ", staff_id=None)
        assert message.status == "failed" and message.last_error == "LINE 500"
        line.reset()
        assert resend_failed(message.id) == "sent"
        assert resend_failed(message.id).startswith("not resent")
    [push] = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]
    assert push.texts() == ["เดี๋ยวโทรกลับนะคะ"]


def test_closing_by_staff_offers_a_one_question_rating(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    handoff = the_handoff(demo, citizen.user_id)
    with demo.app_context():
        handoffs.close_and_offer_rating(handoff.id, "staff")
    offer = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"][-1]
    assert t("flow.rating.5") in offer.quick_labels()
    citizen.last = offer
    citizen.tap_button(t("flow.rating.4"))
    assert t("handoff.rated") in citizen.text
    closed = the_handoff(demo, citizen.user_id)
    assert closed.status == "closed" and closed.closed_by == "staff" and closed.rating == 4
    citizen.says("น้ำโมงได้คะแนนเท่าไหร่")
    assert "85.86" in citizen.text


def test_an_idle_handoff_is_closed_and_a_typed_rating_counts(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    with demo.app_context():
        handoff = db.session.scalar(select(Handoff))
        handoff.last_activity_at = datetime.now(UTC) - timedelta(minutes=demo.config["HANDOFF_IDLE_MINUTES"] + 1)
        db.session.commit()
    assert handoffs.close_idle(demo) == 1
    assert handoffs.close_idle(demo) == 0
    assert t("handoff.closed.idle").split("\n")[0] in line.sent_to(citizen.user_id)[-1].all_text()
    citizen.says("5")
    assert t("handoff.rated") in citizen.text
    assert the_handoff(demo, citizen.user_id).rating == 5


def test_a_fresh_handoff_is_not_closed_as_idle(demo, client, line):
    Citizen(demo, client, line).says("ขอคุยกับเจ้าหน้าที่")
    assert handoffs.close_idle(demo) == 0


def test_two_misunderstood_messages_in_a_row_hand_the_chat_over(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ราคาทองวันนี้เท่าไหร่")
    assert the_handoff(demo, citizen.user_id) is None
    citizen.says("หวยออกอะไร")
    assert t("handoff.lead.not_understood") in citizen.text
    assert the_handoff(demo, citizen.user_id).reason == "not_understood"


@pytest.mark.parametrize(
    "moment,open_",
    [
        (datetime(2026, 11, 23, 2, 0, tzinfo=UTC), True),  # Monday 09:00 in Bangkok
        (datetime(2026, 11, 23, 9, 45, tzinfo=UTC), False),  # Monday 16:45
        (datetime(2026, 11, 22, 3, 0, tzinfo=UTC), False),  # Sunday 10:00
        (datetime(2026, 11, 23, 1, 30, tzinfo=UTC), True),  # Monday 08:30 sharp
    ],
)
def test_office_hours_are_read_in_bangkok_time(moment, open_):
    assert OfficeHours.parse("mon-fri 08:30-16:30").open_at(moment) is open_


def test_malformed_office_hours_are_refused():
    with pytest.raises(ValueError, match="OFFICE_HOURS"):
        OfficeHours.parse("weekdays 9-5")


def test_outside_office_hours_the_citizen_is_told_so(demo, client, line):
    demo.config["OFFICE_HOURS"] = "sat-sat 00:00-00:01"
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    assert "นอกเวลาทำการ" in citizen.text


def test_a_step_button_of_a_finished_flow_does_not_start_it_again(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    back = next(b["data"] for b in citizen.buttons() if b["type"] == "postback")
    citizen.taps(back)
    assert t("handoff.back") in citizen.text
    citizen.taps(back)  # the same button, tapped again after the chat came back to the bot
    assert t("social.unknown_action") in citizen.text
    with demo.app_context():
        assert db.session.scalar(select(Handoff).where(Handoff.status == "open")) is None
    for stale in ("flow=complaint&cancel=1", "flow=survey&pause=1", "flow=complaint&confirm=1"):
        citizen.taps(stale)
        assert t("social.unknown_action") in citizen.text, stale
    citizen.says("น้ำโมงได้คะแนนเท่าไหร่")
    assert "85.86" in citizen.text, "no flow was opened by those buttons"
