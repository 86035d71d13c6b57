"""Fair allocation of new leads (PRODUCT 3.6): existing owner first, then the first matching rule's
strategy over its eligible reps, and a ledger entry that explains every decision.

``allocate`` runs inside the caller's write transaction (an import, ``/assign name auto``), so the
ownership, the turn, the ledger entry and any notice to the managers commit together or not at all.
The rule's turn row is locked first (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
serialises writers), so two concurrent allocations in one rule never take the same turn; the chosen
rep's row is then locked and their cap re-checked, as a claim locks it before its own cap check.
The pure decisions are in bot/rules/allocation.py.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.results.allocation import (
    AllocationOutcome,
    AllocationResult,
    AutoAssignOutcome,
    AutoAssignResult,
    OooOutcome,
    OooResult,
    RelatedOwner,
)
from bot.results.customers import InputError
from bot.results.data import to_data
from bot.rules import allocation as rules
from bot.rules import caps
from bot.rules.allocation import Choice, Lead, RepState, RuleSpec, Skip, Turn
from bot.services import limits, outbox, roles
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.customers import resolve
from bot.services.reps import ensure_rep
from bot.services.snapshots import active_ownership, snapshot
from storage.engine import is_sqlite, write_session
from storage.models import AllocationEntry, AllocationTurn, Customer, Ownership, Rep

RULE = "auto_allocation"  # the OwnershipEvent rule of every automatic assignment
MAX_RETRIES = 5
OOO_MAX_DAYS = 366


def rule_specs(ctx: ServiceContext) -> list[RuleSpec]:
    return [RuleSpec(name=r.name, regions=tuple(r.regions), industries=tuple(r.industries), tiers=tuple(r.tiers),
                     reps=tuple(r.reps), strategy=r.strategy, weights=tuple(sorted(r.weights.items())))
            for r in ctx.settings.allocation.rules]


def allocate(session: Session, ctx: ServiceContext, customer: Customer, now: datetime, actor: str, *,
             rng: random.Random | None = None, notify: bool = True) -> AllocationResult:
    """Give a pool customer to a rep by the allocation rules, or leave it in the pool and tell the managers
    (``notify`` False: the caller reports it, as an import does in its report instead of one DM per lead).

    Call inside a write transaction. A customer that is already owned stays with its owner."""
    assert customer.id is not None
    today = ctx.today(now)
    rng = rng or _rng(ctx, customer.id)
    lead = Lead(customer.region, customer.industry, customer.tier)
    current = active_ownership(session, customer.id, lock=True)
    if current is not None:
        itself = RelatedOwner(customer.id, customer.short_id, customer.name, current.rep_id, "self")
        return _record(session, ctx, customer, now, actor, lead, outcome=AllocationOutcome.EXISTING_OWNER, reason="owned",
                       rep=current.rep_id, strategy="existing_owner", related=itself, ownership=current)

    related = _owned_match(session, customer)
    if related is not None:
        state = _locked_state(session, ctx, related.owner, now)
        why = rules.skip_reason(state, today)
        if why is None:
            owning = _start(session, ctx, customer, related.owner, now, actor,
                            reason=f"existing_owner:{related.short_id}")
            return _record(session, ctx, customer, now, actor, lead, outcome=AllocationOutcome.ASSIGNED, reason="existing_owner",
                           rep=related.owner, strategy="existing_owner", related=related, ownership=owning)
        skip = rules.skips([related.owner], {related.owner: state}, today)
        return _record(session, ctx, customer, now, actor, lead, outcome=AllocationOutcome.UNASSIGNED, notify=notify, reason="owner_unavailable",
                       strategy="existing_owner", related=related, skipped=skip)

    picked = pick(session, ctx, customer, now, rng=rng)
    spec, choice, order = picked.spec, picked.choice, picked.order
    if spec is None:
        return _record(session, ctx, customer, now, actor, lead, outcome=AllocationOutcome.UNASSIGNED, notify=notify, reason="no_rule")
    assert choice is not None
    if choice.rep is None:
        return _record(session, ctx, customer, now, actor, lead, outcome=AllocationOutcome.UNASSIGNED, notify=notify, reason="nobody_eligible",
                       rule=spec.name, strategy=spec.strategy, choice=choice, order=order)
    owning = _start(session, ctx, customer, choice.rep, now, actor, reason=spec.name)
    save_turn(session, picked, now)
    return _record(session, ctx, customer, now, actor, lead, outcome=AllocationOutcome.ASSIGNED, reason="rule", rep=choice.rep,
                   rule=spec.name, strategy=spec.strategy, choice=choice, order=order, ownership=owning)


@dataclass(frozen=True)
class Pick:
    """The rep the first matching rule chose for a lead (``choice.rep`` None: nobody eligible; ``spec``
    None: no rule matches). The rule's turn row stays locked until the transaction ends; ``save_turn``
    moves it once the choice is used."""

    spec: RuleSpec | None
    choice: Choice | None = None
    order: tuple[str, ...] = ()
    row: AllocationTurn | None = None


def pick(session: Session, ctx: ServiceContext, customer: Customer, now: datetime, *,
         rng: random.Random | None = None, exclude: Collection[str] = ()) -> Pick:
    """The first matching rule's strategy over its eligible reps. ``exclude``: the reps already offered this
    lead, skipped (reason ``offered``) so the turn moves on over the rule's whole order as for any skip."""
    assert customer.id is not None
    today = ctx.today(now)
    rng = rng or _rng(ctx, customer.id)
    lead = Lead(customer.region, customer.industry, customer.tier)
    spec = rules.match_rule(rule_specs(ctx), lead)
    if spec is None:
        return Pick(None)
    row = _lock_turn(session, spec.name, now)
    turn = _turn_of(row)
    order = list(spec.reps) or _profile_pool(session, ctx, lead, now)
    cooldowns = _cooldowns(session, ctx, customer.id)
    states = _states(session, ctx, order, cooldowns)
    for rep in exclude:
        if rep in states:
            states[rep] = replace(states[rep], offered=True)
    choice = rules.choose(spec, order, states, turn, today, rng)
    for _ in range(len(order) if not is_sqlite(session.get_bind()) else 0):  # SQLite: no other writer now
        if choice.rep is None:
            break
        fresh = _locked_state(session, ctx, choice.rep, now, cooldowns)  # a concurrent claim may have filled the cap
        if rules.skip_reason(fresh, today) is None:
            break
        states[choice.rep] = fresh
        choice = rules.choose(spec, order, states, turn, today, rng)
    return Pick(spec, choice, tuple(order), row)


