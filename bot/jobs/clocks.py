"""The recycle (02:00) and reminder (09:00) jobs."""

from __future__ import annotations

from datetime import datetime

from bot.services import jobruns, sweeps
from bot.services.context import ServiceContext


def recycle(ctx: ServiceContext, now: datetime) -> str:
    with jobruns.slot(ctx, "recycle", ctx.today(now).isoformat(), now) as run:
        result = sweeps.recycle_due(ctx, now)
        run.summary = f"{result.recycled} recycled, {result.refreshed} deadlines refreshed"
    return run.summary


def reminders(ctx: ServiceContext, now: datetime) -> str:
    with jobruns.slot(ctx, "reminders", ctx.today(now).isoformat(), now) as run:
        result = sweeps.remind_due(ctx, now)
        run.summary = f"{result.reminders} reminders decided"
    return run.summary
