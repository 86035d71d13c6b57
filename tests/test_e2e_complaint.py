"""A customer complaint's whole life end to end: `claimbot serve` in its own process, signed HTTP requests
in, the Slack stand-in out, the database checked. Logged → the owner and the managers are told (with
*Resolve*) → overdue in the digest → resolved by a manager through the form → every *Resolve* message
shows the resolution, the person who logged it is told → the next digest no longer lists it."""

from __future__ import annotations

import json
import re
import time as clock
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.i18n import formatting as fmt
from storage.models import Complaint, Customer, Refusal
from tests.e2e import buttons, query, served, text_of, write_config
from tests.test_e2e_leaderboard import jobs_run

TZ = ZoneInfo("Asia/Shanghai")
APPROVALS = "C0MGRS"
DELIVERY_S = 15  # the server's outbox runs every 2 seconds


# Servers with their scheduler: the outbox delivers as in production.
@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path, approvals_channel=APPROVALS)) as b:
        yield b


@pytest.fixture
def bot_dm(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path)) as b:
        yield b


def posted(bot, channel, kind, timeout=DELIVERY_S):
    """The (first) outbox message of ``kind`` (complaint_owner …) sent to ``channel``: (params, ts)."""
    call = bot.standin.wait_for(
        lambda c: c.method == "chat.postMessage" and c.ok and c.params.get("channel") == channel and _kind(c) == kind,
        timeout)
    return call.params, call.response["ts"]


def _kind(call):
    key = (call.params.get("metadata") or {}).get("event_payload", {}).get("key", "")
    parts = key.split(":")  # complaint:<id>:owner | complaint:<id>:managers:<to> | complaint:<id>:resolved:<user>
    return {"owner": "complaint_owner", "managers": "complaint_managers", "resolved": "complaint_resolved"}.get(
        parts[2] if len(parts) > 2 and parts[0] == "complaint" else "", "")


def digest_post(bot, day):
    key = f"digest:{day.isoformat()}"
    run = jobs_run(bot, "digest", datetime.combine(day, time(9, 5), tzinfo=TZ))
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0 and f"digest for {day.isoformat()}" in out, err
    [call] = [c for c in bot.standin.calls_for("chat.postMessage", ok_only=True)
              if (c.params.get("metadata") or {}).get("event_payload", {}).get("key") == key]
    return text_of(call.params)


def submit(bot, user, view, block_id, value):
    """Submit a form; returns (status, the form's error under ``block_id`` or None)."""
    status, answer = bot.interact({"type": "view_submission", "user": {"id": user}, "api_app_id": "A123456",
                         "team": {"id": "T0001"}, "view": {**view, "id": f"V{uuid.uuid4().hex[:8]}", "state": {
                             "values": {block_id: {"value": {"type": "plain_text_input", "value": value}}}}}})
    errors = json.loads(answer).get("errors", {}) if answer.startswith("{") else {}
    return status, errors.get(block_id)


def short_id(reply):
    return re.search(r"C-\d+", text_of(reply)).group()


def complaint_rows(url):
    return [(c.status, c.owner_id, c.raised_by, c.resolution, c.resolved_by) for c in query(url, select(Complaint))]


