"""Scheduled jobs: each reads `now`, asks a service what is due, and leaves notices in the outbox.

Daily jobs record their slot (the local day) in ``job_run``, weekly ones the ISO week they report;
running one twice, from two processes or after a restart, decides nothing twice because every notice has
a unique key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.rules import weeks
from bot.services.context import ServiceContext


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[ServiceContext, datetime], str]  # returns a one-line summary
    at: str | None = None  # daily, at this local time
    every_seconds: int | None = None  # or at this interval
    weekday: str | None = None  # with ``at``: weekly, on this day (cron's day_of_week: mon … sun)
    slot_of: Callable[[date], str] | None = None  # job_run slot of a run on a local day (default: the day)

    def describe(self) -> str:
        if self.at and self.weekday:
            return f"weekly on {self.weekday} at {self.at}"
        if self.at:
            return f"daily at {self.at}"
        return f"every {self.every_seconds} seconds"

    def slot(self, day_local: date) -> str:
        return self.slot_of(day_local) if self.slot_of else day_local.isoformat()

    def time_passed(self, local: datetime) -> bool:
        """Has this day's (weekly: this week's) run time passed at the local time ``local``?"""
        if not self.at:
            return False
        if self.weekday and local.weekday() != weeks.weekday_index(self.weekday):
            return local.weekday() > weeks.weekday_index(self.weekday)
        return local.strftime("%H:%M") >= self.at.zfill(5)


def registry(ctx: ServiceContext) -> dict[str, Job]:
    from bot.jobs import clocks, deadlines, doctor, scoreboard, weekly

    s = ctx.settings.schedule
    jobs = [
        Job("recycle", clocks.recycle, at=s.recycle),
        Job("reminders", clocks.reminders, at=s.reminders),
        Job("deadlines", deadlines.run, every_seconds=s.deadlines_every_minutes * 60),
        Job("digest", scoreboard.digest, at=s.digest),
        Job("leaderboard", scoreboard.leaderboard, at=s.leaderboard),
        Job("weekly", weekly.run, at=s.weekly, weekday=s.weekly_day, slot_of=weekly.slot),
        Job("doctor", doctor.run, at=s.weekly, weekday=s.weekly_day, slot_of=doctor.slot),
    ]
    return {job.name: job for job in jobs}
