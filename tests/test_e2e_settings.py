"""Settings in Slack end to end (issue 5, part 6): `claimbot serve` in its own process, signed HTTP in,
the Slack stand-in out, on SQLite and PostgreSQL.

A rep cannot open the settings; a manager lowers the daily claim cap in the modal, the next claim of a
second customer that day is refused citing the new cap, tomorrow's digest (another process) shows the
change, *Undo* puts the cap back and the claim goes through. zh and en; stale and concurrent forms.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage.models import Customer, Ownership, SettingChange
from tests.e2e import Bot, buttons, served, text_of, write_config
from tests.test_e2e_http import rows
from tests.test_e2e_leaderboard import jobs_run

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path), scheduler=False) as bot:
        yield bot


def open_form(bot: Bot, user: str) -> dict[str, Any]:
    before = len(bot.standin.calls_for("views.open"))
    status, answer, _ = bot.command(user, "/claimbot", "settings")
    assert status == 200 and answer == "", answer  # the modal is the answer
    bot.standin.wait_for(lambda c: c.method == "views.open" and len(bot.standin.calls_for("views.open")) > before)
    return bot.standin.calls_for("views.open")[before].params["view"]


def initial_values(view: dict[str, Any]) -> dict[str, str]:
    return {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"] if b["type"] == "input"}


def submit(bot: Bot, user: str, view: dict[str, Any], **changed: str) -> tuple[int, str]:
    values = {key: {"value": {"type": "plain_text_input" if key == "reminders.days_before" else "number_input",
                              "value": changed.get(key, value)}}
              for key, value in initial_values(view).items()}
    return bot.interact({"type": "view_submission", "user": {"id": user}, "api_app_id": "A123456",
                         "team": {"id": "T0001"}, "view": {**view, "id": "V1", "state": {"values": values}}})


def posted_to(bot: Bot, channel: str, containing: str) -> dict[str, Any]:
    """What was posted to ``channel`` (delivering the outbox first: this server runs no scheduler)."""
    jobs_run(bot, "outbox", datetime.now(TZ)).communicate(timeout=60)
    return bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == channel
                                and containing in text_of(c.params)).params


def claim(bot: Bot, user: str, name: str) -> str:
    status, answer, _ = bot.command(user, "/claim", name)
    assert status == 200
    return text_of(answer)


def test_a_manager_lowers_the_daily_cap_in_slack_and_undoes_it(bot, engine_url):
    # a rep cannot open the settings: an ephemeral refusal in their language, no modal
    status, answer, _ = bot.command("U0BOB", "/claimbot", "settings")
    assert status == 200 and answer["response_type"] == "ephemeral"
    assert "⛔ Only managers can change the settings." in text_of(answer)
    _, answer, _ = bot.command("U0ALICE", "/claimbot", "设置")
    assert "只有经理可以修改设置" in text_of(answer)
    assert bot.standin.calls_for("views.open") == []

    assert "✅" in claim(bot, "U0ALICE", "Acme Corp")  # Alice's first claim today, under the file's cap of 10

    # the manager (zh) opens the modal with the values in force
    view = open_form(bot, "U0MGR1")
    values = initial_values(view)
    assert values["claims.daily_claim_cap"] == "10" and values["claims.holding_cap"] == "100"
    assert values["claims.followup_timeout_days.B"] == "30" and values["reminders.days_before"] == "7, 1"
    assert view["title"]["text"] == "ClaimBot 设置" and "每日认领上限（个）" in json.dumps(view, ensure_ascii=False)

    # a bad value: the field's error in her language, nothing written
    status, answer = submit(bot, "U0MGR1", view, **{"claims.daily_claim_cap": "-1", "reminders.days_before": "7, x"})
    assert status == 200 and json.loads(answer) == {"response_action": "errors", "errors": {
        "claims.daily_claim_cap": "不能小于 0。", "reminders.days_before": "请填写用逗号分隔的非负整数，例如 7, 1。"}}
    assert rows(engine_url, SettingChange) == []

    status, answer = submit(bot, "U0MGR1", view, **{"claims.daily_claim_cap": "1"})
    assert status == 200 and answer == ""
    confirmation = posted_to(bot, "U0MGR1", "第 1 版")
    assert "每日认领上限（个）：10 → *1*" in text_of(confirmation) and buttons(confirmation) == ["settings_undo"]
    team_post = posted_to(bot, "C0SALES", "设置已更新（第 1 版")  # the team sees the decision
    assert "10 → *1*" in text_of(team_post) and buttons(team_post) == []

    # the next claim of a second customer today is refused, citing the new cap
    refused = claim(bot, "U0ALICE", "Globex Ltd")
    assert "你今天已认领 1 个客户，每日认领上限为 1 个" in refused
    assert "✅" in claim(bot, "U0BOB", "Initech LLC")  # Bob's first today: within the cap of 1
    assert "You have claimed 1 customer today; the daily claim cap is 1" in claim(bot, "U0BOB", "Hooli Inc")

    # tomorrow morning's digest, decided by another process, shows the change
    tomorrow = datetime.now(TZ).date() + timedelta(days=1)
    run = jobs_run(bot, "digest", datetime.combine(tomorrow, time(9, 5), tzinfo=TZ))
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0 and "decided for C0SALES" in out, err
    digest = posted_to(bot, "C0SALES", "每日简报")
    text = text_of(digest)
    assert "昨日设置变更（1）" in text and "第 1 版 · *carol*" in text and "每日认领上限（个） 10 → 1" in text

    # Undo: a new version with the cap back at 10, and Alice's claim goes through
    token = bot.click("U0MGR1", confirmation, "settings_undo")
    undone = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token).params
    assert "已撤销第 1 版设置（新版本第 2 版" in text_of(undone) and "1 → *10*" in text_of(undone)
    assert undone.get("replace_original") is True and buttons(undone) == ["settings_undo"]
    posted_to(bot, "C0SALES", "已撤销第 1 版设置")
    assert "✅" in claim(bot, "U0ALICE", "Globex Ltd")
    owners = {c.name: o.rep_id for o in rows(engine_url, Ownership) for c in rows(engine_url, Customer)
              if c.id == o.customer_id}
    assert owners == {"Acme Corp": "U0ALICE", "Initech LLC": "U0BOB", "Globex Ltd": "U0ALICE"}

    # the old confirmation's Undo is stale now: only the latest change can be undone
    token = bot.click("U0MGR1", confirmation, "settings_undo")
    stale = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token).params
    assert "只能撤销最新的一次" in text_of(stale)
    assert [(r.version, r.actor, r.undoes) for r in sorted(rows(engine_url, SettingChange), key=lambda r: r.version)] \
        == [(1, "U0MGR1", None), (2, "U0MGR1", 1)]


def test_two_managers_with_the_same_form_open_the_second_is_told(bot, engine_url):
    carol, dave = open_form(bot, "U0MGR1"), open_form(bot, "U0MGR2")
    assert dave["title"]["text"] == "ClaimBot settings"  # Dave's Slack locale is en-US
    assert submit(bot, "U0MGR1", carol, **{"claims.holding_cap": "50"}) == (200, "")
    status, answer = submit(bot, "U0MGR2", dave, **{"claims.reclaim_cooldown_days": "3"})
    errors = json.loads(answer)["errors"]
    assert status == 200 and "Another manager changed the settings after you opened this form" in errors[
        "claims.holding_cap"]
    [row] = rows(engine_url, SettingChange)
    assert json.loads(row.overrides) == {"claims.holding_cap": 50}
    # reopened, Dave sees Carol's value and his change goes through, in English
    again = open_form(bot, "U0MGR2")
    assert initial_values(again)["claims.holding_cap"] == "50"
    assert submit(bot, "U0MGR2", again, **{"claims.reclaim_cooldown_days": "3"}) == (200, "")
    confirmation = posted_to(bot, "U0MGR2", "Settings changed (version 2")
    assert "Re-claim cooldown (days): 7 → *3*" in text_of(confirmation)
