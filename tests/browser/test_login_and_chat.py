"""In a real browser: signing in, the menu by role, the language switch, the web chat."""

from __future__ import annotations

from tests.browser.conftest import sign_in


def test_sign_in_shows_the_menu_of_the_role_and_the_web_chat_answers(page, live):
    sign_in(page, live, "somsri", role="staff", agencies=["nammong"])
    menu = page.locator("nav.mainnav")
    assert "ทดลองแชต" in menu.inner_text()
    assert "ผู้ใช้งาน" not in menu.inner_text()  # staff do not manage users
    with page.expect_navigation():
        page.click("nav.mainnav >> text=ทดลองแชต")
    page.fill("#text", "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    page.click("#ask button[type=submit]")
    page.wait_for_selector(".scorecard, .bubble:not(.me)")
    assert "น้ำโมง" in page.locator("#log").inner_text()


def test_a_wrong_password_gets_the_one_answer_and_english_switch_works(page, live):
    page.goto(f"{live.url}/admin/login")
    page.fill("#username", "nobody")
    page.fill("#password", "wrong password")
    page.click("#sign-in")
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in page.inner_text("main")
    page.click("button[name=lang][value=en]")
    page.wait_for_selector("text=Staff sign-in")
    assert "Staff sign-in" in page.inner_text("main")
