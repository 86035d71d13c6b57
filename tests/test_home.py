"""The App Home tab's read (bot/services/home.py) on real SQLite and PostgreSQL: concrete customers in
deadline order with the clock that ends each, today's tasks, the week's numbers, what waits for a
manager, and paging. Plus the view built from it stays within Block Kit's limits.

Calendar (Asia/Shanghai): the week is Mon 2026-11-23 .. Sun 11-29; "now" is Wed 11-25 10:00.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import activity, claims, disputes, handovers, home
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from bot.views.home import home_view
from storage import migrate
from storage.engine import make_engine, write_session
from storage.models import Complaint

TZ = ZoneInfo("Asia/Shanghai")
ALICE, BOB, MGR = "U0ALICE", "U0BOB", "U0MGR1"
NOTE = "电话沟通了采购需求和预算安排"
WORDS = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo", "Lima",
         "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform", "Victor", "Whiskey",
         "Xray", "Yankee", "Zulu", "Zenith", "Quasar", "Nimbus", "Vortex")  # names no fuzzy match confuses


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ).astimezone(UTC)


NOW = at(25)


def make_ctx(url: str) -> ServiceContext:
    migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=[MGR], timezone="Asia/Shanghai"),
                        claims=ClaimSettings(daily_claim_cap=100))
    return ServiceContext(engine=make_engine(url), settings=settings)


def claim(ctx, rep, name, now, tier="B"):
    result = claims.claim(ctx, rep, ClaimRequest(name=name, tier=tier), now)
    assert result.outcome == "created", result
    return result.customer


def followup(ctx, rep, name, now, **kw):
    result = activity.log_followup(ctx, rep, f"{name} | call: {NOTE}", now, **kw)
    assert result.outcome == "logged", result


@pytest.fixture
def ctx(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, ALICE, "Foxtrot Logistics", at(5), tier="C")
    followup(ctx, ALICE, "Foxtrot Logistics", at(12))        # follow-up clock: 11-12 + 14 = 11-26
    claim(ctx, ALICE, "Acme Trading", at(20))                # no follow-up: first one due 11-23 (overdue)
    claim(ctx, ALICE, "Echo Media", at(22))                  # first follow-up due 11-25: today
    claim(ctx, ALICE, "Beta Foods", at(22), tier="C")
    followup(ctx, ALICE, "Beta Foods", at(22), next_contact=date(2026, 11, 25))  # 11-22 + 14 = 12-06
    claim(ctx, ALICE, "Delta Won", at(23))
    assert activity.change_stage(ctx, ALICE, "Delta Won | won 120000", at(24)).outcome == "changed"
    claim(ctx, ALICE, "Gamma Tech", at(24), tier="A")
    followup(ctx, ALICE, "Gamma Tech", at(24))               # 11-24 + 45 = 2027-01-08
    claim(ctx, BOB, "Omega Retail", at(24))
    assert disputes.open_dispute(ctx, BOB, "Gamma Tech | 我上个月就拜访过他们", at(25, 9)).outcome == "opened"
    assert handovers.request(ctx, ALICE, "Beta Foods <@U0BOB> | 调整区域，交给同事跟进", at(25, 9)).outcome == "requested"
    beta = claims.claim(ctx, ALICE, ClaimRequest(name="Beta Foods"), at(25, 9)).customer
    with write_session(ctx.engine) as session:
        session.add(Complaint(customer_id=beta.id, owner_id=ALICE, raised_by=MGR, text="送货延迟",
                              raised_at=at(20), due_on=date(2026, 11, 24)))
        session.add(Complaint(customer_id=beta.id, owner_id=ALICE, raised_by=MGR, text="已解决的", status="resolved",
                              raised_at=at(20), due_on=date(2026, 11, 24)))
    return ctx


def rows(data):
    return [(c.name, c.protected_until.isoformat() if c.protected_until else None, c.clock) for c in data.customers]


def test_a_reps_customers_by_nearest_deadline_with_the_clock_that_ends_each(ctx):
    data = home.read(ctx, ALICE, NOW)
    assert data.role == "rep" and not data.manager and data.today == date(2026, 11, 25)
    assert rows(data) == [
        ("Acme Trading", "2026-11-23", "first_followup"),
        ("Echo Media", "2026-11-25", "first_followup"),
        ("Foxtrot Logistics", "2026-11-26", "followup"),
        ("Beta Foods", "2026-12-06", "followup"),
        ("Gamma Tech", "2027-01-08", "followup"),
        ("Delta Won", None, None),
    ]
    assert [c.days_left for c in data.customers] == [-2, 0, 1, 11, 44, None]
    assert [c.stage for c in data.customers][-1] == "won" and data.customers[4].tier == "A"
    assert data.total == 6 and data.page == 1 and data.pages == 1
    assert data.team is None and data.pending == ()


def test_what_the_rep_must_do_today(ctx):
    items = [(i.kind, i.name, i.day.isoformat()) for i in home.read(ctx, ALICE, NOW).today_items]
    assert items == [
        ("first_followup", "Acme Trading", "2026-11-23"),
        ("complaint", "Beta Foods", "2026-11-24"),  # only the open one
        ("first_followup", "Echo Media", "2026-11-25"),
        ("next_contact", "Beta Foods", "2026-11-25"),
        ("ending", "Foxtrot Logistics", "2026-11-26"),  # within the 7 reminder days
    ]
    # A later follow-up answers the planned contact.
    followup(ctx, ALICE, "Beta Foods", at(25, 11))
    kinds = [(i.kind, i.name) for i in home.read(ctx, ALICE, at(25, 12)).today_items]
    assert ("next_contact", "Beta Foods") not in kinds and ("complaint", "Beta Foods") in kinds
    [bob] = home.read(ctx, BOB, NOW).today_items  # claimed yesterday: its first follow-up ends it in 2 days
    assert (bob.kind, bob.name, bob.day, bob.clock, bob.days_left) == (
        "ending", "Omega Retail", date(2026, 11, 27), "first_followup", 2)


def test_the_weeks_numbers_for_a_rep_and_for_a_manager(ctx):
    mine = home.read(ctx, ALICE, NOW).mine
    # this week: claims Delta Won (11-23) and Gamma Tech (11-24); Gamma's follow-up; Delta's win (×10)
    assert (mine.claims, mine.followups, mine.advances, mine.wins, mine.amount) == (2, 1, 0, 1, 120000)
    assert mine.score == 13 and mine.rank == 1 and mine.ranked == 2
    assert (mine.holding, mine.cap, mine.open_complaints, mine.overdue_complaints) == (5, 100, 1, 1)
    bob = home.read(ctx, BOB, NOW).mine
    assert (bob.claims, bob.score, bob.rank, bob.holding, bob.open_complaints) == (1, 1, 2, 1, 0)

    manager = home.read(ctx, MGR, NOW)
    assert manager.role == "manager" and manager.manager and manager.total == 0
    team = manager.team
    assert (team.claims, team.followups, team.wins, team.amount, team.holding) == (3, 1, 1, 120000, 6)
    assert (team.open_complaints, team.overdue_complaints, team.ranked) == (1, 1, 2)


def test_a_manager_sees_what_waits_for_a_decision_with_its_deadline(ctx):
    data = home.read(ctx, MGR, NOW)
    assert data.pending_total == 2
    case, handover = data.pending
    assert (case.kind, case.name, case.requester, case.other) == ("dispute", "Gamma Tech", BOB, ALICE)
    assert case.deadline.astimezone(TZ) == datetime(2026, 11, 27, 9, tzinfo=TZ)  # 48 hours
    assert (handover.kind, handover.name, handover.requester, handover.other, handover.deadline) == (
        "handover", "Beta Foods", ALICE, BOB, None)
    assert home.read(ctx, ALICE, NOW).pending == ()  # a rep sees none of it

    view = home_view(data, "en")
    text = json.dumps(view, ensure_ascii=False)
    assert "Collision #" in text and "decide by *Nov 27, 2026, 9:00\u202fAM*" in text and "Handover #" in text


def test_paging_keeps_the_deadline_order_and_the_view_within_100_blocks(engine_url):
    ctx = make_ctx(engine_url)
    for i in range(30):  # one claim a day: day i's first follow-up is due 3 days later
        claim(ctx, ALICE, f"{WORDS[i]} Mills", at(1 + i, month=10))
    first = home.read(ctx, ALICE, at(30, 12, month=10))
    assert (first.total, first.pages, len(first.customers)) == (30, 2, home.PER_PAGE)
    second = home.read(ctx, ALICE, at(30, 12, month=10), page=2)
    assert [c.name for c in first.customers + second.customers] == [f"{w} Mills" for w in WORDS]
    assert second.customers[0].protected_until == date(2026, 10, 29)
    assert home.read(ctx, ALICE, at(30, 12, month=10), page=99).page == 2  # clamped
    for data, lang in ((first, "zh"), (second, "en")):
        view = home_view(data, lang)
        View(**view).validate_json()
        assert len(view["blocks"]) <= 100
        ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
        assert len(ids) == len(set(ids))
        pages = [(e["action_id"], e["value"]) for b in view["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"].startswith("home_page")]
        assert pages == ([("home_page_next", "2")] if data.page == 1 else [("home_page_prev", "1")])


def test_opening_is_recorded_and_only_those_users_are_refreshed(ctx):
    assert home.opened_users(ctx) == set()
    data = home.opened(ctx, ALICE, NOW)
    assert data.total == 6 and home.opened_users(ctx) == {ALICE}
    home.forget_opened(ctx, ALICE)
    assert home.opened_users(ctx) == set()


def test_refreshes_go_to_those_who_opened_home_once_each_and_cost_others_no_query(ctx, standin):
    from slack_sdk import WebClient
    from sqlalchemy import event

    from bot.slack import home as home_tab

    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    home.opened(ctx, ALICE, NOW)
    home_tab.refresh_home(ctx, client, [ALICE, BOB, ALICE, None])  # loads who opened Home, publishes at once
    published = standin.calls_for("views.publish")
    assert [c.params["user_id"] for c in published] == [ALICE]
    assert "Acme Trading" in str(published[0].params["view"]) and published[0].params["view"]["type"] == "home"

    queries = []
    event.listen(ctx.engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    home_tab.refresh_home(ctx, client, [BOB])  # never opened it: nothing read, nothing published
    assert queries == []
    assert len(standin.calls_for("views.publish")) == 1
