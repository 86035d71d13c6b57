"""Fairness you can read (PRODUCT 3.6): the allocation ledger per customer (`/claimbot why`), the numbers
per rule (`/claimbot fairness`, the managers' weekly digest) and per source (`/claimbot sources`).

Every number is computed from the ledger (``allocation_ledger``) and the leads, so it can be recomputed
by anyone who reads them (tests/test_fairness_simulation.py does)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.results.allocation import FairnessReport, RuleFairness
from bot.results.data import to_data
from bot.results.leads import SourcesReport, SourceStats, WhyResult
from bot.rules import allocation as rules
from bot.rules.clocks import as_utc
from bot.rules.leads import median_minutes
from bot.services import allocation, outbox, roles
from bot.services.context import ServiceContext
from bot.services.customers import resolve
from storage.engine import read_session, write_session
from storage.models import AllocationEntry, Customer, FollowUp, Lead

TURNS = ("assigned", "offered")  # ledger outcomes that take a rule's turn


def fairness(ctx: ServiceContext, since: datetime, until: datetime) -> FairnessReport:
    """Per rule, in [since, until): leads assigned or accepted per rep (counts, spread, Gini), offers, passes,
    time-outs and skips with their reasons, and the worst spread of turns within one cycle among the reps
    eligible throughout it; for the period, speed to lead."""
    with read_session(ctx.engine) as session:
        entries = session.exec(select(AllocationEntry)
                               .where(col(AllocationEntry.at) >= since, col(AllocationEntry.at) < until)
                               .order_by(col(AllocationEntry.id))).all()
        leads, accept, followup = _speed(session, since, until)
    specs = {s.name: s for s in allocation.rule_specs(ctx)}
    names = list(specs) + sorted({e.rule for e in entries if e.rule and e.rule not in specs})
    out = []
    for name in names:
        spec = specs.get(name)
        mine = [e for e in entries if e.rule == name]
        owned = [e for e in mine if e.outcome in ("assigned", "accepted") and e.rep_id]
        turns = [e for e in mine if e.outcome in TURNS and e.rep_id]
        if spec is None and not mine:
            continue
        whys = [json.loads(e.why) for e in turns]
        passed_over = Counter(rep for why in whys for rep in why.get("passed", []))
        reasons = Counter(s["reason"] for why in whys for s in why.get("skipped", []))
        offered = Counter(e.rep_id for e in mine if e.outcome == "offered" and e.rep_id)
        passes = Counter(e.rep_id for e in mine if e.outcome == "passed" and e.rep_id)
        timeouts = Counter(e.rep_id for e in mine if e.outcome == "timed_out" and e.rep_id)
        counts = {rep: 0 for rep in (spec.reps if spec else ())}
        for rep in [*passed_over, *offered]:
            counts.setdefault(rep, 0)  # a pool from the Rep table
        for e in owned:
            assert e.rep_id is not None
            counts[e.rep_id] = counts.get(e.rep_id, 0) + 1
        ledger = [rules.LedgerRow(e.rep_id or "", e.cycle or 0, frozenset(s["rep"] for s in why.get("skipped", [])))
                  for e, why in zip(turns, whys, strict=True)]
        cycles = rules.cycle_stats(list(counts), ledger)
        out.append(RuleFairness(
            rule=name, strategy=spec.strategy if spec else (mine[-1].strategy or "?"),
            counts=tuple(counts.items()), total=len(owned), spread=rules.spread(counts.values()),
            gini=round(rules.gini(counts.values()), 4), cycles=len(cycles),
            max_cycle_spread=max((c.spread for c in cycles), default=0),
            unassigned=sum(1 for e in mine if e.outcome == "unassigned"),
            skipped_turns=tuple((rep, passed_over[rep]) for rep in counts if passed_over[rep]),
            offered=tuple((rep, offered[rep]) for rep in counts if offered[rep]),
            passed=tuple((rep, passes[rep]) for rep in counts if passes[rep]),
            timed_out=tuple((rep, timeouts[rep]) for rep in counts if timeouts[rep]),
            skip_reasons=tuple(sorted(reasons.items()))))
    return FairnessReport(since, until, tuple(out),
                          existing_owner=sum(1 for e in entries if e.outcome in ("assigned", "existing_owner")
                                             and e.reason in ("existing_owner", "enquiry")),
                          unassigned=sum(1 for e in entries if e.outcome == "unassigned"),
                          leads=leads, median_accept_minutes=accept, median_followup_minutes=followup)


def tell_managers(ctx: ServiceContext, since: datetime, until: datetime, label: str, now: datetime) -> int:
    """The managers' weekly digest of fairness: one outbox DM each (kind ``fairness_weekly``, once per week by
    its key), when anything was allocated, offered or arrived. How many were added."""
    report = fairness(ctx, since, until)
    if not report.leads and not report.unassigned and not any(r.total or r.offered for r in report.rules):
        return 0
    with write_session(ctx.engine) as session:
        return sum(outbox.enqueue(session, key=f"fairness:{label}:{manager}", channel=manager,
                                  kind="fairness_weekly", data=to_data(report), now=now)
                   for manager in roles.managers(session, ctx))


def for_manager(ctx: ServiceContext, asker: str, since: datetime, until: datetime) -> FairnessReport | None:
    """``fairness`` for a manager; None for anyone else."""
    return fairness(ctx, since, until) if roles.is_manager_id(ctx, asker) else None


def sources_for_manager(ctx: ServiceContext, asker: str, since: datetime, until: datetime) -> SourcesReport | None:
    return sources(ctx, since, until) if roles.is_manager_id(ctx, asker) else None


def _speed(session: Session, since: datetime, until: datetime) -> tuple[int, float | None, float | None]:
    """(leads arrived, median minutes arrival → accept, median minutes arrival → first qualifying follow-up)."""
    rows = session.exec(select(Lead).where(col(Lead.arrived_at) >= since, col(Lead.arrived_at) < until)).all()
    accepted = [r for r in rows if r.accepted_at is not None]
    to_accept = [as_utc(r.accepted_at) - as_utc(r.arrived_at) for r in accepted if r.accepted_at]
    to_followup = []
    for r in accepted:
        first = session.exec(select(func.min(FollowUp.at)).where(
            FollowUp.customer_id == r.customer_id, FollowUp.rep_id == r.accepted_by, col(FollowUp.qualifying).is_(True),
            col(FollowUp.at) >= r.accepted_at)).one()
        if first is not None:
            to_followup.append(as_utc(first) - as_utc(r.arrived_at))
    return len(rows), median_minutes(to_accept), median_minutes(to_followup)


def explain(ctx: ServiceContext, customer_id: int) -> list[dict[str, Any]]:
    """The ledger entries of one customer, oldest first, as stored."""
    with read_session(ctx.engine) as session:
        return _explain(session, customer_id)


def _explain(session: Session, customer_id: int) -> list[dict[str, Any]]:
    entries = session.exec(select(AllocationEntry).where(AllocationEntry.customer_id == customer_id)
                           .order_by(col(AllocationEntry.id))).all()
    return [{**json.loads(e.why), "rep": e.rep_id, "outcome": e.outcome, "rule": e.rule, "strategy": e.strategy,
             "reason": e.reason, "cycle": e.cycle, "actor": e.actor, "at": as_utc(e.at)} for e in entries]


def why(ctx: ServiceContext, reference: str) -> WhyResult:
    """`/claimbot why C-1042` (or a name): the customer and every ledger line about it."""
    with read_session(ctx.engine) as session:
        lookup = resolve(session, ctx, reference)
        if lookup.customer is None:
            return WhyResult(lookup)
        return WhyResult(lookup, tuple(_explain(session, lookup.customer.id)))


def sources(ctx: ServiceContext, since: datetime, until: datetime) -> SourcesReport:
    """Per source, the leads that arrived in [since, until): how many, new or existing, accepted, won (by the
    customer's stage now) with the amount, and the median minutes from arrival to accept."""
    with read_session(ctx.engine) as session:
        rows = session.exec(select(Lead, Customer).join(Customer, col(Customer.id) == Lead.customer_id)
                            .where(col(Lead.arrived_at) >= since, col(Lead.arrived_at) < until)
                            .order_by(col(Lead.source), col(Lead.id))).all()
    by_source: dict[str, list[tuple[Lead, Customer]]] = {}
    for lead, customer in rows:
        by_source.setdefault(lead.source, []).append((lead, customer))
    stats = []
    for source, pairs in sorted(by_source.items(), key=lambda item: (-len(item[1]), item[0])):
        won = {c.id: c for lead, c in pairs if c.stage == "won"}  # a customer counts once however many leads
        stats.append(SourceStats(
            source=source, leads=len(pairs), new=sum(1 for lead, _ in pairs if lead.created_customer),
            existing=sum(1 for lead, _ in pairs if lead.status == "existing"),
            accepted=sum(1 for lead, _ in pairs if lead.accepted_at is not None),
            won=len(won), won_amount=sum(c.amount or 0.0 for c in won.values()),
            median_accept_minutes=median_minutes(as_utc(lead.accepted_at) - as_utc(lead.arrived_at)
                                                 for lead, _ in pairs if lead.accepted_at is not None)))
    return SourcesReport(since, until, tuple(stats))
