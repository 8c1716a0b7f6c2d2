"""Complaint cases: filing a confirmed draft, finding a citizen's cases, and moving a case through its statuses."""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from datetime import UTC, datetime, time

from sqlalchemy import delete, select

from bot.i18n import t
from models import Complaint, ComplaintPhoto, ComplaintUpdate, Conversation, ReporterIdentity, db
from models.complaint import CLOSED_STATUSES, TRANSITIONS, by_receipt, by_tracking_no, receipt_digest
from models.periods import BANGKOK, fiscal_year, local
from models.sealing import blind_index, seal, unseal
from models.types import utcnow

log = logging.getLogger(__name__)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
TRACKING_NO = re.compile(r"25\d\d-\d{6}")  # new_tracking_no's form


class CaseError(ValueError):
    """A status change the workflow does not allow."""


def new_tracking_no() -> str:
    """2569-483920: the fiscal year and six random digits (random, so numbers reveal no case counts)."""
    while True:
        number = f"{fiscal_year(utcnow())}-{secrets.randbelow(10**6):06d}"
        if by_tracking_no(number) is None:
            return number


def new_receipt_code() -> str:
    """K7Q2-9XMA-4RTB-8WEZ: 80 random bits, shown to the reporter once and stored only as a digest."""
    while True:  # with a digit and a letter, so a message carrying it is read as a code, not as words
        raw = "".join(secrets.choice(CROCKFORD) for _ in range(16))
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def file_complaint(conversation: Conversation, draft: dict, agency_id: int) -> tuple[Complaint, str | None]:
    """Turn a confirmed draft into a case; returns it and, for an unidentified report, its receipt code."""
    corruption = draft["lane"] == "corruption"
    identified = not corruption or bool(draft.get("identified"))
    receipt = None if identified else new_receipt_code()
    # A corruption report's rows keep only the day: an exact time could be matched to the chat's activity.
    when = _start_of_day(utcnow()) if corruption else utcnow()
    complaint = Complaint(
        tracking_no=new_tracking_no(),
        agency_id=agency_id,
        lane=draft["lane"],
        category=draft["category"],
        conversation_id=None if corruption else conversation.id,
        receipt_digest=receipt_digest(receipt) if receipt else None,
        identified=identified,
        description=draft["description"],
        place=draft.get("place"),
        occurred=draft.get("occurred"),
        latitude=draft.get("lat"),
        longitude=draft.get("lon"),
        address=draft.get("address"),
        channel=conversation.channel,
        lang=conversation.lang or "th",
        filed_at=when,
        updated_at=when,
    )
    db.session.add(complaint)
    complaint.updates.append(ComplaintUpdate(status="received", created_at=when))
    if corruption and identified:
        identity = {"channel": conversation.channel, "chat_id": conversation.chat_id}
        identity.update({k: draft[k] for k in ("name", "phone") if draft.get(k)})
        db.session.add(
            ReporterIdentity(
                complaint=complaint,
                sealed=seal(identity),
                owner_index=blind_index(conversation.chat_id),
                created_at=when,
            )
        )
    if draft.get("draft"):
        for photo in db.session.scalars(select(ComplaintPhoto).where(ComplaintPhoto.draft_key == draft["draft"])):
            photo.complaint, photo.draft_key, photo.received_at = complaint, None, when
    return complaint, receipt


def _start_of_day(moment: datetime) -> datetime:
    day = local(moment).date()
    return datetime.combine(day, time(0), tzinfo=BANGKOK).astimezone(UTC)


def drop_draft_photos(draft_key: str | None) -> None:
    if draft_key:
        db.session.execute(delete(ComplaintPhoto).where(ComplaintPhoto.draft_key == draft_key))


def find_for(conversation: Conversation, code: str) -> Complaint | None:
    """The case a tracking number or receipt code names, if this citizen may see it."""
    if TRACKING_NO.fullmatch(code):
        complaint = by_tracking_no(code)
        return complaint if complaint is not None and owns(conversation, complaint) else None
    return by_receipt(code)  # the receipt code itself is the proof


