"""A local stand-in for the LINE Messaging API that enforces LINE's limits and records what it got.

Tests and `make bench` point LINE_API_BASE_URL at it; the real line-bot-sdk client talks HTTP to it.
"""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from PIL import Image
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLY = 13
MAX_LABEL = 20
MAX_ALT_TEXT = 1500
MAX_POSTBACK_DATA = 300
MAX_CAROUSEL = 12
MAX_BUBBLE_BYTES = 30_000
MAX_RICH_MENU_AREAS = 20
MAX_CHAT_BAR_TEXT = 14
MAX_RICH_MENU_IMAGE = 1024 * 1024
RICH_MENU_IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_action(action: dict, where: str) -> list[str]:
    problems = []
    label = action.get("label")
    if label is not None and utf16_len(label) > MAX_LABEL:
        problems.append(f"{where}: label over {MAX_LABEL} characters: {label!r}")
    if action.get("type") == "postback" and len(action.get("data", "")) > MAX_POSTBACK_DATA:
        problems.append(f"{where}: postback data over {MAX_POSTBACK_DATA}")
    if action.get("type") == "message" and not 1 <= utf16_len(action.get("text", "")) <= 300:
        problems.append(f"{where}: message action text empty or over 300")
    return problems


def check_messages(messages: list) -> list[str]:
    """Every way a list of messages breaks LINE's documented limits."""
    problems = []
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        return [
            f"messages must be 1..{MAX_MESSAGES}, got {len(messages) if isinstance(messages, list) else messages!r}"
        ]
    for i, msg in enumerate(messages):
        kind = msg.get("type")
        if kind == "text":
            text = msg.get("text") or ""
            if not text.strip() or utf16_len(text) > MAX_TEXT:
                problems.append(f"messages[{i}]: text empty or over {MAX_TEXT} ({utf16_len(text)})")
        elif kind == "flex":
            alt = msg.get("altText") or ""
            if not alt or utf16_len(alt) > MAX_ALT_TEXT:
                problems.append(f"messages[{i}]: altText empty or over {MAX_ALT_TEXT}")
            contents = msg.get("contents") or {}
            bubbles = contents.get("contents", []) if contents.get("type") == "carousel" else [contents]
            if len(bubbles) > MAX_CAROUSEL:
                problems.append(f"messages[{i}]: carousel over {MAX_CAROUSEL} bubbles")
            for bubble in bubbles:
                if bubble.get("type") != "bubble":
                    problems.append(f"messages[{i}]: flex contents must be bubbles")
                elif len(json.dumps(bubble, ensure_ascii=False).encode()) > MAX_BUBBLE_BYTES:
                    problems.append(f"messages[{i}]: bubble over {MAX_BUBBLE_BYTES} bytes")
        elif kind not in {"image", "sticker", "location", "template", "imagemap", "video", "audio"}:
            problems.append(f"messages[{i}]: unknown type {kind!r}")
        quick = (msg.get("quickReply") or {}).get("items")
        if quick is not None:
            if not 1 <= len(quick) <= MAX_QUICK_REPLY:
                problems.append(f"messages[{i}]: {len(quick)} quick reply items (1..{MAX_QUICK_REPLY})")
            for j, item in enumerate(quick):
                problems += _check_action(item.get("action") or {}, f"messages[{i}].quickReply[{j}]")
    return problems


def check_rich_menu(menu: dict) -> list[str]:
    """Every way a rich menu definition breaks LINE's documented limits."""
    size = menu.get("size") or {}
    width, height = size.get("width", 0), size.get("height", 0)
    problems = []
    if not (800 <= width <= 2500 and height >= 250 and width / height >= 1.45):
        problems.append(f"rich menu size {width}x{height}: width 800..2500, height >= 250, width/height >= 1.45")
    if not isinstance(menu.get("selected"), bool) or not 1 <= utf16_len(menu.get("name") or "") <= 300:
        problems.append("rich menu: selected must be a boolean and name 1..300 characters")
    if not 1 <= utf16_len(menu.get("chatBarText") or "") <= MAX_CHAT_BAR_TEXT:
        problems.append(f"rich menu: chatBarText empty or over {MAX_CHAT_BAR_TEXT}: {menu.get('chatBarText')!r}")
    areas = menu.get("areas") or []
    if not 1 <= len(areas) <= MAX_RICH_MENU_AREAS:
        problems.append(f"rich menu: {len(areas)} areas (1..{MAX_RICH_MENU_AREAS})")
    for i, area in enumerate(areas):
        b = area.get("bounds") or {}
        x, y, w, h = (b.get(k, -1) for k in ("x", "y", "width", "height"))
        if min(x, y) < 0 or min(w, h) <= 0 or x + w > width or y + h > height:
            problems.append(f"areas[{i}]: bounds {b} not inside the {width}x{height} image")
        action = area.get("action") or {}
        problems += _check_action(action, f"areas[{i}]")
        if action.get("type") == "postback" and utf16_len(action.get("displayText") or "") > 300:
            problems.append(f"areas[{i}]: displayText over 300")
    return problems


