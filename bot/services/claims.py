"""Claiming a customer (PRODUCT 3.1): one use case, one transaction, the database decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.metrics import CLAIMS
from bot.results.claims import ClaimOutcome, ClaimResult
from bot.results.customers import Candidate, InputError
from bot.rules import caps, clocks, text
from bot.rules.identifiers import InvalidIdentifier, company_domain, normalize_phone, normalize_uscc
from bot.rules.names import NameKeys, name_keys
from bot.services import ownership as ownership_changes
from bot.services import reps
from bot.services.context import ServiceContext
from bot.services.snapshots import snapshot_of
from storage import claim_rows
from storage.claim_rows import CustomerRow
from storage.engine import single_reads, transaction
from storage.lookup import Match, index_names, key_columns, near_matches

TIERS = ("A", "B", "C")
MAX_RETRIES = 5


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

    @classmethod
    def of(cls, fields: Mapping[str, str | None], *, same_as: int | None = None,
           different: bool = False) -> ClaimRequest:
        """From the fields a rep gave (the claim modal, or those a "same company?" prompt carries); a field
        not there is None, a name not there is ""."""
        return cls(name=fields.get("name") or "", uscc=fields.get("uscc"), domain=fields.get("domain"),
                   phone=fields.get("phone"), region=fields.get("region"), industry=fields.get("industry"),
                   tier=fields.get("tier"), same_as=same_as, different=different)


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
    """``_claim``, counted by outcome (``claimbot_claims_total``)."""
    result = _claim(ctx, rep_id, req, now)
    CLAIMS.labels(result.outcome.value).inc()
    return result


def _claim(ctx: ServiceContext, rep_id: str, req: ClaimRequest, now: datetime) -> ClaimResult:
    """Claim by name (or short id): create, take from the pool, or explain why not.

    Races are settled by the database: a unique name key decides who creates a new customer and
    a partial unique index (one active ownership per customer) decides who owns it. The loser's
    transaction is retried and then reports the winner.

    Everything is looked up first without the write lock, and answers that write nothing (owned,
    "same company?", no such short id) are given from there. Only a claim or a creation takes the
    write transaction, which decides again from scratch — unless, on SQLite, nothing at all was
    committed in between (``PRAGMA data_version``): then the same reads would give the same rows. On
    PostgreSQL the first look is the exact probe alone, and the rest happens in the write transaction
    as before. The statements are in storage/claim_rows.py (SQLAlchemy Core, compiled once).
    """
    cleaned = _validate(req)
    if isinstance(cleaned, InputError):
        return ClaimResult(ClaimOutcome.INVALID, error=cleaned, query=text.clean(req.name)[:200])
    keys = name_keys(cleaned.name)
    with ctx.engine.connect() as conn:  # one connection for the look and the write: data_version is per connection
        looked = _look(conn, ctx, rep_id, req, cleaned, keys, now)
        if isinstance(looked, ClaimResult):
            return looked
        for attempt in range(MAX_RETRIES):
            try:
                with transaction(conn, write=True):
                    return _claim_once(conn, ctx, rep_id, req, cleaned, keys, now, looked if attempt == 0 else None)
            except _Abort as abort:
                return abort.result
            except IntegrityError:
                continue  # someone else created or claimed it first: look again
    raise RuntimeError("claim kept colliding; giving up")


@dataclass(frozen=True)
class _Found:
    """What a claim is about: the customer it names (outright, or as the exact match a near probe turned
    up), else the near matches (empty: a new customer)."""

    customer: CustomerRow | None
    exists: bool = True  # False: a short id that names nobody
    matches: tuple[Match, ...] = ()
    rows: dict[int, CustomerRow] = field(default_factory=dict)  # the matches' customers


@dataclass(frozen=True)
class _Looked:
    version: int | None  # SQLite's data_version before the look; None: decide again in the write transaction
    found: _Found


def _find(conn: Connection, req: ClaimRequest, c: _Clean, keys: NameKeys, *, near: bool) -> _Found:
    """``near``: also the strong and fuzzy matches when the request names no customer outright."""
    if req.same_as is not None:
        customer = claim_rows.by_id(conn, req.same_as)
        if customer is not None:
            return _Found(customer)
    elif c.short_id is not None:
        customer = claim_rows.by_short_id(conn, c.short_id)
        return _Found(customer, exists=customer is not None)
    customer = claim_rows.exact(conn, keys, uscc=c.uscc, domain=c.domain, phone=c.phone)
    if customer is not None or not near:
        return _Found(customer)
    matches = near_matches(conn, keys)
    rows = claim_rows.by_ids(conn, (m.customer_id for m in matches))
    matches = [m for m in matches if m.customer_id in rows]
    # On READ COMMITTED a racing claim may commit between the exact and the near probe: a near hit
    # with our very name key (or identifier) is the exact match that the first probe missed.
    exact = next((m for m in matches if _same_keys(rows[m.customer_id], keys, c)), None)
    if exact:
        return _Found(rows[exact.customer_id])
    return _Found(None, matches=tuple(matches), rows=rows)


def _without_writing(ctx: ServiceContext, rep_id: str, req: ClaimRequest, c: _Clean, f: _Found,
                     now: datetime) -> ClaimResult | None:
    """The answer when it writes nothing: no such short id, owned by someone, or "same company?"."""
    if not f.exists:
        return ClaimResult(ClaimOutcome.NOT_FOUND, query=c.name)
    if f.customer is not None and f.customer.owner is not None:
        return _owned(ctx, rep_id, f.customer, ctx.today(now))
    if f.customer is None and f.matches and not req.different:
        candidates = tuple(Candidate(snapshot_of(ctx, f.rows[m.customer_id]), m.tier, m.why, m.score)
                           for m in f.matches)
        return ClaimResult(ClaimOutcome.CONFIRM, candidates=candidates, query=c.name)
    return None


def _look(conn: Connection, ctx: ServiceContext, rep_id: str, req: ClaimRequest, c: _Clean, keys: NameKeys,
          now: datetime) -> ClaimResult | _Looked:
    """The answer if it writes nothing and the rep's row exists (the write transaction adds a new rep
    first), else what the write transaction may start from. The customer, its owner and latest
    follow-up come in one statement; the rep's row never goes away."""
    with single_reads(conn):
        version = claim_rows.data_version(conn)
        found = _find(conn, req, c, keys, near=version is not None)
        answer = _without_writing(ctx, rep_id, req, c, found, now) or _offered(conn, ctx, found)
        if answer is not None and reps.rep_known(conn, ctx, rep_id):
            return answer
    return _Looked(version, found)