def save_turn(session: Session, picked: Pick, now: datetime) -> None:
    assert picked.row is not None and picked.choice is not None
    _save_turn(session, picked.row, picked.choice.turn, now)


def record(session: Session, ctx: ServiceContext, customer: Customer, now: datetime, actor: str, *,
           outcome: AllocationOutcome, reason: str, picked: Pick | None = None, rep: str | None = None,
           notify: bool = True, extra: dict[str, Any] | None = None) -> AllocationResult:
    """A ledger line for a lead's offer, or for a lead left in the pool (the managers told)."""
    lead = Lead(customer.region, customer.industry, customer.tier)
    spec = picked.spec if picked else None
    return _record(session, ctx, customer, now, actor, lead, outcome=outcome, reason=reason,
                   rep=rep or (picked.choice.rep if picked and picked.choice else None),
                   rule=spec.name if spec else None, strategy=spec.strategy if spec else None,
                   choice=picked.choice if picked else None, order=picked.order if picked else (),
                   notify=notify, extra=extra)


def ledger_line(session: Session, customer_id: int, now: datetime, actor: str, *, outcome: str, reason: str,
                rep: str | None, rule: str | None, why: dict[str, Any], strategy: str | None = None) -> int:
    """A ledger line that decides nothing new by itself: a pass, a time-out, an accept, an enquiry."""
    entry = AllocationEntry(customer_id=customer_id, rep_id=rep, outcome=outcome, rule=rule, strategy=strategy,
                            reason=reason, why=json.dumps(why, ensure_ascii=False, sort_keys=True), actor=actor, at=now)
    session.add(entry)
    session.flush()
    assert entry.id is not None
    return entry.id


