"""The staff inbox: a citizen asks for staff on LINE, staff answer from the backend, the push reaches LINE."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import t
from models import Agency, AuditEntry, ChatMessage, Conversation, Handoff, db
from tests.citizen import Citizen
from tests.web import PASSWORD, audit_entries, form_token, login, make_user, parse, redirects_to_login

ASK_STAFF = "ขอคุยกับเจ้าหน้าที่"


# --- helpers -------------------------------------------------------------------------------------------


def handoff_of(app, user_id: str) -> Handoff | None:
    with app.app_context():
        handoff = db.session.scalar(
            select(Handoff)
            .join(Conversation, Handoff.conversation_id == Conversation.id)
            .where(Conversation.chat_id == user_id)
            .order_by(Handoff.id.desc())
        )
        db.session.expunge_all()
        return handoff


def asks_for_staff(app, client, line) -> tuple[Citizen, int]:
    citizen = Citizen(app, client, line)
    citizen.says(ASK_STAFF)
    handoff = handoff_of(app, citizen.user_id)
    assert handoff is not None and handoff.status == "open", "the bot opened no handoff"
    return citizen, handoff.id


def staff_client(app, username: str = "somchai", role: str = "staff", agencies=("nammong",)):
    """A second browser: the staff member's, logged in through the real form."""
    browser = app.test_client()
    make_user(app, username, role=role, agencies=list(agencies) if agencies is not None else None)
    assert login(browser, username, PASSWORD).status_code == 302
    return browser


def data_csrf(browser, path: str) -> str:
    tokens = parse(browser.get(path).get_data(as_text=True)).data_csrf
    assert tokens and tokens[0], "the chat page gives its script no CSRF token"
    return tokens[0]


def staff_messages(app, user_id: str) -> list[ChatMessage]:
    with app.app_context():
        found = db.session.scalars(
            select(ChatMessage)
            .join(Conversation)
            .where(Conversation.chat_id == user_id, ChatMessage.kind == "staff")
            .order_by(ChatMessage.id)
        ).all()
        db.session.expunge_all()
        return found


def pushes(line, user_id: str) -> list:
    return [s for s in line.sent_to(user_id) if s.kind == "push"]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def view_url(handoff_id: int) -> str:
    return f"/admin/inbox/{handoff_id}"


# --- the whole path ------------------------------------------------------------------------------------


