"""Caps and cooldown of PRODUCT 3.3. Pure: counts and dates come in, a verdict goes out.

Each rule is written here once, and every path that gives a rep a customer asks it: a claim (and the
pool's *Claim* button), a handover's request and approval, ``/assign``, a dispute's transfer, automatic
allocation, offboarding and the import.

- **holding cap**: the most active, non-won customers a rep may hold. The team's cap, or the rep's own
  when lower (the lowest cap wins). A rep at the cap gets nothing new: ``holding < cap`` admits one more.
- **daily claim cap**: the most claims a rep may make per local day.
- **cooldown**: a rep who released, lost or had a customer recycled may not have it again before the
  local day of that end plus ``reclaim_cooldown_days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

HOLDING_CAP = "holding_cap"
DAILY_CLAIM_CAP = "daily_claim_cap"
COOLDOWN = "cooldown"

# how an ownership ended when its rep must wait before having the customer again
COOLDOWN_REASONS = ("released", "recycled", "lost")


@dataclass(frozen=True)
class CapVerdict:
    allowed: bool
    rule: str | None = None  # holding_cap | daily_claim_cap | cooldown: the rule that refused
    limit: int | None = None  # the cap in force (the cooldown: its days)
    count: int | None = None  # the rep's count against it (the cooldown: None)
    until: date | None = None  # the cooldown: the first day allowed


ALLOWED = CapVerdict(True)


def holding_cap(team_cap: int, own_cap: int | None = None) -> int:
    """The rep's holding cap: the team's, or the rep's own when lower (the lowest cap wins)."""
    return team_cap if own_cap is None else min(team_cap, own_cap)


def check_holding(holding: int, cap: int) -> CapVerdict:
    """May a rep who holds ``holding`` active, non-won customers take one more under ``cap``?
    The verdict carries the cap and the holding either way."""
    return CapVerdict(holding < cap, None if holding < cap else HOLDING_CAP, cap, holding)


def room(holding: int, cap: int) -> int:
    """How many more customers that count toward the cap the rep may take."""
    return max(cap - holding, 0)


def check_daily(claimed_today: int, cap: int) -> CapVerdict:
    """May a rep who claimed ``claimed_today`` customers today claim one more?"""
    if claimed_today >= cap:
        return CapVerdict(False, DAILY_CLAIM_CAP, cap, claimed_today)
    return ALLOWED


def cooldown_until(given_up_on: date, cooldown_days: int) -> date:
    """The first local day a rep who gave a customer up on ``given_up_on`` may have it again."""
    return given_up_on + timedelta(days=cooldown_days)


def check_cooldown(given_up_on: date | None, cooldown_days: int, today: date) -> CapVerdict:
    """May the rep have this customer again today? ``given_up_on``: the local day the rep last released,
    lost or had it recycled (None: never)."""
    free_on = cooldown_until(given_up_on, cooldown_days) if given_up_on is not None else None
    if cooling_down(free_on, today):
        return CapVerdict(False, COOLDOWN, cooldown_days, None, free_on)
    return ALLOWED


def cooling_down(free_on: date | None, today: date) -> bool:
    """Is a rep whose cooldown ends on ``free_on`` (None: none) still waiting today?"""
    return free_on is not None and today < free_on


def check_claim(*, holding: int, holding_cap: int, claimed_today: int, daily_cap: int,
                given_up_on: date | None, cooldown_days: int, today: date) -> CapVerdict:
    """May this rep claim this customer now? The holding cap first, then the daily cap, then the cooldown."""
    for verdict in (check_holding(holding, holding_cap), check_daily(claimed_today, daily_cap),
                    check_cooldown(given_up_on, cooldown_days, today)):
        if not verdict.allowed:
            return verdict
    return ALLOWED
