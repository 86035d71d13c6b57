"""Slack's bad minutes (issue 10), end to end: `claimbot serve` with its scheduler, signed HTTP requests in,
the Slack stand-in answering 503, 429 with Retry-After and too late. Every notice reaches every recipient
exactly once after the outage, and the managers' messages lose their buttons; a channel that refuses for
good is given up at once and admins are told once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.console.standin import SlackStandIn
from storage.models import Outbox, Ownership
from tests.e2e import Bot, buttons, query, served, text_of, write_config
from tests.test_e2e_complaint import submit
from tests.test_e2e_home import open_home
from tests.test_e2e_leaderboard import TZ, jobs_run

APPROVALS = "C0MGRS"
TIMEOUT_S = 1  # the delivery client's; the stand-in answers some calls 2.5 s late


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    config = write_config(tmp_path, approvals_channel=APPROVALS, schedule=f"delivery_timeout_seconds = {TIMEOUT_S}")
    with served(engine_url, standin, config) as bot:
        yield bot


def outage(standin: SlackStandIn) -> None:
    """The next posts and updates: 503s, a 429 with Retry-After 2, a 502; two posts answered too late."""
    for method in ("chat.postMessage", "chat.update"):
        standin.fail_next(method, 503, times=2)
        standin.fail_next(method, 429, retry_after=2)
        standin.fail_next(method, 502)
    standin.delay_next("chat.postMessage", 2.5, times=2)


def key_of(params: dict[str, Any]) -> str | None:
    return ((params.get("metadata") or {}).get("event_payload") or {}).get("key")


def landed(bot: Bot, key: str, timeout: float = 60) -> tuple[dict[str, Any], str]:
    """The message of outbox notice ``key`` as Slack shows it now, and its ts, once it has been posted."""
    call = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.ok and key_of(c.params) == key,
                                timeout)
    channel, ts = call.response["channel"], call.response["ts"]
    message = bot.standin.message(channel, ts)
    assert message is not None
    return message, ts


def settled(url: str, timeout: float = 120) -> list[Outbox]:
    """Every outbox row once none is waiting to be sent any more."""
    deadline = time.monotonic() + timeout
    while True:
        rows = query(url, select(Outbox).order_by(Outbox.id))
        if rows and all(r.status not in ("pending", "sending") for r in rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting: {[(r.key, r.status, r.last_error) for r in rows]}")
        time.sleep(0.5)


def deadlines_at(bot: Bot, at: datetime) -> str:
    run = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines", "--at", at.isoformat(),
                          "--no-deliver"], env=bot.env | {"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_every_notice_reaches_every_recipient_once_after_an_outage(bot, engine_url):
    for name in ("Acme Corp", "Globex Ltd", "Initech LLC", "Umbrella Pharmaceuticals"):
        bot.command("U0ALICE", "/claim", name)
    outage(bot.standin)
    # a new case, a handover request, a complaint and a second case, all while Slack is failing
    _, reply, _ = bot.command("U0BOB", "/dispute", "Globex Ltd | I met them at the trade show")
    assert "Collision #1" in text_of(reply)  # the answer to the request itself is immediate
    bot.command("U0ALICE", "/handover", "Acme Corp <@U0BOB|bob> | moving to the south region")
    bot.command("U0BOB", "/complaint", "Initech LLC | 发票开错了")
    bot.command("U0BOB", "/dispute", "Umbrella Pharmaceuticals | mine first")
    case_post, case_ts = landed(bot, f"case:1:managers:{APPROVALS}")
    handover_post, handover_ts = landed(bot, f"handover:1:managers:{APPROVALS}")
    complaint_dm, complaint_ts = landed(bot, "complaint:1:owner")
    assert buttons(case_post) == ["dispute_keep", "dispute_transfer", "dispute_coown"]
    assert buttons(handover_post) == ["handover_approve", "handover_reject"]

    # the decisions, the complaint's resolution and a deadline expiry, in a second outage
    outage(bot.standin)
    bot.click("U0MGR1", handover_post, "handover_approve", channel=APPROVALS, ts=handover_ts)
    bot.click("U0MGR2", case_post, "dispute_transfer", channel=APPROVALS, ts=case_ts)
    bot.click("U0ALICE", complaint_dm, "complaint_resolve", channel="D0ALICE", ts=complaint_ts)
    form = bot.standin.wait_for("views.open").params["view"]
    assert submit(bot, "U0ALICE", form, "resolution", "重开了发票") == (200, None)
    assert "1 cases expired" in deadlines_at(bot, datetime.now(UTC) + timedelta(hours=49))
    rows = settled(engine_url)

    assert [(r.key, r.status, r.last_error) for r in rows if r.status != "sent"] == []
    keys = {r.key for r in rows}
    told = {
        "case:1:managers:C0MGRS", "case:1:opened:U0ALICE",  # the new case: managers, and the owner
        "handover:1:managers:C0MGRS",  # the handover request
        "complaint:1:owner", "complaint:1:managers:C0MGRS",  # the complaint
        "handover:1:transferred:update:C0MGRS", "handover:1:transferred:U0ALICE",  # the handover decision
        "handover:1:transferred:U0BOB", "handover:1:transferred:digest",
        "case:1:decided:update:C0MGRS", "case:1:decided:thread:C0MGRS",  # the dispute decision
        "case:1:decided:U0ALICE", "case:1:decided:U0BOB", "case:1:decided:digest",
        "case:2:managers:C0MGRS", "case:2:opened:U0ALICE",  # the expiry of a case decided by nobody
        "case:2:decided:update:C0MGRS", "case:2:decided:thread:C0MGRS",
        "case:2:decided:U0ALICE", "case:2:decided:U0BOB", "case:2:decided:digest",
        "complaint:1:resolved:update:U0ALICE", "complaint:1:resolved:update:C0MGRS",  # the complaint resolved
        "complaint:1:resolved:U0BOB",
    }
    assert told <= keys, told - keys

    # exactly once: one post that reached Slack per notice, whatever failed or answered late on the way
    posts = bot.standin.calls_for("chat.postMessage", ok_only=True)
    reached = Counter(key_of(c.params) for c in posts)
    assert {k: n for k, n in reached.items() if n != 1} == {}
    assert set(reached) == {r.key for r in rows if "update_of" not in json.loads(r.data)}
    # ... although Slack failed calls, answered some too late, and each Retry-After was honoured
    failed = [c for c in bot.standin.calls if c.method in ("chat.postMessage", "chat.update") and c.status != 200]
    assert sum(c.method == "chat.update" for c in failed) >= 1 and sum(c.method == "chat.postMessage" for c in failed) >= 4
    assert bot.standin.calls_for("conversations.history"), "a late answer is looked for before posting again"
    limited_posts = [c for c in failed if c.status == 429 and key_of(c.params)]
    assert limited_posts, "a post was rate-limited on the way"
    for limited in limited_posts:
        after = [c.at for c in bot.standin.calls_for("chat.postMessage")
                 if key_of(c.params) == key_of(limited.params) and c.at > limited.at]
        assert after and after[0] - limited.at >= 1.9

    # the managers' messages show the decisions, without buttons; so do the complaint's
    for channel, ts, shows in ((APPROVALS, handover_ts, "<@U0MGR1>"), (APPROVALS, case_ts, "决定"),
                               (APPROVALS, landed(bot, "case:2:managers:C0MGRS")[1], "48"),
                               (APPROVALS, landed(bot, "complaint:1:managers:C0MGRS")[1], "重开了发票"),
                               ("D0ALICE", complaint_ts, "重开了发票")):
        message = bot.standin.message(channel, ts)
        assert message is not None and buttons(message) == [] and shows in text_of(message), (channel, ts)
    # and what each rep reads, once
    bob = [text_of(m) for m in bot.standin.messages("D0BOB")]
    assert sum("Handover #1" in t and "Now owned by <@U0BOB>" in t for t in bob) == 1
    assert sum("重开了发票" in t for t in bob) == 1  # who logged the complaint hears how it was resolved
    assert sum("Case #1" in t for t in bob) == 1 and sum("Case #2" in t for t in bob) == 1
    alice = [text_of(m) for m in bot.standin.messages("D0ALICE")]
    assert sum("撞单申诉" in t for t in alice) == 2  # told of both cases
    assert sum("撞单 #1" in t for t in alice) == 1 and sum("转交 #1" in t for t in alice) == 1
    assert sum("发票开错了" in t for t in alice) == 1  # the complaint against her customer
    owners = {o.customer_id: o.rep_id for o in query(engine_url, select(Ownership).where(Ownership.ended_at.is_(None)))}
    assert owners == {1: "U0BOB", 2: "U0BOB", 3: "U0ALICE", 4: "U0ALICE"}


def test_a_channel_that_refuses_is_given_up_at_once_and_admins_are_told_once(bot, engine_url):
    bot.standin.refuse_channel("C0SALES", "not_in_channel")
    bot.command("U0ALICE", "/claim", "Acme Corp")
    tomorrow = datetime.now(TZ).date() + timedelta(days=1)
    days = (tomorrow, tomorrow + timedelta(days=1))
    for day in days:  # two digests, both refused
        out, err = jobs_run(bot, "digest", datetime.combine(day, datetime.min.time(), tzinfo=TZ)
                            .replace(hour=9, minute=5)).communicate(timeout=120)
        assert "decided for C0SALES" in out, err
    rows = settled(engine_url)
    ours = [r for r in rows if r.key in {f"digest:{day.isoformat()}" for day in days}]
    assert [(r.status, r.attempts, r.last_error) for r in ours] == [("failed", 0, "not_in_channel")] * 2
    # The server's scheduler also catches up today's digest (after 09:00) and leaderboard (after 18:00) on
    # start, to the same channel: whatever went there once it refused was given up at once, like ours.
    refused = [r for r in rows if r.channel == "C0SALES" and r.status != "sent"]
    assert {(r.status, r.attempts, r.last_error) for r in refused} == {("failed", 0, "not_in_channel")}
    time.sleep(2.5)  # a retry would have come by now
    tries = [c for c in bot.standin.calls_for("chat.postMessage") if c.params.get("channel") == "C0SALES"
             and not c.ok]
    assert len(tries) == len(refused)  # once each, never again
    # (the weekly doctor may DM the admin too, about the same channel: that is another message)
    alerts = [text_of(m) for m in bot.standin.messages("D0ADMIN") if "cannot post to" in text_of(m)]
    assert len(alerts) == 1 and "not_in_channel" in alerts[0] and "<#C0SALES>" in alerts[0]
    # and the managers' App Home lists it, in each manager's language; a rep's does not
    carol = json.dumps(open_home(bot, "U0MGR1"), ensure_ascii=False)
    assert "发送失败" in carol and f"<#C0SALES>：`not_in_channel` · {len(refused)} 条" in carol
    dave = json.dumps(open_home(bot, "U0MGR2"), ensure_ascii=False)
    assert "Delivery problems" in dave and f"<#C0SALES>: `not_in_channel` · {len(refused)} notice(s)" in dave
    assert "not_in_channel" not in json.dumps(open_home(bot, "U0ALICE"), ensure_ascii=False)
