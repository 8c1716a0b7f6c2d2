"""The web chat page: anyone with a backend login can try the bot without a LINE account."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import requires
from bot import engine
from bot.replies import Reply
from models import ChatMessage, Conversation, db

MAX_TEXT = 5000
MAX_POSTBACK = 300  # LINE's limit for postback data


def _conversation() -> Conversation:
    chat_id = f"user:{current_user.id}"
    conversation = db.session.scalar(
        select(Conversation).where(Conversation.channel == "web", Conversation.chat_id == chat_id)
    )
    if conversation is None:
        conversation = Conversation(channel="web", chat_id=chat_id, context={})
        db.session.add(conversation)
        db.session.flush()
    return conversation


@bp.get("/chat")
@requires("chat")
def chat():
    return render_template("admin/chat.html")


@bp.post("/chat/messages")
@requires("chat")
def send():
    """Ask the bot one question; the reply comes back as the channel-neutral structure."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, "JSON body expected")
    postback, text = payload.get("postback"), payload.get("text")
    if isinstance(postback, str):
        if len(postback) > MAX_POSTBACK:
            abort(413, f"postback over {MAX_POSTBACK} characters")
    elif not isinstance(text, str):
        abort(400, "JSON body with a 'text' or 'postback' string expected")
    elif len(text) > MAX_TEXT:
        abort(413, f"text over {MAX_TEXT} characters")
    conversation = _conversation()
    tapped = isinstance(postback, str)
    reply = engine.postback(conversation, postback) if tapped else engine.respond(conversation, text)
    if reply is None or not reply.confidential:  # a corruption report's turn is not kept in the history
        db.session.add(ChatMessage.incoming(conversation, "postback" if tapped else "text", None if tapped else text))
    if reply is not None and not reply.confidential:
        db.session.add(ChatMessage.outgoing(conversation, reply, status="sent"))
    db.session.commit()
    return jsonify((reply or Reply()).to_dict())  # None: handed to staff, the bot is quiet


@bp.post("/chat/reset")
@requires("chat")
def reset():
    """Forget the conversation's context (not its history)."""
    conversation = _conversation()
    conversation.context = {}
    db.session.commit()
    return jsonify(ok=True)
