"""Results of bot/services/claims.py: plain values, no Slack, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.results.customers import Candidate, CustomerSnapshot, InputError, Lookup


class ClaimOutcome(StrEnum):
    """ClaimResult.outcome: what happened."""

    CREATED = "created"
    CLAIMED = "claimed"
    ALREADY_YOURS = "already_yours"
    OWNED_BY_OTHER = "owned_by_other"
    CONFIRM = "confirm"
    REFUSED = "refused"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    OFFERED = "offered"  # a new lead offered to a rep: nobody else may claim it until they answer


@dataclass(frozen=True)
class ClaimResult:
    # created | claimed | already_yours | owned_by_other | confirm | refused | invalid
    outcome: ClaimOutcome
    customer: CustomerSnapshot | None = None
    candidates: tuple[Candidate, ...] = ()
    rule: str | None = None
    limit: int | None = None
    count: int | None = None
    until: date | None = None
    next_reminder: date | None = None
    days_left: int | None = None
    flagged_for_review: bool = False
    error: InputError | None = None
    query: str = ""
    offered_to: str | None = None  # offered: to whom, until ``offered_until``
    offered_until: datetime | None = None


class ActionOutcome(StrEnum):
    """ActionResult.outcome: what happened."""

    LOGGED = "logged"
    NOT_QUALIFYING = "not_qualifying"
    CHANGED = "changed"
    SAME = "same"
    RELEASED = "released"
    NOT_OWNER = "not_owner"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    CLOSED = "closed"


@dataclass(frozen=True)
class ActionResult:
    """Outcome of follow-up, stage and release: ok, or refused with a reason code."""

    # logged | not_qualifying | changed | same | released | not_owner | not_found | invalid | closed
    outcome: ActionOutcome
    lookup: Lookup | None = None
    customer: CustomerSnapshot | None = None
    detail: str | None = None  # e.g. short | same_day; advance | back | won | lost
    kind: str | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    amount: float | None = None
    until: date | None = None
    reason: str | None = None
    error: InputError | None = None
