"""Is the database there, and what kind of failure is this one (docs/decisions/0022)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.services.context import ServiceContext


class DatabaseFault(StrEnum):
    UNAVAILABLE = "unavailable"  # cannot be reached (restarting, down, connection lost): try again shortly
    FULL = "full"  # reached, but it cannot store anything (a full disk): an admin must act


def database_problem(ctx: ServiceContext) -> str | None:
    """None when a trivial query answers, else what went wrong (one line)."""
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return str(error.orig if isinstance(error, DBAPIError) else error).strip().splitlines()[0][:200]
    return None


_FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk full")


def fault_of(error: BaseException) -> DatabaseFault | None:
    """Which database fault ``error`` (or what it was raised from) is, or None when it is none of them."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DBAPIError):
            message = str(seen.orig).lower()
            if any(words in message for words in _FULL):
                return DatabaseFault.FULL
            name = type(seen.orig).__name__
            if seen.connection_invalidated or name in ("OperationalError", "InterfaceError"):
                return DatabaseFault.UNAVAILABLE
        seen = seen.__cause__ or seen.__context__
    return None
