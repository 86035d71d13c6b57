"""Plain result objects: what happened, to whom, which rule, which numbers and dates. No Slack here."""

from __future__ import annotations

import types
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """A result as JSON-native values (dates as ISO strings): the snapshot an outbox notice carries."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def from_data(cls: type[T], data: dict[str, Any]) -> T:
    """The inverse of ``to_data`` for a result dataclass, guided by its field types."""
    dataclass_: Any = cls  # a dataclass: its fields and constructor are read from it
    hints = get_type_hints(dataclass_)
    return cast(T, dataclass_(**{f.name: _typed(hints[f.name], data[f.name]) for f in fields(dataclass_)
                                 if f.name in data}))


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _typed(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        return tuple(_typed(get_args(hint)[0], v) for v in value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and is_dataclass(hint):
        return from_data(hint, value)
    return value


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

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CustomerSnapshot:
        return from_data(cls, data)


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
class CaseView:
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

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CaseView:
        return from_data(cls, data)


@dataclass(frozen=True)
class CaseResult:
    """opened | decided | expired | refused | invalid | not_found"""

    outcome: str
    case: CaseView | None = None
    refusal: str | None = None  # a catalog suffix: refusal.<code>
    managers: tuple[str, ...] = ()
    error: InputError | None = None
    lookup: Lookup | None = None
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class HandoverView:
    id: int
    customer: CustomerSnapshot
    from_rep: str
    to_rep: str
    requested_by: str
    reason: str
    status: str  # pending | rejected | transferred | declined | done
    decided_by: str | None
    decline_deadline: datetime | None
    created_at: datetime

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> HandoverView:
        return from_data(cls, data)


@dataclass(frozen=True)
class HandoverResult:
    """requested | transferred | rejected | declined | done | refused | invalid | not_found"""

    outcome: str
    handover: HandoverView | None = None
    refusal: str | None = None
    managers: tuple[str, ...] = ()
    error: InputError | None = None
    lookup: Lookup | None = None
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class OffboardResult:
    outcome: str  # done | refused | invalid
    rep: str | None = None
    to_rep: str | None = None
    moved: tuple[CustomerSnapshot, ...] = ()
    to_pool: tuple[CustomerSnapshot, ...] = ()
    refusal: str | None = None
