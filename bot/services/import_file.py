"""Reading the file of `claimbot import`: the header, the encoding, and each row validated (pure).

Old CRMs export with English or Chinese headers, UTF-8 (Excel adds a BOM) or GB18030, commas or tabs.
A row is validated before anything is written: a row that fails is skipped with its reason and row
number, never half-imported.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.results.importer import ImportFileProblem, Note, RowOutcome
from bot.rules import text
from bot.rules.identifiers import InvalidIdentifier, company_domain, normalize_phone, normalize_uscc
from bot.rules.importing import COLUMNS, map_header, parse_import_stage, parse_owner, parse_tier
from bot.rules.names import NameKeys, name_keys

ENCODINGS = ("utf-8-sig", "gb18030")  # Excel's UTF-8 (with BOM), else the Chinese Windows code page


class ImportFileError(Exception):
    def __init__(self, problem: ImportFileProblem):
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class CsvSource:
    path: Path
    encoding: str
    dialect: type[csv.Dialect]
    columns: dict[str, int]
    unknown_columns: tuple[str, ...]
    rows: int

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, cells by column); rows with nothing in them are left out."""
        with self.path.open(encoding=self.encoding, newline="") as f:
            reader = csv.reader(f, self.dialect)
            next(reader, None)
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                yield number, {col: cells[i].strip() if i < len(cells) else "" for col, i in self.columns.items()}


def open_csv(path: str | Path, encoding: str | None = None) -> CsvSource:
    """Read the header and count the rows (checking the encoding on the way). Raises ImportFileError."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(ImportFileProblem("import.file.missing", {"path": str(path)}))
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
        if not header:
            raise ImportFileError(ImportFileProblem("import.file.empty", {"path": str(path)}))
        columns, unknown = map_header(header)
        if "name" not in columns:
            raise ImportFileError(ImportFileProblem("import.file.no_name_column",
                                                    {"headers": ", ".join(h for h in header if h.strip())}))
        return CsvSource(path, enc, dialect, columns, tuple(unknown), rows)
    raise ImportFileError(ImportFileProblem("import.file.encoding", {"encoding": encoding or "utf-8"}))


@dataclass
class Row:
    row: int
    name: str
    keys: NameKeys
    values: dict[str, str | None]  # uscc, domain, phone, region, industry, tier, stage (cleaned)
    owner: str | None
    notes: list[Note] = field(default_factory=list)


def validate_row(number: int, cells: dict[str, str]) -> Row | RowOutcome:
    """A row ready to be decided, or its ``skipped`` outcome."""
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
    owner = parse_owner(cell["owner"]) if cell["owner"] else None
    if cell["owner"] and owner is None:
        return skip("invalid_owner", value=cell["owner"])
    if values["stage"] == "won" and owner is None:
        return skip("won_needs_owner")
    if values["stage"] == "lost" and owner is not None:
        return skip("lost_with_owner", owner=owner)
    return Row(number, name, name_keys(name), values, owner, notes)
