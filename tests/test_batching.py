"""Events queued for one answering thread are answered together: one claim, one commit of the
decisions, one of the outcomes. Anything out of the common case falls back to one at a time."""

from __future__ import annotations

import queue
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from bot import engine
from bot.line.dispatcher import EventDispatcher
from bot.line.processing import process_events
from models import ChatMessage, WebhookEvent, db
from tests import events as ev
from tests.conftest import PG_URL
from tests.helpers import post


@pytest.fixture
def recorded(demo, monkeypatch):
    """Events are recorded and acked, but nothing answers them until the test says so."""
    pks: list[int] = []
    monkeypatch.setattr(demo.extensions["event_dispatcher"], "submit", lambda pk, chat: pks.append(pk))
    return pks


@pytest.fixture
def commits(demo):
    """How many transactions this test's thread committed (not the dispatcher's sweeper, which may
    run its chores at any moment)."""
    counted = {"n": 0}
    this_thread = threading.get_ident()
    with demo.app_context():
        engine_ = db.engine

    def on_commit(conn):
        if threading.get_ident() == this_thread:
            counted["n"] += 1

    sa_event.listen(engine_, "commit", on_commit)
    yield counted
    sa_event.remove(engine_, "commit", on_commit)


def _record(client, *events: dict) -> None:
    response = post(client, ev.body(*events))
    assert response.status_code == 200, response.get_data(as_text=True)


def _statuses(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(WebhookEvent.status, WebhookEvent.last_error).order_by(WebhookEvent.id)
            )
        ]


def test_queued_events_of_several_chats_are_answered_together_in_two_commits(demo, client, line, recorded, commits):
    users = [ev.new_user() for _ in range(3)]
    asked = [ev.text(u, "นครปฐมได้คะแนน ITA เท่าไหร่") for u in users]
    for event in asked:
        _record(client, event)
    commits["n"] = 0
    process_events(demo, recorded)
    assert commits["n"] == 2  # the claims and decisions, then the outcomes: not three commits per event
    sent = line.wait_for(3)
    assert [s.reply_token for s in sent] == [e["replyToken"] for e in asked]  # in the order they came
    assert all("93.68" in s.all_text() for s in sent)
    assert _statuses(demo) == [("done", None)] * 3
    with demo.app_context():
        replies = db.session.scalars(select(ChatMessage).where(ChatMessage.direction == "out")).all()
        assert sorted(m.status for m in replies) == ["sent"] * 3
        assert all(m.sent_at is not None for m in replies)
        assert db.session.scalar(select(WebhookEvent.payload)) == {}  # finished: the body is not kept


def test_a_follow_up_in_the_same_batch_reads_the_context_the_question_before_it_left(demo, client, line, recorded):
    user = ev.new_user()
    _record(client, ev.text(user, "อบจ.นครพนม ได้คะแนนเท่าไหร่"), ev.text(user, "แล้วตัวชี้วัดที่ 9 ล่ะ"))
    assert len(recorded) == 2
    process_events(demo, recorded)
    first, second = line.wait_for(2)
    assert "นครพนม" in first.all_text()
    assert "นครพนม" in second.all_text() and "9" in second.all_text()
    with demo.app_context():
        incoming = db.session.scalars(
            select(ChatMessage.text).where(ChatMessage.direction == "in").order_by(ChatMessage.id)
        ).all()
    assert incoming == ["อบจ.นครพนม ได้คะแนนเท่าไหร่", "แล้วตัวชี้วัดที่ 9 ล่ะ"]


