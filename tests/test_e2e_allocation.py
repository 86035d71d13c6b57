"""`/assign name auto` and `/claimbot ooo` end to end (issue 4): `claimbot serve` in its own process, signed
HTTP requests in, the Slack stand-in out, the database checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.i18n import formatting as fmt
from storage.models import AllocationEntry, Ownership, OwnershipEvent, Rep
from tests.e2e import query, served, text_of, write_config

ALLOCATION = """
[allocation]
seed = 1

[[allocation.rules]]
name = "everyone"
reps = ["U0BOB", "U0ALICE"]
strategy = "round_robin"
"""


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    config = write_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + ALLOCATION, encoding="utf-8")
    with served(engine_url, standin, config) as bot:
        yield bot


def owner_of(url, customer_id):
    rows = query(url, select(Ownership).where(Ownership.customer_id == customer_id, Ownership.ended_at.is_(None)))
    return rows[0].rep_id if rows else None


def wait_dm(bot, user, needle, timeout=5.0):
    return bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == user
                                and needle in text_of(c.params), timeout).params


def test_assign_auto_follows_the_rules_and_out_of_office(bot, engine_url):
    bot.command("U0BOB", "/claim", "Acme Corp")
    bot.command("U0BOB", "/release", "Acme Corp | wrong contact")  # Bob is in its cooldown now

    _, reply, _ = bot.command("U0ALICE", "/assign", "Acme Corp auto")
    assert "只有经理" in text_of(reply)

    _, reply, _ = bot.command("U0MGR1", "/assign", "Acme Corp auto")  # Bob's turn, but he gave it up
    assert "已自动分配给 <@U0ALICE>：规则「everyone」，轮流分配，第 1 轮" in text_of(reply)
    assert "<@U0BOB> 放弃过该客户" in text_of(reply)
    assert "Acme Corp" in text_of(wait_dm(bot, "U0ALICE", "新客户分配给你"))
    assert owner_of(engine_url, 1) == "U0ALICE"
    [entry] = query(engine_url, select(AllocationEntry))
    assert (entry.outcome, entry.rep_id, entry.rule, entry.strategy, entry.actor) == (
        "assigned", "U0ALICE", "everyone", "round_robin", "U0MGR1")
    assert json.loads(entry.why)["skipped"][0]["reason"] == "cooldown"
    last = query(engine_url, select(OwnershipEvent).order_by(OwnershipEvent.id.desc()))[0]
    assert (last.kind, last.to_rep, last.actor, last.rule) == ("assign", "U0ALICE", "U0MGR1", "auto_allocation")

    # Alice is away: the next lead goes to Bob, and the manager is told why Alice was skipped
    back = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=5)
    _, reply, _ = bot.command("U0ALICE", "/claimbot", f"ooo until {back.isoformat()}")
    assert f"已设为休假至 {fmt.day(back, 'zh')}" in text_of(reply)
    assert query(engine_url, select(Rep).where(Rep.id == "U0ALICE"))[0].ooo_until == back
    bot.command("U0MGR1", "/claim", "Initech LLC")
    bot.command("U0MGR1", "/release", "Initech LLC | not my region")
    _, reply, _ = bot.command("U0MGR2", "/assign", "Initech LLC | auto")
    assert "auto-assigned to <@U0BOB>" in text_of(reply)
    assert f"<@U0ALICE> out of office until {fmt.day(back, 'en')}" in text_of(reply)
    assert owner_of(engine_url, 2) == "U0BOB"

    _, reply, _ = bot.command("U0ALICE", "/claimbot", "ooo off")
    assert "休假已结束" in text_of(reply)
    assert query(engine_url, select(Rep).where(Rep.id == "U0ALICE"))[0].ooo_until is None
    _, reply, _ = bot.command("U0ALICE", "/claimbot", "ooo until yesterday")
    assert "用法" in text_of(reply)
