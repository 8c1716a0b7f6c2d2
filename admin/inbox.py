"""Staff inbox: chats handed over by the bot, answered as LINE pushes.

Whose chats a user sees: the handoffs of the agencies they work for, and the handoffs with no agency.
A handoff has no agency when the OA serves several agencies and the chat never named one
(bot.handoffs.open_for): nobody can route it, so everyone with the inbox right sees it rather than no one.
A handoff of another agency answers 404 on every route, as if it did not exist.

The pages work without JavaScript (plain forms, redirects). admin/static/inbox.js adds polling: the view
asks /messages?after=<last id> every few seconds and appends what is new; the list asks /updates, and /rows
to redraw itself. Polls do not count as activity for the idle timeout (access.background), so an inbox left
open still logs out.

Never shown: the chat's LINE user id (Conversation.chat_id). Never logged or audited: message text.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from admin import audit, bp
from admin.access import ROLE_RIGHTS, agency_clause, agency_ids, background, may_see_agency, requires
from admin.pagination import paginate
from admin.ui import be_datetime, lang, tr, user_labels
from bot.handoffs import MAX_STAFF_TEXT, HandoffError, close_and_offer_rating, staff_reply
from bot.line.processing import resend_failed
from bot.replies import Reply
from models import Agency, ChatMessage, Handoff, User, db
from models.types import as_utc, utcnow

HISTORY = 200  # messages shown on a chat's page (the most recent)
CLOSED_DAYS = 30  # "recently closed": closed within this many days
POLL_SECONDS = 5
INBOX_ROLES = tuple(role for role, rights in ROLE_RIGHTS.items() if "inbox" in rights)
# What a message without text was, for staff (the content itself is not kept).
MEDIA_LABELS = {
    kind: f"inbox.media.{kind}"
    for kind in ("image", "video", "audio", "file", "location", "sticker", "postback", "unsent")
}
WHO_LABELS = {"citizen": "inbox.who.citizen", "bot": "inbox.who.bot", "staff": "inbox.who.staff"}
DELIVERY_LABELS = {"failed": "inbox.delivery.failed", "pending": "inbox.delivery.pending"}
STATUS_LABELS = {"open": "inbox.status.open", "closed": "inbox.status.closed"}


# --- which handoffs, and how long they wait -----------------------------------------------------------


def _seconds_since(moment: datetime | None) -> float | None:
    return None if moment is None else max(0.0, (utcnow() - as_utc(moment)).total_seconds())


@dataclass
class Row:
    """A handoff with its waiting times, for the list."""

    handoff: Handoff
    last_in: datetime | None  # the citizen's last message (any time)
    last_staff: datetime | None  # the last staff answer since the handoff opened
    first_unanswered: datetime | None  # the citizen's first message after that answer

    @property
    def waiting(self) -> bool:
        """Staff owe an answer: none yet, or the citizen wrote after the last one."""
        if self.handoff.status != "open":
            return False
        return self.last_staff is None or self.first_unanswered is not None

    @property
    def waiting_since(self) -> datetime:
        if self.last_staff is None:
            return as_utc(self.handoff.opened_at)
        return as_utc(self.first_unanswered or self.handoff.opened_at)

    @property
    def open_seconds(self) -> float | None:
        return _seconds_since(self.handoff.opened_at)

    @property
    def waiting_seconds(self) -> float | None:
        return _seconds_since(self.waiting_since) if self.waiting else None

    @property
    def since_citizen_seconds(self) -> float | None:
        return _seconds_since(self.last_in)


def _response_seconds(handoff: Handoff) -> float | None:
    """How long the citizen waited for the first staff answer."""
    if handoff.first_response_at is None:
        return None
    return max(0.0, (as_utc(handoff.first_response_at) - as_utc(handoff.opened_at)).total_seconds())


def _visible():
    """Handoffs the user may see: their agencies' and the unassigned ones."""
    return agency_clause(Handoff.agency_id, include_unassigned=True)


