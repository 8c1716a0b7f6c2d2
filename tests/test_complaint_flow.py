"""Complaints on LINE, end to end: from the menu to a tracking number, its status, photos, place, cancelling."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot import casework
from bot.i18n import t
from models import Complaint, ComplaintPhoto, ComplaintUpdate, db
from models.complaint import by_tracking_no
from tests.citizen import Citizen

TRACKING = re.compile(r"25\d\d-\d{6}")
WHAT_HAPPENED = "ไฟส่องสว่างหน้าโรงเรียนบ้านน้ำโมงดับมา 2 สัปดาห์แล้ว ตอนกลางคืนมืดมาก"


def begin_general(citizen: Citizen, category: str, description: str) -> None:
    """Menu → general lane → agree to the notice → category → what happened."""
    citizen.taps("flow=complaint")
    citizen.tap_button(t("complaint.lane.general"))
    citizen.tap_button(t("complaint.agree"))
    citizen.tap_button(t(f"complaint.category.{category}"))
    citizen.says(description)


def file_general(citizen: Citizen, description: str = WHAT_HAPPENED) -> str:
    """Menu → general → agree → category → what happened → skip place and time → no photos → confirm."""
    begin_general(citizen, "public_works", description)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    citizen.tap_button(t("complaint.photos_done"))
    assert "ตรวจสอบก่อนส่งเรื่อง" in citizen.text
    citizen.tap_button(t("complaint.confirm"))
    found = TRACKING.search(citizen.text)
    assert found, citizen.text
    return found.group(0)


def stored(app, number: str) -> Complaint:
    with app.app_context():
        complaint = by_tracking_no(number)
        _ = complaint.photos, complaint.updates
        db.session.expunge_all()
        return complaint


def test_a_complaint_by_quick_replies_gets_a_tracking_number_and_its_status(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    complaint = stored(nammong_oa, number)
    assert complaint.lane == "general" and complaint.category == "public_works"
    assert complaint.description == WHAT_HAPPENED and complaint.status == "received"
    assert complaint.conversation_id is not None and complaint.indicators == (6, 8)
    citizen.tap_button(t("case.track_label"))
    assert number in citizen.text and t("case.status.received") in citizen.text
    citizen.says("เรื่องของฉัน")
    assert number in citizen.text


def test_a_status_change_by_staff_is_pushed_to_the_citizen(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    with nammong_oa.app_context():
        complaint = by_tracking_no(number)
        change = casework.change_status(complaint, "in_progress", public_note="ส่งช่างไปตรวจแล้ว")
        assert change.notice == "sent"
        casework.change_status(complaint, "resolved")
        with pytest.raises(casework.CaseError):
            casework.change_status(complaint, "received")
    pushes = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]
    assert len(pushes) == 2 and all(p.retry_key for p in pushes)
    assert t("case.status.in_progress") in pushes[0].all_text() and "ส่งช่างไปตรวจแล้ว" in pushes[0].all_text()
    assert t("case.rate_service") in pushes[1].quick_labels(), "a closed case offers the survey"
    citizen.says(f"ติดตามเรื่อง {number}")
    assert t("case.status.resolved") in citizen.text and "ส่งช่างไปตรวจแล้ว" in citizen.text


def test_a_notice_line_refuses_is_kept_as_failed_and_retried_with_the_same_key(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen)
    line.fail("/v2/bot/message/push", status=500, times=10)
    with nammong_oa.app_context():
        complaint = by_tracking_no(number)
        change = casework.change_status(complaint, "in_progress")
        assert change.notice == "failed" and change.last_error == "LINE 500"
        line.reset()
        assert casework.retry_failed_notices() == 1
        key = db.session.get(ComplaintUpdate, change.id).retry_key
    [push] = line.sent_to(citizen.user_id)
    assert push.retry_key == key


def test_photos_and_a_location_are_kept_with_the_case(nammong_oa, client, line):
    nammong_oa.config["COMPLAINT_MAX_PHOTOS"] = 2
    citizen = Citizen(nammong_oa, client, line)
    begin_general(citizen, "public_works", WHAT_HAPPENED)
    assert {"location"} <= {b["type"] for b in citizen.buttons()}
    citizen.sends_location()
    citizen.says("เมื่อวานนี้ ประมาณสองทุ่ม")
    assert {"camera", "cameraRoll"} <= {b["type"] for b in citizen.buttons()}
    citizen.sends_photo(b"first-photo", "image/jpeg")
    assert t("complaint.photo_received", number=1, limit=2) in citizen.text
    citizen.sends_photo(b"%PDF-1.4", "application/pdf")
    assert t("complaint.photo_refused") in citizen.text
    citizen.sends_photo(b"second-photo", "image/png")
    citizen.sends_photo(b"third-photo", "image/png")
    assert t("complaint.photo_limit", limit=2) in citizen.text
    citizen.tap_button(t("complaint.photos_done"))
    assert "รูปประกอบ: 2 รูป" in citizen.text
    citizen.tap_button(t("complaint.confirm"))
    complaint = stored(nammong_oa, TRACKING.search(citizen.text).group(0))
    assert [p.data for p in complaint.photos] == [b"first-photo", b"second-photo"]
    assert complaint.latitude == pytest.approx(17.97) and "ท่าบ่อ" in complaint.address
    assert complaint.occurred == "เมื่อวานนี้ ประมาณสองทุ่ม"


def test_cancelling_drops_the_draft_and_its_photos(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    begin_general(citizen, "service_delay", WHAT_HAPPENED)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    citizen.sends_photo()
    citizen.says("ยกเลิก")
    assert t("complaint.cancelled") in citizen.text
    with nammong_oa.app_context():
        assert db.session.scalars(select(Complaint)).all() == []
        assert db.session.scalars(select(ComplaintPhoto)).all() == []
    citizen.says("น้ำโมงได้คะแนนเท่าไหร่")
    assert "85.86" in citizen.text, "after cancelling, the bot answers as usual"


@pytest.mark.parametrize(
    "odd,expected",
    [
        ("สั้น", "complaint.invalid.describe"),
        ("ก" * 5000, "complaint.too_long"),
        ("😡😡😡", "complaint.invalid.describe"),
    ],
    ids=["too-short", "5000-chars", "emoji"],
)
def test_a_description_that_cannot_be_taken_is_asked_again_and_the_draft_is_kept(
    nammong_oa, client, line, odd, expected
):
    citizen = Citizen(nammong_oa, client, line)
    begin_general(citizen, "suggestion", odd)
    assert t(expected, limit="2,000", length="5,000").split("(")[0] in citizen.text
    citizen.says(WHAT_HAPPENED)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    citizen.tap_button(t("complaint.photos_done"))
    citizen.tap_button(t("complaint.confirm"))
    number = TRACKING.search(citizen.text).group(0)
    assert stored(nammong_oa, number).category == "suggestion"


def test_hostile_text_is_stored_as_typed_and_harms_nothing(nammong_oa, client, line):
    payload = "<script>alert('x')</script>'); DROP TABLE complaints;-- ${7*7} {{7*7}}"
    citizen = Citizen(nammong_oa, client, line)
    number = file_general(citizen, payload)
    assert stored(nammong_oa, number).description == payload


def test_buttons_out_of_turn_and_unknown_ones_get_a_clear_answer(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=complaint")
    citizen.taps("flow=complaint&confirm=1")  # a confirm button before anything was said
    assert t("complaint.invalid.lane") in citizen.text
    citizen.taps("flow=complaint&lane=martian")
    assert t("complaint.invalid.lane") in citizen.text
    citizen.says("ขอร้องเรียน")
    assert t("complaint.ask.lane").split("\n")[0] in citizen.text


def test_tracking_a_number_that_is_not_yours_says_not_found(nammong_oa, client, line):
    number = file_general(Citizen(nammong_oa, client, line))
    stranger = Citizen(nammong_oa, client, line)
    stranger.says(f"ติดตามเรื่อง {number}")
    assert t("case.not_found", code=number) in stranger.text
    assert WHAT_HAPPENED not in stranger.text


def test_a_photo_line_cannot_hand_over_is_asked_for_again(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    begin_general(citizen, "public_works", WHAT_HAPPENED)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    line.fail("/v2/bot/message/", status=404, times=1)
    citizen.sends_photo()
    assert t("complaint.photo_failed") in citizen.text
    citizen.sends_photo()
    assert t("complaint.photo_received", number=1, limit=3) in citizen.text
