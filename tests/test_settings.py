"""Settings: read from the environment when the app is created, overridden by create_app's dict, checked early."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask

import settings
from app import create_app
from models import db

ROOT = Path(__file__).resolve().parent.parent

# Variables of the surrounding shell (a developer's or CI's) must not leak into these tests.
CLEARED = (
    "APP_ENV",
    "SECRET_KEY",
    "IDENTITY_KEY",
    "DATABASE_URL",
    "EVENT_WORKERS",
    "LOW_SCORE_THRESHOLD",
    "STAFF_CONTACT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def instance_dir(tmp_path, monkeypatch):
    """Point Flask's instance folder at tmp_path, so no test writes into the project."""
    path = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(path))
    return path


def make_app(config: dict):
    """create_app with a database that never touches the project folder; stopped and disposed after."""
    app = create_app({"DATABASE_URL": "sqlite://", **config})
    app.extensions["event_dispatcher"].stop()
    with app.app_context():
        db.engine.dispose()
    return app


# --- production needs a secret -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [{}, {"APP_ENV": "production"}, {"APP_ENV": "production", "SECRET_KEY": ""}],
    ids=["default-env", "explicit", "empty-key"],
)
def test_production_refuses_to_start_without_secret_key(config):
    with pytest.raises(settings.SettingsError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://", **config})


PRODUCTION_KEY = Fernet.generate_key().decode()


def test_production_starts_with_secret_key_and_secure_cookies():
    app = make_app(
        {"APP_ENV": "production", "SECRET_KEY": "a-long-random-production-secret", "IDENTITY_KEY": PRODUCTION_KEY}
    )
    assert app.secret_key == "a-long-random-production-secret"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.debug is False and app.testing is False


def test_development_without_secret_key_gets_a_development_key():
    app = make_app({"APP_ENV": "development"})
    assert app.secret_key
    assert app.config["SESSION_COOKIE_SECURE"] is False


# --- the key that seals reporters' identities ------------------------------------------------------


def test_production_refuses_to_start_without_an_identity_key():
    with pytest.raises(settings.SettingsError, match="IDENTITY_KEY"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "s", "DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize("key", ["not-a-key", PRODUCTION_KEY + ",short"])
def test_a_malformed_identity_key_is_refused_at_start(key):
    with pytest.raises(settings.SettingsError, match="Fernet"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "s", "IDENTITY_KEY": key, "DATABASE_URL": "sqlite://"})


def test_development_keeps_its_identity_key_in_the_instance_folder_readable_only_by_the_owner(instance_dir):
    first = make_app({"APP_ENV": "development"}).config["IDENTITY_KEY"]
    key_file = instance_dir / "identity.key"
    assert key_file.read_text() == first and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert make_app({"APP_ENV": "development"}).config["IDENTITY_KEY"] == first, "the same key on every start"


def test_unknown_app_env_is_refused():
    with pytest.raises(settings.SettingsError, match="APP_ENV"):
        create_app({"APP_ENV": "staging", "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})


# --- where settings come from ---------------------------------------------------------------------------


def test_environment_is_read_when_create_app_runs(monkeypatch):
    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.setenv("LOW_SCORE_THRESHOLD", "70.5")
    monkeypatch.setenv("STAFF_CONTACT", "02-000-0000")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    first = make_app({})
    assert first.config["APP_ENV"] == "testing"
    assert first.config["LOW_SCORE_THRESHOLD"] == 70.5
    assert first.config["STAFF_CONTACT"] == "02-000-0000"
    assert first.secret_key == "from-the-environment"
    # Changed after import and after a first app: the next app sees the new value.
    monkeypatch.setenv("LOW_SCORE_THRESHOLD", "60")
    monkeypatch.setenv("EVENT_WORKERS", "3")
    second = make_app({})
    assert second.config["LOW_SCORE_THRESHOLD"] == 60.0
    assert second.config["EVENT_WORKERS"] == 3
    assert first.config["LOW_SCORE_THRESHOLD"] == 70.5, "an app keeps the settings it was made with"


def test_dict_given_to_create_app_overrides_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("LOW_SCORE_THRESHOLD", "70")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", "postgresql://env-host/env-db")
    url = f"sqlite:///{tmp_path / 'override.db'}"
    app = make_app(
        {"APP_ENV": "testing", "LOW_SCORE_THRESHOLD": 90, "SECRET_KEY": "from-the-dict", "DATABASE_URL": url}
    )
    assert app.config["APP_ENV"] == "testing" and app.testing is True
    assert app.config["LOW_SCORE_THRESHOLD"] == 90.0
    assert app.secret_key == "from-the-dict"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_environment_database_url_is_used(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("APP_ENV", "testing")
    app = create_app()
    try:
        assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    finally:
        with app.app_context():
            db.engine.dispose()


def test_database_url_defaults_to_sqlite_in_the_instance_folder(instance_dir):
    app = create_app({"APP_ENV": "testing"})
    try:
        assert app.instance_path == str(instance_dir)
        assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(instance_dir / "ita.db")
        assert instance_dir.is_dir(), "the instance folder is made so SQLite can create the file"
    finally:
        with app.app_context():
            db.engine.dispose()


def test_settings_load_defaults_to_sqlite_in_the_given_instance_path(tmp_path):
    loaded = settings.load({"APP_ENV": "testing"}, str(tmp_path / "inst"))
    assert loaded["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "inst" / "ita.db")


@pytest.mark.parametrize(
    "given,expected",
    [
        ("postgres://ita:pw@db.example:5432/ita", "postgresql+psycopg://ita:pw@db.example:5432/ita"),
        (
            "postgresql://ita:pw@db.example/ita?sslmode=require",
            "postgresql+psycopg://ita:pw@db.example/ita?sslmode=require",
        ),
        ("postgresql+psycopg://ita@db.example/ita", "postgresql+psycopg://ita@db.example/ita"),
        ("sqlite:////var/lib/ita/ita.db", "sqlite:////var/lib/ita/ita.db"),
    ],
    ids=["postgres", "postgresql", "already-psycopg", "sqlite"],
)
def test_postgres_urls_use_psycopg_3(given, expected, tmp_path):
    assert settings.database_url(given, str(tmp_path)) == expected


def test_postgres_url_through_create_app_uses_the_psycopg_driver():
    # Creating the engine opens no connection, so an unreachable host is fine here.
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": "postgres://ita:pw@db.invalid/ita"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://ita:pw@db.invalid/ita"
    with app.app_context():
        assert db.engine.url.drivername == "postgresql+psycopg"
        db.engine.dispose()


# --- malformed values -------------------------------------------------------------------------------------


def test_non_numeric_event_workers_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("EVENT_WORKERS", "four")
    with pytest.raises(settings.SettingsError, match=r"EVENT_WORKERS must be a number.*four"):
        create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize(
    "key,value",
    [
        ("EVENT_WORKERS", "4 threads"),
        ("EVENT_WORKERS", "2.5"),
        ("LOW_SCORE_THRESHOLD", "high"),
        ("WEBHOOK_MAX_BYTES", "1MB"),
    ],
)
def test_non_numeric_setting_in_the_dict_is_a_clear_error(key, value):
    with pytest.raises(settings.SettingsError, match=f"{key} must be a number"):
        create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", key: value})


# --- importing has no side effects -----------------------------------------------------------------------------


IMPORT_PROBE = """
import os, sys, threading

project, here = os.path.realpath(sys.argv[1]), os.path.realpath(os.getcwd())
done = []  # what importing did that it should not: files written, folders made, connections opened


def ours(path):
    # Third-party libraries may keep data in the home folder (pythainlp makes ~/pythainlp-data);
    # what matters here is the project (instance/, a SQLite file) and the working folder.
    path = os.path.realpath(os.fsdecode(path)) if isinstance(path, (str, bytes, os.PathLike)) else ""
    return any(path == top or path.startswith(top + os.sep) for top in (project, here))


def audit(event, args):
    if event == "open":
        path, mode, flags = args
        writes = isinstance(mode, str) and any(c in mode for c in "wax+")
        writes = writes or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes and ours(path):
            done.append(("open for writing", str(path)))
    elif event in {"os.mkdir", "os.rename", "os.remove", "os.symlink"} and args and ours(args[0]):
        done.append((event, str(args[0])))
    elif event in {"sqlite3.connect", "socket.connect", "subprocess.Popen", "os.system"}:
        done.append((event, str(args[0]) if args else ""))


sys.path.insert(0, project)
sys.addaudithook(audit)
import app, bot.engine, bot.line.webhook, admin, models
names = sorted(t.name for t in threading.enumerate())
assert names == ["MainThread"], names
assert done == [], done
print("imported cleanly")
"""


def test_importing_the_modules_has_no_side_effects(tmp_path):
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    result = subprocess.run(
        [sys.executable, "-B", "-W", "error", "-c", IMPORT_PROBE, str(ROOT)],
        cwd=workdir,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported cleanly"
    assert result.stderr == ""
    assert list(workdir.iterdir()) == []
