"""Complaint cases: list, filters, case page, notes, status workflow, identity reveal.

Staff work the general lane of their agencies; the corruption lane exists only for users with the right
cases.corruption (for anyone else its cases are 404 and left out of every list and count). Every view
of a corruption case is audited, and so is each reveal of an identified reporter, with its reason.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_, select

from admin import audit, bp
from admin.access import agency_clause, agency_ids, check_agency, has_right, requires, visible_lanes
from admin.pagination import paginate
from admin.ui import lang, tr, user_labels
from bot import casework
from models import (
    Agency,
    CaseNote,
    ChatMessage,
    Complaint,
    ComplaintPhoto,
    ReporterIdentity,
    User,
    db,
)
from models.complaint import CATEGORIES, CLOSED_STATUSES, STATUSES, TRANSITIONS, indicator_clause
from models.periods import (
    BANGKOK,
    BE_OFFSET,
    THAI_MONTHS_SHORT,
    fiscal_year,
    local,
    parse_day,
    period_bounds,
    periods_of,
)
from models.sealing import SealingError, unseal
from models.types import as_utc, utcnow
from models.user import user_agencies

log = logging.getLogger(__name__)

MAX_NOTE = 4000  # an internal note
MAX_PUBLIC_NOTE = 1000  # told to the citizen on LINE with the status
MIN_REASON, MAX_REASON = 10, 500  # why an identity is revealed
MAX_SEARCH = 100
HISTORY_LIMIT = 200  # messages of the conversation shown on a case
PERIOD_YEARS = 3  # fiscal years offered in the period filter
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
TRACKING_PREFIX = re.compile(r"\d{2,4}(-\d{0,6})?")
LIKE_SPECIAL = re.compile(r"([\\%_])")
STATUS_KEYS = {status: "case.status." + status for status in STATUSES}


# --- the case, if this user may see it -----------------------------------------------------------


def _load(case_id: int) -> Complaint:
    """The case, or 404 when it does not exist, is another agency's, or is in a lane the user may not see."""
    complaint = db.session.get(Complaint, case_id)
    if complaint is None or complaint.lane not in visible_lanes():
        abort(404)
    check_agency(complaint.agency_id)
    return complaint


# --- the list ------------------------------------------------------------------------------------


@dataclass
class Filters:
    lane: str = ""
    category: str = ""
    status: str = ""
    agency: int | None = None
    period: str = ""
    indicator: int | None = None
    q: str = ""
    overdue: bool = False
    assigned: str = ""  # "" | "me" | "none"

    @property
    def any(self) -> bool:
        fields = (self.lane, self.category, self.status, self.agency, self.period, self.indicator, self.q)
        return any(fields) or self.overdue or bool(self.assigned)


def _visible_categories() -> dict[str, list[str]]:
    return {lane: list(CATEGORIES[lane]) for lane in visible_lanes()}


def _visible_indicators() -> list[int]:
    return sorted({n for lane in visible_lanes() for numbers in CATEGORIES[lane].values() for n in numbers})


def _read_filters() -> Filters:
    """The filters asked for; a value the user may not use (a lane they cannot see, another agency) is dropped."""
    args = request.args
    found = Filters()
    if args.get("lane") in visible_lanes():
        found.lane = args["lane"]
    categories = _visible_categories()
    allowed = categories.get(found.lane, []) if found.lane else [c for cs in categories.values() for c in cs]
    if args.get("category") in allowed:
        found.category = args["category"]
    if args.get("status") in (*STATUSES, "open"):
        found.status = args["status"]
    agency = args.get("agency", type=int)
    if agency in agency_ids():
        found.agency = agency
    period = (args.get("period") or "").strip()
    if period:
        try:
            period_bounds(period)
            found.period = period
        except ValueError:
            pass
    indicator = args.get("indicator", type=int)
    if indicator in _visible_indicators():
        found.indicator = indicator
    found.q = (args.get("q") or "").strip()[:MAX_SEARCH]
    found.overdue = args.get("overdue") == "1"
    if args.get("assigned") in ("me", "none"):
        found.assigned = args["assigned"]
    return found


def _like(word: str) -> str:
    return "%" + LIKE_SPECIAL.sub(r"\\\1", word) + "%"


def _search_clause(q: str):
    """A tracking number (whole or its start) or words that must each appear in the description or place."""
    number = q.upper()
    if TRACKING_PREFIX.fullmatch(number):
        return Complaint.tracking_no.startswith(number, autoescape=True)
    words = [w for w in q.split() if w][:10]
    return and_(
        *(
            or_(Complaint.description.ilike(_like(w), escape="\\"), Complaint.place.ilike(_like(w), escape="\\"))
            for w in words
        )
    )


