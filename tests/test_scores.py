"""The leaderboard's pure rules (bot/rules/scores.py): weights, the co-own split, ranking with ties."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.scores import (
    Credit,
    Tally,
    Visibility,
    Weights,
    Win,
    dispute_loser,
    parse_period,
    period_bounds,
    rank,
    score,
    split_win,
    tally,
    visible,
)

REPS = st.sampled_from(["U1", "U2", "U3", "U4", "U5"])
wins = st.builds(Win, owner=REPS, amount_cents=st.integers(0, 10**12), co_owner=st.none() | REPS,
                 co_owner_share=st.none() | st.integers(0, 100))
tallies = st.builds(Tally, claims=st.integers(0, 50), followups=st.integers(0, 50), advances=st.integers(0, 20),
                    win=st.integers(0, 1000), amount_cents=st.integers(0, 10**10),
                    recycled=st.integers(0, 5), disputes_lost=st.integers(0, 5))
weights = st.builds(Weights, claims=st.fractions(0, 10), followups=st.fractions(0, 10),
                    advances=st.fractions(0, 10), wins=st.fractions(0, 50),
                    amount_per_point=st.none() | st.fractions(1, 10**6))


def test_the_default_weights_and_a_worked_example():
    t = Tally(claims=2, followups=5, advances=1, win=150, amount_cents=12_000_000)
    assert score(t, Weights()) == 2 + 5 + 3 + 15  # 1.5 wins × 10; the amount is shown, not scored
    assert score(t, Weights.of(1, 1, 3, 10, amount_per_point=10_000)) == 25 + 12  # ¥120,000 ÷ 10,000
    assert Weights.of(0.1, 0.2, 3, 10).claims + Weights.of(0.1, 0.2, 3, 10).followups == Fraction(3, 10)


def test_a_co_owned_win_is_split_by_the_co_owners_share():
    assert split_win(Win("U1", 100_000, "U2", 40)) == (Credit("U1", 60, 60_000), Credit("U2", 40, 40_000))
    t = tally(wins=[Win("U1", 100_001, "U2", 50)])
    assert t["U1"].win == t["U2"].win == 50
    assert t["U1"].amount_cents + t["U2"].amount_cents == 100_001
    # no share, or one's own co-ownership, is a whole win for the owner
    assert [c.rep for c in split_win(Win("U1", 5, "U2", None))] == ["U1"]
    assert [c.rep for c in split_win(Win("U1", 5, "U1", 30))] == ["U1"]
    assert [(c.rep, c.win) for c in split_win(Win("U1", 5, "U2", 100))] == [("U2", 100)]


@given(st.lists(wins, max_size=30))
def test_a_split_never_creates_or_loses_credit(ws):
    for w in ws:
        parts = split_win(w)
        assert sum(p.win for p in parts) == 100
        assert sum(p.amount_cents for p in parts) == w.amount_cents
        assert all(p.win >= 0 and p.amount_cents >= 0 for p in parts)
    t = tally(wins=ws)
    assert sum(x.win for x in t.values()) == 100 * len(ws)
    assert sum(x.amount_cents for x in t.values()) == sum(w.amount_cents for w in ws)


@given(st.dictionaries(REPS, tallies, max_size=5), weights)
def test_ranking_invariants(ts, w):
    ranked = rank(ts, w)
    assert sorted(r.rep for r in ranked) == sorted(ts)
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    for r in ranked:
        assert r.score == score(ts[r.rep], w)
        assert r.rank == 1 + sum(1 for s in scores if s > r.score)  # competition ranking: 1, 2, 2, 4
    for a, b in itertools.pairwise(ranked):
        assert (a.rank == b.rank) == (a.score == b.score)
        if a.score == b.score:
            assert a.rep < b.rep  # ties listed in a stable order
    # the input's order doesn't matter
    assert rank(dict(reversed(list(ts.items()))), w) == ranked


@given(st.dictionaries(REPS, tallies, max_size=5), weights, REPS, st.booleans())
def test_dropping_invisible_rows_never_changes_anyone_elses_rank(ts, w, viewer, manager):
    ranked = rank(ts, w)
    seen = Visibility.for_viewer(viewer, manager)
    shown = visible(ranked, seen)
    channel = visible(ranked, Visibility.for_viewer(None, False))
    assert set(r.rep for r in channel) <= set(r.rep for r in shown)
    assert all(r.tally.scored for r in channel)
    for r in shown:
        assert r.rank == next(x.rank for x in ranked if x.rep == r.rep)
    if not manager:
        assert {r.rep for r in shown} - {r.rep for r in channel} <= {viewer}


def test_more_of_anything_never_lowers_a_score():
    base = Tally(claims=1, followups=1, advances=1, win=50)
    for more in (Tally(claims=2, followups=1, advances=1, win=50), Tally(claims=1, followups=1, advances=1, win=51)):
        assert score(more, Weights()) > score(base, Weights())
    assert score(Tally(recycled=5, disputes_lost=3), Weights()) == 0  # hidden columns are not scored


def test_who_lost_a_dispute():
    assert dispute_loser("keep", "U2", "U1") == "U2"
    assert dispute_loser("transfer", "U2", "U1") == "U1"
    assert dispute_loser("coown", "U2", "U1") is None
    assert dispute_loser(None, "U2", "U1") is None


@pytest.mark.parametrize(("period", "today", "first", "last"), [
    ("day", date(2026, 11, 27), date(2026, 11, 27), date(2026, 11, 27)),
    ("week", date(2026, 11, 27), date(2026, 11, 23), date(2026, 11, 29)),  # Friday → Monday..Sunday
    ("week", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),
    ("week", date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 29)),
    ("month", date(2026, 11, 27), date(2026, 11, 1), date(2026, 11, 30)),
    ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ("month", date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
])
def test_periods_in_local_days(period, today, first, last):
    assert period_bounds(period, today) == (first, last)


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_every_period_contains_today(today):
    for period in ("day", "week", "month"):
        first, last = period_bounds(period, today)
        assert first <= today <= last
    first, last = period_bounds("week", today)
    assert first.weekday() == 0 and last - first == timedelta(days=6)


def test_period_words():
    assert parse_period("") == "day"
    assert parse_period(" Week ") == "week"
    assert parse_period("ｍｏｎｔｈ") == "month"
    assert parse_period("本周") == "week" and parse_period("月") == "month" and parse_period("今天") == "day"
    assert parse_period("year") is None
    with pytest.raises(ValueError):
        period_bounds("year", date(2026, 1, 1))
