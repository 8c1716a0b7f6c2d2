"""The ITA importer through `flask import` and its functions: XLSX, CSV, demo YAML, errors, re-import."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

import models
from models import Agency, Assessment, Measure, db
from models.ita_import import DemoDataError, import_files, load_demo, write_template
from models.ita_import_check import validate
from models.ita_import_read import records_from_bundle
from models.ita_import_tables import TABLES

PROJECT = Path(models.__file__).resolve().parent.parent

AGENCIES = [
    ["slug", "name_th", "name_en", "kind", "district", "province", "short_names", "aliases"],
    [
        "bansuan",
        "เทศบาลตำบลบ้านสวน",
        "Ban Suan Municipality",
        "municipality",
        "เมืองชลบุรี",
        "ชลบุรี",
        "ทต.บ้านสวน|ทต. บ้านสวน",
        "บ้านสวน|ban suan",
    ],
]
ASSESSMENTS = [
    [
        "agency",
        "fiscal_year",
        "total_score",
        "level",
        "announced_on",
        *(f"indicator_{n}" for n in range(1, 11)),
        "notes",
    ],
    [
        "bansuan",
        2567,
        91.23,
        "ผ่านดี",
        date(2024, 9, 30),
        90,
        85.5,
        88,
        79.25,
        92,
        93,
        94,
        95,
        96,
        100,
        "บรรทัดแรก\nบรรทัดสอง",
    ],
]
QUESTIONS = [
    ["agency", "fiscal_year", "code", "indicator", "score", "text"],
    ["bansuan", 2567, "E1", 6, 88.5, "หน่วยงานปฏิบัติหรือให้บริการแก่ท่าน เป็นไปตามขั้นตอนและระยะเวลา"],
]
MEASURES = [
    ["agency", "fiscal_year", "code", "title", "based_on_year", "indicators", "steps", "responsible_unit"],
    ["bansuan", 2568, "1", "การเปิดเผยข้อมูล", 2567, "9|10", "ตรวจสอบเว็บไซต์\nเผยแพร่ข้อมูล", "กองคลัง"],
    ["bansuan", 2568, "2", "การใช้ทรัพย์สินของราชการ", 2567, 4, None, "กองช่าง"],
]
PROGRESS = [
    ["agency", "fiscal_year", "measure_code", "step_no", "step", "status", "reported_on"],
    ["bansuan", 2568, "1", 1, "ตรวจสอบเว็บไซต์", "done", date(2025, 4, 30)],
    ["bansuan", 2568, "1", 2, "เผยแพร่ข้อมูล", "อยู่ระหว่างดำเนินการ", None],
]
SHEETS = {
    "agencies": AGENCIES,
    "assessments": ASSESSMENTS,
    "questions": QUESTIONS,
    "measures": MEASURES,
    "progress": PROGRESS,
}


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with one sheet per table, as a coordinator would fill it."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list], bom: bool = True) -> Path:
    """A CSV file as Excel's "CSV UTF-8" writes it (with a BOM), or without one."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every ITA table, ids included: equal snapshots mean nothing changed."""
    names = (
        "agencies",
        "agency_aliases",
        "assessments",
        "indicator_scores",
        "question_scores",
        "measures",
        "measure_indicators",
        "progress_entries",
    )
    tables = [t for t in db.metadata.sorted_tables if t.name in names]
    return {t.name: [tuple(r) for r in db.session.execute(t.select().order_by(*t.primary_key.columns))] for t in tables}


def run_import(app, runner, *paths: Path):
    """`flask import FILE...`; cli.py's commands use the app context the `flask` command pushes."""
    with app.app_context():
        return runner.invoke(args=["import", *map(str, paths)])