def _query(found: Filters):
    lanes = visible_lanes()
    # The lane and agency clauses come first and always: a search never reaches a lane the user may not see.
    query = select(Complaint).where(agency_clause(Complaint.agency_id), Complaint.lane.in_(lanes))
    if found.lane:
        query = query.where(Complaint.lane == found.lane)
    if found.category:
        query = query.where(Complaint.category == found.category)
    if found.status == "open":
        query = query.where(Complaint.status.not_in(CLOSED_STATUSES))
    elif found.status:
        query = query.where(Complaint.status == found.status)
    if found.agency:
        query = query.where(Complaint.agency_id == found.agency)
    if found.period:
        start, end = period_bounds(found.period)
        query = query.where(Complaint.filed_at >= start.astimezone(UTC), Complaint.filed_at < end.astimezone(UTC))
    if found.indicator:
        query = query.where(indicator_clause(lanes, [found.indicator]))
    if found.q:
        query = query.where(_search_clause(found.q))
    if found.overdue:
        query = query.where(Complaint.overdue_at(utcnow()))
    if found.assigned == "me":
        query = query.where(Complaint.assigned_to_id == current_user.id)
    elif found.assigned == "none":
        query = query.where(Complaint.assigned_to_id.is_(None))
    return query.order_by(Complaint.filed_at.desc(), Complaint.id.desc())


def _month_label(key: str) -> str:
    start = period_bounds(key)[0]
    if lang() == "th":
        return f"{THAI_MONTHS_SHORT[start.month - 1]} {start.year + BE_OFFSET}"
    return f"{start:%b} {start.year}"


def _period_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """Fiscal years (this one and the two before), each with its halves, quarters and months."""
    current = fiscal_year(utcnow())
    groups = []
    for year in range(current, current - PERIOD_YEARS, -1):
        options = [(str(year), tr("survey.period.year", year=year))]
        for span in ("half", "quarter"):
            for number, key in enumerate(periods_of(year, span), start=1):
                options.append((key, tr(f"survey.period.{span}", number=number, year=year)))
        options += [(key, _month_label(key)) for key in periods_of(year, "month")]
        groups.append((tr("cases.filter.fiscal_year", year=year), options))
    return groups


@bp.get("/cases")
@requires("cases")
def cases():
    found = _read_filters()
    page = paginate(_query(found))
    agencies = {a.id: a for a in current_user.agencies}
    assignees = user_labels(c.assigned_to_id for c in page.items)
    now = utcnow()
    return render_template(
        "admin/cases.html",
        page=page,
        f=found,
        agencies=agencies,
        assignees=assignees,
        overdue={c.id for c in page.items if c.overdue_at(now)},
        lanes=visible_lanes(),
        categories=_visible_categories(),
        statuses=STATUSES,
        indicators=_visible_indicators(),
        periods=_period_options(),
        lang_code=lang(),
    )


# --- the case page -------------------------------------------------------------------------------


def _colleagues(complaint: Complaint) -> list[User]:
    """Active users of the case's agency whose role may work a case of this lane."""
    right = "cases.corruption" if complaint.lane == "corruption" else "cases"
    users = db.session.scalars(
        select(User)
        .join(user_agencies, user_agencies.c.user_id == User.id)
        .where(user_agencies.c.agency_id == complaint.agency_id, User.active.is_(True))
        .order_by(User.full_name, User.username)
    )
    return [u for u in users if has_right(right, u)]


def _history(complaint: Complaint) -> tuple[list[ChatMessage], bool]:
    """The general-lane case's conversation (its last messages); corruption reports have none by design."""
    if complaint.lane != "general" or complaint.conversation_id is None:
        return [], False
    rows = list(
        db.session.scalars(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == complaint.conversation_id)
            .order_by(ChatMessage.id.desc())
            .limit(HISTORY_LIMIT + 1)
        )
    )
    return list(reversed(rows[:HISTORY_LIMIT])), len(rows) > HISTORY_LIMIT


def _identity(complaint: Complaint) -> ReporterIdentity | None:
    if complaint.lane != "corruption":
        return None
    return db.session.scalar(select(ReporterIdentity).where(ReporterIdentity.complaint_id == complaint.id))


