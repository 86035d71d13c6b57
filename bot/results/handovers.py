"""Results of bot/services/handovers.py: plain values, no Slack, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.results.customers import CustomerSnapshot, InputError, Lookup
from bot.results.data import Snapshot


@dataclass(frozen=True)
class HandoverView(Snapshot):
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



class HandoverOutcome(StrEnum):
    """HandoverResult.outcome: what happened."""

    REQUESTED = "requested"
    TRANSFERRED = "transferred"
    REJECTED = "rejected"
    DECLINED = "declined"
    ASSIGNED = "assigned"
    REFUSED = "refused"
    INVALID = "invalid"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class HandoverResult:
    """requested | transferred | rejected | declined | done | refused | invalid | not_found"""

    outcome: HandoverOutcome
    handover: HandoverView | None = None
    refusal: str | None = None
    managers: tuple[str, ...] = ()
    error: InputError | None = None
    lookup: Lookup | None = None
    detail: dict[str, object] = field(default_factory=dict)
