"""The bare baseline for `make bench`: verify, parse, reply a fixed text, synchronously in the request.

What the least a LINE webhook can do costs on this machine, served the same way as the bot
(`gunicorn -w 2 'bench.baseline_app:create_app()'`). Settings come from the same environment
variables the bot reads: LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL.
"""

from __future__ import annotations

import os

from flask import Flask, abort, jsonify, request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent

FIXED_REPLY = "ขอบคุณที่ติดต่อมา ระบบได้รับข้อความของท่านแล้ว"


def create_app() -> Flask:
    app = Flask(__name__)
    parser = WebhookParser(os.environ["LINE_CHANNEL_SECRET"])
    configuration = Configuration(
        access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
        host=os.environ.get("LINE_API_BASE_URL", "https://api.line.me").rstrip("/"),
    )
    api = MessagingApi(ApiClient(configuration))
    timeout = (float(os.environ.get("LINE_TIMEOUT_CONNECT", 2.0)), float(os.environ.get("LINE_TIMEOUT_READ", 5.0)))

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.post("/callback")
    def callback():
        body = request.get_data(as_text=True)
        signature = request.headers.get("X-Line-Signature", "")
        try:
            events = parser.parse(body, signature)
        except InvalidSignatureError:
            abort(400)
        for event in events:
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                api.reply_message(
                    ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text=FIXED_REPLY)]),
                    _request_timeout=timeout,
                )
        return "OK"

    return app