def _render(
    complaint: Complaint,
    code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    revealed: dict[str, str] | None = None,
):
    """The case page (also for a refused form, with its errors and what was typed, and after a reveal)."""
    if complaint.lane == "corruption":
        audit.record("case_viewed", "complaint", complaint.id, complaint.agency_id)
        db.session.commit()
    history, truncated = _history(complaint)
    notes = list(complaint.notes)
    updates = list(complaint.updates)
    people = user_labels([complaint.assigned_to_id, *(n.author_id for n in notes), *(u.actor_id for u in updates)])
    identity = _identity(complaint)
    due = as_utc(complaint.due_at)
    return (
        render_template(
            "admin/cases_view.html",
            c=complaint,
            agency=db.session.get(Agency, complaint.agency_id),
            corruption=complaint.lane == "corruption",
            history=history,
            history_truncated=truncated,
            notes=notes,
            updates=updates,
            people=people,
            photos=list(complaint.photos),
            has_identity=identity is not None,
            notifies=_notifies(complaint),
            revealed=revealed,
            transitions=TRANSITIONS.get(complaint.status, ()),
            colleagues=_colleagues(complaint),
            overdue=complaint.overdue_at(utcnow()),
            due_value=local(due).date().isoformat() if due else "",
            errors=errors or {},
            values=values or {},
            map_url=_map_url(complaint),
            max_note=MAX_NOTE,
            max_public_note=MAX_PUBLIC_NOTE,
            min_reason=MIN_REASON,
            max_reason=MAX_REASON,
        ),
        code,
    )


def _notifies(complaint: Complaint) -> bool:
    """Whether a status change will reach the citizen on LINE (never says to whom)."""
    try:
        return casework.recipient_of(complaint) is not None
    except SealingError:
        return False


def _map_url(complaint: Complaint) -> str | None:
    if complaint.latitude is None or complaint.longitude is None:
        return None
    lat, lon = f"{complaint.latitude:.6f}", f"{complaint.longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@bp.get("/cases/<int:case_id>")
@requires("cases")
def cases_view(case_id: int):
    return _render(_load(case_id))


@bp.get("/cases/<int:case_id>/photos/<int:photo_id>")
@requires("cases")
def cases_photo(case_id: int, photo_id: int):
    complaint = _load(case_id)
    photo = db.session.get(ComplaintPhoto, photo_id)
    if photo is None or photo.complaint_id != complaint.id:
        abort(404)
    if complaint.lane == "corruption":
        audit.record("case_viewed", "complaint", complaint.id, complaint.agency_id, photo=photo.id)
        db.session.commit()
    image = photo.content_type in IMAGE_TYPES
    response = Response(photo.data, mimetype=photo.content_type if image else "application/octet-stream")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    disposition = "inline" if image else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="case-{complaint.id}-photo-{photo.id}"'
    return response


# --- working the case ----------------------------------------------------------------------------


def _back(complaint: Complaint, anchor: str | None = None):
    return redirect(url_for("admin.cases_view", case_id=complaint.id, _anchor=anchor))


def _refuse(complaint: Complaint, code: int, message: str, field: str | None = None, values: dict | None = None):
    """Nothing changed: the page again, the reason named (beside the field, if there is one), what was typed kept."""
    db.session.rollback()
    flash(message, "error")
    return _render(complaint, code, errors={field: message} if field else None, values=values)


@bp.post("/cases/<int:case_id>/status")
@requires("cases")
def cases_status(case_id: int):
    complaint = _load(case_id)
    wanted = (request.form.get("status") or "").strip()
    seen = (request.form.get("current") or "").strip()
    note = (request.form.get("public_note") or "").strip()
    typed = {"status": wanted, "public_note": note}
    if wanted not in STATUSES:
        return _refuse(complaint, 400, tr("cases.error.choose_status"), "status", typed)
    if seen and seen != complaint.status:
        return _refuse(complaint, 409, tr("cases.error.changed_meanwhile"), "status", typed)
    if wanted not in TRANSITIONS.get(complaint.status, ()):
        message = tr(
            "cases.error.transition",
            current=tr(f"case.status.{complaint.status}"),
            wanted=tr(STATUS_KEYS[wanted]),
        )
        return _refuse(complaint, 409, message, "status", typed)
    if len(note) > MAX_PUBLIC_NOTE:
        return _refuse(complaint, 400, tr("cases.error.too_long", limit=MAX_PUBLIC_NOTE), "public_note", typed)
    before = complaint.status
    # Saved by change_status's commit, with the change it records.
    audit.record("case_status", "complaint", complaint.id, complaint.agency_id, **{"from": before, "to": wanted})
    try:
        change = casework.change_status(complaint, wanted, actor_id=current_user.id, public_note=note or None)
    except casework.CaseError:
        return _refuse(complaint, 409, tr("cases.error.changed_meanwhile"), "status", typed)
    status = tr(f"case.status.{change.status}")
    if change.notice == "sent":
        flash(tr("cases.flash.status_sent", status=status), "success")
    elif change.notice == "failed":
        flash(tr("cases.flash.status_failed", status=status), "error")
    else:
        flash(tr("cases.flash.status_no_notice", status=status), "success")
    return _back(complaint, "status")