def _timing_columns():
    """Correlated subqueries: the citizen's last message, the last staff answer, the first message after it."""
    message = aliased(ChatMessage)
    last_in = (
        select(func.max(message.created_at))
        .where(message.conversation_id == Handoff.conversation_id, message.direction == "in")
        .scalar_subquery()
    )
    staff = aliased(ChatMessage)
    last_staff = (
        select(func.max(staff.created_at))
        .where(
            staff.conversation_id == Handoff.conversation_id,
            staff.direction == "out",
            staff.kind == "staff",
            staff.created_at >= Handoff.opened_at,
        )
        .scalar_subquery()
    )
    later = aliased(ChatMessage)
    first_unanswered = (
        select(func.min(later.created_at))
        .where(
            later.conversation_id == Handoff.conversation_id,
            later.direction == "in",
            later.created_at > func.coalesce(last_staff, Handoff.opened_at),
        )
        .scalar_subquery()
    )
    return last_in.label("last_in"), last_staff.label("last_staff"), first_unanswered.label("first_unanswered")


def _open_rows(mine: bool = False) -> list[Row]:
    query = (
        select(Handoff, *_timing_columns())
        .where(Handoff.status == "open", _visible())
        .options(selectinload(Handoff.conversation))
    )
    if mine:
        query = query.where(Handoff.assigned_to_id == current_user.id)
    rows = [Row(*found) for found in db.session.execute(query)]
    # Those owed an answer first, the longest waiting on top; then the answered ones, oldest first.
    rows.sort(key=lambda r: (not r.waiting, r.waiting_since if r.waiting else as_utc(r.handoff.opened_at)))
    return rows


def _handoff_or_404(handoff_id: int) -> Handoff:
    """The handoff, if the user may see it; 404 for another agency's (its existence is not confirmed)."""
    handoff = db.session.get(Handoff, handoff_id)
    if handoff is None or (handoff.agency_id is not None and not may_see_agency(handoff.agency_id)):
        abort(404)
    return handoff


def _colleagues(handoff: Handoff) -> list[User]:
    """Who may take the chat: active users with the inbox right working for its agency (no agency:
    for any agency of the current user)."""
    wanted = {handoff.agency_id} if handoff.agency_id is not None else agency_ids()
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(INBOX_ROLES), User.agencies.any(Agency.id.in_(wanted)))
            .order_by(User.full_name, User.username)
        )
    )


def _names_for(handoffs) -> dict:
    """What a list of chats shows beside each: its assignee's name and its agency's."""
    return {"users": user_labels(h.assigned_to_id for h in handoffs), "agencies": _agency_names(handoffs)}


def _agency_names(handoffs) -> dict[int, str]:
    ids = {h.agency_id for h in handoffs if h.agency_id is not None}
    if not ids:
        return {}
    return {a.id: a.display_name(lang()) for a in db.session.scalars(select(Agency).where(Agency.id.in_(ids)))}


# --- messages as staff see them -------------------------------------------------------------------------


def _who(message: ChatMessage) -> str:
    if message.direction == "in":
        return "citizen"
    return "staff" if message.kind == "staff" else "bot"


def _shown_text(message: ChatMessage) -> str:
    if message.kind == "staff" and message.body:
        # The stored text is cut at 2,000 characters (ChatMessage.outgoing); an answer may have 5,000.
        with suppress(TypeError, ValueError, AttributeError):
            return Reply.from_dict(message.body).plain_text()
    if message.text:
        return message.text
    if message.direction == "in":
        return tr(MEDIA_LABELS.get(message.kind, "inbox.media.other"))
    return tr("inbox.media.hidden")


def _resendable(message: ChatMessage) -> bool:
    return message.direction == "out" and message.status == "failed" and not message.resent


