"""POST /callback: signature, malformed and oversized bodies, once-only processing, fallbacks."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from models import ChatMessage, Conversation, WebhookEvent, db
from tests import events as ev
from tests.helpers import ask, deliver, event_rows, post


def test_verify_request_without_events_is_acknowledged(app, client, line):
    response = post(client, ev.body())
    assert response.status_code == 200
    assert event_rows(app) == 0
    assert line.requests == []


@pytest.mark.parametrize(
    "signature",
    [None, "", ev.sign(b"other body"), ev.sign(ev.body(), secret="wrong-secret"), "not base64 !!!"],
    ids=["missing", "empty", "other-body", "wrong-secret", "not-base64"],
)
def test_forged_signature_is_refused_without_side_effects(app, client, line, signature):
    payload = ev.body(ev.text(ev.new_user(), "คะแนน ITA"))
    response = post(client, payload, signature=signature)
    assert response.status_code == 400
    assert event_rows(app) == 0
    assert line.requests == []


def test_altered_body_with_original_signature_is_refused(app, client, line):
    payload = ev.body(ev.text(ev.new_user(), "คะแนน ITA"))
    response = post(client, payload.replace(b"ITA", b"XYZ"), signature=ev.sign(payload))
    assert response.status_code == 400
    assert event_rows(app) == 0


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"\xff\xfe\x00 invalid utf-8",
        b"[]",
        b'{"events": {}}',
        b'{"events": [1, 2]}',
        json.dumps({"events": [{"type": "message", "timestamp": 1}]}).encode(),
        json.dumps({"events": [{"type": "message", "webhookEventId": "x" * 65, "timestamp": 1}]}).encode(),
    ],
    ids=["bad-json", "bad-utf8", "array", "events-object", "events-numbers", "no-event-id", "event-id-too-long"],
)
def test_signed_junk_gets_400_not_500(app, client, line, payload):
    response = post(client, payload)
    assert response.status_code == 400
    assert event_rows(app) == 0


def test_oversized_body_gets_413_before_anything_else(app, client, line):
    payload = ev.body(ev.text(ev.new_user(), "ก" * 400_000))  # 1.2 MB of UTF-8
    response = post(client, payload)
    assert response.status_code == 413
    assert event_rows(app) == 0


def test_question_is_answered_by_reply_and_stored(demo, client, line):
    user = ev.new_user()
    sent = ask(demo, client, line, user, "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่")
    assert sent.kind == "reply"
    assert "85.86" in sent.all_text()
    assert sent.messages[1]["type"] == "flex"
    assert sent.quick_labels(), "the answer offers next questions"
    with demo.app_context():
        event = db.session.scalars(select(WebhookEvent)).one()
        assert event.status == "done"
        conversation = db.session.scalars(select(Conversation)).one()
        assert conversation.chat_id == user
        directions = [(m.direction, m.status) for m in conversation.messages]
        assert directions == [("in", "received"), ("out", "sent")]
        assert conversation.context["agency"] == "nammong"


def test_redelivered_event_is_answered_once(demo, client, line):
    event = ev.text(ev.new_user(), "น้ำโมงได้กี่คะแนน")
    deliver(demo, client, event)
    again = {**event, "deliveryContext": {"isRedelivery": True}}
    deliver(demo, client, again)
    deliver(demo, client, event)
    assert len(line.wait_for(1)) == 1
    assert event_rows(demo) == 1


def test_duplicate_events_in_one_body_are_recorded_once(demo, client, line):
    event = ev.text(ev.new_user(), "น้ำโมงได้กี่คะแนน")
    deliver(demo, client, event, event)
    assert event_rows(demo) == 1
    assert len(line.wait_for(1)) == 1


def test_forty_users_at_once_each_get_one_answer(demo, client, line):
    users = [ev.new_user() for _ in range(40)]
    statuses = []

    def one(user):
        app_client = demo.test_client()
        statuses.append(post(app_client, ev.body(ev.text(user, "นครปฐมได้คะแนนเท่าไหร่"))).status_code)

    threads = [threading.Thread(target=one, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 40
    assert demo.extensions["event_dispatcher"].drain(30)
    sent = line.wait_for(40, timeout=30)
    assert sorted(s.to for s in sent) == sorted(users)
    assert all("93.68" in s.all_text() for s in sent)
    with demo.app_context():
        assert set(db.session.scalars(select(WebhookEvent.status))) == {"done"}


def test_ack_comes_before_any_call_to_a_slow_line_api(demo, client, line):
    line.delay = 2.0  # wide margin: the assertion below must run before the stand-in records
    event = ev.text(ev.new_user(), "น้ำโมงได้กี่คะแนน")
    response = post(client, ev.body(event))
    assert response.status_code == 200
    # The ack did not wait for LINE: nothing had reached the API when it was sent.
    assert line.sent == []
    assert demo.extensions["event_dispatcher"].drain(10)
    assert len(line.wait_for(1)) == 1


def test_line_api_500_on_reply_is_retried(demo, client, line):
    line.fail("/v2/bot/message/reply", status=500, times=2)
    sent = ask(demo, client, line, ev.new_user(), "น้ำโมงได้กี่คะแนน")
    assert sent.kind == "reply"
    assert [p for _, p in line.requests].count("/v2/bot/message/reply") == 3


def test_reply_failing_for_good_falls_back_to_one_push_with_retry_key(demo, client, line):
    line.fail("/v2/bot/message/reply", status=500, times=10)
    user = ev.new_user()
    sent = ask(demo, client, line, user, "น้ำโมงได้กี่คะแนน")
    assert sent.kind == "push" and sent.to == user and sent.retry_key
    assert "85.86" in sent.all_text()


def test_expired_reply_token_falls_back_to_push(demo, client, line):
    user = ev.new_user()
    event = ev.text(user, "นครปฐมได้กี่คะแนน")
    line.expire_token(event["replyToken"])
    deliver(demo, client, event)
    sent = line.wait_for(1)
    assert [s.kind for s in sent] == ["push"] and sent[0].to == user
    with demo.app_context():
        message = db.session.scalar(select(ChatMessage).where(ChatMessage.direction == "out"))
        assert message.status == "sent" and message.retry_key == sent[0].retry_key


def test_push_retry_after_429_is_honoured_and_same_key_reused(demo, client, line):
    user = ev.new_user()
    event = ev.text(user, "นครปฐมได้กี่คะแนน")
    line.expire_token(event["replyToken"])
    line.fail("/v2/bot/message/push", status=429, times=1, retry_after=0)
    deliver(demo, client, event)
    sent = line.wait_for(1)
    assert [s.kind for s in sent] == ["push"]
    assert [p for _, p in line.requests].count("/v2/bot/message/push") == 2


def test_message_that_cannot_be_delivered_is_kept_as_failed(demo, client, line):
    line.fail("/v2/bot/message/", status=500, times=100)
    deliver(demo, client, ev.text(ev.new_user(), "นครปฐมได้กี่คะแนน"))
    with demo.app_context():
        message = db.session.scalar(select(ChatMessage).where(ChatMessage.direction == "out"))
        assert message.status == "failed" and message.last_error == "LINE 500"
        assert "93.68" in message.text  # nothing lost: staff can see and resend it
        assert db.session.scalar(select(WebhookEvent.status)) == "done"


def test_events_recorded_before_a_crash_are_answered_after_restart(demo, client, line, monkeypatch):
    from bot.line.recovery import process_pending

    dispatcher = demo.extensions["event_dispatcher"]
    monkeypatch.setattr(dispatcher, "submit", lambda pk, chat: None)  # the process dies right after the ack
    users = [ev.new_user() for _ in range(3)]
    for user in users:
        assert post(client, ev.body(ev.text(user, "นครปฐมได้คะแนนเท่าไหร่"))).status_code == 200
    assert line.sent == []
    assert process_pending(demo) == 3  # what a restarted worker's sweep does
    sent = line.wait_for(3)
    assert sorted(s.to for s in sent) == sorted(users)


def test_reply_stored_but_not_sent_is_sent_without_deciding_again(demo, client, line, monkeypatch):
    from bot.line import processing, recovery

    calls = []
    real_send = processing.send
    monkeypatch.setattr(processing, "send", lambda message, token=None: calls.append(message.id))
    deliver(demo, client, ev.text(ev.new_user(), "นครปฐมได้คะแนนเท่าไหร่"))
    assert line.sent == [] and len(calls) == 1
    monkeypatch.setattr(processing, "send", real_send)
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        row.status = "pending"  # as if the worker died before finishing
        db.session.commit()
    assert recovery.process_pending(demo) == 1
    sent = line.wait_for(1)
    assert len(sent) == 1 and sent[0].kind == "push"
    with demo.app_context():
        assert (
            db.session.scalar(select(db.func.count()).select_from(ChatMessage).where(ChatMessage.direction == "out"))
            == 1
        )


def test_database_down_answers_503_so_line_redelivers(app, client, line, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is away"))

    with app.app_context():
        monkeypatch.setattr(type(db.engine), "begin", broken)
        response = post(client, ev.body(ev.text(ev.new_user(), "คะแนน")))
    assert response.status_code == 503


def test_no_citizen_text_or_user_id_reaches_the_logs(demo, client, line, caplog):
    caplog.set_level("DEBUG")
    user = ev.new_user()
    secret_text = "เบอร์ผม 0812345678 ชื่อสมชาย"
    line.fail("/v2/bot/message/", status=500, times=100)
    deliver(demo, client, ev.text(user, secret_text))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert user not in logged and "0812345678" not in logged and "สมชาย" not in logged


def test_event_held_by_a_dead_worker_is_taken_again_only_after_its_lease(demo, client, line, monkeypatch):
    from datetime import timedelta

    from bot.line.recovery import due_events, process_pending
    from models.types import utcnow

    monkeypatch.setattr(demo.extensions["event_dispatcher"], "submit", lambda pk, chat: None)
    assert post(client, ev.body(ev.text(ev.new_user(), "นครปฐมได้คะแนนเท่าไหร่"))).status_code == 200
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        row.status, row.attempts, row.locked_until = "processing", 1, utcnow() + timedelta(seconds=30)
        db.session.commit()
    assert due_events(demo) == []
    assert process_pending(demo) == 1 and line.sent == []  # another worker still holds it
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        pk = row.id
    assert [due for due, _ in due_events(demo)] == [pk]
    process_pending(demo)
    assert len(line.wait_for(1)) == 1
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        assert row.status == "done" and row.attempts == 2


def test_an_event_a_worker_died_on_at_its_last_attempt_is_given_up_and_forgotten(demo, client, line, monkeypatch):
    from datetime import timedelta

    from bot.line.recovery import due_events, housekeeping
    from models.types import utcnow

    monkeypatch.setattr(demo.extensions["event_dispatcher"], "submit", lambda pk, chat: None)
    assert post(client, ev.body(ev.text(ev.new_user(), "ปลัดเรียกเงิน 5,000 บาท"))).status_code == 200
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        row.status, row.attempts = "processing", demo.config["EVENT_MAX_ATTEMPTS"]
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert due_events(demo) == [], "no one may claim it: it is not handed to a worker again"
    housekeeping(demo)
    with demo.app_context():
        row = db.session.scalars(select(WebhookEvent)).one()
        assert row.status == "failed" and row.payload == {} and row.last_error == "gave up"


def test_undelivered_reply_is_listed_without_content_and_resent_once(demo, client, line):
    line.fail("/v2/bot/message/", status=500, times=100)
    user = ev.new_user()
    deliver(demo, client, ev.text(user, "นครปฐมได้กี่คะแนน"))
    runner = demo.test_cli_runner()
    listed = runner.invoke(args=["undelivered"])
    assert listed.exit_code == 0 and "LINE 500" in listed.output
    assert user not in listed.output and "93.68" not in listed.output  # staff see that it failed, not what
    with demo.app_context():
        message_id = db.session.scalar(select(ChatMessage.id).where(ChatMessage.status == "failed"))
    line.reset()  # LINE is back
    assert "sent" in runner.invoke(args=["undelivered", "--resend", str(message_id)]).output
    sent = line.wait_for(1)
    assert sent[0].kind == "push" and sent[0].to == user and "93.68" in sent[0].all_text()
    again = runner.invoke(args=["undelivered", "--resend", str(message_id)]).output
    assert "not resent" in again and len(line.sent) == 1


def test_health_check_says_when_the_database_is_away(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    assert client.get("/healthz").status_code == 200

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is away"))

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503


def test_gunicorn_hooks_start_the_workers_and_drain_them_on_shutdown(demo, client, line, monkeypatch):
    import gc
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(__file__).parent.parent / "gunicorn.conf.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    worker = SimpleNamespace(wsgi=demo)
    dispatcher = demo.extensions["event_dispatcher"]
    try:
        hooks.post_worker_init(worker)
        # What the worker loaded (pythainlp's dictionary) is kept out of the collector's full passes.
        assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()  # this test process goes on collecting as before
    assert dispatcher._queues is not None  # started without waiting for a request
    line.delay = 0.3
    assert post(client, ev.body(ev.text(ev.new_user(), "นครปฐมได้คะแนนเท่าไหร่"))).status_code == 200
    hooks.worker_exit(None, worker)  # graceful shutdown right after the ack
    assert len(line.sent) == 1, "the acknowledged event was answered before the process exited"
    hooks.worker_exit(None, SimpleNamespace(wsgi=object()))  # the bench's bare baseline has no dispatcher
