"""Corruption reports: confidential, never anonymous, and never linked to the LINE user in readable form."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from bot import casework
from bot.i18n import t
from models import Complaint, Conversation, ReporterIdentity, db
from models.complaint import by_tracking_no, receipt_digest
from models.sealing import unseal
from tests.citizen import Citizen

TRACKING = re.compile(r"25\d\d-\d{6}")
RECEIPT = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
REPORT = "ปลัดเรียกเงิน 5,000 บาทเพื่อเร่งออกใบอนุญาตก่อสร้าง ที่ห้องงานโยธา"
NAME, PHONE = "สมหญิง ใจกล้า", "0812345678"


def report(citizen: Citizen, identified: bool) -> str:
    citizen.says("แจ้งทุจริต")
    assert 'ไม่ใช่ "นิรนาม"' in citizen.text, "the notice says plainly that LINE sees the chat"
    assert "ระยะเวลาเก็บ" in citizen.text and "สิทธิ" in citizen.text and "ฐานทางกฎหมาย" in citizen.text
    citizen.tap_button(t("complaint.agree"))
    if identified:
        citizen.tap_button(t("complaint.identity.identified"))
        citizen.says(NAME)
        citizen.says("081-234-5678")
    else:
        citizen.tap_button(t("complaint.identity.anonymous"))
    citizen.tap_button(t("complaint.category.bribery"))
    citizen.says(REPORT)
    citizen.says("อาคารสำนักงาน อบต. ชั้น 2")
    citizen.says("ต้นเดือนนี้")
    citizen.tap_button(t("complaint.photos_done"))
    citizen.tap_button(t("complaint.confirm"))
    return citizen.text


def every_row(app) -> dict[str, list[str]]:
    """Every row of every table, as text (bytes decoded loosely), keyed by table."""
    with app.app_context():
        dump = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table)).all()
            dump[table.name] = [
                json.dumps([v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row], ensure_ascii=False)
                for row in rows
            ]
        return dump


def test_an_unidentified_report_leaves_no_readable_link_to_the_line_user(nammong_oa, client, line, caplog):
    caplog.set_level(logging.DEBUG)
    citizen = Citizen(nammong_oa, client, line)
    citizen.says("สวัสดีค่ะ")  # the conversation exists before, as it would
    filed = report(citizen, identified=False)
    number, receipt = TRACKING.search(filed).group(0), RECEIPT.search(filed).group(0)
    dump = every_row(nammong_oa)
    with nammong_oa.app_context():
        conversation = db.session.scalar(select(Conversation).where(Conversation.chat_id == citizen.user_id))
        complaint = by_tracking_no(number)
        assert complaint.conversation_id is None and not complaint.identified
        assert complaint.description == REPORT and complaint.receipt_digest == receipt_digest(receipt)
        assert db.session.scalars(select(ReporterIdentity)).all() == []
        conversation_id = conversation.id
    secrets = [REPORT, number, receipt, "เรียกเงิน", "ชั้น 2"]
    for table, rows in dump.items():
        for row in rows:
            if citizen.user_id in row or (table == "chat_messages" and f'"{conversation_id}"' in row):
                assert not any(s in row for s in secrets), f"{table} links the user to the report: {row[:200]}"
            if table in {"complaints", "complaint_updates", "complaint_photos"}:
                assert citizen.user_id not in row
    assert all(s not in row for row in dump["webhook_events"] for s in [citizen.user_id, REPORT])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in [citizen.user_id, REPORT, number, receipt]:
        assert secret not in logged


def test_the_receipt_code_alone_follows_an_unidentified_report(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    filed = report(citizen, identified=False)
    number, receipt = TRACKING.search(filed).group(0), RECEIPT.search(filed).group(0)
    citizen.says(f"ติดตามเรื่อง {number}")
    assert t("case.not_found", code=number) in citizen.text, "the number alone proves nothing"
    citizen.says(f"ติดตามเรื่อง {receipt.lower()}")
    assert number in citizen.text and t("case.status.received") in citizen.text
    citizen.says("เรื่องของฉัน")
    assert number not in citizen.text
    with nammong_oa.app_context():
        complaint = by_tracking_no(number)
        change = casework.change_status(complaint, "in_progress")
        assert change.notice == "none", "nobody to tell: the report is not linked to anyone"
    assert not [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]


def test_an_identified_report_keeps_the_identity_only_sealed_and_apart(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    filed = report(citizen, identified=True)
    number = TRACKING.search(filed).group(0)
    assert not RECEIPT.search(filed)
    dump = every_row(nammong_oa)
    everything = "\n".join(row for rows in dump.values() for row in rows)
    assert NAME not in everything and PHONE not in everything
    linked = [row for rows in dump.values() for row in rows if citizen.user_id in row]
    assert linked and all(number not in row and REPORT not in row for row in linked)
    with nammong_oa.app_context():
        complaint = by_tracking_no(number)
        identity = db.session.scalar(select(ReporterIdentity).where(ReporterIdentity.complaint_id == complaint.id))
        assert complaint.conversation_id is None and complaint.identified
        assert unseal(identity.sealed) == {"channel": "line", "chat_id": citizen.user_id, "name": NAME, "phone": PHONE}
        casework.change_status(complaint, "in_progress")
    [push] = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]
    assert number in push.all_text()
    citizen.says("เรื่องของฉัน")
    assert number in citizen.text
    linked = [row for rows in every_row(nammong_oa).values() for row in rows if citizen.user_id in row]
    assert all(number not in row for row in linked), "listing the citizen's cases is confidential too"
    messages = every_row(nammong_oa)["chat_messages"]
    assert all(number not in row for row in messages)


def test_a_report_keeps_only_the_day_it_was_filed_in_every_row(nammong_oa, client, line):
    from datetime import time

    from models import ComplaintPhoto, ComplaintUpdate
    from models.periods import local

    citizen = Citizen(nammong_oa, client, line)
    citizen.says("แจ้งทุจริต")
    citizen.tap_button(t("complaint.agree"))
    citizen.tap_button(t("complaint.identity.anonymous"))
    citizen.tap_button(t("complaint.category.official_property"))
    citizen.says(REPORT)
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    citizen.sends_photo()
    citizen.tap_button(t("complaint.photos_done"))
    citizen.tap_button(t("complaint.confirm"))
    with nammong_oa.app_context():
        complaint = db.session.scalar(select(Complaint))
        moments = [complaint.filed_at, complaint.updated_at]
        moments += db.session.scalars(select(ComplaintUpdate.created_at)).all()
        moments += db.session.scalars(select(ComplaintPhoto.received_at)).all()
    assert len(moments) == 4 and all(local(m).time() == time(0) for m in moments), moments


def test_a_sealed_identity_cannot_be_opened_without_the_key(nammong_oa, client, line):
    from cryptography.fernet import Fernet

    from models.sealing import SealingError

    report(Citizen(nammong_oa, client, line), identified=True)
    with nammong_oa.app_context():
        sealed = db.session.scalar(select(ReporterIdentity.sealed))
        nammong_oa.config["IDENTITY_KEY"] = Fernet.generate_key().decode()
        with pytest.raises(SealingError):
            unseal(sealed)


def test_the_draft_of_a_report_is_sealed_while_it_is_being_written(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.says("แจ้งทุจริต")
    citizen.tap_button(t("complaint.agree"))
    citizen.tap_button(t("complaint.identity.identified"))
    citizen.says(NAME)
    everything = "\n".join(row for rows in every_row(nammong_oa).values() for row in rows)
    assert NAME not in everything
    with nammong_oa.app_context():
        conversation = db.session.scalar(select(Conversation).where(Conversation.chat_id == citizen.user_id))
        assert set(conversation.context["flow"]) == {"name", "sealed"}


def test_a_report_asked_for_in_english_is_taken_in_english(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.says("report corruption")
    assert "confidential, not anonymous" in citizen.text
    citizen.tap_button(t("complaint.agree", "en"))
    citizen.tap_button(t("complaint.identity.identified", "en"))
    citizen.says("Somying Jaiklah")
    assert t("complaint.ask.phone", "en") in citizen.text


def test_every_receipt_code_is_read_back_as_a_code():
    """One code in about 400 would have been all letters, which the bot does not take for a code."""
    from bot.casework import new_receipt_code
    from bot.flows.triggers import code_in

    for _ in range(3000):
        code = new_receipt_code()
        assert code_in(f"ติดตามเรื่อง {code.lower()}") == code
