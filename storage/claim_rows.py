"""The statements of a claim (bot/services/claims.py): plain rows, no ORM objects.

/claim is the request reps send most, and through the ORM each of its statements cost ~0.2 ms of
Python (identity map, entity loading, flush bookkeeping) — more than SQLite needs to answer it. Here
each question is one SQLAlchemy Core statement, prepared once (storage/prepared.py) and run on the
transaction's own connection, and a customer comes back in one row together with its active
ownership and its latest follow-up (docs/benchmarks.md, "Where the time of /claim goes").

The semantics are those of ``storage.lookup`` and ``bot.services.snapshots``: the same identifier
probes in the same order (USCC, domain, phone, name key and legal entity; the oldest customer), the same active
ownership (``ended_at IS NULL``, at most one by the partial unique index).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from bot.rules.legal_entities import entity_match
from bot.rules.names import NameKeys
from storage.models import (
    SHORT_ID_OFFSET,
    Customer,
    CustomerAlias,
    FollowUp,
    LeadOffer,
    Ownership,
    OwnershipEvent,
    Rep,
)
from storage.prepared import Prepared, driver_rows
from storage.tables import table_of

_c = table_of(Customer)
_o = table_of(Ownership)
_a = table_of(CustomerAlias)
_f = table_of(FollowUp)
_e = table_of(OwnershipEvent)
_r = table_of(Rep)


@dataclass(frozen=True)
class OwnerRow:
    """An active ownership: what the clocks and a snapshot read of it."""

    customer_id: int
    rep_id: str
    started_at: datetime
    last_followup_at: datetime | None
    last_progress_at: datetime
    grace_until: date | None = None


@dataclass(frozen=True)
class CustomerRow:
    """A customer, its active ownership (if any) and the moment of its latest follow-up."""

    id: int
    name: str
    name_key: str
    region_tag: str
    form_tag: str
    uscc: str | None
    domain: str | None
    phone: str | None
    region: str | None
    industry: str | None
    tier: str
    stage: str
    amount: float | None
    needs_review: bool
    owner: OwnerRow | None
    latest_followup: datetime | None

    @property
    def short_id(self) -> str:
        return f"C-{self.id + SHORT_ID_OFFSET}"


_CUSTOMER = (_c.c.id, _c.c.name, _c.c.name_key, _c.c.region_tag, _c.c.form_tag, _c.c.uscc, _c.c.domain, _c.c.phone, _c.c.region, _c.c.industry,
             _c.c.tier, _c.c.stage, _c.c.amount, _c.c.needs_review)
_OWNER = (_o.c.customer_id.label("owner_customer_id"), _o.c.rep_id, _o.c.started_at, _o.c.last_followup_at,
          _o.c.last_progress_at)
_LATEST = select(func.max(_f.c.at)).where(_f.c.customer_id == _c.c.id).scalar_subquery().label("latest_followup")
_ROWS = select(*_CUSTOMER, *_OWNER, _LATEST).select_from(
    _c.outerjoin(_o, and_(_o.c.customer_id == _c.c.id, _o.c.ended_at.is_(None)))
)
_N_CUSTOMER = len(_CUSTOMER)
# One statement per identifier, in the order storage.lookup._exact_match probes them (an alias last).
_BY = {name: Prepared(_ROWS.where(column == bindparam("v")).order_by(_c.c.id).limit(1))
       for name, column in (("uscc", _c.c.uscc), ("domain", _c.c.domain), ("phone", _c.c.phone),
                            ("id", _c.c.id))}
# Every legal entity stored under a name key (nearly always one), oldest first.
_BY_NAME = Prepared(_ROWS.where(_c.c.name_key == bindparam("v")).order_by(_c.c.id))
_BY["alias"] = Prepared(_ROWS.where(_c.c.id == select(_a.c.customer_id).where(_a.c.name_key == bindparam("v"))
                                    .scalar_subquery()).limit(1))


def _row(values: Any) -> CustomerRow:
    owner = OwnerRow(*values[_N_CUSTOMER:_N_CUSTOMER + 5]) if values[_N_CUSTOMER] is not None else None
    return CustomerRow(*(*values[:_N_CUSTOMER], owner, values[-1]))  # the last two: owner, latest_followup


def exact(conn: Connection, keys: NameKeys, *, uscc: str | None = None, domain: str | None = None,
          phone: str | None = None) -> CustomerRow | None:
    """The first of: same USCC, same company domain, same phone (oldest customer), the same name key
    and legal entity (``entity_match``), an alias with that name key."""
    for probe, value in (("uscc", uscc), ("domain", domain), ("phone", phone)):
        if value:
            found = _BY[probe].first(conn, {"v": value})
            if found is not None:
                return _row(found)
    if not keys.name_key:
        return None
    rows = [_row(values) for values in _BY_NAME.rows(conn, {"v": keys.name_key})]
    index = entity_match(keys, rows)
    if index is not None:
        return rows[index]
    if rows:  # another legal entity of this name: asked about by the strong tier, not an alias's
        return None
    found = _BY["alias"].first(conn, {"v": keys.name_key})
    return _row(found) if found is not None else None


def data_version(conn: Connection) -> int | None:
    """SQLite's ``PRAGMA data_version``: changes when another connection commits (not this one). None
    elsewhere. Compare two values of the same connection only."""
    if conn.dialect.name != "sqlite":
        return None
    return int(driver_rows(conn, "PRAGMA data_version", {})[0][0])


def by_id(conn: Connection, customer_id: int) -> CustomerRow | None:
    found = _BY["id"].first(conn, {"v": customer_id})
    return _row(found) if found is not None else None


def by_short_id(conn: Connection, number: int) -> CustomerRow | None:
    return by_id(conn, number - SHORT_ID_OFFSET)


def by_ids(conn: Connection, ids: Iterable[int]) -> dict[int, CustomerRow]:
    """The rows of a few customers (the matches of a lookup: at most a handful)."""
    out: dict[int, CustomerRow] = {}
    for customer_id in sorted(set(ids)):
        row = by_id(conn, customer_id)
        if row is not None:
            out[customer_id] = row
    return out


# --- Reps

_REP_EXISTS = Prepared(select(_r.c.id).where(_r.c.id == bindparam("id")))
_REP_LOCK = Prepared(select(_r.c.id).where(_r.c.id == bindparam("id")).with_for_update())


def rep_exists(conn: Connection, rep_id: str, *, lock: bool = False) -> bool:
    """``lock``: on PostgreSQL the row is locked (``FOR UPDATE``) for the rest of the transaction."""
    return (_REP_LOCK if lock else _REP_EXISTS).first(conn, {"id": rep_id}) is not None


def insert_rep(conn: Connection, rep_id: str, role: str, now: datetime) -> None:
    """Add a rep unless the row exists (another request may have added it a moment ago)."""
    insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    conn.execute(insert(_r).on_conflict_do_nothing(index_elements=["id"]), {"id": rep_id, "role": role, "created_at": now})


# --- Caps


@functools.cache
def _caps(cooldown_reasons: tuple[str, ...]) -> Prepared:
    """The claim caps' counts as one statement (the reasons written in: no expanding IN)."""
    return Prepared(select(
        # the rep's active ownerships, won or not: counted in the index alone, an upper bound of holding
        select(func.count()).select_from(_o)
        .where(_o.c.rep_id == bindparam("rep"), _o.c.ended_at.is_(None)).scalar_subquery(),
        # claims the rep made since the start of the local day
        select(func.count()).select_from(_e)
        .where(_e.c.kind == "claim", _e.c.to_rep == bindparam("rep"), _e.c.at >= bindparam("since"))
        .scalar_subquery(),
        # when the rep last gave this customer up (released, recycled, lost). coalesce() keeps SQLite (no
        # ANALYZE statistics) off the rep's index, which would read every ownership the rep ever had, and
        # on the customer's: a handful of rows.
        select(func.max(_o.c.ended_at))
        .where(func.coalesce(_o.c.rep_id, "") == bindparam("rep"), _o.c.customer_id == bindparam("cid"),
               or_(*(_o.c.end_reason == reason for reason in cooldown_reasons)))
        .scalar_subquery(),
    ))


