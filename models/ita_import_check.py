"""Check every record of an import, alone and against the others and the database; report every problem."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_

from models import Agency, Assessment, Measure, db
from models.ita_import_cells import LIST_KINDS, PARSERS, CellError, is_empty
from models.ita_import_messages import Msg, text_of
from models.ita_import_tables import KEYS, TABLES, Issue, Record, columns_of


@dataclass
class Row:
    """One record that was checked: its parsed values for the columns its source has."""

    record: Record
    data: dict[str, Any]
    present: frozenset[str]  # columns the source has; a column it lacks leaves stored values alone


@dataclass
class Validated:
    """Checked rows by table, and every problem found in them."""

    rows: dict[str, list[Row]]
    errors: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(records: Sequence[Record]) -> Validated:
    """Check every record (needs an app context: slugs and keys are looked up in the database)."""
    errors: list[Issue] = []
    rows: dict[str, list[Row]] = {table: [] for table in TABLES}
    for seq, record in enumerate(records):
        record.seq = seq
    for record in records:
        errors += [Issue.at(record, None, problem) for problem in record.problems]
        if record.table not in TABLES:
            continue
        if record.kind == "header":
            errors += _check_header(record)
        else:
            rows[record.table].append(_check_row(record, errors))
    _check_duplicates(rows, errors)
    _check_references(rows, errors)
    errors.sort(key=lambda issue: issue.order)
    return Validated(rows, errors)


def _unknown(table: str, name: str, what: str) -> Msg:
    """An unknown column (what: column) or YAML field (what: field), with the likely intended name."""
    kind = Msg(f"what.{what}")
    match = re.fullmatch(r"indicator_(\d+)", name)
    if match:
        return Msg("unknown_indicator", what=kind, number=match.group(1))
    close = difflib.get_close_matches(name, list(columns_of(table)), n=1, cutoff=0.6)
    if close:
        return Msg("unknown_did_you_mean", what=kind, name=close[0])
    return Msg("unknown_of_table", what=kind, table=table, names=", ".join(columns_of(table)))


def _check_header(record: Record) -> list[Issue]:
    assert record.table is not None and record.header is not None
    columns = columns_of(record.table)
    issues = [
        Issue.at(record, name, _unknown(record.table, name, "column"))
        for name in record.header
        if name and name not in columns
    ]
    issues += [
        Issue.at(record, column.name, Msg("column_missing"))
        for column in TABLES[record.table]
        if column.required and column.name not in record.header
    ]
    return issues


def _check_row(record: Record, errors: list[Issue]) -> Row:
    assert record.table is not None
    columns = columns_of(record.table)
    if record.header is None:  # YAML: every record carries its own keys
        errors += [
            Issue.at(record, key, _unknown(record.table, key, "field")) for key in record.values if key not in columns
        ]
    present = frozenset(columns) if record.header is None else frozenset(record.header) & frozenset(columns)
    data: dict[str, Any] = {}
    for column in TABLES[record.table]:
        if column.name not in present:
            continue
        raw = record.values.get(column.name)
        if is_empty(raw):
            if column.required:
                errors.append(Issue.at(record, column.name, Msg("required_empty")))
            data[column.name] = [] if column.kind in LIST_KINDS else None
            continue
        try:
            data[column.name] = PARSERS[column.kind](raw, column)
        except CellError as exc:
            errors.append(Issue.at(record, column.name, text_of(exc)))
    return Row(record, data, present)


def row_key(table: str, row: Row) -> tuple | None:
    """The values that identify a row, or None when one of them is missing or invalid."""
    key = tuple(row.data.get(name) for name in KEYS[table])
    return None if any(part is None for part in key) else key


def _describe(table: str, key: tuple) -> str:
    return ", ".join(f"{name} {value}" for name, value in zip(KEYS[table], key, strict=True))


def _check_duplicates(rows: dict[str, list[Row]], errors: list[Issue]) -> None:
    for table, table_rows in rows.items():
        first: dict[tuple, Row] = {}
        for row in table_rows:
            key = row_key(table, row)
            if key is None:
                continue
            if key in first:
                errors.append(
                    Issue.at(
                        row.record,
                        None,
                        Msg("duplicate", key=_describe(table, key), where=first[key].record.where),
                    )
                )
            else:
                first[key] = row


def _check_references(rows: dict[str, list[Row]], errors: list[Issue]) -> None:
    """Every agency, assessment and measure a row points at is in the files or already in the database."""
    in_file = {row.data["slug"] for row in rows["agencies"] if row.data.get("slug")}
    known = in_file | set(db.session.scalars(select(Agency.slug)))
    for table in ("assessments", "questions", "measures", "progress"):
        for row in rows[table]:
            slug = row.data.get("agency")
            if slug and slug not in known:
                close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
                hint = Msg("hint_did_you_mean", name=close[0]) if close else ""
                errors.append(Issue.at(row.record, "agency", Msg("unknown_agency", slug=slug, hint=hint)))
    for table, parent_table, size in (("questions", "assessments", 2), ("progress", "measures", 3)):
        wanted: dict[tuple, list[Row]] = {}
        for row in rows[table]:
            key = row_key(table, row)
            if key is not None and key[0] in known:
                wanted.setdefault(key[:size], []).append(row)
        have = {key[:size] for row in rows[parent_table] if (key := row_key(parent_table, row))}
        missing = [key for key in wanted if key not in have]
        have |= _stored_keys(Assessment if size == 2 else Measure, missing)
        for key in missing:
            if key in have:
                continue
            if size == 2:
                column, message = "fiscal_year", Msg("no_assessment", slug=key[0], year=key[1])
            else:
                column, message = "measure_code", Msg("no_measure", code=key[2], slug=key[0], year=key[1])
            for row in wanted[key]:
                errors.append(Issue.at(row.record, column, message))


def _stored_keys(model: type[Assessment | Measure], keys: list[tuple]) -> set[tuple]:
    """Which of these (slug, year[, code]) keys are already in the database."""
    if not keys:
        return set()
    columns = [Agency.slug, model.fiscal_year] + ([Measure.code] if model is Measure else [])
    query = select(*columns).select_from(model).join(Agency, model.agency_id == Agency.id)
    query = query.where(tuple_(*columns).in_(keys))
    return {tuple(row) for row in db.session.execute(query)}
