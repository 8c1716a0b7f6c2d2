"""The Alembic migrations build exactly the models' schema, and can be undone and redone."""

from __future__ import annotations

import logging.config
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app import create_app
from models import User, db
from tests.conftest import IDENTITY_KEY

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# migrations/env.py calls Flask-SQLAlchemy's deprecated get_engine(); under this suite's warnings-as-errors the
# DeprecationWarning aborts every migration run. test_migrations_run_without_warnings shows it; the schema
# tests ignore this one warning so they still check the schema.
MIGRATION_WARNING = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """An app on an empty SQLite file (always SQLite: the migrations are checked from nothing)."""
    # env.py's fileConfig would disable every logger already made in this process, for the tests after this one.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    app = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": "sqlite:///" + str(tmp_path / "migrations.db"),
            "IDENTITY_KEY": IDENTITY_KEY,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    """What autogenerate would still write: differences between the database and the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_have_a_single_head():
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert len(script.get_bases()) == 1, script.get_bases()


@MIGRATION_WARNING
def test_upgrade_of_an_empty_database_gives_exactly_the_models_schema(empty_app):
    assert table_names() == set()
    upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    assert current_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert schema_differences() == []


@MIGRATION_WARNING
def test_downgrade_to_base_then_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}, "downgrade to base leaves model tables behind"
    assert current_revision() is None
    upgrade()
    assert current_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert schema_differences() == []
    # The schema is usable after the round trip.
    user = User(username="after-round-trip", role="viewer")
    user.set_password("long enough pw")
    db.session.add(user)
    db.session.commit()
    assert db.session.scalar(select(User.role).where(User.username == "after-round-trip")) == "viewer"


def test_migrations_run_without_warnings(empty_app):
    """The suite turns warnings into errors; a migration run that warns cannot be tested (or run with -W error)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upgrade()
    messages = [f"{w.category.__name__}: {w.message} ({Path(w.filename).name}:{w.lineno})" for w in caught]
    assert messages == []
