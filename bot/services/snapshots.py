"""Reading customers and their active ownership into plain snapshots; shared by the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.results.customers import CustomerSnapshot
from bot.rules import clocks
from bot.rules.importing import IMPORT_GRACE_CLOCK
from bot.services import rule_versions
from bot.services.context import ServiceContext
from storage.claim_rows import CustomerRow, OwnerRow
from storage.models import SHORT_ID_OFFSET, Customer, FollowUp, Ownership


def active_ownership(session: Session, customer_id: int, *, lock: bool = False) -> Ownership | None:
    """The customer's active ownership. ``lock`` (in a write path that may end or change it): on
    PostgreSQL the row is locked, and a racing transaction that ended it meanwhile makes this None."""
    stmt = select(Ownership).where(Ownership.customer_id == customer_id, col(Ownership.ended_at).is_(None))
    if lock and session.get_bind().dialect.name != "sqlite":  # SQLite: BEGIN IMMEDIATE serialises writers
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def customer_by_short_id(session: Session, number: int) -> Customer | None:
    return session.get(Customer, number - SHORT_ID_OFFSET)


def protection_of(ctx: ServiceContext, customer: Customer | CustomerRow,
                  ownership: Ownership | OwnerRow) -> clocks.Protection:
    """The deadline under the rules in force, with the grace of a recent tightening (docs/decisions/0005)
    and of an import that brought it over already past its clocks (docs/decisions/0020)."""
    p = rule_versions.protection(ctx, customer, ownership)
    grace = ownership.grace_until
    if grace is not None and p.until is not None and p.until < grace:
        return replace(p, until=grace, clock=IMPORT_GRACE_CLOCK)
    return p


def refresh_protection(ctx: ServiceContext, customer: Customer, ownership: Ownership) -> clocks.Protection:
    """Recompute the stored ``protected_until`` after any clock event (kept for sorting and sweeps)."""
    p = protection_of(ctx, customer, ownership)
    ownership.protected_until = p.until
    return p


def last_activity(session: Session, customer_id: int, ownership: Ownership | None) -> datetime | None:
    latest = session.exec(select(func.max(FollowUp.at)).where(FollowUp.customer_id == customer_id)).one()
    return activity_of(latest, ownership)


def activity_of(latest_followup: datetime | None, ownership: Ownership | OwnerRow | None) -> datetime | None:
    """The last activity: the latest follow-up, the ownership's start or its last progress."""
    moments = [m for m in (latest_followup, ownership.started_at if ownership else None,
                           ownership.last_progress_at if ownership else None) if m is not None]
    return max(moments) if moments else None


def snapshot(
    session: Session, ctx: ServiceContext, customer: Customer, ownership: Ownership | None = None,
    *, with_activity: bool = True,
) -> CustomerSnapshot:
    assert customer.id is not None
    activity = last_activity(session, customer.id, ownership) if with_activity else None
    return _snapshot(ctx, customer, ownership, activity)


def snapshot_of(ctx: ServiceContext, customer: CustomerRow, *, with_activity: bool = True,
                protection: clocks.Protection | None = None) -> CustomerSnapshot:
    """``snapshot`` of a row from storage.claim_rows, which carries its active ownership and latest
    follow-up. ``protection``: the ownership's, when the caller has just computed it."""
    activity = activity_of(customer.latest_followup, customer.owner) if with_activity else None
    return _snapshot(ctx, customer, customer.owner, activity, protection)


def _snapshot(ctx: ServiceContext, customer: Customer | CustomerRow, ownership: Ownership | OwnerRow | None,
              activity: datetime | None, p: clocks.Protection | None = None) -> CustomerSnapshot:
    assert customer.id is not None
    if p is None and ownership is not None:
        p = protection_of(ctx, customer, ownership)
    return CustomerSnapshot(
        id=customer.id,
        short_id=customer.short_id,
        name=customer.name,
        tier=customer.tier,
        stage=customer.stage,
        owner=ownership.rep_id if ownership else None,
        protected_until=p.until if p else None,
        clock=p.clock if p else None,
        last_activity=clocks.local_day(activity, ctx.tz) if activity else None,
        first_followup_due=p.first_followup_due if p else None,
        amount=customer.amount,
    )
