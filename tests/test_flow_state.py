"""Where a citizen is in a flow lives in the database: it survives a restart and two workers at once."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from app import create_app
from bot.i18n import t
from bot.line.processing import process_event
from models import SurveyResponse, WebhookEvent, db
from tests import events as ev
from tests.citizen import Citizen
from tests.helpers import post


def answers(app) -> list[tuple[int, int]]:
    """(question position, score), in the survey's order (ids need not follow it: PostgreSQL numbers
    the rows of one multi-row insert in no promised order)."""
    with app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        return sorted((a.question.position, a.score) for a in response.answers)


def test_a_flow_goes_on_after_a_restart(nammong_oa, app_config, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=complaint")
    citizen.tap_button(t("complaint.lane.general"))
    citizen.tap_button(t("complaint.agree"))
    nammong_oa.extensions["event_dispatcher"].stop()
    restarted = create_app({**app_config, "DEFAULT_AGENCY": "nammong"})  # a new process, the same database
    try:
        again = Citizen(restarted, restarted.test_client(), line, user_id=citizen.user_id)
        again.last = citizen.last
        again.tap_button(t("complaint.category.service_delay"))
        assert t("complaint.ask.describe", limit="2,000") in again.text
    finally:
        restarted.extensions["event_dispatcher"].stop()
        with restarted.app_context():
            db.engine.dispose()


def test_messages_arriving_together_from_one_user_are_answered_in_order(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=survey")
    now = int(time.time() * 1000)
    # Arriving 5, 4, 3 but said 4, 3, 5: LINE's timestamps, not arrival, give the order.
    events = [ev.text(citizen.user_id, score, ts=now + offset) for score, offset in (("5", 3), ("4", 1), ("3", 2))]
    response = post(client, ev.body(*events))
    assert response.status_code == 200
    assert nammong_oa.extensions["event_dispatcher"].drain()
    assert [score for _, score in answers(nammong_oa)] == [4, 3, 5]


def test_two_workers_answering_one_user_at_once_lose_nothing(nammong_oa, app_config, client, line, monkeypatch):
    """Two processes each take one of the user's messages at the same moment; both answers are kept."""
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=survey")
    recorded: list[int] = []
    monkeypatch.setattr(nammong_oa.extensions["event_dispatcher"], "submit", lambda pk, chat: recorded.append(pk))
    assert post(client, ev.body(ev.text(citizen.user_id, "5"), ev.text(citizen.user_id, "2"))).status_code == 200
    other = create_app({**app_config, "DEFAULT_AGENCY": "nammong"})
    try:
        start = threading.Barrier(2)

        def work(app, pk):
            start.wait()
            process_event(app, pk)

        threads = [
            threading.Thread(target=work, args=(a, pk)) for a, pk in zip((nammong_oa, other), recorded, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.extensions["event_dispatcher"].stop()
        with other.app_context():
            db.engine.dispose()
    with nammong_oa.app_context():
        statuses = db.session.scalars(select(WebhookEvent.status).where(WebhookEvent.id.in_(recorded))).all()
    assert statuses == ["done", "done"]
    scores = [score for _, score in answers(nammong_oa)]
    assert sorted(scores) == [2, 5] and len({q for q, _ in answers(nammong_oa)}) == 2


def test_a_photo_turn_that_loses_a_race_is_decided_again_at_once(nammong_oa, client, line, monkeypatch):
    """The claim of a photo turn is committed before the download; if the chat moves on meanwhile,
    the turn is decided again by the same worker, not left for the sweeper after its lease."""
    from sqlalchemy import update

    from bot.line.client import LineClient
    from models import ComplaintPhoto, Conversation

    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=complaint")
    citizen.tap_button(t("complaint.lane.general"))
    citizen.tap_button(t("complaint.agree"))
    citizen.tap_button(t("complaint.category.public_works"))
    citizen.says("ไฟส่องสว่างหน้าโรงเรียนดับมาสองสัปดาห์แล้ว")
    citizen.tap_button(t("complaint.skip"))
    citizen.tap_button(t("complaint.not_sure"))
    download, raced = LineClient.content, []

    def racing_download(self, message_id):
        if not raced:  # another worker writes to this chat while the photo downloads
            raced.append(True)
            with nammong_oa.app_context():
                db.session.execute(update(Conversation).values(version=Conversation.version + 1))
                db.session.commit()
        return download(self, message_id)

    monkeypatch.setattr(LineClient, "content", racing_download)
    citizen.sends_photo(b"photo", "image/jpeg")
    assert raced and t("complaint.photo_received", number=1, limit=3) in citizen.text
    with nammong_oa.app_context():
        assert set(db.session.scalars(select(WebhookEvent.status))) == {"done"}
        assert len(db.session.scalars(select(ComplaintPhoto)).all()) == 1
