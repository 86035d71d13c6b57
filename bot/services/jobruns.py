"""Bookkeeping of job slots: which daily run happened, when, and what it did."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from bot.services.context import ServiceContext
from storage.engine import is_sqlite, read_session, write_session
from storage.models import JobRun


@dataclass
class Run:
    job: str
    slot: str
    summary: str = ""


@contextmanager
def slot(ctx: ServiceContext, job: str, slot: str, now: datetime) -> Iterator[Run]:
    """Record the run of ``job`` for ``slot``; the work inside must itself be idempotent."""
    with write_session(ctx.engine) as session:
        insert = sqlite_insert if is_sqlite(ctx.engine) else pg_insert
        session.execute(insert(JobRun).values(job=job, slot=slot, started_at=now)
                        .on_conflict_do_nothing(index_elements=["job", "slot"]))
    run = Run(job, slot)
    yield run
    with write_session(ctx.engine) as session:
        session.execute(update(JobRun).where(col(JobRun.job) == job, col(JobRun.slot) == slot)
                        .values(finished_at=datetime.now(UTC), summary=run.summary))


def finished(ctx: ServiceContext, job: str, slot: str) -> bool:
    with read_session(ctx.engine) as session:
        return session.execute(select(col(JobRun.finished_at)).where(col(JobRun.job) == job, col(JobRun.slot) == slot)
                               ).scalar() is not None
