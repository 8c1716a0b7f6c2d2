"""What every backend page shares: the language switch, translated strings and Buddhist-era dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import redirect, request, session
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from admin import bp
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from models import User, db
from models.periods import BE_OFFSET, THAI_MONTHS_SHORT, english_date, thai_date


def lang() -> str:
    """The backend's language: Thai unless the user switched to English (kept in the session)."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **values) -> str:
    """A backend string in the user's language."""
    return t(key, lang(), **values)


def be_date(value: date | datetime | None, with_time: bool = False) -> str:
    """A date as Thai readers expect it (22 พ.ย. 2569 14:05 น.), or in English (22 Nov 2026, 14:05); '–' for none."""
    if value is None:
        return "–"
    if not isinstance(value, datetime):  # a calendar day: no time zone to convert
        if lang() == "th":
            return f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}"
        return f"{value.day} {value:%b} {value.year}"
    return thai_date(value, with_time) if lang() == "th" else english_date(value, with_time)


def be_datetime(value: datetime | None) -> str:
    return be_date(value, with_time=True)


def duration(seconds: float | None) -> str:
    """A waiting or answering time: 45 นาที, 3 ชม. 20 นาที, 2 วัน 4 ชม."""
    if seconds is None:
        return "–"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:  # "2 วัน", not "2 วัน 0 ชม."
        return (
            tr("admin.duration.days_hours", days=days, hours=hours) if hours else tr("admin.duration.days", days=days)
        )
    if hours:
        return (
            tr("admin.duration.hours_minutes", hours=hours, minutes=mins)
            if mins
            else tr("admin.duration.hours", hours=hours)
        )
    if not mins:  # not "0 นาที"
        return tr("admin.duration.under_minute")
    return tr("admin.duration.minutes", minutes=mins)


class LanguageForm(FlaskForm):
    lang = StringField(validators=[AnyOf(LANGUAGES)])
    next = HiddenField()


@bp.post("/language")
def set_language():
    """Switch the backend between Thai and English, then go back to the page the user was on."""
    from admin.auth import _safe_next

    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(_safe_next(form.next.data))


# The main menu: (endpoint, right, label key). An entry shows when its endpoint exists and the user has the right.
NAV = (
    ("admin.inbox", "inbox", "admin.nav.inbox"),
    ("admin.cases", "cases", "admin.nav.cases"),
    ("admin.ita", "ita.view", "admin.nav.ita"),
    ("admin.stats", "stats", "admin.nav.stats"),
    ("admin.reports", "reports", "admin.nav.reports"),
    ("admin.chat", "chat", "admin.nav.chat"),
    ("admin.users", "users", "admin.nav.users"),
    ("admin.audit_log", "audit", "admin.nav.audit"),
)


# Pages that belong to another area's menu entry: the cases CSV under cases, the other exports under reports.
AREA_OF = {"exports_cases": "cases", "exports": "reports", "exports_status": "reports", "exports_download": "reports"}


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    active: bool


def nav_items() -> list[NavItem]:
    from flask import current_app, url_for

    from admin.access import has_right

    here = (request.endpoint or "").removeprefix("admin.")
    here = AREA_OF.get(here, here)
    items = []
    for endpoint, right, label in NAV:
        if endpoint in current_app.view_functions and has_right(right):
            area = endpoint.removeprefix("admin.")
            items.append(NavItem(url_for(endpoint), label, here == area or here.startswith(area + "_")))
    return items


@bp.record_once
def _functions_for_every_template(state) -> None:
    """Globals, so macros imported without context (`{% import "admin/_macros.html" as ui %}`) have them too."""
    from admin.access import has_right

    state.app.jinja_env.globals.update(t=tr, has_right=has_right, nav_items=nav_items)


@bp.app_context_processor
def _template_values() -> dict:
    return {
        "lang": lang(),
        "languages": LANGUAGES,
        "language_form": LanguageForm(lang=lang(), next=request.full_path.rstrip("?") if request else ""),
    }


@bp.app_template_filter("be_date")
def _be_date_filter(value) -> str:
    return be_date(value)


@bp.app_template_filter("be_datetime")
def _be_datetime_filter(value) -> str:
    return be_datetime(value)


@bp.app_template_filter("duration")
def _duration_filter(seconds) -> str:
    return duration(seconds)


def user_labels(ids) -> dict[int, str]:
    """Backend users' names as shown (full name or username), by id; None ids are skipped."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.label for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
