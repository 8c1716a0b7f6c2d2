"""Outbound LINE calls with timeouts, bounded retries with backoff and jitter, and Retry-After."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuRequest,
    RichMenuResponse,
)

log = logging.getLogger(__name__)
RETRYABLE = {429, 500, 502, 503, 504}
LINE_API = "https://api.line.me"


class LineCallFailed(Exception):
    """A LINE call failed for good; `status` is the last HTTP status (None: no answer)."""

    def __init__(self, status: int | None, reason: str):
        super().__init__(f"LINE call failed: {status} {reason}")
        self.status = status
        self.reason = reason


@dataclass
class LineSettings:
    access_token: str
    base_url: str
    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    max_attempts: int = 4
    backoff_cap: float = 8.0

    @classmethod
    def from_config(cls, config) -> LineSettings:
        return cls(
            access_token=config["LINE_CHANNEL_ACCESS_TOKEN"],
            base_url=config["LINE_API_BASE_URL"],
            connect_timeout=config["LINE_TIMEOUT_CONNECT"],
            read_timeout=config["LINE_TIMEOUT_READ"],
            max_attempts=config["LINE_MAX_ATTEMPTS"],
            backoff_cap=config["LINE_BACKOFF_CAP"],
        )


class LineClient:
    """One per process; the SDK's urllib3 pool is shared by the worker threads."""

    def __init__(self, settings: LineSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._sleep = sleep
        # Every call, content downloads included, goes to base_url when it is a stand-in. Against LINE
        # itself, content lives on another host (api-data.line.me): a host set here would override the
        # SDK's per-operation hosts, so the blob client is left to pick its own.
        configuration = Configuration(access_token=settings.access_token, host=settings.base_url)
        self._api_client = ApiClient(configuration)
        self.api = MessagingApi(self._api_client)
        blob_host = None if settings.base_url == LINE_API else settings.base_url
        self.blob = MessagingApiBlob(ApiClient(Configuration(access_token=settings.access_token, host=blob_host)))

    @property
    def _timeout(self) -> tuple[float, float]:
        return (self.settings.connect_timeout, self.settings.read_timeout)

    def reply(self, reply_token: str, messages: list) -> None:
        request = ReplyMessageRequest(reply_token=reply_token, messages=messages)
        self._call(lambda: self.api.reply_message(request, _request_timeout=self._timeout))

    def push(self, to: str, messages: list, retry_key: str) -> None:
        """Push with a retry key: LINE's 409 for a key it already accepted counts as delivered."""
        request = PushMessageRequest(to=to, messages=messages)
        try:
            self._call(
                lambda: self.api.push_message(request, x_line_retry_key=retry_key, _request_timeout=self._timeout)
            )
        except LineCallFailed as exc:
            if exc.status != 409:
                raise

    def language(self, user_id: str) -> str | None:
        """The language the user set in LINE ('th', 'en', ...), or None if LINE does not say."""
        profile = self._call(lambda: self.api.get_profile(user_id, _request_timeout=self._timeout))
        return getattr(profile, "language", None)

    def content(self, message_id: str) -> tuple[bytes, str | None]:
        """The bytes of an image/video/audio/file a user sent, and its Content-Type."""
        response = self._call(
            lambda: self.blob.get_message_content_with_http_info(message_id, _request_timeout=self._timeout)
        )
        return response.data, (response.headers or {}).get("Content-Type")

    # --- rich menus (flask --app app rich-menu) -------------------------------------------------
    def create_rich_menu(self, request: RichMenuRequest) -> str:
        return self._call(lambda: self.api.create_rich_menu(request, _request_timeout=self._timeout)).rich_menu_id

    def set_rich_menu_image(self, menu_id: str, data: bytes, content_type: str) -> None:
        """Upload to the data host like content downloads; up to 1 MB, so the read timeout is a roomier one."""
        timeout = (self.settings.connect_timeout, max(self.settings.read_timeout, 30.0))
        headers = {"Content-Type": content_type}
        self._call(lambda: self.blob.set_rich_menu_image(menu_id, data, _headers=headers, _request_timeout=timeout))

    def set_default_rich_menu(self, menu_id: str) -> None:
        self._call(lambda: self.api.set_default_rich_menu(menu_id, _request_timeout=self._timeout))

    def rich_menus(self) -> list[RichMenuResponse]:
        return self._call(lambda: self.api.get_rich_menu_list(_request_timeout=self._timeout)).richmenus

    def delete_rich_menu(self, menu_id: str) -> None:
        """A 404 counts as deleted: a retried delete whose first try LINE did carry out answers it."""
        try:
            self._call(lambda: self.api.delete_rich_menu(menu_id, _request_timeout=self._timeout))
        except LineCallFailed as exc:
            if exc.status != 404:
                raise

    def _call(self, send: Callable):
        attempts = max(1, self.settings.max_attempts)
        for attempt in range(1, attempts + 1):
            try:
                return send()
            except ApiException as exc:
                if exc.status not in RETRYABLE or attempt == attempts:
                    raise LineCallFailed(exc.status, str(exc.reason)) from None
                self._sleep(self._delay(attempt, exc.headers))
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if attempt == attempts:
                    raise LineCallFailed(None, type(exc).__name__) from None
                self._sleep(self._delay(attempt, None))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, headers) -> float:
        cap = self.settings.backoff_cap
        retry_after = (headers or {}).get("Retry-After") if headers else None
        if retry_after:
            try:
                return min(cap, max(0.0, float(retry_after)))
            except ValueError:
                pass
        # Full jitter: spread retries of many workers over the window.
        return random.uniform(0, min(cap, 0.25 * 2**attempt))
