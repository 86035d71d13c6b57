"""`/claimbot scorecard` (PRODUCT 3.7) on real databases: a scripted month of claims, follow-ups, stage
moves, a co-owned win, a lost customer, a recycle, disputes and complaints, then every number checked.

Calendar (Asia/Shanghai): the week is Mon 2026-11-23 .. Sun 11-29; "today" is Fri 11-27.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.results.scorecards import Scorecard
from bot.rules import scorecard as rules
from bot.services import activity, claims, complaints, disputes, reps, scorecards, sweeps
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from bot.views import scorecard as view
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import Refusal

TZ = ZoneInfo("Asia/Shanghai")
ALICE, BOB, ERIN = "U0ALICE", "U0BOB", "U0ERIN"
MGR1, MGR2 = "U0MGR1", "U0MGR2"
NOTE = "电话沟通了采购需求和预算安排"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def ok(result, *outcomes):
    assert result.outcome in outcomes, result
    return result


def claim(ctx, rep, name, now):
    return ok(claims.claim(ctx, rep, ClaimRequest(name=name), now), "created")


def script(ctx: ServiceContext) -> None:
    # Before the week, in November
    claim(ctx, BOB, "Initech", at(10, 10))
    ok(activity.log_followup(ctx, BOB, f"Initech | call: {NOTE}", at(11, 10)), "logged")  # 24 h after the claim
    ok(complaints.log(ctx, MGR2, "Initech | 发票开错了", at(12, 10)), "logged")  # against Bob, resolved in Nov
    ok(complaints.resolve(ctx, MGR1, 1, "已重开发票", at(13, 10)), "resolved")
    claim(ctx, ALICE, "Old Lead", at(21, 10))  # never followed up: recycled on Thursday
    # Monday
    ok(activity.release(ctx, BOB, "Initech | 客户预算取消", at(23, 9)), "released")
    claim(ctx, ALICE, "Acme Corp", at(23, 10))
    claim(ctx, ALICE, "Globex", at(23, 11))
    claim(ctx, BOB, "Hooli Inc", at(23, 12))
    ok(activity.log_followup(ctx, ALICE, f"Acme Corp | call: {NOTE}", at(23, 16)), "logged")  # 6 h
    ok(activity.log_followup(ctx, ALICE, f"Acme Corp | call: {NOTE}，第二次", at(23, 17)), "not_qualifying")
    late = ok(complaints.log(ctx, ERIN, "Acme Corp | 交付延迟 <!channel>", at(23, 18)), "logged")
    assert late.complaint.due_on == date(2026, 11, 26)  # overdue from Friday
    # Tuesday
    ok(activity.log_followup(ctx, ALICE, "Globex | short", at(24, 9)), "not_qualifying")  # too short: not first
    ok(activity.log_followup(ctx, ALICE, f"Globex | email: {NOTE}", at(24, 11)), "logged")  # 24 h
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | contacted", at(24, 12)), "changed")
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | qualified", at(24, 13)), "changed")
    ok(activity.change_stage(ctx, BOB, "Hooli Inc | contacted", at(24, 14)), "changed")
    ok(activity.change_stage(ctx, BOB, "Hooli Inc | lead", at(24, 15)), "changed")  # back: no advance
    # Wednesday: Bob's first follow-up on Hooli (48 h); two disputes by Bob
    ok(activity.log_followup(ctx, BOB, f"Hooli Inc | visit: {NOTE}", at(25, 12)), "logged")
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | proposal", at(25, 13)), "changed")
    acme = ok(disputes.open_dispute(ctx, BOB, "Acme Corp | 我先接触的", at(25, 9)), "opened")
    ok(disputes.decide(ctx, MGR1, acme.case.id, "coown", at(25, 10), claimant_share=40), "decided")
    globex = ok(disputes.open_dispute(ctx, BOB, "Globex | 我也在跟", at(25, 11)), "opened")
    ok(disputes.decide(ctx, MGR1, globex.case.id, "keep", at(25, 14)), "decided")  # Alice wins, Bob loses
    # Thursday: the 02:00 sweep recycles Old Lead; Acme won (Bob co-owns 40 %)
    assert sweeps.recycle_due(ctx, at(26, 2)).recycled == 1
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | won 100000", at(26, 9)), "changed")
    claim(ctx, ALICE, "Cyberdyne", at(26, 10))  # no follow-up yet: waiting
    # Friday: Globex lost; a second complaint against Alice, not yet due
    ok(activity.change_stage(ctx, ALICE, "Globex | lost", at(27, 10)), "changed")
    fresh = ok(complaints.log(ctx, MGR2, "Cyberdyne | 报价单错误", at(27, 11)), "logged")
    assert fresh.complaint.due_on == date(2026, 11, 30)
    reps.remember_profile(ctx, ALICE, "zh-CN", "Alice <Wang>", at(27, 11))


@pytest.fixture
def ctx(engine_url):
    migrate.upgrade(engine_url)
    settings = Settings(database_url=engine_url, team=TeamSettings(managers=[MGR1, MGR2]),
                        claims=ClaimSettings(daily_claim_cap=100))
    context = ServiceContext(engine=make_engine(engine_url), settings=settings)
    script(context)
    yield context
    context.engine.dispose()


FRIDAY_EVENING = at(27, 18)


def test_alice_week_and_month_in_numbers(ctx):
    week = ok(scorecards.scorecard(ctx, ALICE, None, "week", FRIDAY_EVENING), "ok")
    assert (week.rep, week.first, week.last, week.name) == (ALICE, date(2026, 11, 23), date(2026, 11, 29),
                                                            "Alice <Wang>")
    assert week.card == Scorecard(
        claims=3,  # Acme, Globex, Cyberdyne
        followups=2,  # Acme Mon, Globex Tue (the second Acme note and the short one do not qualify)
        advances=3,  # contacted, qualified, proposal; won is a win
        wins=0.6, amount=60000.0,  # Bob co-owns 40 %
        won=1, lost=1, conversion=0.5,  # Acme won, Globex lost
        first_followup_hours=15.0, first_followup_measured=2, first_followup_waiting=1,  # median of 6 h and 24 h
        disputes_won=1, disputes_lost=0,  # Globex kept; co-own is nobody's win
        recycled=1,  # Old Lead
        complaints_opened=2, complaints_resolved=0, complaints_open=2, complaints_overdue=1,
    )
    month = ok(scorecards.scorecard(ctx, ALICE, ALICE, "month", FRIDAY_EVENING), "ok")
    assert (month.first, month.last) == (date(2026, 11, 1), date(2026, 11, 30))
    # + Old Lead's claim; its ownership ended without a follow-up, so it is neither measured nor waiting
    assert month.card == Scorecard(claims=4, followups=2, advances=3, wins=0.6, amount=60000.0, won=1, lost=1,
                                   conversion=0.5, first_followup_hours=15.0, first_followup_measured=2,
                                   first_followup_waiting=1, disputes_won=1, disputes_lost=0, recycled=1,
                                   complaints_opened=2, complaints_open=2, complaints_overdue=1)


def test_bob_week_and_month_in_numbers(ctx):
    week = ok(scorecards.scorecard(ctx, BOB, None, "week", FRIDAY_EVENING), "ok").card
    assert week == Scorecard(claims=1, followups=1, advances=1, wins=0.4, amount=40000.0, won=0, lost=0,
                             conversion=None, first_followup_hours=48.0, first_followup_measured=1,
                             first_followup_waiting=0, disputes_won=0, disputes_lost=1, recycled=0)
    month = ok(scorecards.scorecard(ctx, BOB, None, "month", FRIDAY_EVENING), "ok").card
    # + Initech: claimed, followed up 24 h later, complained about and resolved, then released
    assert month == Scorecard(claims=2, followups=2, advances=1, wins=0.4, amount=40000.0, conversion=None,
                              first_followup_hours=36.0, first_followup_measured=2, disputes_lost=1,
                              complaints_opened=1, complaints_resolved=1)


def test_next_week_starts_from_zero_but_open_complaints_stay(ctx):
    monday = at(30, 9)
    card = ok(scorecards.scorecard(ctx, ALICE, None, "week", monday), "ok").card
    assert card.claims == card.followups == card.recycled == card.complaints_opened == 0
    assert card.conversion is None and card.first_followup_hours is None
    assert (card.complaints_open, card.complaints_overdue) == (2, 1)  # Friday's is due today, not overdue
    december = ok(scorecards.scorecard(ctx, ALICE, None, "month", at(1, 9, month=12)), "ok")
    assert (december.first, december.last) == (date(2026, 12, 1), date(2026, 12, 31))


def test_reps_see_their_own_and_managers_see_anyones(ctx):
    refused = scorecards.scorecard(ctx, BOB, ALICE, "week", FRIDAY_EVENING)
    assert (refused.outcome, refused.refusal, refused.card) == ("refused", "not_manager", None)
    with read_session(ctx.engine) as session:
        [row] = session.exec(select(Refusal).where(Refusal.actor == BOB)).all()
    assert (row.action, row.subject, row.reason) == ("scorecard", ALICE, "not_manager")
    manager = ok(scorecards.scorecard(ctx, MGR1, ALICE, "month", FRIDAY_EVENING), "ok")
    assert manager.card == ok(scorecards.scorecard(ctx, ALICE, None, "month", FRIDAY_EVENING), "ok").card
    assert not manager.own
    unknown = scorecards.scorecard(ctx, MGR1, "U0NOBODY", "week", FRIDAY_EVENING)
    assert (unknown.outcome, unknown.card) == ("unknown_rep", None)
    # a rep asking about someone unknown is refused first (the answer must not tell who exists)
    assert scorecards.scorecard(ctx, BOB, "U0NOBODY", "week", FRIDAY_EVENING).outcome == "refused"
    # a new rep's own card is all zeros, not an error
    assert ok(scorecards.scorecard(ctx, "U0NEW", None, "week", FRIDAY_EVENING), "ok").card == Scorecard()
    with pytest.raises(ValueError):
        scorecards.scorecard(ctx, ALICE, None, "day", FRIDAY_EVENING)


def test_the_view_shows_every_number_in_both_languages(ctx):
    result = scorecards.scorecard(ctx, MGR1, ALICE, "week", FRIDAY_EVENING)
    en = json.dumps(view.scorecard(result, "en"), ensure_ascii=False)
    for shown in ("Scorecard of <@U0ALICE> · week of Nov 23, 2026 to Nov 29, 2026", "*Claims*\\n3",
                  "*Qualifying follow-ups*\\n2", "15 h (2 measured, 1 still waiting)", "*Stage advances*\\n3",
                  "0.6 (60,000 won)", "50% (1 won of 2 decided)", "won 1 · lost 0", "*Recycled from them*\\n1",
                  "2 new · 0 resolved · 2 open"):
        assert shown in en, shown
    zh = json.dumps(view.scorecard(ok(scorecards.scorecard(ctx, BOB, None, "month", FRIDAY_EVENING), "ok"), "zh"),
                    ensure_ascii=False)
    for shown in ("<@U0BOB> 的本月成绩 · 2026年11月1日 至 2026年11月30日", "36 小时（2 个已跟进，0 个待跟进）",
                  "胜 0 · 负 1", "*转化率*\\n—（赢 0 / 定局 0）", "*被回收*\\n0", "本期新增 1 · 本期解决 1"):
        assert shown in zh, shown
    compact = view.scorecard_compact(scorecards.scorecard(ctx, BOB, None, "week", FRIDAY_EVENING), "en")
    assert len(compact) == 2 and "wins 0.4 (40,000)" in json.dumps(compact) and "2 days" in json.dumps(compact)
    refused = view.scorecard(scorecards.scorecard(ctx, BOB, ALICE, "week", FRIDAY_EVENING), "zh")
    assert "只有经理" in json.dumps(refused, ensure_ascii=False)
    assert view.scorecard_compact(scorecards.scorecard(ctx, BOB, ALICE, "week", FRIDAY_EVENING), "en") == []


def test_parsing_the_command_text():
    assert rules.parse_request("") == rules.Request(None, "week")
    assert rules.parse_request("month") == rules.Request(None, "month")
    assert rules.parse_request("<@U0ALICE|alice> 月") == rules.Request(ALICE, "month")
    assert rules.parse_request("周 <@U0ALICE>") == rules.Request(ALICE, "week")
    assert rules.parse_request("<@U0ALICE>") == rules.Request(ALICE, "week")
    assert rules.parse_request("day") is None and rules.parse_request("alice") is None
    assert rules.parse_request("<@U0ALICE> year") is None
