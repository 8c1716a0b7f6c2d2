"""CSRF on every form and JSON post, rights checked on every request, and the security headers."""

from __future__ import annotations

from flask import Flask, abort, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from admin import bp

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@bp.record_once
def _install(state) -> None:
    app: Flask = state.app
    # LINE signs its webhook; it cannot send a CSRF token.
    from bot.line.webhook import bp as webhook_bp

    csrf.exempt(webhook_bp)

    from admin.access import enforce_declared

    app.before_request(enforce_declared)  # every endpoint public or guarded, app-wide

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint and request.endpoint.startswith("admin.") and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


@bp.before_request
def refuse_nul() -> None:
    """400 for a NUL character in any parameter: PostgreSQL text cannot hold one, so it would end as a 500."""
    fields = [*request.args.lists(), *(request.form.lists() if request.method == "POST" else ())]
    if any("\x00" in key or any("\x00" in value for value in values) for key, values in fields):
        abort(400)
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        abort(400)
