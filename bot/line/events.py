"""What the bot does with each kind of LINE event; anything unknown is recorded and ignored."""

from __future__ import annotations

from functools import cache

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    ImageMessageContent,
    JoinEvent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UnsendEvent,
    UserSource,
)
from sqlalchemy import bindparam, select

from bot import engine
from bot.replies import Reply
from models import ChatMessage, Conversation, WebhookEvent, db
from models.types import insert_for, utcnow


def chat_key(event: dict) -> str:
    """The chat an event belongs to (group, room or user), from the raw event."""
    source = event.get("source") or {}
    return str(source.get("groupId") or source.get("roomId") or source.get("userId") or event.get("webhookEventId"))


def parse(payload: dict) -> Event:
    """The SDK's model of a stored event; types the SDK does not know become UnknownEvent."""
    try:
        return Event.from_dict(payload)
    except ValueError:  # includes pydantic's validation errors
        return UnknownEvent.new_from_json_dict(payload)


def chat_target(event: Event) -> str | None:
    source = getattr(event, "source", None)
    if source is None:
        return None
    return getattr(source, "group_id", None) or getattr(source, "room_id", None) or getattr(source, "user_id", None)


def in_group(event: Event) -> bool:
    return not isinstance(getattr(event, "source", None), UserSource)


def conversation_for(chat_id: str) -> Conversation:
    """The chat's conversation; created once even when two processes see its first messages at once."""
    return conversations_for([chat_id])[chat_id]


def conversations_for(chat_ids: list[str]) -> dict[str, Conversation]:
    """The chats' conversations by chat id, read in one statement; those missing are created (once,
    even when two processes see a chat's first messages at once).

    On PostgreSQL the rows stay locked until the caller's transaction ends, taken in id order: a
    process answering the same chat at the same moment waits for this answer to be committed and then
    reads the context it left, instead of deciding on a stale one and throwing its work away (with
    every batch taking its locks in the same order, two batches cannot deadlock). SQLite has no row
    locks (FOR UPDATE is not rendered); there the context's version check alone keeps answers apart.
    """
    wanted = sorted(set(chat_ids))
    if not wanted:
        return {}
    found = _locked_conversations(wanted)
    missing = [chat for chat in wanted if chat not in found]
    if missing:
        now = utcnow()
        insert = insert_for(db.engine.dialect.name)
        db.session.execute(
            insert(Conversation)
            .values(
                [
                    dict(
                        channel="line",
                        chat_id=chat,
                        lang="th",
                        context={},
                        misunderstood=0,
                        followed=True,
                        created_at=now,
                        updated_at=now,
                        version=1,
                    )
                    for chat in missing
                ]
            )
            .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
        )  # a concurrent first message in another process waits for these rows, then finds them
        found.update(_locked_conversations(missing))
    return found


def conversations_of(event_pks: list[int]) -> dict[str, Conversation]:
    """The conversations of the recorded events' chats, by chat id, locked like `conversations_for`'s;
    those not created yet are missing."""
    rows = db.session.scalars(_conversations_of_statement(), {"pks": event_pks})
    return {conversation.chat_id: conversation for conversation in rows}


@cache
def _conversations_of_statement():
    return _locked(Conversation.chat_id.in_(chats_of(bindparam("pks", expanding=True))))


def chats_of(event_pks: list[int]):
    """The chats of the recorded events, as a subquery (events recorded before chats were kept have none)."""
    asked = WebhookEvent.__table__.alias("asked")
    return select(asked.c.chat).where(asked.c.id.in_(event_pks), asked.c.chat.is_not(None))


def _locked_conversations(chat_ids: list[str]) -> dict[str, Conversation]:
    query = _locked(Conversation.chat_id.in_(chat_ids))
    return {conversation.chat_id: conversation for conversation in db.session.scalars(query)}


def _locked(chats):
    """LINE conversations of some chats, locked in id order (PostgreSQL; SQLite renders no FOR UPDATE)."""
    return select(Conversation).where(Conversation.channel == "line", chats).order_by(Conversation.id).with_for_update()


def _mentions_bot(content: TextMessageContent) -> bool:
    mention = content.mention
    return bool(mention and any(getattr(m, "is_self", False) for m in mention.mentionees or []))


