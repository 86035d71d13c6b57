"""Starting and ending ownerships: the only place that changes who owns a customer.

Every change writes exactly one audit record (OwnershipEvent). Replaying those records from empty
gives every customer's current owner (tests/test_audit_replay.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Connection, CursorResult
from sqlmodel import Session, col, select

from bot.rules import clocks
from bot.services.context import ServiceContext
from bot.services.snapshots import protection_of, refresh_protection
from storage import claim_rows
from storage.claim_rows import CustomerRow, OwnerRow
from storage.models import Customer, Ownership, OwnershipEvent

END_KINDS = {"released": "release", "lost": "lost", "recycled": "recycle"}


def start(session: Session, ctx: ServiceContext, customer: Customer, rep_id: str, now: datetime, *,
          kind: str, actor: str, rule: str, reason: str | None = None, from_rep: str | None = None,
          clocks_from: Ownership | None = None) -> tuple[Ownership, clocks.Protection]:
    """A new active ownership. Clocks restart for the new owner unless ``clocks_from`` restores old ones."""
    assert customer.id is not None
    ownership = Ownership(customer_id=customer.id, rep_id=rep_id, started_at=now, last_progress_at=now)
    if clocks_from is not None:
        ownership.started_at = clocks_from.started_at
        ownership.last_followup_at = clocks_from.last_followup_at
        ownership.last_progress_at = clocks_from.last_progress_at
    protection = refresh_protection(ctx, customer, ownership)
    session.add_all([customer, ownership, OwnershipEvent(
        customer_id=customer.id, kind=kind, from_rep=from_rep, to_rep=rep_id, actor=actor, rule=rule,
        reason=reason, at=now)])
    session.flush()  # the partial unique index (one active owner) decides a race here
    return ownership, protection


def start_row(conn: Connection, ctx: ServiceContext, customer: CustomerRow, rep_id: str, now: datetime, *,
              kind: str, actor: str, rule: str, reason: str | None = None,
              from_rep: str | None = None) -> tuple[OwnerRow, clocks.Protection]:
    """``start`` for the claim's hot path (storage.claim_rows: Core statements, no ORM flush): the same
    ownership row with fresh clocks and the same audit record."""
    ownership = OwnerRow(customer_id=customer.id, rep_id=rep_id, started_at=now, last_followup_at=None,
                         last_progress_at=now)
    protection = protection_of(ctx, customer, ownership)
    claim_rows.insert_ownership(conn, customer_id=customer.id, rep_id=rep_id, started_at=now, last_progress_at=now,
                                protected_until=protection.until)  # the partial unique index decides a race here
    claim_rows.insert_event(conn, customer_id=customer.id, kind=kind, from_rep=from_rep, to_rep=rep_id, actor=actor,
                            rule=rule, reason=reason, at=now)
    return ownership, protection


def end(session: Session, customer: Customer, ownership: Ownership, end_reason: str, now: datetime, *,
        actor: str, rule: str, reason: str | None = None, audit: bool = True) -> None:
    """End an ownership. ``audit=False`` when the same change is recorded by the start that follows
    (a transfer is one change, one record)."""
    assert customer.id is not None
    if not _close(session, ownership, end_reason, now):  # callers lock the row first; this is the proof
        raise RuntimeError(f"ownership {ownership.id} was ended by someone else")
    session.add(customer)
    _cancel_pending_handovers(session, customer.id, now)
    if audit:
        session.add(OwnershipEvent(customer_id=customer.id, kind=END_KINDS[end_reason], from_rep=ownership.rep_id,
                                   actor=actor, rule=rule, reason=reason, at=now))
    session.flush()


def transfer(session: Session, ctx: ServiceContext, customer: Customer, current: Ownership, to_rep: str,
             now: datetime, *, actor: str, rule: str, reason: str | None = None,
             clocks_from: Ownership | None = None) -> tuple[Ownership, clocks.Protection]:
    end(session, customer, current, "transferred", now, actor=actor, rule=rule, audit=False)
    return start(session, ctx, customer, to_rep, now, kind="transfer", actor=actor, rule=rule, reason=reason,
                 from_rep=current.rep_id, clocks_from=clocks_from)


def holding(session: Session, rep_id: str) -> int:
    """Active, non-won customers a rep owns (what the holding cap counts)."""
    return session.exec(
        select(func.count()).select_from(Ownership).join(Customer, col(Customer.id) == Ownership.customer_id)
        .where(Ownership.rep_id == rep_id, col(Ownership.ended_at).is_(None), Customer.stage != "won")
    ).one()


def _close(session: Session, ownership: Ownership, end_reason: str, now: datetime) -> bool:
    from sqlalchemy import update

    result = session.execute(
        update(Ownership).where(col(Ownership.id) == ownership.id, col(Ownership.ended_at).is_(None))
        .values(ended_at=now, end_reason=end_reason)
    )
    assert isinstance(result, CursorResult)  # an UPDATE's
    closed = result.rowcount == 1
    if closed:
        ownership.ended_at, ownership.end_reason = now, end_reason
    return closed


def _cancel_pending_handovers(session: Session, customer_id: int, now: datetime) -> None:
    """A handover waiting for a manager is moot once its ownership ends (and must not block later ones)."""
    from sqlalchemy import update

    from storage.models import Handover

    session.execute(update(Handover).where(col(Handover.customer_id) == customer_id, col(Handover.status) == "pending")
                    .values(status="cancelled", decided_at=now))


def end_if_active(session: Session, customer: Customer, ownership: Ownership, end_reason: str, now: datetime, *,
                  actor: str, rule: str, reason: str | None = None) -> bool:
    """End the ownership only if nobody ended it meanwhile (another process's sweep, the owner's release)."""

    if not _close(session, ownership, end_reason, now):
        return False
    assert customer.id is not None
    _cancel_pending_handovers(session, customer.id, now)
    session.add(OwnershipEvent(customer_id=customer.id, kind=END_KINDS[end_reason], from_rep=ownership.rep_id,
                               actor=actor, rule=rule, reason=reason, at=now))
    session.flush()
    return True
