"""The claim core's services against real databases (SQLite file and PostgreSQL), migrated by Alembic."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import activity, claims, customers
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import Customer, FollowUp, Ownership, OwnershipEvent

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def make_ctx(url: str, **claim_overrides) -> ServiceContext:
    migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=["U0MGR1", "U0MGR2"]),
                        claims=ClaimSettings(**claim_overrides))
    return ServiceContext(engine=make_engine(url), settings=settings)


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url)
    yield context
    context.engine.dispose()


def claim(ctx, rep, name, now=NOW, **kw):
    return claims.claim(ctx, rep, ClaimRequest(name=name, **kw), now)


def events(ctx):
    with read_session(ctx.engine) as s:
        return s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id)).all()


def test_a_new_customer_is_created_and_protected(ctx):
    r = claim(ctx, "U0ALICE", "北京字节跳动科技有限公司")
    assert r.outcome == "created"
    assert r.customer.owner == "U0ALICE"
    # first follow-up due after 3 days is the nearest clock (Shanghai calendar days)
    assert r.customer.first_followup_due == date(2026, 11, 30)
    assert r.until == date(2026, 11, 30) and r.customer.clock == "first_followup"
    assert r.customer.short_id.startswith("C-")
    [e] = events(ctx)
    assert (e.kind, e.to_rep, e.actor, e.rule) == ("claim", "U0ALICE", "U0ALICE", "first_claim")


def test_the_owner_sees_status_and_others_are_refused_with_the_owner_named(ctx):
    claim(ctx, "U0ALICE", "北京字节跳动科技有限公司")
    mine = claim(ctx, "U0ALICE", "北京字节跳动科技有限公司", NOW + timedelta(days=1))
    assert mine.outcome == "already_yours" and mine.days_left == 2
    assert mine.next_reminder == date(2026, 11, 29)  # 1 day before; the 7-day one has passed
    other = claim(ctx, "U0BOB", "北京字节跳动科技（北京）有限公司")  # same name key
    assert other.outcome == "owned_by_other"
    assert other.customer.owner == "U0ALICE" and other.customer.protected_until == date(2026, 11, 30)
    assert other.customer.last_activity == date(2026, 11, 27)
    assert len(events(ctx)) == 1


def test_a_probable_match_asks_and_the_answer_is_honoured(ctx):
    claim(ctx, "U0ALICE", "深圳市腾讯计算机系统有限公司")
    ask = claim(ctx, "U0BOB", "腾讯计算机系统有限公司")
    assert ask.outcome == "confirm"
    assert ask.candidates[0].tier == "strong" and ask.candidates[0].customer.owner == "U0ALICE"
    same = claims.claim(ctx, "U0BOB", ClaimRequest(name="腾讯计算机系统有限公司",
                                                   same_as=ask.candidates[0].customer.id), NOW)
    assert same.outcome == "owned_by_other"
    different = claims.claim(ctx, "U0BOB", ClaimRequest(name="腾讯计算机系统有限公司", different=True), NOW)
    assert different.outcome == "created" and different.flagged_for_review
    with read_session(ctx.engine) as s:
        flagged = s.exec(select(Customer).where(Customer.needs_review.is_(True))).all()
    assert [c.name for c in flagged] == ["腾讯计算机系统有限公司"]


def test_identifiers_identify_and_bad_ones_write_nothing(ctx):
    claim(ctx, "U0ALICE", "Acme Corporation", domain="https://www.acme.com/about")
    r = claim(ctx, "U0BOB", "ACME Holdings International", domain="sales@acme.com")
    assert r.outcome == "owned_by_other"
    bad = claim(ctx, "U0BOB", "Globex", uscc="91350100M000100Y44")
    assert bad.outcome == "invalid" and bad.error.code == "error.invalid_uscc"
    with read_session(ctx.engine) as s:
        assert len(s.exec(select(Customer)).all()) == 1


@pytest.mark.parametrize("text,code", [("", "error.empty"), ("   ", "error.empty"), ("\u200b\u200d", "error.empty"),
                                       ("x" * 4001, "error.too_long"), ("!!! ???", "error.no_letters")])
def test_bad_names_are_refused_without_writing(ctx, text, code):
    r = claim(ctx, "U0ALICE", text)
    assert r.outcome == "invalid" and r.error.code == code
    assert events(ctx) == []


def test_holding_cap_daily_cap_and_cooldown(engine_url):
    ctx = make_ctx(engine_url, holding_cap=2, daily_claim_cap=3, reclaim_cooldown_days=7)
    assert claim(ctx, "U0ALICE", "Alpha Trading").outcome == "created"
    assert claim(ctx, "U0ALICE", "Beta Logistics").outcome == "created"
    capped = claim(ctx, "U0ALICE", "Gamma Foods")
    assert (capped.outcome, capped.rule, capped.limit, capped.count) == ("refused", "holding_cap", 2, 2)
    # nothing half-written: the refused new customer does not exist
    assert customers.details(ctx, "Gamma Foods").lookup.customer is None
    assert activity.release(ctx, "U0ALICE", "Alpha Trading | 预算取消", NOW).outcome == "released"
    cooled = claim(ctx, "U0ALICE", "Alpha Trading")
    assert (cooled.outcome, cooled.rule, cooled.until) == ("refused", "cooldown", date(2026, 12, 4))
    assert claim(ctx, "U0ALICE", "Delta Steel").outcome == "created"
    daily = claim(ctx, "U0BOB", "Alpha Trading")  # Bob may take it from the pool
    assert daily.outcome == "claimed"
    assert activity.release(ctx, "U0ALICE", "Delta Steel | wrong contact", NOW).outcome == "released"
    daily = claim(ctx, "U0ALICE", "Epsilon Paper")  # Alice's 4th claim today
    assert (daily.outcome, daily.rule, daily.limit, daily.count) == ("refused", "daily_claim_cap", 3, 3)
    assert claim(ctx, "U0ALICE", "Epsilon Paper", NOW + timedelta(days=1)).outcome == "created"
    assert claim(ctx, "U0ALICE", "Alpha Trading", NOW + timedelta(days=8)).outcome == "owned_by_other"
    ctx.engine.dispose()


def test_followups_extend_the_clock_once_a_day_and_short_notes_do_not_count(ctx):
    claim(ctx, "U0ALICE", "Acme Corp", tier="C")
    later = NOW + timedelta(days=2)
    short = activity.log_followup(ctx, "U0ALICE", "Acme Corp | call: hi", later)
    assert short.outcome == "not_qualifying" and short.detail == "short" and short.until == date(2026, 11, 30)
    ok = activity.log_followup(ctx, "U0ALICE", "Acme Corp | call: 约了下周二上门演示产品", later)
    assert ok.outcome == "logged" and ok.kind == "call"
    assert ok.until == date(2026, 11, 29) + timedelta(days=14)  # tier C follow-up clock
    again = activity.log_followup(ctx, "U0ALICE", "Acme Corp 微信: 发了报价单和案例给对方", later)
    assert again.outcome == "not_qualifying" and again.detail == "same_day" and again.kind == "wechat"
    with read_session(ctx.engine) as s:
        assert [f.qualifying for f in s.exec(select(FollowUp).order_by(FollowUp.id)).all()] == [False, True, False]
    assert activity.log_followup(ctx, "U0BOB", "Acme Corp | call: 我也打了一个电话给他们", later).outcome == "not_owner"


def test_stages_move_the_progress_clock_and_won_is_never_recycled(engine_url):
    ctx = make_ctx(engine_url, holding_cap=1)
    claim(ctx, "U0ALICE", "Acme Corp", tier="C")
    activity.log_followup(ctx, "U0ALICE", "Acme Corp | visit: 现场拜访，见了 CTO 和采购", NOW)
    r = activity.change_stage(ctx, "U0ALICE", "Acme Corp | qualified", NOW + timedelta(days=10))
    assert r.outcome == "changed" and r.detail == "advance"
    assert activity.change_stage(ctx, "U0ALICE", "Acme Corp | won", NOW).error.code == "stage.won_needs_amount"
    won = activity.change_stage(ctx, "U0ALICE", "Acme Corp | won 12万", NOW + timedelta(days=11))
    assert won.detail == "won" and won.amount == 120000 and won.until is None
    # won customers do not count toward the holding cap of 1
    assert claim(ctx, "U0ALICE", "Globex Ltd").outcome == "created"
    lost = activity.change_stage(ctx, "U0ALICE", "Globex Ltd | lost", NOW)
    assert lost.detail == "lost" and lost.customer.owner is None
    assert [e.kind for e in events(ctx)] == ["claim", "claim", "lost"]
    rows = {row["name"]: row for row in customers.export_rows(ctx)}
    assert rows["Acme Corp"]["status"] == "won" and rows["Globex Ltd"]["status"] == "lost"
    ctx.engine.dispose()


def test_my_customers_are_sorted_by_the_nearest_deadline(ctx):
    claim(ctx, "U0ALICE", "Far Away Ltd", tier="A")
    claim(ctx, "U0ALICE", "Near Co", NOW - timedelta(days=2))
    activity.log_followup(ctx, "U0ALICE", "Far Away Ltd | email: 发送了产品介绍和报价", NOW)
    mine = customers.my_customers(ctx, "U0ALICE")
    assert [c.name for c in mine.rows] == ["Near Co", "Far Away Ltd"]
    assert mine.total == 2


def test_customer_history_shows_every_ownership_change(ctx):
    claim(ctx, "U0ALICE", "Acme Corp")
    activity.release(ctx, "U0ALICE", "Acme Corp | 客户没有预算", NOW + timedelta(hours=1))
    claim(ctx, "U0BOB", "C-1001", NOW + timedelta(hours=2))
    d = customers.details(ctx, "acme corp")
    assert d.lookup.customer.owner == "U0BOB"
    assert [(h.kind, h.from_rep, h.to_rep, h.reason) for h in d.history] == [
        ("claim", None, "U0ALICE", None), ("release", "U0ALICE", None, "客户没有预算"), ("claim", None, "U0BOB", None)]


def test_longest_known_name_at_the_start_is_taken_without_a_separator(ctx):
    claim(ctx, "U0ALICE", "Acme")
    claim(ctx, "U0ALICE", "Acme Robotics")
    r = activity.log_followup(ctx, "U0ALICE", "Acme Robotics call: 电话沟通了试点方案细节", NOW)
    assert r.customer.name == "Acme Robotics" and r.kind == "call"


def test_concurrent_claims_have_exactly_one_winner(ctx):
    results, barrier = [], threading.Barrier(16)

    def worker(i):
        barrier.wait()
        results.append(claim(ctx, f"U{i:04d}", "Payload Systems Inc."))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == ["created"] + ["owned_by_other"] * 15
    with read_session(ctx.engine) as s:
        assert len(s.exec(select(Ownership)).all()) == 1
        assert len(s.exec(select(Customer)).all()) == 1
