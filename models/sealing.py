"""Sealing reporters' identities with keys kept outside the database (IDENTITY_KEY, Fernet)."""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SealingError(RuntimeError):
    """No usable identity key, or a sealed value that no configured key opens."""


@lru_cache(maxsize=4)
def _sealer(value: str) -> tuple[MultiFernet, bytes]:
    """The Fernets for IDENTITY_KEY (the first seals, every one opens, so keys can be rotated) and the
    secret of the blind index; built once per key setting."""
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise SealingError("IDENTITY_KEY is not set")
    try:
        fernets = MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise SealingError("IDENTITY_KEY must be Fernet keys (urlsafe base64 of 32 bytes), comma-separated") from exc
    return fernets, hashlib.sha256(b"owner-index:" + keys[0].encode()).digest()


def _configured() -> tuple[MultiFernet, bytes]:
    return _sealer(str(current_app.config.get("IDENTITY_KEY") or ""))


def seal(value: dict) -> str:
    return _configured()[0].encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def unseal(token: str) -> dict:
    try:
        return json.loads(_configured()[0].decrypt(token.encode()))
    except InvalidToken as exc:
        raise SealingError("sealed with a key that is not configured") from exc


def blind_index(value: str) -> str:
    """A keyed hash: equal inputs match, but without the key nobody can tell whose it is."""
    return hmac.new(_configured()[1], value.encode(), hashlib.sha256).hexdigest()


def check_key(value: str) -> None:
    """Fail fast at start-up on a malformed key rather than on a citizen's report."""
    _sealer(value)


if __name__ == "__main__":  # python -m models.sealing: a new key for IDENTITY_KEY
    print(Fernet.generate_key().decode())
