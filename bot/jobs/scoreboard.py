"""The daily digest (09:00) and leaderboard (18:00) posts to the team's digest channel."""

from __future__ import annotations

from datetime import datetime

from bot.services import jobruns, scoreboard
from bot.services.context import ServiceContext

NO_CHANNEL = "skipped: no digest channel configured ([team] digest_channel)"


def digest(ctx: ServiceContext, now: datetime) -> str:
    today = ctx.today(now)
    with jobruns.slot(ctx, "digest", today.isoformat(), now) as run:
        channel = ctx.settings.team.digest_channel
        if not channel:
            run.summary = NO_CHANNEL
        elif scoreboard.decide_digest(ctx, today, now, channel):
            run.summary = f"digest for {today.isoformat()} decided for {channel}"
        else:
            run.summary = f"digest for {today.isoformat()} was already decided"
    return run.summary


def leaderboard(ctx: ServiceContext, now: datetime) -> str:
    today = ctx.today(now)
    with jobruns.slot(ctx, "leaderboard", today.isoformat(), now) as run:
        channel = ctx.settings.team.digest_channel
        if not channel:
            run.summary = NO_CHANNEL
        elif scoreboard.decide_leaderboard(ctx, today, now, channel):
            run.summary = f"leaderboard for {today.isoformat()} decided for {channel}"
        else:
            run.summary = f"leaderboard for {today.isoformat()} was already decided"
    return run.summary