def owns(conversation: Conversation, complaint: Complaint) -> bool:
    if complaint.lane == "general":
        return complaint.conversation_id is not None and complaint.conversation_id == conversation.id
    identity = db.session.scalar(select(ReporterIdentity).where(ReporterIdentity.complaint_id == complaint.id))
    return identity is not None and identity.owner_index == blind_index(conversation.chat_id)


def cases_of(conversation: Conversation, limit: int = 5) -> list[Complaint]:
    """The citizen's own cases, newest first: general ones and identified corruption reports."""
    if conversation.id is None:
        return []
    general = select(Complaint.id).where(Complaint.conversation_id == conversation.id)
    reported = select(ReporterIdentity.complaint_id).where(
        ReporterIdentity.owner_index == blind_index(conversation.chat_id)
    )
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.id.in_(general) | Complaint.id.in_(reported))
            .order_by(Complaint.filed_at.desc(), Complaint.id.desc())
            .limit(limit)
        )
    )


def recipient_of(complaint: Complaint) -> str | None:
    """The LINE chat to tell about the case; None for unidentified reports and web-channel cases."""
    if complaint.channel != "line":
        return None
    if complaint.lane == "general":
        conversation = db.session.get(Conversation, complaint.conversation_id) if complaint.conversation_id else None
        return conversation.chat_id if conversation is not None and conversation.followed else None
    identity = db.session.scalar(select(ReporterIdentity).where(ReporterIdentity.complaint_id == complaint.id))
    return unseal(identity.sealed).get("chat_id") if identity is not None else None


def change_status(
    complaint: Complaint, status: str, actor_id: int | None = None, public_note: str | None = None
) -> ComplaintUpdate:
    """Move a case on (staff), record it, and tell the citizen on LINE. Commits."""
    if status not in TRANSITIONS.get(complaint.status, ()):
        raise CaseError(f"a {complaint.status} case cannot become {status}")
    complaint.status = status
    recipient = recipient_of(complaint)
    change = ComplaintUpdate(
        status=status,
        actor_id=actor_id,
        public_note=(public_note or "").strip() or None,
        notice="pending" if recipient else "none",
        retry_key=str(uuid.uuid4()) if recipient else None,
    )
    complaint.updates.append(change)
    db.session.commit()
    if recipient:
        deliver_notice(change, recipient)
    return change


def deliver_notice(change: ComplaintUpdate, recipient: str | None = None) -> str:
    """Push the status notice with its retry key (safe to repeat); records and returns the outcome."""
    from bot.line.client import LineCallFailed
    from bot.line.processing import line_client
    from bot.line.render import render

    complaint = change.complaint
    recipient = recipient or recipient_of(complaint)
    if recipient is None:
        return change.notice
    change.attempts += 1
    try:
        line_client().push(recipient, render(status_notice(complaint, change)), change.retry_key)
        change.notice, change.last_error = "sent", None
    except LineCallFailed as exc:
        change.notice, change.last_error = "failed", f"LINE {exc.status}"
        log.warning("status notice %s not delivered: LINE %s", change.id, exc.status)
    db.session.commit()
    return change.notice


def retry_failed_notices(limit: int = 50) -> int:
    """Notices LINE refused: tried again with the same retry key (the sweeper calls this)."""
    failed = db.session.scalars(
        select(ComplaintUpdate).where(ComplaintUpdate.notice == "failed", ComplaintUpdate.attempts < 5).limit(limit)
    ).all()
    return sum(deliver_notice(change) == "sent" for change in failed)


def status_notice(complaint: Complaint, change: ComplaintUpdate):
    """What the citizen reads when their case moves; a closed case offers the satisfaction survey."""
    from bot.replies import QuickReply, Reply, Text

    lang = complaint.lang
    text = t(
        "case.notice",
        lang,
        number=complaint.tracking_no,
        status=t(f"case.status.{change.status}", lang),
    )
    if change.public_note:
        text += "\n" + t("case.note", lang, note=change.public_note)
    quick = []
    if change.status in CLOSED_STATUSES:
        label = t("case.rate_service", lang)
        quick.append(QuickReply(label=label, text=label, data="flow=survey", action="postback"))
    track = t("case.track_label", lang)
    quick.append(QuickReply(label=track, text=t("case.track_text", lang, number=complaint.tracking_no)))
    return Reply(messages=[Text(text)], quick_replies=quick, intent="case:notice")
