"""The weekly chart: on the configured weekday (Monday), the week that just ended, to the digest channel; and
the managers' weekly digest of fair allocation and speed to lead (a DM each)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.jobs.scoreboard import NO_CHANNEL
from bot.rules import weeks
from bot.rules.clocks import local_day_start
from bot.services import fairness, jobruns, weekly_chart
from bot.services.context import ServiceContext


def slot(day_local: date) -> str:
    """The slot of a run on ``day_local``: the ISO week that just ended (e.g. 2026-W48)."""
    return weeks.label(weeks.ended_week(day_local)[0])


def run(ctx: ServiceContext, now: datetime) -> str:
    first, _ = weeks.ended_week(ctx.today(now))
    week = weeks.label(first)
    with jobruns.slot(ctx, "weekly", week, now) as record:
        channel = ctx.settings.team.digest_channel
        if not channel:
            record.summary = NO_CHANNEL
        else:
            record.summary = {
                "decided": f"weekly chart for {week} decided for {channel}",
                "already": f"weekly chart for {week} was already decided",
                "empty": f"weekly chart for {week}: no claims, follow-ups or wins, nothing to upload",
            }[weekly_chart.decide(ctx, first, now, channel)]
        since = local_day_start(first, ctx.tz)
        told = fairness.tell_managers(ctx, since, local_day_start(first + timedelta(days=7), ctx.tz), week, now)
        if told:
            record.summary += f"; fairness digest to {told} managers"
    return record.summary