def _without_mentions(content: TextMessageContent) -> str:
    """The text with @mentions cut out, so '@ITA bot คะแนนเท่าไหร่' reads as the question."""
    text = content.text
    if not content.mention:
        return text
    for m in sorted(content.mention.mentionees or [], key=lambda m: m.index, reverse=True):
        text = text[: m.index] + text[m.index + m.length :]
    return text.strip()


def reply_for(event: Event, conversation: Conversation, group_mode: str) -> Reply | None:
    """The reply an event calls for, or None. Stores what the citizen sent (not, when confidential, what it said)."""
    if isinstance(event, MessageEvent):
        if event.mode == "standby":  # another module holds this chat
            return None
        content = event.message
        if isinstance(content, TextMessageContent):
            if in_group(event) and group_mode == "mention" and not _mentions_bot(content):
                return None
            text = _without_mentions(content)
            reply = engine.respond(conversation, text, private=not in_group(event))
            return _stored(conversation, "text", text, content.id, reply)
        if in_group(event):
            return None
        kind = getattr(content, "type", "unknown")
        if isinstance(content, StickerMessageContent):
            return _stored(conversation, kind, None, content.id, engine.sticker(conversation))
        reply = engine.media(
            conversation,
            kind,
            fetch_image=_downloader(content.id) if isinstance(content, ImageMessageContent) else None,
            location=_location(content) if isinstance(content, LocationMessageContent) else None,
        )
        return _stored(conversation, kind, None, getattr(content, "id", None), reply)
    if isinstance(event, FollowEvent):
        conversation.followed = True
        _language_from_profile(conversation, event)
        return engine.welcome(conversation, returning=bool(event.follow and event.follow.is_unblocked))
    if isinstance(event, UnfollowEvent):
        conversation.followed = False
        return None
    if isinstance(event, JoinEvent):
        return engine.group_welcome(conversation)
    if isinstance(event, PostbackEvent):
        if in_group(event) and group_mode == "mention":
            return None
        postback = event.postback
        params = postback.params if postback and isinstance(postback.params, dict) else {}
        return engine.postback(conversation, postback.data if postback else "", params, private=not in_group(event))
    if isinstance(event, UnsendEvent):
        _forget_unsent(conversation, event.unsend.message_id)
        return None
    return None  # leave, member events, beacon, delivery, module, membership, unknown, ...


def _downloader(message_id: str):
    def fetch() -> tuple[bytes, str]:
        from bot.flows import MediaUnavailable
        from bot.line.client import LineCallFailed
        from bot.line.processing import line_client

        try:
            content, content_type = line_client().content(message_id)
        except LineCallFailed as exc:
            raise MediaUnavailable(f"LINE {exc.status}") from exc
        return content, (content_type or "application/octet-stream").split(";")[0].strip()

    return fetch


def _location(content: LocationMessageContent) -> dict:
    return {
        "latitude": content.latitude,
        "longitude": content.longitude,
        "address": content.address,
        "title": content.title,
    }


def asks_line_to_decide(event: Event) -> bool:
    """Deciding this event's reply may call LINE: a new follower's profile language, a photo's content."""
    if isinstance(event, FollowEvent):
        return True
    return isinstance(event, MessageEvent) and isinstance(event.message, ImageMessageContent) and not in_group(event)


def _language_from_profile(conversation: Conversation, event: FollowEvent) -> None:
    """Greet a new follower in their LINE language (LINE sends none with events). Only the language
    is read from the profile; the display name is neither kept nor logged."""
    from bot.line.client import LineCallFailed
    from bot.line.processing import line_client

    user_id = getattr(event.source, "user_id", None)
    if not user_id:
        return
    try:
        language = line_client().language(user_id)
    except LineCallFailed:
        return  # Thai, the default, is a fine greeting
    if language and language.split("-")[0] in ("th", "en"):
        conversation.lang = language.split("-")[0]


def _stored(
    conversation: Conversation, kind: str, text: str | None, external_id: str | None, reply: Reply | None
) -> Reply | None:
    """Keep what the citizen sent, then pass the reply on; a corruption report's turn is not kept."""
    if reply is None or not reply.confidential:
        db.session.add(ChatMessage.incoming(conversation, kind, text, external_id))
    return reply


def _forget_unsent(conversation: Conversation, message_id: str) -> None:
    """The citizen took the message back: keep that it happened, drop what it said."""
    for message in db.session.query(ChatMessage).filter_by(conversation_id=conversation.id, external_id=message_id):
        message.text = None
        message.kind = "unsent"
