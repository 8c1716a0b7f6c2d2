"""Turn XLSX sheets, CSV files and demo YAML bundles into the same records, unchecked."""

from __future__ import annotations

import csv
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from models.ita_import_messages import Msg
from models.ita_import_tables import TABLES, Record, columns_of

TABLE_LIST = ", ".join(TABLES)
# Singular forms a file may be named by: measure.csv, nammong-assessment-2568.csv.
_TABLE_WORDS = {
    **{t: t for t in TABLES},
    "agency": "agencies",
    "assessment": "assessments",
    "question": "questions",
    "measure": "measures",
}
_BUNDLE_KEYS = {"agency", "sources", "assessments", "measures", "notes"}


# No real import comes near these; a file past them is refused before its rows are read. They stop a small XLSX
# from claiming (its <dimension>) or holding a million rows of 16,384 columns that take hours to go through.
MAX_ROWS = 50_000  # per sheet or CSV file, header included
MAX_COLUMNS = 64  # read from each sheet; the widest table has 19
MAX_UNPACKED = 100 * 1024 * 1024  # an XLSX is a zip: what its parts may unpack to, together (a zip bomb's is GBs)


class ReadError(ValueError):
    """The file cannot be read at all (wrong type, not UTF-8, damaged)."""


def read_file(path: Path | str) -> list[Record]:
    """Records of an XLSX workbook (one sheet per table) or a CSV file (one table), header rows included."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise ReadError(Msg("not_a_table_file", name=path.name))


def normalise_header(cell: Any) -> str:
    """`Fiscal Year (ปีงบประมาณ)` → `fiscal_year`: case, spaces and a bracketed gloss do not matter."""
    if cell is None:
        return ""
    text = re.sub(r"\s*[(（\[].*$", "", str(cell).replace("\ufeff", "")).strip().lower()
    return re.sub(r"[\s-]+", "_", text)


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_xlsx(path: Path) -> list[Record]:
    from openpyxl import load_workbook

    # openpyxl reads the shared strings whole: refuse a file whose parts would unpack past the cap (zipfile
    # stops reading a part at the size it declares, so the declared sizes bound what is read).
    with zipfile.ZipFile(path) as archive:
        if sum(part.file_size for part in archive.infolist()) > MAX_UNPACKED:
            raise ReadError(Msg("unpacks_too_large", name=path.name, mb=MAX_UNPACKED // (1024 * 1024)))
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        records: list[Record] = []
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # the size the file declares is not trusted: rows are padded to it
            rows = []
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                end = len(row)
                while end and row[end - 1] is None:  # max_col pads every row to its width
                    end -= 1
                rows.append(row[:end])
                if len(rows) > MAX_ROWS:
                    raise ReadError(Msg("too_many_rows", name=f"{path.name} ({sheet.title})", limit=f"{MAX_ROWS:,}"))
            if all(all(_is_blank(c) for c in row) for row in rows):
                continue  # an empty sheet, such as Excel's untouched Sheet1
            table = sheet.title.strip().lower()
            if table not in TABLES:
                problem = Msg("unknown_sheet", sheet=sheet.title, tables=TABLE_LIST)
                records.append(Record(path.name, None, sheet=sheet.title, kind="header", problems=[problem]))
                continue
            records += _table_records(path.name, table, rows, sheet=sheet.title)
        return records
    finally:
        workbook.close()


def _read_csv(path: Path) -> list[Record]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise ReadError(Msg("not_utf8", name=path.name)) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    rows = list(itertools.islice(csv.reader(text.splitlines(keepends=True), delimiter=delimiter), MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        raise ReadError(Msg("too_many_rows", name=path.name, limit=f"{MAX_ROWS:,}"))
    if not rows:
        return []
    header = [normalise_header(c) for c in rows[0]]
    table = table_from_name(path.stem) or table_from_header(header)
    if table is None:
        problem = Msg("unknown_table", tables=TABLE_LIST)
        return [Record(path.name, None, row=1, kind="header", problems=[problem])]
    return _table_records(path.name, table, rows)


def table_from_name(stem: str) -> str | None:
    """The table a file's name names, as in `measures.csv` or `nammong_progress_2569.csv`."""
    hits = {_TABLE_WORDS[w] for w in re.split(r"[^a-z]+", stem.lower()) if w in _TABLE_WORDS}
    return hits.pop() if len(hits) == 1 else None


def table_from_header(header: Sequence[str]) -> str | None:
    """The table whose columns best match a header row, if one clearly does."""
    names = {h for h in header if h}
    exact = [
        t
        for t, cols in TABLES.items()
        if names <= set(columns_of(t)) and all(c.name in names for c in cols if c.required)
    ]
    if len(exact) == 1:
        return exact[0]
    overlap = {t: len(names & set(columns_of(t))) for t in TABLES}
    best = max(overlap.values())
    winners = [t for t, n in overlap.items() if n == best]
    return winners[0] if best >= 3 and len(winners) == 1 else None


