"""Leads that arrive by themselves (PRODUCT 3.6, docs/decisions/0019): ``POST /leads`` and a manager's
``/lead`` take the same path.

``intake`` looks the company up first (every tier of PRODUCT 3.5). An owned customer's owner is told of
the enquiry; anything else is offered to the rep the ``[[allocation.rules]]`` choose (bot/services/allocation
``pick``: the same turn, the same eligibility). The rep accepts or passes; a pass, or no answer within the
accept window (working hours, ``expire_due`` in the deadlines job), offers it to the next eligible rep of
the same rule; after ``[leads] max_offers`` it waits in the pool and the managers are told. Each offer,
pass, time-out and accept is a ledger line; every notice goes through the outbox in the same transaction.

Repeats: the lead row carries the source's ``external_id`` (or the ``Idempotency-Key`` header) under a
unique index, so of concurrent repeats one inserts and the others roll back, look again and answer what
the first answered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.results.allocation import AllocationOutcome
from bot.results.leads import IntakeOutcome, IntakeResult, LeadStatus, OfferOutcome, OfferResult
from bot.rules import caps
from bot.rules import leads as rules
from bot.rules.clocks import as_utc
from bot.rules.leads import FieldError, LeadInput
from bot.rules.names import name_keys
from bot.services import allocation, outbox, roles
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.reps import ensure_rep
from bot.services.snapshots import active_ownership
from storage.engine import is_sqlite, read_session, write_session
from storage.lookup import find_matches, index_names
from storage.models import Customer, Lead, LeadOffer

MAX_RETRIES = 5
AUDIT_RULE = "allocation"  # the OwnershipEvent rule of an accepted offer
EXPIRE_BATCH = 200


def intake(ctx: ServiceContext, source: str, raw: Mapping[str, object], now: datetime, *,
           idempotency_key: str | None = None, entered_by: str | None = None) -> IntakeResult:
    """One lead from ``source`` (its field names mapped by ``[intake.sources.<source>]``)."""
    mapping = ctx.settings.intake.sources.get(source)
    checked = rules.validate(rules.map_fields(raw, mapping.fields if mapping else {}))
    if isinstance(checked, FieldError):
        return IntakeResult(IntakeOutcome.INVALID, {"error": checked.code, "field": checked.field}, error=checked)
    key = checked.external_id or (idempotency_key or "").strip()[:200] or None
    for _ in range(MAX_RETRIES):
        try:
            with write_session(ctx.engine) as session:
                return _intake_once(session, ctx, source, checked, key, now, entered_by)
        except IntegrityError:
            continue  # a concurrent repeat, or the same company created a moment ago: look again
    raise RuntimeError("lead intake kept colliding; giving up")


def enter(ctx: ServiceContext, manager: str, fields: Mapping[str, str], now: datetime) -> IntakeResult:
    """A manager's ``/lead`` (or its form): the same path as ``POST /leads``, the source as given (``slack``
    if none)."""
    if not roles.is_manager_id(ctx, manager):
        roles.log_refusal(ctx, manager, "lead", str(fields.get("name") or "")[:100], "not_manager", now)
        return IntakeResult(IntakeOutcome.REFUSED, {"error": "not_manager"})
    source = "_".join(str(fields.get("source") or "slack").casefold().replace("-", " ").split())
    if not rules.SOURCE.match(source):
        error = FieldError("source", "source", source[:40])
        return IntakeResult(IntakeOutcome.INVALID, {"error": error.code, "field": error.field}, error=error)
    return intake(ctx, source, {k: v for k, v in fields.items() if k != "source"}, now, entered_by=manager)


def _intake_once(session: Session, ctx: ServiceContext, source: str, lead: LeadInput, key: str | None,
                 now: datetime, entered_by: str | None) -> IntakeResult:
    if key is not None:
        first = session.exec(select(Lead).where(Lead.source == source, Lead.idempotency_key == key)).first()
        if first is not None:
            return IntakeResult(IntakeOutcome.REPEAT, json.loads(first.answer))
    keys = name_keys(lead.name)
    matches = find_matches(session, keys, uscc=lead.uscc, domain=lead.domain, phone=lead.phone, limit=1)
    customer = session.get(Customer, matches[0].customer_id) if matches else None
    created = customer is None
    if customer is None:
        customer = Customer(name=lead.name, name_key=keys.name_key, core_key=keys.core_key, stem_key=keys.stem_key,
                            uscc=lead.uscc, domain=lead.domain, phone=lead.phone, region=lead.region,
                            industry=lead.industry, tier=lead.tier or ctx.settings.claims.default_tier,
                            created_at=now, created_by=f"lead:{source}")
        session.add(customer)
        session.flush()  # the unique name key decides a creation race here
        assert customer.id is not None
        index_names(session, customer.id, keys)
    else:
        for column in ("region", "industry"):  # what the rules route by, if the record lacks it
            if getattr(lead, column) and not getattr(customer, column):
                setattr(customer, column, getattr(lead, column))
        session.add(customer)
    assert customer.id is not None
    row = Lead(source=source, idempotency_key=key, customer_id=customer.id, created_customer=created,
               status="new", fields=json.dumps(lead.shown(), ensure_ascii=False), entered_by=entered_by,
               arrived_at=now)
    session.add(row)
    session.flush()  # the unique (source, key) decides between concurrent repeats here
    assert row.id is not None
    match = {"tier": matches[0].tier, "why": matches[0].why} if matches else None
    answer: dict[str, Any] = {"lead": row.id, "customer": customer.short_id, "status": "", "owner": None,
                              "offered_to": None, "rule": None, "until": None}
    owner = None if created else active_ownership(session, customer.id, lock=True)  # a new one has neither
    if owner is not None:
        _tell_owner(session, ctx, row, customer, owner.rep_id, lead, match, now)
        answer.update(status=LeadStatus.EXISTING, owner=owner.rep_id)
    elif not created and (open_offer := _open_offer(session, customer.id)) is not None:  # that offer stands
        answer.update(status=LeadStatus.OFFERED, offered_to=open_offer.rep_id, rule=open_offer.rule,
                      until=as_utc(open_offer.deadline).isoformat())
    else:
        offer = _offer(session, ctx, row, customer, now, attempt=1, exclude=(), actor=entered_by or f"lead:{source}")
        if offer is None:
            answer.update(status=LeadStatus.POOL)
        else:
            answer.update(status=LeadStatus.OFFERED, offered_to=offer.rep_id, rule=offer.rule,
                          until=as_utc(offer.deadline).isoformat())
    row.status = str(answer["status"])
    row.answer = json.dumps(answer, ensure_ascii=False)
    session.add(row)
    return IntakeResult(IntakeOutcome.CREATED, answer)


def _tell_owner(session: Session, ctx: ServiceContext, row: Lead, customer: Customer, owner: str, lead: LeadInput,
                match: dict[str, str] | None, now: datetime) -> None:
    assert customer.id is not None and row.id is not None
    allocation.ledger_line(session, customer.id, now, f"lead:{row.source}", outcome="existing_owner", reason="enquiry",
                           rep=owner, rule=None, strategy="existing_owner",
                           why={"lead": row.id, "source": row.source, "match": match})
    outbox.enqueue(session, key=f"lead_enquiry:{row.id}", channel=owner, kind="lead_enquiry", now=now, data={
        "sid": customer.short_id, "name": customer.name, "source": row.source, "fields": lead.shown(),
        "match": match})


def _open_offer(session: Session, customer_id: int, *, lock: bool = False) -> LeadOffer | None:
    stmt = select(LeadOffer).where(LeadOffer.customer_id == customer_id, LeadOffer.status == "open")
    if lock and not is_sqlite(session.get_bind()):
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def _offer(session: Session, ctx: ServiceContext, row: Lead, customer: Customer, now: datetime, *, attempt: int,
           exclude: tuple[str, ...], actor: str) -> LeadOffer | None:
    """Offer the lead to the rep the rules pick (the turn moves); nobody: the pool, and the managers told."""
    assert customer.id is not None and row.id is not None
    picked = allocation.pick(session, ctx, customer, now, exclude=exclude)
    context = {"lead": row.id, "source": row.source, "attempt": attempt}
    if exclude:
        context["offered_before"] = list(exclude)
    if picked.spec is None or picked.choice is None or picked.choice.rep is None:
        allocation.record(session, ctx, customer, now, actor, outcome=AllocationOutcome.UNASSIGNED, picked=picked,
                          reason="no_rule" if picked.spec is None else "nobody_eligible", extra=context)
        row.status = LeadStatus.POOL
        return None
    rep = picked.choice.rep
    allocation.save_turn(session, picked, now)
    s = ctx.settings.leads
    deadline = rules.offer_deadline(now, s.accept_minutes, s.hours, ctx.tz, ctx.clock_rules.is_workday)
    ensure_rep(session, ctx, rep, now)
    offer = LeadOffer(lead_id=row.id, customer_id=customer.id, rep_id=rep, rule=picked.spec.name, attempt=attempt,
                      offered_at=now, deadline=deadline)
    session.add(offer)
    session.flush()  # one open offer per customer
    assert offer.id is not None
    allocation.record(session, ctx, customer, now, actor, outcome=AllocationOutcome.OFFERED, reason="rule",
                      picked=picked, extra={**context, "offer": offer.id, "until": deadline.isoformat()})
    outbox.enqueue(session, key=f"lead_offer:{offer.id}", channel=rep, kind="lead_offer", now=now, data={
        "offer": offer.id, "sid": customer.short_id, "name": customer.name, "source": row.source,
        "fields": json.loads(row.fields), "tier": customer.tier, "rule": picked.spec.name,
        "strategy": picked.spec.strategy, "attempt": attempt, "max_offers": s.max_offers,
        "until": deadline.isoformat(), "homes": [rep]})
    row.status = LeadStatus.OFFERED
    return offer


def _move_on(session: Session, ctx: ServiceContext, offer: LeadOffer, customer: Customer, now: datetime,
             actor: str) -> LeadOffer | None:
    """After a pass or a time-out: the next eligible rep of the same rule, or, after the last offer (or with
    nobody left), the pool with the managers told."""
    row = session.get(Lead, offer.lead_id)
    assert row is not None and customer.id is not None
    if active_ownership(session, customer.id) is not None:  # a manager assigned it meanwhile: nothing to offer
        return None
    offered = tuple(session.exec(select(LeadOffer.rep_id).where(LeadOffer.lead_id == offer.lead_id)
                                 .order_by(col(LeadOffer.id))).all())
    if len(offered) >= ctx.settings.leads.max_offers:
        spec = next((s for s in allocation.rule_specs(ctx) if s.name == offer.rule), None)
        allocation.record(session, ctx, customer, now, actor, outcome=AllocationOutcome.UNASSIGNED,
                          picked=allocation.Pick(spec), reason="max_offers",
                          extra={"lead": row.id, "source": row.source, "offered_before": list(offered)})
        row.status = LeadStatus.POOL
        session.add(row)
        return None
    nxt = _offer(session, ctx, row, customer, now, attempt=len(offered) + 1, exclude=offered, actor=actor)
    session.add(row)
    return nxt


def decide(ctx: ServiceContext, rep_id: str, offer_id: int, accept: bool, now: datetime) -> OfferResult:
    """The offered rep's *Accept* or *Pass*. Each works once (a conditional update decides)."""
    for _ in range(MAX_RETRIES):
        try:
            with write_session(ctx.engine) as session:
                return _decide(session, ctx, rep_id, offer_id, accept, now)
        except IntegrityError:
            continue
    raise RuntimeError("offer decision kept colliding; giving up")


