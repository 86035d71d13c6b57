"""Changing the clock rules (PRODUCT 3.2): tightening never recycles anything within a grace period.

Pure. A rule change is a new version of the clock settings that takes effect on a day ``C``. For one
ownership whose deadline was ``old`` under the previous rules and is ``new`` under the new ones, the
deadline that counts is

    max(new, min(old, C + grace_days))

so loosening (new later) applies at once, and tightening (new earlier) moves the deadline no earlier
than ``C + grace_days`` — nor later than it was. ``None`` ("never recycled", a won customer) is later
than every date. Several changes fold one after the other, each against the deadline that counted
before it; only changes made while the ownership existed count (its clocks started under the rules then
in force). See docs/decisions/0005-working-days-and-rule-changes.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.rules.clocks import ClockRules, Protection, local_day, protection

GRACE_CLOCK = "grace"  # the deadline is the end of a rule change's grace period


@dataclass(frozen=True)
class RuleVersion:
    """The clock rules in force from ``effective_at`` on (until the next version)."""

    version: int
    rules: ClockRules
    effective_at: datetime


def effective_until(old: date | None, new: date | None, change_day: date, grace_days: int) -> date | None:
    """The deadline after one change: max(new, min(old, change_day + grace_days)); None is never."""
    if new is None:
        return None
    grace_end = change_day + timedelta(days=grace_days)
    held = grace_end if old is None else min(old, grace_end)
    return max(new, held)


def protection_across_versions(
    versions: Sequence[RuleVersion],
    *,
    grace_days: int,
    tier: str,
    stage: str,
    tz: str,
    started_at: datetime,
    last_followup_at: datetime | None,
    last_progress_at: datetime,
) -> Protection:
    """``protection()`` under the last version, held back by the grace of every change since the start.

    ``versions`` oldest first, the last being the rules in force; at least one.
    """
    if not versions:
        raise ValueError("at least one rule version is needed")
    base = 0
    for i, v in enumerate(versions):
        if v.effective_at <= started_at:
            base = i

    def under(rules: ClockRules) -> Protection:
        return protection(rules, tier=tier, stage=stage, tz=tz, started_at=started_at,
                          last_followup_at=last_followup_at, last_progress_at=last_progress_at)

    held = under(versions[base].rules)
    for change in versions[base + 1:]:
        new = under(change.rules)
        until = effective_until(held.until, new.until, local_day(change.effective_at, tz), grace_days)
        if until == new.until:
            held = new
        elif until == held.until:
            held = replace(new, until=until, clock=held.clock)
        else:
            held = replace(new, until=until, clock=GRACE_CLOCK)
    return held