def test_staff_see_the_chat_answer_it_on_line_follow_it_live_and_close_it(nammong_oa, client, line):
    app = nammong_oa
    citizen, handoff_id = asks_for_staff(app, client, line)
    citizen.says("ขอสำเนารายงานการประชุมสภาเดือนที่แล้วค่ะ")
    staff = staff_client(app)

    listing = text_of(staff.get("/admin/inbox"))
    assert t("inbox.chat_no", number=handoff_id) in listing
    assert "องค์การบริหารส่วนตำบลน้ำโมง" in listing and t("inbox.reason.asked") in listing
    assert t("inbox.waiting", duration="").strip() in listing, "a chat nobody answered shows as waiting"
    assert citizen.user_id not in listing, "the LINE user id is never shown"

    page = text_of(staff.get(view_url(handoff_id)))
    assert "ขอสำเนารายงานการประชุมสภาเดือนที่แล้วค่ะ" in page
    assert ASK_STAFF in page
    assert t("inbox.who.citizen") in page and t("inbox.who.bot") in page
    assert "LINE" in page and t("admin.language_name.th") in page
    assert re.search(r"\d+ [ก-๙.]+ 25\d\d \d\d:\d\d น\.", page), "times are in the Buddhist era"
    assert citizen.user_id not in page, "the LINE user id is never shown"

    # The answer, as a plain form post (no JavaScript).
    token = form_token(staff, view_url(handoff_id))
    answer = "สวัสดีค่ะ รายงานการประชุมขอรับได้ที่ห้องธุรการ อบต. ในวันและเวลาราชการค่ะ"
    sent = staff.post(f"/admin/inbox/{handoff_id}/reply", data={"csrf_token": token, "text": answer})
    assert sent.status_code == 302
    [push] = pushes(line, citizen.user_id)
    assert push.texts() == [answer] and push.retry_key
    [stored] = staff_messages(app, citizen.user_id)
    assert stored.text == answer and stored.status == "sent"
    opened = handoff_of(app, citizen.user_id)
    assert opened.first_response_at is not None
    assert t("inbox.reply_sent") in text_of(staff.get(view_url(handoff_id)))

    # The citizen writes again: the polling endpoint brings only the new message.
    assert citizen.says("ขอบคุณค่ะ จะไปรับพรุ่งนี้นะคะ") is None, "the bot stays quiet during a handoff"
    polled = staff.get(f"/admin/inbox/{handoff_id}/messages?after={stored.id}", headers={"Accept": "application/json"})
    assert polled.status_code == 200
    body = polled.get_json()
    assert [m["text"] for m in body["messages"]] == ["ขอบคุณค่ะ จะไปรับพรุ่งนี้นะคะ"]
    assert body["messages"][0]["who"] == "citizen" and body["last_id"] > stored.id
    assert body["handoff"]["status"] == "open"
    assert citizen.user_id not in polled.get_data(as_text=True)
    again = staff.get(f"/admin/inbox/{handoff_id}/messages?after={body['last_id']}")
    assert again.get_json()["messages"] == []

    # Close: the citizen is offered the rating, the bot answers again, the audit log says who (not what).
    token = form_token(staff, view_url(handoff_id))
    closed = staff.post(f"/admin/inbox/{handoff_id}/close", data={"csrf_token": token})
    assert closed.status_code == 302
    offer = pushes(line, citizen.user_id)[-1]
    assert t("flow.rating.5") in offer.quick_labels()
    citizen.last = offer
    citizen.tap_button(t("flow.rating.5"))
    assert t("handoff.rated") in citizen.text
    done = handoff_of(app, citizen.user_id)
    assert done.status == "closed" and done.closed_by == "staff" and done.rating == 5
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "handoff_closed")).all()
        assert entry.actor_name == "somchai" and entry.target_id == str(handoff_id)
        assert entry.agency_id == done.agency_id
        assert "รายงาน" not in str(entry.detail) and citizen.user_id not in str(entry.detail)
    closed_tab = text_of(staff.get("/admin/inbox?tab=closed"))
    assert t("inbox.chat_no", number=handoff_id) in closed_tab and t("inbox.rating_value", score=5) in closed_tab
    assert t("inbox.chat_no", number=handoff_id) not in text_of(staff.get("/admin/inbox"))