def assign_auto(ctx: ServiceContext, manager: str, command_text: str, now: datetime, *,
                rng: random.Random | None = None) -> AutoAssignResult:
    """``/assign name auto``: a manager has the allocation rules pick the rep for a pool customer."""
    name = rules.auto_target(command_text)
    if name is None:
        return AutoAssignResult(AutoAssignOutcome.INVALID, error=InputError("usage.assign"))
    for _ in range(MAX_RETRIES):
        try:
            with write_session(ctx.engine) as session:
                if not roles.is_manager(session, ctx, manager):
                    roles.refuse(session, manager, "assign_auto", name[:100], "not_manager", now)
                    return AutoAssignResult(AutoAssignOutcome.REFUSED, refusal="not_manager")
                lookup = resolve(session, ctx, name)
                if lookup.error:
                    return AutoAssignResult(AutoAssignOutcome.INVALID, error=lookup.error)
                if lookup.customer is None:
                    return AutoAssignResult(AutoAssignOutcome.NOT_FOUND, lookup=lookup)
                customer = session.get(Customer, lookup.customer.id)
                assert customer is not None
                allocated = allocate(session, ctx, customer, now, manager, rng=rng)
                _tell_rep(session, allocated, now)
                return AutoAssignResult(AutoAssignOutcome.ALLOCATED, allocated, lookup=lookup)
        except IntegrityError:
            continue  # someone claimed it meanwhile: look again (it is now theirs)
    raise RuntimeError("allocation kept colliding; giving up")


def _tell_rep(session: Session, a: AllocationResult, now: datetime) -> None:
    """The rep who got the lead hears it by DM (kind ``allocated``), with how it was decided."""
    if a.outcome != AllocationOutcome.ASSIGNED or not a.rep:
        return
    data = {"customer": a.customer.to_data(), "reason": a.reason, "rule": a.rule, "strategy": a.strategy,
            "related": to_data(a.related)}
    outbox.enqueue(session, key=f"allocated:{a.ledger_id or a.customer.id}:{a.rep}", channel=a.rep, kind="allocated",
                   data={**data, "homes": [a.rep]}, now=now)


def set_ooo(ctx: ServiceContext, rep_id: str, until: date | None, now: datetime) -> OooResult:
    """Out of office through ``until`` (a local day, inclusive); None: back now."""
    today = ctx.today(now)
    if until is not None and until < today:
        return OooResult(OooOutcome.PAST, until)
    if until is not None and until > today + timedelta(days=OOO_MAX_DAYS):
        return OooResult(OooOutcome.TOO_FAR, until, OOO_MAX_DAYS)
    with write_session(ctx.engine) as session:
        rep = ensure_rep(session, ctx, rep_id, now)
        rep.ooo_until = until
        session.add(rep)
    return OooResult(OooOutcome.SET if until else OooOutcome.CLEARED, until)


# --- inside the transaction


def _rng(ctx: ServiceContext, customer_id: int) -> random.Random:
    seed = ctx.settings.allocation.seed
    return random.Random(f"{seed}:{customer_id}") if seed is not None else random.Random()


def _cap(ctx: ServiceContext, rep_id: str) -> int:
    return ctx.holding_cap(rep_id)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.replace("，", ",").split(",") if v.strip())


def _state(ctx: ServiceContext, rep_id: str, rep: Rep | None, holding: int,
           cooldowns: dict[str, date] | None = None) -> RepState:
    return RepState(rep_id, active=rep.active if rep else True, ooo_until=rep.ooo_until if rep else None,
                    holding=holding, cap=_cap(ctx, rep_id), regions=_split(rep.regions) if rep else (),
                    industries=_split(rep.industries) if rep else (), cooldown_until=(cooldowns or {}).get(rep_id))


