"""The ITA importer through `flask import` and its functions: XLSX, CSV, errors, re-import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from models import Agency, Assessment, Measure, db
from models.ita_import import import_files
from tests.importing import (
    AGENCIES,
    ASSESSMENTS,
    MEASURES,
    PROGRESS,
    QUESTIONS,
    SHEETS,
    assert_bansuan_imported,
    run_import,
    snapshot,
    write_csv,
    write_xlsx,
)


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
