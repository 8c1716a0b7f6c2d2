"""What the bot does with each kind of LINE event; anything unknown is recorded and ignored."""

from __future__ import annotations

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    JoinEvent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UnsendEvent,
    UserSource,
)
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot import engine
from bot.replies import Reply
from models import ChatMessage, Conversation, db
from models.types import utcnow

MEDIA_KINDS = {"image", "video", "audio", "file", "location"}


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
    query = select(Conversation).where(Conversation.channel == "line", Conversation.chat_id == chat_id)
    conversation = db.session.scalar(query)
    if conversation is None:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        now = utcnow()
        db.session.execute(
            insert(Conversation)
            .values(
                channel="line",
                chat_id=chat_id,
                lang="th",
                context={},
                misunderstood=0,
                followed=True,
                created_at=now,
                updated_at=now,
                version=1,
            )
            .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
        )  # a concurrent first message in another process waits for this row, then finds it
        conversation = db.session.scalar(query)
    return conversation


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
    """The reply an event calls for, or None. Stores what the citizen sent."""
    if isinstance(event, MessageEvent):
        if event.mode == "standby":  # another module holds this chat
            return None
        content = event.message
        if isinstance(content, TextMessageContent):
            if in_group(event) and group_mode == "mention" and not _mentions_bot(content):
                return None
            text = _without_mentions(content)
            _store_incoming(conversation, "text", text, content.id)
            return engine.respond(conversation, text)
        if in_group(event):
            return None
        kind = getattr(content, "type", "unknown")
        _store_incoming(conversation, kind, None, getattr(content, "id", None))
        if isinstance(content, StickerMessageContent):
            return engine.sticker(conversation)
        return engine.unsupported(conversation, kind if kind in MEDIA_KINDS else "other")
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
        return engine.postback(conversation, event.postback.data if event.postback else "")
    if isinstance(event, UnsendEvent):
        _forget_unsent(conversation, event.unsend.message_id)
        return None
    return None  # leave, member events, beacon, delivery, module, membership, unknown, ...


def asks_line_to_decide(event: Event) -> bool:
    """Deciding this event's reply needs a call to LINE (a new follower's profile language)."""
    return isinstance(event, FollowEvent)


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


def _store_incoming(conversation: Conversation, kind: str, text: str | None, external_id: str | None) -> None:
    db.session.add(
        ChatMessage(conversation=conversation, direction="in", kind=kind, text=text, external_id=external_id)
    )


def _forget_unsent(conversation: Conversation, message_id: str) -> None:
    """The citizen took the message back: keep that it happened, drop what it said."""
    for message in db.session.query(ChatMessage).filter_by(conversation_id=conversation.id, external_id=message_id):
        message.text = None
        message.kind = "unsent"
