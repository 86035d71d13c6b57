"""The weekly chart (PRODUCT 3.7): each rep's claims, qualifying follow-ups and wins in one ISO week.

The counts are the leaderboard's (``scoreboard.tallies``), so the chart and ``/leaderboard week`` agree.
``decide`` snapshots the week into the outbox under ``weekly_chart:<ISO week>``: whichever process runs
the weekly job first decides it; delivery (bot/slack/uploads.py) renders and uploads the PNG.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlmodel import col, select

from bot.results.weekly_chart import REPS_CAP, ChartRow, WeeklyChart
from bot.rules import scores, weeks
from bot.services import outbox, scoreboard
from bot.services.context import ServiceContext
from storage.engine import read_session, write_session
from storage.models import Outbox, Rep

KIND = "weekly_chart"


def key(week: str) -> str:
    return f"{KIND}:{week}"


def chart(ctx: ServiceContext, first: date) -> WeeklyChart:
    """The ISO week starting on the Monday ``first``, reps in leaderboard order."""
    first, last = weeks.week_of(first)
    with read_session(ctx.engine) as session:
        ranked = scores.rank(scoreboard.tallies(session, ctx, first, last), scoreboard.weights(ctx))
        shown = [r for r in ranked if r.tally.claims or r.tally.followups or r.tally.win]
        kept = shown[:REPS_CAP]
        ids = sorted({r.rep for r in kept})
        names = dict(session.exec(select(Rep.id, Rep.display_name).where(col(Rep.id).in_(ids))).all()) if ids else {}
    rows = tuple(ChartRow(rep=r.rep, name=names.get(r.rep) or None, claims=r.tally.claims,
                          followups=r.tally.followups, wins=round(float(r.tally.wins), 2)) for r in kept)
    return WeeklyChart(week=weeks.label(first), first=first.isoformat(), last=last.isoformat(), rows=rows,
                       more=len(shown) - len(kept))


def decide(ctx: ServiceContext, first: date, now: datetime, channel: str) -> Literal["decided", "already", "empty"]:
    """Snapshot the week starting ``first`` for ``channel``: "decided" when this call did, "already" when
    another run had, "empty" when nobody claimed, followed up or won that week (no chart of nothing)."""
    k = key(weeks.label(first))
    with read_session(ctx.engine) as session:
        if session.exec(select(Outbox.id).where(Outbox.key == k)).first() is not None:
            return "already"
    week = chart(ctx, first)
    if not week.rows:
        return "empty"
    with write_session(ctx.engine) as session:
        added = outbox.enqueue(session, key=k, channel=channel, kind=KIND, data=week.to_data(), now=now)
    return "decided" if added else "already"