def test_a_complaints_whole_life(bot, engine_url):
    _, claimed, _ = bot.command("U0ALICE", "/claim", "Acme Corp")
    sid = short_id(claimed)
    today = datetime.now(TZ).date()
    due = today + timedelta(days=3)

    # logged by Bob (en), against Alice's customer
    status, reply, _ = bot.command("U0BOB", "/complaint", f"{sid} | 客户说发票错了 <!channel>")
    assert status == 200 and reply["response_type"] == "ephemeral"
    assert f"Complaint #1 logged against *Acme Corp* ({sid}); due by *{fmt.day(due, 'en')}*" in text_of(reply)
    assert "The owner, <@U0ALICE>, and the managers have been told." in text_of(reply)
    assert complaint_rows(engine_url) == [("open", "U0ALICE", "U0BOB", None, None)]

    # the owner (zh) by DM and the managers in the approvals channel, each with Resolve
    owner_dm, owner_ts = posted(bot, "U0ALICE", "complaint_owner")
    assert "你的客户 *Acme Corp*" in text_of(owner_dm) and "客户说发票错了 &lt;!channel&gt;" in text_of(owner_dm)
    assert "<!channel>" not in text_of(owner_dm) and buttons(owner_dm) == ["complaint_resolve"]
    managers, ts = posted(bot, APPROVALS, "complaint_managers")
    assert f"客户投诉 #1*：*Acme Corp*（{sid}）" in text_of(managers) and f"需在 {fmt.day(due, 'zh')} 前处理" in \
        text_of(managers)
    assert buttons(managers) == ["complaint_resolve"]

    # the morning after the due day, the digest lists it as overdue
    listed = digest_post(bot, due + timedelta(days=1))
    assert "未解决的客户投诉（1，其中逾期 1）" in listed
    assert f"#1 *Acme Corp* ({sid})" in listed and f"{fmt.day(due, 'zh')} 到期，*已逾期 1 天*" in listed

    # a rep who is not the owner may not resolve it: refused, nothing opens, the refusal is recorded
    token = bot.click("U0BOB", managers, "complaint_resolve", channel=APPROVALS, ts=ts)
    refused = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
    assert "Only the owner when it was logged (<@U0ALICE>) or a manager can resolve complaint #1" in \
        text_of(refused.params)
    assert bot.standin.calls_for("views.open") == []
    assert [(r.actor, r.reason) for r in query(engine_url, select(Refusal))] == [("U0BOB", "not_allowed")]

    # a manager (en) presses Resolve: the form opens, an empty answer is refused, then it is resolved
    bot.click("U0MGR2", managers, "complaint_resolve", channel=APPROVALS, ts=ts)
    form = bot.standin.wait_for("views.open").params["view"]
    assert form["callback_id"] == "complaint_resolution" and "客户说发票错了 &lt;!channel&gt;" in str(form["blocks"])
    assert submit(bot, "U0MGR2", form, "resolution", "   ") == (200, "Please say how it was resolved.")
    assert submit(bot, "U0MGR2", form, "resolution", "Sent a corrected invoice 已重开发票") == (200, None)
    assert complaint_rows(engine_url) == [
        ("resolved", "U0ALICE", "U0BOB", "Sent a corrected invoice 已重开发票", "U0MGR2")]

    # every message with Resolve now shows the resolution instead of the button
    bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params.get("ts") == ts)
    now_managers = bot.standin.message(APPROVALS, ts)
    assert buttons(now_managers) == [] and "已由 <@U0MGR2>" in text_of(now_managers)
    assert "已重开发票" in text_of(now_managers)
    bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params.get("ts") == owner_ts)
    now_owner = bot.standin.message(bot.standin.dm_channel("U0ALICE"), owner_ts)
    assert buttons(now_owner) == [] and "Sent a corrected invoice" in text_of(now_owner)

    # the person who logged it (en) and the owner (zh) are told
    told, _ = posted(bot, "U0BOB", "complaint_resolved")
    assert f"Complaint #1 about *Acme Corp* ({sid}) was resolved by <@U0MGR2>: Sent a corrected invoice" in \
        text_of(told)
    told, _ = posted(bot, "U0ALICE", "complaint_resolved")
    assert "投诉 #1 已由 <@U0MGR2> 解决" in text_of(told)

    # a second submission of the same form changes nothing and says so
    assert submit(bot, "U0MGR1", form, "resolution", "called them as well") == (
        200, "这条投诉刚刚已被处理，什么都没有改变。")  # Carol reads Chinese
    assert complaint_rows(engine_url)[0][3:] == ("Sent a corrected invoice 已重开发票", "U0MGR2")

    # and the next morning's digest no longer lists it
    later = digest_post(bot, due + timedelta(days=2))
    assert "Acme Corp" not in later and "已逾期" not in later