def assert_bansuan_imported() -> None:
    agency = db.session.scalar(select(Agency).where(Agency.slug == "bansuan"))
    assert agency.name_th == "เทศบาลตำบลบ้านสวน" and agency.kind == "municipality"
    assert [(a.kind, a.alias) for a in agency.aliases] == [
        ("short", "ทต.บ้านสวน"),
        ("short", "ทต. บ้านสวน"),
        ("alias", "บ้านสวน"),
        ("alias", "ban suan"),
    ]
    assert agency.short_name() == "ทต.บ้านสวน"
    (assessment,) = agency.assessments
    assert (assessment.fiscal_year, assessment.total_score, assessment.level) == (2567, Decimal("91.23"), "ผ่านดี")
    assert assessment.announced_on == date(2024, 9, 30)
    assert assessment.notes == "บรรทัดแรก\nบรรทัดสอง"
    assert [(s.indicator_no, s.score) for s in assessment.indicator_scores][:4] == [
        (1, Decimal("90.00")),
        (2, Decimal("85.50")),
        (3, Decimal("88.00")),
        (4, Decimal("79.25")),
    ]
    assert len(assessment.indicator_scores) == 10
    (question,) = assessment.question_scores
    assert (question.code, question.indicator_no, question.score) == ("e1", 6, Decimal("88.50"))
    measures = {m.code: m for m in agency.measures}
    assert measures["1"].indicators == [9, 10] and measures["2"].indicators == [4]
    assert measures["1"].steps == ["ตรวจสอบเว็บไซต์", "เผยแพร่ข้อมูล"] and measures["2"].steps == []
    assert measures["1"].based_on_year == 2567 and measures["2"].responsible_unit == "กองช่าง"
    assert [(p.step_no, p.status, p.reported_on) for p in measures["1"].progress] == [
        (1, "done", date(2025, 4, 30)),
        (2, "in_progress", None),
    ]


def test_xlsx_import_lands_the_rows(app, runner, tmp_path):
    result = run_import(app, runner, write_xlsx(tmp_path / "bansuan.xlsx", SHEETS))
    assert result.exit_code == 0, result.output
    assert "'agencies': 1, 'assessments': 1, 'questions': 1, 'measures': 2, 'progress': 2" in result.output
    with app.app_context():
        assert_bansuan_imported()


def test_csv_import_lands_the_rows(app, runner, tmp_path):
    files = [write_csv(tmp_path / f"{name}.csv", rows) for name, rows in SHEETS.items()]
    files[1] = write_csv(tmp_path / "ita-results-2567.csv", ASSESSMENTS, bom=False)  # told apart by its header
    files[1].with_name("assessments.csv").unlink()
    result = run_import(app, runner, *files)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert_bansuan_imported()


def test_reimport_changes_nothing(app, runner, tmp_path):
    workbook = write_xlsx(tmp_path / "bansuan.xlsx", SHEETS)
    first = run_import(app, runner, workbook)
    with app.app_context():
        before = snapshot()
    second = run_import(app, runner, workbook)
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output
    with app.app_context():
        assert snapshot() == before
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 1