@dataclass
class Sent:
    kind: str  # reply | push
    messages: list
    to: str | None = None
    reply_token: str | None = None
    retry_key: str | None = None
    at: float = field(default_factory=time.monotonic)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m["type"] == "text"]

    def all_text(self) -> str:
        """Text and flex alt texts together, for assertions on what a citizen would read."""
        parts = []
        for m in self.messages:
            if m["type"] == "text":
                parts.append(m["text"])
            elif m["type"] == "flex":
                parts.append(m["altText"])
                parts.append(json.dumps(m["contents"], ensure_ascii=False))
        return "\n".join(parts)

    def quick_labels(self) -> list[str]:
        items = (self.messages[-1].get("quickReply") or {}).get("items") or []
        return [i["action"].get("label") for i in items]


class LineStandIn:
    """The LINE API on 127.0.0.1: reply, push, loading animation, profile, content, rich menus."""

    def __init__(self, access_token: str = "test-token"):
        self.access_token = access_token
        self.sent: list[Sent] = []
        self.violations: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self._used_tokens: set[str] = set()
        self._expired_tokens: set[str] = set()
        self._retry_keys: set[str] = set()
        self._failures: list[dict] = []
        self.delay = 0.0
        self.profiles: dict[str, dict] = {}
        self.contents: dict[str, tuple[bytes, str]] = {}
        self.rich_menus: dict[str, dict] = {}  # id -> definition as LINE lists it
        self.rich_menu_images: dict[str, tuple[bytes, str]] = {}
        self.default_rich_menu: str | None = None
        self._lock = threading.Lock()
        self._sent_event = threading.Condition(self._lock)
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- control -------------------------------------------------------------------------
    def start(self) -> LineStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def fail(self, path_prefix: str, status: int = 500, times: int = 1, retry_after: int | None = None) -> None:
        """The next `times` requests whose path starts with `path_prefix` answer `status`."""
        with self._lock:
            self._failures.append({"prefix": path_prefix, "status": status, "times": times, "retry_after": retry_after})

    def expire_token(self, token: str) -> None:
        self._expired_tokens.add(token)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Sent]:
        """Block until at least `count` messages were accepted; returns them."""
        with self._sent_event:
            self._sent_event.wait_for(lambda: len(self.sent) >= count, timeout)
            return list(self.sent)

    def sent_to(self, chat_id: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.to == chat_id]

    def reset(self) -> None:
        """Everything the stand-in learned, forgotten: one test's tokens, keys and content never reach the next."""
        with self._lock:
            self.sent.clear()
            self.violations.clear()
            self.requests.clear()
            self._failures.clear()
            self._used_tokens.clear()
            self._expired_tokens.clear()
            self._retry_keys.clear()
            self.profiles.clear()
            self.contents.clear()
            self.rich_menus.clear()
            self.rich_menu_images.clear()
            self.default_rich_menu = None

    # --- HTTP ----------------------------------------------------------------------------
    def _injected_failure(self, path: str) -> dict | None:
        with self._lock:
            for failure in self._failures:
                if path.startswith(failure["prefix"]) and failure["times"] > 0:
                    failure["times"] -= 1
                    return failure
        return None

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        path = request.path
        with self._lock:
            self.requests.append((request.method, path))
        if self.delay:
            time.sleep(self.delay)
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return _error(401, "Authentication failed.")
        failure = self._injected_failure(path)
        if failure:
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            return _error(failure["status"], "Injected failure", headers)
        if request.method == "POST" and path == "/v2/bot/message/reply":
            return self._reply(request.get_json(silent=True) or {})
        if request.method == "POST" and path == "/v2/bot/message/push":
            return self._push(request.get_json(silent=True) or {}, request.headers.get("X-Line-Retry-Key"))
        if request.method == "POST" and path == "/v2/bot/chat/loading/start":
            return _json(202, {})
        if request.method == "GET" and path.startswith("/v2/bot/profile/"):
            user_id = path.rsplit("/", 1)[1]
            profile = self.profiles.get(user_id, {"displayName": "ผู้ใช้", "language": "th"})
            return _json(200, {"userId": user_id, **profile})
        if request.method == "GET" and path.startswith("/v2/bot/message/") and path.endswith("/content"):
            content = self.contents.get(path.split("/")[4])
            if content is None:
                return _error(404, "Not found")
            return Response(content[0], status=200, content_type=content[1])
        if path.startswith(("/v2/bot/richmenu", "/v2/bot/user/all/richmenu")):
            return self._rich_menu(request)
        return _error(404, "Not found")

    def _record(self, sent: Sent) -> Response | None:
        problems = check_messages(sent.messages)
        with self._sent_event:
            if problems:
                self.violations.extend(problems)
                return _error(400, "The request body has errors", details=problems)
            self.sent.append(sent)
            self._sent_event.notify_all()
        return None

    def _reply(self, body: dict) -> Response:
        token = body.get("replyToken")
        with self._lock:
            invalid = not token or token in self._used_tokens or token in self._expired_tokens
            if not invalid:
                self._used_tokens.add(token)
        if invalid:
            return _error(400, "Invalid reply token")
        error = self._record(Sent("reply", body.get("messages"), reply_token=token, to=_token_owner(token)))
        return error or _json(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})

    def _push(self, body: dict, retry_key: str | None) -> Response:
        if not body.get("to"):
            return _error(400, "The property, 'to', in the request body is invalid")
        with self._lock:
            if retry_key and retry_key in self._retry_keys:
                return _error(409, "The retry key is already accepted")
        error = self._record(Sent("push", body.get("messages"), to=body["to"], retry_key=retry_key))
        if error:
            return error
        if retry_key:
            with self._lock:
                self._retry_keys.add(retry_key)
        return _json(200, {"sentMessages": [{"id": "2", "quoteToken": "q"}]})

    def _rich_menu(self, request: Request) -> Response:
        """Create, upload an image to, list, make default and delete rich menus, within LINE's limits."""
        method, parts = request.method, request.path.strip("/").split("/")  # v2 bot richmenu ...
        with self._lock:
            if method == "POST" and parts == ["v2", "bot", "richmenu"]:
                menu = request.get_json(silent=True) or {}
                problems = check_rich_menu(menu)
                if problems:
                    self.violations.extend(problems)
                    return _error(400, "The request body has errors", details=problems)
                menu_id = f"richmenu-{uuid.uuid4().hex}"
                self.rich_menus[menu_id] = {"richMenuId": menu_id, **menu}
                return _json(200, {"richMenuId": menu_id})
            if method == "GET" and parts == ["v2", "bot", "richmenu", "list"]:
                return _json(200, {"richmenus": list(self.rich_menus.values())})
            if method == "GET" and parts == ["v2", "bot", "user", "all", "richmenu"]:
                if self.default_rich_menu is None:
                    return _error(404, "no default rich menu")
                return _json(200, {"richMenuId": self.default_rich_menu})
            menu_id = parts[5] if parts[2] == "user" and len(parts) == 6 else parts[3] if len(parts) > 3 else ""
            menu = self.rich_menus.get(menu_id)
            if menu is None:
                return _error(404, "Not found")
            if method == "POST" and parts[2:] == ["user", "all", "richmenu", menu_id]:
                if menu_id not in self.rich_menu_images:
                    self.violations.append(f"default rich menu {menu_id} has no image")
                    return _error(400, "must upload richmenu image before applying it to user")
                self.default_rich_menu = menu_id
                return _json(200, {})
            if method == "POST" and parts[2:] == ["richmenu", menu_id, "content"]:
                problems = _check_rich_menu_image(request, menu, menu_id in self.rich_menu_images)
                if problems:
                    self.violations.extend(problems)
                    return _error(400, "Invalid image", details=problems)
                self.rich_menu_images[menu_id] = (request.get_data(), request.mimetype)
                return _json(200, {})
            if method == "DELETE" and parts[2:] == ["richmenu", menu_id]:
                del self.rich_menus[menu_id]
                self.rich_menu_images.pop(menu_id, None)
                if self.default_rich_menu == menu_id:
                    self.default_rich_menu = None
                return _json(200, {})
        return _error(404, "Not found")


