"""Results of ``/claimbot scorecard`` (PRODUCT 3.7; definitions in bot/rules/scorecard.py). No Slack here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class Scorecard:
    """One rep's numbers over a period. Every field is shown to the rep and managers only."""

    claims: int = 0  # their own claims (not assignments or transfers), as on the leaderboard
    followups: int = 0  # qualifying follow-ups
    advances: int = 0  # forward stage moves (a move to won counts as a win instead)
    wins: float = 0.0  # with co-owned wins split by share, as on the leaderboard
    amount: float = 0.0  # won amount, split the same way
    won: int = 0  # customers the rep moved to won …
    lost: int = 0  # … and to lost: conversion's denominator is won + lost
    conversion: float | None = None  # won ÷ (won + lost); None when nothing was decided
    first_followup_hours: float | None = None  # median, over ownerships started in the period
    first_followup_measured: int = 0  # ownerships started in the period that had a first follow-up
    first_followup_waiting: int = 0  # … and those still waiting for one
    disputes_won: int = 0
    disputes_lost: int = 0
    recycled: int = 0  # customers recycled from the rep (a clock ran out)
    complaints_opened: int = 0  # complaints logged against the rep's customers in the period
    complaints_resolved: int = 0  # … and resolved in the period
    complaints_open: int = 0  # open now, whenever logged
    complaints_overdue: int = 0  # open now and past their due day


class ScorecardOutcome(StrEnum):
    """ScorecardResult.outcome: what happened."""

    OK = "ok"
    REFUSED = "refused"
    UNKNOWN_REP = "unknown_rep"


@dataclass(frozen=True)
class ScorecardResult:
    outcome: ScorecardOutcome  # ok | refused | unknown_rep
    viewer: str
    rep: str | None = None  # whose scorecard
    period: str = "week"
    first: date | None = None  # the period's first and last local days
    last: date | None = None
    name: str | None = None  # the rep's display name where known
    card: Scorecard | None = None
    refusal: str | None = None  # refused: not_manager

    @property
    def own(self) -> bool:
        return self.rep == self.viewer
