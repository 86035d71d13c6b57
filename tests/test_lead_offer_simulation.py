"""Done-when of issue 11: a month of leads that arrive by themselves, through the real intake and offer service.

12 reps in 3 regions, 30 days, 2,000 leads arriving in working hours (`bot.services.leads.intake`), each
offered by the `[[allocation.rules]]`; the rep offered accepts (60 %), passes (25 %) or does not answer
(15 %, timed out by the deadlines job's `expire_due`), up to 3 offers a lead. Reps go out of office at
random, one is switched off for a few days, personal holding caps are low and reps release customers
every morning, so caps are reached and left again. The run must:

1. offer nothing to a rep who is out of office, inactive or at their cap at that moment (checked against
   the simulation's own calendar and the ownership intervals, not the ledger);
2. keep the round-robin spread of offers within 1 per cycle among the reps eligible throughout it
   (recomputed here from the ledger, and as the fairness report says);
3. give fairness numbers (per rule: offered, accepted, passed, timed out per rep, skips by reason, spread,
   Gini, speed to lead) equal to those recomputed from the ledger and the leads;
4. end every lead accepted by its last offer's rep, waiting in the pool, or still offered — never more than
   3 offers, never two open offers of one customer.

The numbers are printed with `-s`.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from bot.results.leads import OfferOutcome
from bot.rules.allocation import LedgerRow, cycle_stats, gini, spread
from bot.services import allocation, fairness, leads
from bot.services import ownership as ownership_changes
from storage.engine import read_session, write_session
from storage.models import AllocationEntry, Customer, Lead, LeadOffer, Ownership, Rep
from tests.support.leads import make_ctx
from tests.test_fairness_simulation import (
    DAY0,
    LEAD_REGIONS,
    REPS,
    RULES,
    TEAMS,
    TRADES,
    TZ_OFFSET,
    WORDS,
    World,
)
from tests.test_fairness_simulation import local_start as local_midnight

ROUND_ROBIN = list(TEAMS)
MAX_OFFERS = 3


def open_offers(ctx, seen: set[int]) -> list[LeadOffer]:
    with read_session(ctx.engine) as session:
        found = session.exec(select(LeadOffer).where(LeadOffer.status == "open").order_by(LeadOffer.id)).all()
    return [o for o in found if o.id not in seen]


def simulate(url: str, *, days: int, leads_total: int, seed: int = 11) -> tuple[World, object, Counter]:
    rnd = random.Random(seed)
    world = World(caps={rep: rnd.randint(8, 25) for rep in REPS})
    ctx = make_ctx(url, RULES, holding_caps=world.caps, seed=seed,
                   leads={"accept_minutes": 60, "hours": "09:00-18:00", "max_offers": MAX_OFFERS})
    started = time.monotonic()
    per_day = [leads_total // days + (1 if d < leads_total % days else 0) for d in range(days)]
    ooo_until = {}
    answered: set[int] = set()  # offers the simulation has answered or chose to leave unanswered
    answers: Counter = Counter()
    off_rep, off_days = rnd.choice(REPS), set(range(10, 15))
    serial = 0
    for d in range(days):
        today = DAY0 + timedelta(days=d)
        morning = local_midnight(today) + timedelta(hours=8)
        with write_session(ctx.engine) as session:
            rows = session.exec(select(Customer, Ownership).join(Ownership, Ownership.customer_id == Customer.id)
                                .where(Ownership.ended_at.is_(None)).order_by(Ownership.id)).all()
            for customer, owning in rows:
                if rnd.random() < 0.2:
                    ownership_changes.end(session, customer, owning, "released", morning, actor=owning.rep_id,
                                          rule="owner_release", reason="simulation")
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
            at = morning + timedelta(hours=1, seconds=k * 9 * 3600 // per_day[d])  # 09:00 – 18:00
            leads.expire_due(ctx, at)  # the deadlines job, before each lead
            serial += 1
            region = rnd.choice(LEAD_REGIONS)
            name = f"{region}{rnd.choice(WORDS)}{rnd.choice(WORDS)}{serial:05d}{rnd.choice(TRADES)}有限公司"
            fields = {"name": name, "region": region, "tier": "A" if rnd.random() < 0.1 else rnd.choice("BBBC"),
                      "external_id": f"sim-{serial}"}
            result = leads.intake(ctx, rnd.choice(["website", "zoho", "ads"]), fields, at)
            assert result.outcome == "created"
            world.leads += 1
            # the reps offered answer: accept, pass, or leave it to time out (passes offer it on at once)
            when = at  # answers follow one another, all before the next lead (8 minutes later)
            while pending := open_offers(ctx, answered):
                for offer in pending:
                    answered.add(offer.id)
                    roll, when = rnd.random(), when + timedelta(seconds=rnd.randint(10, 120))
                    if roll < 0.15:
                        answers["silent"] += 1
                        continue
                    outcome = leads.decide(ctx, offer.rep_id, offer.id, roll >= 0.40, when).outcome
                    if outcome == OfferOutcome.AT_CAP:  # caps changed since the offer: pass it on
                        answers["at_cap_then_pass"] += 1
                        outcome = leads.decide(ctx, offer.rep_id, offer.id, False, when).outcome
                    answers[str(outcome)] += 1
    leads.expire_due(ctx, local_midnight(DAY0 + timedelta(days=days + 3)))  # the last ones time out
    while pending := open_offers(ctx, answered):  # … and are offered on, and time out again
        answered.update(o.id for o in pending)
        leads.expire_due(ctx, local_midnight(DAY0 + timedelta(days=days + 6)))
    world.seconds = time.monotonic() - started
    return world, ctx, answers


def read(ctx):
    with read_session(ctx.engine) as session:
        return (session.exec(select(AllocationEntry).order_by(AllocationEntry.id)).all(),
                session.exec(select(Ownership).order_by(Ownership.id)).all(),
                session.exec(select(LeadOffer).order_by(LeadOffer.id)).all(),
                session.exec(select(Lead).order_by(Lead.id)).all())


def check(world: World, ctx) -> dict[str, object]:
    entries, ownerships, offers, lead_rows = read(ctx)
    assert len(lead_rows) == world.leads
    offered = [e for e in entries if e.outcome == "offered"]
    def utc(moment):  # SQLite hands back naive UTC
        return moment.replace(tzinfo=UTC)


    # 1. no offer to a rep out of office, inactive or at their cap at that moment
    intervals = defaultdict(list)
    for o in ownerships:
        intervals[o.rep_id].append((utc(o.started_at), utc(o.ended_at) if o.ended_at else None))
    for e in offered:
        day = (utc(e.at) + TZ_OFFSET).date()
        assert (e.rep_id, day) not in world.ooo, f"{e.rep_id} was out of office on {day}"
        assert (e.rep_id, day) not in world.inactive, f"{e.rep_id} was inactive on {day}"
        held = sum(1 for start, end in intervals[e.rep_id] if start <= utc(e.at) and (end is None or end > utc(e.at)))
        assert held < world.caps[e.rep_id], f"{e.rep_id} held {held} of {world.caps[e.rep_id]} at {e.at}"

    # 4. every lead ends accepted by its last offer's rep, in the pool, or offered; at most 3 offers
    by_lead = defaultdict(list)
    for o in offers:
        by_lead[o.lead_id].append(o)
    ended = Counter()
    for lead in lead_rows:
        mine = by_lead[lead.id]
        assert len(mine) <= MAX_OFFERS and len({o.rep_id for o in mine}) == len(mine)
        assert sum(o.status == "open" for o in mine) <= 1
        assert all(o.status in ("passed", "expired") for o in mine[:-1])
        ended[lead.status] += 1
        if lead.status == "accepted":
            assert mine[-1].status == "accepted" and lead.accepted_by == mine[-1].rep_id
        elif lead.status == "pool":
            assert not mine or len(mine) == MAX_OFFERS or mine[-1].status in ("passed", "expired")
    accepted_now = [lead for lead in lead_rows if lead.status == "accepted"]
    started = {(o.customer_id, o.rep_id, utc(o.started_at)) for o in ownerships}  # (released again later, maybe)
    assert all((lead.customer_id, lead.accepted_by, utc(lead.accepted_at)) in started for lead in accepted_now)

    # 2. round robin: offers per cycle differ by at most 1 among the reps eligible throughout the cycle
    worst = {}
    for rule in ROUND_ROBIN:
        rows = [(e.rep_id, e.cycle, {s["rep"] for s in json.loads(e.why)["skipped"]}) for e in offered if e.rule == rule]
        cycles = defaultdict(list)
        for row in rows:
            cycles[row[1]].append(row)
        worst[rule] = 0
        for group in cycles.values():
            eligible = [r for r in TEAMS[rule] if not any(r in row[2] for row in group)]
            counts = Counter(row[0] for row in group)
            worst[rule] = max(worst[rule], spread(counts[r] for r in eligible))
        assert worst[rule] <= 1, (rule, worst[rule])

    # 3. the fairness report equals the numbers recomputed from the ledger and the leads
    since = local_midnight(DAY0)
    report = fairness.fairness(ctx, since, since + timedelta(days=60))
    for r in report.rules:
        mine = [e for e in entries if e.rule == r.rule]
        def per(outcome, mine=mine):
            return Counter(e.rep_id for e in mine if e.outcome == outcome)

        taken = per("accepted") + per("assigned")
        counts = dict(r.counts)
        assert {k: v for k, v in counts.items() if v} == dict(taken)
        assert dict(r.offered) == dict(per("offered")) and dict(r.passed) == dict(per("passed"))
        assert dict(r.timed_out) == dict(per("timed_out"))
        assert r.total == sum(taken.values()) and r.spread == spread(counts.values())
        assert r.gini == round(gini(counts.values()), 4)
        turns = [e for e in mine if e.outcome == "offered"]
        reasons = Counter(s["reason"] for e in turns for s in json.loads(e.why)["skipped"])
        assert dict(r.skip_reasons) == dict(reasons)
        ledger = [LedgerRow(e.rep_id, e.cycle or 0, frozenset(s["rep"] for s in json.loads(e.why)["skipped"]))
                  for e in turns]
        assert r.max_cycle_spread == max((c.spread for c in cycle_stats(list(counts), ledger)), default=0)
        if r.rule in ROUND_ROBIN:
            assert r.max_cycle_spread <= 1
    minutes = [(utc(lead.accepted_at) - utc(lead.arrived_at)).total_seconds() / 60 for lead in accepted_now]
    assert report.leads == world.leads
    assert report.median_accept_minutes == round(statistics.median(minutes), 1)
    assert report.unassigned == sum(1 for e in entries if e.outcome == "unassigned")
    return {"worst_offer_spread_per_cycle": worst, "leads_by_status": dict(ended),
            "rules": {r.rule: {"strategy": r.strategy, "accepted": r.total, "offered": sum(dict(r.offered).values()),
                               "passed": sum(dict(r.passed).values()), "timed_out": sum(dict(r.timed_out).values()),
                               "spread": r.spread, "gini": r.gini, "cycles": r.cycles,
                               "max_cycle_spread": r.max_cycle_spread, "skip_reasons": dict(r.skip_reasons)}
                      for r in report.rules},
            "median_accept_minutes": report.median_accept_minutes}


def test_a_month_of_leads_offered_accepted_passed_and_timed_out_on_sqlite(sqlite_url):
    world, ctx, answers = simulate(sqlite_url, days=30, leads_total=2000)
    try:
        numbers = check(world, ctx)
        print(json.dumps({"leads": world.leads, "seconds": round(world.seconds, 1), "answers": dict(answers),
                          **numbers}, ensure_ascii=False, indent=1))
        # the month exercised every path
        assert answers["accepted"] > 800 and answers["passed"] > 300 and answers["silent"] > 200
        statuses = numbers["leads_by_status"]
        assert statuses["accepted"] > 1000 and statuses["pool"] > 10
        reasons = Counter()
        for r in numbers["rules"].values():
            reasons.update(r["skip_reasons"])
        assert reasons["ooo"] and reasons["at_cap"] and reasons["inactive"]
    finally:
        ctx.engine.dispose()


@pytest.mark.postgres
def test_a_week_of_leads_offered_on_postgres(postgres_url):
    world, ctx, _ = simulate(postgres_url, days=5, leads_total=250, seed=5)
    try:
        check(world, ctx)
    finally:
        ctx.engine.dispose()
