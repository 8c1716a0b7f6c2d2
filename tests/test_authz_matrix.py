"""The authorization matrix: every backend route, for every role and across agencies.

The route table is walked, so a route added later is covered without editing this file:
- every endpoint is public by the list in tests/web.py or declares its rights;
- a role without a route's rights gets 403 for every method; a role with them is let in (no 401/403);
- a user with every right, but working for agency A only, gets 404 for every record of agency B, on every
  method, and B's records are unchanged afterwards;
- pages that take the agency as a query parameter never show agency B to that user.
Nothing answers with a server error.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import url_for
from sqlalchemy import func, inspect, select

from admin.access import RIGHTS, ROLE_RIGHTS
from bot.replies import Reply, Text
from models import (
    Agency,
    Assessment,
    CaseNote,
    ChatMessage,
    Complaint,
    ComplaintPhoto,
    ComplaintUpdate,
    Conversation,
    ExportJob,
    Handoff,
    Measure,
    ProgressEntry,
    User,
    db,
)
from models.user import ROLES
from tests.web import PUBLIC_ENDPOINTS, form_token, login, make_user, redirects_to_login

HOME, OTHER = "nammong", "nakhonphanom"


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"}, key=lambda m: m != "GET")  # GETs first


def records_of(slug: str) -> dict[str, int]:
    """One record of every kind a backend URL can name, all belonging to the agency `slug`."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == slug))
    conversation = Conversation(channel="line", chat_id=f"U{slug:0>32}"[:33], context={})
    db.session.add(conversation)
    db.session.flush()
    handoff = Handoff(conversation_id=conversation.id, agency_id=agency.id, reason="asked")
    refused = Reply(messages=[Text("ได้รับเรื่องแล้วค่ะ")], intent="staff")
    message = ChatMessage.outgoing(conversation, refused, kind="staff", status="failed")
    db.session.add(message)
    complaint = Complaint(
        tracking_no=f"2569-{agency.id:06d}",
        agency_id=agency.id,
        lane="general",
        category="public_works",
        conversation_id=conversation.id,
        description="ไฟทางดับ",
        filed_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    photo = ComplaintPhoto(complaint=complaint, content_type="image/png", size=4, data=b"\x89PNG")
    measure = db.session.scalar(select(Measure).where(Measure.agency_id == agency.id))
    entry = ProgressEntry(measure_id=measure.id, step_no=99, step="ขั้นตอนทดสอบ", status="in_progress")
    # A CSV of cases (the export staff may make), the tester's own: its routes then follow the declared rights.
    job = ExportJob(agency_id=agency.id, kind="cases", fmt="csv", params={}, status="done", content=b"x")
    db.session.add_all([handoff, message, complaint, photo, entry, job])
    db.session.flush()
    user_id = make_user_in_session(f"user-{slug}", slug)
    db.session.commit()
    return {
        "agency_id": agency.id,
        "assessment_id": db.session.scalar(select(Assessment.id).where(Assessment.agency_id == agency.id)),
        "measure_id": measure.id,
        "entry_id": entry.id,
        "case_id": complaint.id,
        "photo_id": photo.id,
        "handoff_id": handoff.id,
        "message_id": message.id,
        "job_id": job.id,
        "user_id": user_id,
    }


def make_user_in_session(username: str, slug: str) -> int:
    user = User(username=username, role="staff")
    user.set_password("long enough password")
    user.agencies = [db.session.scalar(select(Agency).where(Agency.slug == slug))]
    db.session.add(user)
    db.session.flush()
    return user.id


def _url(app, rule, ids: dict[str, int], **query) -> str:
    missing = set(rule.arguments) - set(ids)
    assert not missing, f"{rule.endpoint}: no test record for {missing}: add one to records_of()"
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}, **query)


def _counts() -> dict[str, int]:
    models = (Agency, Assessment, Measure, ProgressEntry, Complaint, ComplaintPhoto, ComplaintUpdate, CaseNote)
    models += (Handoff, ChatMessage, ExportJob, User)
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


# The model of each record records_of() names.
RECORD_MODELS = {
    "agency_id": Agency,
    "assessment_id": Assessment,
    "measure_id": Measure,
    "entry_id": ProgressEntry,
    "case_id": Complaint,
    "photo_id": ComplaintPhoto,
    "handoff_id": Handoff,
    "message_id": ChatMessage,
    "job_id": ExportJob,
    "user_id": User,
}


