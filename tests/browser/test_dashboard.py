"""In a real browser: the statistics dashboard draws its charts from the app's own Chart.js and counts a new survey."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from bot.i18n import t
from models.periods import BE_OFFSET, THAI_MONTHS_SHORT, local
from tests.browser.conftest import sign_in
from tests.browser.steps import citizen, completes_survey, shot

CHARTS_DRAWN = """() => {
  const canvases = Array.from(document.querySelectorAll("canvas[data-chart]"));
  return {
    canvases: canvases.length,
    drawn: canvases.filter((c) => window.Chart && window.Chart.getChart(c)).length,
    version: window.Chart ? window.Chart.version : null,
  };
}"""


def _this_month() -> str:
    """This month as the table names it: พ.ย. 2569."""
    today = local(datetime.now(UTC))
    return f"{THAI_MONTHS_SHORT[today.month - 1]} {today.year + BE_OFFSET}"


def _charts(page) -> dict:
    return page.evaluate(CHARTS_DRAWN)


def test_a_viewer_sees_the_charts_drawn_and_a_new_survey_counted_after_a_reload(page, live, line):
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    sign_in(page, live, "malee", role="viewer", agencies=["nammong"])
    if "/admin/stats" not in page.url:
        with page.expect_navigation():
            page.click(f"nav.mainnav >> text={t('admin.nav.stats')}")
    expect(page.locator("h1")).to_have_text(t("stats.title"))

    charts = _charts(page)
    assert charts["canvases"] >= 6 and charts["drawn"] == charts["canvases"], charts
    assert charts["version"] and charts["version"].startswith("4."), "Chart.js is loaded"
    assert scripts and all(url.startswith(live.url) for url in scripts), f"scripts only from the app: {scripts}"
    responses = page.locator('dd[data-key="responses"]')
    before = int(responses.inner_text())
    month = page.locator("#table-satisfaction tbody tr", has=page.locator("th", has_text=_this_month()))
    month_before = int(month.locator("td").first.inner_text())
    shot(page, "dashboard-before")

    asked = completes_survey(citizen(live, line))

    page.reload()
    expect(responses).to_have_text(str(before + 1))
    # The tables beside the charts: this month's row and every question answered count the response.
    expect(month.locator("td").first).to_have_text(str(month_before + 1))
    question_counts = page.locator("#table-questions tbody tr td:nth-child(4)")
    expect(question_counts).to_have_count(asked)
    assert all(int(n) >= 1 for n in question_counts.all_inner_texts()), question_counts.all_inner_texts()
    expect(page.locator('#table-participation td[data-key="participants"]')).not_to_have_text("0")
    charts = _charts(page)
    assert charts["drawn"] == charts["canvases"], charts
    shot(page, "dashboard-after-survey")
