"""Settings read from the environment when the app is created, never at import."""

from __future__ import annotations

import os
from pathlib import Path

from models.periods import PERIOD_KINDS

ENVIRONMENTS = ("production", "development", "testing")

# Every setting the app understands, with its default. Environment variables of the same
# name override the default; the dict given to create_app() overrides both.
DEFAULTS: dict[str, object] = {
    "APP_ENV": "production",
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "SECRET_KEY": None,  # required outside development and testing
    "LINE_CHANNEL_SECRET": "",
    "LINE_CHANNEL_ACCESS_TOKEN": "",
    "LINE_API_BASE_URL": "https://api.line.me",
    "LINE_TIMEOUT_CONNECT": 2.0,
    "LINE_TIMEOUT_READ": 5.0,
    "LINE_MAX_ATTEMPTS": 4,  # per outbound call, with backoff and jitter
    "LINE_BACKOFF_CAP": 8.0,  # seconds; also caps a Retry-After we honour
    "REPLY_TOKEN_TTL": 50,  # seconds after receipt we still trust a reply token
    "WEBHOOK_MAX_BYTES": 1_000_000,
    # Threads per process that answer recorded events. Few, so that each finds several events queued
    # and answers them together; more than one, so that one slow call to LINE does not hold every chat.
    "EVENT_WORKERS": 2,
    "EVENT_BATCH": 20,  # at most this many events queued for one thread are answered together
    "EVENT_LEASE_SECONDS": 60,  # a claimed event not finished by then is taken again
    "EVENT_MAX_ATTEMPTS": 5,
    "EVENT_SWEEP_SECONDS": 15,  # how often pending events left by a crash are looked for
    "DEFAULT_AGENCY": None,  # slug: the agency this OA belongs to
    "LOW_SCORE_THRESHOLD": 85.0,
    "STAFF_CONTACT": "",  # shown to citizens who want a person (phone, hours)
    "GROUP_REPLY_MODE": "mention",  # in groups/rooms: answer only when mentioned
    # Fernet key(s), comma-separated, the first sealing: reporters' identities. Keep it out of the
    # database and its backups. Required in production; development makes instance/identity.key.
    "IDENTITY_KEY": "",
    "SURVEY_PERIOD": "fiscal_year",  # one survey response per citizen per: fiscal_year | half | quarter | month
    "OFFICE_HOURS": "mon-fri 08:30-16:30",  # when staff answer handed-over chats (Asia/Bangkok)
    "HANDOFF_REPLY_HOURS": 4,  # the answer time promised to citizens, in office hours
    "HANDOFF_IDLE_MINUTES": 240,  # a handed-over chat with no message for this long is closed
    "COMPLAINT_MAX_PHOTOS": 3,
    "COMPLAINT_PHOTO_MAX_BYTES": 10_000_000,
    "COMPLAINT_RETENTION_YEARS": 5,  # told to reporters in the privacy notice
    # Backend sessions end after this long without a request, and this long after login whatever happens.
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    # Failed logins allowed (Flask-Limiter syntax) per client address and per account name.
    "LOGIN_LIMIT_PER_IP": "20 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    # Where the counts live: memory:// is per process; with several workers use redis://127.0.0.1:6379.
    "RATELIMIT_STORAGE_URI": "memory://",
    "TRUSTED_PROXIES": 0,  # reverse proxies in front (their X-Forwarded-For gives the client address)
    "UPLOAD_FOLDER": None,  # files between an import's check and its confirmation; None: instance/uploads
}

_FLOAT = {"LINE_TIMEOUT_CONNECT", "LINE_TIMEOUT_READ", "LINE_BACKOFF_CAP", "LOW_SCORE_THRESHOLD"}
_INT = {
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "TRUSTED_PROXIES",
    "HANDOFF_REPLY_HOURS",
    "HANDOFF_IDLE_MINUTES",
    "COMPLAINT_MAX_PHOTOS",
    "COMPLAINT_PHOTO_MAX_BYTES",
    "COMPLAINT_RETENTION_YEARS",
    "LINE_MAX_ATTEMPTS",
    "REPLY_TOKEN_TTL",
    "WEBHOOK_MAX_BYTES",
    "EVENT_WORKERS",
    "EVENT_BATCH",
    "EVENT_LEASE_SECONDS",
    "EVENT_MAX_ATTEMPTS",
    "EVENT_SWEEP_SECONDS",
}


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the app refuses to start."""


def _coerce(key: str, value: object) -> object:
    if value is None or value == "":
        return value
    try:
        if key in _FLOAT:
            return float(value)
        if key in _INT:
            return int(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{key} must be a number, got {value!r}") from exc
    return value


def database_url(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: SQLite in instance/ by default, psycopg 3 for PostgreSQL."""
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return "sqlite:///" + str(Path(instance_path) / "ita.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(overrides: dict | None, instance_path: str) -> dict:
    """Merge defaults, environment and overrides; fail fast on what production cannot lack."""
    merged: dict[str, object] = {}
    for key, default in DEFAULTS.items():
        merged[key] = _coerce(key, os.environ.get(key, default))
    for key, value in (overrides or {}).items():
        merged[key] = _coerce(key, value)
    env = merged["APP_ENV"]
    if env not in ENVIRONMENTS:
        raise SettingsError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    if not merged.get("SECRET_KEY"):
        if env == "production":
            raise SettingsError("SECRET_KEY must be set outside development and testing")
        merged["SECRET_KEY"] = "dev-only-secret-key"  # noqa: S105 - never used in production (checked above)
    merged["IDENTITY_KEY"] = _identity_key(str(merged.get("IDENTITY_KEY") or ""), env, instance_path)
    if merged["SURVEY_PERIOD"] not in PERIOD_KINDS:
        raise SettingsError(f"SURVEY_PERIOD must be one of {', '.join(PERIOD_KINDS)}")
    merged["UPLOAD_FOLDER"] = merged["UPLOAD_FOLDER"] or str(Path(instance_path) / "uploads")
    merged["TESTING"] = env == "testing"
    merged["SQLALCHEMY_DATABASE_URI"] = database_url(merged["DATABASE_URL"], instance_path)
    merged["MAX_CONTENT_LENGTH"] = merged["WEBHOOK_MAX_BYTES"]
    merged["LINE_API_BASE_URL"] = str(merged["LINE_API_BASE_URL"]).rstrip("/")
    return merged


def _identity_key(value: str, env: str, instance_path: str) -> str:
    """The key that seals reporters' identities: set in production; elsewhere a file in the instance folder."""
    from cryptography.fernet import Fernet

    from models.sealing import SealingError, check_key

    if not value:
        if env == "production":
            raise SettingsError("IDENTITY_KEY must be set in production (python -m models.sealing prints a new one)")
        path = Path(instance_path) / "identity.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        value = path.read_text().strip()
    try:
        check_key(value)
    except SealingError as exc:
        raise SettingsError(str(exc)) from exc
    return value
