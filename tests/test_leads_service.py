"""Leads that arrive by themselves (issue 11) through the real service on SQLite and PostgreSQL: dedupe by
every tier, the offer by the rules, accept, pass, time-out in working hours, the pool after the last
offer, a claim refused while offered, repeats by external_id, and the ledger of every step."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.results.leads import IntakeOutcome, OfferOutcome
from bot.rules.leads import offer_deadline
from bot.services import claims, fairness, leads
from bot.services.claims import ClaimRequest
from storage.engine import read_session, write_session
from storage.models import AllocationEntry, Customer, Lead, LeadOffer, Outbox, Ownership, OwnershipEvent
from tests.support.leads import add_customer, make_ctx

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
NORTH = {"name": "north", "regions": ["北京"], "reps": ["U1", "U2", "U3", "U4"]}
ANY = {"name": "rest", "reps": ["U7", "U8"]}


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url, [NORTH, ANY], leads={"accept_minutes": 60, "max_offers": 3})
    yield context
    context.engine.dispose()


def rows(ctx, model, *where):
    with read_session(ctx.engine) as s:
        return s.exec(select(model).where(*where).order_by(model.id)).all()


def owner(ctx, customer_id):
    found = rows(ctx, Ownership, Ownership.customer_id == customer_id, Ownership.ended_at.is_(None))
    return found[0].rep_id if found else None


def offers(ctx):
    return rows(ctx, LeadOffer)


def post(ctx, source="website", at=NOW, **fields):
    return leads.intake(ctx, source, fields, at)


def test_a_new_lead_is_offered_in_turn_and_accept_makes_the_owner(ctx):
    first = post(ctx, name="北京星河数据科技有限公司", region="北京", phone="13800138000", contact="王经理")
    assert first.outcome == IntakeOutcome.CREATED
    assert first.answer["status"] == "offered" and first.answer["offered_to"] == "U1"
    assert first.answer["rule"] == "north" and first.answer["customer"] == "C-1001"
    second = post(ctx, name="北京远航物流有限公司", region="北京")
    assert second.answer["offered_to"] == "U2"  # round robin: the next rep's turn
    assert owner(ctx, 1) is None  # offered, not owned

    # nobody else can claim it while it is offered; the answer says to whom and until when
    refused = claims.claim(ctx, "U3", ClaimRequest(name="北京星河数据科技"), NOW + timedelta(minutes=1))
    assert refused.outcome == "offered" and refused.offered_to == "U1"
    assert refused.offered_until is not None and refused.offered_until.strftime("%H:%M") == "11:00"

    [dm] = rows(ctx, Outbox, Outbox.kind == "lead_offer", Outbox.channel == "U1")
    data = json.loads(dm.data)
    assert data["fields"]["contact"] == "王经理" and data["fields"]["phone"] == "+8613800138000"

    offer = offers(ctx)[0]
    assert leads.decide(ctx, "U2", offer.id, True, NOW).outcome == OfferOutcome.NOT_YOURS
    accepted = leads.decide(ctx, "U1", offer.id, True, NOW + timedelta(minutes=12))
    assert accepted.outcome == OfferOutcome.ACCEPTED
    assert owner(ctx, 1) == "U1"
    assert leads.decide(ctx, "U1", offer.id, True, NOW + timedelta(minutes=13)).outcome == OfferOutcome.CLOSED
    [event] = rows(ctx, OwnershipEvent, OwnershipEvent.customer_id == 1)
    assert (event.kind, event.to_rep, event.rule) == ("assign", "U1", "allocation")
    with read_session(ctx.engine) as s:
        started = s.exec(select(Ownership).where(Ownership.customer_id == 1)).one()
    assert started.started_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=12)  # the first-follow-up clock starts
    assert started.protected_until == date(2026, 11, 30)  # claims.first_followup_days = 3
    ledger = [(e.outcome, e.rep_id) for e in rows(ctx, AllocationEntry, AllocationEntry.customer_id == 1)]
    assert ledger == [("offered", "U1"), ("accepted", "U1")]
    [lead] = rows(ctx, Lead, Lead.customer_id == 1)
    assert (lead.status, lead.accepted_by, lead.source) == ("accepted", "U1", "website")


def test_pass_and_timeout_move_on_then_the_pool_and_the_managers(ctx):
    post(ctx, name="北京青松教育咨询有限公司", region="北京")
    first = offers(ctx)[0]
    passed = leads.decide(ctx, "U1", first.id, False, NOW + timedelta(minutes=5))
    assert (passed.outcome, passed.next_rep) == (OfferOutcome.PASSED, "U2")
    second = offers(ctx)[1]
    assert second.attempt == 2 and second.rep_id == "U2"
    assert leads.expire_due(ctx, NOW + timedelta(minutes=64)) == 0  # not yet: 60 minutes from 10:05
    assert leads.expire_due(ctx, NOW + timedelta(minutes=65)) == 1
    third = offers(ctx)[2]
    assert (third.rep_id, third.attempt, third.status) == ("U3", 3, "open")
    assert leads.expire_due(ctx, NOW + timedelta(minutes=65)) == 0  # a rerun decides nothing twice
    assert leads.expire_due(ctx, NOW + timedelta(hours=3)) == 1
    assert [o.status for o in offers(ctx)] == ["passed", "expired", "expired"]
    assert owner(ctx, 1) is None
    told = rows(ctx, Outbox, Outbox.kind == "unassigned")
    assert sorted(n.channel for n in told) == ["U0MGR1", "U0MGR2"]
    assert json.loads(told[0].data)["reason"] == "max_offers"
    outcomes = [(e.outcome, e.rep_id, e.reason) for e in rows(ctx, AllocationEntry)]
    assert outcomes == [("offered", "U1", "rule"), ("passed", "U1", "passed"), ("offered", "U2", "rule"),
                        ("timed_out", "U2", "timed_out"), ("offered", "U3", "rule"), ("timed_out", "U3", "timed_out"),
                        ("unassigned", None, "max_offers")]
    closed = rows(ctx, Outbox, Outbox.kind == "lead_offer_closed")
    assert [(n.channel, json.loads(n.data)["update_of"]) for n in closed] == [
        ("U2", f"lead_offer:{second.id}"), ("U3", f"lead_offer:{third.id}")]
    # in the pool now: anyone may claim it
    assert claims.claim(ctx, "U4", ClaimRequest(name="北京青松教育咨询"), NOW + timedelta(hours=4)).outcome == "claimed"
    explained = fairness.why(ctx, "C-1001")
    assert [e["outcome"] for e in explained.entries] == [o for o, _, _ in outcomes]


def weekdays(d):
    return d.weekday() < 5


def test_the_accept_window_counts_working_hours_only():
    tz = "Asia/Shanghai"
    evening = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # Friday 17:30
    assert offer_deadline(evening, 60, "09:00-18:00", tz) == datetime(2026, 11, 28, 1, 30, tzinfo=UTC)  # Sat 09:30
    assert offer_deadline(evening, 60, "09:00-18:00", tz, weekdays) == datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    night = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # Friday 00:00
    assert offer_deadline(night, 90, "09:00-18:00", tz) == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)  # 10:30


def test_the_deadline_job_uses_working_days_when_the_clocks_count_them(engine_url):
    ctx = make_ctx(engine_url, [NORTH], claims={"count": "working_days"})
    friday_evening = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    post(ctx, at=friday_evening, name="北京周末科技有限公司", region="北京")
    [offer] = offers(ctx)
    assert offer.deadline.replace(tzinfo=UTC) == datetime(2026, 11, 30, 1, 30, tzinfo=UTC)  # Monday 09:30
    assert leads.expire_due(ctx, datetime(2026, 11, 29, 12, 0, tzinfo=UTC)) == 0
    ctx.engine.dispose()


def test_an_existing_customer_is_not_created_again_and_its_owner_is_told(ctx):
    with write_session(ctx.engine) as s:
        ids = [add_customer(s, name, NOW, **kw).id for name, kw in (
            ("北京字节跳动科技有限公司", {}), ("Acme Widgets Ltd", {"uscc": "91350100M000100Y43"}),
            ("Initech", {"domain": "initech.com"}), ("Globex", {"phone": "+8613900139000"}))]
    for cid, rep in zip(ids, ("U1", "U2", "U3", "U4"), strict=True):
        claims.claim(ctx, rep, ClaimRequest(name=f"C-{cid + 1000}"), NOW)
    cases = [({"name": "字节跳动"}, "U1"),  # a name variant: the same core key
             ({"name": "Totally Different Co", "uscc": "91350100M000100Y43"}, "U2"),
             ({"name": "Initech Global", "email": "bob@initech.com"}, "U3"),  # the e-mail's company domain
             ({"name": "Globex Holdings", "phone": "139 0013 9000"}, "U4")]
    for fields, rep in cases:
        result = post(ctx, source="zoho", **fields)
        assert (result.answer["status"], result.answer["owner"]) == ("existing", rep), fields
    with read_session(ctx.engine) as s:
        assert len(s.exec(select(Customer)).all()) == 4
    assert offers(ctx) == []
    told = rows(ctx, Outbox, Outbox.kind == "lead_enquiry")
    assert [n.channel for n in told] == ["U1", "U2", "U3", "U4"]
    assert json.loads(told[0].data)["source"] == "zoho"
    assert [e.reason for e in rows(ctx, AllocationEntry)] == ["enquiry"] * 4


def test_a_pool_customer_is_offered_like_a_new_lead(ctx):
    with write_session(ctx.engine) as s:
        add_customer(s, "北京老客户有限公司", NOW, region="北京")
    result = post(ctx, name="北京老客户", region="北京")
    assert (result.answer["status"], result.answer["offered_to"], result.answer["customer"]) == ("offered", "U1", "C-1001")
    again = post(ctx, name="北京老客户有限公司")  # offered already: the same offer stands
    assert (again.answer["status"], again.answer["offered_to"]) == ("offered", "U1")
    assert len(offers(ctx)) == 1


def test_invalid_fields_are_named_and_write_nothing(ctx):
    for fields, field in (({}, "name"), ({"name": "   "}, "name"), ({"name": "Acme", "tier": "Z"}, "tier"),
                          ({"name": "Acme", "uscc": "123"}, "uscc"), ({"name": "Acme", "email": "nope"}, "email"),
                          ({"name": ["Acme"]}, "name"), ({"name": "Acme", "note": "x" * 4000}, "note")):
        result = post(ctx, **fields)
        assert result.outcome == IntakeOutcome.INVALID and result.answer["field"] == field, fields
    assert rows(ctx, Lead) == [] and rows(ctx, Customer) == []


def test_a_mapped_field_name_and_a_repeat_by_external_id(engine_url):
    ctx = make_ctx(engine_url, [ANY], intake={"sources": {"zoho": {"fields": {"name": "Company", "phone": "Mobile"}}}})
    first = leads.intake(ctx, "zoho", {"Company": "Hooli", "Mobile": "13700137000", "external_id": "z-1"}, NOW)
    assert first.outcome == IntakeOutcome.CREATED and first.answer["offered_to"] == "U7"
    again = leads.intake(ctx, "zoho", {"Company": "Hooli (renamed)", "external_id": "z-1"}, NOW + timedelta(minutes=1))
    assert again.outcome == IntakeOutcome.REPEAT and again.answer == first.answer
    other_source = leads.intake(ctx, "website", {"name": "Hooli", "external_id": "z-1"}, NOW)
    assert other_source.outcome == IntakeOutcome.CREATED  # keys are per source
    assert other_source.answer["status"] == "offered"  # the same company, offered already
    assert len(rows(ctx, Customer)) == 1 and len(offers(ctx)) == 1
    ctx.engine.dispose()


def test_twenty_concurrent_posts_of_one_external_id_make_one_customer_and_one_offer(ctx):
    results, errors = [], []
    start = threading.Barrier(20)

    def send():
        try:
            start.wait()
            results.append(leads.intake(ctx, "website", {"name": "Concurrent Labs", "external_id": "ext-7"}, NOW))
        except Exception as error:  # pragma: no cover - shown by the assertion
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.outcome for r in results) == ["created"] + ["repeat"] * 19
    assert len({json.dumps(r.answer, sort_keys=True) for r in results}) == 1
    assert len(rows(ctx, Customer)) == 1 and len(offers(ctx)) == 1 and len(rows(ctx, Lead)) == 1
    assert len(rows(ctx, Outbox, Outbox.kind == "lead_offer")) == 1


def test_accept_at_cap_is_refused_and_the_offer_stays_then_cap_skips_the_rep(engine_url):
    ctx = make_ctx(engine_url, [{"name": "solo", "reps": ["U1", "U2"]}], holding_caps={"U1": 1})
    post(ctx, name="First Co")
    first = offers(ctx)[0]
    assert claims.claim(ctx, "U1", ClaimRequest(name="Claimed Meanwhile"), NOW).outcome == "created"
    refused = leads.decide(ctx, "U1", first.id, True, NOW + timedelta(minutes=1))
    assert (refused.outcome, refused.holding, refused.cap) == (OfferOutcome.AT_CAP, 1, 1)
    assert offers(ctx)[0].status == "open" and owner(ctx, first.customer_id) is None
    assert leads.decide(ctx, "U1", first.id, False, NOW + timedelta(minutes=2)).next_rep == "U2"
    post(ctx, name="Second Co")  # U1's turn, but at cap: skipped, U2 again
    assert [o.rep_id for o in offers(ctx)] == ["U1", "U2", "U2"]
    skipped = json.loads(rows(ctx, AllocationEntry)[-1].why)["skipped"]
    assert skipped == [{"rep": "U1", "reason": "at_cap", "holding": 1, "cap": 1}]
    ctx.engine.dispose()


def test_the_managers_weekly_digest_has_the_fairness_numbers(ctx):
    from bot.jobs import weekly
    from bot.views.notices import render

    post(ctx, name="北京周报一有限公司", region="北京")
    post(ctx, name="北京周报二有限公司", region="北京")
    first, second = offers(ctx)
    leads.decide(ctx, "U1", first.id, True, NOW + timedelta(minutes=30))
    leads.decide(ctx, "U2", second.id, False, NOW + timedelta(minutes=5))
    monday = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai: the week of 2026-11-23 just ended
    assert "fairness digest to 2 managers" in weekly.run(ctx, monday)
    weekly.run(ctx, monday)  # a rerun adds nothing
    sent = rows(ctx, Outbox, Outbox.kind == "fairness_weekly")
    assert [(n.key, n.channel) for n in sent] == [("fairness:2026-W48:U0MGR1", "U0MGR1"),
                                                  ("fairness:2026-W48:U0MGR2", "U0MGR2")]
    text = render("fairness_weekly", json.loads(sent[1].data), "en", "Asia/Shanghai")["blocks"]
    shown = "\n".join(block["text"]["text"] if "text" in block else block["elements"][0]["text"] for block in text)
    assert "“north” round robin: 1 lead" in shown
    assert "offered <@U1> 1, <@U2> 1, <@U3> 1 · accepted <@U1> 1 · passed <@U2> 1 · timed out 0" in shown
    assert "2 leads · speed to lead: median 30 min to accept" in shown


def test_a_manager_assigning_an_offered_lead_withdraws_the_offer(ctx):
    from bot.services import handovers

    post(ctx, name="Withdrawn Offers Inc")
    post(ctx, name="Also Assigned Ltd")
    first, second = offers(ctx)
    assert handovers.assign(ctx, "U0MGR1", "Withdrawn Offers Inc <@U4>", NOW).outcome == "assigned"
    assert handovers.assign(ctx, "U0MGR1", "Also Assigned Ltd <@U4>", NOW).outcome == "assigned"
    answered = leads.decide(ctx, first.rep_id, first.id, True, NOW + timedelta(minutes=1))
    assert (answered.outcome, answered.status, answered.name) == (OfferOutcome.CLOSED, "withdrawn", "Withdrawn Offers Inc")
    assert leads.expire_due(ctx, NOW + timedelta(hours=2)) == 0  # nothing to move on: the offer is withdrawn
    assert [o.status for o in offers(ctx)] == ["withdrawn", "withdrawn"]
    assert owner(ctx, first.customer_id) == "U4" and owner(ctx, second.customer_id) == "U4"
    [update] = rows(ctx, Outbox, Outbox.kind == "lead_offer_closed")
    assert json.loads(update.data)["status"] == "withdrawn" and update.channel == second.rep_id
