"""Results of bot/services/review.py: the managers' queue of probable duplicates. Plain values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReviewOutcome(StrEnum):
    LISTED = "listed"
    NOT_MANAGER = "not_manager"
    DONE = "done"  # "not the same" recorded
    GONE = "gone"  # the customer is no longer flagged, or the pair is unknown


@dataclass(frozen=True)
class ReviewCandidate:
    id: int
    short_id: str
    name: str
    owner: str | None
    tier: str  # strong | fuzzy | exact
    why: str  # core | fuzzy | alias | name | …
    score: float


@dataclass(frozen=True)
class ReviewItem:
    id: int
    short_id: str
    name: str
    owner: str | None
    created_by: str | None
    candidates: tuple[ReviewCandidate, ...]


@dataclass(frozen=True)
class ReviewQueue:
    outcome: ReviewOutcome
    items: tuple[ReviewItem, ...] = ()
    total: int = 0  # flagged customers in all (the page shows the oldest)
    cleared: str = ""  # DONE: the short id of the customer the answer was about