def test_the_worker_given_a_citizens_later_message_answers_the_earlier_one_first(demo, client, line, recorded):
    """Two processes, each handed one of a citizen's messages: whichever comes first answers both, in
    the order sent; the other finds nothing left to answer. Until answered, an event keeps its chat."""
    user = ev.new_user()
    question, follow_up = ev.text(user, "อบจ.นครพนม ได้คะแนนเท่าไหร่"), ev.text(user, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    _record(client, question)
    _record(client, follow_up)
    with demo.app_context():
        assert db.session.scalars(select(WebhookEvent.chat)).all() == [user, user]
    process_events(demo, [recorded[1]])  # the follow-up's process is first
    sent = line.wait_for(2)
    assert [s.reply_token for s in sent] == [question["replyToken"], follow_up["replyToken"]]
    assert "นครพนม" in sent[1].all_text() and "9" in sent[1].all_text()
    process_events(demo, [recorded[0]])  # the question's process, later: already answered
    assert len(line.wait_for(2)) == 2
    assert _statuses(demo) == [("done", None)] * 2
    with demo.app_context():
        assert db.session.scalars(select(WebhookEvent.chat)).all() == [None, None]  # finished: not kept


@pytest.fixture
def held_send(demo, client, line, recorded, monkeypatch):
    """A worker that has committed its answer to a citizen's question and is still sending it when the
    citizen's next message arrives (it is recorded only then, so the first worker did not take it too)."""
    from bot.line import processing

    user = ev.new_user()
    question, follow_up = ev.text(user, "อบจ.นครพนม ได้คะแนนเท่าไหร่"), ev.text(user, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    sending, go_on = threading.Event(), threading.Event()
    real_send = processing.send

    def send(message, token=None):
        if message.event_id == question["webhookEventId"]:
            sending.set()
            assert go_on.wait(10)
        return real_send(message, token)

    monkeypatch.setattr(processing, "send", send)
    _record(client, question)
    first = threading.Thread(target=process_events, args=(demo, [recorded[0]]))
    first.start()
    assert sending.wait(10)
    _record(client, follow_up)
    second = threading.Thread(target=process_events, args=(demo, [recorded[1]]))
    second.start()
    yield SimpleNamespace(question=question, follow_up=follow_up, go_on=go_on, threads=(first, second))
    go_on.set()
    first.join(10)
    second.join(10)


def test_a_reply_waits_while_another_worker_sends_the_chats_earlier_reply(demo, line, held_send):
    first, second = held_send.threads
    second.join(0.5)
    assert second.is_alive() and not line.sent  # decided, and waiting for the earlier reply to go out
    held_send.go_on.set()
    first.join(10)
    second.join(10)
    sent = line.wait_for(2)
    assert [s.reply_token for s in sent] == [held_send.question["replyToken"], held_send.follow_up["replyToken"]]
    assert "นครพนม" in sent[1].all_text() and "9" in sent[1].all_text()
    assert _statuses(demo) == [("done", None)] * 2


@pytest.fixture
def short_order_wait(monkeypatch):
    from bot.line import processing

    monkeypatch.setattr(processing, "SEND_ORDER_WAIT", 0.3)


def test_a_stalled_sender_is_waited_for_only_so_long(demo, line, short_order_wait, held_send):
    first, second = held_send.threads
    second.join(10)
    assert not second.is_alive() and first.is_alive()
    assert [s.reply_token for s in line.wait_for(1)] == [held_send.follow_up["replyToken"]]


def test_an_event_recorded_before_chats_were_kept_is_still_answered(demo, client, line, recorded):
    asked = ev.text(ev.new_user(), "นครปฐมได้คะแนน ITA เท่าไหร่")
    _record(client, asked)
    with demo.app_context():
        db.session.execute(WebhookEvent.__table__.update().values(chat=None))
        db.session.commit()
    process_events(demo, recorded)
    assert "93.68" in line.wait_for(1)[0].all_text()
    assert _statuses(demo) == [("done", None)]


def test_an_event_delivered_twice_in_one_batch_is_answered_once(demo, client, line, recorded):
    _record(client, ev.text(ev.new_user(), "สวัสดีครับ"))
    process_events(demo, recorded * 2)
    assert len(line.wait_for(1)) == 1
    assert _statuses(demo) == [("done", None)]


def test_a_batch_holding_a_follow_answers_each_alone_and_loses_nothing(demo, client, line, recorded, commits):
    """A follow reads the profile from LINE while deciding: not something to hold a batch's claims over."""
    newcomer, asker = ev.new_user(), ev.new_user()
    events = [ev.follow(newcomer), ev.text(asker, "นครปฐมได้คะแนนเท่าไหร่")]
    _record(client, *events)
    commits["n"] = 0
    process_events(demo, recorded)
    assert commits["n"] > 2  # answered one at a time
    sent = line.wait_for(2)
    assert sorted(s.reply_token for s in sent) == sorted(e["replyToken"] for e in events)
    assert "93.68" in next(s for s in sent if s.reply_token == events[1]["replyToken"]).all_text()
    assert _statuses(demo) == [("done", None)] * 2


def test_an_event_that_breaks_the_batch_fails_alone_and_the_others_are_answered(
    demo, client, line, recorded, monkeypatch
):
    real = engine.respond

    def respond(conversation, text, **kw):
        if text == "ข้อความที่ทำให้พัง":
            raise RuntimeError("a bug in one answer")
        return real(conversation, text, **kw)

    monkeypatch.setattr(engine, "respond", respond)
    good, bad = ev.new_user(), ev.new_user()
    _record(client, ev.text(good, "นครปฐมได้คะแนนเท่าไหร่"), ev.text(bad, "ข้อความที่ทำให้พัง"))
    _record(client, ev.text(good, "สวัสดีครับ"))
    process_events(demo, recorded)
    sent = line.wait_for(2)
    assert len(sent) == 2 and "93.68" in sent[0].all_text()
    with demo.app_context():
        rows = dict(db.session.execute(select(WebhookEvent.id, WebhookEvent.status)).all())
        failed = db.session.scalar(select(WebhookEvent).where(WebhookEvent.last_error.is_not(None)))
        assert failed.status == "pending" and failed.last_error == "RuntimeError"  # retried later
        assert failed.payload  # kept for the retry
    assert sorted(rows.values()) == ["done", "done", "pending"]


def test_a_reply_that_breaks_while_sending_is_retried_alone_and_the_others_are_kept_sent(
    demo, client, line, recorded, monkeypatch
):
    from bot.line import processing

    real = processing.render
    rendered = []

    def render(reply):
        rendered.append(reply)
        if len(rendered) == 2:
            raise RuntimeError("a bug rendering one reply")
        return real(reply)

    monkeypatch.setattr(processing, "render", render)
    events = [ev.text(ev.new_user(), "นครปฐมได้คะแนนเท่าไหร่") for _ in range(3)]
    for event in events:
        _record(client, event)
    process_events(demo, recorded)
    assert [s.reply_token for s in line.wait_for(2)] == [events[0]["replyToken"], events[2]["replyToken"]]
    with demo.app_context():
        states = db.session.execute(
            select(WebhookEvent.status, WebhookEvent.last_error, ChatMessage.status)
            .join(ChatMessage, (ChatMessage.event_id == WebhookEvent.event_id) & (ChatMessage.direction == "out"))
            .order_by(WebhookEvent.id)
        ).all()
    assert [tuple(row) for row in states] == [
        ("done", None, "sent"),
        ("pending", "RuntimeError", "pending"),  # its stored reply is sent by the retry, not decided again
        ("done", None, "sent"),
    ]


def test_events_another_worker_holds_are_left_to_it(demo, client, line, recorded):
    events = [ev.text(ev.new_user(), "สวัสดีครับ") for _ in range(2)]
    for event in events:
        _record(client, event)
    with demo.app_context():
        db.session.execute(
            WebhookEvent.__table__.update().where(WebhookEvent.id == recorded[0]).values(status="processing")
        )
        db.session.commit()
    process_events(demo, recorded)
    assert [s.reply_token for s in line.wait_for(1)] == [events[1]["replyToken"]]
    assert sorted(_statuses(demo)) == [("done", None), ("processing", None)]


def test_a_thread_takes_what_is_queued_behind_the_first_event_up_to_the_batch_size():
    q: queue.Queue = queue.Queue()
    for pk in range(1, 6):
        q.put(pk)
    assert EventDispatcher._take(q, 3) == [1, 2, 3]
    assert EventDispatcher._take(q, 3) == [4, 5]  # does not wait for more
    q.put(6)
    q.put(None)  # stop
    q.put(7)
    assert EventDispatcher._take(q, 10) == [6, None]  # stops at the stop mark


def test_the_dispatcher_answers_a_burst_for_one_chat_in_order(demo, client, line):
    """Through the real worker threads: a burst from one citizen, answered in the order sent."""
    user = ev.new_user()
    questions = ["นครปฐมได้คะแนนเท่าไหร่", "แล้วตัวชี้วัดที่ 9 ล่ะ", "แล้วตัวชี้วัดที่ 1 ล่ะ", "ขอบคุณครับ"]
    events = [ev.text(user, q) for q in questions]
    for event in events:
        _record(client, event)
    assert demo.extensions["event_dispatcher"].drain()
    sent = line.wait_for(4)
    assert [s.reply_token for s in sent] == [e["replyToken"] for e in events]
    assert _statuses(demo) == [("done", None)] * 4


def test_two_citizens_rating_in_one_batch_each_keep_their_own_answers(nammong_oa, client, line, recorded, commits):
    """Rows one chat's event writes are read back by that chat's next event in the batch (a survey
    response and its answers); another chat's events in between neither see nor disturb them."""
    from models import SurveyQuestion, SurveyResponse

    with nammong_oa.app_context():
        questions = db.session.scalar(select(func.count()).select_from(SurveyQuestion))
    first, second = ev.new_user(), ev.new_user()
    _record(client, ev.postback(first, "flow=survey"), ev.postback(second, "flow=survey"))
    for n in range(questions):
        _record(client, ev.text(first, "5"), ev.text(second, str(1 + n % 5)))
    commits["n"] = 0
    process_events(nammong_oa, recorded)
    assert commits["n"] == 2  # answered together, not one by one
    with nammong_oa.app_context():
        responses = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        scores = [sorted((a.question.position, a.score) for a in r.answers) for r in responses]
        assert [r.status for r in responses] == ["complete", "complete"]
    assert [s for _, s in scores[0]] == [5] * questions
    assert [s for _, s in scores[1]] == [1 + n % 5 for n in range(questions)]
    assert _statuses(nammong_oa) == [("done", None)] * (2 + 2 * questions)


def test_an_event_another_worker_takes_while_the_batch_decides_stays_with_it(demo, client, line, recorded, monkeypatch):
    """Deciding happens before claiming; a worker that claims one of the events meanwhile keeps it,
    and the batch's decisions are dropped and made again one event at a time."""
    from bot.line import processing

    users = [ev.new_user() for _ in range(2)]
    for user in users:  # returning citizens: deciding their next question writes nothing before the claim
        _record(client, ev.text(user, "สวัสดีครับ"))
    process_events(demo, recorded)
    line.reset()
    recorded.clear()
    events = [ev.text(user, "นครปฐมได้คะแนนเท่าไหร่") for user in users]
    for event in events:
        _record(client, event)
    real_claim_all = processing.claim_all

    def claim_all(pks):
        if len(pks) > 1:  # the batch's claim: another process's sweeper took the first event just before
            with db.engine.begin() as other:
                other.execute(
                    WebhookEvent.__table__.update()
                    .where(WebhookEvent.id == recorded[0])
                    .values(status="processing", attempts=1, locked_until=processing.utcnow() + timedelta(minutes=1))
                )
        return real_claim_all(pks)

    monkeypatch.setattr(processing, "claim_all", claim_all)
    process_events(demo, recorded)
    assert [s.reply_token for s in line.wait_for(1)] == [events[1]["replyToken"]]
    assert _statuses(demo)[2:] == [("processing", None), ("done", None)]
    with demo.app_context():
        replies = db.session.scalars(select(ChatMessage.event_id).where(ChatMessage.direction == "out")).all()
    assert events[0]["webhookEventId"] not in replies  # the taken event's reply is its taker's to decide
    assert events[1]["webhookEventId"] in replies


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set TEST_DATABASE_URL): SQLite has no row locks to wait on")
def test_a_worker_answering_a_chat_another_is_answering_waits_and_reads_its_context(
    demo, client, line, recorded, monkeypatch
):
    """Two processes, each with one of a citizen's messages: the second waits for the first's answer
    and reads the context it left, instead of deciding on a stale one and throwing the work away."""
    from bot.line import processing

    user = ev.new_user()
    _record(client, ev.text(user, "สวัสดีครับ"))
    process_events(demo, recorded)
    line.reset()
    recorded.clear()
    question, follow_up = ev.text(user, "อบจ.นครพนม ได้คะแนนเท่าไหร่"), ev.text(user, "แล้วตัวชี้วัดที่ 9 ล่ะ")
    _record(client, question)
    _record(client, follow_up)
    deciding, go_on = threading.Event(), threading.Event()
    real_respond = engine.respond

    def respond(conversation, text, **kwargs):
        if "นครพนม" in text:
            deciding.set()
            assert go_on.wait(10)
        return real_respond(conversation, text, **kwargs)

    alone = []
    real_process_event = processing.process_event
    monkeypatch.setattr(engine, "respond", respond)
    monkeypatch.setattr(processing, "process_event", lambda app, pk: (alone.append(pk), real_process_event(app, pk)))
    first = threading.Thread(target=process_events, args=(demo, [recorded[0]]))
    second = threading.Thread(target=process_events, args=(demo, [recorded[1]]))
    first.start()
    assert deciding.wait(10)
    second.start()
    second.join(0.5)
    assert second.is_alive() and not line.sent  # waiting on the chat's row, nothing decided
    go_on.set()
    first.join(10)
    second.join(10)
    sent = line.wait_for(2)
    assert [s.reply_token for s in sent] == [question["replyToken"], follow_up["replyToken"]]
    assert "นครพนม" in sent[1].all_text() and "9" in sent[1].all_text()
    assert alone == []  # neither batch was thrown away and done again one event at a time
    assert _statuses(demo)[1:] == [("done", None)] * 2


@pytest.mark.skipif(
    bool(PG_URL), reason="SQLite only: on PostgreSQL the batch holds its chats' rows, so nothing can make it stale"
)
def test_a_batch_another_process_made_stale_is_decided_again_together(
    demo, client, line, recorded, commits, monkeypatch
):
    """Between deciding and claiming, another process answers one of the batch's chats: the batch is
    decided again on the context it left, together, not thrown to one event at a time."""
    from bot.line import processing
    from models import Conversation

    users = [ev.new_user() for _ in range(2)]
    for user in users:
        _record(client, ev.text(user, "สวัสดีครับ"))
    process_events(demo, recorded)
    line.reset()
    recorded.clear()
    asked = [ev.text(users[0], "แล้วตัวชี้วัดที่ 9 ล่ะ"), ev.text(users[1], "นครปฐมได้คะแนนเท่าไหร่")]
    for event in asked:
        _record(client, event)
    real_claim_all = processing.claim_all
    claims = []

    def claim_all(pks):
        claims.append(pks)
        if len(claims) == 1:  # the other process answers the first citizen's earlier question now
            with db.engine.begin() as other:
                other.execute(
                    Conversation.__table__.update()
                    .where(Conversation.chat_id == users[0])
                    .values(
                        context={"intent": "total_score", "agency": "nakhonphanom", "said": "total_score"},
                        version=Conversation.version + 1,
                    )
                )
        return real_claim_all(pks)

    alone = []
    monkeypatch.setattr(processing, "claim_all", claim_all)
    monkeypatch.setattr(processing, "process_event", lambda app, pk: alone.append(pk))
    commits["n"] = 0
    process_events(demo, recorded)
    assert len(claims) == 2 and alone == []  # decided twice, together both times
    assert commits["n"] == 1 + 2  # the other process's, then the batch's two: the stale try committed nothing
    sent = line.wait_for(2)
    assert [s.reply_token for s in sent] == [e["replyToken"] for e in asked]
    assert "นครพนม" in sent[0].all_text()  # the follow-up read the context the other process left
    assert _statuses(demo)[2:] == [("done", None)] * 2