def _delivery(message: ChatMessage) -> str | None:
    """'failed', 'pending' or None (delivered, or the citizen's own message)."""
    if message.direction != "out":
        return None
    return message.status if message.status in ("failed", "pending") else None


def _message_json(handoff: Handoff, message: ChatMessage) -> dict:
    delivery = _delivery(message)
    return {
        "id": message.id,
        "who": _who(message),
        "who_label": tr(WHO_LABELS[_who(message)]),
        "text": _shown_text(message),
        "at": be_datetime(message.created_at),
        "delivery": delivery,
        "delivery_label": tr(DELIVERY_LABELS[delivery]) if delivery else None,
        "unfollowed": message.last_error == "unfollowed",
        "resend_url": url_for("admin.inbox_resend", handoff_id=handoff.id, message_id=message.id)
        if _resendable(message)
        else None,
    }


def _history(handoff: Handoff, after: int | None = None) -> list[ChatMessage]:
    query = select(ChatMessage).where(ChatMessage.conversation_id == handoff.conversation_id)
    if after is not None:
        return list(db.session.scalars(query.where(ChatMessage.id > after).order_by(ChatMessage.id).limit(HISTORY)))
    recent = list(db.session.scalars(query.order_by(ChatMessage.id.desc()).limit(HISTORY)))
    return recent[::-1]


def _state_json(handoff: Handoff) -> dict:
    assigned = db.session.get(User, handoff.assigned_to_id) if handoff.assigned_to_id else None
    return {
        "id": handoff.id,
        "status": handoff.status,
        "status_label": tr(STATUS_LABELS.get(handoff.status, "inbox.status.closed")),
        "assigned": assigned.label if assigned else None,
        "assigned_id": assigned.id if assigned else None,
        "assigned_label": assigned.label if assigned else tr("inbox.unassigned"),
    }


# --- pages ---------------------------------------------------------------------------------------------------


@bp.get("/inbox")
@requires("inbox")
def inbox():
    """Open chats, the longest waiting first; ?tab=closed: those closed in the last CLOSED_DAYS days."""
    tab = "closed" if request.args.get("tab") == "closed" else "open"
    mine = request.args.get("mine") == "1"
    page = rows = None
    everyone = _open_rows()  # the counts are over every open chat the user sees, whichever tab is shown
    if tab == "open":
        rows = [r for r in everyone if r.handoff.assigned_to_id == current_user.id] if mine else everyone
        handoffs = [r.handoff for r in rows]
    else:
        query = (
            select(Handoff)
            .where(
                Handoff.status == "closed",
                _visible(),
                Handoff.closed_at >= utcnow() - timedelta(days=CLOSED_DAYS),
            )
            .order_by(Handoff.closed_at.desc(), Handoff.id.desc())
        )
        if mine:
            query = query.where(Handoff.assigned_to_id == current_user.id)
        page = paginate(query)
        handoffs = page.items
    return render_template(
        "admin/inbox.html",
        tab=tab,
        mine=mine,
        rows=rows,
        page=page,
        **_names_for(handoffs),
        counts=_counts(everyone),
        closed_days=CLOSED_DAYS,
        poll_seconds=POLL_SECONDS,
        response_seconds=_response_seconds,
    )


@bp.get("/inbox/rows")
@background
@requires("inbox")
def inbox_rows():
    """The open chats' table alone (?mine=1: the user's), for inbox.js to redraw the list.

    A background request: the list redraws itself about once a minute, and that must not keep the session alive.
    """
    mine = request.args.get("mine") == "1"
    rows = _open_rows(mine)
    handoffs = [r.handoff for r in rows]
    return render_template(
        "admin/inbox_rows.html",
        mine=mine,
        rows=rows,
        **_names_for(handoffs),
    )


def _counts(rows: list[Row]) -> dict:
    return {
        "open": len(rows),
        "waiting": sum(r.waiting for r in rows),
        "mine": sum(r.handoff.assigned_to_id == current_user.id for r in rows),
        "mine_waiting": sum(r.waiting and r.handoff.assigned_to_id == current_user.id for r in rows),
    }


