"""The six tables of the ITA import format: their columns, and the records and issues they produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.ita_import_messages import Msg, in_language

INDICATOR_NAMES = {
    1: "การปฏิบัติหน้าที่",
    2: "การใช้งบประมาณ",
    3: "การใช้อำนาจ",
    4: "การใช้ทรัพย์สินของราชการ",
    5: "การแก้ไขปัญหาการทุจริต",
    6: "คุณภาพการดำเนินงาน",
    7: "ประสิทธิภาพการสื่อสาร",
    8: "การปรับปรุงการทำงาน",
    9: "การเปิดเผยข้อมูล",
    10: "การป้องกันการทุจริต",
}
INDICATOR_EXAMPLES = (88.49, 85.25, 90.51, 68.69, 78.59, 94.25, 90.42, 90.50, 73.25, 95.00)


@dataclass(frozen=True)
class Column:
    """One column of a table: how its cells are read, and what it means to a coordinator."""

    name: str
    kind: str  # how the cell is parsed; see models.ita_import_check.PARSERS
    required: bool
    th: str  # meaning in Thai, for the coordinator
    help: str  # meaning in English
    example: Any = None  # the template's example value (Nam Mong)
    max_len: int | None = None
    width: int = 16  # template column width, in characters


def _agency_col() -> Column:
    return Column("agency", "slug", True, "รหัสหน่วยงาน (slug ในตาราง agencies)", "the agency's slug", "nammong")


def _year_col(th: str, example: int) -> Column:
    return Column("fiscal_year", "year", True, th, "fiscal year, Buddhist era (2500-2700)", example, width=12)


AGENCIES = (
    Column(
        "slug",
        "slug",
        True,
        "รหัสหน่วยงาน ภาษาอังกฤษตัวเล็ก ไม่มีช่องว่าง",
        "stable id: lower-case a-z, 0-9, - or _",
        "nammong",
        64,
    ),
    Column(
        "name_th", "text", True, "ชื่อหน่วยงานภาษาไทย (ชื่อทางการ)", "official Thai name", "องค์การบริหารส่วนตำบลน้ำโมง", 255, 36
    ),
    Column(
        "name_en",
        "text",
        False,
        "ชื่อหน่วยงานภาษาอังกฤษ",
        "English name",
        "Nam Mong Subdistrict Administrative Organization",
        255,
        36,
    ),
    Column(
        "kind",
        "agency_kind",
        True,
        "ประเภท: province (จังหวัด), pao (อบจ.), municipality (เทศบาล), sao (อบต.), other (อื่น ๆ)",
        "province, pao, municipality, sao or other",
        "sao",
        width=14,
    ),
    Column("district", "text", False, "อำเภอ (ไม่ต้องมีคำว่า อำเภอ)", "district, without the prefix", "ท่าบ่อ", 128),
    Column("province", "text", False, "จังหวัด (ไม่ต้องมีคำว่า จังหวัด)", "province, without the prefix", "หนองคาย", 128),
    Column(
        "short_names",
        "list",
        False,
        "ชื่อย่อที่ประชาชนใช้ คั่นด้วย |",
        "short forms citizens write, separated by |",
        "อบต.น้ำโมง|อบต. น้ำโมง",
        255,
        28,
    ),
    Column(
        "aliases",
        "list",
        False,
        "ชื่ออื่น ชื่อภาษาอังกฤษ หรือคำที่สะกดผิดบ่อย คั่นด้วย |",
        "other names, English names, common misspellings, separated by |",
        "น้ำโมง|ตำบลน้ำโมง|nam mong",
        255,
        28,
    ),
    Column("notes", "text", False, "หมายเหตุ", "notes about the agency's data", None, width=30),
)

ASSESSMENTS = (
    _agency_col(),
    _year_col("ปีงบประมาณที่ประเมิน (พ.ศ.)", 2568),
    Column("total_score", "score", True, "คะแนนรวม ITA (0-100)", "total ITA score, 0-100", 85.86, width=12),
    Column(
        "level",
        "level",
        False,
        "ระดับผลการประเมิน ตามที่ประกาศ (เช่น ผ่าน, ผ่านดี, A)",
        "level as published: AA, A-F, ผ่านดีเยี่ยม, ผ่านดีมาก, ผ่านดี, ผ่าน or ไม่ผ่าน",
        "ผ่าน",
        64,
        10,
    ),
    Column(
        "announced_on",
        "date",
        False,
        "วันที่ประกาศผล (ค.ศ. ปี-เดือน-วัน)",
        "announcement date, CE, YYYY-MM-DD",
        date(2025, 8, 15),
        width=14,
    ),
    Column("iit_score", "score", False, "คะแนน IIT (การรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน)", "IIT tool score", None, width=10),
    Column("eit_score", "score", False, "คะแนน EIT (การรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก)", "EIT tool score", None, width=10),
    Column("oit_score", "score", False, "คะแนน OIT (การเปิดเผยข้อมูลสาธารณะ)", "OIT tool score", None, width=10),
    *(
        Column(
            f"indicator_{n}",
            "score",
            False,
            f"คะแนนตัวชี้วัดที่ {n} {name}",
            f"score of indicator {n}",
            INDICATOR_EXAMPLES[n - 1],
            width=12,
        )
        for n, name in INDICATOR_NAMES.items()
    ),
    Column(
        "notes",
        "text",
        False,
        "หมายเหตุ (เช่น ค่าที่เอกสารขัดแย้งกันและค่าที่เลือกใช้)",
        "notes: contradictions in the source and which value was taken",
        None,
        width=30,
    ),
)

QUESTIONS = (
    _agency_col(),
    _year_col("ปีงบประมาณที่ประเมิน (พ.ศ.)", 2568),
    Column(
        "code",
        "question_code",
        True,
        "รหัสข้อคำถาม เช่น i4, e1, o16",
        "question code: i…, e… or o… and a number",
        "e1",
        8,
        8,
    ),
    Column("indicator", "indicator", False, "ตัวชี้วัดที่ข้อคำถามนี้สังกัด (1-10)", "indicator it belongs to, 1-10", 6, width=10),
    Column("score", "score", True, "คะแนนข้อคำถาม (0-100)", "question score, 0-100", 85.00, width=10),
    Column(
        "text",
        "text",
        False,
        "ข้อความคำถาม",
        "the question as published",
        "หน่วยงานปฏิบัติหรือให้บริการแก่ท่าน เป็นไปตามขั้นตอนและระยะเวลา มากน้อยเพียงใด",
        width=50,
    ),
)

MEASURES = (
    _agency_col(),
    _year_col("ปีงบประมาณที่ดำเนินมาตรการ (พ.ศ.)", 2569),
    Column(
        "code",
        "code",
        True,
        "ลำดับหรือรหัสมาตรการ ตามเอกสาร",
        "the measure's number as the document numbers it",
        "1",
        16,
        8,
    ),
    Column("title", "text", True, "ชื่อมาตรการ", "short name of the measure", "การปฏิบัติหน้าที่", width=30),
    Column(
        "based_on_year",
        "year",
        False,
        "ปีของผลการประเมิน ITA ที่มาตรการนี้ตอบ (พ.ศ.)",
        "fiscal year (BE) of the ITA result it answers",
        2568,
        width=14,
    ),
    Column(
        "indicators",
        "numbers",
        False,
        "ตัวชี้วัดที่เกี่ยวข้อง เลข 1-10 คั่นด้วย |",
        "indicator numbers it addresses, separated by |",
        "1",
        width=12,
    ),
    Column("issue_area", "issue_area", False, "ประเด็น 1-7 (เฉพาะจังหวัด)", "provinces' issue area, 1-7", None, width=10),
    Column(
        "weakness",
        "text",
        False,
        "ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อน",
        "the weakness it fixes",
        "e1 ประเด็น การปฏิบัติงานการให้บริการของเจ้าหน้าที่ไม่เป็นไปตามขั้นตอนและระยะเวลาที่กำหนด",
        width=40,
    ),
    Column(
        "activities",
        "text",
        False,
        "มาตรการ/โครงการ/กิจกรรม",
        "what is done (several lines allowed)",
        "- ประชุมเจ้าหน้าที่ในการปฏิบัติหน้าที่\n- จัดกิจกรรมแจกแผ่นพับ ประชาสัมพันธ์เพิ่มเติม",
        width=40,
    ),
    Column(
        "steps",
        "lines",
        False,
        "ขั้นตอนหรือวิธีการดำเนินการ บรรทัดละหนึ่งขั้นตอน",
        "ordered steps, one per line",
        "จัดทำคู่มือการปฏิบัติหน้าที่ของเจ้าหน้าที่\nประชาสัมพันธ์ให้ประชาชนได้รับทราบ",
        width=40,
    ),
    Column("responsible_unit", "text", False, "ผู้รับผิดชอบ", "responsible unit, as written", "สำนักปลัด", width=18),
    Column("timeframe", "text", False, "ระยะเวลาดำเนินการ", "timeframe, as written", "ปีงบประมาณ 2569", width=18),
    Column("monitoring", "text", False, "การกำกับติดตามและรายงานผล", "how it is followed up, as written", None, width=24),
)

PROGRESS = (
    _agency_col(),
    _year_col("ปีงบประมาณของมาตรการ (พ.ศ.)", 2569),
    Column(
        "measure_code",
        "code",
        True,
        "รหัสมาตรการ (ตรงกับ code ในตาราง measures)",
        "the measure's code, as in the measures table",
        "1",
        16,
        12,
    ),
    Column("step_no", "positive", True, "ลำดับขั้นตอน", "step number, 1, 2, 3 …", 1, width=8),
    Column("step", "text", True, "ขั้นตอนการดำเนินการ", "the step", "จัดทำคู่มือการปฏิบัติหน้าที่ของเจ้าหน้าที่", width=36),
    Column(
        "nacc_period",
        "text",
        False,
        "ช่วงเวลาตามที่ ป.ป.ช. กำหนด",
        "period set by the NACC, as written",
        "ต.ค. 2568 - มี.ค. 2569",
        width=20,
    ),
    Column(
        "agency_period",
        "text",
        False,
        "ช่วงเวลาดำเนินการของหน่วยงาน",
        "the agency's own period, as written",
        "ม.ค. 2569",
        width=20,
    ),
    Column("result", "text", False, "ผลการดำเนินการ", "what was achieved", "จัดทำคู่มือแล้ว และเผยแพร่ทางเว็บไซต์", width=36),
    Column(
        "status",
        "status",
        True,
        "สถานะ: done (ดำเนินการแล้ว), in_progress (อยู่ระหว่างดำเนินการ), not_started (ยังไม่ดำเนินการ)",
        "done, in_progress or not_started (the Thai wording is accepted too)",
        "done",
        16,
        14,
    ),
    Column(
        "report",
        "text",
        False,
        "รายงานที่เป็นที่มา",
        "the report it comes from",
        "รายงานความก้าวหน้า 6 เดือน ปีงบประมาณ พ.ศ. 2569",
        width=30,
    ),
    Column("reported_on", "date", False, "วันที่รายงาน (ค.ศ. ปี-เดือน-วัน)", "report date, CE, YYYY-MM-DD", None, width=14),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "agencies": AGENCIES,
    "assessments": ASSESSMENTS,
    "questions": QUESTIONS,
    "measures": MEASURES,
    "progress": PROGRESS,
}
# The columns that identify a row: a second row with the same key is a duplicate.
KEYS: dict[str, tuple[str, ...]] = {
    "agencies": ("slug",),
    "assessments": ("agency", "fiscal_year"),
    "questions": ("agency", "fiscal_year", "code"),
    "measures": ("agency", "fiscal_year", "code"),
    "progress": ("agency", "fiscal_year", "measure_code", "step_no"),
}


def columns_of(table: str) -> dict[str, Column]:
    """The columns of a table by name."""
    return {column.name: column for column in TABLES[table]}


@dataclass
class Record:
    """One row as the source gave it: where it came from and its raw cell values by column name."""

    source: str  # file name, e.g. assessments.csv or nammong.yaml
    table: str | None  # None when the sheet or file could not be recognised
    values: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None  # XLSX sheet name
    row: int | None = None  # as Excel shows it: the header is row 1
    locator: str | None = None  # YAML path, e.g. measures[2]
    header: tuple[str, ...] | None = None  # the table file's columns; None for YAML records
    kind: str = "row"  # row | header (the header row of a sheet or CSV file)
    problems: list[str] = field(default_factory=list)  # found while reading
    seq: int = 0  # reading order, to list issues in the order the user sees them

    @property
    def where(self) -> Msg:
        """Where a person finds this record: `assessments.csv row 7`, `nammong.yaml measures[2]`."""
        if self.sheet is not None:
            if self.row is not None:
                return Msg("where.sheet_row", source=self.source, sheet=self.sheet, row=self.row)
            return Msg("where.sheet", source=self.source, sheet=self.sheet)
        if self.row is not None:
            return Msg("where.row", source=self.source, row=self.row)
        if self.locator:
            return Msg("where.locator", source=self.source, locator=self.locator)
        return Msg("where.file", source=self.source)


@dataclass(frozen=True)
class Issue:
    """One problem found in the data, located so a coordinator can fix it."""

    where: str
    column: str | None
    message: str  # a Msg (models.ita_import_messages) except for the demo YAML's own problems
    from_yaml: bool = False
    order: tuple[int, int] = (0, 0)
    # Where, piece by piece, for a table of problems: the file, its sheet (XLSX) and its row as Excel shows it.
    source: str | None = None
    sheet: str | None = None
    row: int | None = None

    @classmethod
    def at(cls, record: Record, column: str | None, message: str) -> Issue:
        """An issue in one record (and one column of it, if given)."""
        position = 0
        if column and record.table in TABLES:
            names = [c.name for c in TABLES[record.table]]
            position = names.index(column) + 1 if column in names else len(names) + 1
        return cls(
            record.where,
            column,
            message,
            record.header is None and record.kind == "row",
            (record.seq, position),
            record.source,
            record.sheet,
            record.row,
        )

    def text(self, lang: str) -> str:
        """The message alone, in `lang`."""
        return in_language(self.message, lang)

    def place(self, lang: str) -> str:
        """Where, in `lang` (file, sheet and row)."""
        return in_language(self.where, lang)

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.where}: {self.message}"
        return f"{self.where}, {'field' if self.from_yaml else 'column'} {self.column}: {self.message}"
