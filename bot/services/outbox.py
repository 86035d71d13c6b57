"""The outbox: deciding what to send is a database write, so it happens exactly once.

``enqueue`` is called inside the transaction that makes the decision (a recycle, a reminder's day, a
digest's slot): the notice commits with it or not at all, and its unique key means a second process or a
rerun of the same job adds nothing. bot/slack/delivery.py sends what is due, with retries and backoff, at most
one message per second per channel.

A notice Slack refuses for good (``fail``), or one that used up MAX_ATTEMPTS, is ``failed`` and each admin is
told by an outbox DM of its own (kind ``delivery_failed``), once per channel, error and day; an alert that fails
alerts nobody. The managers' App Home lists them too (bot/services/home.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from bot.services.context import ServiceContext
from storage.engine import is_sqlite, read_session, write_session
from storage.models import ChannelRate, Outbox

ASAP = datetime(1970, 1, 1, tzinfo=UTC)  # a new notice is due at once, whatever clock decided it
CALLS_PER_SEND = 8  # the most Web API calls one notice may take (a chart upload: 5, a post after a time-out: 4)


def lease_for(ctx: ServiceContext) -> timedelta:
    """How long a sender holds one notice: at least ``[schedule] delivery_lease_seconds``, and long enough
    for its slowest send."""
    schedule = ctx.settings.schedule
    return max(timedelta(seconds=schedule.delivery_lease_seconds),
               timedelta(seconds=CALLS_PER_SEND * schedule.delivery_timeout_seconds))


MAX_ATTEMPTS = 300  # a day of trying: the back-off reaches its 300 s cap after 9 attempts
CHANNEL_INTERVAL = timedelta(seconds=1)
ALERT = "delivery_failed"


def _insert(session: Session, model: type) -> Any:
    return (sqlite_insert if is_sqlite(session.get_bind()) else pg_insert)(model)


def enqueue(session: Session, *, key: str, channel: str, kind: str, data: dict[str, Any], now: datetime) -> bool:
    """Add a notice unless one with this key exists. True when this call added it."""
    stmt = _insert(session, Outbox).values(
        key=key, channel=channel, kind=kind, data=json.dumps(data, ensure_ascii=False, default=str),
        status="pending", attempts=0, next_attempt_at=ASAP, created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"]).returning(Outbox.id)
    return session.execute(stmt).first() is not None  # (psycopg reports no rowcount for this insert)


@dataclass(frozen=True)
class Notice:
    id: int
    key: str
    channel: str
    kind: str
    data: dict[str, Any]
    attempts: int
    resumed: bool  # a previous sender's lease ran out: it may have sent before dying
    lease_until: datetime | None = None  # this sender's lease, as written: ``hold`` checks it is still ours


def lease_due(ctx: ServiceContext, now: datetime, limit: int = 20) -> list[Notice]:
    """Take up to ``limit`` due notices for sending, each leased to this caller (``lease_for``)."""
    if not _any_due(ctx, now):  # the common case, every few seconds: no write transaction at all
        return []
    lease = lease_for(ctx)
    with write_session(ctx.engine) as session:
        due = (select(col(Outbox.id)).where(or_(
            (col(Outbox.status) == "pending") & (col(Outbox.next_attempt_at) <= now),
            (col(Outbox.status) == "sending") & (col(Outbox.lease_until) < now),
        )).order_by(col(Outbox.id)).limit(limit))
        if not is_sqlite(session.get_bind()):
            due = due.with_for_update(skip_locked=True)
        rows = session.execute(select(Outbox).where(col(Outbox.id).in_(due))).scalars().all()
        notices = []
        for row in rows:
            notices.append(Notice(row.id, row.key, row.channel, row.kind, json.loads(row.data), row.attempts,
                                  resumed=row.status == "sending", lease_until=now + lease))
            row.status, row.lease_until = "sending", now + lease
            session.add(row)
        return notices


def hold(ctx: ServiceContext, notice: Notice, now: datetime) -> Notice | None:
    """Right before sending one notice of a leased batch: renew its lease if it is still this sender's.

    A batch can outlive its lease (a slow Slack, a channel's turn, Retry-After); another process may then
    have leased the notice again. None: it is no longer ours, so sending it could send it twice."""
    renewed = now + lease_for(ctx)
    with write_session(ctx.engine) as session:
        result = session.execute(
            update(Outbox).where(col(Outbox.id) == notice.id, col(Outbox.status) == "sending",
                                 col(Outbox.lease_until) == notice.lease_until)
            .values(lease_until=renewed))
        assert isinstance(result, CursorResult)  # an UPDATE's
        taken = result.rowcount
    return replace(notice, lease_until=renewed) if taken == 1 else None


def _any_due(ctx: ServiceContext, now: datetime) -> bool:
    with read_session(ctx.engine) as session:
        return session.execute(select(col(Outbox.id)).where(or_(
            (col(Outbox.status) == "pending") & (col(Outbox.next_attempt_at) <= now),
            (col(Outbox.status) == "sending") & (col(Outbox.lease_until) < now),
        )).limit(1)).first() is not None


def take_channel_slot(ctx: ServiceContext, channel: str, now: datetime) -> datetime | None:
    """Reserve the channel's next send. None: go ahead now; else the time to try again."""
    with write_session(ctx.engine) as session:
        session.execute(_insert(session, ChannelRate).values(channel=channel, next_allowed_at=now)
                        .on_conflict_do_nothing(index_elements=["channel"]))
        result = session.execute(
            update(ChannelRate).where(col(ChannelRate.channel) == channel, col(ChannelRate.next_allowed_at) <= now)
            .values(next_allowed_at=now + CHANNEL_INTERVAL)
        )
        assert isinstance(result, CursorResult)  # an UPDATE's
        if result.rowcount == 1:
            return None
        return session.scalars(select(col(ChannelRate.next_allowed_at))
                               .where(col(ChannelRate.channel) == channel)).one()


def mark_sent(ctx: ServiceContext, notice_id: int, ts: str | None, now: datetime, *,
              posted_channel: str | None = None) -> None:
    """Sent; ``ts`` and ``posted_channel`` say where it landed (a D… id for a DM), for a later chat.update."""
    with write_session(ctx.engine) as session:
        session.execute(update(Outbox).where(col(Outbox.id) == notice_id)
                        .values(status="sent", ts=ts, posted_channel=posted_channel, sent_at=now, lease_until=None))


@dataclass(frozen=True)
class Post:
    """Where a notice another one depends on stands (an update of it, a note in its thread)."""

    status: str  # pending | sending | sent | failed | dropped
    channel: str | None  # where it landed, once sent
    ts: str | None


def post_of(ctx: ServiceContext, key: str) -> Post | None:
    with read_session(ctx.engine) as session:
        row = session.execute(select(col(Outbox.status), col(Outbox.posted_channel), col(Outbox.ts))
                              .where(col(Outbox.key) == key)).first()
    return Post(*row) if row else None


def fail(ctx: ServiceContext, notice_id: int, error: str, now: datetime, *, dropped: bool = False) -> None:
    """Never to be retried. ``failed``: Slack refused it for good, and admins are told; ``dropped``: it
    depended on a post that failed (that failure is the one admins hear of)."""
    with write_session(ctx.engine) as session:
        row = session.get(Outbox, notice_id)
        if row is None or row.status == "sent":
            return
        row.status, row.failed_at, row.lease_until, row.last_error = ("dropped" if dropped else "failed"), now, \
            None, error[:500]
        session.add(row)
        if not dropped:
            _alert(session, ctx, row, now)


def _alert(session: Session, ctx: ServiceContext, row: Outbox, now: datetime) -> None:
    """Each admin hears of a failed notice once per channel, error and day (the key says so)."""
    if row.kind == ALERT:  # an alert about an alert would never end
        return
    error = (row.last_error or "unknown")[:80]
    for admin in ctx.settings.team.admins:
        enqueue(session, key=f"{ALERT}:{row.channel}:{error}:{ctx.today(now).isoformat()}:{admin}", channel=admin,
                kind=ALERT, now=now,
                data={"channel": row.channel, "error": error, "kind": row.kind})


def retry_later(ctx: ServiceContext, notice_id: int, at: datetime, error: str | None, *, count: bool = True) -> None:
    """Back to pending until ``at``. ``count`` False when nothing was attempted (a channel's turn)."""
    with write_session(ctx.engine) as session:
        row = session.get(Outbox, notice_id)
        if row is None or row.status == "sent":
            return
        row.attempts += 1 if count else 0
        row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
        row.next_attempt_at, row.lease_until, row.last_error = at, None, (error or "")[:500] or row.last_error
        session.add(row)
        if row.status == "failed":  # used up its attempts: as good as refused
            row.failed_at = datetime.now(UTC)
            _alert(session, ctx, row, row.failed_at)


def superseded(ctx: ServiceContext, notice: Notice) -> bool:
    """An update of a post that a later decision updates again (a handover transferred, then declined):
    sending it after the later one would show the earlier decision, so it is dropped instead."""
    post = notice.data.get("update_of")
    if not post:
        return False
    subject = ":".join(notice.key.split(":")[:2])  # case:1, handover:7, complaint:3
    with read_session(ctx.engine) as session:
        later = session.execute(select(col(Outbox.data)).where(
            col(Outbox.channel) == notice.channel, col(Outbox.id) > notice.id,
            col(Outbox.key).like(f"{subject}:%:update:%"))).scalars().all()
    return any(json.loads(data).get("update_of") == post for data in later)


def resend_failed(ctx: ServiceContext, now: datetime, *, channel: str | None = None,
                  since: timedelta = timedelta(days=7)) -> int:
    """After the cause is fixed (ClaimBot invited, a token renewed): what failed in the last ``since``
    goes back to pending, its attempts anew, with the updates and thread notes that were dropped because
    it had failed (so a decided case's post shows its decision again); alerts about failures are not sent
    again. How many failed notices."""
    with write_session(ctx.engine) as session:
        stmt = select(Outbox).where(col(Outbox.status) == "failed", col(Outbox.kind) != ALERT,
                                    col(Outbox.failed_at) >= now - since)
        if channel:
            stmt = stmt.where(col(Outbox.channel) == channel)
        failed = session.execute(stmt).scalars().all()
        waiting_on = {dropped_reason(row.key, "failed") for row in failed}
        dependants = session.execute(select(Outbox).where(
            col(Outbox.status) == "dropped", col(Outbox.last_error).in_(waiting_on))).scalars().all() if failed else []
        for row in [*failed, *dependants]:
            row.status, row.attempts, row.next_attempt_at, row.failed_at, row.lease_until = \
                "pending", 0, ASAP, None, None
            session.add(row)
        return len(failed)


def dropped_reason(post_key: str, state: str) -> str:
    """Why an update or thread note was dropped: the post it depends on is ``state`` (failed, …)."""
    return f"post {post_key} {state}"


def backlog(ctx: ServiceContext) -> tuple[int, datetime | None]:
    """How many notices wait to be sent, and when the oldest of them was decided."""
    with read_session(ctx.engine) as session:
        count, oldest = session.execute(select(func.count(), func.min(col(Outbox.created_at)))
                                        .where(col(Outbox.status).in_(("pending", "sending")))).one()
    return int(count), oldest


def pending_count(ctx: ServiceContext) -> int:
    with read_session(ctx.engine) as session:
        return len(session.execute(select(col(Outbox.id)).where(col(Outbox.status).in_(("pending", "sending")))).all())
