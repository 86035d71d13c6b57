"""Finding customers by what reps type, and reading them: /customer, /mine, export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.results.customers import Candidate, CustomerDetails, HistoryEntry, InputError, Lookup, MyCustomers
from bot.rules import text
from bot.rules.names import name_keys
from bot.services.context import ServiceContext
from bot.services.snapshots import active_ownership, customer_by_short_id, snapshot
from storage.engine import read_session
from storage.lookup import find_matches
from storage.models import Customer, FollowUp, Ownership, OwnershipEvent

MINE_LIMIT = 40


def resolve(session: Session, ctx: ServiceContext, reference: str) -> Lookup:
    """A short id (C-1042) or a name that is exactly a known customer; else suggestions."""
    reference = " ".join(text.clean(reference).split())
    if not reference:
        return Lookup(None, error=InputError("error.empty"))
    if len(reference) > text.MAX_NAME_CHARS:
        return Lookup(None, error=InputError("error.too_long", {"limit": text.MAX_NAME_CHARS,
                                                                 "length": len(reference)}))
    number = text.short_id_number(reference)
    if number is not None:
        customer = customer_by_short_id(session, number)
        return Lookup(snapshot(session, ctx, customer, active_ownership(session, customer.id))
                      if customer and customer.id else None)
    if not text.has_word_character(reference):
        return Lookup(None, error=InputError("error.no_letters", {"text": reference}))
    matches = find_matches(session, name_keys(reference))
    exact = next((m for m in matches if m.tier == "exact"), None)
    if exact:
        customer = session.get(Customer, exact.customer_id)
        assert customer is not None
        return Lookup(snapshot(session, ctx, customer, active_ownership(session, exact.customer_id)))
    suggestions = []
    for m in matches:
        customer = session.get(Customer, m.customer_id)
        assert customer is not None
        suggestions.append(Candidate(snapshot(session, ctx, customer, active_ownership(session, m.customer_id)),
                                     m.tier, m.why, m.score))
    return Lookup(None, tuple(suggestions))


def resolve_with_rest(session: Session, ctx: ServiceContext, command_text: str) -> tuple[Lookup, str, str]:
    """Split ``name | rest``; without a separator the longest known name at the start is taken.

    Returns (lookup, the name part as typed, rest).
    """
    cleaned = text.clean(command_text)
    name, rest = text.split_fields(cleaned)
    if rest is not None or not name:
        return resolve(session, ctx, name), name, rest or ""
    first, _, after = name.partition(" ")
    if text.short_id_number(first) is not None:
        return resolve(session, ctx, first), first, after.strip()
    prefixes = text.name_prefixes(name)
    keyed: dict[str, tuple[str, str]] = {}
    for prefix, remainder in prefixes:
        if text.has_word_character(prefix):
            keyed.setdefault(name_keys(prefix).name_key, (prefix, remainder))
    if keyed:
        hits = session.exec(select(Customer.name_key).where(col(Customer.name_key).in_(list(keyed)))).all()
        for prefix, remainder in prefixes:  # longest first
            if text.has_word_character(prefix) and name_keys(prefix).name_key in hits:
                return resolve(session, ctx, prefix), prefix, remainder
    return resolve(session, ctx, name), name, ""


def by_id(session: Session, ctx: ServiceContext, customer_id: int) -> Lookup:
    """A customer a button or a form names by its id (nothing found: an empty lookup)."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.id is None:
        return Lookup(None)
    return Lookup(snapshot(session, ctx, customer, active_ownership(session, customer.id)))


def by_id_or_text(session: Session, ctx: ServiceContext, command_text: str, customer_id: int | None
                  ) -> tuple[Lookup, str, str]:
    """(lookup, the name as typed, rest): the customer a button or form names by ``customer_id`` (then all
    of ``command_text`` is the rest and no name was typed), else the name at the start of the text."""
    if customer_id is not None:
        return by_id(session, ctx, customer_id), "", text.clean(command_text)
    return resolve_with_rest(session, ctx, command_text)


def details(ctx: ServiceContext, reference: str) -> CustomerDetails:
    with read_session(ctx.engine) as session:
        return details_in(session, ctx, resolve(session, ctx, reference))


def details_in(session: Session, ctx: ServiceContext, lookup: Lookup) -> CustomerDetails:
    """Ownership history and follow-up count of a resolved customer, in the caller's session."""
    if lookup.customer is None:
        return CustomerDetails(lookup)
    cid = lookup.customer.id
    events = session.exec(
        select(OwnershipEvent).where(OwnershipEvent.customer_id == cid).order_by(col(OwnershipEvent.id))
    ).all()
    count, last = session.exec(
        select(func.count(), func.max(FollowUp.at)).where(FollowUp.customer_id == cid)
    ).one()
    history = tuple(HistoryEntry(e.kind, e.at, e.from_rep, e.to_rep, e.actor, e.rule, e.reason) for e in events)
    return CustomerDetails(lookup, history, count, ctx.today(last) if last else None)


def my_customers(ctx: ServiceContext, rep_id: str, limit: int = MINE_LIMIT) -> MyCustomers:
    with read_session(ctx.engine) as session:
        base = select(Customer, Ownership).join(Ownership, col(Ownership.customer_id) == Customer.id).where(
            Ownership.rep_id == rep_id, col(Ownership.ended_at).is_(None)
        )
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = session.exec(
            base.order_by(col(Ownership.protected_until).is_(None), col(Ownership.protected_until), col(Customer.id))
            .limit(limit)
        ).all()
        return MyCustomers(tuple(snapshot(session, ctx, c, o, with_activity=False) for c, o in rows), total)


def export_rows(ctx: ServiceContext, batch: int = 1000) -> Iterator[dict[str, object]]:
    """Every customer with owner, status, tier, protected_until and follow-up count, streamed."""
    followups = select(FollowUp.customer_id, func.count().label("n")).group_by(col(FollowUp.customer_id)).subquery()
    with read_session(ctx.engine) as session:
        last_id = 0
        while True:
            rows = session.exec(
                select(Customer, Ownership, followups.c.n)
                .outerjoin(Ownership, (col(Ownership.customer_id) == Customer.id) & col(Ownership.ended_at).is_(None))
                .outerjoin(followups, followups.c.customer_id == Customer.id)
                .where(col(Customer.id) > last_id).order_by(col(Customer.id)).limit(batch)
            ).all()
            if not rows:
                return
            for customer, ownership, n in rows:
                yield _export_row(customer, ownership, n or 0)
            last = rows[-1][0].id
            assert last is not None
            last_id = last


def _export_row(customer: Customer, ownership: Ownership | None, followups: int) -> dict[str, object]:
    if ownership is not None:
        status = "won" if customer.stage == "won" else "owned"
    else:
        status = "lost" if customer.stage == "lost" else "pool"
    return {
        "id": customer.short_id,
        "name": customer.name,
        "owner": ownership.rep_id if ownership else None,
        "status": status,
        "tier": customer.tier,
        "stage": customer.stage,
        "protected_until": ownership.protected_until.isoformat() if ownership and ownership.protected_until else None,
        "followups": followups,
        "uscc": customer.uscc,
        "domain": customer.domain,
        "phone": customer.phone,
        "region": customer.region,
        "industry": customer.industry,
        "amount": customer.amount,
        "created_at": customer.created_at.isoformat() if isinstance(customer.created_at, datetime) else None,
    }