@bp.get("/inbox/updates")
@background
@requires("inbox")
def inbox_updates():
    """For the list and the menu: how many chats are open and how many wait for an answer.

    `signature` changes whenever the list would look different (a new chat, a new message, a close).
    """
    rows = _open_rows()
    signature = ";".join(
        f"{r.handoff.id}:{r.waiting}:{r.handoff.assigned_to_id or 0}" for r in sorted(rows, key=lambda r: r.handoff.id)
    )
    latest = db.session.scalar(
        select(func.max(ChatMessage.id))
        .join(Handoff, Handoff.conversation_id == ChatMessage.conversation_id)
        .where(Handoff.status == "open", _visible())
    )
    return jsonify(**_counts(rows), signature=f"{signature}|{latest or 0}")


@bp.get("/inbox/<int:handoff_id>")
@requires("inbox")
def inbox_view(handoff_id: int):
    handoff = _handoff_or_404(handoff_id)
    return _render_view(handoff)


def _render_view(handoff: Handoff, error: str | None = None, draft: str = "", status: int = 200):
    messages = _history(handoff)
    agency = db.session.get(Agency, handoff.agency_id) if handoff.agency_id else None
    conversation = handoff.conversation
    body = render_template(
        "admin/inbox_view.html",
        handoff=handoff,
        conversation=conversation,
        agency=agency,
        messages=[_message_json(handoff, m) for m in messages],
        opened_marker=_first_after(messages, handoff.opened_at),
        more_before=len(messages) == HISTORY,
        assigned=db.session.get(User, handoff.assigned_to_id) if handoff.assigned_to_id else None,
        colleagues=_colleagues(handoff),
        open_seconds=_seconds_since(handoff.opened_at),
        first_response_seconds=_response_seconds(handoff),
        error=error,
        draft=draft,
        max_text=MAX_STAFF_TEXT,
        poll_seconds=POLL_SECONDS,
        last_id=messages[-1].id if messages else 0,
    )
    return body, status


def _first_after(messages: list[ChatMessage], moment: datetime) -> int | None:
    """The id of the first message at or after the handoff opened (a divider goes before it)."""
    moment = as_utc(moment)
    for message in messages:
        if as_utc(message.created_at) >= moment:
            return message.id
    return None


@bp.get("/inbox/<int:handoff_id>/messages")
@background
@requires("inbox")
def inbox_messages(handoff_id: int):
    """Messages after ?after=<id> (all recent ones without it), and the handoff's state, for polling."""
    handoff = _handoff_or_404(handoff_id)
    after = request.args.get("after")
    if after is not None and not re.fullmatch(r"[0-9]{1,18}", after):
        return jsonify(error=tr("inbox.error.bad_after")), 400
    messages = _history(handoff, int(after) if after is not None else None)
    return jsonify(
        messages=[_message_json(handoff, m) for m in messages],
        handoff=_state_json(handoff),
        last_id=messages[-1].id if messages else (int(after) if after else 0),
    )


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