def test_without_an_approvals_channel_each_manager_gets_a_dm_and_the_owner_resolves(bot_dm, engine_url):
    bot = bot_dm
    _, claimed, _ = bot.command("U0ALICE", "/claim", "Globex Ltd")
    sid = short_id(claimed)
    _, usage, _ = bot.command("U0BOB", "/complaint", "")
    assert "Usage: `/complaint customer | what they complained about`" in text_of(usage)
    _, empty, _ = bot.command("U0BOB", "/complaint", "Globex Ltd |")
    assert "Please say what the customer complained about" in text_of(empty)
    _, unknown, _ = bot.command("U0BOB", "/complaint", "Nobody Knows Ltd | rude")
    assert "No customer called “Nobody Knows Ltd”" in text_of(unknown)
    assert complaint_rows(engine_url) == []

    # the customer card's Complaint button (value: the customer id) opens a form for that customer
    _, card, _ = bot.command("U0MGR1", "/customer", sid)
    assert "card_complaint" in buttons(card)
    assert [el["value"] for blk in card["blocks"] if blk["type"] == "actions" for el in blk["elements"]
            if el.get("action_id") == "card_complaint"] == [str(customer_id(engine_url))]
    bot.click("U0MGR1", card, "card_complaint", channel="D0MGR1")
    form = bot.standin.wait_for("views.open").params["view"]
    assert form["callback_id"] == "complaint_form"
    assert submit(bot, "U0MGR1", form, "complaint", "交货晚了两周 delivery two weeks late") == (200, None)
    assert complaint_rows(engine_url) == [("open", "U0ALICE", "U0MGR1", None, None)]
    confirmation = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == "U0MGR1"
                                        and "投诉 #1" in text_of(c.params))
    assert f"*Globex Ltd*（{sid}）" in text_of(confirmation.params)

    # each manager in their own language; the owner by DM
    mgr1, _ = posted(bot, "U0MGR1", "complaint_managers")
    mgr2, mgr2_ts = posted(bot, "U0MGR2", "complaint_managers")
    owner_dm, owner_ts = posted(bot, "U0ALICE", "complaint_owner")
    assert "客户投诉 #1" in text_of(mgr1) and "Complaint #1" in text_of(mgr2) and "交货晚了两周" in text_of(owner_dm)

    # the owner resolves it from her DM
    bot.click("U0ALICE", owner_dm, "complaint_resolve", channel="D0ALICE", ts=owner_ts)
    form = bot.standin.wait_for(lambda c: c.method == "views.open" and
                                c.params["view"]["callback_id"] == "complaint_resolution").params["view"]
    assert submit(bot, "U0ALICE", form, "resolution", "道歉并加急发货") == (200, None)
    assert complaint_rows(engine_url) == [("resolved", "U0ALICE", "U0MGR1", "道歉并加急发货", "U0ALICE")]
    bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params.get("ts") == mgr2_ts)
    now_mgr2 = bot.standin.message(bot.standin.dm_channel("U0MGR2"), mgr2_ts)
    assert buttons(now_mgr2) == [] and "Resolved by <@U0ALICE>" in text_of(now_mgr2)
    told, _ = posted(bot, "U0MGR1", "complaint_resolved")  # the manager who logged it
    assert "已由 <@U0ALICE> 解决：道歉并加急发货" in text_of(told)

    # a stale Resolve button: already resolved, nothing changes
    token = bot.click("U0MGR2", mgr2, "complaint_resolve", channel="D0MGR2", ts=mgr2_ts)
    answer = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
    assert "Complaint #1 was already resolved by <@U0ALICE>; nothing changed." in text_of(answer.params)
    clock.sleep(0.2)
    assert len([c for c in bot.standin.calls_for("views.open")
                if c.params["view"]["callback_id"] == "complaint_resolution"]) == 1


def customer_id(url):
    return query(url, select(Customer.id))[0]