def _stored(ids: dict[str, int]) -> dict[str, dict[str, object]]:
    """Every column of each record named (the user's password hash, role and agencies too, a case's status and
    assignee, a measure's fields, ...), as the database holds them now."""
    assert set(ids) == set(RECORD_MODELS), "records_of() names a record RECORD_MODELS does not know"
    stored = {}
    for key, model in RECORD_MODELS.items():
        row = db.session.get(model, ids[key])
        assert row is not None, f"{key} {ids[key]} is gone"
        stored[key] = {column.key: getattr(row, column.key) for column in inspect(model).column_attrs}
    stored["user_id"]["agencies"] = [agency.id for agency in db.session.get(User, ids["user_id"]).agencies]
    return stored


def test_every_route_is_public_or_declares_known_rights(app):
    for rule in _rules(app):
        rights = getattr(app.view_functions[rule.endpoint], "required_rights", None)
        assert rights is not None, f"{rule.endpoint} ({rule.rule}) is neither public nor guarded by @requires"
        assert rights <= set(RIGHTS), f"{rule.endpoint} names unknown rights {rights - set(RIGHTS)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_routes_its_rights_allow(demo, client, role):
    with demo.app_context():
        ids = records_of(HOME)
    tester = make_user(demo, "tester", role=role, agencies=[HOME])
    with demo.app_context():
        db.session.get(ExportJob, ids["job_id"]).user_id = tester
        db.session.commit()
    assert login(client, "tester").status_code == 302
    token = form_token(client, "/admin/login")
    allowed = ROLE_RIGHTS[role]
    for rule in _rules(demo):
        if rule.endpoint == "admin.logout":  # tested on its own: it ends the session this loop needs
            continue
        rights = demo.view_functions[rule.endpoint].required_rights
        url = _url(demo, rule, ids)
        for method in _methods(rule):
            response = client.open(url, method=method, data={"csrf_token": token}, headers={"Accept": "text/html"})
            where = f"{role}: {method} {url} ({rule.endpoint})"
            assert response.status_code < 500, where
            if rights <= allowed:
                assert response.status_code not in (401, 403) and not redirects_to_login(response), where
            else:
                assert response.status_code == 403, f"{where}: {response.status_code}, expected 403"


def test_a_user_of_one_agency_gets_404_for_every_record_of_another(demo, client):
    with demo.app_context():
        records_of(HOME)
        theirs = records_of(OTHER)
    make_user(demo, "coordinator", role="admin", agencies=[HOME])
    with demo.app_context():
        before = _counts()
        stored = _stored(theirs)
    assert login(client, "coordinator").status_code == 302
    token = form_token(client, "/admin/login")
    checked = 0
    for rule in _rules(demo):
        if not rule.arguments or rule.endpoint == "admin.logout":
            continue
        url = _url(demo, rule, theirs)
        for method in _methods(rule):
            response = client.open(url, method=method, data={"csrf_token": token}, headers={"Accept": "text/html"})
            assert response.status_code == 404, f"{method} {url} ({rule.endpoint}): {response.status_code}"
            checked += 1
    assert checked > 20
    with demo.app_context():
        assert _counts() == before, "a refused request added or removed something"
        assert _stored(theirs) == stored, "a refused request changed a record of the other agency"


def test_pages_taking_the_agency_as_a_parameter_never_show_another_agency(demo, client):
    with demo.app_context():
        other = db.session.scalar(select(Agency).where(Agency.slug == OTHER))
        other_id, other_name = other.id, other.name_th
    make_user(demo, "coordinator", role="admin", agencies=[HOME])
    assert login(client, "coordinator").status_code == 302
    checked = 0
    for rule in _rules(demo):
        if rule.arguments or "GET" not in rule.methods:
            continue
        response = client.get(_url(demo, rule, {}, agency=other_id, year=2568), headers={"Accept": "text/html"})
        assert response.status_code < 500, rule.endpoint
        if response.status_code == 200 and response.mimetype in ("text/html", "application/json"):
            assert other_name not in response.get_data(as_text=True), f"{rule.endpoint} showed {other_name}"
        checked += 1
    assert checked >= 8