@bp.post("/inbox/<int:handoff_id>/reply")
@requires("inbox")
def inbox_reply(handoff_id: int):
    """Send the answer to the citizen (a LINE push). Form post or JSON {"text": ...}; the text is never lost."""
    handoff = _handoff_or_404(handoff_id)
    if request.is_json:
        payload = request.get_json(silent=True)
        text = payload.get("text") if isinstance(payload, dict) else None
    else:
        text = request.form.get("text")
    text = text if isinstance(text, str) else ""
    error, status = None, 200
    if handoff.status != "open":
        error, status = tr("inbox.error.closed"), 409
    elif not text.strip():
        error, status = tr("inbox.error.empty"), 400
    elif len(text.strip()) > MAX_STAFF_TEXT:
        error, status = tr("inbox.error.too_long", max=f"{MAX_STAFF_TEXT:,}", count=f"{len(text.strip()):,}"), 400
    if error is None:
        before = handoff.assigned_to_id
        try:
            message = staff_reply(handoff.id, text, current_user.id)
        except HandoffError:  # closed meanwhile (by the citizen, or idle)
            db.session.rollback()
            error, status = tr("inbox.error.closed"), 409
        else:
            _taken(handoff, before)
    if _wants_json():
        if error:
            return jsonify(error=error), status
        return jsonify(message=_message_json(handoff, message), handoff=_state_json(handoff))
    if error:
        return _render_view(handoff, error=error, draft=text, status=status)
    if message.status == "failed":
        flash(tr("inbox.reply_not_delivered"), "error")
    else:
        flash(tr("inbox.reply_sent"), "success")
    return redirect(url_for("admin.inbox_view", handoff_id=handoff.id) + "#reply")


@bp.post("/inbox/<int:handoff_id>/messages/<int:message_id>/resend")
@requires("inbox")
def inbox_resend(handoff_id: int, message_id: int):
    """Send a message LINE refused once more (once only)."""
    handoff = _handoff_or_404(handoff_id)
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.conversation_id != handoff.conversation_id or message.direction != "out":
        abort(404)
    if not _resendable(message):
        return _render_view(handoff, error=tr("inbox.resend_refused"), status=409)
    outcome = resend_failed(message.id)
    flash(
        tr("inbox.resent") if outcome == "sent" else tr("inbox.resend_failed"),
        "success" if outcome == "sent" else "error",
    )
    return redirect(url_for("admin.inbox_view", handoff_id=handoff.id))


@bp.post("/inbox/<int:handoff_id>/assign")
@requires("inbox")
def inbox_assign(handoff_id: int):
    """Give the chat to oneself (assignee=me) or a colleague of its agency; empty: nobody."""
    handoff = _handoff_or_404(handoff_id)
    choice = (request.form.get("assignee") or "").strip()
    if handoff.status != "open":
        return _render_view(handoff, error=tr("inbox.error.closed"), status=409)
    if choice == "me":
        choice = str(current_user.id)
    before = handoff.assigned_to_id
    if choice == "":
        handoff.assigned_to_id = None
        done = tr("inbox.unassigned_now")
    else:
        allowed = {str(u.id): u for u in _colleagues(handoff)}
        if choice not in allowed:
            return _render_view(handoff, error=tr("inbox.error.bad_assignee"), status=400)
        handoff.assigned_to_id = allowed[choice].id
        done = tr("inbox.assigned_to", name=allowed[choice].label)
    audit.assignment("handoff", handoff.id, handoff.agency_id, before, handoff.assigned_to_id)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.inbox_view", handoff_id=handoff.id))


def _taken(handoff: Handoff, before: int | None) -> None:
    """An unassigned chat answered or closed by someone becomes theirs: audited like a choice in the
    list (only when that changed), and committed."""
    audit.assignment("handoff", handoff.id, handoff.agency_id, before, handoff.assigned_to_id)
    db.session.commit()


@bp.post("/inbox/<int:handoff_id>/close")
@requires("inbox")
def inbox_close(handoff_id: int):
    """Close the chat: the bot answers again and the citizen is offered the one-question rating."""
    handoff = _handoff_or_404(handoff_id)
    before = handoff.assigned_to_id
    try:
        close_and_offer_rating(handoff.id, "staff", current_user.id)
    except HandoffError:
        db.session.rollback()
        return _render_view(_handoff_or_404(handoff_id), error=tr("inbox.error.closed"), status=409)
    audit.record("handoff_closed", "handoff", handoff_id, agency_id=handoff.agency_id)
    _taken(handoff, before)
    flash(tr("inbox.closed_done"), "success")
    return redirect(url_for("admin.inbox"))
