"""Browser tests: Playwright driving Debian's Chromium headless against the app served on localhost.

They need Chromium at /usr/bin/chromium (or $CHROMIUM): `make browser-deps` installs it with apt. Without
it they are skipped, saying so. Screenshots of every test are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PG_URL
from tests.web import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine's network is closed: no calls home
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if PG_URL:
        pytest.skip("browser tests run once, in the SQLite run (they test pages, not the database)")
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "browser tests need Chromium: none at /usr/bin/chromium or $CHROMIUM (`make browser-deps` installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class LiveServer:
    """The app on a free localhost port, in a thread, sharing the test's database and LINE stand-in."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live(nammong_oa, line):
    with LiveServer(nammong_oa) as server:
        yield server


@pytest.fixture
def page(browser, live, request):
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # Script errors, and any script, style, font or fetch the page asked for that failed (a refused page
    # itself, such as a 401 after a wrong password, is the test's business).
    tab.on("console", lambda msg: errors.append(msg.text) if _script_error(msg) else None)
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}") if _failed_resource(r) else None)
    yield tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"the page reported errors: {errors}"


def _script_error(message) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _failed_resource(response) -> bool:
    return response.status >= 400 and response.request.resource_type != "document"


def sign_in(page, live, username: str, role: str = "admin", agencies: list[str] | None = None) -> None:
    """Create the user and log in through the login form, as a person would."""
    make_user(live.app, username, role=role, agencies=agencies)
    page.goto(f"{live.url}/admin/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(lambda url: "/admin/login" not in url)
