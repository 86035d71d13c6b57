"""Allocation (PRODUCT 3.6) through the real service, on SQLite and PostgreSQL: the persisted turn, skipped
reps, existing-owner routing, leads nobody can take, `/assign name auto`, out-of-office, concurrency and
the fairness numbers."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.services import activity, allocation, claims, fairness, handovers
from bot.services.claims import ClaimRequest
from storage.engine import read_session, write_session
from storage.models import (
    AllocationEntry,
    AllocationTurn,
    Customer,
    Outbox,
    Ownership,
    OwnershipEvent,
    Refusal,
    Rep,
)
from tests.support.leads import add_customer, make_ctx, new_lead

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 11, 27)
NORTH = {"name": "north", "regions": ["北京", "天津"], "reps": ["U1", "U2", "U3", "U4"]}


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url, [NORTH])
    yield context
    context.engine.dispose()


def ledger(ctx):
    with read_session(ctx.engine) as s:
        return s.exec(select(AllocationEntry).order_by(AllocationEntry.id)).all()


def notices(ctx):
    with read_session(ctx.engine) as s:
        return s.exec(select(Outbox).where(Outbox.kind == "unassigned").order_by(Outbox.id)).all()


def owner(ctx, customer_id):
    with read_session(ctx.engine) as s:
        row = s.exec(select(Ownership).where(Ownership.customer_id == customer_id,
                                             Ownership.ended_at.is_(None))).first()
        return row.rep_id if row else None


def test_round_robin_takes_turns_and_the_turn_survives_a_restart(engine_url):
    ctx = make_ctx(engine_url, [NORTH])
    got = [new_lead(ctx, f"北京星河{i}号科技有限公司", NOW, region="北京市") for i in range(6)]
    assert [(r.outcome, r.rep, r.rule, r.strategy, r.cycle) for r in got] == [
        ("assigned", "U1", "north", "round_robin", 1), ("assigned", "U2", "north", "round_robin", 1),
        ("assigned", "U3", "north", "round_robin", 1), ("assigned", "U4", "north", "round_robin", 1),
        ("assigned", "U1", "north", "round_robin", 2), ("assigned", "U2", "north", "round_robin", 2)]
    ctx.engine.dispose()
    again = make_ctx(engine_url, [NORTH], migrate_first=False)  # a new process
    assert new_lead(again, "天津海河物流有限公司", NOW, region="天津").rep == "U3"
    with read_session(again.engine) as s:
        turn = s.get(AllocationTurn, "north")
        assert (turn.last_rep, turn.cycle, turn.assigned) == ("U3", 2, 7)
        events = s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id)).all()
    assert {(e.kind, e.actor, e.rule) for e in events} == {("assign", "import", "auto_allocation")}
    assert got[0].customer.owner == "U1" and got[0].customer.protected_until is not None
    again.engine.dispose()


def test_out_of_office_inactive_and_at_cap_reps_are_skipped_and_the_ledger_says_why(engine_url):
    ctx = make_ctx(engine_url, [NORTH], holding_caps={"U4": 1})
    assert allocation.set_ooo(ctx, "U2", TODAY + timedelta(days=2), NOW).outcome == "set"
    with write_session(ctx.engine) as s:
        s.add(Rep(id="U3", active=False, created_at=NOW))
    claims.claim(ctx, "U4", ClaimRequest(name="Initech LLC"), NOW)  # U4 is at their own cap of 1
    got = [new_lead(ctx, f"Globex {i} Ltd", NOW, region="北京").rep for i in range(3)]
    assert got == ["U1", "U1", "U1"]
    entry = ledger(ctx)[-1]
    why = json.loads(entry.why)
    assert why["skipped"] == [{"rep": "U2", "reason": "ooo", "until": "2026-11-29"},
                              {"rep": "U3", "reason": "inactive"},
                              {"rep": "U4", "reason": "at_cap", "holding": 1, "cap": 1}]
    assert why["passed"] == ["U2", "U3", "U4"] and why["order"] == ["U1", "U2", "U3", "U4"]
    # out of office through the 29th, inclusive; back on the 30th
    assert new_lead(ctx, "Globex 9 Ltd", NOW + timedelta(days=2), region="北京").rep == "U1"
    assert new_lead(ctx, "Globex 10 Ltd", NOW + timedelta(days=3), region="北京").rep == "U2"
    assert allocation.set_ooo(ctx, "U1", TODAY - timedelta(days=1), NOW).outcome == "past"
    assert allocation.set_ooo(ctx, "U1", TODAY + timedelta(days=400), NOW).outcome == "too_far"
    ctx.engine.dispose()


def test_a_lead_of_an_owned_company_goes_to_its_owner_first(ctx):
    claims.claim(ctx, "U9", ClaimRequest(name="深圳市腾讯计算机系统有限公司"), NOW)
    claims.claim(ctx, "U8", ClaimRequest(name="Acme Corporation", domain="acme.com"), NOW)
    by_core = new_lead(ctx, "腾讯计算机系统有限公司", NOW, region="北京")
    assert (by_core.outcome, by_core.rep, by_core.reason, by_core.strategy) == (
        "assigned", "U9", "existing_owner", "existing_owner")
    assert by_core.related.why == "core" and by_core.related.owner == "U9"
    by_domain = new_lead(ctx, "ACME Holdings International", NOW, region="北京", domain="acme.com")
    assert (by_domain.rep, by_domain.related.why) == ("U8", "domain")
    assert new_lead(ctx, "北京星河科技有限公司", NOW, region="北京").rep == "U1"  # the rule's turn was not used up
    # an owned customer stays with its owner
    with write_session(ctx.engine) as s:
        again = allocation.allocate(s, ctx, s.get(Customer, by_core.customer.id), NOW, "U0MGR1")
    assert (again.outcome, again.rep, again.reason) == ("existing_owner", "U9", "owned")
    assert owner(ctx, by_core.customer.id) == "U9"


def test_when_the_owner_of_the_same_company_cant_take_it_the_lead_waits_for_the_managers(engine_url):
    ctx = make_ctx(engine_url, [NORTH], holding_caps={"U9": 1})
    claims.claim(ctx, "U9", ClaimRequest(name="深圳市腾讯计算机系统有限公司"), NOW)
    r = new_lead(ctx, "腾讯计算机系统有限公司", NOW, region="北京")
    assert (r.outcome, r.rep, r.reason) == ("unassigned", None, "owner_unavailable")
    assert [(s.rep, s.reason) for s in r.skipped] == [("U9", "at_cap")]
    assert r.managers_told == ("U0MGR1", "U0MGR2")
    assert [n.channel for n in notices(ctx)] == ["U0MGR1", "U0MGR2"]
    assert owner(ctx, r.customer.id) is None
    ctx.engine.dispose()


def test_nobody_eligible_leaves_the_lead_in_the_pool_and_tells_each_manager_once(engine_url):
    ctx = make_ctx(engine_url, [NORTH])
    for rep in NORTH["reps"]:
        allocation.set_ooo(ctx, rep, TODAY, NOW)
    r = new_lead(ctx, "北京星河科技有限公司", NOW, region="北京")
    assert (r.outcome, r.rep, r.reason, r.rule) == ("unassigned", None, "nobody_eligible", "north")
    assert [s.reason for s in r.skipped] == ["ooo"] * 4
    sent = notices(ctx)
    assert [(n.channel, n.key) for n in sent] == [
        ("U0MGR1", f"unassigned:{r.customer.id}:2026-11-27:U0MGR1"),
        ("U0MGR2", f"unassigned:{r.customer.id}:2026-11-27:U0MGR2")]
    data = json.loads(sent[0].data)
    assert (data["reason"], data["rule"], data["sid"], len(data["skipped"])) == (
        "nobody_eligible", "north", r.customer.short_id, 4)
    with write_session(ctx.engine) as s:  # the same lead again the same day: no second notice
        allocation.allocate(s, ctx, s.get(Customer, r.customer.id), NOW + timedelta(hours=1), "import")
    assert len(notices(ctx)) == 2
    with read_session(ctx.engine) as s:
        assert s.get(AllocationTurn, "north").assigned == 0
    assert owner(ctx, r.customer.id) is None
    none = new_lead(ctx, "Umbrella Corp", NOW, region="上海")  # no rule for Shanghai
    assert (none.outcome, none.reason, none.rule) == ("unassigned", "no_rule", None)
    assert len(notices(ctx)) == 4
    ctx.engine.dispose()


def test_least_loaded_and_weighted_rules(engine_url):
    ctx = make_ctx(engine_url, [
        {"name": "key", "tiers": ["A"], "reps": ["U1", "U2"], "strategy": "weighted", "weights": {"U1": 3}},
        {"name": "rest", "reps": ["U3", "U4"], "strategy": "least_loaded"},
    ])
    claims.claim(ctx, "U3", ClaimRequest(name="Initech LLC"), NOW)
    weighted = [new_lead(ctx, f"Key Account {i}", NOW, tier="A").rep for i in range(8)]
    assert Counter(weighted) == {"U1": 6, "U2": 2}
    rest = [new_lead(ctx, f"Small Shop {i}", NOW, tier="C") for i in range(3)]
    assert rest[0].rep == "U4"  # U3 already holds one
    assert {rest[1].rep, rest[2].rep} == {"U3", "U4"}
    assert rest[1].tied == ("U3", "U4")  # 1 each: a random tie-break, written down
    entry = ledger(ctx)[-2]
    assert json.loads(entry.why)["loads"] == {"U3": 1, "U4": 1}
    ctx.engine.dispose()


def test_assign_auto_for_managers_only(ctx):
    claims.claim(ctx, "U9", ClaimRequest(name="Globex Corporation"), NOW)
    activity.release(ctx, "U9", "Globex Corporation | 预算取消", NOW)
    with write_session(ctx.engine) as s:
        customer = add_customer(s, "北京星河科技有限公司", NOW, region="北京")
        cid = customer.id
    refused = allocation.assign_auto(ctx, "U1", "北京星河科技有限公司 auto", NOW)
    assert (refused.outcome, refused.refusal) == ("refused", "not_manager")
    with read_session(ctx.engine) as s:
        assert [(r.actor, r.action, r.reason) for r in s.exec(select(Refusal)).all()] == [
            ("U1", "assign_auto", "not_manager")]
    claims.claim(ctx, "U1", ClaimRequest(name="北京星河科技有限公司"), NOW)  # U1 takes it and gives it up:
    activity.release(ctx, "U1", "北京星河科技有限公司 | 联系不上", NOW)  # not back to U1 during the cooldown
    done = allocation.assign_auto(ctx, "U0MGR1", "北京星河科技有限公司 | auto", NOW)
    assert [(s.rep, s.reason, s.until) for s in done.allocation.skipped] == [("U1", "cooldown", date(2026, 12, 4))]
    assert (done.outcome, done.allocation.outcome, done.allocation.rep) == ("allocated", "assigned", "U2")
    assert owner(ctx, cid) == "U2"
    again = allocation.assign_auto(ctx, "U0MGR1", f"{done.allocation.customer.short_id} auto", NOW)
    assert (again.allocation.outcome, again.allocation.rep) == ("existing_owner", "U2")
    pool = allocation.assign_auto(ctx, "U0MGR1", "Globex Corporation auto", NOW)  # no region: no rule
    assert pool.allocation.reason == "no_rule"
    missing = allocation.assign_auto(ctx, "U0MGR1", "Nobody Such Co auto", NOW)
    assert missing.outcome == "not_found"
    assert allocation.assign_auto(ctx, "U0MGR1", "auto", NOW).outcome == "invalid"
    # the manager's direct /assign still works beside it
    assert handovers.assign(ctx, "U0MGR1", "北京星河科技有限公司 <@U3>", NOW).outcome == "assigned"


def test_concurrent_allocations_take_distinct_turns(engine_url):
    ctx = make_ctx(engine_url, [NORTH])
    threads, results, errors = [], [], []
    barrier = threading.Barrier(8)

    def one(i):
        try:
            barrier.wait()
            results.append(new_lead(ctx, f"北京并发{i}号贸易有限公司", NOW, region="北京"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    for i in range(8):
        threads.append(threading.Thread(target=one, args=(i,)))
        threads[-1].start()
    for th in threads:
        th.join()
    assert errors == []
    assert Counter(r.rep for r in results) == {"U1": 2, "U2": 2, "U3": 2, "U4": 2}
    rows = ledger(ctx)
    assert sorted((e.cycle, e.rep_id) for e in rows) == [
        (1, "U1"), (1, "U2"), (1, "U3"), (1, "U4"), (2, "U1"), (2, "U2"), (2, "U3"), (2, "U4")]
    assert [e.rep_id for e in rows] == ["U1", "U2", "U3", "U4"] * 2  # in commit order, the turns go round
    ctx.engine.dispose()


def test_fairness_numbers(engine_url):
    ctx = make_ctx(engine_url, [NORTH, {"name": "east", "regions": ["上海"], "reps": ["U5", "U6"]}])
    for i in range(10):
        new_lead(ctx, f"北京公平{i}号有限公司", NOW + timedelta(minutes=i), region="北京")
    new_lead(ctx, "Umbrella Corp", NOW, region="广州")
    report = fairness.fairness(ctx, NOW - timedelta(hours=1), NOW + timedelta(days=1))
    north, east = report.rules
    assert north.counts == (("U1", 3), ("U2", 3), ("U3", 2), ("U4", 2))
    assert (north.total, north.spread, north.cycles, north.max_cycle_spread) == (10, 1, 3, 1)
    assert north.gini == pytest.approx(0.1)
    assert (east.total, east.spread, east.gini) == (0, 0, 0.0)
    assert report.unassigned == 1 and report.existing_owner == 0
    explained = fairness.explain(ctx, 1)
    assert explained[0]["rep"] == "U1" and explained[0]["rule"] == "north" and explained[0]["order"]
    ctx.engine.dispose()


def test_a_rule_without_reps_only_considers_people_who_have_held_a_customer(engine_url):
    from bot.services import reps

    context = make_ctx(engine_url, [{"name": "anyone", "reps": []}])
    reps.remember_profile(context, "U0FINANCE", "en-US", "Fiona from finance", NOW)  # only ever asked for a board
    claims.claim(context, "U0SELLER", ClaimRequest(name="Acme Corp"), NOW)
    result = new_lead(context, "Globex Ltd", NOW)
    assert (result.outcome, result.rep) == ("assigned", "U0SELLER")
    context.engine.dispose()
