"""The leaderboard and the daily digest (PRODUCT 3.7) on real databases: a scripted week of claims,
follow-ups, stage moves, a co-owned win, recycles, disputes and handovers, then the numbers checked.

Calendar (Asia/Shanghai): the week is Mon 2026-11-23 .. Sun 11-29; "today" is Fri 11-27.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, LeaderboardSettings, Settings, TeamSettings
from bot.jobs import registry
from bot.jobs import scoreboard as scoreboard_jobs
from bot.results.scoreboard import Digest, Leaderboard
from bot.services import activity, claims, disputes, handovers, reps, scoreboard, sweeps
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from bot.views import digest as digest_view
from bot.views.notices import render
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import JobRun, Outbox

TZ = ZoneInfo("Asia/Shanghai")
ALICE, BOB, ERIN, FRANK = "U0ALICE", "U0BOB", "U0ERIN", "U0FRANK"
MGR1, MGR2 = "U0MGR1", "U0MGR2"
FRIDAY = date(2026, 11, 27)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def make_ctx(url: str, *, digest_channel: str | None = "C0SALES", **leaderboard) -> ServiceContext:
    migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=[MGR1, MGR2], digest_channel=digest_channel),
                        claims=ClaimSettings(daily_claim_cap=100), leaderboard=LeaderboardSettings(**leaderboard))
    return ServiceContext(engine=make_engine(url), settings=settings)


def claim(ctx, rep, name, now, **kw):
    result = claims.claim(ctx, rep, ClaimRequest(name=name, **kw), now)
    assert result.outcome == "created", result
    return result


def ok(result, *outcomes):
    assert result.outcome in outcomes, result
    return result


def script_the_month(ctx: ServiceContext) -> None:
    note = "电话沟通了采购需求和预算安排"
    # before the week (November, so in the month's board)
    claim(ctx, ERIN, "Halloween Co", at(1, 0, 30), tier="A")  # 10-31 16:30 UTC: November in Shanghai
    ok(activity.log_followup(ctx, ERIN, f"Halloween Co | call: {note}", at(2, 10)), "logged")
    claim(ctx, BOB, "Initech", at(10, 10))
    ok(activity.log_followup(ctx, BOB, f"Initech | visit: {note}", at(11, 10)), "logged")
    claim(ctx, FRANK, "Frank Trading", at(21, 10))  # never followed up: recycled on Thursday
    claim(ctx, ERIN, "Stale Industries", at(22, 10))  # never followed up: recycled on Thursday
    # Monday
    claim(ctx, ALICE, "Acme Corp", at(23, 10))
    claim(ctx, ALICE, "Globex", at(23, 10, 5))
    claim(ctx, BOB, "Hooli Inc", at(23, 10, 10))
    ok(activity.log_followup(ctx, ALICE, f"Acme Corp | call: {note}", at(23, 11)), "logged")
    ok(activity.log_followup(ctx, ALICE, f"Acme Corp | call: {note}，第二次", at(23, 15)), "not_qualifying")
    ok(activity.log_followup(ctx, ALICE, f"Globex | email: {note}", at(23, 16)), "logged")
    # Tuesday
    ok(activity.log_followup(ctx, ALICE, "Globex | short", at(24, 10)), "not_qualifying")
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | contacted", at(24, 11)), "changed")
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | qualified", at(24, 12)), "changed")
    ok(activity.log_followup(ctx, BOB, f"Hooli Inc | meeting: {note}", at(24, 13)), "logged")
    ok(activity.change_stage(ctx, BOB, "Hooli Inc | contacted", at(24, 14)), "changed")
    ok(activity.change_stage(ctx, BOB, "Hooli Inc | lead", at(24, 15)), "changed")  # back: no advance
    # Wednesday: Bob disputes twice; co-own 40% on Acme, keep on Globex
    acme = ok(disputes.open_dispute(ctx, BOB, "Acme Corp | 我先接触的客户", at(25, 9)), "opened")
    ok(disputes.decide(ctx, MGR1, acme.case.id, "coown", at(25, 10), claimant_share=40), "decided")
    globex = ok(disputes.open_dispute(ctx, BOB, "Globex | 我也在跟", at(25, 11)), "opened")
    ok(disputes.decide(ctx, MGR1, globex.case.id, "keep", at(25, 12)), "decided")
    # Thursday: the 02:00 sweep, a win, a claim lost in a dispute, an assignment, a release, handovers
    assert sweeps.recycle_due(ctx, at(26, 2)).recycled == 2  # Frank Trading, Stale Industries
    ok(activity.change_stage(ctx, ALICE, "Acme Corp | won 100000", at(26, 9)), "changed")
    claim(ctx, ALICE, "Cyberdyne", at(26, 10))
    cyberdyne = ok(disputes.open_dispute(ctx, ERIN, "Cyberdyne | 上周我已拜访 <!channel>", at(26, 10, 30)), "opened")
    ok(activity.release(ctx, BOB, "Initech | 客户预算取消 <!channel> & more", at(26, 11)), "released")
    ok(handovers.assign(ctx, MGR2, f"Stale Industries <@{ALICE}>", at(26, 12)), "assigned")
    hooli = ok(handovers.request(ctx, BOB, f"Hooli Inc <@{ERIN}> | 区域调整", at(26, 14)), "requested")
    ok(handovers.approve(ctx, MGR1, hooli.handover.id, at(26, 15)), "transferred")
    ok(handovers.request(ctx, ALICE, f"Globex <@{ERIN}> | 精力不够", at(26, 16)), "requested")
    ok(disputes.decide(ctx, MGR2, cyberdyne.case.id, "transfer", at(26, 17)), "decided")
    # Friday
    claim(ctx, BOB, "Soylent", at(27, 9, 30))
    ok(activity.log_followup(ctx, BOB, f"Soylent | wechat: {note}", at(27, 9, 45)), "logged")
    claim(ctx, ERIN, "Wayne Enterprises", at(27, 10))
    ok(activity.log_followup(ctx, ERIN, f"Wayne Enterprises | call: {note}", at(27, 10, 15)), "logged")
    ok(disputes.open_dispute(ctx, ERIN, "Soylent | 之前联系过", at(27, 10, 30)), "opened")
    reps.remember_profile(ctx, ALICE, "zh-CN", "Alice <Wang>", at(27, 11))


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url)
    script_the_month(context)
    yield context
    context.engine.dispose()


def numbers(board: Leaderboard) -> list[tuple]:
    return [(r.rank, r.rep, r.claims, r.followups, r.advances, r.wins, r.amount, r.score) for r in board.rows]


def hidden(board: Leaderboard) -> dict[str, tuple]:
    return {r.rep: (r.recycled, r.disputes_lost) for r in board.rows}


def test_the_week_month_and_day_boards_in_numbers(ctx):
    now = at(27, 18)
    week = scoreboard.leaderboard(ctx, "week", now, None)
    assert (week.first, week.last) == ("2026-11-23", "2026-11-29")
    assert numbers(week) == [
        # rank rep  claims follow-ups advances wins  amount   score: ×1 ×1 ×3 ×10
        (1, ALICE, 3, 2, 2, 0.6, 60000.0, 17.0),  # 3 + 2 + 6 + 6; 60% of the co-owned win
        (2, BOB, 2, 2, 1, 0.4, 40000.0, 11.0),  # 2 + 2 + 3 + 4; the co-owner's 40%
        (3, ERIN, 1, 1, 0, 0.0, 0.0, 2.0),
    ]
    assert week.total == 3 and week.weights == {"claims": 1, "followups": 1, "advances": 3, "wins": 10}
    month = scoreboard.leaderboard(ctx, "month", now, None)
    assert (month.first, month.last) == ("2026-11-01", "2026-11-30")
    assert numbers(month) == [
        (1, ALICE, 3, 2, 2, 0.6, 60000.0, 17.0),
        (2, BOB, 3, 3, 1, 0.4, 40000.0, 13.0),  # + Initech's claim and follow-up
        (3, ERIN, 3, 2, 0, 0.0, 0.0, 5.0),  # + Halloween (00:30 on Nov 1 in Shanghai) and Stale
        (4, FRANK, 1, 0, 0, 0.0, 0.0, 1.0),
    ]
    day = scoreboard.leaderboard(ctx, "day", now, None)
    assert (day.first, day.last) == ("2026-11-27", "2026-11-27")
    assert numbers(day) == [(1, BOB, 1, 1, 0, 0.0, 0.0, 2.0), (1, ERIN, 1, 1, 0, 0.0, 0.0, 2.0)]  # a tie
    # the co-own split conserves the win: 0.6 + 0.4 of one win, 60,000 + 40,000 of its amount
    assert sum(r.wins for r in week.rows) == 1.0 and sum(r.amount for r in week.rows) == 100000.0


def test_hidden_columns_only_for_the_rep_and_managers(ctx):
    now = at(27, 18)
    channel = scoreboard.leaderboard(ctx, "week", now, None)
    assert hidden(channel) == {ALICE: (None, None), BOB: (None, None), ERIN: (None, None)}
    assert FRANK not in hidden(channel)  # only recycled this week: not on the channel's board
    bob = scoreboard.leaderboard(ctx, "week", now, BOB)
    assert hidden(bob) == {ALICE: (None, None), BOB: (0, 1), ERIN: (None, None)}  # lost the Globex dispute
    frank = scoreboard.leaderboard(ctx, "week", now, FRANK)
    assert hidden(frank)[FRANK] == (1, 0) and [r.rank for r in frank.rows if r.rep == FRANK] == [4]
    manager = scoreboard.leaderboard(ctx, "week", now, MGR1)
    assert manager.manager_view
    assert hidden(manager) == {ALICE: (0, 1), BOB: (0, 1), ERIN: (1, 0), FRANK: (1, 0)}
    assert [r.score for r in manager.rows if r.rep == FRANK] == [0.0]
    # display names where known, escaped by the view
    assert [r.name for r in channel.rows if r.rep == ALICE] == ["Alice <Wang>"]
    text = json.dumps(digest_view.leaderboard(channel, "en", "Asia/Shanghai"), ensure_ascii=False)
    assert "Alice &lt;Wang&gt;" in text and "<Wang>" not in text and "recycled" not in text
    assert "disputes lost 1" in json.dumps(digest_view.leaderboard(bob, "en", "Asia/Shanghai"))
    assert "被回收" in json.dumps(digest_view.leaderboard(manager, "zh", "Asia/Shanghai"), ensure_ascii=False)


def test_weights_and_points_for_the_amount_come_from_the_settings(engine_url):
    context = make_ctx(engine_url, weights={"claims": 2, "followups": 0.5, "advances": 0, "wins": 20},
                       amount_per_point=10000)
    try:
        script_the_month(context)
        week = scoreboard.leaderboard(context, "week", at(27, 18), None)
        assert numbers(week) == [
            (1, ALICE, 3, 2, 2, 0.6, 60000.0, 6 + 1 + 0 + 12 + 6),  # + 60,000 ÷ 10,000
            (2, BOB, 2, 2, 1, 0.4, 40000.0, 4 + 1 + 0 + 8 + 4),
            (3, ERIN, 1, 1, 0, 0.0, 0.0, 2.5),
        ]
        assert week.amount_per_point == 10000
        assert "1 point per 10,000 won" in json.dumps(digest_view.leaderboard(week, "en", "Asia/Shanghai"))
    finally:
        context.engine.dispose()


def test_the_digest_sections(ctx):
    d = scoreboard.digest(ctx, FRIDAY, at(27, 9))
    assert (d.day, d.yesterday) == ("2026-11-27", "2026-11-26")
    assert [(i.customer.name, i.rep, i.kind, i.actor) for i in d.new_claims.items] == [
        ("Cyberdyne", ALICE, "claim", ALICE), ("Stale Industries", ALICE, "assign", MGR2)]
    assert d.claims_by_rep == {ALICE: 2}
    assert [(i.customer.name, i.rep, i.kind, i.reason, i.clock, i.until) for i in d.returned.items] == [
        ("Frank Trading", FRANK, "recycle", None, "first_followup", "2026-11-24"),
        ("Stale Industries", ERIN, "recycle", None, "first_followup", "2026-11-25"),
        ("Initech", BOB, "release", "客户预算取消 <!channel> & more", None, None),
    ]
    # protection ending Fri..Thu: every clock restarted on Thursday has its first follow-up due Sunday
    assert d.upcoming_until == "2026-12-03"
    assert [(i.customer.name, i.rep, i.until, i.clock) for i in d.upcoming.items] == [
        ("Stale Industries", ALICE, "2026-11-29", "first_followup"),
        ("Hooli Inc", ERIN, "2026-11-29", "first_followup"),
        ("Cyberdyne", ERIN, "2026-11-29", "first_followup"),
    ]
    assert d.upcoming_by_rep == {ERIN: 2, ALICE: 1} and d.upcoming.total == 3
    [case] = d.disputes.items
    assert (case.customer.name, case.claimant, case.owner, case.kind) == ("Soylent", ERIN, BOB, "dispute")
    assert case.deadline == at(29, 10, 30).isoformat()  # 48 hours
    [approval] = d.approvals.items
    assert (approval.customer.name, approval.from_rep, approval.to_rep) == ("Globex", ALICE, ERIN)
    assert approval.since == at(26, 16).isoformat()
    assert [(i.subject, i.customer.name, i.outcome, i.by, i.claimant, i.owner) for i in d.decisions.items] == [
        ("handover", "Hooli Inc", "approved", MGR1, ERIN, BOB),
        ("case", "Cyberdyne", "transfer", MGR2, ERIN, ALICE),
    ]
    assert d.names == {ALICE: "Alice <Wang>"}
    # Wednesday's decisions are Thursday's news
    thursday = scoreboard.digest(ctx, date(2026, 11, 26), at(26, 9))
    assert [(i.customer.name, i.outcome, i.share) for i in thursday.decisions.items] == [
        ("Acme Corp", "coown", 40), ("Globex", "keep", None)]
    assert thursday.new_claims.total == 0 and thursday.returned.total == 0


def test_the_digest_is_json_and_renders_within_block_kit_limits(ctx):
    d = scoreboard.digest(ctx, FRIDAY, at(27, 9))
    data = json.loads(json.dumps(d.to_data(), ensure_ascii=False))
    assert Digest.from_data(data) == d
    for lang in ("zh", "en"):
        message = render("digest", data, lang, "Asia/Shanghai")
        assert len(message["blocks"]) <= 50
        text = json.dumps(message, ensure_ascii=False)
        assert "<!channel>" not in text and "&lt;!channel&gt; &amp; more" in text
        assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if "text" in b)
    en = json.dumps(render("digest", data, "en", "Asia/Shanghai"), ensure_ascii=False)
    assert "Nov 29, 2026, 10:30\u202fAM" in en  # the dispute's deadline in the team's time zone
    assert "first follow-up" in en.lower() or "first_followup" not in en


def test_long_lists_are_capped_and_counted(engine_url):
    context = make_ctx(engine_url)
    try:
        for i in range(27):
            claim(context, f"U0REP{i % 4}", f"Customer Number {chr(65 + i % 26)}{i:03d} Ltd", at(26, 10, i))
        d = scoreboard.digest(context, FRIDAY, at(27, 9))
        assert d.new_claims.total == 27 and len(d.new_claims.items) == 10 and d.new_claims.more == 17
        assert d.upcoming.total == 27 and len(d.upcoming.items) == 5
        assert sum(d.upcoming_by_rep.values()) == 27
        message = digest_view.digest(d, "en", "Asia/Shanghai")
        assert "…and 17 more" in json.dumps(message, ensure_ascii=False)
        assert len(message["blocks"]) <= 50
    finally:
        context.engine.dispose()


def test_a_quiet_day_says_so(engine_url):
    context = make_ctx(engine_url)
    try:
        d = scoreboard.digest(context, FRIDAY, at(27, 9))
        assert d.is_empty()
        assert "没有新认领" in json.dumps(digest_view.digest(d, "zh", "Asia/Shanghai"), ensure_ascii=False)
        board = scoreboard.leaderboard(context, "day", at(27, 18), None)
        assert board.rows == () and "No scores" in json.dumps(digest_view.leaderboard(board, "en", "Asia/Shanghai"))
    finally:
        context.engine.dispose()


def outbox_rows(ctx):
    with read_session(ctx.engine) as s:
        return s.exec(select(Outbox).order_by(Outbox.id)).all()


def test_the_jobs_decide_once_a_day_and_record_their_slot(ctx):
    jobs = registry(ctx)
    assert (jobs["digest"].at, jobs["leaderboard"].at) == ("09:00", "18:00")
    first = scoreboard_jobs.digest(ctx, at(27, 9))
    again = scoreboard_jobs.digest(ctx, at(27, 9, 30))
    assert "decided for C0SALES" in first and "already decided" in again
    assert "decided for C0SALES" in scoreboard_jobs.leaderboard(ctx, at(27, 18))
    assert "already" in scoreboard_jobs.leaderboard(ctx, at(27, 19))
    # (the recycles' DMs are there too, and the seeded decisions' notices to the channel)
    rows = [r for r in outbox_rows(ctx) if r.channel == "C0SALES" and r.kind in ("digest", "leaderboard")]
    assert [(r.key, r.kind, r.channel) for r in rows] == [
        ("digest:2026-11-27", "digest", "C0SALES"), ("leaderboard:2026-11-27", "leaderboard", "C0SALES")]
    board = Leaderboard.from_data(json.loads(rows[1].data))
    assert [(r.rep, r.score, r.recycled) for r in board.rows] == [(BOB, 2.0, None), (ERIN, 2.0, None)]
    assert Digest.from_data(json.loads(rows[0].data)).returned.total == 3
    with read_session(ctx.engine) as s:
        runs = {(r.job, r.slot): r.summary for r in s.exec(select(JobRun)).all()}
    assert runs[("digest", "2026-11-27")] == again and runs[("leaderboard", "2026-11-27")].startswith("leaderboard")


def test_without_a_digest_channel_the_jobs_skip_and_say_so(engine_url):
    context = make_ctx(engine_url, digest_channel=None)
    try:
        assert "no digest channel" in scoreboard_jobs.digest(context, at(27, 9))
        assert "no digest channel" in scoreboard_jobs.leaderboard(context, at(27, 18))
        assert outbox_rows(context) == []
        with read_session(context.engine) as s:
            assert {r.job for r in s.exec(select(JobRun)).all()} == {"digest", "leaderboard"}
    finally:
        context.engine.dispose()


def _digest_text(ctx: ServiceContext, day: date, lang: str = "en") -> str:
    scoreboard_jobs.digest(ctx, datetime(day.year, day.month, day.day, 9, tzinfo=TZ).astimezone(UTC))
    [row] = [r for r in outbox_rows(ctx) if r.key == f"digest:{day.isoformat()}"]
    return json.dumps(render("digest", json.loads(row.data), lang, "Asia/Shanghai"), ensure_ascii=False)


@pytest.mark.parametrize("calendar", ["none", "team", "calendar_days"])
def test_admins_are_told_in_the_digest_when_next_years_holidays_are_unknown_from_1_november(engine_url, calendar):
    migrate.upgrade(engine_url)
    from bot.calendars import package_source
    from bot.config import CalendarSettings

    days = CalendarSettings(holidays=[date(2027, 2, d) for d in range(5, 14)], workdays=[date(2027, 2, 20)])
    settings = Settings(database_url=engine_url, team=TeamSettings(admins=["U0ADMIN"], digest_channel="C0SALES"),
                        claims=ClaimSettings(count="calendar_days" if calendar == "calendar_days" else "working_days"),
                        calendar=days if calendar == "team" else CalendarSettings())
    context = ServiceContext(engine=make_engine(engine_url), settings=settings)
    try:
        assert "no holiday schedule" not in _digest_text(context, date(2026, 10, 31))  # not needed yet
        december = _digest_text(context, date(2026, 12, 8))
        zh = _digest_text(context, date(2026, 12, 9), "zh")
        if calendar == "none" and package_source(2027) is None:  # working days, 2027 known to no source: said
            assert "<@U0ADMIN> The working-day calendar has no holiday schedule" in december and "2027" in december
            assert "[calendar] holidays" in december and "缺少 2027 年的放假安排" in zh
        else:  # the team listed 2027, or its clocks count calendar days: nothing to say
            assert "no holiday schedule" not in december and "放假安排" not in zh
    finally:
        context.engine.dispose()
