"""Scheduled jobs: each reads `now`, asks a service what is due, and hands messages to delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.services.context import ServiceContext


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str  # for `claimbot jobs list`
    run: Callable[[ServiceContext, datetime], str]  # returns a one-line summary


def registry() -> dict[str, Job]:
    from bot.jobs import deadlines

    jobs = [Job("deadlines", "every 15 minutes", deadlines.run)]
    return {job.name: job for job in jobs}
