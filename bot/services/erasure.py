"""Erasing a contact's personal data on request (PIPL/GDPR; `claimbot forget`, docs/decisions/0021).

ClaimBot stores customers (companies), so a person's data sits in two kinds of place: a customer's contact
phone, and the free text reps type — follow-up notes, complaints, release, dispute and handover reasons —
which may hold a contact's name, phone, e-mail or WeChat id, and the notices built from them (outbox).

- ``--customer C-1042``: that customer's contact phone is cleared and every free text about it is replaced
  by ``ERASED``: the rows stay (who claimed, followed up, decided what, when) so scores, clocks and the
  ownership audit trail are unchanged; only the words go.
- ``--value TEXT`` (a name, phone, e-mail, WeChat id; repeatable): every occurrence in any free text, any
  contact phone equal to it, and the notices is replaced by ``ERASED``.

One transaction; an ``Erasure`` row records who, why, and how many fields of which kind changed, never the
values. Backups made before the erasure still hold them: they age out with the backups (see the README).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from bot.results.erasure import ErasureOutcome, ErasureResult
from bot.rules import text
from bot.rules.identifiers import InvalidIdentifier, normalize_phone
from bot.services.context import ServiceContext
from bot.services.snapshots import customer_by_short_id
from storage.engine import write_session
from storage.models import (
    Case,
    Complaint,
    Customer,
    Erasure,
    FollowUp,
    Handover,
    Outbox,
    OwnershipEvent,
)

ERASED = "[已删除 erased]"
MIN_VALUE_CHARS = 2  # a two-character Chinese name is a name; one character would erase far too much
USER_TEXT_EVENTS = ("release", "lost")  # ownership events whose reason is what a rep typed


class _Rollback(Exception):
    """Ends a dry run's transaction after counting."""


def forget(ctx: ServiceContext, *, actor: str, reason: str, now: datetime, customer_ref: str | None = None,
           values: list[str] | tuple[str, ...] = (), dry_run: bool = False) -> ErasureResult:
    wanted = sorted({v.strip() for v in values if v.strip()}, key=len, reverse=True)  # longest first
    if not customer_ref and not wanted:
        return ErasureResult(ErasureOutcome.BAD_REQUEST, detail="name a customer (--customer) or values (--value)")
    short = [v for v in wanted if len(v) < MIN_VALUE_CHARS]
    if short or not reason.strip() or not actor.strip():
        return ErasureResult(ErasureOutcome.BAD_REQUEST, detail="say who asks and why (--by, --reason); values need "
                             f"at least {MIN_VALUE_CHARS} characters")
    changed: Counter[str] = Counter()
    try:
        with write_session(ctx.engine) as session:
            customer: Customer | None = None
            if customer_ref:
                number = text.short_id_number(customer_ref)
                customer = customer_by_short_id(session, number) if number is not None else None
                if customer is None:
                    return ErasureResult(ErasureOutcome.NO_SUCH_CUSTOMER, detail=customer_ref)
                wanted += _erase_customer(session, customer, changed)
            if wanted:
                _erase_values(session, wanted, changed)
            if dry_run:
                raise _Rollback
            audit = Erasure(actor=actor, reason=reason.strip(), customer_id=customer.id if customer else None,
                            values_given=len({v.strip() for v in values if v.strip()}),
                            fields=json.dumps(dict(sorted(changed.items()))), at=now)
            session.add(audit)
            session.flush()
            erasure_id = audit.id
    except _Rollback:
        return ErasureResult(ErasureOutcome.ERASED if changed else ErasureOutcome.NOTHING_FOUND, dict(changed),
                             dry_run=True)
    return ErasureResult(ErasureOutcome.ERASED if changed else ErasureOutcome.NOTHING_FOUND, dict(changed), erasure_id)