def _cooldowns(session: Session, ctx: ServiceContext, customer_id: int) -> dict[str, date]:
    """Reps who released, lost or had this customer recycled: the first local day they may have it again."""
    rows = session.exec(
        select(Ownership.rep_id, func.max(Ownership.ended_at))
        .where(Ownership.customer_id == customer_id, col(Ownership.end_reason).in_(caps.COOLDOWN_REASONS))
        .group_by(col(Ownership.rep_id))
    ).all()
    return {rep: limits.cooldown_until(ctx, ended) for rep, ended in rows if ended is not None}


def _states(session: Session, ctx: ServiceContext, rep_ids: Sequence[str],
            cooldowns: dict[str, date] | None = None) -> dict[str, RepState]:
    if not rep_ids:
        return {}
    reps = {r.id: r for r in session.exec(select(Rep).where(col(Rep.id).in_(list(rep_ids)))).all()}
    holdings = dict(session.exec(
        select(Ownership.rep_id, func.count()).join(Customer, col(Customer.id) == Ownership.customer_id)
        .where(col(Ownership.rep_id).in_(list(rep_ids)), col(Ownership.ended_at).is_(None), Customer.stage != "won")
        .group_by(col(Ownership.rep_id))
    ).all())
    return {r: _state(ctx, r, reps.get(r), holdings.get(r, 0), cooldowns) for r in rep_ids}


def _locked_state(session: Session, ctx: ServiceContext, rep_id: str, now: datetime,
                  cooldowns: dict[str, date] | None = None) -> RepState:
    rep = ensure_rep(session, ctx, rep_id, now, lock=True)
    return _state(ctx, rep_id, rep, ownership_changes.holding(session, rep_id), cooldowns)


def _profile_pool(session: Session, ctx: ServiceContext, lead: Lead, now: datetime) -> list[str]:
    """A rule without its own reps: every active rep (not managers) whose regions and industries fit,
    among those who have held a customer — anyone else who merely used the bot is no sales rep."""
    sellers = select(Ownership.rep_id).distinct()
    reps = session.exec(select(Rep).where(col(Rep.active).is_(True), col(Rep.id).in_(sellers))
                        .order_by(col(Rep.id))).all()
    return [r.id for r in reps if roles.role_of(session, ctx, r.id) == "rep"
            and not roles.is_manager(session, ctx, r.id)
            and rules.profile_fits(_state(ctx, r.id, r, 0), lead)]


def _owned_match(session: Session, customer: Customer) -> RelatedOwner | None:
    """Another customer that is the same company (same USCC, company domain, phone, or core key — the exact
    and strong tiers of PRODUCT 3.5) and has an owner."""
    probes = (("uscc", col(Customer.uscc), customer.uscc), ("domain", col(Customer.domain), customer.domain),
              ("phone", col(Customer.phone), customer.phone), ("core", col(Customer.core_key), customer.core_key))
    for why, column, value in probes:
        if not value:
            continue
        row = session.exec(
            select(Customer, Ownership)
            .join(Ownership, and_(col(Ownership.customer_id) == Customer.id, col(Ownership.ended_at).is_(None)))
            .where(column == value, col(Customer.id) != customer.id)
            .order_by(col(Customer.id)).limit(1)
        ).first()
        if row is not None:
            other, owned = row
            assert other.id is not None
            return RelatedOwner(other.id, other.short_id, other.name, owned.rep_id, why)
    return None


def _lock_turn(session: Session, rule: str, now: datetime) -> AllocationTurn:
    """The rule's turn row, locked for the rest of the transaction (created on the rule's first lead)."""
    stmt = select(AllocationTurn).where(AllocationTurn.rule == rule).execution_options(populate_existing=True)
    if not is_sqlite(session.get_bind()):
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        insert = sqlite_insert if is_sqlite(session.get_bind()) else pg_insert
        session.execute(insert(AllocationTurn).values(rule=rule, last_index=-1, cycle=0, assigned=0, state="{}",
                                                      updated_at=now).on_conflict_do_nothing(index_elements=["rule"]))
        row = session.exec(stmt).one()  # ours, or the one a concurrent first lead created: locked either way
    return row


