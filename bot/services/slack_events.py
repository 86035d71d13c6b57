"""Events API callbacks taken: the database decides which delivery of an ``event_id`` is the first, so
Slack's retries and a second instance run nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from bot.services.context import ServiceContext
from storage.engine import is_sqlite, write_session
from storage.models import SlackEvent

KEPT = timedelta(days=1)  # Slack retries within the hour; a day of ids is plenty


def first_delivery(ctx: ServiceContext, event_id: str, now: datetime) -> bool:
    """Record ``event_id``; True only for the call that recorded it (every later delivery: False)."""
    insert = sqlite_insert if is_sqlite(ctx.engine) else pg_insert
    with write_session(ctx.engine) as session:
        stmt = insert(SlackEvent).values(event_id=event_id, received_at=now) \
            .on_conflict_do_nothing(index_elements=["event_id"]).returning(col(SlackEvent.event_id))
        return session.execute(stmt).first() is not None


def forget_before(ctx: ServiceContext, now: datetime, kept: timedelta = KEPT) -> int:
    """Prune the ids of events taken more than ``kept`` ago; how many went."""
    with write_session(ctx.engine) as session:
        result = session.execute(delete(SlackEvent).where(col(SlackEvent.received_at) < now - kept))
        assert isinstance(result, CursorResult)
        return int(result.rowcount or 0)
