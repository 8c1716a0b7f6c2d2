"""The inbox list redraws its rows from /admin/inbox/rows: a background request, so an open list still times out."""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from models import Conversation, Handoff, db
from tests.citizen import Citizen
from tests.web import PASSWORD, login, make_user, redirects_to_login

ASK_STAFF = "ขอคุยกับเจ้าหน้าที่"


def asks_for_staff(app, client, line) -> int:
    citizen = Citizen(app, client, line)
    citizen.says(ASK_STAFF)
    with app.app_context():
        handoff_id = db.session.scalar(
            select(Handoff.id)
            .join(Conversation, Handoff.conversation_id == Conversation.id)
            .where(Conversation.chat_id == citizen.user_id, Handoff.status == "open")
        )
    assert handoff_id is not None, "the bot opened no handoff"
    return handoff_id


def staff_browser(app):
    browser = app.test_client()
    make_user(app, "somchai", role="staff", agencies=["nammong"])
    assert login(browser, "somchai", PASSWORD).status_code == 302
    return browser


def test_the_list_points_its_script_at_the_rows_endpoint(nammong_oa, client, line):
    staff = staff_browser(nammong_oa)
    page = staff.get("/admin/inbox").get_data(as_text=True)
    assert 'data-rows-url="/admin/inbox/rows"' in page
    mine = staff.get("/admin/inbox?mine=1").get_data(as_text=True)
    assert re.search(r'data-rows-url="/admin/inbox/rows\?mine=1"', mine)


def test_the_rows_endpoint_renders_the_open_chats_alone(nammong_oa, client, line):
    handoff_id = asks_for_staff(nammong_oa, client, line)
    staff = staff_browser(nammong_oa)
    response = staff.get("/admin/inbox/rows")
    assert response.status_code == 200
    rows = response.get_data(as_text=True)
    assert "<html" not in rows and f'data-handoff="{handoff_id}"' in rows
    # Nobody took the chat yet: the user's own rows are none.
    assert 'data-handoff="' not in staff.get("/admin/inbox/rows?mine=1").get_data(as_text=True)


def test_redrawing_the_rows_does_not_keep_an_idle_session_alive(nammong_oa, client, line):
    asks_for_staff(nammong_oa, client, line)
    staff = staff_browser(nammong_oa)
    idle_since = int(time.time()) - 120
    with staff.session_transaction() as session:
        session["seen_at"] = idle_since
    assert staff.get("/admin/inbox/rows").status_code == 200
    with staff.session_transaction() as session:
        assert session["seen_at"] == idle_since, "a redraw of the rows is not activity"
    staff.get("/admin/inbox")
    with staff.session_transaction() as session:
        assert session["seen_at"] > idle_since, "opening the list is activity"
    nammong_oa.config["SESSION_IDLE_MINUTES"] = 1
    with staff.session_transaction() as session:
        session["seen_at"] = idle_since
    assert redirects_to_login(staff.get("/admin/inbox/rows")), "an idle session ends on the next redraw"