# holding: active, non-won customers of the rep (as bot.services.ownership.holding counts them); it
# reads every one of them, ~60 row lookups
_HOLDING = Prepared(select(func.count()).select_from(_o.join(_c, _c.c.id == _o.c.customer_id))
                    .where(_o.c.rep_id == bindparam("rep"), _o.c.ended_at.is_(None), _c.c.stage != "won"))


def cap_counts(conn: Connection, rep_id: str, customer_id: int, since: datetime,
               cooldown_reasons: tuple[str, ...]) -> tuple[int, int, datetime | None]:
    """(active ownerships of the rep, won included; claims since ``since``; last time the rep gave this
    customer up), in one statement."""
    active, claimed, given_up = _caps(cooldown_reasons).rows(conn, {"rep": rep_id, "cid": customer_id,
                                                                     "since": since})[0]
    return int(active), int(claimed), given_up


def holding(conn: Connection, rep_id: str) -> int:
    """Active, non-won customers the rep owns: what the holding cap counts."""
    return int(_HOLDING.rows(conn, {"rep": rep_id})[0][0])


_OFFER = Prepared(select(table_of(LeadOffer).c.rep_id, table_of(LeadOffer).c.deadline)
                  .where(table_of(LeadOffer).c.customer_id == bindparam("cid"), table_of(LeadOffer).c.status == "open")
                  .limit(1))


