"""Aliases: other names of a customer that the lookup treats as its own (issue 12, docs/decisions/0020).

``/claimbot alias 腾讯 = Tencent`` (managers): one of the two names must be a customer (its name or an
alias, as /claim finds it exactly); the other becomes its alias. The alias's keys are the name keys of
bot/rules/names.py, so it is found across scripts and spellings as the customer's own name is (exact
tier: same name key; strong tier: same core key). A name that already is another customer is refused:
two customers become one by a merge, not by an alias.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.results.aliases import AliasOutcome, AliasResult
from bot.rules import text
from bot.rules.names import name_keys
from bot.services import roles
from bot.services.context import ServiceContext
from storage.engine import write_session
from storage.lookup import find_matches
from storage.models import Customer, CustomerAlias

_EQUALS = re.compile(r"\s*[=＝]\s*")


def add_alias(ctx: ServiceContext, user_id: str, typed: str, now: datetime) -> AliasResult:
    parts = _EQUALS.split(text.clean(typed), maxsplit=1)
    if len(parts) != 2:
        return AliasResult(AliasOutcome.USAGE)
    first, second = (" ".join(p.split()) for p in parts)
    if not all(text.has_word_character(n) and len(n) <= text.MAX_NAME_CHARS for n in (first, second)):
        return AliasResult(AliasOutcome.USAGE)
    try:
        with write_session(ctx.engine) as session:
            if not roles.is_manager(session, ctx, user_id):
                return AliasResult(AliasOutcome.NOT_MANAGER)
            a, b = _customer_named(session, first), _customer_named(session, second)
            if a is None and b is None:
                return AliasResult(AliasOutcome.NOT_FOUND, alias=second)
            if a is not None and b is not None:
                if a.id == b.id:
                    return AliasResult(AliasOutcome.ALREADY, a.short_id, a.name, second)
                return AliasResult(AliasOutcome.TAKEN, a.short_id, a.name, second, other=b.short_id)
            customer, alias = (a, second) if a is not None else (b, first)
            assert customer is not None and customer.id is not None
            add(session, customer.id, alias, user_id, now)
            return AliasResult(AliasOutcome.ADDED, customer.short_id, customer.name, alias)
    except IntegrityError:  # someone created a customer or alias of this name meanwhile
        return AliasResult(AliasOutcome.TAKEN, alias=second)


def add(session: Session, customer_id: int, name: str, actor: str, now: datetime, *, via: str = "command") -> bool:
    """Record ``name`` as an alias of the customer unless its name key is already taken. True when added."""
    keys = name_keys(name)
    if session.exec(select(Customer.id).where(Customer.name_key == keys.name_key)).first() is not None \
            or session.exec(select(CustomerAlias.id).where(CustomerAlias.name_key == keys.name_key)).first() is not None:
        return False
    session.add(CustomerAlias(customer_id=customer_id, name=name, name_key=keys.name_key, core_key=keys.core_key,
                              stem_key=keys.stem_key, via=via, created_by=actor, created_at=now))
    session.flush()
    return True


def _customer_named(session: Session, name: str) -> Customer | None:
    exact = find_matches(session, name_keys(name), limit=1)
    if exact and exact[0].tier == "exact":
        return session.get(Customer, exact[0].customer_id)
    return None
