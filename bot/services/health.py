"""Is the database there, what kind of failure is this one, and the state /metrics reports (docs/decisions/0022)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from bot.services import outbox
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


class StateCollector(Collector):
    """Gauges read when Prometheus scrapes: the outbox backlog and the age of its oldest notice, the
    database pool's use, and the in-memory name index (size, bytes, load time)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time only (registering must not query the database)

    def collect(self) -> Iterable[Metric]:
        pool = self.ctx.engine.pool
        in_use = GaugeMetricFamily("claimbot_db_pool_connections", "Database connections of this process, "
                                   "by state", labels=["state"])
        if isinstance(pool, QueuePool):
            in_use.add_metric(["checked_out"], pool.checkedout())
            in_use.add_metric(["idle"], pool.checkedin())
            in_use.add_metric(["overflow"], max(0, pool.overflow()))
            yield GaugeMetricFamily("claimbot_db_pool_size", "The pool's size (connections kept open)",
                                    value=pool.size())
        yield in_use
        up = GaugeMetricFamily("claimbot_database_up", "1 when the database answered this scrape")
        try:
            count, oldest = outbox.backlog(self.ctx)
        except SQLAlchemyError:
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            yield GaugeMetricFamily("claimbot_outbox_backlog", "Notices waiting to be sent", value=count)
            age = (datetime.now(UTC) - _aware(oldest)).total_seconds() if oldest else 0.0
            yield GaugeMetricFamily("claimbot_outbox_oldest_age_seconds", "Age of the oldest notice waiting "
                                    "to be sent (0: none waits)", value=max(0.0, age))
        yield up
        # Only a process that loaded the index has imported its module (and numpy): the others have none.
        loaded = sys.modules.get("storage.fuzzy_index")
        index = loaded.resident(self.ctx.engine) if loaded is not None else None
        yield GaugeMetricFamily("claimbot_name_index_customers", "Customers in the in-memory name index: "
                                "those loaded and those added since (0: not loaded, lookups read the database)",
                                value=len(index.customers.ids) + len(index.recent) if index else 0)
        yield GaugeMetricFamily("claimbot_name_index_bytes", "Bytes held by the in-memory name index",
                                value=index.nbytes() if index else 0)
        yield GaugeMetricFamily("claimbot_name_index_load_seconds", "How long the last load of the name "
                                "index took", value=index.load_seconds if index else 0.0)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
