"""Logging in and out of the backend."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin import bp
from bot.i18n import t
from models import User, db
from models.user import burn_password_check

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session holds '<id>:<token>'; a token rotated by logout no longer loads anyone."""
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
    return redirect(url_for("admin.login", next=request.path))


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=256)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user is None:
            burn_password_check(form.password.data)
        elif user.active and user.check_password(form.password.data):
            session.clear()  # a fresh session on login
            user.ensure_session_token()
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(t("admin.login_failed"), "error")  # one answer for unknown user and wrong password
    return render_template("admin/login.html", form=form, t=t), 200 if request.method == "GET" else 401


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
    return url_for("admin.chat")


@bp.post("/logout")
@login_required
def logout():
    current_user.rotate_session_token()  # every copy of this user's session cookie stops working
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
def index():
    return redirect(url_for("admin.chat" if current_user.is_authenticated else "admin.login"))
