"""The LINE client: which host each kind of call goes to, and content downloads through the stand-in."""

from __future__ import annotations

from bot.line.client import LINE_API, LineClient, LineSettings


def test_against_line_itself_content_comes_from_its_data_host():
    client = LineClient(LineSettings(access_token="t", base_url=LINE_API))
    assert client.api.api_client.configuration.host == LINE_API
    # None lets the SDK use each operation's own host: api-data.line.me for message content.
    assert client.blob.api_client.configuration.host is None


def test_content_downloads_go_to_a_stand_in_too(line):
    line.contents["325708"] = (b"\x89PNG fake image", "image/png")
    client = LineClient(LineSettings(access_token=line.access_token, base_url=line.url))
    data, content_type = client.content("325708")
    assert data == b"\x89PNG fake image" and content_type == "image/png"
    assert ("GET", "/v2/bot/message/325708/content") in line.requests
