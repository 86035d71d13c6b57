"""The pure allocation rules (bot/rules/allocation.py): matching, eligibility, the three strategies,
the turn and its cycles, the fairness numbers, and the command text."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.allocation import (
    Lead,
    LedgerRow,
    RepState,
    RuleSpec,
    Turn,
    auto_target,
    choose,
    cycle_stats,
    gini,
    least_loaded,
    match_rule,
    normalize_place,
    parse_ooo,
    profile_fits,
    round_robin,
    round_robin_start,
    skip_reason,
    spread,
    weighted,
)

TODAY = date(2026, 11, 27)
REPS = ("U1", "U2", "U3", "U4")


def rr(reps=REPS, **kw) -> RuleSpec:
    return RuleSpec(name="r", reps=tuple(reps), **kw)


def run(rule: RuleSpec, turns: int, states=None, seed=0):
    rng, turn = random.Random(seed), Turn()
    picks = []
    for _ in range(turns):
        choice = choose(rule, rule.reps, states or {}, turn, TODAY, rng)
        picks.append(choice)
        turn = choice.turn
    return picks, turn


# --- matching


def test_the_first_matching_rule_wins_and_empty_filters_match_anything():
    rules = [RuleSpec("north-A", regions=("北京", "天津"), tiers=("A",)),
             RuleSpec("north", regions=("北京", "天津")),
             RuleSpec("fintech", industries=("Finance",)),
             RuleSpec("any")]
    assert match_rule(rules, Lead("北京市", None, "A")).name == "north-A"
    assert match_rule(rules, Lead("天津", "finance", "B")).name == "north"
    assert match_rule(rules, Lead("上海", " FINANCE ", "C")).name == "fintech"
    assert match_rule(rules, Lead(None, None, "B")).name == "any"
    assert match_rule(rules[:3], Lead(None, None, "A")) is None  # a rule with regions needs a region


@pytest.mark.parametrize("a,b", [("北京", "北京市"), ("广东省", "广东"), ("内蒙古自治区", "内蒙古"), ("ＳＨＡＮＧＨＡＩ", "shanghai"),
                                 ("香港特别行政区", "香港"), (" 上海 ", "上海市")])
def test_region_names_compare_without_their_suffix_and_width(a, b):
    assert normalize_place(a) == normalize_place(b)


def test_a_one_character_place_keeps_its_suffix():
    assert normalize_place("沙市") == "沙市"  # "沙" alone would be no place at all


def test_rep_profiles_filter_pools_taken_from_the_rep_table():
    north = RepState("U1", regions=("北京",), industries=())
    anyone = RepState("U2")
    fin = RepState("U3", industries=("金融",))
    lead = Lead("北京市", "制造", "B")
    assert profile_fits(north, lead) and profile_fits(anyone, lead) and not profile_fits(fin, lead)
    assert not profile_fits(north, Lead(None, None, "B"))


# --- eligibility


def test_skip_reasons():
    assert skip_reason(RepState("U1"), TODAY) is None
    assert skip_reason(RepState("U1", active=False, ooo_until=TODAY, holding=5, cap=5), TODAY) == "inactive"
    assert skip_reason(RepState("U1", ooo_until=TODAY), TODAY) == "ooo"  # through that day, inclusive
    assert skip_reason(RepState("U1", ooo_until=date(2026, 11, 26)), TODAY) is None  # back the day after
    assert skip_reason(RepState("U1", holding=5, cap=5), TODAY) == "at_cap"
    assert skip_reason(RepState("U1", holding=4, cap=5), TODAY) is None
    assert skip_reason(RepState("U1", cooldown_until=date(2026, 11, 28)), TODAY) == "cooldown"
    assert skip_reason(RepState("U1", cooldown_until=TODAY), TODAY) is None  # allowed again from that day


# --- round robin


def test_round_robin_takes_turns_in_order_and_counts_cycles():
    picks, turn = run(rr(), 9)
    assert [p.rep for p in picks] == ["U1", "U2", "U3", "U4", "U1", "U2", "U3", "U4", "U1"]
    assert [p.cycle for p in picks] == [1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert (turn.last_rep, turn.last_index, turn.cycle, turn.assigned) == ("U1", 0, 3, 9)


def test_round_robin_skips_ineligible_reps_and_says_why():
    states = {"U2": RepState("U2", ooo_until=TODAY), "U3": RepState("U3", holding=3, cap=3)}
    choice = choose(rr(), REPS, states, Turn("U1", 0, 1, 1), TODAY, random.Random(0))
    assert choice.rep == "U4" and choice.passed == ("U2", "U3")
    assert [(s.rep, s.reason, s.until, s.holding, s.cap) for s in choice.skipped] == [
        ("U2", "ooo", TODAY, None, None), ("U3", "at_cap", None, 3, 3)]
    assert choice.cycle == 1


def test_round_robin_with_nobody_eligible_keeps_the_turn():
    states = {r: RepState(r, active=False) for r in REPS}
    turn = Turn("U2", 1, 4, 14)
    choice = choose(rr(), REPS, states, turn, TODAY, random.Random(0))
    assert choice.rep is None and choice.turn == turn and choice.cycle is None
    assert [s.reason for s in choice.skipped] == ["inactive"] * 4


def test_round_robin_when_the_last_rep_left_the_order_continues_with_the_one_who_followed():
    turn = Turn("U2", 1, 1, 2)
    assert round_robin_start(["U1", "U3", "U4"], turn) == 1  # U3 followed U2
    rep, new, _ = round_robin(["U1", "U3", "U4"], {"U1", "U3", "U4"}, turn)
    assert rep == "U3" and new.cycle == 1
    rep, new, _ = round_robin(["U1"], {"U1"}, Turn("U9", 5, 2, 9))  # its old position is past the end
    assert rep == "U1" and new.cycle == 3


def test_a_rep_listed_twice_has_one_turn():
    picks, _ = run(rr(("U1", "U2", "U1")), 4)
    assert [p.rep for p in picks] == ["U1", "U2", "U1", "U2"]


eligibility = st.lists(st.sets(st.sampled_from(REPS)), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(ineligible_at=eligibility, start=st.integers(-1, 3))
def test_round_robin_spread_is_at_most_one_among_reps_eligible_throughout(ineligible_at, start):
    """Any run of consecutive assignments: the reps eligible at every one of them differ by at most 1;
    nobody ineligible is chosen; nobody is chosen twice within a cycle."""
    rule = rr()
    turn = Turn(REPS[start] if start >= 0 else None, start, 1 if start >= 0 else 0, 0)
    rows = []  # (rep, cycle, ineligible set)
    for off in ineligible_at:
        states = {r: RepState(r, active=False) for r in off}
        choice = choose(rule, REPS, states, turn, TODAY, random.Random(0))
        if choice.rep is None:
            assert off == set(REPS)
            continue
        assert choice.rep not in off and {s.rep for s in choice.skipped} == off
        rows.append((choice.rep, choice.cycle, off))
        turn = choice.turn
    per_cycle = Counter((rep, cycle) for rep, cycle, _ in rows)
    assert max(per_cycle.values(), default=1) == 1
    for i in range(len(rows)):
        for j in range(i + 1, len(rows) + 1):
            window = rows[i:j]
            always = [r for r in REPS if not any(r in off for _, _, off in window)]
            counts = Counter(rep for rep, _, _ in window)
            assert spread(counts[r] for r in always) <= 1


# --- least loaded


def test_least_loaded_takes_the_rep_with_the_fewest_customers():
    states = {"U1": RepState("U1", holding=5), "U2": RepState("U2", holding=2), "U3": RepState("U3", holding=2),
              "U4": RepState("U4", holding=0, ooo_until=TODAY)}
    rule = rr(strategy="least_loaded")
    seen = {choose(rule, REPS, states, Turn(), TODAY, random.Random(seed)).rep for seed in range(40)}
    assert seen == {"U2", "U3"}  # a random tie-break between the two least loaded; U4 is away
    choice = choose(rule, REPS, states, Turn(), TODAY, random.Random(7))
    assert choice.tied == ("U2", "U3") and dict(choice.loads) == {"U1": 5, "U2": 2, "U3": 2}


def test_least_loaded_is_deterministic_given_the_seed():
    loads = {r: 1 for r in REPS}
    assert [least_loaded(REPS, loads, random.Random(s))[0] for s in range(20)] == \
        [least_loaded(REPS, loads, random.Random(s))[0] for s in range(20)]


def test_least_loaded_evens_out_loads():
    holding = {"U1": 7, "U2": 0, "U3": 3, "U4": 1}
    rule, turn, rng = rr(strategy="least_loaded"), Turn(), random.Random(1)
    for _ in range(14):  # U2-U4 catch up with U1 (7 each), the rest goes round
        states = {r: RepState(r, holding=h) for r, h in holding.items()}
        choice = choose(rule, REPS, states, turn, TODAY, rng)
        holding[choice.rep] += 1
        turn = choice.turn
    assert spread(holding.values()) <= 1 and turn.assigned == 14 and turn.cycle == 4  # cycles of 4


# --- weighted


def test_weighted_follows_the_weights_smoothly():
    rule = rr(("U1", "U2", "U3"), strategy="weighted", weights=(("U1", 5), ("U2", 1), ("U3", 1)))
    picks, turn = run(rule, 14)
    first = [p.rep for p in picks[:7]]  # nginx's classic a a b a c a a (b and c tie: random order)
    assert [i for i, rep in enumerate(first) if rep == "U1"] == [0, 1, 3, 5, 6] and {first[2], first[4]} == {"U2", "U3"}
    assert picks[2].tied == ("U2", "U3")
    assert Counter(p.rep for p in picks) == {"U1": 10, "U2": 2, "U3": 2}
    assert [p.cycle for p in picks] == [1] * 7 + [2] * 7  # a cycle is the sum of the weights
    assert dict(turn.current) == {"U1": 0, "U2": 0, "U3": 0}


@settings(max_examples=300, deadline=None)
@given(weights=st.lists(st.integers(1, 9), min_size=1, max_size=7), periods=st.integers(1, 4),
       seed=st.integers(0, 1000))
def test_weighted_counts_track_the_weights(weights, periods, seed):
    """With a fixed set of eligible reps: after every full period (the sum of the weights) each rep has
    exactly its weight per period, and in between no rep strays 1.5 assignments from its share."""
    reps = [f"U{i}" for i in range(len(weights))]
    w = dict(zip(reps, weights, strict=True))
    total = sum(weights)
    current: dict[str, int] = {}
    counts: Counter[str] = Counter()
    rng = random.Random(seed)
    for m in range(1, periods * total + 1):
        rep, current, _ = weighted(reps, w, current, rng)
        counts[rep] += 1
        assert max(abs(counts[r] - m * w[r] / total) for r in reps) < 1.5
        if m % total == 0:
            assert all(counts[r] == m // total * w[r] for r in reps)
    assert sum(current.values()) == 0


@settings(max_examples=100, deadline=None)
@given(ineligible_at=eligibility, seed=st.integers(0, 100))
def test_weighted_never_picks_an_ineligible_rep_and_keeps_its_books_balanced(ineligible_at, seed):
    rule = rr(strategy="weighted", weights=(("U1", 3), ("U2", 2)))
    turn, rng = Turn(), random.Random(seed)
    for off in ineligible_at:
        choice = choose(rule, REPS, {r: RepState(r, ooo_until=TODAY) for r in off}, turn, TODAY, rng)
        assert (choice.rep is None) == (off == set(REPS))
        assert choice.rep not in off
        turn = choice.turn
        assert sum(dict(turn.current).values()) == 0


def test_weighted_ties_are_broken_at_random_and_reproducibly():
    rule = rr(strategy="weighted")  # all weigh 1: the first pick is a four-way tie
    firsts = [choose(rule, REPS, {}, Turn(), TODAY, random.Random(s)).rep for s in range(30)]
    assert set(firsts) == set(REPS)
    assert firsts == [choose(rule, REPS, {}, Turn(), TODAY, random.Random(s)).rep for s in range(30)]
    assert choose(rule, REPS, {}, Turn(), TODAY, random.Random(0)).tied == REPS


def test_an_unknown_strategy_is_an_error():
    with pytest.raises(ValueError):
        choose(rr(strategy="lottery"), REPS, {}, Turn(), TODAY, random.Random(0))


# --- fairness numbers


def test_spread_and_gini():
    assert spread([]) == 0 and spread([3, 5, 4]) == 2
    assert gini([]) == 0 and gini([0, 0, 0]) == 0 and gini([4, 4, 4, 4]) == 0
    assert gini([0, 0, 3]) == pytest.approx(2 / 3)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)


@given(st.lists(st.integers(0, 50), min_size=1, max_size=30), st.integers(1, 5))
def test_gini_is_between_0_and_its_maximum_and_ignores_order_and_scale(counts, k):
    g = gini(counts)
    n = len(counts)
    assert 0 <= g <= (n - 1) / n + 1e-9
    assert gini(list(reversed(counts))) == pytest.approx(g)
    assert gini([c * k for c in counts]) == pytest.approx(g)


def test_cycle_stats_count_only_reps_eligible_throughout_the_cycle():
    rows = [LedgerRow("U1", 1), LedgerRow("U2", 1), LedgerRow("U4", 1, frozenset({"U3"})),
            LedgerRow("U1", 2), LedgerRow("U2", 2)]
    first, second = cycle_stats(REPS, rows)
    assert (first.cycle, first.assignments, first.participants, first.spread) == (1, 3, 3, 0)
    assert (second.assignments, second.participants, second.spread) == (2, 4, 1)


# --- command text


@pytest.mark.parametrize("typed,name", [
    ("Acme Corp auto", "Acme Corp"), ("Acme Corp AUTO", "Acme Corp"), ("Acme Corp | auto", "Acme Corp"),
    ("北京星河科技有限公司｜自动", "北京星河科技有限公司"), ("北京星河科技有限公司 自动", "北京星河科技有限公司"),
    ("C-1042 auto", "C-1042"), ("auto", None), ("Acme Corp <@U0BOB> auto", None), ("Acme Corp", None),
    ("Acme Autoparts", None),
])
def test_auto_target(typed, name):
    assert auto_target(typed) == name


@pytest.mark.parametrize("rest,parsed", [
    ("until 2026-12-05", ("until", date(2026, 12, 5))), ("2026/12/5", ("until", date(2026, 12, 5))),
    ("至 2026年12月5日", ("until", date(2026, 12, 5))), ("UNTIL ２０２６-１２-０５", ("until", date(2026, 12, 5))),
    ("off", ("off", None)), ("关闭", ("off", None)), ("", None), ("until", None), ("until 2026-02-30", None),
    ("until tomorrow", None), ("until 2026-12-05 please", None),
])
def test_parse_ooo(rest, parsed):
    assert parse_ooo(rest) == parsed