def _decide(session: Session, ctx: ServiceContext, rep_id: str, offer_id: int, accept: bool,
            now: datetime) -> OfferResult:
    offer = session.get(LeadOffer, offer_id)
    if offer is None:
        return OfferResult(OfferOutcome.NOT_FOUND, offer_id)
    customer = session.get(Customer, offer.customer_id)
    assert customer is not None and customer.id is not None
    base = OfferResult(OfferOutcome.NOT_FOUND, offer_id, customer.id, customer.short_id, customer.name)
    if offer.rep_id != rep_id:
        return replace(base, outcome=OfferOutcome.NOT_YOURS)
    if offer.status != "open":
        return replace(base, outcome=OfferOutcome.CLOSED, status=offer.status)
    if active_ownership(session, customer.id) is not None:  # a manager assigned it meanwhile
        _close(session, offer, "withdrawn", now)
        return replace(base, outcome=OfferOutcome.CLOSED, status="withdrawn")
    if accept:
        holding, cap = ownership_changes.holding(session, rep_id), ctx.holding_cap(rep_id)
        if not caps.check_holding(holding, cap).allowed:
            return replace(base, outcome=OfferOutcome.AT_CAP, holding=holding, cap=cap)
    if not _close(session, offer, "accepted" if accept else "passed", now):
        session.refresh(offer)
        return replace(base, outcome=OfferOutcome.CLOSED, status=offer.status)
    row = session.get(Lead, offer.lead_id)
    assert row is not None
    why = {"lead": row.id, "source": row.source, "offer": offer.id, "attempt": offer.attempt,
           "minutes": round((now - as_utc(offer.offered_at)).total_seconds() / 60, 1)}
    if accept:
        ensure_rep(session, ctx, rep_id, now)
        if customer.stage in ("won", "lost"):
            customer.stage, customer.amount = "lead", None  # a new owner starts a new funnel
        _, protection = ownership_changes.start(
            session, ctx, customer, rep_id, now, kind="assign", actor=rep_id, rule=AUDIT_RULE,
            reason=f"lead:{row.source}:{offer.rule}")
        row.status, row.accepted_at, row.accepted_by = LeadStatus.ACCEPTED, now, rep_id
        session.add(row)
        allocation.ledger_line(session, customer.id, now, rep_id, outcome="accepted", reason="accepted", rep=rep_id,
                               rule=offer.rule, why=why)
        return replace(base, outcome=OfferOutcome.ACCEPTED, protected_until=protection.until)
    allocation.ledger_line(session, customer.id, now, rep_id, outcome="passed", reason="passed", rep=rep_id,
                           rule=offer.rule, why=why)
    nxt = _move_on(session, ctx, offer, customer, now, rep_id)
    return replace(base, outcome=OfferOutcome.PASSED, next_rep=nxt.rep_id if nxt else None,
                   until=as_utc(nxt.deadline) if nxt else None)


