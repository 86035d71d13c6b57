"""Results of leads that arrive by themselves (bot/services/leads.py) and of their reports. No Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.results.customers import Lookup
from bot.rules.leads import FieldError


class IntakeOutcome(StrEnum):
    """IntakeResult.outcome: how the request was taken."""

    CREATED = "created"  # a new lead: 201
    REPEAT = "repeat"  # the same external_id / Idempotency-Key again: 200, the first answer
    INVALID = "invalid"  # 400, the field named; nothing written
    REFUSED = "refused"  # /lead by someone who is not a manager


class LeadStatus(StrEnum):
    """What became of a lead (the ``status`` of the answer)."""

    OFFERED = "offered"  # offered to a rep, who may accept or pass
    EXISTING = "existing"  # an owned customer: its owner was told of the enquiry
    POOL = "pool"  # nobody could be offered it: it waits in the pool, the managers told
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class IntakeResult:
    outcome: IntakeOutcome
    answer: dict[str, Any]  # the JSON body: customer, status, owner, offered_to, rule, until, lead
    error: FieldError | None = None

    @property
    def status(self) -> str:
        return str(self.answer.get("status") or "")


class OfferOutcome(StrEnum):
    """OfferResult.outcome: what an Accept or a Pass did."""

    ACCEPTED = "accepted"
    PASSED = "passed"
    NOT_YOURS = "not_yours"
    CLOSED = "closed"  # already accepted, passed, timed out or withdrawn
    AT_CAP = "at_cap"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class OfferResult:
    outcome: OfferOutcome
    offer_id: int | None = None
    customer_id: int | None = None
    short_id: str = ""
    name: str = ""
    status: str | None = None  # the offer's status when it was already closed
    next_rep: str | None = None  # a pass: who is offered it now (None: the pool)
    until: datetime | None = None  # passed: the next offer's deadline
    protected_until: date | None = None  # accepted: the new owner's protection
    holding: int | None = None
    cap: int | None = None


@dataclass(frozen=True)
class WhyResult:
    """`/claimbot why C-1042`: the customer and its allocation ledger, oldest first."""

    lookup: Lookup
    entries: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SourceStats:
    source: str
    leads: int
    new: int  # created a customer
    existing: int  # went to the owner as an enquiry
    accepted: int
    won: int
    won_amount: float
    median_accept_minutes: float | None

    @property
    def conversion(self) -> float:
        return self.won / self.leads if self.leads else 0.0


@dataclass(frozen=True)
class SourcesReport:
    since: datetime
    until: datetime
    sources: tuple[SourceStats, ...]
