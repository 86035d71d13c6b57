"""Plain result objects: what happened, to whom, which rule, which numbers and dates. No Slack here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class CustomerSnapshot:
    id: int
    short_id: str
    name: str
    tier: str
    stage: str
    owner: str | None
    protected_until: date | None
    clock: str | None
    last_activity: date | None
    first_followup_due: date | None = None
    amount: float | None = None


@dataclass(frozen=True)
class Candidate:
    customer: CustomerSnapshot
    tier: str  # strong | fuzzy
    why: str
    score: float


@dataclass(frozen=True)
class InputError:
    """Bad input: nothing was written. ``code`` is a catalog key, ``params`` its placeholders."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ClaimResult:
    # created | claimed | already_yours | owned_by_other | confirm | refused | invalid
    outcome: str
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


@dataclass(frozen=True)
class Lookup:
    """Resolving a customer reference for commands other than /claim."""

    customer: CustomerSnapshot | None
    suggestions: tuple[Candidate, ...] = ()
    error: InputError | None = None


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    at: datetime
    from_rep: str | None
    to_rep: str | None
    actor: str
    rule: str
    reason: str | None


@dataclass(frozen=True)
class CustomerDetails:
    lookup: Lookup
    history: tuple[HistoryEntry, ...] = ()
    followups: int = 0
    last_followup: date | None = None


@dataclass(frozen=True)
class ActionResult:
    """Outcome of follow-up, stage and release: ok, or refused with a reason code."""

    # logged | not_qualifying | changed | same | released | not_owner | not_found | invalid | closed
    outcome: str
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


@dataclass(frozen=True)
class MyCustomers:
    rows: tuple[CustomerSnapshot, ...]
    total: int