def test_an_answer_sent_by_the_page_script_comes_back_as_json(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    token = data_csrf(staff, view_url(handoff_id))
    sent = staff.post(
        f"/admin/inbox/{handoff_id}/reply",
        json={"text": "รับเรื่องแล้วค่ะ"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert sent.status_code == 200
    message = sent.get_json()["message"]
    assert message["who"] == "staff" and message["text"] == "รับเรื่องแล้วค่ะ" and message["delivery"] is None
    assert sent.get_json()["handoff"]["assigned"] == "somchai", "the first to answer takes the chat"
    assert [p.texts() for p in pushes(line, citizen.user_id)] == [["รับเรื่องแล้วค่ะ"]]
    taken = {"assignee_before": None, "assignee_after": "somchai"}
    assert [(e.target_id, e.detail) for e in audit_entries(nammong_oa, "assigned")] == [(str(handoff_id), taken)]
    again = staff.post(
        f"/admin/inbox/{handoff_id}/reply",
        json={"text": "กำลังตรวจสอบให้ค่ะ"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert again.status_code == 200
    assert len(audit_entries(nammong_oa, "assigned")) == 1, "already hers: no new entry"


def test_closing_a_chat_no_one_took_gives_it_to_the_closer_and_says_so(nammong_oa, client, line):
    _, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    closed = staff.post(
        f"/admin/inbox/{handoff_id}/close", data={"csrf_token": form_token(staff, view_url(handoff_id))}
    )
    assert closed.status_code == 302
    assert [(e.target_id, e.detail) for e in audit_entries(nammong_oa, "assigned")] == [
        (str(handoff_id), {"assignee_before": None, "assignee_after": "somchai"})
    ]


def test_the_pages_load_their_script_from_a_file_only(nammong_oa, client, line):
    _, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    for path in ("/admin/inbox", view_url(handoff_id), "/admin/inbox?tab=closed"):
        page = parse(text_of(staff.get(path)))
        assert any((a.get("src") or "").endswith("inbox.js") for a in page.scripts), path
        assert all(a.get("src") for a in page.scripts) and not any(b.strip() for b in page.script_bodies), path
        assert page.inline_handlers == [], path
    with staff.get("/admin/static/inbox.js") as script:
        assert script.status_code == 200 and b"visibilitychange" in script.data


# --- bad input: a clear message, nothing sent, nothing lost ------------------------------------------------


def test_an_empty_or_overlong_answer_is_refused_and_the_draft_kept(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    token = form_token(staff, view_url(handoff_id))
    empty = staff.post(f"/admin/inbox/{handoff_id}/reply", data={"csrf_token": token, "text": "   \n "})
    assert empty.status_code == 400 and t("inbox.error.empty") in text_of(empty)
    draft = "ก" * 5001
    long = staff.post(f"/admin/inbox/{handoff_id}/reply", data={"csrf_token": token, "text": draft})
    assert long.status_code == 400
    assert t("inbox.error.too_long", count="5,001", max="5,000") in text_of(long)
    [area] = re.findall(r"<textarea[^>]*>(.*?)</textarea>", text_of(long), re.S)
    assert area == draft, "the answer typed is given back, not lost"
    token = data_csrf(staff, view_url(handoff_id))
    for body in ({"text": ""}, {"text": "x" * 5001}, {"text": 5}, ["not", "an", "object"]):
        api = staff.post(f"/admin/inbox/{handoff_id}/reply", json=body, headers={"X-CSRFToken": token})
        assert api.status_code == 400 and api.get_json()["error"], body
    longest = "ข" * 4999 + "จ"
    exactly = staff.post(f"/admin/inbox/{handoff_id}/reply", json={"text": longest}, headers={"X-CSRFToken": token})
    assert exactly.status_code == 200 and exactly.get_json()["message"]["text"] == longest
    assert [p.texts() for p in pushes(line, citizen.user_id)] == [[longest]]
    assert longest in text_of(staff.get(view_url(handoff_id))), "the whole answer is shown, not the first 2,000"


def test_a_reply_without_the_csrf_token_is_refused(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    assert staff.post(f"/admin/inbox/{handoff_id}/reply", data={"text": "สวัสดีค่ะ"}).status_code == 400
    assert staff.post(f"/admin/inbox/{handoff_id}/reply", json={"text": "สวัสดีค่ะ"}).status_code == 400
    assert staff.post(f"/admin/inbox/{handoff_id}/close").status_code == 400
    assert pushes(line, citizen.user_id) == [] and staff_messages(nammong_oa, citizen.user_id) == []
    assert handoff_of(nammong_oa, citizen.user_id).status == "open"


def test_a_closed_chat_cannot_be_answered_assigned_or_closed_again(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    token = form_token(staff, view_url(handoff_id))
    citizen.says("กลับไปคุยกับบอท")  # the citizen closes it while staff have the page open
    assert handoff_of(nammong_oa, citizen.user_id).closed_by == "citizen"
    before = len(line.sent_to(citizen.user_id))
    form = staff.post(f"/admin/inbox/{handoff_id}/reply", data={"csrf_token": token, "text": "สวัสดีค่ะ"})
    assert form.status_code == 409 and t("inbox.error.closed") in text_of(form)
    assert "สวัสดีค่ะ</textarea>" in text_of(form), "the unsent answer is shown, to copy elsewhere"
    api = staff.post(f"/admin/inbox/{handoff_id}/reply", json={"text": "สวัสดีค่ะ"}, headers={"X-CSRFToken": token})
    assert api.status_code == 409 and api.get_json()["error"] == t("inbox.error.closed")
    again = staff.post(f"/admin/inbox/{handoff_id}/close", data={"csrf_token": token})
    assert again.status_code == 409 and t("inbox.error.closed") in text_of(again)
    assign = staff.post(f"/admin/inbox/{handoff_id}/assign", data={"csrf_token": token, "assignee": "me"})
    assert assign.status_code == 409
    assert len(line.sent_to(citizen.user_id)) == before and staff_messages(nammong_oa, citizen.user_id) == []
    page = text_of(staff.get(view_url(handoff_id)))
    assert t("inbox.closed_notice") in page and 'id="reply"' not in page
    polled = staff.get(f"/admin/inbox/{handoff_id}/messages?after=0").get_json()
    assert polled["handoff"]["status"] == "closed"


def test_a_bad_after_value_is_a_400_not_a_500(nammong_oa, client, line):
    _, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    for bad in ("abc", "-1", "1.5", "", "²", "9" * 40):
        response = staff.get(f"/admin/inbox/{handoff_id}/messages?after={bad}")
        assert response.status_code == 400 and response.get_json()["error"], bad
    everything = staff.get(f"/admin/inbox/{handoff_id}/messages").get_json()
    assert [m["text"] for m in everything["messages"] if m["who"] == "citizen"] == [ASK_STAFF]


# --- LINE refusing the push ------------------------------------------------------------------------------


def test_an_answer_line_refuses_is_shown_not_delivered_and_can_be_resent_once(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    token = form_token(staff, view_url(handoff_id))
    line.fail("/v2/bot/message/push", status=500, times=50)
    sent = staff.post(f"/admin/inbox/{handoff_id}/reply", data={"csrf_token": token, "text": "พรุ่งนี้โทรกลับนะคะ"})
    assert sent.status_code == 302, "LINE refusing is not a server error"
    [message] = staff_messages(nammong_oa, citizen.user_id)
    assert message.status == "failed"
    page = text_of(staff.get(view_url(handoff_id)))
    assert t("inbox.reply_not_delivered") in page and t("inbox.delivery.failed") in page
    resend_url = f"/admin/inbox/{handoff_id}/messages/{message.id}/resend"
    assert resend_url in page
    api = staff.post(
        f"/admin/inbox/{handoff_id}/reply",
        json={"text": "ขออภัยค่ะ ส่งอีกรอบ"},
        headers={"X-CSRFToken": data_csrf(staff, view_url(handoff_id))},
    )
    assert api.status_code == 200 and api.get_json()["message"]["delivery"] == "failed"
    assert api.get_json()["message"]["resend_url"]
    assert pushes(line, citizen.user_id) == []

    line.reset()
    token = form_token(staff, view_url(handoff_id))
    resent = staff.post(resend_url, data={"csrf_token": token})
    assert resent.status_code == 302
    assert [p.texts() for p in pushes(line, citizen.user_id)] == [["พรุ่งนี้โทรกลับนะคะ"]]
    assert t("inbox.resent") in text_of(staff.get(view_url(handoff_id)))
    twice = staff.post(resend_url, data={"csrf_token": token})
    assert twice.status_code == 409 and t("inbox.resend_refused") in text_of(twice)
    assert len(pushes(line, citizen.user_id)) == 1


# --- assigning ------------------------------------------------------------------------------------------


def test_staff_take_a_chat_or_give_it_to_a_colleague_of_the_same_agency(nammong_oa, client, line):
    app = nammong_oa
    _, handoff_id = asks_for_staff(app, client, line)
    staff = staff_client(app)
    colleague = make_user(app, "malee", role="integrity_officer", agencies=["nammong"])
    make_user(app, "viewer1", role="viewer", agencies=["nammong"])
    outsider = make_user(app, "other", role="staff", agencies=["nakhonphanom"])
    page = text_of(staff.get(view_url(handoff_id)))
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page)
    names = [label.strip() for _, label in options]
    assert "malee" in names and "somchai " + t("inbox.me_suffix") in names
    assert "viewer1" not in names and "other" not in names

    token = form_token(staff, view_url(handoff_id))
    mine = staff.post(f"/admin/inbox/{handoff_id}/assign", data={"csrf_token": token, "assignee": "me"})
    assert mine.status_code == 302
    assert handoff_of(app, _chat_id(app, handoff_id)).assigned_to_id is not None
    assert t("inbox.chat_no", number=handoff_id) in text_of(staff.get("/admin/inbox?mine=1"))

    given = staff.post(f"/admin/inbox/{handoff_id}/assign", data={"csrf_token": token, "assignee": str(colleague)})
    assert given.status_code == 302
    assert handoff_of(app, _chat_id(app, handoff_id)).assigned_to_id == colleague
    assert t("inbox.chat_no", number=handoff_id) not in text_of(staff.get("/admin/inbox?mine=1"))
    assert t("inbox.empty_mine") in text_of(staff.get("/admin/inbox?mine=1"))

    refused = staff.post(f"/admin/inbox/{handoff_id}/assign", data={"csrf_token": token, "assignee": str(outsider)})
    assert refused.status_code == 400 and t("inbox.error.bad_assignee") in text_of(refused)
    junk = staff.post(f"/admin/inbox/{handoff_id}/assign", data={"csrf_token": token, "assignee": "1; drop"})
    assert junk.status_code == 400
    assert handoff_of(app, _chat_id(app, handoff_id)).assigned_to_id == colleague

    nobody = staff.post(f"/admin/inbox/{handoff_id}/assign", data={"csrf_token": token, "assignee": ""})
    assert nobody.status_code == 302 and handoff_of(app, _chat_id(app, handoff_id)).assigned_to_id is None
    assert [(e.target_type, e.target_id, e.detail) for e in audit_entries(app, "assigned")] == [
        ("handoff", str(handoff_id), {"assignee_before": None, "assignee_after": "somchai"}),
        ("handoff", str(handoff_id), {"assignee_before": "somchai", "assignee_after": "malee"}),
        ("handoff", str(handoff_id), {"assignee_before": "malee", "assignee_after": None}),
    ]


def _chat_id(app, handoff_id: int) -> str:
    with app.app_context():
        return db.session.get(Handoff, handoff_id).conversation.chat_id


# --- who may see what ---------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login(nammong_oa, client, line):
    _, handoff_id = asks_for_staff(nammong_oa, client, line)
    browser = nammong_oa.test_client()
    for path in ("/admin/inbox", view_url(handoff_id), f"/admin/inbox/{handoff_id}/messages?after=0"):
        assert redirects_to_login(browser.get(path, headers={"Accept": "text/html"})), path
    assert browser.get("/admin/inbox/updates", headers={"Accept": "application/json"}).status_code == 401


def test_a_viewer_has_no_inbox(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    viewer = staff_client(nammong_oa, "viewer1", role="viewer")
    for path in ("/admin/inbox", view_url(handoff_id), f"/admin/inbox/{handoff_id}/messages", "/admin/inbox/updates"):
        assert viewer.get(path).status_code == 403, path
    refused = viewer.get("/admin/inbox", headers={"Accept": "text/html"})
    token = next(i["value"] for i in parse(text_of(refused)).inputs if i.get("name") == "csrf_token")
    for path, data in (("reply", {"text": "x"}), ("assign", {"assignee": "me"}), ("close", {})):
        response = viewer.post(f"/admin/inbox/{handoff_id}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    assert pushes(line, citizen.user_id) == [] and handoff_of(nammong_oa, citizen.user_id).status == "open"


def test_staff_of_another_agency_get_404_and_change_nothing(nammong_oa, client, line):
    app = nammong_oa
    citizen, handoff_id = asks_for_staff(app, client, line)
    assert handoff_of(app, citizen.user_id).agency_id is not None
    other = staff_client(app, "prasert", agencies=("nakhonphanom",))
    assert t("inbox.chat_no", number=handoff_id) not in text_of(other.get("/admin/inbox"))
    assert other.get("/admin/inbox/updates").get_json()["open"] == 0
    assert other.get(view_url(handoff_id)).status_code == 404
    assert other.get(f"/admin/inbox/{handoff_id}/messages?after=0").status_code == 404
    token = form_token(other, "/admin/inbox")
    with app.app_context():
        message_id = db.session.scalar(select(ChatMessage.id).where(ChatMessage.direction == "out"))
    for path, data in [
        ("reply", {"text": "สวัสดีค่ะ"}),
        ("assign", {"assignee": "me"}),
        ("close", {}),
        (f"messages/{message_id}/resend", {}),
    ]:
        response = other.post(f"/admin/inbox/{handoff_id}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    json_reply = other.post(f"/admin/inbox/{handoff_id}/reply", json={"text": "x"}, headers={"X-CSRFToken": token})
    assert json_reply.status_code == 404
    after = handoff_of(app, citizen.user_id)
    assert after.status == "open" and after.assigned_to_id is None
    assert pushes(line, citizen.user_id) == [] and staff_messages(app, citizen.user_id) == []
    assert other.get("/admin/inbox/999999").status_code == 404


def test_a_message_of_another_chat_cannot_be_resent_through_this_one(nammong_oa, client, line):
    app = nammong_oa
    _, first = asks_for_staff(app, client, line)
    _, second = asks_for_staff(app, client, line)
    staff = staff_client(app)
    with app.app_context():
        other_message = db.session.scalar(
            select(ChatMessage.id)
            .join(Handoff, Handoff.conversation_id == ChatMessage.conversation_id)
            .where(Handoff.id == second, ChatMessage.direction == "out")
        )
    token = form_token(staff, view_url(first))
    assert (
        staff.post(f"/admin/inbox/{first}/messages/{other_message}/resend", data={"csrf_token": token}).status_code
        == 404
    )


# --- handoffs without an agency, and the agency the chat was about ------------------------------------------


def test_on_a_multi_agency_oa_the_handoff_goes_to_the_agency_the_chat_was_about(demo, client, line):
    assert not demo.config.get("DEFAULT_AGENCY")
    citizen = Citizen(demo, client, line)
    citizen.says("น้ำโมงได้คะแนนเท่าไหร่")
    assert "85.86" in citizen.text
    citizen.says(ASK_STAFF)
    handoff = handoff_of(demo, citizen.user_id)
    with demo.app_context():
        assert db.session.get(Agency, handoff.agency_id).slug == "nammong"
    nammong_staff = staff_client(demo, "somchai", agencies=("nammong",))
    assert nammong_staff.get(view_url(handoff.id)).status_code == 200
    other = staff_client(demo, "prasert", agencies=("nakhonphanom",))
    assert other.get(view_url(handoff.id)).status_code == 404


def test_a_handoff_no_agency_could_be_told_for_is_seen_by_every_inbox_user(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says(ASK_STAFF)  # several agencies, none named: nobody can route it
    handoff = handoff_of(demo, citizen.user_id)
    assert handoff.agency_id is None
    for username, agency in (("somchai", "nammong"), ("prasert", "nakhonphanom")):
        browser = staff_client(demo, username, agencies=(agency,))
        listing = text_of(browser.get("/admin/inbox"))
        assert t("inbox.chat_no", number=handoff.id) in listing and t("inbox.no_agency") in listing
        page = text_of(browser.get(view_url(handoff.id)))
        assert t("inbox.no_agency_hint") in page
    token = form_token(browser, view_url(handoff.id))
    assert browser.post(f"/admin/inbox/{handoff.id}/reply", data={"csrf_token": token, "text": "ค่ะ"}).status_code == 302
    assert [p.texts() for p in pushes(line, citizen.user_id)] == [["ค่ะ"]]


# --- the list: order, counts, polling -------------------------------------------------------------------------


def test_the_longest_waiting_chat_comes_first_and_answered_ones_after(nammong_oa, client, line):
    app = nammong_oa
    _, answered = asks_for_staff(app, client, line)
    _, newer = asks_for_staff(app, client, line)
    _, older = asks_for_staff(app, client, line)
    with app.app_context():
        for handoff_id, minutes in ((answered, 300), (newer, 30), (older, 90)):
            handoff = db.session.get(Handoff, handoff_id)
            moment = datetime.now(UTC) - timedelta(minutes=minutes)
            handoff.opened_at = moment
            for message in handoff.conversation.messages:
                message.created_at = moment
        db.session.commit()
    staff = staff_client(app)
    token = form_token(staff, view_url(answered))
    staff.post(f"/admin/inbox/{answered}/reply", data={"csrf_token": token, "text": "ได้รับเรื่องแล้วค่ะ"})
    listing = text_of(staff.get("/admin/inbox"))
    order = [int(n) for n in re.findall(r'data-handoff="(\d+)"', listing)]
    assert order == [older, newer, answered]
    assert t("inbox.waiting", duration=t("admin.duration.hours_minutes", hours=1, minutes=30)) in listing
    counts = staff.get("/admin/inbox/updates").get_json()
    assert (counts["open"], counts["waiting"], counts["mine"]) == (3, 2, 1)
    partial = text_of(staff.get("/admin/inbox/rows"))
    assert "<html" not in partial and f'data-handoff="{older}"' in partial


def test_the_updates_signature_moves_when_the_citizen_writes(nammong_oa, client, line):
    citizen, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    token = form_token(staff, view_url(handoff_id))
    staff.post(f"/admin/inbox/{handoff_id}/reply", data={"csrf_token": token, "text": "สวัสดีค่ะ"})
    before = staff.get("/admin/inbox/updates").get_json()
    assert before["waiting"] == 0 and before["open"] == 1
    citizen.says("อีกเรื่องค่ะ")
    after = staff.get("/admin/inbox/updates").get_json()
    assert after["waiting"] == 1 and after["signature"] != before["signature"]


def test_polling_does_not_keep_an_idle_session_alive(nammong_oa, client, line):
    _, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    idle_since = int(time.time()) - 120
    with staff.session_transaction() as session:
        session["seen_at"] = idle_since
    for path in (f"/admin/inbox/{handoff_id}/messages?after=0", "/admin/inbox/updates"):
        assert staff.get(path).status_code == 200
        with staff.session_transaction() as session:
            assert session["seen_at"] == idle_since, path
    staff.get(view_url(handoff_id))
    with staff.session_transaction() as session:
        assert session["seen_at"] > idle_since, "opening a page is activity"
    nammong_oa.config["SESSION_IDLE_MINUTES"] = 1
    with staff.session_transaction() as session:
        session["seen_at"] = idle_since
    assert staff.get("/admin/inbox/updates", headers={"Accept": "application/json"}).status_code == 401


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_pages_read_in_both_languages(nammong_oa, client, line, lang):
    _, handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_client(nammong_oa)
    with staff.session_transaction() as session:
        session["lang"] = lang
    assert t("inbox.title", lang) in text_of(staff.get("/admin/inbox"))
    page = text_of(staff.get(view_url(handoff_id)))
    assert t("inbox.close_button", lang) in page and t("inbox.reply_label", lang) in page
