"""What citizens do on LINE in the browser tests, through the signed webhook, the worker and the LINE stand-in."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import t
from tests.browser.conftest import SHOTS
from tests.citizen import Citizen


def citizen(live, line) -> Citizen:
    """A new citizen writing to the OA the live app serves (its own test client: the server has its own threads)."""
    return Citizen(live.app, live.app.test_client(), line)


def completes_survey(person: Citizen, scores: tuple[int, ...] = (5, 4), start: bool = True) -> int:
    """Taps through the whole satisfaction survey (started from the rich menu, or already on its first question:
    start=False); returns how many questions it asked."""
    if start:
        person.taps("flow=survey")
    asked = 0
    while t("flow.rating.5") in person.last.quick_labels():
        person.tap_button(t(f"flow.rating.{scores[asked % len(scores)]}"))
        asked += 1
    person.tap_button(t("survey.no_comment"))
    assert "ขอบคุณ" in person.text, person.text
    return asked


def shot(page, name: str) -> Path:
    """A screenshot of the whole page at a step worth keeping: test-artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
