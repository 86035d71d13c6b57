"""Plain results of browsing the pool (公海) and claiming from it. No database, no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.results.claims import ClaimResult
from bot.results.customers import InputError


@dataclass(frozen=True)
class PoolEntry:
    id: int
    short_id: str
    name: str
    tier: str
    stage: str
    region: str | None
    industry: str | None
    # How it came to the pool: release | recycle | lost (the last such event), or None: never owned
    how: str | None
    since: date  # local day it returned (or, never owned, was created)
    by: str | None = None  # the rep it returned from
    reason: str | None = None  # a release's reason as the rep wrote it
    clock: str | None = None  # a recycle: the clock that ran out …
    clock_until: date | None = None  # … and its last protected day


@dataclass(frozen=True)
class PoolPage:
    entries: tuple[PoolEntry, ...] = ()
    typed: str = ""  # the filter as typed
    cursor: str | None = None  # where this page starts (None: the first page)
    next_cursor: str | None = None  # where the next one starts (None: this is the last)
    page: int = 1
    total: int | None = None  # customers in the pool that pass the filter
    error: InputError | None = None


@dataclass(frozen=True)
class PoolClaim:
    """A *Claim* button's answer: the claim's result, and the page it was pressed on, as it is now."""

    claim: ClaimResult
    page: PoolPage