def _table_records(source: str, table: str, rows: Sequence[Sequence[Any]], sheet: str | None = None) -> list[Record]:
    """A header record, then one record per non-empty row; row numbers as Excel shows them."""
    header = tuple(normalise_header(c) for c in rows[0]) if rows else ()
    head = Record(source, table, sheet=sheet, row=1, header=header, kind="header")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            head.problems.append(Msg("column_twice", name=name))
        seen.add(name)
    if rows and all(_is_blank(c) for c in rows[0]):
        head.problems.append(Msg("header_empty"))
    records = [head]
    unnamed_data_rows: list[int] = []
    for index, row in enumerate(rows[1:], start=2):
        if all(_is_blank(c) for c in row):
            continue
        values = {name: cell for name, cell in zip(header, row, strict=False) if name}
        if any(not _is_blank(c) for c in row[len(header) :]) or any(
            not name and not _is_blank(cell) for name, cell in zip(header, row, strict=False)
        ):
            unnamed_data_rows.append(index)
        records.append(Record(source, table, values, sheet=sheet, row=index, header=header))
    if unnamed_data_rows:
        shown = ", ".join(map(str, unnamed_data_rows[:5])) + (" …" if len(unnamed_data_rows) > 5 else "")
        head.problems.append(Msg("unnamed_values", rows=shown))
    return records


def records_from_bundle(bundle: Any, source: str) -> list[Record]:
    """The records of one demo YAML file (models/demo/README.md), located like `nammong.yaml measures[2]`."""
    if not isinstance(bundle, dict) or not isinstance(bundle.get("agency"), dict):
        return [Record(source, None, problems=["the file has no agency: section (see models/demo/README.md)"])]
    agency = dict(bundle["agency"])
    slug = agency.get("slug")
    head = _yaml_record(source, "agencies", "agency", {**agency, "notes": _join(bundle.get("notes"))})
    head.problems += [f"unknown top-level key {key!r}" for key in bundle if key not in _BUNDLE_KEYS]
    records = [head]
    for i, item in _items(bundle, "assessments", head):
        where = f"assessments[{i}]"
        values = {"agency": slug, **item, "notes": _join(item.get("notes"))}
        tool_scores = values.pop("tool_scores", None) or {}
        indicators = values.pop("indicators", None) or {}
        questions = values.pop("questions", None) or []
        values.update({f"{tool}_score": score for tool, score in _mapping(tool_scores, where, head).items()})
        values.update({f"indicator_{n}": score for n, score in _mapping(indicators, where, head).items()})
        records.append(_yaml_record(source, "assessments", where, values))
        for j, question in _items({"questions": questions}, "questions", head, where):
            question_values = {"agency": slug, "fiscal_year": item.get("fiscal_year"), **question}
            records.append(_yaml_record(source, "questions", f"{where}.questions[{j}]", question_values))
    for i, item in _items(bundle, "measures", head):
        where = f"measures[{i}]"
        values = {"agency": slug, **item}
        progress = values.pop("progress", None) or []
        records.append(_yaml_record(source, "measures", where, values))
        for j, entry in _items({"progress": progress}, "progress", head, where):
            entry_values = {
                "agency": slug,
                "fiscal_year": item.get("fiscal_year"),
                "measure_code": item.get("code"),
                **entry,
            }
            records.append(_yaml_record(source, "progress", f"{where}.progress[{j}]", entry_values))
    return records


def _yaml_record(source: str, table: str, locator: str, values: dict[str, Any]) -> Record:
    """A record with every column of its table (a key left out of the YAML is an empty cell)."""
    filled = {column.name: None for column in TABLES[table]}
    filled.update({str(key): value for key, value in values.items()})
    return Record(source, table, filled, locator=locator)


def _items(parent: dict, key: str, head: Record, prefix: str = "") -> Iterable[tuple[int, dict]]:
    """The entries of a list in the YAML; anything that is not a list of mappings is a problem."""
    value = parent.get(key) or []
    path = f"{prefix}.{key}" if prefix else key
    if not isinstance(value, list):
        head.problems.append(f"{path} must be a list")
        return []
    bad = [i for i, item in enumerate(value) if not isinstance(item, dict)]
    head.problems += [f"{path}[{i}] must be a mapping of field: value" for i in bad]
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _mapping(value: Any, where: str, head: Record) -> dict:
    if isinstance(value, dict):
        return value
    head.problems.append(f"{where}: tool_scores and indicators must be mappings (number: score)")
    return {}


def _join(notes: Any) -> str | None:
    """YAML notes (a list or one string) as one text, one note per line."""
    if notes is None:
        return None
    if isinstance(notes, list):
        return "\n".join(str(n).strip() for n in notes if n is not None and str(n).strip()) or None
    return str(notes)