def _check_rich_menu_image(request: Request, menu: dict, has_image: bool) -> list[str]:
    """LINE takes one JPEG or PNG per menu, at most 1 MB, exactly the menu's size."""
    data, kind = request.get_data(), RICH_MENU_IMAGE_TYPES.get(request.mimetype)
    if has_image:
        return [f"rich menu {menu['richMenuId']}: an image was already uploaded (LINE cannot replace it)"]
    if kind is None or len(data) > MAX_RICH_MENU_IMAGE:
        return [f"rich menu image: {request.mimetype!r}, {len(data)} bytes (JPEG or PNG, at most 1 MB)"]
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError as exc:
        return [f"rich menu image: not a readable image ({exc})"]
    expected = (menu["size"]["width"], menu["size"]["height"])
    if image.format != kind or image.size != expected:
        return [f"rich menu image: {image.format} {image.size}, menu says {kind} {expected}"]
    return []


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: it would drown test and bench output."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def _token_owner(token: str) -> str | None:
    """Test reply tokens are made as '<chat id>:<n>' so a reply can be traced to its chat."""
    return token.rsplit(":", 1)[0] if token and ":" in token else None


def _json(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json", headers=headers)


def _error(status: int, message: str, headers: dict | None = None, details: list | None = None) -> Response:
    body = {"message": message}
    if details:
        body["details"] = [{"message": d} for d in details]
    return _json(status, body, headers)
