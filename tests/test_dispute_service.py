"""Disputes and appeals at the service level: the edges found by review."""

from __future__ import annotations

from datetime import timedelta

from bot.services import activity, disputes
from bot.views.decisions import refusal
from tests.test_claim_service import NOW, claim, make_ctx


def test_transfer_to_a_claimant_at_the_cap_is_refused_with_a_message(engine_url):
    ctx = make_ctx(engine_url, holding_cap=1)
    claim(ctx, "U0ALICE", "Acme Corp")
    claim(ctx, "U0BOB", "Globex Ltd")  # Bob is at his cap of 1
    case = disputes.open_dispute(ctx, "U0BOB", "Acme Corp | met them first", NOW).case
    result = disputes.decide(ctx, "U0MGR1", case.id, "transfer", NOW)
    assert (result.outcome, result.refusal) == ("refused", "recipient_at_cap")
    message = refusal(result.refusal, "en", **result.detail)
    assert "<@U0BOB> is at the holding cap (1)" in message["text"]
    assert disputes.get_case(ctx, case.id).status == "pending"
    ctx.engine.dispose()


def test_an_appeal_cannot_take_the_customer_from_someone_outside_the_case(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    case = disputes.open_dispute(ctx, "U0BOB", "Acme Corp | met them first", NOW).case
    disputes.decide(ctx, "U0MGR1", case.id, "keep", NOW)
    activity.release(ctx, "U0ALICE", "Acme Corp | no budget", NOW + timedelta(hours=1))
    claim(ctx, "U0CAROL", "Acme Corp", NOW + timedelta(hours=2))
    appeal = disputes.open_appeal(ctx, "U0BOB", case.id, "he never followed up", NOW + timedelta(hours=3))
    assert (appeal.outcome, appeal.refusal) == ("refused", "stale")
    ctx.engine.dispose()


def test_a_second_co_owner_replaces_the_first_on_the_record(engine_url):
    ctx = make_ctx(engine_url, )
    claim(ctx, "U0ALICE", "Acme Corp")
    first = disputes.open_dispute(ctx, "U0BOB", "Acme Corp | met them first", NOW).case
    disputes.decide(ctx, "U0MGR1", first.id, "coown", NOW, claimant_share=40)
    second = disputes.open_dispute(ctx, "U0CAROL", "Acme Corp | I closed the pilot", NOW).case
    disputes.decide(ctx, "U0MGR1", second.id, "coown", NOW)
    appeal = disputes.open_appeal(ctx, "U0BOB", first.id, "I was first", NOW).case
    decided = disputes.decide(ctx, "U0MGR2", appeal.id, "keep", NOW)
    assert decided.outcome == "decided", decided.refusal
    from sqlmodel import select

    from storage.engine import read_session
    from storage.models import Ownership, OwnershipEvent

    with read_session(ctx.engine) as s:
        owner = s.exec(select(Ownership).where(Ownership.ended_at.is_(None))).one()
        events = [(e.kind, e.from_rep, e.to_rep) for e in s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id))]
    assert (owner.rep_id, owner.co_owner) == ("U0ALICE", "U0CAROL")  # Bob's appeal doesn't touch Carol
    assert events == [("claim", None, "U0ALICE"), ("coown", "U0ALICE", "U0BOB"), ("coown_end", "U0BOB", "U0ALICE"),
                      ("coown", "U0ALICE", "U0CAROL")]
    ctx.engine.dispose()


def test_a_reps_own_cap_applies_to_claims_and_handovers(engine_url):
    from bot.config import AllocationSettings, ClaimSettings, Settings, TeamSettings
    from bot.services import claims as claim_service
    from bot.services import handovers
    from bot.services.context import ServiceContext
    from storage import migrate
    from storage.engine import make_engine

    migrate.upgrade(engine_url)
    settings = Settings(database_url=engine_url, team=TeamSettings(managers=["U0MGR1", "U0MGR2"]),
                        claims=ClaimSettings(holding_cap=100), allocation=AllocationSettings(holding_caps={"U0BOB": 1}))
    ctx = ServiceContext(make_engine(engine_url), settings)
    assert claim_service.claim(ctx, "U0BOB", claim_service.ClaimRequest(name="Acme Corp"), NOW).outcome == "created"
    capped = claim_service.claim(ctx, "U0BOB", claim_service.ClaimRequest(name="Globex Ltd"), NOW)
    assert (capped.outcome, capped.rule, capped.limit) == ("refused", "holding_cap", 1)
    claim(ctx, "U0ALICE", "Initech LLC")
    refused = handovers.request(ctx, "U0ALICE", "Initech LLC <@U0BOB> | moving", NOW)
    assert (refused.outcome, refused.refusal, refused.detail["limit"]) == ("refused", "recipient_at_cap", 1)
    # a manager taking a customer for themself is not their own approver
    assert handovers.assign(ctx, "U0MGR1", "Initech LLC <@U0MGR1>", NOW).refusal == "own_case"
    mine = handovers.request(ctx, "U0MGR1", "Initech LLC <@U0MGR1> | I'll take it", NOW)
    assert mine.outcome == "requested" and "U0MGR1" not in mine.managers
    ctx.engine.dispose()
