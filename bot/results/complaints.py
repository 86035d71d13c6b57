"""Plain results of customer complaints (客户投诉, PRODUCT 3.8). No database, no Slack.

A ``ComplaintView`` is also the JSON snapshot carried by the complaint's outbox notices
(``to_data``/``from_data`` round-trip), so a notice renders the complaint as it was decided.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.results.customers import InputError, Lookup


@dataclass(frozen=True)
class ComplaintView:
    id: int
    customer_id: int
    short_id: str
    customer_name: str
    owner: str | None  # who owned the customer when it was logged (None: it was in the pool)
    raised_by: str
    text: str  # user text: escape when shown
    raised_at: datetime
    due_on: date  # the last local day to resolve it; overdue from the next day
    status: str  # open | resolved
    resolution: str | None = None  # user text
    resolved_by: str | None = None
    resolved_at: datetime | None = None

    def days_overdue(self, day: date) -> int:
        """Calendar days past the due day on ``day`` (0 while not overdue, and once resolved)."""
        return max(0, (day - self.due_on).days) if self.status == "open" else 0

    def may_resolve(self, user_id: str, is_manager: bool) -> bool:
        """The owner when it was logged, or a manager."""
        return is_manager or (self.owner is not None and user_id == self.owner)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("raised_at", "due_on", "resolved_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ComplaintView:
        values = dict(data)
        values["raised_at"] = datetime.fromisoformat(values["raised_at"])
        values["due_on"] = date.fromisoformat(values["due_on"])
        values["resolved_at"] = datetime.fromisoformat(values["resolved_at"]) if values.get("resolved_at") else None
        return cls(**values)


class ComplaintOutcome(StrEnum):
    """ComplaintResult.outcome: what happened."""

    LOGGED = "logged"
    RESOLVED = "resolved"
    MAY_RESOLVE = "may_resolve"
    REFUSED = "refused"
    INVALID = "invalid"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ComplaintResult:
    # logged | resolved | may_resolve | refused | invalid | not_found
    outcome: ComplaintOutcome
    complaint: ComplaintView | None = None
    lookup: Lookup | None = None  # not_found: what the name matched instead
    error: InputError | None = None
    refusal: str | None = None  # not_allowed | already_resolved
    told: tuple[str, ...] = ()  # logged: who is being told (the owner, and managers by DM or the channel)
    query: str = ""  # the customer as typed (for "not found")


@dataclass(frozen=True)
class ComplaintCounts:
    """A rep's complaints for the scorecard: against customers they owned when each was logged."""

    opened: int = 0  # logged on the period's local days
    open: int = 0  # open now, whenever logged
    overdue: int = 0  # open now and past their due day
    resolved: int = 0  # resolved on the period's local days
