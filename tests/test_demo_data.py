"""The demo data and the import template: both go through the importer and load cleanly."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import func, select

from models import Agency, db
from models.ita_import import DemoDataError, load_demo, write_template
from models.ita_import_check import validate
from models.ita_import_read import records_from_bundle
from models.ita_import_tables import TABLES
from tests.importing import (
    PROJECT,
    run_import,
    snapshot,
)


def test_generated_template_imports_cleanly(app, runner, tmp_path):
    result = runner.invoke(args=["import-template", "--out", str(tmp_path / "tpl")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "tpl").iterdir())
    assert names == [
        "agencies.csv",
        "assessments.csv",
        "ita-import-template.xlsx",
        "measures.csv",
        "progress.csv",
        "questions.csv",
    ]
    result = run_import(app, runner, tmp_path / "tpl" / "ita-import-template.xlsx")
    assert result.exit_code == 0, result.output
    with app.app_context():
        before = snapshot()
        assert db.session.scalar(select(Agency.slug)) == "nammong"
    csv_files = sorted((tmp_path / "tpl").glob("*.csv"))
    result = run_import(app, runner, *csv_files)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert snapshot() == before  # the CSVs hold exactly what the workbook holds


def test_docs_template_is_generated_and_documented(tmp_path):
    docs = PROJECT / "docs"
    for path in write_template(tmp_path):
        if path.suffix == ".csv":
            assert (docs / "import-template" / path.name).read_bytes() == path.read_bytes(), (
                "docs/import-template is stale: run `flask --app app import-template`"
            )
    committed = openpyxl.load_workbook(docs / "import-template" / "ita-import-template.xlsx")
    fresh = openpyxl.load_workbook(tmp_path / "ita-import-template.xlsx")
    assert [[list(r) for r in s.iter_rows(values_only=True)] for s in committed.worksheets] == [
        [list(r) for r in s.iter_rows(values_only=True)] for s in fresh.worksheets
    ]
    text = (docs / "import-format.md").read_text(encoding="utf-8")
    for table, columns in TABLES.items():
        assert f"### {table}" in text
        for column in columns:
            assert f"| {column.name} |" in text or column.name.startswith("indicator_"), column.name


def test_load_demo_twice_gives_the_same_counts(app):
    with app.app_context():
        first = load_demo()
        before = snapshot()
        second = load_demo()
        assert first == second
        assert snapshot() == before
        assert first["agencies"] == db.session.scalar(select(func.count()).select_from(Agency)) >= 1
        nammong = db.session.scalar(select(Agency).where(Agency.slug == "nammong"))
        assert nammong.notes and nammong.assessments[0].notes and "\n" in nammong.assessments[0].notes


def test_bundle_problems_are_located(app, tmp_path):
    bundle = {
        "agency": {"slug": "demo", "name_th": "ทดสอบ", "kind": "sao", "colour": "red"},
        "assessments": [{"fiscal_year": 2568, "total_score": 85, "indicators": {4: 70, 11: 50}}],
        "measures": [
            {"fiscal_year": 2569, "code": "1", "title": "ok"},
            {
                "fiscal_year": 2569,
                "code": "2",
                "title": None,
                "progress": [{"step_no": 1, "step": "x", "status": "late"}],
            },
        ],
    }
    with app.app_context():
        errors = [str(e) for e in validate(records_from_bundle(bundle, "demo.yaml")).errors]
    assert errors[0].startswith("demo.yaml agency, field colour: unknown field (the agencies table has: slug,")
    assert errors[1:] == [
        (
            "demo.yaml assessments[0], field indicator_11: unknown field: indicators are numbered 1-10, "
            "there is no indicator 11"
        ),
        "demo.yaml measures[1], field title: required value is empty",
        (
            'demo.yaml measures[1].progress[0], field status: "late" is not a status (use one of: done, in_progress, '
            "not_started)"
        ),
    ]


def test_invalid_demo_data_raises_a_clear_error(app, tmp_path):
    (tmp_path / "broken.yaml").write_text("agency:\n  slug: Broken Slug\n  name_th: x\n  kind: sao\n", "utf-8")
    with app.app_context(), pytest.raises(DemoDataError, match=r'broken.yaml agency, field slug: "Broken Slug"'):
        load_demo(tmp_path)
