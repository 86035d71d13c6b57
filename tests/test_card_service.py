"""The customer card's service (bot/services/cards): who may do what, the activity counts, and the
actions taken from its forms, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.results.cards import ASSIGN, CLAIM, COMPLAINT, DISPUTE, FOLLOWUP, HANDOVER, RELEASE, STAGE
from bot.services import activity, cards, disputes
from storage.engine import read_session, write_session
from storage.models import Complaint, FollowUp, Handover, Ownership
from tests.test_claim_service import NOW, claim, make_ctx

NOTE = "和对方 CTO 通了电话，约了下周演示"


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url)
    yield context
    context.engine.dispose()


def owner_of(ctx, customer_id):
    with read_session(ctx.engine) as s:
        row = s.exec(select(Ownership).where(Ownership.customer_id == customer_id,
                                             Ownership.ended_at.is_(None))).first()
        return row.rep_id if row else None


def test_each_viewer_gets_exactly_the_actions_they_may_use(ctx):
    acme = claim(ctx, "U0ALICE", "Acme Corp").customer.id
    assert cards.card(ctx, "U0ALICE", "Acme Corp", NOW).actions == (FOLLOWUP, STAGE, RELEASE, HANDOVER, COMPLAINT)
    assert cards.card(ctx, "U0BOB", "Acme Corp", NOW).actions == (DISPUTE, COMPLAINT)
    assert cards.card(ctx, "U0MGR1", "acme corp", NOW).actions == (HANDOVER, COMPLAINT)
    activity.release(ctx, "U0ALICE", "Acme Corp | 预算取消", NOW)
    assert cards.card_for(ctx, "U0ALICE", acme, NOW).actions == (CLAIM, COMPLAINT)
    assert cards.card_for(ctx, "U0BOB", acme, NOW).actions == (CLAIM, COMPLAINT)
    assert cards.card_for(ctx, "U0MGR2", acme, NOW).actions == (CLAIM, ASSIGN, COMPLAINT)


def test_a_won_customer_keeps_its_stage_and_a_co_owner_does_not_dispute(ctx):
    claim(ctx, "U0ALICE", "Acme Corp")
    activity.change_stage(ctx, "U0ALICE", "Acme Corp | won 12万", NOW)
    assert cards.card(ctx, "U0ALICE", "Acme Corp", NOW).actions == (FOLLOWUP, RELEASE, HANDOVER, COMPLAINT)
    claim(ctx, "U0ALICE", "Globex Ltd")
    case = disputes.open_dispute(ctx, "U0BOB", "Globex Ltd | met them first", NOW).case
    disputes.decide(ctx, "U0MGR1", case.id, "coown", NOW, claimant_share=40)
    bob = cards.card(ctx, "U0BOB", "Globex Ltd", NOW)
    assert bob.co_owner == "U0BOB" and bob.actions == (COMPLAINT,)
    assert cards.card(ctx, "U0CAROL", "Globex Ltd", NOW).actions == (DISPUTE, COMPLAINT)


def test_the_card_counts_recent_follow_ups_next_contact_and_open_complaints(ctx):
    cid = claim(ctx, "U0ALICE", "Acme Corp", NOW - timedelta(days=40)).customer.id
    for days_ago in (35, 20, 6, 0):  # 6 days ago is inside the last 7 local days, 35 outside the 30
        done = cards.log_followup(ctx, "U0ALICE", cid, "call", NOTE, None, NOW - timedelta(days=days_ago))
        assert done.result.outcome == "logged"
    cards.log_followup(ctx, "U0ALICE", cid, "visit", "现场拜访，见了采购经理", date(2026, 12, 3), NOW)  # same day
    with write_session(ctx.engine) as s:
        for status in ("open", "open", "resolved"):
            s.add(Complaint(customer_id=cid, owner_id="U0ALICE", raised_by="U0BOB", text="发票开错了",
                            raised_at=NOW, due_on=date(2026, 12, 1), status=status))
    card = cards.card_for(ctx, "U0BOB", cid, NOW)
    assert (card.details.followups, card.followups_7d, card.followups_30d) == (5, 3, 4)
    assert card.next_contact == date(2026, 12, 3) and card.open_complaints == 2
    assert card.details.lookup.customer.last_activity == date(2026, 11, 27)
    later = cards.card_for(ctx, "U0BOB", cid, NOW + timedelta(days=7))  # the next contact has passed
    assert (later.followups_7d, later.next_contact) == (0, None)


def test_a_follow_up_from_the_card_stores_its_kind_note_and_next_contact(ctx):
    cid = claim(ctx, "U0ALICE", "Acme Corp").customer.id
    before = cards.card_for(ctx, "U0ALICE", cid, NOW).details.lookup.customer.protected_until
    later = NOW + timedelta(days=2)
    done = cards.log_followup(ctx, "U0ALICE", cid, "wechat", "call: 发了报价单和两个案例", date(2026, 12, 10), later)
    assert done.result.outcome == "logged" and done.result.kind == "wechat"
    assert done.card.details.lookup.customer.protected_until > before
    assert done.card.next_contact == date(2026, 12, 10) and done.card.followups_7d == 1
    with read_session(ctx.engine) as s:
        [row] = s.exec(select(FollowUp)).all()
    assert (row.kind, row.note, row.next_contact) == ("wechat", "call: 发了报价单和两个案例", date(2026, 12, 10))


@pytest.mark.parametrize("kind,next_contact,code", [
    ("call", date(2026, 11, 26), "followup.next_contact_past"),
    ("fax", None, "followup.bad_kind"),
    ("call", None, "usage.followup"),
])
def test_bad_follow_up_input_writes_nothing(ctx, kind, next_contact, code):
    cid = claim(ctx, "U0ALICE", "Acme Corp").customer.id
    note = "" if code == "usage.followup" else NOTE
    done = cards.log_followup(ctx, "U0ALICE", cid, kind, note, next_contact, NOW)
    assert (done.result.outcome, done.result.error.code, done.card) == ("invalid", code, None)
    with read_session(ctx.engine) as s:
        assert s.exec(select(FollowUp)).all() == []


def test_stage_release_and_refusals_from_the_card(ctx):
    cid = claim(ctx, "U0ALICE", "Acme Corp").customer.id
    assert cards.change_stage(ctx, "U0BOB", cid, "proposal", None, NOW).result.outcome == "not_owner"
    missing = cards.change_stage(ctx, "U0ALICE", cid, "won", "  ", NOW).result
    assert (missing.outcome, missing.error.code) == ("invalid", "stage.won_needs_amount")
    bad = cards.change_stage(ctx, "U0ALICE", cid, "won", "a lot", NOW).result
    assert bad.error.code == "stage.won_needs_amount"
    won = cards.change_stage(ctx, "U0ALICE", cid, "won", "12万", NOW)
    assert (won.result.outcome, won.result.amount, won.card.details.lookup.customer.stage) == ("changed", 120_000,
                                                                                               "won")
    other = claim(ctx, "U0ALICE", "Globex Ltd").customer.id
    assert cards.release(ctx, "U0ALICE", other, " ", NOW).result.error.code == "release.needs_reason"
    released = cards.release(ctx, "U0ALICE", other, "客户预算取消", NOW)
    assert released.result.outcome == "released" and released.card.actions == (CLAIM, COMPLAINT)
    assert owner_of(ctx, other) is None


def test_hand_over_assign_dispute_and_claim_from_the_card(ctx):
    cid = claim(ctx, "U0ALICE", "Acme Corp").customer.id
    assert cards.hand_over(ctx, "U0ALICE", cid, None, "moving south", NOW).result.error.code == "usage.handover"
    asked = cards.hand_over(ctx, "U0ALICE", cid, "U0BOB", "moving south", NOW).result
    assert asked.outcome == "requested" and asked.managers == ("U0MGR1", "U0MGR2")
    with read_session(ctx.engine) as s:
        [h] = s.exec(select(Handover)).all()
    assert (h.from_rep, h.to_rep, h.status) == ("U0ALICE", "U0BOB", "pending")
    case = cards.open_dispute(ctx, "U0CAROL", cid, "我先在展会上认识的", NOW)
    assert case.result.outcome == "opened" and case.result.case.claimant == "U0CAROL"
    assert cards.open_dispute(ctx, "U0CAROL", cid, " ", NOW).result.error.code == "dispute.needs_reason"
    pool_id = claim(ctx, "U0ALICE", "Globex Ltd").customer.id
    activity.release(ctx, "U0ALICE", "Globex Ltd | 没有预算", NOW)
    refused = cards.hand_over(ctx, "U0BOB", pool_id, "U0CAROL", "", NOW).result
    assert (refused.outcome, refused.refusal) == ("refused", "not_manager")
    assigned = cards.hand_over(ctx, "U0MGR1", pool_id, "U0CAROL", "north region", NOW)
    assert assigned.result.outcome == "assigned" and owner_of(ctx, pool_id) == "U0CAROL"
    assert assigned.card.actions == (HANDOVER, COMPLAINT)  # the manager's card, now that Carol owns it
    third = claim(ctx, "U0ALICE", "Initech").customer.id
    activity.release(ctx, "U0ALICE", "Initech | wrong contact", NOW)
    claimed = cards.claim(ctx, "U0BOB", third, NOW)
    assert claimed.result.outcome == "claimed" and claimed.card.details.lookup.customer.owner == "U0BOB"
    assert cards.claim(ctx, "U0BOB", 999_999, NOW).result.outcome == "not_found"
