"""Backend users (admin only) and the audit log page.

An admin sees the users who share at least one agency with them and may give only their own agencies. A user who
also works for an agency the admin does not is shown but not changed: resetting their password or role would reach
beyond the admin's agencies.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import String, and_, cast, false, func, or_, select

from admin import audit, bp
from admin.access import agency_ids, has_right, my_agencies, requires
from admin.auth import home
from admin.pagination import paginate
from admin.ui import lang, tr
from bot.i18n import catalog
from models import Agency, AuditEntry, User, db
from models.audit import AUDIT_ACTIONS
from models.periods import BANGKOK, parse_day
from models.user import MIN_PASSWORD_LENGTH, ROLES, user_agencies

USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 128


# --- whom an admin may see and change -----------------------------------------------------------------


def _visible_users():
    """Users sharing at least one agency with the admin."""
    shared = select(user_agencies.c.user_id).where(user_agencies.c.agency_id.in_(agency_ids()))
    return select(User).where(User.id.in_(shared))


def _visible_user(user_id: int) -> User:
    """The user if they share an agency with the admin; 404 otherwise (their existence is not confirmed)."""
    user = db.session.get(User, user_id)
    if user is None or not user.agency_ids & agency_ids():
        abort(404)
    return user


def manageable(user: User) -> bool:
    """The admin may change this user: every agency of theirs is one of the admin's."""
    return user.agency_ids <= agency_ids()


def _managed_user(user_id: int) -> User:
    user = _visible_user(user_id)
    if not manageable(user):
        abort(403)
    return user


def _slugs(agencies) -> list[str]:
    return sorted(agency.slug for agency in agencies)


def _audit_agency(*groups) -> int | None:
    """The agency an entry about a user is filed under: the first of the admin's that the user works for."""
    mine = agency_ids()
    ids = sorted({agency.id for group in groups for agency in group} & mine)
    return ids[0] if ids else None


def _other_active_admins(user: User) -> int:
    """Active admins other than this user who share an agency with them."""
    shared = select(user_agencies.c.user_id).where(user_agencies.c.agency_id.in_(user.agency_ids))
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.id != user.id, User.role == "admin", User.active.is_(True), User.id.in_(shared))
        )
        or 0
    )


# --- reading the forms --------------------------------------------------------------------------------


def _read_agencies(errors: dict[str, str]) -> list[Agency]:
    mine = {agency.id: agency for agency in my_agencies()}
    chosen: list[Agency] = []
    for raw in request.form.getlist("agencies"):
        if not raw.isdecimal() or int(raw) not in mine:
            errors["agencies"] = tr("users.error.agency_unknown")
            return []
        if mine[int(raw)] not in chosen:
            chosen.append(mine[int(raw)])
    if not chosen:
        errors["agencies"] = tr("users.error.agency_required")
    return sorted(chosen, key=lambda agency: agency.id)


def _read_role(errors: dict[str, str]) -> str:
    role = request.form.get("role", "")
    if role not in ROLES:
        errors["role"] = tr("users.error.role")
    return role


def _read_full_name(errors: dict[str, str]) -> str | None:
    name = " ".join(request.form.get("full_name", "").split())
    if len(name) > MAX_NAME_LENGTH:
        errors["full_name"] = tr("users.error.full_name_long", count=MAX_NAME_LENGTH)
    return name or None


def _read_password(errors: dict[str, str]) -> str:
    password = request.form.get("password", "")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = tr("users.error.password_short", count=MIN_PASSWORD_LENGTH)
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors["password"] = tr("users.error.password_long", count=MAX_PASSWORD_LENGTH)
    elif password != request.form.get("password_confirm", ""):
        errors["password_confirm"] = tr("users.error.password_mismatch")
    return password


def _read_username(errors: dict[str, str]) -> str:
    username = request.form.get("username", "").strip()
    if not USERNAME.match(username):
        errors["username"] = tr("users.error.username_format")
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = tr("users.error.username_taken")
    return username


# --- pages --------------------------------------------------------------------------------------------


@bp.get("/users")
@requires("users")
def users():
    rows = list(db.session.scalars(_visible_users().order_by(User.active.desc(), func.lower(User.username))))
    return render_template("admin/users.html", users=rows, manageable=manageable)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("users")