def open_offer(conn: Connection, customer_id: int) -> tuple[str, datetime] | None:
    """A new lead offered to a rep (bot/services/leads.py): (to whom, until when), while nobody else may claim it."""
    row = _OFFER.first(conn, {"cid": customer_id})
    return (row[0], row[1]) if row is not None else None


# --- Writes

_USCC_TAKEN = Prepared(select(_c.c.id).where(_c.c.uscc == bindparam("uscc")).limit(1))


def uscc_taken(conn: Connection, uscc: str) -> bool:
    return _USCC_TAKEN.first(conn, {"uscc": uscc}) is not None


def _insert(table: Any, columns: tuple[str, ...], *, returning: Any = None) -> Prepared:
    """INSERT of exactly these columns (the others are NULL: none of them has a Python-side default)."""
    statement = insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in columns})
    return Prepared(statement.returning(returning) if returning is not None else statement)


_CUSTOMER_COLUMNS = ("name", "name_key", "core_key", "stem_key", "pinyin_key", "region_tag", "form_tag", "uscc", "domain", "phone", "region", "industry",
                     "tier", "stage", "amount", "needs_review", "created_at", "created_by")
_INSERT_CUSTOMER = _insert(_c, _CUSTOMER_COLUMNS, returning=_c.c.id)
_INSERT_OWNERSHIP = _insert(_o, ("customer_id", "rep_id", "started_at", "last_progress_at", "protected_until"))
_INSERT_EVENT = _insert(_e, ("customer_id", "kind", "from_rep", "to_rep", "actor", "rule", "reason", "at"))
_UPDATE_CUSTOMER = _c.update().where(_c.c.id == bindparam("customer_id_"))


def insert_customer(conn: Connection, **values: Any) -> int:
    """A new customer (every column given); the unique (name key, region tag, form tag) decides a creation race
    here (IntegrityError)."""
    if set(values) != set(_CUSTOMER_COLUMNS):
        raise ValueError(f"columns: {sorted(set(values) ^ set(_CUSTOMER_COLUMNS))}")
    return int(_INSERT_CUSTOMER.rows(conn, values)[0][0])


def update_customer(conn: Connection, customer_id: int, **values: Any) -> None:
    conn.execute(_UPDATE_CUSTOMER, {"customer_id_": customer_id, **values})  # rare: Core compiles per column set


def insert_ownership(conn: Connection, *, customer_id: int, rep_id: str, started_at: datetime,
                     last_progress_at: datetime, protected_until: date | None) -> None:
    """A new active ownership; the partial unique index (one active owner) decides a race here."""
    _INSERT_OWNERSHIP.rows(conn, {"customer_id": customer_id, "rep_id": rep_id, "started_at": started_at,
                                  "last_progress_at": last_progress_at, "protected_until": protected_until})


def insert_event(conn: Connection, *, customer_id: int, kind: str, from_rep: str | None, to_rep: str | None,
                 actor: str, rule: str, reason: str | None, at: datetime) -> None:
    _INSERT_EVENT.rows(conn, {"customer_id": customer_id, "kind": kind, "from_rep": from_rep, "to_rep": to_rep,
                              "actor": actor, "rule": rule, "reason": reason, "at": at})
