"""Spreadsheets for importer tests: a whole agency's data in every table, written as XLSX or CSV."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlalchemy import select

import models
from models import Agency, db

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
