"""Helpers for allocation tests: a context with allocation rules (and the [leads] and [intake] settings), and
new leads allocated the way an import does it (the customer is created and allocated in one transaction)."""

from __future__ import annotations

import random
from datetime import datetime

from sqlmodel import Session

from bot.config import (
    AllocationRule,
    AllocationSettings,
    ClaimSettings,
    IntakeSettings,
    LeadSettings,
    Settings,
    TeamSettings,
)
from bot.results.allocation import AllocationResult
from bot.rules.names import name_keys
from bot.services import allocation
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, write_session
from storage.lookup import index_names, key_columns
from storage.models import Customer

MANAGERS = ["U0MGR1", "U0MGR2"]


def make_ctx(url: str, rules: list[dict], *, holding_cap: int = 100, holding_caps: dict[str, int] | None = None,
             seed: int | None = 7, migrate_first: bool = True, leads: dict | None = None,
             intake: dict | None = None, claims: dict | None = None) -> ServiceContext:
    if migrate_first:
        migrate.upgrade(url)
    settings = Settings(
        database_url=url, team=TeamSettings(managers=MANAGERS),
        claims=ClaimSettings(holding_cap=holding_cap, **(claims or {})),
        allocation=AllocationSettings(rules=[AllocationRule(**r) for r in rules], holding_caps=holding_caps or {},
                                      seed=seed),
        leads=LeadSettings(**(leads or {})), intake=IntakeSettings(**(intake or {})),
    )
    return ServiceContext(engine=make_engine(url), settings=settings)


def add_customer(session: Session, name: str, now: datetime, *, region: str | None = None,
                 industry: str | None = None, tier: str = "B", uscc: str | None = None,
                 domain: str | None = None, phone: str | None = None) -> Customer:
    keys = name_keys(name)
    customer = Customer(name=name, **key_columns(keys), region=region, industry=industry, tier=tier, uscc=uscc, domain=domain, phone=phone,
                        created_at=now, created_by="import")
    session.add(customer)
    session.flush()
    assert customer.id is not None
    index_names(session, customer.id, keys)
    return customer


def new_lead(ctx: ServiceContext, name: str, now: datetime, *, rng: random.Random | None = None,
             **fields: object) -> AllocationResult:
    with write_session(ctx.engine) as session:
        customer = add_customer(session, name, now, **fields)  # type: ignore[arg-type]
        return allocation.allocate(session, ctx, customer, now, "import", rng=rng)
