"""`claimbot export --what customers|followups|audit|ledger|decisions` (issue 12): everything goes back out.

Each kind is read in keyset pages (``id > last``, ``BATCH`` rows a page, one short read transaction
each), as plain rows of SQLAlchemy Core (no ORM objects), so an export of a million rows holds one
page at a time. ``since`` keeps the rows of that moment or later (for customers: created then or later).
The customers export also comes in the column layout that Zoho CRM and Salesforce import
(``layout="zoho"|"salesforce"``), the owner as an e-mail through ``owner_email``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select

from bot.services.context import ServiceContext
from storage.engine import read_session
from storage.models import (
    SHORT_ID_OFFSET,
    AllocationEntry,
    Case,
    Customer,
    FollowUp,
    Handover,
    Ownership,
    OwnershipEvent,
)
from storage.tables import table_of

BATCH = 2000
WHATS = ("customers", "followups", "audit", "ledger", "decisions")
LAYOUTS = ("claimbot", "zoho", "salesforce")

_c = table_of(Customer)
_o = table_of(Ownership)
_f = table_of(FollowUp)
_e = table_of(OwnershipEvent)
_l = table_of(AllocationEntry)
_case = table_of(Case)
_h = table_of(Handover)

FIELDS: dict[str, tuple[str, ...]] = {
    "customers": ("id", "name", "owner", "status", "tier", "stage", "protected_until", "followups", "uscc",
                  "domain", "phone", "region", "industry", "amount", "created_at"),
    "followups": ("id", "customer", "customer_name", "rep", "kind", "note", "at", "local_day", "qualifying",
                  "next_contact"),
    "audit": ("id", "at", "customer", "customer_name", "kind", "from_rep", "to_rep", "actor", "rule", "reason"),
    "ledger": ("id", "at", "customer", "customer_name", "rep", "outcome", "rule", "strategy", "reason", "why",
               "cycle", "actor"),
    "decisions": ("id", "type", "customer", "customer_name", "from_rep", "to_rep", "opened_by", "reason", "status",
                  "decision", "share", "decided_by", "created_at", "decided_at"),
}
# The columns Zoho CRM's and Salesforce's account import map by default; the owner is the user's e-mail.
LAYOUT_FIELDS: dict[str, tuple[str, ...]] = {
    "zoho": ("Account Name", "Account Owner", "Phone", "Website", "Industry", "Billing City", "Description"),
    "salesforce": ("Account Name", "Account Owner", "Phone", "Website", "Industry", "Billing City", "Description"),
}


def fields(what: str, layout: str = "claimbot") -> tuple[str, ...]:
    return LAYOUT_FIELDS[layout] if what == "customers" and layout != "claimbot" else FIELDS[what]


def rows(ctx: ServiceContext, what: str, since: datetime | None = None, *, layout: str = "claimbot",
         owner_email: Callable[[str], str | None] | None = None) -> Iterator[dict[str, Any]]:
    """Every row of ``what``, oldest first, streamed."""
    if what == "customers":
        plain = _paged(ctx, _customers_query(since), _c.c.id, _customer_row)
        yield from plain if layout == "claimbot" else (_crm_row(r, owner_email) for r in plain)
    elif what == "followups":
        yield from _paged(ctx, _with_customer(select(_f), _f.c.customer_id, _f.c.at, since), _f.c.id, _followup_row)
    elif what == "audit":
        yield from _paged(ctx, _with_customer(select(_e), _e.c.customer_id, _e.c.at, since), _e.c.id, _audit_row)
    elif what == "ledger":
        yield from _paged(ctx, _with_customer(select(_l), _l.c.customer_id, _l.c.at, since), _l.c.id, _ledger_row)
    elif what == "decisions":
        yield from _paged(ctx, _with_customer(select(_case), _case.c.customer_id, _case.c.created_at, since),
                          _case.c.id, _case_row)
        yield from _paged(ctx, _with_customer(select(_h), _h.c.customer_id, _h.c.created_at, since), _h.c.id,
                          _handover_row)
    else:
        raise ValueError(what)


def _paged(ctx: ServiceContext, query: Select[Any], key: Any, shape: Callable[[Any], dict[str, Any]]
           ) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        with read_session(ctx.engine) as session:
            page = session.execute(query.where(key > last).order_by(key).limit(BATCH)).mappings().all()
        if not page:
            return
        for row in page:
            yield shape(row)
        last = page[-1][key.name]


def _with_customer(query: Select[Any], customer_id: Any, at: Any, since: datetime | None) -> Select[Any]:
    query = query.add_columns(_c.c.name.label("customer_name")).join(_c, _c.c.id == customer_id)
    return query.where(at >= since) if since is not None else query


def _customers_query(since: datetime | None) -> Select[Any]:
    followups = select(_f.c.customer_id, func.count().label("n")).group_by(_f.c.customer_id).subquery()
    active: ColumnElement[bool] = and_(_o.c.customer_id == _c.c.id, _o.c.ended_at.is_(None))
    query = select(_c, _o.c.rep_id, _o.c.protected_until, func.coalesce(followups.c.n, literal(0)).label("n")) \
        .outerjoin(_o, active).outerjoin(followups, followups.c.customer_id == _c.c.id)
    return query.where(_c.c.created_at >= since) if since is not None else query


def _sid(customer_id: int) -> str:
    return f"C-{customer_id + SHORT_ID_OFFSET}"


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _customer_row(r: Any) -> dict[str, Any]:
    owned = r["rep_id"] is not None
    status = ("won" if r["stage"] == "won" else "owned") if owned else ("lost" if r["stage"] == "lost" else "pool")
    return {"id": _sid(r["id"]), "name": r["name"], "owner": r["rep_id"], "status": status, "tier": r["tier"],
            "stage": r["stage"], "protected_until": _iso(r["protected_until"]), "followups": r["n"],
            "uscc": r["uscc"], "domain": r["domain"], "phone": r["phone"], "region": r["region"],
            "industry": r["industry"], "amount": r["amount"], "created_at": _iso(r["created_at"])}


def _crm_row(row: dict[str, Any], owner_email: Callable[[str], str | None] | None) -> dict[str, Any]:
    owner = row["owner"]
    email = owner_email(owner) if owner and owner_email else None
    return {"Account Name": row["name"], "Account Owner": email or owner or "", "Phone": row["phone"] or "",
            "Website": row["domain"] or "", "Industry": row["industry"] or "", "Billing City": row["region"] or "",
            "Description": f"ClaimBot {row['id']} · tier {row['tier']} · {row['stage']}"}


def _followup_row(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "customer": _sid(r["customer_id"]), "customer_name": r["customer_name"],
            "rep": r["rep_id"], "kind": r["kind"], "note": r["note"], "at": _iso(r["at"]),
            "local_day": _iso(r["local_day"]), "qualifying": r["qualifying"], "next_contact": _iso(r["next_contact"])}


def _audit_row(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "at": _iso(r["at"]), "customer": _sid(r["customer_id"]),
            "customer_name": r["customer_name"], "kind": r["kind"], "from_rep": r["from_rep"], "to_rep": r["to_rep"],
            "actor": r["actor"], "rule": r["rule"], "reason": r["reason"]}


def _ledger_row(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "at": _iso(r["at"]), "customer": _sid(r["customer_id"]),
            "customer_name": r["customer_name"], "rep": r["rep_id"], "outcome": r["outcome"], "rule": r["rule"],
            "strategy": r["strategy"], "reason": r["reason"], "why": r["why"], "cycle": r["cycle"],
            "actor": r["actor"]}


def _case_row(r: Any) -> dict[str, Any]:
    return {"id": f"case-{r['id']}", "type": r["kind"], "customer": _sid(r["customer_id"]),
            "customer_name": r["customer_name"], "from_rep": r["owner"], "to_rep": r["claimant"],
            "opened_by": r["opened_by"], "reason": r["reason"], "status": r["status"], "decision": r["decision"],
            "share": r["claimant_share"], "decided_by": r["decided_by"], "created_at": _iso(r["created_at"]),
            "decided_at": _iso(r["decided_at"])}


def _handover_row(r: Any) -> dict[str, Any]:
    return {"id": f"handover-{r['id']}", "type": "handover", "customer": _sid(r["customer_id"]),
            "customer_name": r["customer_name"], "from_rep": r["from_rep"], "to_rep": r["to_rep"],
            "opened_by": r["requested_by"], "reason": r["reason"], "status": r["status"], "decision": None,
            "share": None, "decided_by": r["decided_by"], "created_at": _iso(r["created_at"]),
            "decided_at": _iso(r["decided_at"])}
