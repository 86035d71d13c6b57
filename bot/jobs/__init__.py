"""Scheduled jobs: each reads `now`, asks a service what is due, and leaves notices in the outbox.

Daily jobs record their slot (the local day) in ``job_run``; running one twice, from two processes or
after a restart, decides nothing twice because every notice has a unique key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.services.context import ServiceContext


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[ServiceContext, datetime], str]  # returns a one-line summary
    at: str | None = None  # daily, at this local time
    every_seconds: int | None = None  # or at this interval

    def describe(self) -> str:
        if self.at:
            return f"daily at {self.at}"
        return f"every {self.every_seconds} seconds"


def registry(ctx: ServiceContext) -> dict[str, Job]:
    from bot.jobs import clocks, deadlines, scoreboard

    s = ctx.settings.schedule
    jobs = [
        Job("recycle", clocks.recycle, at=s.recycle),
        Job("reminders", clocks.reminders, at=s.reminders),
        Job("deadlines", deadlines.run, every_seconds=s.deadlines_every_minutes * 60),
        Job("digest", scoreboard.digest, at=s.digest),
        Job("leaderboard", scoreboard.leaderboard, at=s.leaderboard),
    ]
    return {job.name: job for job in jobs}