def _offered(conn: Connection, ctx: ServiceContext, f: _Found) -> ClaimResult | None:
    """A pool customer offered to a rep as a new lead: nobody else may claim it while the offer is open."""
    if f.customer is None or f.customer.owner is not None:
        return None
    offer = claim_rows.open_offer(conn, f.customer.id)
    if offer is None:
        return None
    return ClaimResult(ClaimOutcome.OFFERED, customer=snapshot_of(ctx, f.customer), offered_to=offer[0],
                       offered_until=clocks.as_utc(offer[1]).astimezone(ZoneInfo(ctx.tz)), query=f.customer.name)


def _owned(ctx: ServiceContext, rep_id: str, customer: CustomerRow, today: date) -> ClaimResult:
    snap = snapshot_of(ctx, customer)
    if snap.owner == rep_id:
        p = snap.protected_until
        return ClaimResult(
            ClaimOutcome.ALREADY_YOURS, customer=snap, until=p, days_left=clocks.days_left(p, today),
            next_reminder=clocks.next_reminder(p, today, ctx.settings.reminders.days_before),
        )
    return ClaimResult(ClaimOutcome.OWNED_BY_OTHER, customer=snap)


def _claim_once(conn: Connection, ctx: ServiceContext, rep_id: str, req: ClaimRequest, c: _Clean, keys: NameKeys,
                now: datetime, looked: _Looked | None) -> ClaimResult:
    # Under the write lock: if no other connection committed since the look, its rows are still the
    # database's (our own writes don't count, and there were none).
    unchanged = (looked is not None and looked.version is not None
                 and claim_rows.data_version(conn) == looked.version)
    reps.ensure_rep_row(conn, ctx, rep_id, now, lock=True)
    found = looked.found if unchanged and looked is not None else _find(conn, req, c, keys, near=True)
    answer = _without_writing(ctx, rep_id, req, c, found, now) or _offered(conn, ctx, found)
    if answer is not None:
        return answer
    customer = found.customer
    created = False
    if customer is None:
        values = dict(
            name=c.name, **key_columns(keys), uscc=c.uscc, domain=c.domain, phone=c.phone, region=c.region,
            industry=c.industry, tier=c.tier or ctx.settings.claims.default_tier, stage="lead", amount=None,
            needs_review=req.different and bool(found.matches),
        )
        # the unique name key (with its region and legal form) decides a creation race here
        customer_id = claim_rows.insert_customer(conn, **values, created_at=now, created_by=rep_id)
        index_names(conn, customer_id, keys)
        customer = CustomerRow(
            id=customer_id, name=c.name, name_key=keys.name_key, region_tag=keys.region_tag,
            form_tag=keys.form_tag, uscc=c.uscc, domain=c.domain, phone=c.phone,
            region=c.region, industry=c.industry, tier=str(values["tier"]), stage="lead", amount=None,
            needs_review=bool(values["needs_review"]), owner=None, latest_followup=None)
        created = True

    today = ctx.today(now)
    holding_cap = ctx.holding_cap(rep_id)
    active, claimed_today, given_up = claim_rows.cap_counts(
        conn, rep_id, customer.id, clocks.local_day_start(today, ctx.tz), caps.COOLDOWN_REASONS)
    # Won customers don't count: only a rep whose active ownerships reach the cap needs them told apart.
    holding = active if caps.check_holding(active, holding_cap).allowed else claim_rows.holding(conn, rep_id)
    verdict = caps.check_claim(
        holding=holding,
        holding_cap=holding_cap,
        claimed_today=claimed_today,
        daily_cap=ctx.settings.claims.daily_claim_cap,
        given_up_on=None if created or given_up is None else clocks.local_day(given_up, ctx.tz),
        cooldown_days=ctx.settings.claims.reclaim_cooldown_days,
        today=today,
    )
    if not verdict.allowed:
        until = verdict.until if verdict.rule == caps.COOLDOWN else today + timedelta(days=1)
        refused = ClaimResult(ClaimOutcome.REFUSED, customer=None if created else snapshot_of(ctx, customer),
                              rule=verdict.rule, limit=verdict.limit, count=verdict.count, until=until,
                              query=c.name)
        if created:  # nothing half-written: the new customer goes with the refused claim
            raise _Abort(refused)
        return refused

    changes: dict[str, Any] = {}  # column → value, as claim_rows.update_customer takes them
    if customer.stage in ("won", "lost"):
        changes.update(stage="lead", amount=None)  # a new owner starts a new funnel
    for column in ("tier", "region", "industry", "uscc", "domain", "phone"):
        value = getattr(c, column)
        if value and not getattr(customer, column):
            if column == "uscc" and claim_rows.uscc_taken(conn, value):
                continue  # that code identifies another customer already; never move it
            changes[column] = value
    if changes:
        claim_rows.update_customer(conn, customer.id, **changes)
        customer = replace(customer, **changes)
    ownership, p = ownership_changes.start_row(conn, ctx, customer, rep_id, now, kind="claim", actor=rep_id,
                                               rule="first_claim" if created else "pool_claim")
    snap = snapshot_of(ctx, replace(customer, owner=ownership), with_activity=False, protection=p)
    return ClaimResult(
        ClaimOutcome.CREATED if created else ClaimOutcome.CLAIMED, customer=snap, until=p.until,
        days_left=clocks.days_left(p.until, today),
        next_reminder=clocks.next_reminder(p.until, today, ctx.settings.reminders.days_before),
        flagged_for_review=customer.needs_review,
    )


def _same_keys(customer: CustomerRow, keys: NameKeys, c: _Clean) -> bool:
    """The very name (name key, region and legal form: what the unique index holds) or an identifier."""
    same_name = (customer.name_key, customer.region_tag, customer.form_tag) == (keys.name_key, keys.region_tag,
                                                                             keys.form_tag)
    return same_name or any(
        v is not None and getattr(customer, f) == v for f, v in (("uscc", c.uscc), ("domain", c.domain),
                                                                 ("phone", c.phone))
    )
