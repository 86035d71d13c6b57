"""Results of bot/services/customers.py: plain values, no Slack, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.results.data import Snapshot


@dataclass(frozen=True)
class CustomerSnapshot(Snapshot):
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
class MyCustomers:
    rows: tuple[CustomerSnapshot, ...]
    total: int