@bp.post("/cases/<int:case_id>/notes")
@requires("cases")
def cases_note(case_id: int):
    complaint = _load(case_id)
    body = (request.form.get("body") or "").strip()
    if not body:
        return _refuse(complaint, 400, tr("cases.error.note_empty"), "body")
    if len(body) > MAX_NOTE:
        return _refuse(complaint, 400, tr("cases.error.too_long", limit=MAX_NOTE), "body", {"body": body})
    db.session.add(CaseNote(complaint_id=complaint.id, author_id=current_user.id, body=body))
    db.session.commit()
    flash(tr("cases.flash.note_added"), "success")
    return _back(complaint, "notes")


@bp.post("/cases/<int:case_id>/due")
@requires("cases")
def cases_due(case_id: int):
    complaint = _load(case_id)
    if "clear" in request.form:
        complaint.due_at = None
        db.session.commit()
        flash(tr("cases.flash.due_cleared"), "success")
        return _back(complaint, "work")
    text = (request.form.get("due") or "").strip()
    try:  # as the date input sends it, or typed by hand: 31/12/2569, 2569-12-31
        day = parse_day(text)
    except ValueError:
        return _refuse(complaint, 400, tr("cases.error.due_invalid"), "due", {"due": text})
    filed = local(complaint.filed_at).date()
    if day < filed or day > local(utcnow()).date() + timedelta(days=3 * 366):
        return _refuse(complaint, 400, tr("cases.error.due_range"), "due", {"due": text})
    # Due at the end of that day, Bangkok time.
    complaint.due_at = datetime.combine(day, time(23, 59, 59), tzinfo=BANGKOK).astimezone(UTC)
    db.session.commit()
    flash(tr("cases.flash.due_set"), "success")
    return _back(complaint, "work")


@bp.post("/cases/<int:case_id>/assign")
@requires("cases")
def cases_assign(case_id: int):
    complaint = _load(case_id)
    before = complaint.assigned_to_id
    chosen = (request.form.get("user") or "").strip()
    if not chosen:
        complaint.assigned_to_id = None
    else:
        allowed = {str(u.id): u.id for u in _colleagues(complaint)}
        if chosen not in allowed:
            return _refuse(complaint, 400, tr("cases.error.assignee"), "user")
        complaint.assigned_to_id = allowed[chosen]
    audit.assignment("complaint", complaint.id, complaint.agency_id, before, complaint.assigned_to_id)
    db.session.commit()
    flash(tr("cases.flash.assigned"), "success")
    return _back(complaint, "work")


@bp.post("/cases/<int:case_id>/reveal")
@requires("cases", "cases.corruption", "identity.reveal")
def cases_reveal(case_id: int):
    complaint = _load(case_id)
    if complaint.lane != "corruption":
        abort(404)
    identity = _identity(complaint)
    if identity is None or not complaint.identified:
        return _refuse(complaint, 409, tr("cases.identity.anonymous"))
    reason = " ".join((request.form.get("reason") or "").split())
    if len(reason) < MIN_REASON:
        return _refuse(complaint, 400, tr("cases.error.reason_short", min=MIN_REASON), "reason", {"reason": reason})
    if len(reason) > MAX_REASON:
        return _refuse(complaint, 400, tr("cases.error.too_long", limit=MAX_REASON), "reason", {"reason": reason})
    try:
        sealed = unseal(identity.sealed)
    except SealingError:
        log.error("identity of complaint %s cannot be unsealed with the configured key", complaint.id)
        return _refuse(complaint, 503, tr("cases.error.unseal"))
    audit.record("identity_revealed", "complaint", complaint.id, complaint.agency_id, reason=reason)
    db.session.commit()
    # Name and phone only (never the LINE id), for this response only: nothing is kept in the session.
    revealed = {"name": str(sealed.get("name") or ""), "phone": str(sealed.get("phone") or "")}
    return _render(complaint, revealed=revealed)
