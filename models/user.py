"""Backend users: admins, staff, integrity officers, viewers."""

from __future__ import annotations

import secrets
from contextlib import suppress
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Column, DateTime, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.types import utcnow

ROLES = ("admin", "integrity_officer", "staff", "viewer")

# Which agencies a user works for; every role sees only these agencies' data.
user_agencies = Table(
    "user_agencies",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()  # argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile)


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both failures cost the same time."""
    return _hasher.hash("not-a-real-password")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of the session id: rotating it on logout ends every session of this user, server-side.
    session_token: Mapped[str | None] = mapped_column(String(64))

    agencies: Mapped[list[Agency]] = relationship(secondary=user_agencies, order_by="Agency.id")  # noqa: F821

    @property
    def agency_ids(self) -> set[int]:
        return {agency.id for agency in self.agencies}

    @property
    def label(self) -> str:
        return self.full_name or self.username

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def ensure_session_token(self) -> None:
        if not self.session_token:
            self.rotate_session_token()

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users on every request
        return self.active

    def set_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, for unknown usernames."""
    with suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)
