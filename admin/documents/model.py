"""A small document model for the agency's published evidence: one content, rendered as XLSX or PDF.

A builder fills a Document with sections of paragraphs and tables; the renderers (xlsx.py, pdf.py) lay it
out. Counts of people or cases go in columns of kind "count": every renderer publishes 1–4 as "<5".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# How a column's values are shown: text, count (published: 1–4 → "<5"), number (plain integer),
# decimal (two places), percent (a fraction 0–1 shown as 0.0%).
COLUMN_KINDS = ("text", "count", "number", "decimal", "percent")

Value = str | int | float | Decimal | None


@dataclass
class Column:
    heading: str
    kind: str = "text"
    width: float = 1.0  # relative share of the table's width

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Value]]
    total: list[Value] | None = None  # a last row set in bold (sums, overall figures)
    empty: str = "–"  # shown in a single row when there are no rows

    def __post_init__(self) -> None:
        for row in [*self.rows, *([self.total] if self.total else [])]:
            if len(row) != len(self.columns):
                raise ValueError(f"row has {len(row)} cells for {len(self.columns)} columns")


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | note (smaller, after a table) | item (an indented point)


Block = Paragraph | Table


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    sheet: str | None = None  # the XLSX sheet's short name (the heading is used without one)

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


@dataclass
class Document:
    """A report as an agency publishes it: its header, title, dates, then the sections."""

    title: str
    agency: str  # the agency's name as its header reads
    as_of: date  # "ข้อมูล ณ วันที่ ..."
    lang: str = "th"
    subtitle: str | None = None  # e.g. the fiscal year or period covered
    lines: list[str] = field(default_factory=list)  # further header lines under the subtitle
    sections: list[Section] = field(default_factory=list)

    def add(self, section: Section) -> Section:
        self.sections.append(section)
        return section
