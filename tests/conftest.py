"""Fixtures: a fresh database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL), the LINE stand-in."""

from __future__ import annotations

import os

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from app import create_app
from models import db
from models.survey_defaults import ensure_default_questions
from tests import events as ev
from tests.helpers import Chat
from tests.line_standin import LineStandIn

PG_URL = os.environ.get("TEST_DATABASE_URL")
IDENTITY_KEY = Fernet.generate_key().decode()  # the tests' key for sealing reporters' identities


def pytest_report_header(config):
    return f"database: {PG_URL or 'SQLite (set TEST_DATABASE_URL for PostgreSQL)'}"


@pytest.fixture(scope="session")
def pg_schema():
    """On PostgreSQL: one schema for the session, emptied after each test."""
    if not PG_URL:
        yield None
        return
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any connection failure means: skip, say why
        pytest.skip(f"TEST_DATABASE_URL is set but PostgreSQL does not answer ({type(exc).__name__})")
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def line_api():
    server = LineStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def line(line_api):
    """The LINE stand-in, emptied for this test; it must end the test with no limit broken."""
    line_api.reset()
    line_api.delay = 0.0
    yield line_api
    assert not line_api.violations, f"LINE limits broken: {line_api.violations}"


@pytest.fixture
def app_config(tmp_path, pg_schema, line_api):
    return {
        "APP_ENV": "testing",
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "SECRET_KEY": "test-secret-key",
        "LINE_CHANNEL_SECRET": ev.SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": line_api.access_token,
        "LINE_API_BASE_URL": line_api.url,
        "LINE_BACKOFF_CAP": 0.05,
        "WTF_CSRF_ENABLED": True,
        "IDENTITY_KEY": IDENTITY_KEY,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),  # not the project's instance folder
    }


@pytest.fixture
def app(app_config, pg_schema):
    from admin.auth import limiter

    app = create_app(app_config)
    limiter.reset()  # login limits count in the process's limiter: each test starts from zero
    with app.app_context():
        if pg_schema is None:
            db.create_all()
        ensure_default_questions()  # what the migration inserts; create_all (and PostgreSQL's truncate) do not
        db.session.commit()
    yield app
    app.extensions["event_dispatcher"].stop()
    with app.app_context():
        db.session.remove()
        if pg_schema is not None:
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def demo(app):
    """The demo dataset, loaded through the importer."""
    from models.ita_import import load_demo

    with app.app_context():
        load_demo()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- a citizen chatting with the bot logic directly (tests/helpers.Chat) ---


@pytest.fixture
def chat(demo):
    with demo.app_context():
        yield Chat()


@pytest.fixture
def new_chat(demo):
    with demo.app_context():
        yield Chat


@pytest.fixture
def nammong_oa(demo):
    """The OA belongs to อบต.น้ำโมง (DEFAULT_AGENCY), as a real agency's OA would."""
    demo.config["DEFAULT_AGENCY"] = "nammong"
    return demo


@pytest.fixture
def default_nammong(demo):
    demo.config["DEFAULT_AGENCY"] = "nammong"
    with demo.app_context():
        yield Chat()
