"""The pool (公海): customers nobody owns, to browse and claim (PRODUCT 3.1, 4; issue 4 item 3).

A customer is in the pool when it has no active ownership. Pages list the customers that came back
most recently first — released, recycled or lost: the last such audit record (OwnershipEvent) gives
the day, the rep and the reason — then customers that were never owned (imported, or created
without a claim), newest first. Paging is by a cursor, not an offset, so a customer claimed by
someone else between two pages does not shift the next page:

- ``r.<microseconds>.<event id>``: the next returned customer is older than this return;
- ``n.<customer id>`` (``n`` alone: from the start): the next never-owned customer has a smaller id.

A *Claim* button claims through ``bot.services.claims.claim``, so the holding cap, the daily claim
cap and the cooldown apply exactly as they do to /claim.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.results.claims import ClaimOutcome, ClaimResult
from bot.results.customers import InputError
from bot.results.pool import PoolClaim, PoolEntry, PoolPage
from bot.rules import clocks
from bot.rules.pool_filter import FilterError, PoolFilter, parse_filter
from bot.services import claims
from bot.services.context import ServiceContext
from storage.engine import read_session
from storage.models import SHORT_ID_OFFSET, Customer, Ownership, OwnershipEvent

PAGE_SIZE = 10
RETURN_KINDS = ("release", "recycle", "lost")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^(?:r\.(\d{1,20})\.(\d{1,18})|n(?:\.(\d{1,18}))?)$")
_RECYCLE_REASON = re.compile(r"^([a-z_]+):(\d{4}-\d{2}-\d{2})$")  # bot/services/sweeps.py writes clock:until


def browse(ctx: ServiceContext, typed: str | None, cursor: str | None = None, page: int = 1,
           total: int | None = None, *, page_size: int = PAGE_SIZE) -> PoolPage:
    """One page of the pool; ``total`` is counted when not carried over from the previous page."""
    parsed = parse_filter(typed)
    if isinstance(parsed, FilterError):
        return PoolPage(typed=(typed or "")[:100], error=InputError(parsed.code, parsed.params))
    with read_session(ctx.engine) as session:
        entries, next_cursor = _page(session, ctx, parsed, _parse_cursor(cursor), page_size)
        if total is None:
            total = _count(session, parsed)
    return PoolPage(entries=tuple(entries), typed=parsed.typed, cursor=cursor, next_cursor=next_cursor,
                    page=max(1, page), total=total)


def claim(ctx: ServiceContext, rep_id: str, customer_id: int, now: datetime, *, typed: str | None = None,
          cursor: str | None = None, page: int = 1) -> PoolClaim:
    """Claim a pool customer exactly as /claim would, then show the page it was picked from again."""
    return PoolClaim(claim_by_id(ctx, rep_id, customer_id, now), browse(ctx, typed, cursor, page))


def claim_by_id(ctx: ServiceContext, rep_id: str, customer_id: int, now: datetime) -> ClaimResult:
    """Claim a customer picked by its id (a pool row, a customer card) exactly as /claim would."""
    with read_session(ctx.engine) as session:
        customer = session.get(Customer, customer_id)
        name = customer.name if customer is not None else None
    if name is None:
        return ClaimResult(ClaimOutcome.NOT_FOUND, query=f"C-{customer_id + SHORT_ID_OFFSET}")
    return claims.claim(ctx, rep_id, claims.ClaimRequest(name=name, same_as=customer_id), now)


# --- The queries -----------------------------------------------------------------------------------


def _active() -> ColumnElement[bool]:
    return select(Ownership.id).where(
        col(Ownership.customer_id) == Customer.id, col(Ownership.ended_at).is_(None)
    ).exists()


def _conditions(f: PoolFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [~_active()]
    if f.short_id is not None:
        where.append(col(Customer.id) == f.short_id - SHORT_ID_OFFSET)
    if f.name_key:
        where.append(col(Customer.name_key).contains(f.name_key, autoescape=True))
    if f.tier:
        where.append(col(Customer.tier) == f.tier)
    if f.region:
        where.append(func.lower(Customer.region).contains(f.region, autoescape=True))
    if f.industry:
        where.append(func.lower(Customer.industry).contains(f.industry, autoescape=True))
    return where


def _count(session: Session, f: PoolFilter) -> int:
    return session.exec(select(func.count()).select_from(Customer).where(*_conditions(f))).one()


def _page(session: Session, ctx: ServiceContext, f: PoolFilter, cursor: tuple[str, datetime | None, int | None],
          size: int) -> tuple[list[PoolEntry], str | None]:
    phase, at, last_id = cursor
    entries: list[PoolEntry] = []
    if phase == "r":
        returned = _returned(session, f, at, last_id, size + 1)
        for customer, event in returned[:size]:
            entries.append(_entry(ctx, customer, event))
        if len(returned) > size:
            _, event = returned[size - 1]
            return entries, f"r.{_micros(event.at)}.{event.id}"
        last_id = None
    need = size - len(entries)
    never = _never_owned(session, f, last_id, need + 1)
    entries += [_entry(ctx, customer, None) for customer in never[:need]]
    if len(never) > need:
        return entries, f"n.{never[need - 1].id}" if need else "n"
    return entries, None


def _returned(session: Session, f: PoolFilter, at: datetime | None, last_id: int | None,
              limit: int) -> list[tuple[Customer, OwnershipEvent]]:
    """Pool customers with a return on record, by their last return, newest first."""
    later = aliased(OwnershipEvent)
    newer_return = select(later.id).where(
        col(later.customer_id) == OwnershipEvent.customer_id, col(later.kind).in_(RETURN_KINDS),
        col(later.id) > OwnershipEvent.id,
    ).exists()
    stmt = (
        select(Customer, OwnershipEvent).join(OwnershipEvent, col(OwnershipEvent.customer_id) == Customer.id)
        .where(col(OwnershipEvent.kind).in_(RETURN_KINDS), ~newer_return, *_conditions(f))
        .order_by(col(OwnershipEvent.at).desc(), col(OwnershipEvent.id).desc())
        .limit(limit)
    )
    if at is not None and last_id is not None:
        stmt = stmt.where(or_(col(OwnershipEvent.at) < at,
                              and_(col(OwnershipEvent.at) == at, col(OwnershipEvent.id) < last_id)))
    return list(session.exec(stmt).all())


def _never_owned(session: Session, f: PoolFilter, before_id: int | None, limit: int) -> list[Customer]:
    """Pool customers that never returned from anyone (never owned), newest first."""
    returned = select(OwnershipEvent.id).where(
        col(OwnershipEvent.customer_id) == Customer.id, col(OwnershipEvent.kind).in_(RETURN_KINDS)
    ).exists()
    stmt = select(Customer).where(~returned, *_conditions(f)).order_by(col(Customer.id).desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(col(Customer.id) < before_id)
    return list(session.exec(stmt).all())


def _entry(ctx: ServiceContext, c: Customer, event: OwnershipEvent | None) -> PoolEntry:
    assert c.id is not None
    if event is None:
        return PoolEntry(c.id, c.short_id, c.name, c.tier, c.stage, c.region, c.industry, how=None,
                         since=ctx.today(c.created_at))
    clock = until = None
    reason = event.reason
    if event.kind == "recycle" and reason and (m := _RECYCLE_REASON.match(reason)):
        clock, until, reason = m.group(1), date.fromisoformat(m.group(2)), None
    return PoolEntry(c.id, c.short_id, c.name, c.tier, c.stage, c.region, c.industry, how=event.kind,
                     since=ctx.today(event.at), by=event.from_rep, reason=reason, clock=clock, clock_until=until)


# --- Cursors ---------------------------------------------------------------------------------------


def _micros(at: datetime) -> int:
    return (clocks.as_utc(at) - _EPOCH) // timedelta(microseconds=1)


def _parse_cursor(cursor: str | None) -> tuple[str, datetime | None, int | None]:
    """(phase, return time, id); a missing or unreadable cursor starts from the beginning."""
    m = _CURSOR.match(cursor or "")
    if not m:
        return "r", None, None
    if m.group(1) is not None:
        try:
            return "r", _EPOCH + timedelta(microseconds=int(m.group(1))), int(m.group(2))
        except OverflowError:
            return "r", None, None
    return "n", None, int(m.group(3)) if m.group(3) else None
