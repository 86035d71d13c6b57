"""Reading the file of `claimbot import`: the header, the encoding, and each row validated (pure).

Old CRMs export with English or Chinese headers, UTF-8 (Excel adds a BOM) or GB18030, commas or tabs,
or Excel workbooks (.xlsx, read row by row with openpyxl's read-only mode: memory stays flat). The
exports of Zoho CRM, Salesforce, HubSpot and 纷享销客 are recognised from their header row
(``bot.rules.importing.PRESETS``); ``--map`` names the columns of anything else. A row is validated
before anything is written: a row that fails is skipped with its reason and row number, never
half-imported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from bot.results.importer import ImportFileProblem, Note, OwnerMatch, RowOutcome
from bot.rules import text
from bot.rules.identifiers import InvalidIdentifier, company_domain, normalize_phone, normalize_uscc
from bot.rules.importing import (
    COLUMNS,
    DATE_COLUMNS,
    parse_import_stage,
    parse_moment,
    parse_owner,
    parse_tier,
    read_header,
)
from bot.rules.names import NameKeys, name_keys

ENCODINGS = ("utf-8-sig", "gb18030")  # Excel's UTF-8 (with BOM), else the Chinese Windows code page
XLSX_SUFFIXES = (".xlsx", ".xlsm")

OwnerResolver = Callable[[str], OwnerMatch]


class ImportFileError(Exception):
    def __init__(self, problem: ImportFileProblem):
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class CsvSource:
    """A CSV file or an .xlsx workbook's first sheet (``encoding`` is then ``xlsx``)."""

    path: Path
    encoding: str
    dialect: type[csv.Dialect]
    columns: dict[str, int]
    unknown_columns: tuple[str, ...]
    rows: int
    readings: tuple[tuple[str, str | None], ...] = ()  # every header and the column it was read as (or None)
    preset: str | None = None  # the CRM export recognised from the header row
    mapped: bool = False  # the columns came from --map

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, cells by column); rows with nothing in them are left out."""
        for number, cells in self._rows():
            if not any(cell.strip() for cell in cells):
                continue
            yield number, {col: cells[i].strip() if i < len(cells) else "" for col, i in self.columns.items()}

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        if self.encoding == "xlsx":
            rows = _xlsx_rows(self.path)
            next(rows, None)
            yield from enumerate(rows, start=2)
            return
        with self.path.open(encoding=self.encoding, newline="") as f:
            reader = csv.reader(f, self.dialect)
            next(reader, None)
            yield from enumerate(reader, start=2)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    """The first sheet's rows as text, streamed (openpyxl's read-only mode reads the XML as it goes)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the CSV export of the same sheet would write it (dates in ISO form, 13800138000 not 1.38e10)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_xlsx(path: Path) -> bool:
    if path.suffix.lower() in XLSX_SUFFIXES:
        return True
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"  # a zip: a workbook saved under another name


def open_csv(path: str | Path, encoding: str | None = None, mapping: dict[str, str] | None = None) -> CsvSource:
    """Read the header and count the rows (checking the encoding on the way). Raises ImportFileError."""
    path, enc, dialect, header, rows = open_table(path, encoding)
    return _source(path, enc, dialect, header, rows, mapping)


