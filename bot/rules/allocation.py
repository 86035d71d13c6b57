"""Fair allocation of new leads (PRODUCT 3.6). Pure: rules, rep states and the persisted turn come in,
a choice with its reasons goes out. Randomness only through the ``random.Random`` passed in.

Vocabulary:

- A **rule** matches a lead by region, industry and tier (an empty list matches anything); rules are
  ordered and the first match wins. Its **order** is its pool of reps, in the configured order.
- A rep is **eligible** unless inactive, out of office (through ``ooo_until``, a local day), at their
  holding cap (active non-won customers; the lowest applicable cap wins) or, for a customer they gave
  up or lost, still in its re-claim cooldown. Ineligible reps are skipped and the reason
  (``inactive`` | ``ooo`` | ``at_cap`` | ``cooldown``) is recorded.
- **Round robin** takes the first eligible rep after the last one assigned, in the rule's order. A rep
  who is ineligible when the turn passes them loses that turn; nobody gets two turns in one pass.
- A **cycle** of a round-robin rule is one pass of its turn over its order: the cycle number goes up
  when the chosen rep's position is not after the previous one's (the turn wrapped past the end of
  the order). Within one cycle every rep is assigned at most once, and a rep eligible at every
  assignment of a complete cycle is assigned exactly once, so among the reps eligible throughout any
  run of assignments the counts differ by at most 1. For least-loaded and weighted rules, a cycle is a
  block of assignments as long as the order (least loaded) or the sum of the weights (weighted).
- **Least loaded** takes an eligible rep with the fewest active non-won customers.
- **Weighted** is smooth weighted round robin (nginx): every eligible rep's current weight grows by its
  weight, the largest is chosen and pays the eligible total back. With a fixed set of eligible reps,
  every full period (as many assignments as the weights add up to) gives each rep exactly its weight,
  and in between no rep is more than about one assignment off its share.
- Ties (least loaded, weighted) are broken at random among the tied reps.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.rules import caps

STRATEGIES = ("round_robin", "least_loaded", "weighted")
SKIP_REASONS = ("inactive", "ooo", "at_cap", "cooldown")
AUTO_WORDS = ("auto", "自动", "自動")
OOO_OFF_WORDS = ("off", "back", "none", "关闭", "取消", "结束", "回来")
OOO_UNTIL_WORDS = ("until", "till", "to", "至", "到", "直到")
_PLACE_SUFFIX = re.compile(r"(?:特别行政区|自治区|地区|省|市)$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


# --- rules and leads


@dataclass(frozen=True)
class RuleSpec:
    name: str
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    strategy: str = "round_robin"
    weights: tuple[tuple[str, int], ...] = ()

    def weight(self, rep: str) -> int:
        return dict(self.weights).get(rep, 1)


@dataclass(frozen=True)
class Lead:
    region: str | None = None
    industry: str | None = None
    tier: str = "B"


def normalize_place(value: str | None) -> str:
    """NFKC, casefold, no spaces, without a trailing 省/市/自治区 …: 北京市 and 北京 are one region."""
    text = "".join(unicodedata.normalize("NFKC", value or "").casefold().split())
    stripped = _PLACE_SUFFIX.sub("", text)
    return stripped if len(stripped) >= 2 else text


def normalize_word(value: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def _fits(value: str | None, allowed: Iterable[str], norm: Callable[[str | None], str]) -> bool:
    """Empty ``allowed`` admits anything; otherwise the value must be one of them (a missing value isn't)."""
    keys = {norm(a) for a in allowed if a.strip()}
    return not keys or norm(value) in keys


def rule_matches(rule: RuleSpec, lead: Lead) -> bool:
    return (_fits(lead.region, rule.regions, normalize_place)
            and _fits(lead.industry, rule.industries, normalize_word)
            and (not rule.tiers or (lead.tier or "").upper() in {t.upper() for t in rule.tiers}))


def match_rule(rules: Sequence[RuleSpec], lead: Lead) -> RuleSpec | None:
    """The first rule that matches the lead."""
    return next((rule for rule in rules if rule_matches(rule, lead)), None)


# --- reps


@dataclass(frozen=True)
class RepState:
    id: str
    active: bool = True
    ooo_until: date | None = None
    holding: int = 0
    cap: int | None = None
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    cooldown_until: date | None = None  # gave this very customer up: may not get it back before this day
    offered: bool = False  # offered this very lead already (passed or let it time out): the next rep's turn


def skip_reason(rep: RepState, today: date) -> str | None:
    """Why this rep can't take a lead today, or None."""
    if rep.offered:
        return "offered"
    if not rep.active:
        return "inactive"
    if rep.ooo_until is not None and today <= rep.ooo_until:
        return "ooo"
    if rep.cap is not None and not caps.check_holding(rep.holding, rep.cap).allowed:
        return "at_cap"
    if caps.cooling_down(rep.cooldown_until, today):
        return "cooldown"
    return None


def profile_fits(rep: RepState, lead: Lead) -> bool:
    """A rep's own regions/industries (empty: any) admit the lead. Used for pools taken from the Rep table."""
    return _fits(lead.region, rep.regions, normalize_place) and _fits(lead.industry, rep.industries, normalize_word)


# --- the turn and the choice


@dataclass(frozen=True)
class Turn:
    """A rule's persisted turn."""

    last_rep: str | None = None
    last_index: int = -1
    cycle: int = 0
    assigned: int = 0
    current: tuple[tuple[str, int], ...] = ()  # weighted: each rep's current weight


@dataclass(frozen=True)
class Skip:
    rep: str
    reason: str  # offered | inactive | ooo | at_cap | cooldown
    until: date | None = None  # ooo: the last day away; cooldown: the first day allowed
    holding: int | None = None
    cap: int | None = None


@dataclass(frozen=True)
class Choice:
    rep: str | None  # None: nobody eligible
    strategy: str
    turn: Turn  # the turn to persist (unchanged when nobody was chosen)
    skipped: tuple[Skip, ...] = ()  # every ineligible rep of the pool, with the reason
    passed: tuple[str, ...] = ()  # round robin: the reps whose turn was passed over, in order
    tied: tuple[str, ...] = ()  # the reps a random tie-break chose among
    loads: tuple[tuple[str, int], ...] = ()  # least loaded: the eligible reps' loads
    scores: tuple[tuple[str, int], ...] = ()  # weighted: current weights before the choice

    @property
    def cycle(self) -> int | None:
        return self.turn.cycle if self.rep else None


def skips(order: Sequence[str], states: Mapping[str, RepState], today: date) -> tuple[Skip, ...]:
    out = []
    for rep_id in order:
        state = states.get(rep_id, RepState(rep_id))
        reason = skip_reason(state, today)
        if reason:
            until = {"ooo": state.ooo_until, "cooldown": state.cooldown_until}.get(reason)
            out.append(Skip(rep_id, reason, until=until,
                            holding=state.holding if reason == "at_cap" else None,
                            cap=state.cap if reason == "at_cap" else None))
    return tuple(out)


def round_robin_start(order: Sequence[str], turn: Turn) -> int:
    """Position of the first rep to consider: right after the last rep assigned. If that rep left the
    order, the rep now at its old position (the one who followed it) is next."""
    if turn.last_rep in order:
        return order.index(turn.last_rep) + 1
    if turn.last_index >= 0:
        return min(turn.last_index, len(order))
    return 0


def round_robin(order: Sequence[str], eligible: set[str], turn: Turn) -> tuple[str | None, Turn, tuple[str, ...]]:
    """(chosen rep, new turn, reps passed over)."""
    n = len(order)
    start = round_robin_start(order, turn)
    passed: list[str] = []
    for step in range(n):
        index = (start + step) % n
        rep = order[index]
        if rep in eligible:
            wrapped = turn.cycle == 0 or start + step >= n
            new = Turn(rep, index, turn.cycle + (1 if wrapped else 0), turn.assigned + 1, turn.current)
            return rep, new, tuple(passed)
        passed.append(rep)
    return None, turn, tuple(passed)


def least_loaded(eligible: Sequence[str], loads: Mapping[str, int], rng: random.Random) -> tuple[str | None, tuple[str, ...]]:
    if not eligible:
        return None, ()
    low = min(loads.get(r, 0) for r in eligible)
    tied = [r for r in eligible if loads.get(r, 0) == low]
    return _tie_break(tied, rng)


def weighted(eligible: Sequence[str], weights: Mapping[str, int], current: Mapping[str, int],
             rng: random.Random) -> tuple[str | None, dict[str, int], tuple[str, ...]]:
    """Smooth weighted round robin over the eligible reps; ineligible reps keep their current weight."""
    new = dict(current)
    if not eligible:
        return None, new, ()
    total = 0
    for rep in eligible:
        new[rep] = new.get(rep, 0) + weights.get(rep, 1)
        total += weights.get(rep, 1)
    best = max(new[r] for r in eligible)
    chosen, tied = _tie_break([r for r in eligible if new[r] == best], rng)
    assert chosen is not None
    new[chosen] -= total
    return chosen, new, tied


def _tie_break(tied: list[str], rng: random.Random) -> tuple[str | None, tuple[str, ...]]:
    if len(tied) == 1:
        return tied[0], ()
    ordered = sorted(tied)
    return rng.choice(ordered), tuple(ordered)


def choose(rule: RuleSpec, order: Sequence[str], states: Mapping[str, RepState], turn: Turn, today: date,
           rng: random.Random) -> Choice:
    """Pick a rep for one lead under ``rule``'s strategy, skipping ineligible reps."""
    order = list(dict.fromkeys(order))  # a rep listed twice still has one turn
    skipped = skips(order, states, today)
    ineligible = {s.rep for s in skipped}
    eligible = [r for r in order if r not in ineligible]
    strategy = rule.strategy
    if strategy == "round_robin":
        rep, new_turn, passed = round_robin(order, set(eligible), turn)
        return Choice(rep, strategy, new_turn, skipped, passed=passed)
    if strategy == "least_loaded":
        loads = {r: states.get(r, RepState(r)).holding for r in eligible}
        rep, tied = least_loaded(eligible, loads, rng)
        period = max(len(order), 1)
        return Choice(rep, strategy, _counted(turn, rep, order, period), skipped, tied=tied,
                      loads=tuple(loads.items()))
    if strategy == "weighted":
        weights = {r: rule.weight(r) for r in order}
        current = {r: w for r, w in turn.current if r in weights}
        rep, new_current, tied = weighted(eligible, weights, current, rng)
        period = max(sum(weights.values()), 1)
        new_turn = _counted(turn, rep, order, period)
        if rep is not None:
            new_turn = Turn(new_turn.last_rep, new_turn.last_index, new_turn.cycle, new_turn.assigned,
                            tuple(sorted(new_current.items())))
        scores = tuple((r, current.get(r, 0) + weights[r]) for r in eligible)
        return Choice(rep, strategy, new_turn, skipped, tied=tied, scores=scores)
    raise ValueError(f"unknown allocation strategy {strategy!r}")


def _counted(turn: Turn, rep: str | None, order: Sequence[str], period: int) -> Turn:
    if rep is None:
        return turn
    assigned = turn.assigned + 1
    return Turn(rep, order.index(rep), (assigned - 1) // period + 1, assigned, turn.current)


# --- fairness numbers


def spread(counts: Iterable[int]) -> int:
    values = list(counts)
    return max(values) - min(values) if values else 0


def gini(counts: Iterable[int]) -> float:
    """Gini coefficient of assignment counts: 0 = perfectly even, → 1 = one rep gets everything."""
    values = sorted(counts)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return 0.0
    ranked = sum((i + 1) * x for i, x in enumerate(values))
    return max(0.0, (2 * ranked) / (n * total) - (n + 1) / n)


@dataclass(frozen=True)
class CycleStat:
    cycle: int
    assignments: int
    participants: int  # reps eligible at every assignment of the cycle
    spread: int  # among the participants


@dataclass(frozen=True)
class LedgerRow:
    """What the fairness numbers need from one ledger entry."""

    rep: str
    cycle: int
    skipped: frozenset[str] = field(default_factory=frozenset)


def cycle_stats(order: Sequence[str], rows: Sequence[LedgerRow]) -> list[CycleStat]:
    """Per cycle: the spread of counts among the reps of ``order`` eligible at all of its assignments."""
    by_cycle: dict[int, list[LedgerRow]] = {}
    for row in rows:
        by_cycle.setdefault(row.cycle, []).append(row)
    stats = []
    for cycle, cycle_rows in sorted(by_cycle.items()):
        reps = set(order) | {r.rep for r in cycle_rows}
        participants = [r for r in reps if not any(r in row.skipped for row in cycle_rows)]
        counts = {r: 0 for r in participants}
        for row in cycle_rows:
            if row.rep in counts:
                counts[row.rep] += 1
        stats.append(CycleStat(cycle, len(cycle_rows), len(participants), spread(counts.values())))
    return stats


# --- command text


def auto_target(command_text: str) -> str | None:
    """``/assign name auto`` (or ``name | auto``, ``name 自动``): the name part; None if not an auto request."""
    text = " ".join(command_text.replace("｜", "|").split())
    if "<@" in text:  # a named rep: a direct assignment
        return None
    for word in AUTO_WORDS:
        for sep in (" | ", "|", " "):
            suffix = sep + word
            if text.casefold().endswith(suffix.casefold()):
                name = text[: -len(suffix)].strip().rstrip("|").strip()
                return name or None
    return None


def parse_ooo(rest: str) -> tuple[str, date | None] | None:
    """``until 2026-12-05`` / ``2026-12-05`` / ``至 2026年12月5日`` → ("until", day); ``off`` → ("off", None)."""
    words = unicodedata.normalize("NFKC", rest).split()
    if not words:
        return None
    if len(words) == 1 and words[0].casefold() in OOO_OFF_WORDS:
        return "off", None
    if words[0].casefold() in OOO_UNTIL_WORDS:
        words = words[1:]
    if len(words) != 1:
        return None
    m = _DATE.match(words[0])
    if not m:
        return None
    try:
        return "until", date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
