"""The caps and the cooldown (PRODUCT 3.3): each rule against a plain reference, and every path that gives a
rep a customer asking the same holding cap (claim, handover request and approval, /assign, dispute transfer,
allocation, offboarding, import)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules import caps
from bot.rules.allocation import RepState, skip_reason
from bot.services import activity, disputes, handovers
from bot.services.importer import ImportOptions, import_csv, open_csv
from tests.support.leads import make_ctx, new_lead
from tests.test_claim_service import NOW, claim
from tests.test_import import write_csv

counts = st.integers(min_value=0, max_value=300)
days = st.integers(min_value=0, max_value=60)
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


# --- references: the rules as PRODUCT 3.3 states them, written the long way


def reference_holding_cap(team_cap, own_cap):
    applicable = [team_cap] + ([own_cap] if own_cap is not None else [])
    return sorted(applicable)[0]


def reference_may_hold_one_more(holding, cap):
    return holding + 1 <= cap


def reference_may_claim_today(claimed_today, cap):
    return claimed_today + 1 <= cap


def reference_first_day_allowed(given_up_on, cooldown_days):
    day = given_up_on
    for _ in range(cooldown_days):
        day = day + timedelta(days=1)
    return day


def reference_cooling_down(given_up_on, cooldown_days, today):
    return given_up_on is not None and (today - given_up_on).days < cooldown_days


@given(counts, st.none() | counts)
def test_the_lowest_holding_cap_wins(team_cap, own_cap):
    assert caps.holding_cap(team_cap, own_cap) == reference_holding_cap(team_cap, own_cap)


@given(counts, counts)
def test_the_holding_cap_admits_one_more_only_below_it(holding, cap):
    verdict = caps.check_holding(holding, cap)
    assert verdict.allowed == reference_may_hold_one_more(holding, cap)
    assert (verdict.limit, verdict.count) == (cap, holding)  # the numbers of the message, either way
    assert verdict.rule == (None if verdict.allowed else "holding_cap")
    # room: exactly the number of customers that can be added one by one before the cap refuses
    added = 0
    while caps.check_holding(holding + added, cap).allowed:
        added += 1
    assert caps.room(holding, cap) == added


@given(counts, counts)
def test_the_daily_claim_cap(claimed_today, cap):
    verdict = caps.check_daily(claimed_today, cap)
    assert verdict.allowed == reference_may_claim_today(claimed_today, cap)
    if not verdict.allowed:
        assert (verdict.rule, verdict.limit, verdict.count) == ("daily_claim_cap", cap, claimed_today)


@given(st.none() | dates, days, dates)
def test_the_cooldown(given_up_on, cooldown_days, today):
    verdict = caps.check_cooldown(given_up_on, cooldown_days, today)
    assert verdict.allowed == (not reference_cooling_down(given_up_on, cooldown_days, today))
    if given_up_on is not None:
        first = reference_first_day_allowed(given_up_on, cooldown_days)
        assert caps.cooldown_until(given_up_on, cooldown_days) == first
        assert caps.cooling_down(first, today) == reference_cooling_down(given_up_on, cooldown_days, today)
    if not verdict.allowed:
        assert (verdict.rule, verdict.limit, verdict.until) == ("cooldown", cooldown_days, first)


@given(counts, counts, counts, counts, st.none() | dates, days, dates)
def test_a_claim_asks_the_holding_cap_then_the_daily_cap_then_the_cooldown(
        holding, holding_cap, claimed_today, daily_cap, given_up_on, cooldown_days, today):
    verdict = caps.check_claim(holding=holding, holding_cap=holding_cap, claimed_today=claimed_today,
                               daily_cap=daily_cap, given_up_on=given_up_on, cooldown_days=cooldown_days, today=today)
    if not reference_may_hold_one_more(holding, holding_cap):
        expected = ("holding_cap", holding_cap, holding)
    elif not reference_may_claim_today(claimed_today, daily_cap):
        expected = ("daily_claim_cap", daily_cap, claimed_today)
    elif reference_cooling_down(given_up_on, cooldown_days, today):
        expected = ("cooldown", cooldown_days, None)
    else:
        expected = (None, None, None)
    assert (verdict.rule, verdict.limit, verdict.count) == expected
    assert verdict.allowed == (expected[0] is None)


@given(counts, counts, st.none() | dates, days, dates)
def test_allocation_skips_exactly_whom_the_caps_refuse(holding, cap, given_up_on, cooldown_days, today):
    until = caps.cooldown_until(given_up_on, cooldown_days) if given_up_on is not None else None
    reason = skip_reason(RepState("U1", holding=holding, cap=cap, cooldown_until=until), today)
    if not reference_may_hold_one_more(holding, cap):
        assert reason == "at_cap"
    elif reference_cooling_down(given_up_on, cooldown_days, today):
        assert reason == "cooldown"
    else:
        assert reason is None


# --- every path asks the same holding cap


BOB_CAP = 2  # Bob's own cap, below the team's 100: the lowest cap wins on every path
ALICE_BOOK = ("Acme Corp", "Globex Ltd", "Initech LLC", "Umbrella Corp")


def _paths(ctx, tmp_path, now, handover_id, case_id) -> dict[str, object]:
    """Ask every path that gives Bob a customer; what he gets is released again (so each path sees the same
    holding). Returns what each path answered."""
    holding_before = _holding(ctx, "U0BOB")
    answers: dict[str, object] = {}

    def given_back(name):
        assert activity.release(ctx, "U0BOB", f"{name} | not for me", now).outcome == "released"

    r = claim(ctx, "U0BOB", "Cyberdyne Systems", now)
    answers["claim"] = r.outcome if r.outcome != "refused" else (r.rule, r.limit, r.count)
    if r.outcome == "created":
        given_back("Cyberdyne Systems")
    r = handovers.request(ctx, "U0ALICE", "Initech LLC <@U0BOB> | moving desks", now)
    answers["handover request"] = r.refusal or r.outcome
    if r.refusal:
        assert r.detail["limit"] == BOB_CAP
    r = handovers.approve(ctx, "U0MGR1", handover_id, now)
    answers["handover approval"] = r.refusal or r.outcome
    if r.outcome == "transferred":
        given_back("Acme Corp")
    r = handovers.assign(ctx, "U0MGR1", "Umbrella Corp <@U0BOB> | closer to them", now)
    answers["assign"] = r.refusal or r.outcome
    if r.outcome == "assigned":
        given_back("Umbrella Corp")
    r = disputes.decide(ctx, "U0MGR1", case_id, "transfer", now)
    answers["dispute transfer"] = r.refusal or r.outcome
    if r.outcome == "decided":
        given_back("Globex Ltd")
    r = new_lead(ctx, "天津海河物流有限公司", now, region="天津")
    answers["allocation"] = [(s.rep, s.reason, s.holding, s.cap) for s in r.skipped] or r.rep
    if r.rep == "U0BOB":
        given_back("天津海河物流有限公司")
    r = handovers.offboard(ctx, "U0MGR1", "U0CAROL", "U0BOB", now)
    answers["offboarding"] = ([c.name for c in r.moved], [c.name for c in r.to_pool])
    assert _holding(ctx, "U0BOB") == holding_before + len(r.moved)
    for moved in r.moved:
        given_back(moved.name)
    path = write_csv(tmp_path / "book.csv", [{"name": "Soylent Foods", "owner": "U0BOB"}])
    rows = []
    import_csv(ctx, open_csv(path), now, ImportOptions(source=path.name), on_row=rows.append)
    answers["import"] = [(n.code, n.params) for o in rows for n in o.notes]
    return answers


def _holding(ctx, rep):
    from bot.services import ownership
    from storage.engine import read_session

    with read_session(ctx.engine) as s:
        return ownership.holding(s, rep)


@pytest.mark.parametrize("bob_holds", [BOB_CAP, BOB_CAP - 1], ids=["at the cap", "one below"])
def test_every_path_asks_the_same_holding_cap(engine_url, tmp_path, bob_holds):
    ctx = make_ctx(engine_url, [{"name": "all", "reps": ["U0BOB"]}], holding_caps={"U0BOB": BOB_CAP})
    start = NOW - timedelta(hours=3)
    for name in ALICE_BOOK:
        assert claim(ctx, "U0ALICE", name, start).outcome == "created"
    assert claim(ctx, "U0CAROL", "Hooli", start).outcome == "created"
    # asked while Bob holds nothing yet, decided when he holds what he holds
    handover = handovers.request(ctx, "U0ALICE", "Acme Corp <@U0BOB> | moving desks", start)
    case = disputes.open_dispute(ctx, "U0BOB", "Globex Ltd | met them first", start).case
    assert handover.outcome == "requested" and case is not None
    for name in ["Stark Industries", "Wayne Enterprises"][:bob_holds]:
        assert claim(ctx, "U0BOB", name, start).outcome == "created"
    answers = _paths(ctx, tmp_path, NOW, handover.handover.id, case.id)
    if bob_holds == BOB_CAP:
        assert answers == {
            "claim": ("holding_cap", BOB_CAP, BOB_CAP),
            "handover request": "recipient_at_cap",
            "handover approval": "recipient_at_cap",
            "assign": "recipient_at_cap",
            "dispute transfer": "recipient_at_cap",
            "allocation": [("U0BOB", "at_cap", BOB_CAP, BOB_CAP)],
            "offboarding": ([], ["Hooli"]),
            # the book comes over all the same, and the report says it is beyond the cap
            "import": [("over_holding_cap", {"owner": "U0BOB", "holding": BOB_CAP + 1, "cap": BOB_CAP})],
        }
    else:
        assert answers == {
            "claim": "created",
            "handover request": "requested",
            "handover approval": "transferred",
            "assign": "assigned",
            "dispute transfer": "decided",
            "allocation": "U0BOB",
            "offboarding": (["Hooli"], []),
            "import": [],
        }
    ctx.engine.dispose()
