"""Core statements compiled once per dialect and run on the transaction's own DBAPI cursor.

For the few statements of the hottest request (/claim, storage/claim_rows.py). ``Connection.execute``
spends ~17 µs of Python per statement before and after SQLite's ~6 µs (cache key, execution context,
parameter and result processing set up anew each time) and, in a server whose caches have gone cold
between requests, about three times that. A ``Prepared`` statement does that set-up once: the SQL
string, the order of its parameters, and the type processors SQLAlchemy itself would apply (SQLite
keeps dates and times as text, for instance), so values go in and come out exactly as through
``Connection.execute``. It runs inside the caller's transaction (``storage.engine.transaction``),
and database errors come out as SQLAlchemy's own (``IntegrityError`` …).

Not for statements whose parameters expand (``IN`` lists) or whose columns have Python-side
defaults to fill in: every inserted column is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


@dataclass
class _Plan:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order (qmark, format), or None (named styles)
    binds: dict[str, tuple[Any, Callable[[Any], Any] | None]]  # name → (default value, bind processor)
    columns: tuple[Any, ...]  # result columns (a SELECT's, or RETURNING's)
    # per result column, SQLAlchemy's result processor; set at the first execution, as some depend on the
    # type code in the cursor's description (psycopg's numbers)
    results: tuple[Callable[[Any], Any] | None, ...] | None = None


class Prepared:
    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._plans: dict[type[Dialect], _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(type(dialect))
        if plan is None:
            compiled = self.statement.compile(dialect=dialect)
            if not isinstance(compiled, SQLCompiler):
                raise TypeError(f"not a SQL statement: {self.statement!r}")
            binds: dict[str, tuple[Any, Callable[[Any], Any] | None]] = {}
            for name, param in compiled.binds.items():
                if param.expanding:
                    raise ValueError(f"{name}: expanding parameters are not supported")
                binds[name] = (param.value, param.type.dialect_impl(dialect).bind_processor(dialect))
            columns = tuple(getattr(self.statement, "exported_columns", ()))  # a SELECT's, or RETURNING's
            positional = tuple(compiled.positiontup or ()) if dialect.positional else None
            plan = self._plans[type(dialect)] = _Plan(compiled.string, positional, binds, columns)
        return plan

    def rows(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row, with SQLAlchemy's result processing (none for statements without result columns)."""
        plan = self._plan(conn.dialect)
        values = {}
        for name, (default, process) in plan.binds.items():
            value = params.get(name, default) if params else default
            values[name] = process(value) if process is not None and value is not None else value
        args: Any = tuple(values[name] for name in plan.positional) if plan.positional is not None else values
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(plan.sql, args)
            description = cursor.description
            fetched = cursor.fetchall() if description is not None else []
        except conn.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(plan.sql, args, error, conn.dialect.loaded_dbapi.Error,
                                      dialect=conn.dialect) from error
        finally:
            cursor.close()
        if not plan.columns:  # nothing asked for (PostgreSQL's INSERT may return the new id anyway)
            return [tuple(row) for row in fetched]
        processors = plan.results
        if processors is None and description is not None:
            dialect = conn.dialect
            processors = plan.results = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, entry[1])
                for column, entry in zip(plan.columns, description, strict=True))
        if processors is None:
            return []
        if not fetched or not any(processors):
            return [tuple(row) for row in fetched]
        return [tuple(v if p is None or v is None else p(v) for p, v in zip(processors, row, strict=True))
                for row in fetched]

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        rows = self.rows(conn, params)
        return rows[0] if rows else None


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def driver_rows(conn: Connection, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Plain SQL with ``:name`` parameters whose values need no conversion (text, integers), run like a
    ``Prepared`` statement — for SQL built per call (the fuzzy lookup's), which SQLAlchemy would parse
    and compile every time."""
    if conn.dialect.paramstyle == "pyformat":  # psycopg
        sql = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
    elif conn.dialect.paramstyle != "named" and conn.dialect.name != "sqlite":  # sqlite3 takes :name anyway
        raise ValueError(f"paramstyle {conn.dialect.paramstyle} is not supported")
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, params, error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from error
    finally:
        cursor.close()
