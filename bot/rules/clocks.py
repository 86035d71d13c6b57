"""The two protection clocks of PRODUCT 3.2, the first-follow-up deadline and the ceiling.

Pure: every function takes ``now`` or the event times it needs. Days are calendar days in the
team's time zone, or working days when ``ClockRules.count`` says so (the calendar comes in as a plain
``is_workday`` callable, built in bot/calendars.py); a protection "until" date is the last local day on
which the customer is still protected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

FOLLOWUP_KINDS = ("call", "visit", "meeting", "email", "wechat", "other")
STAGES = ("lead", "contacted", "qualified", "proposal", "won", "lost")
ACTIVE_STAGES = ("lead", "contacted", "qualified", "proposal")


@dataclass(frozen=True)
class ClockRules:
    first_followup_days: int
    followup_timeout_days: dict[str, int]
    progress_timeout_days: dict[str, int]
    max_protection_days: int
    count: str = "calendar_days"  # calendar_days | working_days (docs/decisions/0005)
    is_workday: Callable[[date], bool] | None = None  # needed for working_days

    def after(self, day: date, n: int) -> date:
        """``n`` days after ``day`` as these rules count days."""
        if self.count == "working_days":
            if self.is_workday is None:
                raise ValueError("working_days needs an is_workday calendar")
            return nth_working_day_after(day, n, self.is_workday)
        return day + timedelta(days=n)


@lru_cache(maxsize=65536)
def nth_working_day_after(day: date, n: int, is_workday: Callable[[date], bool]) -> date:
    """The ``n``-th working day after ``day``; ``day`` itself never counts, worked or not. ``n`` <= 0: ``day``.

    Memoised per calendar (the callable must be hashable by value): the sweeps ask for the same few
    start days and lengths over and over.
    """
    current, left = day, n
    while left > 0:
        current += timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


@dataclass(frozen=True)
class Protection:
    """Why and until when an ownership is protected. ``until`` None means never recycled."""

    until: date | None
    clock: str | None  # first_followup | followup | progress | ceiling
    first_followup_due: date | None
    followup_due: date
    progress_due: date
    ceiling: date


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware one: SQLite hands back naive datetimes, which are UTC here."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def local_day_start(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


def protection(
    rules: ClockRules,
    *,
    tier: str,
    stage: str,
    tz: str,
    started_at: datetime,
    last_followup_at: datetime | None,
    last_progress_at: datetime,
) -> Protection:
    """The deadline that ends protection first, and which clock it is."""
    start = local_day(started_at, tz)
    first_due = None
    if last_followup_at is None:
        first_due = rules.after(start, rules.first_followup_days)
        followup_due = first_due
    else:
        followup_due = rules.after(local_day(last_followup_at, tz), rules.followup_timeout_days[tier])
    progress_due = rules.after(local_day(last_progress_at, tz), rules.progress_timeout_days[tier])
    ceiling = rules.after(start, rules.max_protection_days)
    if stage == "won":
        return Protection(None, None, first_due, followup_due, progress_due, ceiling)
    candidates = [
        (followup_due, "first_followup" if first_due else "followup"),
        (progress_due, "progress"),
        (ceiling, "ceiling"),
    ]
    until, clock = min(candidates, key=lambda c: c[0])
    return Protection(until, clock, first_due, followup_due, progress_due, ceiling)


def days_left(until: date | None, today: date) -> int | None:
    return None if until is None else (until - today).days


def next_reminder(until: date | None, today: date, days_before: list[int]) -> date | None:
    """The next day on which the owner will be reminded that protection is ending."""
    if until is None:
        return None
    upcoming = sorted(until - timedelta(days=n) for n in days_before)
    return next((d for d in upcoming if d >= today), None)


def is_stage_advance(from_stage: str, to_stage: str) -> bool:
    """Moving forward through the funnel (won counts; lost and going back do not)."""
    if to_stage == "won":
        return from_stage != "won"
    if to_stage == "lost" or from_stage in ("won", "lost"):
        return False
    return ACTIVE_STAGES.index(to_stage) > ACTIVE_STAGES.index(from_stage)
