"""Logging in and out of the backend: argon2id, one answer for every failure, throttling, session limits."""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin import audit, bp
from admin.access import has_right, is_background, requires
from admin.ui import lang, tr
from models import User, db
from models.types import utcnow
from models.user import burn_password_check

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"

# Counts failed logins only (a successful one redirects): per client address and per account name.
limiter = Limiter(get_remote_address)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session holds '<id>:<token>'; a token rotated by logout or disabling no longer loads anyone."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.session_token or not hmac.compare_digest(user.session_token, token):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return {"error": "login required"}, 401
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=256)])


def _failed(response) -> bool:
    return response.status_code != 302


def _account_key() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


def _per_ip() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_ip, methods=["POST"], deduct_when=_failed)
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        name = form.username.data.strip()
        user = db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
        if user is None:
            burn_password_check(form.password.data)
            audit.record("login_failed", user=None)  # the name typed is not kept: it may be a password
        elif user.check_password(form.password.data) and user.active:  # a disabled account costs a check too
            chosen = lang()  # the language picked on the login page stays
            session.clear()  # a fresh session on login
            user.ensure_session_token()
            user.last_login_at = utcnow()
            login_user(user)
            now = int(time.time())
            session["auth_at"] = session["seen_at"] = now
            session["lang"] = chosen
            audit.record("login", "user", user.id, user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        else:
            audit.record("login_failed", "user", user.id, user=None)
        db.session.commit()
        flash(tr("admin.login_failed"), "error")  # one answer for unknown user, wrong password, disabled
    status = 200 if request.method == "GET" else 401
    return render_template("admin/login.html", form=form), status


def login_throttled(_exc):
    """429 from the login limits: the login page again, saying to wait (nothing about the account)."""
    if request.endpoint != "admin.login":
        return {"error": "Too Many Requests", "status": 429}, 429
    audit.record("login_throttled")
    db.session.commit()
    flash(tr("admin.login_throttled"), "error")
    return render_template("admin/login.html", form=LoginForm()), 429


def _safe_next(target: str | None) -> str:
    """Only paths on this site, never another host (browsers drop tabs and newlines: refuse them)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return home()


def home() -> str:
    """Where a user lands: the first page their role may use."""
    for right, endpoint in (("inbox", "admin.inbox"), ("stats", "admin.stats"), ("chat", "admin.chat")):
        if has_right(right) and endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("admin.chat")


def end_session(reason: str) -> None:
    """Log out everywhere: the session token rotates, so every copy of the cookie stops working."""
    user = current_user._get_current_object()
    user.rotate_session_token()
    audit.record(reason, "user", user.id, user=user)
    db.session.commit()
    keep = session.get("lang")
    logout_user()
    session.clear()
    if keep:
        session["lang"] = keep


@bp.post("/logout")
@requires()
def logout():
    end_session("logout")
    return redirect(url_for("admin.login"))


@bp.before_request
def check_session_age():
    """before_request: end a session idle for SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = now - session.get("seen_at", 0) > current_app.config["SESSION_IDLE_MINUTES"] * 60
    old = now - session.get("auth_at", 0) > current_app.config["SESSION_MAX_HOURS"] * 3600
    if idle or old:
        end_session("session_expired")
        flash(tr("admin.session_expired"), "error")
        return current_app.login_manager.unauthorized()
    if not is_background(request.endpoint):
        session["seen_at"] = now
    return None


@bp.get("/")
def index():
    return redirect(home() if current_user.is_authenticated else url_for("admin.login"))
