"""Results of bot/services/disputes.py: plain values, no Slack, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.results.customers import CustomerSnapshot, InputError, Lookup
from bot.results.data import Snapshot


@dataclass(frozen=True)
class Evidence:
    """What both sides of a collision would accept as facts. Never the notes' text."""

    owner_since: datetime
    owner_first_claim: datetime | None
    claimant_first_claim: datetime | None
    owner_last_followup: date | None
    claimant_last_followup: date | None
    owner_followups: int
    claimant_followups: int
    stage: str


@dataclass(frozen=True)
class CaseView(Snapshot):
    id: int
    kind: str  # dispute | appeal
    parent_id: int | None
    customer: CustomerSnapshot
    claimant: str
    owner: str
    opened_by: str
    reason: str
    status: str  # pending | decided | expired
    decision: str | None
    claimant_share: int | None
    decided_by: str | None
    decided_at: datetime | None
    deadline: datetime
    excluded_decider: str | None
    created_at: datetime | None = None
    evidence: Evidence | None = None
    appealable_by: tuple[str, ...] = ()
    appeal_until: datetime | None = None



class CaseOutcome(StrEnum):
    """CaseResult.outcome: what happened."""

    OPENED = "opened"
    DECIDED = "decided"
    EXPIRED = "expired"
    REFUSED = "refused"
    INVALID = "invalid"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class CaseResult:
    """opened | decided | expired | refused | invalid | not_found"""

    outcome: CaseOutcome
    case: CaseView | None = None
    refusal: str | None = None  # a catalog suffix: refusal.<code>
    managers: tuple[str, ...] = ()
    error: InputError | None = None
    lookup: Lookup | None = None
    detail: dict[str, object] = field(default_factory=dict)