def _turn_of(row: AllocationTurn) -> Turn:
    current = json.loads(row.state or "{}").get("current", {})
    return Turn(row.last_rep, row.last_index, row.cycle, row.assigned, tuple(sorted(current.items())))


def _save_turn(session: Session, row: AllocationTurn, turn: Turn, now: datetime) -> None:
    row.last_rep, row.last_index, row.cycle, row.assigned = turn.last_rep, turn.last_index, turn.cycle, turn.assigned
    row.state = json.dumps({"current": dict(turn.current)} if turn.current else {}, sort_keys=True)
    row.updated_at = now
    session.add(row)


def _start(session: Session, ctx: ServiceContext, customer: Customer, rep_id: str, now: datetime, actor: str, *,
           reason: str) -> Ownership:
    ensure_rep(session, ctx, rep_id, now)
    if customer.stage in ("won", "lost"):
        customer.stage, customer.amount = "lead", None  # a new owner starts a new funnel
    ownership, _ = ownership_changes.start(session, ctx, customer, rep_id, now, kind="assign", actor=actor,
                                           rule=RULE, reason=reason)
    return ownership


def _skip_json(skip: Skip) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(skip).items() if v is not None}


def _record(session: Session, ctx: ServiceContext, customer: Customer, now: datetime, actor: str, lead: Lead, *,
            outcome: AllocationOutcome, reason: str, rep: str | None = None, rule: str | None = None, strategy: str | None = None,
            related: RelatedOwner | None = None, choice: Choice | None = None, order: Sequence[str] = (),
            skipped: tuple[Skip, ...] = (), ownership: Ownership | None = None,
            notify: bool = True, extra: dict[str, Any] | None = None) -> AllocationResult:
    """The ledger entry (and, when the lead stays in the pool, a notice to each manager)."""
    assert customer.id is not None
    skipped = choice.skipped if choice else skipped
    why: dict[str, Any] = {"lead": {"region": lead.region, "industry": lead.industry, "tier": lead.tier},
                           "skipped": [_skip_json(s) for s in skipped]}
    if order:
        why["order"] = list(order)
    why.update(extra or {})
    if related is not None:
        why["match"] = {"customer": related.customer_id, "sid": related.short_id, "name": related.name,
                        "why": related.why, "owner": related.owner}
    if choice is not None:
        for key in ("passed", "tied"):
            if getattr(choice, key):
                why[key] = list(getattr(choice, key))
        for key in ("loads", "scores"):
            if getattr(choice, key):
                why[key] = dict(getattr(choice, key))
    entry = AllocationEntry(customer_id=customer.id, rep_id=rep, outcome=outcome, rule=rule, strategy=strategy,
                            reason=reason, why=json.dumps(why, ensure_ascii=False, sort_keys=True),
                            cycle=choice.cycle if choice else None, actor=actor, at=now)
    session.add(entry)
    session.flush()
    managers: tuple[str, ...] = ()
    if outcome == "unassigned" and notify:
        managers = tuple(roles.managers(session, ctx))
        data = {"customer_id": customer.id, "sid": customer.short_id, "name": customer.name, "reason": reason,
                "rule": rule, "tier": lead.tier, "region": lead.region, "industry": lead.industry,
                "skipped": why["skipped"], "match": why.get("match"), "ledger": entry.id,
                "count": len(why.get("offered_before") or []), "source": why.get("source")}
        day = ctx.today(now).isoformat()
        for manager in managers:  # at most one notice per lead, manager and day
            outbox.enqueue(session, key=f"unassigned:{customer.id}:{day}:{manager}", channel=manager,
                           kind="unassigned", data=data, now=now)
    snap = snapshot(session, ctx, customer, ownership, with_activity=False)
    return AllocationResult(outcome, snap, reason, lead, rep=rep, rule=rule, strategy=strategy, cycle=entry.cycle,
                            skipped=skipped, passed=choice.passed if choice else (),
                            tied=choice.tied if choice else (), related=related, managers_told=managers,
                            ledger_id=entry.id)
