"""What every service needs: the engine, the settings, and the clock rules derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from bot.calendars import workday_calendar
from bot.config import Settings
from bot.rules.clocks import ClockRules, local_day


@dataclass(frozen=True)
class ServiceContext:
    engine: Engine
    settings: Settings

    @property
    def tz(self) -> str:
        return self.settings.team.timezone

    @property
    def clock_rules(self) -> ClockRules:
        c = self.settings.claims
        return ClockRules(
            first_followup_days=c.first_followup_days,
            followup_timeout_days=dict(c.followup_timeout_days),
            progress_timeout_days=dict(c.progress_timeout_days),
            max_protection_days=c.max_protection_days,
            count=c.count,
            is_workday=workday_calendar(c.holiday_calendar, extra_holidays=c.extra_holidays,
                                        extra_workdays=c.extra_workdays) if c.count == "working_days" else None,
        )

    def holding_cap(self, rep_id: str | None) -> int:
        """The rep's holding cap: the team's, or the rep's own when lower (the lowest cap wins)."""
        caps = [self.settings.claims.holding_cap]
        if rep_id in self.settings.allocation.holding_caps:
            caps.append(self.settings.allocation.holding_caps[rep_id])
        return min(caps)

    def today(self, now: datetime) -> date:
        return local_day(now, self.tz)