def _close(session: Session, offer: LeadOffer, status: str, now: datetime) -> bool:
    result = session.execute(update(LeadOffer).where(col(LeadOffer.id) == offer.id, col(LeadOffer.status) == "open")
                             .values(status=status, decided_at=now))
    assert isinstance(result, CursorResult)  # an UPDATE's
    if result.rowcount == 1:
        offer.status, offer.decided_at = status, now
        return True
    return False


def expire_due(ctx: ServiceContext, now: datetime) -> int:
    """Offers past their deadline move on (the deadlines job): each in its own transaction, so a rerun or a
    second process finds them closed and decides nothing twice."""
    with read_session(ctx.engine) as session:
        due = session.exec(select(LeadOffer.id).where(LeadOffer.status == "open", col(LeadOffer.deadline) <= now)
                           .order_by(col(LeadOffer.deadline)).limit(EXPIRE_BATCH)).all()
    expired = 0
    for offer_id in due:
        with write_session(ctx.engine) as session:
            offer = session.get(LeadOffer, offer_id)
            if offer is None or not _close(session, offer, "expired", now):
                continue
            customer = session.get(Customer, offer.customer_id)
            assert customer is not None and customer.id is not None
            if active_ownership(session, customer.id) is not None:  # a manager assigned it meanwhile
                offer.status = "withdrawn"  # closed just now as expired: say what it really was
                session.add(offer)
                _tell_closed(session, offer, customer, now, None)
                continue
            allocation.ledger_line(session, customer.id, now, "deadlines", outcome="timed_out", reason="timed_out",
                                   rep=offer.rep_id, rule=offer.rule,
                                   why={"lead": offer.lead_id, "offer": offer.id, "attempt": offer.attempt,
                                        "until": as_utc(offer.deadline).isoformat()})
            nxt = _move_on(session, ctx, offer, customer, now, "deadlines")
            _tell_closed(session, offer, customer, now, nxt)
            expired += 1
    return expired


def _tell_closed(session: Session, offer: LeadOffer, customer: Customer, now: datetime, nxt: LeadOffer | None) -> None:
    """The offer's DM loses its buttons and says what happened (a ``chat.update`` of it, through the outbox)."""
    outbox.enqueue(session, key=f"lead_offer:{offer.id}:update:{offer.status}", channel=offer.rep_id,
                   kind="lead_offer_closed", now=now, data={
                       "update_of": f"lead_offer:{offer.id}", "sid": customer.short_id, "name": customer.name,
                       "status": offer.status, "next_rep": nxt.rep_id if nxt else None})


def offered_to(ctx: ServiceContext, customer_id: int) -> tuple[str, datetime] | None:
    """Who a pool customer is offered to, and until when (None: not offered)."""
    with read_session(ctx.engine) as session:
        offer = _open_offer(session, customer_id)
        return (offer.rep_id, as_utc(offer.deadline)) if offer else None
