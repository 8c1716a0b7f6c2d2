"""In a real browser: staff answer a chat the bot handed over, see the citizen's next message arrive, close it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from bot.i18n import t
from tests.browser import steps
from tests.browser.conftest import sign_in

ANSWER = "สวัสดีค่ะ เอกสารประกอบการประชุมสภาอยู่ที่ห้องสมุด อบต. ค่ะ"
FOLLOW_UP = "ขอบคุณค่ะ ไปรับได้วันไหนบ้างคะ"


def test_staff_answer_a_handed_over_chat_and_the_citizen_sees_it_on_line(page, live, line):
    citizen = steps.citizen(live, line)
    citizen.says("ขอคุยกับเจ้าหน้าที่")
    assert "เจ้าหน้าที่" in citizen.text

    sign_in(page, live, "somchai", role="staff", agencies=["nammong"])
    page.click("nav.mainnav >> text=กล่องข้อความ")
    page.wait_for_url(re.compile(r"/admin/inbox$"))
    row = page.locator("#rows tr.waiting")
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.locator("a").click()

    # The citizen's request is in the history; the answer is sent without leaving the page.
    expect(page.locator("#thread")).to_contain_text("ขอคุยกับเจ้าหน้าที่")
    page.fill("#reply-text", ANSWER)
    page.click("#reply-send")
    expect(page.locator("#thread .msg-staff .bubble")).to_have_text(ANSWER)
    expect(page.locator("#reply-text")).to_have_value("")
    pushes = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]
    assert [p.texts() for p in pushes] == [[ANSWER]], "the answer reached LINE once, as a push"
    expect(page.locator('[data-field="assigned"]')).not_to_have_text(t("inbox.unassigned"))  # taken by answering

    # The citizen writes again: the message appears by polling, no reload.
    url = page.url
    page.evaluate("window.__same_page = true")
    assert citizen.says(FOLLOW_UP) is None, "the bot stays quiet while staff have the chat"
    expect(page.locator("#thread .msg-citizen .bubble").last).to_have_text(FOLLOW_UP, timeout=12_000)
    assert page.url == url and page.evaluate("window.__same_page") is True, "the page was not reloaded"
    steps.shot(page, "inbox-polled")

    # Closing: back to the list, and the citizen is offered the one-question rating.
    with page.expect_navigation():
        page.click("#close button[type=submit]")
    assert page.url.rstrip("/").endswith("/admin/inbox")
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("#rows")).to_contain_text(t("inbox.empty_open"))
    offer = [s for s in line.sent_to(citizen.user_id) if s.kind == "push"][-1]
    assert t("flow.rating.5") in offer.quick_labels()
    citizen.last = offer
    citizen.tap_button(t("flow.rating.5"))
    assert t("handoff.rated") in citizen.text
