"""`claimbot backup FILE` / `claimbot restore FILE` (docs/decisions/0021): every table, as JSON lines.

The file is gzip-compressed text, one JSON document a line::

    {"format": "claimbot-backup", "version": 1, "revision": "0001", "dialect": "postgresql", "created_at": …}
    {"table": "customer", "columns": ["id", "name", …]}
    [1, "Acme", …]                      one line per row, in primary-key order
    {"end": "customer", "rows": 12345}
    …
    {"end_of_backup": true, "tables": 22, "rows": 123456}

Dates and times are ISO-8601 strings, turned back into their column's type on restore. The snapshot is
consistent: every table is read in one read-only transaction (PostgreSQL: REPEATABLE READ, one snapshot;
SQLite: one read transaction, which in WAL mode sees one snapshot while writers go on). A restore goes into
an empty database only, migrated to the newest schema first; a backup made by another schema revision is
restored column by column when every column it has still exists and every column it lacks may be empty
or has a default, and refused otherwise, before anything is written.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, Integer, Table, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from storage import migrate

FORMAT = "claimbot-backup"
VERSION = 1
BATCH = 2000


class BackupError(Exception):
    """A file that is not a ClaimBot backup, a database that is not empty, a schema that can't take it."""


@dataclass
class Summary:
    revision: str | None
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table, parents before children (foreign keys)."""
    return list(SQLModel.metadata.sorted_tables)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _snapshot(engine: Engine) -> Connection:
    if engine.dialect.name == "postgresql":
        connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        connection.begin()
        connection.execute(text("SET TRANSACTION READ ONLY"))
        return connection
    connection = engine.connect()
    connection.begin()  # BEGIN DEFERRED: the snapshot is taken at the first read and held to the end
    return connection


def backup(engine: Engine, path: str | Path) -> Summary:
    """Write every table of the database behind ``engine`` to ``path``."""
    with _snapshot(engine) as connection:
        summary = Summary(migrate.current_revision_of(connection))
        with gzip.open(path, "wt", encoding="utf-8", newline="\n") as out:
            _line(out, {"format": FORMAT, "version": VERSION, "revision": summary.revision,
                        "dialect": engine.dialect.name, "created_at": datetime.now(UTC).isoformat(),
                        "tables": [t.name for t in tables()]})
            for table in tables():
                summary.rows[table.name] = _dump_table(connection, table, out)
            _line(out, {"end_of_backup": True, "tables": len(summary.rows), "rows": summary.total})
        connection.rollback()  # read only: nothing to keep
    return summary


def _line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")


def _dump_table(connection: Connection, table: Table, out: IO[str]) -> int:
    columns = [c.name for c in table.columns]
    _line(out, {"table": table.name, "columns": columns})
    n = 0
    result = connection.execution_options(yield_per=BATCH).execute(
        select(*table.columns).order_by(*table.primary_key.columns))
    for row in result:
        out.write(json.dumps([_plain(v) for v in row], ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    _line(out, {"end": table.name, "rows": n})
    return n


# --- restore


def _records(path: str | Path) -> Iterator[Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)
    except (OSError, EOFError, json.JSONDecodeError) as bad:
        raise BackupError(f"{path} is not a complete ClaimBot backup ({bad})") from None


def read_header(path: str | Path) -> dict[str, Any]:
    header = next(_records(path), None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a ClaimBot backup")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is backup format {header.get('version')}; this ClaimBot reads {VERSION}")
    return header


def _decoder(table: Table, columns: list[str]) -> list[Any]:
    """Per column of the file: how to turn its JSON value back into the column's Python type."""
    decoders: list[Any] = []
    for name in columns:
        kind = table.columns[name].type
        kind = getattr(kind, "impl", kind)  # a TypeDecorator (sqlmodel's UTCDateTime) stores as its impl
        if isinstance(kind, DateTime):
            decoders.append(lambda v: None if v is None else datetime.fromisoformat(v))
        elif isinstance(kind, Date):
            decoders.append(lambda v: None if v is None else date.fromisoformat(v))
        else:
            decoders.append(None)
    return decoders


def _check_columns(table: Table, columns: list[str]) -> None:
    unknown = [c for c in columns if c not in table.columns]
    needed = [c.name for c in table.columns if c.name not in columns and not c.nullable and c.default is None
              and c.server_default is None and not (c.primary_key and isinstance(c.type, Integer))]
    if unknown or needed:
        raise BackupError(f"table {table.name}: the backup's columns don't fit this schema (unknown in this version: "
                          f"{', '.join(unknown) or 'none'}; needed but not in the backup: {', '.join(needed) or 'none'})")


def _is_empty(engine: Engine) -> bool:
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in tables():
            if table.name in present and connection.execute(select(func.count()).select_from(table)).scalar_one():
                return False
    return True


def restore(engine: Engine, url: str, path: str | Path) -> Summary:
    """Load ``path`` into the empty database at ``url``: migrated to the newest schema, then every row, in one
    transaction (a failure leaves the database empty)."""
    header = read_header(path)
    if not _is_empty(engine):
        raise BackupError("the database is not empty: restore only into an empty database (a new one, or dropped)")
    migrate.upgrade(url)
    known = {t.name: t for t in tables()}
    missing = [name for name in header.get("tables", []) if name not in known]
    if missing:
        raise BackupError(f"the backup has tables this version does not know: {', '.join(missing)}")
    summary = Summary(header.get("revision"))
    records = _records(path)
    next(records)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        table: Table | None = None
        columns: list[str] = []
        decoders: list[Any] = []
        batch: list[dict[str, Any]] = []
        for record in records:
            if isinstance(record, list):
                if table is None:
                    raise BackupError(f"{path}: a row outside a table")
                batch.append({c: (d(v) if d else v) for c, d, v in zip(columns, decoders, record, strict=True)})
                if len(batch) >= BATCH:
                    connection.execute(table.insert(), batch)
                    batch = []
            elif "table" in record:
                table, columns = known[record["table"]], list(record["columns"])
                _check_columns(table, columns)
                decoders = _decoder(table, columns)
            elif "end" in record:
                if table is None or record["end"] != table.name:
                    raise BackupError(f"{path}: table {record['end']} ends where it did not start")
                if batch:
                    connection.execute(table.insert(), batch)
                    batch = []
                summary.rows[table.name] = int(record["rows"])
                table = None
            elif record.get("end_of_backup"):
                break
        else:
            raise BackupError(f"{path} ends before the end of the backup: it was cut short")
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection)
        restored = {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()
                    if t.name in summary.rows}
        if restored != summary.rows:
            raise BackupError(f"restored row counts {restored} differ from the backup's {summary.rows}")
    return summary


def _reset_sequences(connection: Connection) -> None:
    """Explicit ids were inserted: each serial column's sequence continues after the largest."""
    for table in tables():
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false) "
                    f"WHERE pg_get_serial_sequence('{table.name}', '{column.name}') IS NOT NULL"))
