"""Managers decide in Slack (issue 3), end to end: `claimbot serve` in its own process, signed HTTP
requests in, the Slack stand-in out, the database checked."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from storage.models import Case, Ownership, OwnershipEvent, Refusal
from tests.e2e import buttons, query, served, text_of, write_config
from tests.test_e2e_home import next_home, open_home, publishes

APPROVALS = "C0MGRS"


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path, approvals_channel=APPROVALS)) as bot:
        yield bot


def owner_of(url, customer_id=1):
    rows = query(url, select(Ownership).where(Ownership.customer_id == customer_id, Ownership.ended_at.is_(None)))
    return (rows[0].rep_id, rows[0].co_owner, rows[0].co_owner_share) if rows else (None, None, None)


def managers_message(bot, after=0):
    """The newest message posted to the approvals channel, with its ts."""
    call = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == APPROVALS
                                and c.at > after and "thread_ts" not in c.params)
    return call.params, call.response["ts"]


def wait_dm(bot, user, needle, timeout=5.0):
    return bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == user
                                and needle in text_of(c.params), timeout).params


def test_handover_approved_moves_the_customer_and_everyone_sees_it(bot, engine_url):
    bot.command("U0ALICE", "/claim", "Acme Corp")
    _, reply, _ = bot.command("U0ALICE", "/handover", "Acme Corp <@U0BOB|bob> | moving to the south region")
    assert "等待经理批准" in text_of(reply)
    message, ts = managers_message(bot)
    assert buttons(message) == ["handover_approve", "handover_reject"]
    assert "moving to the south region" in text_of(message)
    token = bot.click("U0MGR1", message, "handover_approve", channel=APPROVALS, ts=ts)
    updated = bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params["ts"] == ts).params
    assert buttons(updated) == [] and "@U0MGR1" in text_of(updated) and "<@U0BOB>" in text_of(updated)
    assert bot.replies(token) == []  # nothing to refuse
    assert "已转给 <@U0BOB>" in text_of(wait_dm(bot, "U0ALICE", "转交 #1"))
    assert "Now owned by <@U0BOB>" in text_of(wait_dm(bot, "U0BOB", "Handover #1"))
    assert owner_of(engine_url)[0] == "U0BOB"
    events = query(engine_url, select(OwnershipEvent).order_by(OwnershipEvent.id))
    assert [(e.kind, e.from_rep, e.to_rep, e.actor, e.rule) for e in events][-1] == (
        "transfer", "U0ALICE", "U0BOB", "U0MGR1", "handover_approved")


def test_handover_rejected_changes_nothing_and_both_are_told(bot, engine_url):
    bot.command("U0ALICE", "/claim", "Acme Corp")
    bot.command("U0ALICE", "/handover", "Acme Corp <@U0BOB> | too busy")
    message, ts = managers_message(bot)
    bot.click("U0MGR2", message, "handover_reject", channel=APPROVALS, ts=ts)
    updated = bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params["ts"] == ts).params
    assert buttons(updated) == [] and "驳回" in text_of(updated)
    assert "驳回" in text_of(wait_dm(bot, "U0ALICE", "转交 #1"))
    assert "Rejected by <@U0MGR2>" in text_of(wait_dm(bot, "U0BOB", "Handover #1"))
    assert owner_of(engine_url)[0] == "U0ALICE"


def test_recipient_declines_and_the_customer_goes_back_with_its_clocks(bot, engine_url):
    bot.command("U0ALICE", "/claim", "Acme Corp")
    bot.command("U0ALICE", "/followup", "Acme Corp | call: 和对方 CTO 通了电话，约了演示")
    before = query(engine_url, select(Ownership))[0]
    bot.command("U0ALICE", "/handover", "Acme Corp <@U0BOB> | leaving")
    message, ts = managers_message(bot)
    bot.click("U0MGR1", message, "handover_approve", channel=APPROVALS, ts=ts)
    dm = wait_dm(bot, "U0BOB", "Handover #1")
    assert buttons(dm) == ["handover_decline"]
    token = bot.click("U0BOB", dm, "handover_decline", channel="D0BOB", ts="1.0")
    [reply] = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token) and \
        bot.replies(token)
    assert "declined" in text_of(reply) and buttons(reply) == []
    assert "拒绝接手" in text_of(wait_dm(bot, "U0ALICE", "回到"))
    assert owner_of(engine_url)[0] == "U0ALICE"
    now_owner = query(engine_url, select(Ownership).where(Ownership.ended_at.is_(None)))[0]
    assert (now_owner.started_at, now_owner.last_followup_at, now_owner.protected_until) == (
        before.started_at, before.last_followup_at, before.protected_until)
    # a second decline changes nothing
    token = bot.click("U0BOB", dm, "handover_decline", channel="D0BOB", ts="1.0")
    assert "already decided" in text_of(bot.wait_replies(token)[0])


@pytest.mark.parametrize("decision,expected", [
    ("dispute_keep", ("U0ALICE", None, None)),
    ("dispute_transfer", ("U0BOB", None, None)),
    ("dispute_coown", ("U0ALICE", "U0BOB", 70)),
])
def test_each_dispute_outcome(bot, engine_url, decision, expected):
    bot.command("U0ALICE", "/claim", "Globex Ltd")
    _, refused, _ = bot.command("U0BOB", "/claim", "Globex Limited")
    assert buttons(refused) == ["dispute_open"]  # a refused claim offers Dispute
    _, reply, _ = bot.command("U0BOB", "/dispute", "Globex Ltd | I brought them to the trade show <!channel>")
    assert "Collision #1" in text_of(reply)
    message, ts = managers_message(bot)
    text = text_of(message)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "跟进 0 次" in text and buttons(message) == ["dispute_keep", "dispute_transfer", "dispute_coown"]
    assert "撞单申诉" in text_of(wait_dm(bot, "U0ALICE", "撞单申诉"))
    state = {"split_1": {"dispute_split": {"type": "static_select", "selected_option": {"value": "70"}}}}
    bot.click("U0MGR1", message, decision, channel=APPROVALS, ts=ts, state=state)
    updated = bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params["ts"] == ts).params
    assert buttons(updated) == [] and "决定" in text_of(updated)
    thread = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("thread_ts") == ts)
    assert "撞单 #1" in text_of(thread.params)
    assert "Case #1" in text_of(wait_dm(bot, "U0BOB", "Case #1"))
    assert "撞单 #1" in text_of(wait_dm(bot, "U0ALICE", "撞单 #1"))
    bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == "C0SALES"
                         and "撞单 #1" in text_of(c.params))  # the team is told after the answer, too
    assert owner_of(engine_url) == expected


def test_an_appeal_is_decided_by_a_different_manager(bot, engine_url):
    bot.command("U0ALICE", "/claim", "Initech LLC")
    bot.command("U0BOB", "/dispute", "Initech LLC | Peter called me first")
    message, ts = managers_message(bot)
    bot.click("U0MGR1", message, "dispute_keep", channel=APPROVALS, ts=ts)
    dm = wait_dm(bot, "U0BOB", "Case #1")
    assert buttons(dm) == ["appeal_open"]  # the losing side may appeal
    assert buttons(wait_dm(bot, "U0ALICE", "撞单 #1")) == []  # the winner may not
    started = time.time()
    bot.click("U0BOB", dm, "appeal_open", channel="D0BOB", ts="1.0")
    view = bot.standin.wait_for("views.open").params["view"]
    status, _ = bot.interact({"type": "view_submission", "user": {"id": "U0BOB"}, "api_app_id": "A123456",
                              "team": {"id": "T0001"}, "view": {**view, "id": "V1", "state": {"values": {
                                  "reason": {"value": {"type": "plain_text_input", "value": "He never followed up"}}}}}})
    assert status == 200
    appeal, appeal_ts = managers_message(bot, after=started)
    assert "Appeal #2" in text_of(appeal) or "复议 #2" in text_of(appeal)
    token = bot.click("U0MGR1", appeal, "dispute_transfer", channel=APPROVALS, ts=appeal_ts)
    assert "另一位经理" in text_of(bot.wait_replies(token)[0])
    assert owner_of(engine_url)[0] == "U0ALICE"
    bot.click("U0MGR2", appeal, "dispute_transfer", channel=APPROVALS, ts=appeal_ts)
    bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params["ts"] == appeal_ts)
    assert owner_of(engine_url)[0] == "U0BOB"
    # one appeal only: the next click on Appeal is refused
    token = bot.click("U0BOB", dm, "appeal_open", channel="D0BOB", ts="1.0")
    cases = query(engine_url, select(Case).order_by(Case.id))
    assert [(c.kind, c.status, c.decision, c.decided_by) for c in cases] == [
        ("dispute", "decided", "keep", "U0MGR1"), ("appeal", "decided", "transfer", "U0MGR2")]


def test_no_decision_in_48_hours_the_owner_keeps_it(bot, engine_url):
    bot.command("U0ALICE", "/claim", "Umbrella Pharmaceuticals")
    bot.command("U0BOB", "/dispute", "Umbrella Pharmaceuticals | mine first")
    message, ts = managers_message(bot)
    at = (datetime.now(UTC) + timedelta(hours=47)).isoformat()
    early = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines", "--at", at],
                           env=bot.env | {"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert early.returncode == 0 and "0 cases expired" in early.stdout
    at = (datetime.now(UTC) + timedelta(hours=49)).isoformat()
    late = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines", "--at", at],
                          env=bot.env | {"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert late.returncode == 0 and "1 cases expired" in late.stdout, late.stderr
    updated = bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params["ts"] == ts).params
    assert buttons(updated) == [] and "48 小时内无人决定" in text_of(updated)
    assert "No decision within 48 hours" in text_of(wait_dm(bot, "U0BOB", "Case #1"))
    assert "48 小时内无人决定" in text_of(wait_dm(bot, "U0ALICE", "撞单 #1"))
    assert owner_of(engine_url)[0] == "U0ALICE"
    # a click after the deadline is refused and changes nothing
    token = bot.click("U0MGR1", message, "dispute_transfer", channel=APPROVALS, ts=ts)
    replies = bot.wait_replies(token)
    assert "already decided" in text_of(replies[0]) or "已经决定" in text_of(replies[0])
    assert owner_of(engine_url)[0] == "U0ALICE"


def test_refusals_change_nothing_and_are_logged(bot, engine_url):
    bot.command("U0ALICE", "/claim", "Acme Corp")
    bot.command("U0BOB", "/dispute", "Acme Corp | mine")
    message, ts = managers_message(bot)
    # a rep's click
    token = bot.click("U0BOB", message, "dispute_transfer", channel=APPROVALS, ts=ts)
    assert "Only managers decide" in text_of(bot.wait_replies(token)[0])
    assert owner_of(engine_url)[0] == "U0ALICE"
    # a manager's own request: Carol owns a customer and asks to hand it over, then approves it herself
    bot.command("U0MGR1", "/claim", "Hooli Inc")
    started = time.time()
    bot.command("U0MGR1", "/handover", "Hooli Inc <@U0BOB> | no time")
    handover, handover_ts = managers_message(bot, after=started)
    token = bot.click("U0MGR1", handover, "handover_approve", channel=APPROVALS, ts=handover_ts)
    assert "不能决定与自己有关" in text_of(bot.wait_replies(token)[0])
    assert owner_of(engine_url, 2)[0] == "U0MGR1"
    # two managers click different decisions at the same moment: exactly one wins
    barrier = threading.Barrier(2)
    tokens = {}

    def click(manager, action):
        barrier.wait()
        tokens[manager] = bot.click(manager, message, action, channel=APPROVALS, ts=ts)

    threads = [threading.Thread(target=click, args=("U0MGR1", "dispute_keep")),
               threading.Thread(target=click, args=("U0MGR2", "dispute_transfer"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 10  # the loser's refusal comes once the winner's decision is in
    while not any(bot.replies(token) for token in tokens.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    [case] = query(engine_url, select(Case))
    loser = "U0MGR2" if case.decided_by == "U0MGR1" else "U0MGR1"
    assert case.status == "decided" and case.decision == {"U0MGR1": "keep", "U0MGR2": "transfer"}[case.decided_by]
    assert "already decided" in text_of(bot.replies(tokens[loser])[0]) or \
        "已经决定" in text_of(bot.replies(tokens[loser])[0])
    assert owner_of(engine_url)[0] == ("U0ALICE" if case.decision == "keep" else "U0BOB")
    # a second click, on the already-decided (stale) message: refused, and the stale message is refreshed
    owner_before = owner_of(engine_url)
    token = bot.click(case.decided_by, message, "dispute_coown", channel=APPROVALS, ts=ts)
    refusal, replaced = bot.wait_replies(token, 2)
    assert "already decided" in text_of(refusal) or "已经决定" in text_of(refusal)
    assert replaced["replace_original"] is True and buttons(replaced) == [] and "决定" in text_of(replaced)
    assert owner_of(engine_url) == owner_before
    refusals = [(r.actor, r.reason) for r in query(engine_url, select(Refusal).order_by(Refusal.id))]
    assert refusals == [("U0BOB", "not_manager"), ("U0MGR1", "own_case"), (loser, "already_decided"),
                        (case.decided_by, "already_decided")]
    transfers = [e for e in query(engine_url, select(OwnershipEvent)) if e.kind in ("transfer", "coown")]
    assert len(transfers) == (0 if case.decision == "keep" else 1)


def test_without_an_approvals_channel_managers_get_dms_in_their_language(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path)) as bot:
        bot.command("U0ALICE", "/claim", "Acme Corp")
        bot.command("U0BOB", "/dispute", "Acme Corp | mine")
        carol = wait_dm(bot, "U0MGR1", "撞单 #1")
        dave = wait_dm(bot, "U0MGR2", "Collision #1")
        assert buttons(carol) == buttons(dave) == ["dispute_keep", "dispute_transfer", "dispute_coown"]


def test_roles_are_granted_by_admins_and_recorded(bot, engine_url):
    _, reply, _ = bot.command("U0BOB", "/claimbot", "role <@U0ALICE|alice> manager")
    assert "Only admins" in text_of(reply)
    _, reply, _ = bot.command("U0ADMIN", "/claimbot", "role <@U0ALICE|alice> manager")
    assert "rep → manager" in text_of(reply)
    bot.command("U0BOB", "/claim", "Acme Corp")
    bot.command("U0MGR1", "/dispute", "Acme Corp | I met them first")
    message, ts = managers_message(bot)
    bot.click("U0ALICE", message, "dispute_transfer", channel=APPROVALS, ts=ts)  # Alice decides now
    bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params["ts"] == ts)
    assert owner_of(engine_url)[0] == "U0MGR1"


def test_offboarding_moves_everything_in_one_step(bot, engine_url):
    for name in ("Acme Corp", "Globex Ltd", "Initech LLC"):
        bot.command("U0ALICE", "/claim", name)
    _, reply, _ = bot.command("U0BOB", "/claimbot", "offboard <@U0ALICE>")
    assert "Only managers" in text_of(reply)
    _, reply, _ = bot.command("U0MGR1", "/claimbot", "offboard <@U0ALICE>")
    assert "3 个放回公海" in text_of(reply)
    assert all(owner_of(engine_url, i)[0] is None for i in (1, 2, 3))
    for name in ("Acme Corp", "Globex Ltd"):
        bot.command("U0BOB", "/claim", name)
    _, reply, _ = bot.command("U0MGR1", "/claimbot", "offboard <@U0BOB> <@U0ALICE>")
    assert "2 个客户转给 <@U0ALICE>" in text_of(reply)
    assert [owner_of(engine_url, i)[0] for i in (1, 2, 3)] == ["U0ALICE", "U0ALICE", None]
    _, reply, _ = bot.command("U0MGR2", "/assign", "Initech LLC <@U0BOB>")
    assert "assigned to <@U0BOB>" in text_of(reply) or "已分配给 <@U0BOB>" in text_of(reply)
    assert owner_of(engine_url, 3)[0] == "U0BOB"


def test_a_managers_home_follows_new_cases_and_decisions(bot):
    """Dave only looks at his Home tab: the delivery of the case, then of its decision, refreshes it."""
    open_home(bot, "U0MGR2")
    bot.command("U0ALICE", "/claim", "Acme Corp")
    before = len(publishes(bot, "U0MGR2"))
    bot.command("U0BOB", "/dispute", "Acme Corp | mine")
    message, ts = managers_message(bot)
    waiting = text_of_view(next_home(bot, "U0MGR2", before))
    assert "Collision #1" in waiting and "Waiting for a decision* (1)" in waiting
    before = len(publishes(bot, "U0MGR2"))
    bot.click("U0MGR1", message, "dispute_keep", channel=APPROVALS, ts=ts)
    decided = text_of_view(next_home(bot, "U0MGR2", before))
    assert "Collision #1" not in decided and "Waiting for a decision* (0)" in decided


def text_of_view(view):
    return text_of({"blocks": view["blocks"]})
