"""Done-when of PRODUCT 3.6 (issue 4): a month of leads through the real allocation service.

12 reps in 3 regions, 30 days, 2,000 leads, with random out-of-office spells, a rep switched off for a
few days, random personal holding caps and reps releasing customers every morning (so reps reach their
cap and drop below it again). The run must:

1. assign nothing to a rep who is out of office, inactive or at their cap at that moment (checked
   against the simulation's own out-of-office calendar and the ownership intervals, not the ledger);
2. keep the round-robin spread within 1 among the eligible reps of one rule, where

   **cycle** — one pass of a rule's turn over its order (bot/rules/allocation.py): the cycle number
   goes up when the turn wraps past the end of the order, so within a cycle every rep is assigned at
   most once. **Eligible** — not skipped (out of office, inactive, at cap) at any assignment of the
   stretch in question, as the ledger records at each assignment.

   Checked three ways for every round-robin rule: within every cycle, within every day, and within
   every run of consecutive assignments of the rule (which implies the other two);
3. have a ledger entry that explains every assignment: every ownership the allocation started has
   exactly one entry naming its rep, rule, strategy and reason, and renders as a sentence in zh and en.

The numbers (per rule: assignments, spread and Gini over the month, cycles) are printed with `-s`.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.rules.allocation import spread
from bot.rules.names import name_keys
from bot.services import allocation, fairness
from bot.services import ownership as ownership_changes
from bot.views.allocation import explanation
from storage.engine import read_session, write_session
from storage.models import AllocationEntry, Customer, Ownership, OwnershipEvent, Rep
from tests.support.leads import make_ctx, new_lead

DAY0 = date(2026, 11, 2)
TZ_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no DST
REGIONS = {"north": ["北京", "天津"], "east": ["上海"], "south": ["广州", "深圳"]}
REPS = [f"U{i:02d}" for i in range(1, 13)]
TEAMS = {"north": REPS[0:4], "east": REPS[4:8], "south": REPS[8:12]}
SENIORS = {"U01": 2, "U05": 2, "U09": 1, "U12": 1}
RULES = [
    {"name": "key-A", "tiers": ["A"], "reps": list(SENIORS), "strategy": "weighted", "weights": SENIORS},
    *({"name": team, "regions": REGIONS[team], "reps": TEAMS[team]} for team in TEAMS),
    {"name": "rest", "reps": REPS, "strategy": "least_loaded"},
]
ROUND_ROBIN = list(TEAMS)
LEAD_REGIONS = ["北京"] * 28 + ["天津"] * 5 + ["上海"] * 30 + ["广州"] * 22 + ["深圳"] * 8 + ["成都"] * 7
WORDS = ["星河", "蓝鲸", "青松", "远航", "金桥", "华信", "东岳", "云帆", "瑞丰", "泰和", "嘉禾", "启明"]
TRADES = ["科技", "贸易", "物流", "制造", "食品", "医药"]


def local_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - TZ_OFFSET


@dataclass
class World:
    ooo: set[tuple[str, date]] = field(default_factory=set)
    inactive: set[tuple[str, date]] = field(default_factory=set)
    caps: dict[str, int] = field(default_factory=dict)
    leads: int = 0
    seconds: float = 0.0


def simulate(url: str, *, days: int, leads: int, seed: int = 2026) -> tuple[World, object]:
    rnd = random.Random(seed)
    world = World(caps={rep: rnd.randint(20, 60) for rep in REPS})
    ctx = make_ctx(url, RULES, holding_caps=world.caps, seed=seed)
    started = time.monotonic()
    per_day = [leads // days + (1 if d < leads % days else 0) for d in range(days)]
    ooo_until: dict[str, date] = {}
    core_seen: set[str] = set()
    names_seen: set[str] = set()
    owned_names: list[tuple[str, str]] = []  # (core part of the name, region) of leads given so far
    serial = 0
    off_rep, off_days = rnd.choice(REPS), set(range(10, 15))
    for d in range(days):
        today = DAY0 + timedelta(days=d)
        morning = local_start(today) + timedelta(hours=8)
        # Every morning some reps release some customers, so caps are reached and left again.
        with write_session(ctx.engine) as session:
            rows = session.exec(select(Customer, Ownership).join(Ownership, Ownership.customer_id == Customer.id)
                                .where(Ownership.ended_at.is_(None)).order_by(Ownership.id)).all()
            for customer, owning in rows:
                if rnd.random() < 0.15:
                    ownership_changes.end(session, customer, owning, "released", morning, actor=owning.rep_id,
                                          rule="owner_release", reason="simulation")
        # Out-of-office spells start at random; one rep is switched off for a few days.
        for rep in REPS:
            if ooo_until.get(rep, today - timedelta(days=1)) < today and rnd.random() < 0.06:
                until = today + timedelta(days=rnd.randint(0, 4))
                assert allocation.set_ooo(ctx, rep, until, morning).outcome == "set"
                ooo_until[rep] = until
            if ooo_until.get(rep, today - timedelta(days=1)) >= today:
                world.ooo.add((rep, today))
        with write_session(ctx.engine) as session:
            rep_row = session.get(Rep, off_rep) or Rep(id=off_rep, created_at=morning)
            rep_row.active = d not in off_days
            session.add(rep_row)
        if d in off_days:
            world.inactive.add((off_rep, today))
        for k in range(per_day[d]):
            at = morning + timedelta(minutes=30) + timedelta(seconds=k * 36000 // per_day[d])
            region = rnd.choice(LEAD_REGIONS)
            tier = "A" if rnd.random() < 0.1 else rnd.choice("BBBC")
            name = None
            if owned_names and rnd.random() < 0.03:  # the same company again, under another region's name
                core, _ = rnd.choice(owned_names)
                name = f"{rnd.choice(['北京', '天津', '上海', '广州', '深圳', '成都'])}{core}有限公司"
                if name_keys(name).name_key in names_seen:
                    name = None
            if name is None:
                while True:
                    serial += 1
                    core = f"{rnd.choice(WORDS)}{rnd.choice(WORDS)}{serial:05d}{rnd.choice(TRADES)}"
                    if name_keys(core).core_key not in core_seen:
                        break
                core_seen.add(name_keys(core).core_key)
                name = f"{region}{core}有限公司"
                owned_names.append((core, region))
            names_seen.add(name_keys(name).name_key)
            new_lead(ctx, name, at, region=region, tier=tier)
            world.leads += 1
    world.seconds = time.monotonic() - started
    return world, ctx


def check(world: World, ctx) -> dict[str, dict[str, object]]:
    with read_session(ctx.engine) as session:
        entries = session.exec(select(AllocationEntry).order_by(AllocationEntry.id)).all()
        ownerships = session.exec(select(Ownership).order_by(Ownership.id)).all()
        events = session.exec(select(OwnershipEvent).where(OwnershipEvent.rule == allocation.RULE)
                              .order_by(OwnershipEvent.id)).all()
    assert len(entries) == world.leads  # every lead has its entry, assigned or not

    # 1. nobody out of office, inactive or at their cap got a lead
    intervals = defaultdict(list)
    for o in ownerships:
        intervals[o.rep_id].append((o.started_at, o.ended_at))
    assigned = [e for e in entries if e.outcome == "assigned"]
    for e in assigned:
        day = (e.at + TZ_OFFSET).date()
        assert (e.rep_id, day) not in world.ooo, f"{e.rep_id} was out of office on {day}"
        assert (e.rep_id, day) not in world.inactive, f"{e.rep_id} was inactive on {day}"
        held = sum(1 for start, end in intervals[e.rep_id] if start < e.at and (end is None or end > e.at))
        assert held < min(100, world.caps[e.rep_id]), f"{e.rep_id} held {held} at {e.at}"

    # 3. the ledger explains every assignment
    by_customer = Counter((e.customer_id, e.rep_id) for e in assigned)
    assert sorted(by_customer) == sorted((ev.customer_id, ev.to_rep) for ev in events)
    assert set(by_customer.values()) == {1}
    for e in entries:
        why = json.loads(e.why)
        assert e.reason in {"rule", "existing_owner", "owner_unavailable", "nobody_eligible", "no_rule"}
        if e.reason == "rule":
            assert e.rule and e.strategy in ("round_robin", "least_loaded", "weighted") and e.cycle
            assert e.rep_id in why["order"] and all(s["rep"] != e.rep_id for s in why["skipped"])
        if e.reason in ("existing_owner", "owner_unavailable"):
            assert why["match"]["owner"] and why["match"]["why"] == "core"
        if e.outcome == "unassigned":
            assert e.rep_id is None and (e.reason != "nobody_eligible" or len(why["skipped"]) == len(why["order"]))
        record = {"rep": e.rep_id, "outcome": e.outcome, "rule": e.rule, "strategy": e.strategy, "reason": e.reason,
                  "cycle": e.cycle, "actor": e.actor, "at": e.at.replace(tzinfo=UTC), **why}
        for lang in ("zh", "en"):
            assert explanation(record, lang, "Asia/Shanghai")

    # 2. round robin: spread ≤ 1 among the eligible reps, per cycle, per day and per run of assignments
    numbers: dict[str, dict[str, object]] = {}
    for rule in ROUND_ROBIN:
        rows = [(e.rep_id, e.cycle, (e.at + TZ_OFFSET).date(), {s["rep"] for s in json.loads(e.why)["skipped"]})
                for e in assigned if e.rule == rule]
        team = TEAMS[rule]
        worst = {"cycle": 0, "day": 0, "run": 0}
        for key, index in (("cycle", 1), ("day", 2)):
            groups = defaultdict(list)
            for row in rows:
                groups[row[index]].append(row)
            for group in groups.values():
                eligible = [r for r in team if not any(r in row[3] for row in group)]
                counts = Counter(row[0] for row in group)
                worst[key] = max(worst[key], spread(counts[r] for r in eligible))
        for i in range(len(rows)):
            counts, excluded = Counter(), set()
            for rep, _cycle, _day, skipped in rows[i:]:
                counts[rep] += 1
                excluded |= skipped
                eligible = [r for r in team if r not in excluded]
                if not eligible:
                    break
                worst["run"] = max(worst["run"], spread(counts[r] for r in eligible))
        assert worst == {"cycle": min(worst["cycle"], 1), "day": min(worst["day"], 1), "run": min(worst["run"], 1)}
        # every rep was offered the same number of turns (±1): a lead, or a turn skipped with its reason
        offered = Counter(rep for rep, *_ in rows)
        offered.update(rep for e in assigned if e.rule == rule for rep in json.loads(e.why).get("passed", []))
        worst["turns_offered_spread"] = spread(offered[r] for r in team)
        assert worst["turns_offered_spread"] <= 1
        numbers[rule] = worst
    return numbers


def report(world: World, ctx) -> dict[str, object]:
    since = local_start(DAY0)
    fair = fairness.fairness(ctx, since, since + timedelta(days=60))
    reasons = Counter()
    with read_session(ctx.engine) as session:
        for e in session.exec(select(AllocationEntry)).all():
            reasons[e.reason] += 1
    return {"leads": world.leads, "seconds": round(world.seconds, 1), "reasons": dict(reasons),
            "rules": {r.rule: {"strategy": r.strategy, "total": r.total, "spread": r.spread, "gini": r.gini,
                               "cycles": r.cycles, "max_cycle_spread": r.max_cycle_spread, "counts": dict(r.counts),
                               "skipped_turns": dict(r.skipped_turns)}
                      for r in fair.rules}}


def test_a_month_of_leads_on_sqlite(sqlite_url):
    world, ctx = simulate(sqlite_url, days=30, leads=2000)
    try:
        worst = check(world, ctx)
        numbers = report(world, ctx)
        print(json.dumps({"worst_round_robin_spread": worst, **numbers}, ensure_ascii=False, indent=1))
        reasons = numbers["reasons"]
        # the month exercised every path
        assert reasons["rule"] > 1500 and reasons["existing_owner"] > 10 and reasons.get("nobody_eligible", 0) >= 0
        assert all(r["cycles"] > 50 for name, r in numbers["rules"].items() if name in ROUND_ROBIN)
        skipped = Counter(s["reason"] for e in _entries(ctx) for s in json.loads(e.why)["skipped"])
        assert skipped["ooo"] and skipped["at_cap"] and skipped["inactive"]
    finally:
        ctx.engine.dispose()


@pytest.mark.postgres
def test_a_week_of_leads_on_postgres(postgres_url):
    world, ctx = simulate(postgres_url, days=6, leads=300, seed=7)
    try:
        check(world, ctx)
    finally:
        ctx.engine.dispose()


def _entries(ctx):
    with read_session(ctx.engine) as session:
        return session.exec(select(AllocationEntry)).all()