def open_table(path: str | Path, encoding: str | None = None
               ) -> tuple[Path, str, type[csv.Dialect], list[str], int]:
    """(path, encoding or ``xlsx``, CSV dialect, header row, data rows) of a CSV file or workbook."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(ImportFileProblem("import.file.missing", {"path": str(path)}))
    if _is_xlsx(path):
        from zipfile import BadZipFile

        try:
            cells = _xlsx_rows(path)
            header = next(cells, None)
            count = sum(1 for row in cells if any(cell.strip() for cell in row))
        except (BadZipFile, KeyError, OSError, ValueError):
            raise ImportFileError(ImportFileProblem("import.file.xlsx", {"path": str(path)})) from None
        return path, "xlsx", csv.excel, _nonempty(header, path), count
    for enc in (encoding,) if encoding else ENCODINGS:
        try:
            with path.open(encoding=enc, newline="") as f:
                first = f.readline()
                dialect = csv.excel_tab if "\t" in first and "," not in first else csv.excel
                f.seek(0)
                reader = csv.reader(f, dialect)
                header = next(reader, None)
                rows = sum(1 for cells in reader if any(cell.strip() for cell in cells))
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise ImportFileError(ImportFileProblem("import.file.encoding", {"encoding": enc})) from None
        return path, enc, dialect, _nonempty(header, path), rows
    raise ImportFileError(ImportFileProblem("import.file.encoding", {"encoding": encoding or "utf-8"}))


def _nonempty(header: list[str] | None, path: Path) -> list[str]:
    if not header or not any(h.strip() for h in header):
        raise ImportFileError(ImportFileProblem("import.file.empty", {"path": str(path)}))
    return header


def _source(path: Path, encoding: str, dialect: type[csv.Dialect], header: list[str], rows: int,
            mapping: dict[str, str] | None) -> CsvSource:
    missing = [h for h in (mapping or {}).values() if h.strip() not in {x.strip() for x in header}]
    if missing:
        raise ImportFileError(ImportFileProblem("import.file.map_missing", {
            "columns": ", ".join(missing), "headers": ", ".join(h for h in header if h.strip())}))
    columns, readings, preset = read_header(header, mapping)
    if "name" not in columns:
        raise ImportFileError(ImportFileProblem("import.file.no_name_column",
                                                {"headers": ", ".join(h for h in header if h.strip())}))
    unknown = tuple(h for h, column in readings if column is None)
    return CsvSource(path, encoding, dialect, columns, unknown, rows, tuple(readings), preset, bool(mapping))


@dataclass
class Row:
    row: int
    name: str
    keys: NameKeys
    values: dict[str, str | None]  # uscc, domain, phone, region, industry, tier, stage (cleaned)
    owner: str | None
    notes: list[Note] = field(default_factory=list)
    moments: dict[str, datetime] = field(default_factory=dict)  # last_followup, last_activity, stage_changed


def slack_ids_only(cell: str) -> OwnerMatch:
    """The owner resolver without Slack: only a Slack user id is an owner."""
    user = parse_owner(cell)
    return OwnerMatch(cell, user, None if user else "invalid")


def validate_row(number: int, cells: dict[str, str], *, tz: str = "UTC", resolve_owner: OwnerResolver | None = None,
                 unmatched: str = "pool") -> Row | RowOutcome:
    """A row ready to be decided, or its ``skipped`` outcome. Without ``resolve_owner`` the owner cell
    must be a Slack user id (else the row is skipped); with one, an owner that resolves to nobody, a
    deactivated account or several people is noted and the row goes to the pool (``unmatched="skip"``:
    the row is skipped)."""
    cell = {column: text.clean(cells.get(column)) for column in COLUMNS}
    name = " ".join(cell["name"].split())

    def skip(reason: str, **params: object) -> RowOutcome:
        return RowOutcome(number, "skipped", reason, name[:200], params=params)

    if not name:
        return skip("missing_name")
    if len(name) > text.MAX_NAME_CHARS:
        return skip("name_too_long", limit=text.MAX_NAME_CHARS, length=len(name))
    if not text.has_word_character(name):
        return skip("no_letters")
    notes: list[Note] = []
    values: dict[str, str | None] = {}
    try:
        values["uscc"] = normalize_uscc(cell["uscc"]) if cell["uscc"] else None
        values["domain"] = company_domain(cell["domain"]) if cell["domain"] else None
        values["phone"] = normalize_phone(cell["phone"]) if cell["phone"] else None
    except InvalidIdentifier as bad:
        return skip(f"invalid_{bad.kind}", value=bad.value)
    if cell["domain"] and values["domain"] is None:
        notes.append(Note("free_mail", {"value": cell["domain"]}))
    values["region"] = cell["region"][:100] or None
    values["industry"] = cell["industry"][:100] or None
    values["tier"] = parse_tier(cell["tier"]) if cell["tier"] else None
    if cell["tier"] and values["tier"] is None:
        return skip("invalid_tier", value=cell["tier"])
    values["stage"] = parse_import_stage(cell["stage"]) if cell["stage"] else None
    if cell["stage"] and values["stage"] is None:
        return skip("invalid_stage", value=cell["stage"])
    owner = None
    if cell["owner"]:
        match = (resolve_owner or slack_ids_only)(cell["owner"])
        owner = match.user
        if owner is None and resolve_owner is None:
            return skip("invalid_owner", value=cell["owner"])
        if owner is None:
            if unmatched == "skip":
                return skip(f"owner_{match.problem}", value=cell["owner"], **match.params())
            notes.append(Note(f"owner_{match.problem}", {"value": cell["owner"], **match.params()}))
    moments: dict[str, datetime] = {}
    for column in DATE_COLUMNS:
        if cell[column]:
            moment = parse_moment(cell[column], tz)
            if moment is None:
                notes.append(Note("bad_date", {"field": column, "value": cell[column]}))
            else:
                moments[column] = moment
    if values["stage"] == "won" and owner is None:
        return skip("won_needs_owner")
    if values["stage"] == "lost" and owner is not None:
        return skip("lost_with_owner", owner=owner)
    return Row(number, name, name_keys(name), values, owner, notes, moments)
