"""A rep's scorecard (PRODUCT 3.7, issue 5): the policy in its numbers. Pure.

- **period**: the week (Monday to Sunday) or the calendar month that contains today, in the team's zone —
  the same local days as ``/leaderboard week|month`` (``scores.period_bounds``). Default: the week.
- **conversion** = wins ÷ decided: of the customers the rep moved to *won* or *lost* in the period, the
  share moved to won. Wins ÷ claims would compare this week's wins with this week's claims, which are
  mostly not the same customers, and can pass 100 %; decided customers are the ones whose outcome is
  known. A co-owner's share of a win counts in *wins*, not here (it was the owner's decision). No
  decided customer: no conversion (shown as —).
- **time to first follow-up**: for each ownership the rep started in the period (claim, assignment,
  transfer), the time from its start to its first qualifying follow-up; the median over those that have
  one. Active ownerships without one yet are counted as waiting, not as zero or infinity; one that
  ended without any is not counted here (it shows as recycled, released or lost).
- **complaints**: against the customers the rep owned when each was logged (bot/services/complaints.py
  ``counts``): logged and resolved in the period; open now, and of those past their due day.
- **disputes won / lost**: decided or expired cases (appeals too) where the rep was one side. keep: the
  owner wins and the claimant loses; transfer: the reverse; co-own: nobody wins or loses.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from bot.rules import scores
from bot.rules.text import first_mention

PERIODS = ("week", "month")
DEFAULT_PERIOD = "week"


def parse_period(text: str) -> str | None:
    """``week`` | ``month`` (也可 周、月); empty: the week; None when it is neither (a day is the leaderboard's)."""
    if not unicodedata.normalize("NFKC", text).strip():
        return DEFAULT_PERIOD
    period = scores.parse_period(text)
    return period if period in PERIODS else None


@dataclass(frozen=True)
class Request:
    rep_id: str | None  # None: the asker's own
    period: str


def parse_request(text: str) -> Request | None:
    """``[@rep] [week|month]`` in either order; None when anything else is left over."""
    mention = first_mention(text)
    rest = mention.rest if mention else text
    period = parse_period(rest)
    if period is None:
        return None
    return Request(mention.user_id if mention else None, period)


def dispute_winner(decision: str | None, claimant: str, owner: str) -> str | None:
    """Who won a decided (or expired) case: keep → the owner, transfer → the claimant, co-own → nobody."""
    return {"keep": owner, "transfer": claimant}.get(decision or "")


def dispute_loser(decision: str | None, claimant: str, owner: str) -> str | None:
    return scores.dispute_loser(decision, claimant, owner)


def conversion(won: int, lost: int) -> Fraction | None:
    """Wins among the customers decided (won or lost); None when none was decided."""
    decided = won + lost
    return Fraction(won, decided) if decided else None


def median_hours(waits: list[timedelta]) -> float | None:
    """The median wait in hours (two decimals); None for no waits."""
    if not waits:
        return None
    return round(statistics.median(w.total_seconds() for w in waits) / 3600, 2)
