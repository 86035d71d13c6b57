"""Results of bot/services/reps.py: plain values, no Slack, no database."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.results.customers import CustomerSnapshot


class OffboardOutcome(StrEnum):
    """OffboardResult.outcome: what happened."""

    DONE = "done"
    REFUSED = "refused"
    INVALID = "invalid"


@dataclass(frozen=True)
class OffboardResult:
    outcome: OffboardOutcome  # done | refused | invalid
    rep: str | None = None
    to_rep: str | None = None
    moved: tuple[CustomerSnapshot, ...] = ()
    to_pool: tuple[CustomerSnapshot, ...] = ()
    refusal: str | None = None
