"""The web chat API: the bot's answers behind a login, CSRF, and citizen text kept as data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from models import ChatMessage, Conversation, db
from tests.web import (
    CHAT_JS,
    ask,
    chat_token,
    count,
    logged_in,
    reply_text,
)

# --- the web chat API ------------------------------------------------------------------------------------


def test_chat_answers_a_question_and_a_follow_up(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    first = ask(client, token, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    assert first.status_code == 200
    assert first.is_json
    body = first.get_json()
    assert set(body) >= {"messages", "quick_replies"}
    assert "85.86" in reply_text(first)
    assert body["quick_replies"], "the answer offers next questions"
    follow_up = ask(client, token, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    assert follow_up.status_code == 200
    assert "73.25" in reply_text(follow_up)
    with demo.app_context():
        directions = db.session.scalars(select(ChatMessage.direction).order_by(ChatMessage.id)).all()
        assert directions == ["in", "out", "in", "out"]
        conversation = db.session.scalars(select(Conversation)).one()
        assert conversation.channel == "web"


def test_chat_without_csrf_token_is_refused(demo, client):
    logged_in(demo, client)
    response = ask(client, None, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    assert response.status_code == 400
    assert ask(client, "forged-token", "น้ำโมง").status_code == 400
    assert count(demo, ChatMessage) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "text=hello", "content_type": "application/x-www-form-urlencoded"},
        {"data": "hello", "content_type": "text/plain"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": {}},
        {"json": {"message": "hello"}},
        {"json": {"text": 5}},
        {"json": {"text": None}},
        {"json": ["hello"]},
        {"json": "hello"},
    ],
    ids=["form", "plain-text", "bad-json", "empty-object", "no-text", "number", "null", "array", "string"],
)
def test_chat_refuses_a_body_that_is_not_json_with_text(demo, client, kwargs):
    logged_in(demo, client)
    token = chat_token(client)
    response = client.post("/admin/chat/messages", headers={"X-CSRFToken": token}, **kwargs)
    assert response.status_code == 400
    assert count(demo, ChatMessage) == 0


def test_chat_text_over_5000_characters_is_413(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    assert ask(client, token, "ก" * 5001).status_code == 413
    assert count(demo, ChatMessage) == 0
    assert ask(client, token, "ก" * 5000).status_code == 200


@pytest.mark.parametrize(
    "payload",
    ['<script>alert("x")</script>', "<img src=x onerror=alert(1)> ได้คะแนนเท่าไหร่", '"><svg onload=alert(1)>'],
)
def test_html_in_chat_comes_back_only_as_json_data(demo, client, payload):
    logged_in(demo, client)
    token = chat_token(client)
    response = ask(client, token, payload)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_json()
    assert isinstance(body["messages"], list)
    with demo.app_context():
        stored = db.session.scalar(select(ChatMessage.text).where(ChatMessage.direction == "in"))
        assert stored == payload, "the question is kept as the citizen typed it"
    page = client.get("/admin/chat").get_data(as_text=True)
    assert payload not in page


def test_chat_script_never_writes_html():
    # Comments may name what is avoided ("never innerHTML"); the code must not use it.
    source = re.sub(r"/\*.*?\*/", "", CHAT_JS.read_text(encoding="utf-8"), flags=re.S)
    source = re.sub(r"(^|[^:])//[^\n]*", r"\1", source)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, f"chat.js uses {sink}"
    assert "textContent" in source


def test_chat_reset_clears_the_context(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    assert "85.86" in reply_text(ask(client, token, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่"))
    with demo.app_context():
        assert db.session.scalars(select(Conversation)).one().context.get("agency") == "nammong"
    assert client.post("/admin/chat/reset").status_code == 400, "reset needs the CSRF token"
    response = client.post("/admin/chat/reset", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json() == {"ok": True}
    with demo.app_context():
        conversation = db.session.scalars(select(Conversation)).one()
        assert conversation.context == {}
        assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 2, "history is kept"
    after = ask(client, token, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    assert after.status_code == 200
    assert "73.25" not in reply_text(after), "the agency was forgotten"


def test_each_user_has_their_own_chat_context(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    ask(client, token, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    other = demo.test_client()
    logged_in(demo, other, username="bob")
    answer = ask(other, chat_token(other), "แล้วตัวชี้วัดที่ 9 ล่ะ")
    assert answer.status_code == 200
    assert "73.25" not in reply_text(answer)


# --- flows on the web chat: buttons are postbacks, and a handed-over chat is quiet ------------------------


def tap(client, token, data):
    return client.post("/admin/chat/messages", json={"postback": data}, headers={"X-CSRFToken": token})


def test_the_web_chat_walks_the_survey_by_its_buttons(demo, client):
    demo.config["DEFAULT_AGENCY"] = "nammong"
    logged_in(demo, client)
    token = chat_token(client)
    first = tap(client, token, "flow=survey").get_json()
    assert "1/" in first["messages"][0]["text"]
    five = next(q for q in first["quick_replies"] if q["action"] == "postback" and q["data"].endswith("s=5"))
    second = tap(client, token, five["data"]).get_json()
    assert "2/" in second["messages"][0]["text"]


def test_a_handed_over_web_chat_gets_no_bot_answer_and_oversized_buttons_are_refused(demo, client):
    logged_in(demo, client)
    token = chat_token(client)
    assert "เจ้าหน้าที่" in reply_text(ask(client, token, "ขอคุยกับเจ้าหน้าที่"))
    quiet = ask(client, token, "น้ำโมงได้กี่คะแนน")
    assert quiet.status_code == 200 and quiet.get_json()["messages"] == []
    assert tap(client, token, "x" * 301).status_code == 413
    assert client.post("/admin/chat/messages", json={"postback": 5}, headers={"X-CSRFToken": token}).status_code == 400
