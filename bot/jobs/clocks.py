"""The recycle (02:00) and reminder (09:00) jobs."""

from __future__ import annotations

from datetime import datetime

from bot.services import jobruns, slack_events, sweeps
from bot.services.context import ServiceContext


def recycle(ctx: ServiceContext, now: datetime) -> str:
    with jobruns.slot(ctx, "recycle", ctx.today(now).isoformat(), now) as run:
        result = sweeps.recycle_due(ctx, now)
        pruned = slack_events.forget_before(ctx, now)  # once a day is enough: Slack retries within the hour
        run.summary = f"{result.recycled} recycled, {result.refreshed} deadlines refreshed, {pruned} event ids pruned"
    return run.summary


def reminders(ctx: ServiceContext, now: datetime) -> str:
    with jobruns.slot(ctx, "reminders", ctx.today(now).isoformat(), now) as run:
        result = sweeps.remind_due(ctx, now)
        run.summary = f"{result.reminders} reminders decided"
    return run.summary
