"""Claiming a customer (PRODUCT 3.1): one use case, one transaction, the database decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.results import Candidate, ClaimResult, InputError
from bot.rules import caps, clocks, text
from bot.rules.identifiers import InvalidIdentifier, company_domain, normalize_phone, normalize_uscc
from bot.rules.names import NameKeys, name_keys
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.reps import ensure_rep
from bot.services.snapshots import active_ownership, customer_by_short_id, snapshot
from storage.engine import write_session
from storage.lookup import find_matches, index_names
from storage.models import Customer, Ownership, OwnershipEvent

TIERS = ("A", "B", "C")
MAX_RETRIES = 5
COOLDOWN_REASONS = ("released", "recycled", "lost")


class _Abort(Exception):
    """Roll the transaction back and answer with ``result``."""

    def __init__(self, result: ClaimResult):
        super().__init__(result.outcome)
        self.result = result


@dataclass(frozen=True)
class ClaimRequest:
    name: str = ""
    uscc: str | None = None
    domain: str | None = None
    phone: str | None = None
    region: str | None = None
    industry: str | None = None
    tier: str | None = None
    # After a "same company?" prompt: the customer the rep picked, or True for "different".
    same_as: int | None = None
    different: bool = False


@dataclass(frozen=True)
class _Clean:
    name: str
    uscc: str | None
    domain: str | None
    phone: str | None
    region: str | None
    industry: str | None
    tier: str | None
    short_id: int | None


def _validate(req: ClaimRequest) -> _Clean | InputError:
    name = " ".join(text.clean(req.name).split())
    if not name:
        return InputError("error.empty")
    if len(name) > text.MAX_NAME_CHARS:
        return InputError("error.too_long", {"limit": text.MAX_NAME_CHARS, "length": len(name)})
    if not text.has_word_character(name):
        return InputError("error.no_letters", {"text": name})
    tier = (text.clean(req.tier) or "").upper() or None
    if tier is not None and tier not in TIERS:
        return InputError("error.invalid_tier")
    try:
        uscc = normalize_uscc(text.clean(req.uscc)) if text.clean(req.uscc) else None
        domain = company_domain(text.clean(req.domain)) if text.clean(req.domain) else None
        phone = normalize_phone(text.clean(req.phone)) if text.clean(req.phone) else None
    except InvalidIdentifier as bad:
        return InputError(f"error.invalid_{bad.kind}", {"value": bad.value})
    return _Clean(
        name=name, uscc=uscc, domain=domain, phone=phone,
        region=text.clean(req.region)[:100] or None, industry=text.clean(req.industry)[:100] or None,
        tier=tier, short_id=text.short_id_number(name),
    )


def claim(ctx: ServiceContext, rep_id: str, req: ClaimRequest, now: datetime) -> ClaimResult:
    """Claim by name (or short id): create, take from the pool, or explain why not.

    Races are settled by the database: a unique name key decides who creates a new customer and
    a partial unique index (one active ownership per customer) decides who owns it. The loser's
    transaction is retried and then reports the winner.
    """
    cleaned = _validate(req)
    if isinstance(cleaned, InputError):
        return ClaimResult("invalid", error=cleaned, query=text.clean(req.name)[:200])
    for _ in range(MAX_RETRIES):
        try:
            with write_session(ctx.engine) as session:
                return _claim_once(session, ctx, rep_id, req, cleaned, now)
        except _Abort as abort:
            return abort.result
        except IntegrityError:
            continue  # someone else created or claimed it first: look again
    raise RuntimeError("claim kept colliding; giving up")


def _claim_once(session: Session, ctx: ServiceContext, rep_id: str, req: ClaimRequest, c: _Clean,
                now: datetime) -> ClaimResult:
    rep = ensure_rep(session, ctx, rep_id, now, lock=True)
    customer: Customer | None = None
    if req.same_as is not None:
        customer = session.get(Customer, req.same_as)
    elif c.short_id is not None:
        customer = customer_by_short_id(session, c.short_id)
        if customer is None:
            return ClaimResult("not_found", query=c.name)
    created = False
    if customer is None:
        keys = name_keys(c.name)
        matches = find_matches(session, keys, uscc=c.uscc, domain=c.domain, phone=c.phone)
        found = {m.customer_id: session.get(Customer, m.customer_id) for m in matches}
        # On READ COMMITTED a racing claim may commit between the exact and the fuzzy probe: a
        # "fuzzy" hit with our very name key is the exact match that the first probe missed.
        exact = next((m for m in matches if m.tier == "exact" or _same_keys(found[m.customer_id], keys, c)), None)
        if exact:
            customer = found[exact.customer_id]
        elif matches and not req.different:
            candidates = tuple(
                Candidate(snapshot(session, ctx, found[m.customer_id], active_ownership(session, m.customer_id)),
                          m.tier, m.why, m.score)
                for m in matches
            )
            return ClaimResult("confirm", candidates=candidates, query=c.name)
        else:
            customer = Customer(
                name=c.name, name_key=keys.name_key, core_key=keys.core_key, stem_key=keys.stem_key,
                uscc=c.uscc, domain=c.domain, phone=c.phone, region=c.region, industry=c.industry,
                tier=c.tier or ctx.settings.claims.default_tier, needs_review=req.different and bool(matches),
                created_at=now, created_by=rep_id,
            )
            session.add(customer)
            session.flush()  # the unique name key decides a creation race here
            assert customer.id is not None
            index_names(session, customer.id, keys)
            created = True
    assert customer is not None and customer.id is not None

    owner = active_ownership(session, customer.id)
    today = ctx.today(now)
    if owner is not None:
        snap = snapshot(session, ctx, customer, owner)
        if owner.rep_id == rep_id:
            p = snap.protected_until
            return ClaimResult(
                "already_yours", customer=snap, until=p, days_left=clocks.days_left(p, today),
                next_reminder=clocks.next_reminder(p, today, ctx.settings.reminders.days_before),
            )
        return ClaimResult("owned_by_other", customer=snap)

    verdict = caps.check_claim(
        holding=ownership_changes.holding(session, rep.id),
        holding_caps=[ctx.holding_cap(rep.id)],
        claimed_today=_claimed_today(session, ctx, rep.id, today),
        daily_caps=[ctx.settings.claims.daily_claim_cap],
        last_lost_day=None if created else _last_given_up(session, ctx, rep.id, customer.id),
        cooldown_days=ctx.settings.claims.reclaim_cooldown_days,
        today=today,
    )
    if not verdict.allowed:
        until = verdict.until if verdict.rule == "cooldown" else today + timedelta(days=1)
        refused = ClaimResult("refused", customer=None if created else snapshot(session, ctx, customer),
                              rule=verdict.rule, limit=verdict.limit, count=verdict.count, until=until,
                              query=c.name)
        if created:  # nothing half-written: the new customer goes with the refused claim
            raise _Abort(refused)
        return refused

    if customer.stage in ("won", "lost"):
        customer.stage, customer.amount = "lead", None  # a new owner starts a new funnel
    for field in ("tier", "region", "industry", "uscc", "domain", "phone"):
        value = getattr(c, field)
        if value and not getattr(customer, field):
            if field == "uscc" and session.exec(select(Customer.id).where(Customer.uscc == value)).first():
                continue  # that code identifies another customer already; never move it
            setattr(customer, field, value)
    ownership, p = ownership_changes.start(session, ctx, customer, rep_id, now, kind="claim", actor=rep_id,
                                           rule="first_claim" if created else "pool_claim")
    snap = snapshot(session, ctx, customer, ownership, with_activity=False)
    return ClaimResult(
        "created" if created else "claimed", customer=snap, until=p.until,
        days_left=clocks.days_left(p.until, today),
        next_reminder=clocks.next_reminder(p.until, today, ctx.settings.reminders.days_before),
        flagged_for_review=customer.needs_review,
    )


def _same_keys(customer: Customer | None, keys: NameKeys, c: _Clean) -> bool:
    return customer is not None and (
        customer.name_key == keys.name_key
        or any(v is not None and getattr(customer, f) == v for f, v in (("uscc", c.uscc), ("domain", c.domain),
                                                                        ("phone", c.phone)))
    )


def _claimed_today(session: Session, ctx: ServiceContext, rep_id: str, today: date) -> int:
    start = clocks.local_day_start(today, ctx.tz)
    return session.exec(
        select(func.count()).select_from(OwnershipEvent)
        .where(OwnershipEvent.kind == "claim", OwnershipEvent.to_rep == rep_id, OwnershipEvent.at >= start)
    ).one()


def _last_given_up(session: Session, ctx: ServiceContext, rep_id: str, customer_id: int) -> date | None:
    ended = session.exec(
        select(func.max(Ownership.ended_at)).where(
            Ownership.rep_id == rep_id, Ownership.customer_id == customer_id,
            Ownership.end_reason.in_(COOLDOWN_REASONS),  # type: ignore[union-attr]
        )
    ).one()
    return clocks.local_day(ended, ctx.tz) if ended else None
