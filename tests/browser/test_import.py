"""In a real browser: an administrator imports ITA results from the CSV template, first with a mistake in it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select

from bot.i18n import t
from models import Agency, Assessment, AuditEntry, db
from tests.browser.conftest import ROOT, sign_in
from tests.browser.steps import shot

TEMPLATE = ROOT / "docs" / "import-template" / "assessments.csv"
# The 2569 results of อบต.น้ำโมง, as the coordinator would type them into the template (2568 is in the demo data).
NEW_ROW = "nammong,2569,87.12,ผ่าน,2026-08-20,,,,90.10,86.00,91.20,{indicator_4},80.33,95.00,91.75,92.40,75.60,96.10,"


def _csv(tmp_path: Path, name: str, indicator_4: str) -> Path:
    header = TEMPLATE.read_text(encoding="utf-8-sig").splitlines()[0]  # the template's own columns
    path = tmp_path / name
    path.write_text("\ufeff" + header + "\n" + NEW_ROW.format(indicator_4=indicator_4) + "\n", encoding="utf-8")
    return path


def _assessments_2569(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Assessment)
            .join(Agency)
            .where(Agency.slug == "nammong", Assessment.fiscal_year == 2569)
        )


def _imports(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import"))


def test_a_bad_cell_is_named_by_row_and_column_and_a_clean_file_is_previewed_then_imported(page, live, tmp_path):
    sign_in(page, live, "wanida", role="admin", agencies=["nammong"])
    with page.expect_navigation():
        page.click(f"nav.mainnav >> text={t('admin.nav.ita')}")
    with page.expect_navigation():
        page.get_by_role("link", name=t("ita_admin.import.title")).click()

    # A score typed as words: the page names the file, the row and the column; nothing is saved.
    page.set_input_files("#files", str(_csv(tmp_path, "ita-2569.csv", "หกสิบเก้า")))
    with page.expect_navigation():
        page.get_by_role("button", name=t("ita_admin.import.check")).click()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_contain_text("ita-2569.csv")
    expect(cells.nth(2)).to_have_text("2")
    expect(cells.nth(3).locator("code")).to_have_text("indicator_4")
    expect(page.locator("#import-preview")).to_have_count(0)  # no way to confirm a file with errors
    shot(page, "import-error")
    assert _assessments_2569(live.app) == 0 and _imports(live.app) == 0, "nothing saved"

    # The corrected file: a preview of what will be added, then confirmed.
    page.set_input_files("#files", str(_csv(tmp_path, "ita-2569-fixed.csv", "70.25")))
    with page.expect_navigation():
        page.get_by_role("button", name=t("ita_admin.import.check")).click()
    expect(page.locator("#import-errors")).to_have_count(0)
    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(1)
    expect(preview.first).to_contain_text("nammong")
    expect(preview.first).to_contain_text("87.12")
    expect(preview.first).to_contain_text(t("ita_admin.import.adds"))
    assert _assessments_2569(live.app) == 0, "a preview saves nothing"
    shot(page, "import-preview")
    with page.expect_navigation():
        page.get_by_role("button", name=t("ita_admin.import.confirm")).click()
    expect(page.locator(".flash.success")).to_be_visible()
    assert _assessments_2569(live.app) == 1 and _imports(live.app) == 1

    # The agency's page lists the new year with its score.
    with page.expect_navigation():
        page.get_by_role("link", name="องค์การบริหารส่วนตำบลน้ำโมง").click()
    year_row = page.locator("tr", has=page.get_by_role("link", name="2569", exact=True))
    expect(year_row).to_contain_text("87.12")
    expect(year_row).to_contain_text("ผ่าน")
    expect(year_row).to_contain_text("10/10")