def test_reimport_updates_in_place_and_replaces_progress(app, runner, tmp_path):
    run_import(app, runner, write_xlsx(tmp_path / "first.xlsx", SHEETS))
    with app.app_context():
        assessment_id = db.session.scalar(select(Assessment.id))
    changed = [ASSESSMENTS[0], [*ASSESSMENTS[1][:2], 92.5, *ASSESSMENTS[1][3:]]]
    changed[1][8] = None  # indicator_4 emptied: its score goes
    result = run_import(
        app, runner, write_xlsx(tmp_path / "second.xlsx", {"assessments": changed, "progress": PROGRESS[:2]})
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.total_score == Decimal("92.50") and assessment.indicator(4) is None
        assert len(assessment.indicator_scores) == 9
        measure = db.session.scalar(select(Measure).where(Measure.code == "1"))
        assert [p.step_no for p in measure.progress] == [1]
        assert db.session.scalar(select(Measure).where(Measure.code == "2")).progress == []


def test_errors_import_nothing_and_are_all_reported(app, runner, tmp_path):
    agencies = write_csv(tmp_path / "agencies.csv", AGENCIES)
    assessments = write_csv(
        tmp_path / "assessments.csv",
        [
            ["agency", "fiscal_year", "total_score", "indicator_4", "totl_score"],
            ["bansuan", 2567, "91.23", "80", ""],
            ["bansuan", 2025, "8o.5", "80", ""],
            ["bansuan", 2568, "101", "11x", ""],
            ["nowhere", 2569, "90", "", ""],
            ["bansuan", 2567, "92", "", ""],
            ["bansuan", "", "90", "", ""],
        ],
    )
    result = run_import(app, runner, agencies, assessments)
    assert result.exit_code != 0
    lines = result.output.splitlines()
    expected = [
        "assessments.csv row 1, column totl_score: unknown column (did you mean total_score?)",
        (
            "assessments.csv row 3, column fiscal_year: 2025 is not a plausible fiscal year: Buddhist-era year "
            "expected, did you mean 2568?"
        ),
        'assessments.csv row 3, column total_score: "8o.5" is not a number',
        'assessments.csv row 4, column total_score: "101" is outside 0-100',
        'assessments.csv row 4, column indicator_4: "11x" is not a number',
        (
            'assessments.csv row 5, column agency: unknown agency "nowhere": it is in neither the agencies table '
            "nor the database"
        ),
        (
            "assessments.csv row 6: duplicate row: agency bansuan, fiscal_year 2567 is already given at "
            "assessments.csv row 2"
        ),
        "assessments.csv row 7, column fiscal_year: required value is empty",
    ]
    assert lines[: len(expected)] == expected
    assert "8 error(s); nothing was imported." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 0


def test_header_and_sheet_problems(app, tmp_path):
    workbook = write_xlsx(
        tmp_path / "ita.xlsx",
        {
            "Sheet1": [["anything"]],
            "agencies": [AGENCIES[0][:3], AGENCIES[1][:3]],  # kind is missing
            "progress": [PROGRESS[0], ["bansuan", 2568, "9", 1, "x", "finished", None]],
        },
    )
    with app.app_context():
        errors = [str(e) for e in import_files([workbook]).errors]
    assert errors == [
        (
            'ita.xlsx sheet Sheet1: unknown sheet "Sheet1": name each sheet after the table it holds '
            "(agencies, assessments, questions, measures, progress)"
        ),
        "ita.xlsx sheet agencies row 1, column kind: this required column is missing",
        (
            'ita.xlsx sheet progress row 2, column measure_code: there is no measure "9" of bansuan for fiscal year '
            "2568 in the measures table or the database"
        ),
        (
            'ita.xlsx sheet progress row 2, column status: "finished" is not a status (use one of: done, in_progress, '
            "not_started)"
        ),
    ]


def test_thai_digits_are_accepted(app, runner, tmp_path):
    thai = [ASSESSMENTS[0][:6], ["bansuan", "๒๕๖๗", "๙๑.๒๓", "ผ่านดี", "๒๐๒๔-๐๙-๓๐", "๘๘.๕"]]
    progress = [PROGRESS[0], ["bansuan", "พ.ศ. ๒๕๖๘", "๑", "๑", "ตรวจสอบเว็บไซต์", "ดำเนินการแล้ว", ""]]
    files = [
        write_csv(tmp_path / "agencies.csv", AGENCIES),
        write_csv(tmp_path / "assessments.csv", thai),
        write_csv(tmp_path / "measures.csv", MEASURES),
        write_csv(tmp_path / "progress.csv", progress),
    ]
    result = run_import(app, runner, *files)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assessment = db.session.scalar(select(Assessment))
        assert (assessment.fiscal_year, assessment.total_score) == (2567, Decimal("91.23"))
        assert assessment.announced_on == date(2024, 9, 30) and assessment.indicator(1) == Decimal("88.50")
        assert db.session.scalar(select(Measure).where(Measure.code == "1")).progress[0].status == "done"


def test_common_era_years_get_a_hint(app, tmp_path):
    rows = [ASSESSMENTS[0][:5], ["bansuan", 2024, 91.23, "ผ่านดี", "2567-09-30"]]
    files = [write_csv(tmp_path / "agencies.csv", AGENCIES), write_csv(tmp_path / "assessments.csv", rows)]
    with app.app_context():
        errors = [str(e) for e in import_files(files).errors]
    assert errors == [
        (
            "assessments.csv row 2, column fiscal_year: 2024 is not a plausible fiscal year: Buddhist-era year "
            "expected, did you mean 2567?"
        ),
        (
            'assessments.csv row 2, column announced_on: "2567-09-30" has a Buddhist-era year: dates are Common Era, '
            "did you mean 2024-09-30?"
        ),
    ]


def test_unknown_agency_is_reported_with_a_suggestion(app, runner, tmp_path):
    assert run_import(app, runner, write_csv(tmp_path / "agencies.csv", AGENCIES)).exit_code == 0
    rows = [QUESTIONS[0], ["bansaun", 2567, "e1", 6, 88.5, ""], ["bansuan", 2566, "e2", 6, 80, ""]]
    with app.app_context():
        errors = [str(e) for e in import_files([write_csv(tmp_path / "questions.csv", rows)]).errors]
    assert errors == [
        (
            'questions.csv row 2, column agency: unknown agency "bansaun": it is in neither the agencies table nor the '
            "database (did you mean bansuan?)"
        ),
        (
            "questions.csv row 3, column fiscal_year: there is no assessment of bansuan for fiscal year 2566 in the "
            "assessments table or the database"
        ),
    ]


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
