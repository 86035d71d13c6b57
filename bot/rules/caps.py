"""Caps and cooldown of PRODUCT 3.3. Pure: counts and dates come in, a verdict goes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class CapVerdict:
    allowed: bool
    rule: str | None = None  # holding_cap | daily_claim_cap | cooldown
    limit: int | None = None
    count: int | None = None
    until: date | None = None


def check_claim(
    *,
    holding: int,
    holding_caps: list[int],
    claimed_today: int,
    daily_caps: list[int],
    last_lost_day: date | None,
    cooldown_days: int,
    today: date,
) -> CapVerdict:
    """May this rep claim this customer now? When several caps apply, the lowest wins."""
    holding_cap = min(holding_caps)
    if holding >= holding_cap:
        return CapVerdict(False, "holding_cap", holding_cap, holding)
    daily_cap = min(daily_caps)
    if claimed_today >= daily_cap:
        return CapVerdict(False, "daily_claim_cap", daily_cap, claimed_today)
    if last_lost_day is not None:
        free_on = last_lost_day + timedelta(days=cooldown_days)
        if today < free_on:
            return CapVerdict(False, "cooldown", cooldown_days, None, free_on)
    return CapVerdict(True)
