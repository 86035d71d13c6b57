"""``/claimbot scorecard [@rep] [week|month]`` (PRODUCT 3.7): one rep's numbers over a period.

Reps see their own; managers see anyone's. The leaderboard's columns come from ``scoreboard.tallies``
(same definitions, same co-own splits); the rest is a few aggregate queries on the rep's own rows.
Definitions: bot/rules/scorecard.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.results.scorecards import Scorecard, ScorecardOutcome, ScorecardResult
from bot.rules import clocks, scores
from bot.rules import scorecard as rules
from bot.services import complaints, roles
from bot.services.context import ServiceContext
from bot.services.scoreboard import DECIDED, tallies
from storage.engine import read_session
from storage.models import Case, FollowUp, Ownership, Rep, StageChange

ACTION = "scorecard"


def scorecard(ctx: ServiceContext, viewer: str, rep_id: str | None, period: str, now: datetime) -> ScorecardResult:
    """``rep_id`` None (or the viewer): the viewer's own. Another rep's needs a manager (refusal recorded)."""
    if period not in rules.PERIODS:
        raise ValueError(f"unknown period {period!r}; one of {', '.join(rules.PERIODS)}")
    rep = rep_id or viewer
    first, last = scores.period_bounds(period, ctx.today(now))
    with read_session(ctx.engine) as session:
        if rep == viewer or roles.is_manager(session, ctx, viewer):
            known = session.get(Rep, rep)
            if known is None and rep != viewer:  # never seen: no ownership, follow-up or case names them
                return ScorecardResult(ScorecardOutcome.UNKNOWN_REP, viewer, rep, period, first, last)
            return ScorecardResult(ScorecardOutcome.OK, viewer, rep, period, first, last, name=known.display_name if known else None,
                                   card=_card(session, ctx, rep, first, last, now))
    roles.log_refusal(ctx, viewer, ACTION, rep, "not_manager", now)
    return ScorecardResult(ScorecardOutcome.REFUSED, viewer, rep, period, first, last, refusal="not_manager")


def _span(ctx: ServiceContext, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments [start, end) of the local days first..last (as the leaderboard counts them)."""
    end = clocks.local_day_start(last + timedelta(days=1), ctx.tz)
    return clocks.local_day_start(first, ctx.tz).astimezone(UTC), end.astimezone(UTC)


def _card(session: Session, ctx: ServiceContext, rep: str, first: date, last: date, now: datetime) -> Scorecard:
    start, end = _span(ctx, first, last)
    tally = tallies(session, ctx, first, last).get(rep, scores.Tally())
    won, lost = _decided(session, rep, start, end)
    ratio = rules.conversion(won, lost)
    measured, waiting = _first_followups(session, rep, start, end)
    disputes_won = _disputes_won(session, rep, start, end)
    complained = complaints.counts(session, ctx, rep, first, last, ctx.today(now))
    return Scorecard(
        claims=tally.claims, followups=tally.followups, advances=tally.advances,
        wins=round(float(tally.wins), 2), amount=tally.amount_cents / 100, won=won, lost=lost,
        conversion=round(float(ratio), 4) if ratio is not None else None,
        first_followup_hours=rules.median_hours(measured), first_followup_measured=len(measured),
        first_followup_waiting=waiting, disputes_won=disputes_won, disputes_lost=tally.disputes_lost,
        recycled=tally.recycled, complaints_opened=complained.opened, complaints_resolved=complained.resolved,
        complaints_open=complained.open, complaints_overdue=complained.overdue)


def _decided(session: Session, rep: str, start: datetime, end: datetime) -> tuple[int, int]:
    """How many customers the rep moved to won, and to lost, in [start, end)."""
    rows = session.exec(
        select(StageChange.to_stage, func.count()).where(
            StageChange.rep_id == rep, col(StageChange.to_stage).in_(("won", "lost")),
            StageChange.at >= start, StageChange.at < end)
        .group_by(StageChange.to_stage)).all()
    counts = dict(rows)
    return counts.get("won", 0), counts.get("lost", 0)


def _first_followups(session: Session, rep: str, start: datetime, end: datetime) -> tuple[list[timedelta], int]:
    """The waits from start to first qualifying follow-up of the rep's ownerships started in [start, end),
    and how many still-active ones have none yet (one that ended without any shows as recycled or released).
    One row per ownership of one rep in one period, not a scan of a large table."""
    first_at = (select(func.min(FollowUp.at))
                .where(FollowUp.ownership_id == Ownership.id, col(FollowUp.qualifying).is_(True))
                .correlate(Ownership).scalar_subquery())
    rows = session.exec(select(Ownership.started_at, Ownership.ended_at, first_at).where(
        Ownership.rep_id == rep, Ownership.started_at >= start, Ownership.started_at < end)).all()
    waits = [clocks.as_utc(done) - clocks.as_utc(began) for began, _ended, done in rows if done is not None]
    return waits, sum(1 for _began, ended, done in rows if done is None and ended is None)


def _disputes_won(session: Session, rep: str, start: datetime, end: datetime) -> int:
    decided = session.exec(select(Case.decision, Case.claimant, Case.owner).where(
        col(Case.status).in_(DECIDED), col(Case.decided_at) >= start, col(Case.decided_at) < end,
        or_(col(Case.claimant) == rep, col(Case.owner) == rep))).all()
    return sum(1 for decision, claimant, owner in decided if rules.dispute_winner(decision, claimant, owner) == rep)
