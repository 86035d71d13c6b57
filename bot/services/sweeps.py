"""The clocks running by themselves (PRODUCT 3.2): recycle what ran out, remind before it does.

Both sweeps cost what is due, not what exists: they read ownerships by the indexed ``protected_until``
(and follow-ups by their next-contact day), never every active ownership. Each decision and its notice
commit together, keyed so that a second process or a rerun adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import tuple_
from sqlmodel import col, select

from bot.rules import caps, clocks
from bot.rules.importing import IMPORT_GRACE_CLOCK
from bot.rules.rule_changes import GRACE_CLOCK
from bot.services import outbox, rule_versions
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.snapshots import protection_of, refresh_protection
from storage.engine import read_session, write_session
from storage.models import Customer, FollowUp, Ownership

BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    recycled: int = 0
    reminders: int = 0
    refreshed: int = 0


def recycle_due(ctx: ServiceContext, now: datetime) -> SweepResult:
    """Every ownership whose protection ended before today goes back to the pool; its owner is told why."""
    today = ctx.today(now)
    rule_versions.prepare(ctx, now)  # a changed rule is recorded and the stored deadlines refreshed first
    recycled = refreshed = 0
    after: tuple[date, int] | None = None
    while True:
        # Keyset on (protected_until, id): the partial index ix_ownership_active_until holds only active
        # ownerships in that order, so this reads the due ones and nothing else.
        query = select(col(Ownership.protected_until), col(Ownership.id)).where(
            col(Ownership.ended_at).is_(None), col(Ownership.protected_until) < today)
        if after is not None:
            query = query.where(tuple_(Ownership.protected_until, Ownership.id) > tuple_(*after))
        with read_session(ctx.engine) as session:
            due = session.exec(query.order_by(col(Ownership.protected_until), col(Ownership.id)).limit(BATCH)).all()
        if not due:
            break
        last_until, last_id = due[-1]
        assert last_until is not None and last_id is not None  # the where clause; the primary key
        after = (last_until, last_id)
        for _until, ownership_id in due:
            assert ownership_id is not None
            outcome = _recycle_one(ctx, ownership_id, now, today)
            recycled += outcome == "recycled"
            refreshed += outcome == "refreshed"
    return SweepResult(recycled=recycled, refreshed=refreshed)


def _recycle_one(ctx: ServiceContext, ownership_id: int, now: datetime, today: date) -> str:
    with write_session(ctx.engine) as session:
        stmt = select(Ownership).where(Ownership.id == ownership_id, col(Ownership.ended_at).is_(None))
        if ctx.engine.dialect.name != "sqlite":  # a release or follow-up at this moment wins or waits
            stmt = stmt.with_for_update()
        ownership = session.exec(stmt).first()
        if ownership is None:
            return "gone"
        customer = session.get(Customer, ownership.customer_id)
        assert customer is not None
        p = protection_of(ctx, customer, ownership)
        if p.until is None or p.until >= today:  # the stored date was stale (rules or clocks changed)
            refresh_protection(ctx, customer, ownership)
            session.add(ownership)
            return "refreshed"
        reason = f"{p.clock}:{p.until.isoformat()}"
        if not ownership_changes.end_if_active(session, customer, ownership, "recycled", now, actor="claimbot",
                                               rule=f"clock_{p.clock}", reason=reason):
            return "gone"
        outbox.enqueue(session, key=f"recycle:{ownership_id}", channel=ownership.rep_id, kind="recycled", now=now,
                       data=_notice(ctx, customer, ownership, p, today))
        return "recycled"


def remind_due(ctx: ServiceContext, now: datetime) -> SweepResult:
    """DMs before a protection ends (7 and 1 days before by default) and on next-contact days."""
    today = ctx.today(now)
    rule_versions.prepare(ctx, now)
    days_before = sorted(set(ctx.settings.reminders.days_before))
    targets = {today + timedelta(days=n): n for n in days_before}
    sent = 0
    with read_session(ctx.engine) as session:
        rows = session.exec(
            select(Ownership, Customer).join(Customer, col(Customer.id) == Ownership.customer_id)
            .where(col(Ownership.ended_at).is_(None), col(Ownership.protected_until).in_(list(targets)))
        ).all()
        contacts = session.exec(
            select(FollowUp, Customer, Ownership).join(Customer, col(Customer.id) == FollowUp.customer_id)
            .join(Ownership, col(Ownership.id) == FollowUp.ownership_id)
            .where(FollowUp.next_contact == today, col(Ownership.ended_at).is_(None))
        ).all()
    for ownership, customer in rows:
        with write_session(ctx.engine) as session:
            p = protection_of(ctx, customer, ownership)
            if p.until not in targets:
                continue
            n = targets[p.until]
            sent += outbox.enqueue(session, key=f"remind:{ownership.id}:{p.until.isoformat()}:{n}",
                                   channel=ownership.rep_id, kind="reminder", now=now,
                                   data={**_notice(ctx, customer, ownership, p, today), "days": n})
    for followup, customer, ownership in contacts:
        with write_session(ctx.engine) as session:
            sent += outbox.enqueue(session, key=f"contact:{followup.id}", channel=ownership.rep_id,
                                   kind="next_contact", now=now,
                                   data={"name": customer.name, "sid": customer.short_id, "kind": followup.kind,
                                         "day": today.isoformat()})
    return SweepResult(reminders=sent)


def _notice(ctx: ServiceContext, customer: Customer, ownership: Ownership, p: clocks.Protection,
            today: date) -> dict[str, object]:
    c = ctx.settings.claims
    rules = ctx.clock_rules  # the same numbers, keyed by any tier string
    timeout = {"first_followup": c.first_followup_days, "followup": rules.followup_timeout_days[customer.tier],
               "progress": rules.progress_timeout_days[customer.tier], "ceiling": c.max_protection_days,
               GRACE_CLOCK: c.tightening_grace_days, IMPORT_GRACE_CLOCK: ctx.settings.imports.grace_days}
    return {"name": customer.name, "sid": customer.short_id, "tier": customer.tier, "clock": p.clock,
            "until": p.until.isoformat() if p.until else None, "days_rule": timeout.get(p.clock or "", 0),
            "since": clocks.local_day(ownership.started_at, ctx.tz).isoformat(), "today": today.isoformat(),
            "last_followup": clocks.local_day(ownership.last_followup_at, ctx.tz).isoformat()
            if ownership.last_followup_at else None,
            "cooldown_until": caps.cooldown_until(today, c.reclaim_cooldown_days).isoformat()}
