"""Versioned clock rules and the grace period after tightening (PRODUCT 3.2, docs/decisions/0005).

Pure tests of the grace rule first, then the services on real SQLite and PostgreSQL: a version is
recorded once however many processes start together; tightening recycles nothing for 3 days, then
does; loosening applies at once; reminders follow the deadline that counts.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.rules.clocks import ClockRules, protection
from bot.rules.rule_changes import GRACE_CLOCK, RuleVersion, effective_until, protection_across_versions
from bot.services import activity, claims, customers, rule_versions, sweeps
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import ClockRuleVersion, Outbox, Ownership, OwnershipEvent, ProtectionRefresh
from tests.support.sweep_process import sweep_after_barrier

TZ = ZoneInfo("Asia/Shanghai")
DAY0 = date(2026, 11, 2)  # a Monday


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def at(n: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day(n), time(hour, minute), tzinfo=TZ).astimezone(UTC)


# --- the pure rule

D = date(2026, 12, 10)


@pytest.mark.parametrize(("old", "new", "expected", "why"), [
    (D + timedelta(30), D - timedelta(9), D + timedelta(3), "tightened past today: held to the grace end"),
    (D + timedelta(30), D + timedelta(10), D + timedelta(10), "tightened, still after the grace end"),
    (D + timedelta(1), D - timedelta(5), D + timedelta(1), "never later than the old rule said"),
    (D + timedelta(10), D + timedelta(40), D + timedelta(40), "loosened: at once"),
    (None, D, D + timedelta(3), "from never recycled"),
    (D, None, None, "to never recycled"),
])
def test_effective_until(old, new, expected, why):
    assert effective_until(old, new, D, 3) == expected, why


def _rules(followup_b: int = 30, first: int = 3) -> ClockRules:
    return ClockRules(first_followup_days=first, followup_timeout_days={"A": 45, "B": followup_b, "C": 14},
                      progress_timeout_days={"A": 180, "B": 90, "C": 60}, max_protection_days=180)


dates = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))


@given(old=dates, new=dates, change=dates, grace=st.integers(0, 10))
def test_the_grace_rule_never_recycles_earlier_than_both_the_old_rule_and_the_grace_end(old, new, change, grace):
    e = effective_until(old, new, change, grace)
    assert e >= new  # never earlier than the new rule
    assert e >= min(old, change + timedelta(days=grace))  # tightening waits for the grace (or the old date)
    assert e <= max(old, new)  # never later than either rule
    if new >= old:
        assert e == new  # loosening: at once


def test_the_fold_only_counts_changes_made_while_the_ownership_existed():
    started = at(0)
    v1 = RuleVersion(1, _rules(30), at(-50))
    v2 = RuleVersion(2, _rules(10), at(20, 2))  # tightened on day 20
    args = dict(tier="B", stage="lead", tz="Asia/Shanghai", last_followup_at=at(1), last_progress_at=started)
    p = protection_across_versions([v1, v2], grace_days=3, started_at=started, **args)
    assert (p.until, p.clock) == (day(23), GRACE_CLOCK)
    later = protection_across_versions([v1, v2], grace_days=3, started_at=at(21), **args)  # started after it
    assert later.until == protection(_rules(10), started_at=at(21), **args).until
    # loosened again on day 21: the new rule counts at once
    v3 = RuleVersion(3, _rules(40), at(21, 2))
    assert protection_across_versions([v1, v2, v3], grace_days=3, started_at=started, **args).until == day(41)


# --- the services

REP = "U0ALICE"


def make_ctx(url: str, *, migrate_first: bool = True, **claim_overrides) -> ServiceContext:
    if migrate_first:
        migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(timezone="Asia/Shanghai"),
                        claims=ClaimSettings(**claim_overrides))
    return ServiceContext(engine=make_engine(url), settings=settings)


@pytest.fixture
def url(engine_url):
    migrate.upgrade(engine_url)
    return engine_url


def contexts(url: str, *overrides: dict) -> list[ServiceContext]:
    return [make_ctx(url, migrate_first=False, **o) for o in overrides]


def claim(ctx, name, n, tier="B"):
    r = claims.claim(ctx, REP, ClaimRequest(name=name, tier=tier), at(n))
    assert r.outcome == "created", r
    return r


def followup(ctx, name, n):
    assert activity.log_followup(ctx, REP, f"{name} | call: talked to the buyer", at(n)).outcome == "logged"


def versions(ctx) -> list[ClockRuleVersion]:
    with read_session(ctx.engine) as s:
        return list(s.exec(select(ClockRuleVersion).order_by(ClockRuleVersion.version)).all())


def recycled(ctx) -> dict[str, date]:
    """customer name → local day it was recycled"""
    with read_session(ctx.engine) as s:
        from storage.models import Customer
        names = {c.id: c.name for c in s.exec(select(Customer)).all()}
        return {names[e.customer_id]: e.at.astimezone(TZ).date()
                for e in s.exec(select(OwnershipEvent).where(OwnershipEvent.kind == "recycle")).all()}


def reminders(ctx) -> list[tuple[date, str, str, int]]:
    """(day decided, customer, until, days before)"""
    with read_session(ctx.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "reminder").order_by(Outbox.id)).all()
        return [(r.created_at.astimezone(TZ).date(), json.loads(r.data)["name"], json.loads(r.data)["until"],
                 json.loads(r.data)["days"]) for r in rows]


def stored_until(ctx) -> dict[int, date | None]:
    with read_session(ctx.engine) as s:
        return {o.customer_id: o.protected_until
                for o in s.exec(select(Ownership).where(Ownership.ended_at.is_(None))).all()}  # type: ignore[union-attr]


def run_days(ctx, first: int, last: int) -> None:
    for n in range(first, last + 1):
        sweeps.recycle_due(ctx, at(n, 2))
        sweeps.remind_due(ctx, at(n, 9))


def dispose(*ctxs: ServiceContext) -> None:
    for c in ctxs:
        c.engine.dispose()


def test_the_first_sweep_records_the_settings_once(url):
    [ctx] = contexts(url, {})
    run_days(ctx, 0, 2)
    [v] = versions(ctx)
    assert (v.version, v.source, v.effective_at) == (1, "config", at(0, 2))
    assert json.loads(v.settings) == {"count": "calendar_days", "first_followup_days": 3, "max_protection_days": 180,
                                      "followup_timeout_days": {"A": 45, "B": 30, "C": 14},
                                      "progress_timeout_days": {"A": 180, "B": 90, "C": 60}}
    assert rule_versions.record(ctx, at(3)).created is False
    dispose(ctx)


def _start_together(url: str, overrides: dict, now: datetime, processes: int = 2) -> None:
    """``processes`` fresh processes (spawned: nothing shared) start and sweep at the same moment."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(processes)
    procs = [spawn.Process(target=sweep_after_barrier, args=(url, overrides, now.isoformat(), barrier))
             for _ in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * processes


def test_a_version_is_recorded_once_when_processes_start_together(url):
    [ctx] = contexts(url, {})
    for i in range(5):
        claim(ctx, f"Globex {i} Corporation", 0)
    _start_together(url, {}, at(1, 2))
    assert [v.version for v in versions(ctx)] == [1]
    _start_together(url, {"followup_timeout_days": {"A": 45, "B": 20, "C": 14}}, at(2, 2))  # a change
    assert [v.version for v in versions(ctx)] == [1, 2]
    with read_session(ctx.engine) as s:
        refreshes = s.exec(select(ProtectionRefresh).order_by(ProtectionRefresh.version)).all()
    assert [(r.version, r.finished_at is not None) for r in refreshes] == [(1, True), (2, True)]
    dispose(ctx)


def test_threads_recording_the_same_change_record_it_once(url):
    [ctx] = contexts(url, {})
    rule_versions.record(ctx, at(0))
    changed = contexts(url, *[{"first_followup_days": 5}] * 8)
    barrier = threading.Barrier(len(changed))
    outcomes: list[bool] = []

    def go(c: ServiceContext) -> None:
        barrier.wait()
        outcomes.append(rule_versions.record(c, at(1)).created)

    threads = [threading.Thread(target=go, args=(c,)) for c in changed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False] * 7 + [True]
    assert [v.version for v in versions(ctx)] == [1, 2]
    dispose(ctx, *changed)


def test_tightening_recycles_nothing_for_three_days_then_recycles(url):
    old, new = contexts(url, {}, {"followup_timeout_days": {"A": 45, "B": 10, "C": 5}})
    claim(old, "Overdue Ltd", 0)
    followup(old, "Overdue Ltd", 1)  # B: 30 days → through day 31; 10 days → day 11, long past on day 20
    claim(old, "Later Ltd", 18)
    followup(old, "Later Ltd", 19)  # B: 10 days → day 29, after the grace: the new rule at once
    claim(old, "Soon Ltd", 0, tier="C")
    followup(old, "Soon Ltd", 7)  # C: 14 days → day 21, before the grace end: never later than the old rule
    run_days(old, 0, 19)
    assert recycled(old) == {}

    run_days(new, 20, 23)  # tightened on day 20: grace through day 23
    assert recycled(new) == {"Soon Ltd": day(22)}
    overdue = customers.details(new, "Overdue Ltd").lookup.customer
    assert (overdue.protected_until, overdue.clock) == (day(23), GRACE_CLOCK)
    assert set(stored_until(new).values()) == {day(23), day(29)}  # the refresh pass stored what counts

    run_days(new, 24, 30)
    assert recycled(new) == {"Soon Ltd": day(22), "Overdue Ltd": day(24), "Later Ltd": day(30)}
    with read_session(new.engine) as s:
        notice = json.loads(s.exec(select(Outbox).where(Outbox.kind == "recycled", Outbox.channel == REP)
                                   .order_by(Outbox.id)).all()[1].data)
    assert (notice["name"], notice["clock"], notice["until"], notice["days_rule"]) == (
        "Overdue Ltd", GRACE_CLOCK, day(23).isoformat(), 3)
    # reminders follow the deadline that counts: Overdue Ltd's are for the grace end (never the old day 31,
    # whose 7-day reminder would have come on day 24); Soon Ltd keeps its old day 21
    assert sorted(reminders(new)) == sorted([
        (day(14), "Soon Ltd", day(21).isoformat(), 7), (day(20), "Soon Ltd", day(21).isoformat(), 1),
        (day(22), "Overdue Ltd", day(23).isoformat(), 1),
        (day(22), "Later Ltd", day(29).isoformat(), 7), (day(28), "Later Ltd", day(29).isoformat(), 1)])
    dispose(old, new)


def test_loosening_applies_at_once(url):
    old, new = contexts(url, {}, {"followup_timeout_days": {"A": 45, "B": 60, "C": 30}})
    claim(old, "Globex Corporation", 0, tier="C")
    followup(old, "Globex Corporation", 1)  # C: 14 days → through day 15
    run_days(old, 0, 15)
    assert stored_until(old) and recycled(old) == {}
    run_days(new, 16, 20)  # loosened on day 16 before the sweep: 30 days → through day 31
    assert recycled(new) == {}
    assert customers.details(new, "Globex Corporation").lookup.customer.protected_until == day(31)
    assert list(stored_until(new).values()) == [day(31)]
    run_days(new, 21, 32)
    assert recycled(new) == {"Globex Corporation": day(32)}
    assert [r[1:] for r in reminders(new)] == [("Globex Corporation", day(15).isoformat(), 7),
                                              ("Globex Corporation", day(15).isoformat(), 1),
                                              ("Globex Corporation", day(31).isoformat(), 7),
                                              ("Globex Corporation", day(31).isoformat(), 1)]
    dispose(old, new)


def test_switching_to_working_days_is_recorded_and_counts_china_s_holidays(url):
    old, new = contexts(url, {}, {"count": "working_days"})
    base = date(2026, 9, 28)  # Monday; 1–7 October off, Saturday 10 October worked (调休)
    now = datetime.combine(base, time(10), tzinfo=TZ).astimezone(UTC)
    assert claims.claim(old, REP, ClaimRequest(name="Initech LLC"), now).until == date(2026, 10, 1)
    sweeps.recycle_due(old, now)
    two = datetime.combine(date(2026, 9, 30), time(2), tzinfo=TZ).astimezone(UTC)
    sweeps.recycle_due(new, two)  # loosening: the 3rd working day after Monday 28 September is 8 October
    assert [v.version for v in versions(new)] == [1, 2]
    assert json.loads(versions(new)[1].settings)["calendar_data"].startswith("CN:holidays-")
    assert list(stored_until(new).values()) == [date(2026, 10, 8)]
    claims.claim(new, REP, ClaimRequest(name="Hooli Inc"), two + timedelta(hours=8))  # Wednesday 30 September
    assert customers.details(new, "Hooli Inc").lookup.customer.protected_until == date(2026, 10, 10)
    for d in range(1, 12):
        sweeps.recycle_due(new, datetime.combine(date(2026, 10, d), time(2), tzinfo=TZ).astimezone(UTC))
    assert recycled(new) == {"Initech LLC": date(2026, 10, 9), "Hooli Inc": date(2026, 10, 11)}
    dispose(old, new)


def test_the_refresh_pass_goes_in_batches_and_resumes(url, monkeypatch):
    old, new = contexts(url, {}, {"first_followup_days": 10})
    for name in ("Acme Rockets", "Umbrella Pharma", "Stark Industries", "Wayne Enterprises", "Cyberdyne Systems",
                 "Tyrell Corporation", "Soylent Foods"):
        claim(old, name, 0)
    rule_versions.record(old, at(0, 11))
    assert rule_versions.refresh_pending(old, at(0, 11), batch=3) == 7
    rule_versions.record(new, at(1, 2))
    calls = {"n": 0}
    real = rule_versions.protection

    def flaky(*args, **kw):  # the process dies during the second batch
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("killed")
        return real(*args, **kw)

    monkeypatch.setattr(rule_versions, "protection", flaky)
    with pytest.raises(RuntimeError):
        rule_versions.refresh_pending(new, at(1, 2), batch=3)
    with read_session(new.engine) as s:
        assert s.get(ProtectionRefresh, 2).through_id == 3  # the first batch is kept, the second rolled back
    monkeypatch.setattr(rule_versions, "protection", real)
    assert rule_versions.refresh_pending(new, at(1, 3), batch=3) == 4
    assert set(stored_until(new).values()) == {day(10)}  # loosened: 10 days after the claim
    assert rule_versions.refresh_pending(new, at(1, 4)) == 0
    dispose(old, new)
