"""Engines and transactions.

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` so that concurrent claims queue for the write lock instead of failing
with "database is locked" when a deferred transaction tries to upgrade. PostgreSQL runs at
READ COMMITTED; services take row locks where a decision depends on a count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 15_000


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=40,
            # The connection used last (its page cache and memory still warm), not the one idle longest:
            # ~0.1–0.2 ms less CPU per /claim (bench/bench_claim_http.py).
            pool_use_lifo=True,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=40, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (and how).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        # On the driver's connection: exec_driver_sql would cost three times SQLite's own work here.
        sql = f"BEGIN {mode}"
        try:
            driver: Any = conn.connection.dbapi_connection  # sqlite3's: the DBAPI protocol has no execute
            driver.execute(sql)
        except conn.dialect.loaded_dbapi.Error as error:  # e.g. "database is locked" after the busy timeout
            raise DBAPIError.instance(sql, (), error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from error


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: committed on success, rolled back on any exception."""
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


# The same transactions without an ORM Session, for hot paths written in SQLAlchemy Core (a Session
# costs ~50 µs per transaction before its first statement). Writers begin IMMEDIATE on SQLite, as above.
@contextmanager
def transaction(conn: Connection, *, write: bool) -> Iterator[Connection]:
    """One transaction on a connection the caller holds (several in a row need only one checkout from
    the pool): committed on success, rolled back on any exception."""
    if is_sqlite(conn.engine):
        conn.execution_options(sqlite_begin="IMMEDIATE" if write else "DEFERRED")  # this Connection only
    with conn.begin():
        yield conn


@contextmanager
def single_reads(conn: Connection) -> Iterator[Connection]:
    """For reads that need no snapshot across statements (each is consistent on its own): on SQLite no
    transaction at all — SQLite makes each statement one, and BEGIN and COMMIT through SQLAlchemy cost
    more than the read — elsewhere a read transaction."""
    if is_sqlite(conn.engine):
        try:
            yield conn
        finally:
            if conn.in_transaction():  # a statement through SQLAlchemy began one (autobegin): end it
                conn.rollback()
    else:
        with transaction(conn, write=False):
            yield conn
