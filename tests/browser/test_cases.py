"""In a real browser: staff find a citizen's complaint and work it received → in progress → resolved."""

from __future__ import annotations

from playwright.sync_api import expect

from bot.i18n import t
from tests.browser import steps
from tests.browser.conftest import sign_in
from tests.test_complaint_flow import file_general

CHECKED = "ช่างของกองช่างออกตรวจจุดที่แจ้งแล้ว จะเปลี่ยนหลอดไฟภายในสัปดาห์นี้"
FIXED = "เปลี่ยนหลอดไฟหน้าโรงเรียนเรียบร้อยแล้ว ขอบคุณที่แจ้งค่ะ"


def test_staff_move_a_complaint_through_its_statuses_and_each_notice_reaches_line(page, live, line):
    citizen = steps.citizen(live, line)
    number = file_general(citizen)  # a public-works complaint about a street light, filed on LINE
    other = steps.citizen(live, line)
    file_general(other, "ถนนหน้าวัดเป็นหลุมเป็นบ่อ รถจักรยานยนต์ล้มบ่อย")

    sign_in(page, live, "kanya", role="staff", agencies=["nammong"])
    with page.expect_navigation():
        page.click(f"nav.mainnav >> text={t('admin.nav.cases')}")
    expect(page.locator("tr[data-case]")).to_have_count(2)

    # Filter as staff would: open public-works cases, then search the number the citizen gave on the phone.
    page.get_by_label(t("cases.filter.category")).select_option(label=t("complaint.category.public_works"))
    page.get_by_label(t("cases.filter.status")).select_option(label=t("case.status.received"))
    page.get_by_label(t("cases.filter.search")).fill(number)
    with page.expect_navigation():
        page.get_by_role("button", name=t("admin.filter")).click()
    expect(page.locator("tr[data-case]")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_role("link", name=number).click()
    expect(page.locator("#details .description")).to_contain_text("ไฟส่องสว่างหน้าโรงเรียน")

    pushes_before = _pushes(line, citizen)
    for status, note in (("in_progress", CHECKED), ("resolved", FIXED)):
        page.select_option("#new-status", status)
        page.fill("#public-note", note)
        with page.expect_navigation():
            page.click("#status button[type=submit]")
        status_label = t(f"case.status.{status}")
        expect(page.locator(".flash.success")).to_have_text(t("cases.flash.status_sent", status=status_label))
        expect(page.locator("h1 .badge")).to_contain_text(status_label)
        notice = _pushes(line, citizen)[-1]
        assert status_label in notice.all_text() and note in notice.all_text(), notice.all_text()
        steps.shot(page, f"cases-{status}")
    assert len(_pushes(line, citizen)) == len(pushes_before) + 2, "one notice per change"
    assert t("case.rate_service") in _pushes(line, citizen)[-1].quick_labels(), "a resolved case offers the survey"
    assert not _pushes(line, other), "the other citizen was told nothing"

    history = page.locator("#history tbody tr")
    expect(history).to_have_count(3)
    rows = [history.nth(i).inner_text() for i in range(3)]
    assert t("case.status.received") in rows[0]
    assert t("case.status.in_progress") in rows[1] and CHECKED in rows[1] and t("cases.notice.sent") in rows[1]
    assert t("case.status.resolved") in rows[2] and FIXED in rows[2] and t("cases.notice.sent") in rows[2]
    assert t("cases.history.by_system") in rows[0] and "kanya" in rows[1] and "kanya" in rows[2], "who changed it"

    # Back in the list, the resolved case is no longer among the open ones.
    page.goto(f"{live.url}/admin/cases?status=open")
    expect(page.locator(f'tr[data-case="{number}"]')).to_have_count(0)
    expect(page.locator("tr[data-case]")).to_have_count(1)


def _pushes(line, citizen):
    return [s for s in line.sent_to(citizen.user_id) if s.kind == "push"]
