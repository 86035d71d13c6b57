"""Scores of the leaderboard (PRODUCT 3.7). Pure: facts in, ranked rows out.

score = claims × w.claims + qualifying follow-ups × w.followups + stage advances × w.advances
        + wins × w.wins (+ won amount ÷ amount_per_point, only when that is set)

A co-owned customer's win is credited by the co-owner's share: with a 40% co-owner, the owner gets 0.6 of
the win and 60% of its amount, the co-owner 0.4 and 40%. Credit is kept in exact units (hundredths of a
win, cents of an amount) so a split never creates or loses credit. Ties share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

PERIODS = ("day", "week", "month")
WHOLE = 100  # a whole win, in hundredths


@dataclass(frozen=True)
class Weights:
    claims: Fraction = Fraction(1)
    followups: Fraction = Fraction(1)
    advances: Fraction = Fraction(3)
    wins: Fraction = Fraction(10)
    amount_per_point: Fraction | None = None  # None: the amount is shown, not scored

    @classmethod
    def of(cls, claims: float, followups: float, advances: float, wins: float,
           amount_per_point: float | None = None) -> Weights:
        """From settings (floats): exact decimal fractions, so 0.1 + 0.2 weighs 0.3."""
        def exact(x: float) -> Fraction:
            return Fraction(str(x))

        return cls(exact(claims), exact(followups), exact(advances), exact(wins),
                   exact(amount_per_point) if amount_per_point else None)


@dataclass(frozen=True)
class Win:
    """A customer moved to won: its owner then, and the co-owner if a dispute made it co-owned."""

    owner: str
    amount_cents: int = 0
    co_owner: str | None = None
    co_owner_share: int | None = None  # percent of the credit


@dataclass(frozen=True)
class Credit:
    rep: str
    win: int  # hundredths of a win
    amount_cents: int


@dataclass(frozen=True)
class Tally:
    """One rep's counts in a period. ``recycled`` and ``disputes_lost`` are shown to the rep and managers only."""

    claims: int = 0
    followups: int = 0
    advances: int = 0
    win: int = 0  # hundredths of a win
    amount_cents: int = 0
    recycled: int = 0
    disputes_lost: int = 0

    @property
    def wins(self) -> Fraction:
        return Fraction(self.win, WHOLE)

    @property
    def scored(self) -> bool:
        """Anything that shows in the public columns."""
        return bool(self.claims or self.followups or self.advances or self.win or self.amount_cents)


@dataclass(frozen=True)
class Ranked:
    rank: int
    rep: str
    tally: Tally
    score: Fraction


def split_win(win: Win) -> tuple[Credit, ...]:
    """The win's credit between owner and co-owner; the parts always add up to one win and its amount."""
    share = win.co_owner_share or 0
    if win.co_owner is None or win.co_owner == win.owner or share <= 0:
        return (Credit(win.owner, WHOLE, win.amount_cents),)
    share = min(share, WHOLE)
    co_amount = (win.amount_cents * share + WHOLE // 2) // WHOLE  # nearest cent; the owner gets the rest
    parts = (Credit(win.owner, WHOLE - share, win.amount_cents - co_amount), Credit(win.co_owner, share, co_amount))
    return tuple(p for p in parts if p.win or p.amount_cents)


def tally(*, claims: Iterable[str] = (), followups: Iterable[str] = (), advances: Iterable[str] = (),
          wins: Iterable[Win] = (), recycled: Iterable[str] = (), disputes_lost: Iterable[str] = ()
          ) -> dict[str, Tally]:
    """Per rep: each iterable names the rep credited with one event (wins are split first)."""
    counts: dict[str, dict[str, int]] = {}

    def add(rep: str, column: str, n: int = 1) -> None:
        counts.setdefault(rep, {})
        counts[rep][column] = counts[rep].get(column, 0) + n

    for column, reps in (("claims", claims), ("followups", followups), ("advances", advances),
                         ("recycled", recycled), ("disputes_lost", disputes_lost)):
        for rep in reps:
            add(rep, column)
    for w in wins:
        for credit in split_win(w):
            add(credit.rep, "win", credit.win)
            add(credit.rep, "amount_cents", credit.amount_cents)
    return {rep: Tally(**columns) for rep, columns in counts.items()}


def score(t: Tally, w: Weights) -> Fraction:
    points = (t.claims * w.claims + t.followups * w.followups + t.advances * w.advances + t.wins * w.wins)
    if w.amount_per_point:
        points += Fraction(t.amount_cents, 100) / w.amount_per_point
    return points


def rank(tallies: dict[str, Tally], w: Weights) -> tuple[Ranked, ...]:
    """Highest score first; equal scores share a rank (standard competition ranking), listed by rep id."""
    scored = sorted(((score(t, w), rep, t) for rep, t in tallies.items()), key=lambda x: (-x[0], x[1]))
    ranked: list[Ranked] = []
    for i, (points, rep, t) in enumerate(scored):
        same = ranked and ranked[-1].score == points
        ranked.append(Ranked(ranked[-1].rank if same else i + 1, rep, t, points))
    return tuple(ranked)


def dispute_loser(decision: str | None, claimant: str, owner: str) -> str | None:
    """Who lost a decided (or expired) case: keep → the claimant, transfer → the owner, co-own → nobody."""
    return {"keep": claimant, "transfer": owner}.get(decision or "")


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """The local days [first, last] of the day, week (Monday start) or month that contains ``today``."""
    if period == "day":
        return today, today
    if period == "week":
        first = today - timedelta(days=today.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    raise ValueError(f"unknown period {period!r}; one of {', '.join(PERIODS)}")


@dataclass(frozen=True)
class Visibility:
    """Who sees the hidden columns: nobody (the channel), everyone (a manager), or one rep (their own row)."""

    everyone: bool = False
    reps: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_viewer(cls, viewer: str | None, is_manager: bool) -> Visibility:
        if viewer is None:
            return cls()
        return cls(everyone=True) if is_manager else cls(reps=frozenset({viewer}))

    def shows(self, rep: str) -> bool:
        return self.everyone or rep in self.reps


def visible(ranked: Iterable[Ranked], seen: Visibility) -> tuple[Ranked, ...]:
    """Rows this viewer may see: a row with only hidden activity shows only where its hidden columns do."""
    return tuple(r for r in ranked if r.tally.scored or (seen.shows(r.rep) and r.tally != Tally()))


_PERIOD_WORDS = {
    "": "day", "day": "day", "today": "day", "d": "day", "日": "day", "天": "day", "今天": "day", "今日": "day",
    "week": "week", "w": "week", "周": "week", "本周": "week", "星期": "week",
    "month": "month", "m": "month", "月": "month", "本月": "month",
}


def parse_period(text: str) -> str | None:
    """``/leaderboard`` text → day | week | month (empty: day); None when it is none of those."""
    return _PERIOD_WORDS.get(unicodedata.normalize("NFKC", text).strip().casefold())