def _erase_customer(session: Session, customer: Customer, changed: Counter[str]) -> list[str]:
    """The customer's own contact fields and free texts. Returns the erased texts, to find them elsewhere too."""
    found: list[str] = []

    def clear(row: SQLModel, field: str) -> None:
        value = getattr(row, field)
        if value and value != ERASED:
            found.append(value)
            setattr(row, field, ERASED)
            session.add(row)
            changed[f"{row.__tablename__}.{field}"] += 1

    if customer.phone:
        found.append(customer.phone)
        customer.phone = None
        session.add(customer)
        changed["customer.phone"] += 1
    cid = customer.id
    for note in session.exec(select(FollowUp).where(FollowUp.customer_id == cid)).all():
        clear(note, "note")
    for complaint in session.exec(select(Complaint).where(Complaint.customer_id == cid)).all():
        clear(complaint, "text")
        clear(complaint, "resolution")
    for case in session.exec(select(Case).where(Case.customer_id == cid)).all():
        clear(case, "reason")
    for handover in session.exec(select(Handover).where(Handover.customer_id == cid)).all():
        clear(handover, "reason")
    for event in session.exec(select(OwnershipEvent).where(OwnershipEvent.customer_id == cid,
                                                           col(OwnershipEvent.kind).in_(USER_TEXT_EVENTS))).all():
        clear(event, "reason")
    return sorted({v for v in found if len(v) >= MIN_VALUE_CHARS}, key=len, reverse=True)


def _scrub(value: str, wanted: list[str]) -> str:
    for w in wanted:
        value = re.sub(re.escape(w), ERASED, value, flags=re.IGNORECASE)
    return value


def _scrub_json(value: Any, wanted: list[str]) -> Any:
    if isinstance(value, str):
        return _scrub(value, wanted)
    if isinstance(value, list):
        return [_scrub_json(v, wanted) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, wanted) for k, v in value.items()}
    return value


def _erase_values(session: Session, wanted: list[str], changed: Counter[str]) -> None:
    phones = set(wanted)
    for w in list(wanted):
        with contextlib.suppress(InvalidIdentifier):
            e164 = normalize_phone(w)
            phones.add(e164)
            national = str(phonenumbers.parse(e164).national_number)  # 13800138000 for +8613800138000
            if national not in wanted:
                wanted.append(national)  # as reps usually type it in a note
    wanted.sort(key=len, reverse=True)
    for customer in session.exec(select(Customer).where(col(Customer.phone).in_(sorted(phones)))).all():
        customer.phone = None
        session.add(customer)
        changed["customer.phone"] += 1
    columns: list[tuple[type[SQLModel], str]] = [(FollowUp, "note"), (Complaint, "text"), (Complaint, "resolution"),
                                                 (Case, "reason"), (Handover, "reason"), (OwnershipEvent, "reason")]
    for model, name in columns:
        column: Any = getattr(model, name)
        # LIKE finds the candidates (case-insensitive enough for ASCII on both databases); Python replaces
        hits = session.exec(select(model).where(or_(*(column.ilike(f"%{_like(w)}%", escape="\\") for w in wanted)))).all()
        for row in hits:
            old = getattr(row, name)
            new = _scrub(old, wanted)
            if new != old:
                setattr(row, name, new)
                session.add(row)
                changed[f"{model.__tablename__}.{name}"] += 1
    for notice in session.exec(select(Outbox).where(or_(*(col(Outbox.data).ilike(f"%{_like(w)}%", escape="\\")
                                                          for w in _json_forms(wanted))))).all():
        data = json.dumps(_scrub_json(json.loads(notice.data), wanted), ensure_ascii=False)
        if data != notice.data:
            notice.data = data
            session.add(notice)
            changed["outbox.data"] += 1


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_forms(wanted: list[str]) -> list[str]:
    """How each value appears inside stored JSON (quotes and backslashes escaped, non-ASCII as is)."""
    return sorted({json.dumps(w, ensure_ascii=False)[1:-1] for w in wanted})
