"""Sealing reporters' identities with keys kept outside the database (IDENTITY_KEY, Fernet)."""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SealingError(RuntimeError):
    """No usable identity key, or a sealed value that no configured key opens."""


def _keys() -> list[bytes]:
    raw = str(current_app.config.get("IDENTITY_KEY") or "")
    keys = [k.strip().encode() for k in raw.split(",") if k.strip()]
    if not keys:
        raise SealingError("IDENTITY_KEY is not set")
    return keys


def _fernet() -> MultiFernet:
    """The first key seals; every key opens, so keys can be rotated."""
    try:
        return MultiFernet([Fernet(k) for k in _keys()])
    except ValueError as exc:
        raise SealingError("IDENTITY_KEY is not a valid Fernet key") from exc


def seal(value: dict) -> str:
    return _fernet().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def unseal(token: str) -> dict:
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SealingError("sealed with a key that is not configured") from exc


def blind_index(value: str) -> str:
    """A keyed hash: equal inputs match, but without the key nobody can tell whose it is."""
    secret = hashlib.sha256(b"owner-index:" + _keys()[0]).digest()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def check_key(value: str) -> None:
    """Fail fast at start-up on a malformed key rather than on a citizen's report."""
    for key in [k.strip() for k in value.split(",") if k.strip()]:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise SealingError(
                "IDENTITY_KEY must be Fernet keys (urlsafe base64 of 32 bytes), comma-separated"
            ) from exc


if __name__ == "__main__":  # python -m models.sealing: a new key for IDENTITY_KEY
    print(Fernet.generate_key().decode())