def users_new():
    errors: dict[str, str] = {}
    values = {"username": "", "full_name": "", "role": "staff", "agencies": [a.id for a in my_agencies()][:1]}
    if request.method == "POST":
        values = {
            "username": request.form.get("username", "").strip(),
            "full_name": request.form.get("full_name", ""),
            "role": request.form.get("role", ""),
            "agencies": [int(v) for v in request.form.getlist("agencies") if v.isdecimal()],
        }
        username = _read_username(errors)
        full_name = _read_full_name(errors)
        role = _read_role(errors)
        agencies = _read_agencies(errors)
        password = _read_password(errors)
        if not errors:
            user = User(username=username, full_name=full_name, role=role, active=True)
            user.set_password(password)
            user.agencies = agencies
            user.rotate_session_token()
            db.session.add(user)
            db.session.flush()
            audit.record("user_created", "user", user.id, _audit_agency(agencies), role=role, agencies=_slugs(agencies))
            db.session.commit()
            flash(tr("users.created", username=username), "success")
            return redirect(url_for("admin.users_edit", user_id=user.id))
    status = 400 if errors else 200
    return render_template(
        "admin/users_new.html", errors=errors, values=values, agencies=my_agencies(), roles=ROLES
    ), status


def _edit_page(user: User, errors: dict[str, str] | None = None, values: dict | None = None, status: int = 200):
    errors = errors or {}
    values = values or {
        "full_name": user.full_name or "",
        "role": user.role,
        "agencies": [agency.id for agency in user.agencies],
    }
    return render_template(
        "admin/users_edit.html",
        user=user,
        errors=errors,
        values=values,
        agencies=my_agencies(),
        roles=ROLES,
        may_change=manageable(user),
        is_me=user.id == current_user.id,
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("users")
def users_edit(user_id: int):
    user = _visible_user(user_id)
    if request.method == "GET":
        return _edit_page(user)
    if not manageable(user):
        abort(403)
    errors: dict[str, str] = {}
    full_name = _read_full_name(errors)
    role = _read_role(errors)
    agencies = _read_agencies(errors)
    stepping_down = user.id == current_user.id and user.role == "admin" and role != "admin"
    if not errors and stepping_down and not _other_active_admins(user):
        errors["role"] = tr("users.error.last_admin")
    if errors:
        values = {
            "full_name": request.form.get("full_name", ""),
            "role": request.form.get("role", ""),
            "agencies": [int(v) for v in request.form.getlist("agencies") if v.isdecimal()],
        }
        return _edit_page(user, errors, values, 400)
    before_role, before_agencies = user.role, list(user.agencies)
    name_changed = full_name != user.full_name
    changed = role != before_role or _slugs(agencies) != _slugs(before_agencies) or name_changed
    if changed:
        user.full_name, user.role, user.agencies = full_name, role, agencies
        detail = {
            "role_before": before_role,
            "role_after": role,
            "agencies_before": _slugs(before_agencies),
            "agencies_after": _slugs(agencies),
        }
        if name_changed:
            detail["full_name_changed"] = True
        audit.record("user_changed", "user", user.id, _audit_agency(before_agencies, agencies), **detail)
        db.session.commit()
    flash(tr("users.saved") if changed else tr("users.unchanged"), "success")
    if user.id == current_user.id and not has_right("users"):  # an admin who stepped down
        return redirect(home())
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@requires("users")
def users_password(user_id: int):
    user = _managed_user(user_id)
    errors: dict[str, str] = {}
    password = _read_password(errors)
    if errors:
        return _edit_page(user, {"reset_" + key: message for key, message in errors.items()}, status=400)
    user.set_password(password)
    user.rotate_session_token()  # the sessions the old password opened end now
    audit.record("user_changed", "user", user.id, _audit_agency(user.agencies), password_reset=True)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # this session goes on with the new token; the others have ended
    flash(tr("users.password_reset", username=user.username), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/disable")
@requires("users")
def users_disable(user_id: int):
    user = _managed_user(user_id)
    if user.id == current_user.id:
        return _edit_page(user, {"active": tr("users.error.self_disable")}, status=400)
    if user.active:
        user.active = False
        user.rotate_session_token()  # every session of this user ends at its next request
        audit.record("user_disabled", "user", user.id, _audit_agency(user.agencies))
        db.session.commit()
    flash(tr("users.disabled", username=user.username), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/enable")
@requires("users")
def users_enable(user_id: int):
    user = _managed_user(user_id)
    if not user.active:
        user.active = True
        audit.record("user_enabled", "user", user.id, _audit_agency(user.agencies))
        db.session.commit()
    flash(tr("users.enabled", username=user.username), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


# --- the audit log ------------------------------------------------------------------------------------


def _utc_start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=BANGKOK).astimezone(UTC)


def action_label(action: str) -> str:
    key = f"audit.action.{action}"
    return tr(key) if key in catalog(lang()) else action


def target_label(entry: AuditEntry, usernames: dict[int, str] | None = None) -> str:
    """'ผู้ใช้งาน somchai', 'เรื่องร้องเรียน 12': the kind of record in words and which one."""
    if not entry.target_type:
        return ""
    key = f"audit.target.{entry.target_type}"
    kind = tr(key) if key in catalog(lang()) else entry.target_type
    which = entry.target_id
    if entry.target_type == "user" and which and which.isdigit():
        which = (usernames or {}).get(int(which), which)
    return f"{kind} {which}" if which else kind


def detail_items(entry: AuditEntry) -> list[tuple[str, str]]:
    """The entry's small facts as (label, value) text, roles and yes/no in words, long text cut."""
    items = []
    for key, value in (entry.detail or {}).items():
        label_key = f"audit.detail.{key}"
        label = tr(label_key) if label_key in catalog(lang()) else key
        items.append((label, _detail_value(key, value)))
    return items


def _detail_value(key: str, value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return tr("audit.yes") if value else tr("audit.no")
    if isinstance(value, list):
        return ", ".join(_detail_value(key, item) for item in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_value(k, v)}" for k, v in value.items())
    text = str(value)
    if key.startswith("role") and text in ROLES:
        role_key = f"admin.role.{text}"
        return tr(role_key)
    return text if len(text) <= 80 else text[:79] + "…"


def _visible_entries():
    """Entries of the admin's agencies, and those of no agency (logins, failed logins, imports) when they are
    about no one or about a user the admin sees: another agency's staff, their logins and addresses, stay hidden."""
    colleagues = select(user_agencies.c.user_id).where(user_agencies.c.agency_id.in_(agency_ids()))
    about_user = AuditEntry.target_type == "user"
    return or_(
        AuditEntry.agency_id.in_(agency_ids()),
        and_(
            AuditEntry.agency_id.is_(None),
            or_(AuditEntry.actor_id.is_(None), AuditEntry.actor_id.in_(colleagues)),
            or_(
                ~about_user,
                AuditEntry.target_type.is_(None),
                AuditEntry.target_id.in_(
                    select(cast(user_agencies.c.user_id, String)).where(user_agencies.c.agency_id.in_(agency_ids()))
                ),
            ),
        ),
    )


@bp.get("/audit")
@requires("audit")
def audit_log():
    query = select(AuditEntry).where(_visible_entries())
    errors: dict[str, str] = {}
    filters = {name: request.args.get(name, "").strip() for name in ("action", "user", "from", "to")}
    if filters["action"]:
        if filters["action"] in AUDIT_ACTIONS:
            query = query.where(AuditEntry.action == filters["action"])
        else:
            errors["action"] = tr("audit.error.action")
    if filters["user"]:
        name = filters["user"].lower()
        named = select(User.id).where(func.lower(User.username) == name)
        ids = [str(user_id) for user_id in db.session.scalars(named)]
        about = and_(AuditEntry.target_type == "user", AuditEntry.target_id.in_(ids)) if ids else None
        by = func.lower(AuditEntry.actor_name) == name
        query = query.where(or_(by, about) if about is not None else by)
    bounds: dict[str, date] = {}
    for name in ("from", "to"):
        if filters[name]:
            try:
                bounds[name] = parse_day(filters[name])
            except ValueError:
                errors[name] = tr("audit.error.date")
    if "from" in bounds:
        query = query.where(AuditEntry.at >= _utc_start_of(bounds["from"]))
    if "to" in bounds:
        query = query.where(AuditEntry.at < _utc_start_of(bounds["to"] + timedelta(days=1)))
    if "from" in bounds and "to" in bounds and bounds["from"] > bounds["to"]:
        errors["to"] = tr("audit.error.range")
    if errors:
        query = query.where(false())  # a filter that cannot be read shows nothing rather than too much
    page = paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids())))}
    user_ids = {int(e.target_id) for e in page.items if e.target_type == "user" and (e.target_id or "").isdigit()}
    usernames = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
    return render_template(
        "admin/audit.html",
        page=page,
        filters=filters,
        errors=errors,
        actions=AUDIT_ACTIONS,
        agencies=agencies,
        action_label=action_label,
        target_label=lambda entry: target_label(entry, usernames),
        detail_items=detail_items,
    ), (400 if errors else 200)
