"""`claimbot doctor` (docs/decisions/0021) against the Slack stand-in on loopback and a real SQLite file:
each problem an ops person meets is reported with its fix, a good setup passes, the exit status says
which; the same checks are logged at start-up and sent weekly to the admins through the outbox."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from bot import cli
from bot.bootstrap import context
from bot.config import Settings
from bot.console.standin import TEAM_ID, SlackStandIn
from bot.jobs import registry
from bot.slack import doctor
from bot.views.notices import render
from storage import migrate
from storage.engine import read_session
from storage.models import Outbox

TOKEN = "xoxb-doctor"
DIGEST, APPROVALS = "C0SALES", "C0APPROVE"
TODAY = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 1 November has passed: 2027's holidays are needed


@pytest.fixture
def slack(standin: SlackStandIn) -> SlackStandIn:
    """A good workspace: every scope granted, the bot in both channels."""
    standin.scopes = list(doctor.BOT_SCOPES)
    standin.add_channel(DIGEST, "sales")
    standin.add_channel(APPROVALS, "sales-approvals", private=True)
    return standin


def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slack: SlackStandIn, *, calendar: str = "holidays = "
          "[2027-02-05, 2027-02-08, 2027-02-09]\nworkdays = [2027-02-20]", team: str = "", migrated: bool = True) -> str:
    url = f"sqlite:///{tmp_path}/claimbot.db"
    if migrated:
        migrate.upgrade(url)
    config = tmp_path / "claimbot.toml"
    config.write_text(f'[team]\nadmins = ["U0ADMIN"]\ndigest_channel = "{DIGEST}"\napprovals_channel = "{APPROVALS}"\n'
                      f'{team}\n[claims]\ncount = "working_days"\n\n[calendar]\n{calendar}\n', encoding="utf-8")
    for name, value in {"CLAIMBOT_CONFIG": str(config), "DATABASE_URL": url, "SLACK_BOT_TOKEN": TOKEN,
                        "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": slack.api_url}.items():
        monkeypatch.setenv(name, value)
    return url


def run_doctor(capsys: pytest.CaptureFixture[str], lang: str = "en") -> tuple[int, str]:
    with time_machine.travel(TODAY, tick=True):
        status = cli.main(["doctor", "--lang", lang])
    return status, capsys.readouterr().out


def test_a_good_setup_passes(tmp_path, monkeypatch, slack, capsys):
    setup(tmp_path, monkeypatch, slack)
    status, out = run_doctor(capsys)
    assert status == 0, out
    assert f"✓ Token works: workspace Example ({TEAM_ID})" in out
    assert f"✓ All {len(doctor.BOT_SCOPES)} scopes manifest.yml needs are granted" in out
    assert "✓ ClaimBot is in the digest channel" in out and "#sales (C0SALES)" in out and "#sales-approvals (C0APPROVE)" in out
    assert "✓ The database" in out and "is at the newest schema" in out
    assert "✓ Working-day calendar: 2026: holidays" in out and "2027: the team's [calendar] lists" in out
    assert "✓ This machine's clock is within" in out
    assert "Fix:" not in out and out.rstrip().endswith("checks passed.")


def test_a_missing_scope_a_channel_without_the_bot_and_an_uncovered_year_each_fail_with_their_fix(
        tmp_path, monkeypatch, slack, capsys):
    setup(tmp_path, monkeypatch, slack, calendar="")
    slack.scopes = [s for s in doctor.BOT_SCOPES if s != "files:write"]
    slack.add_channel(DIGEST, "sales", member=False)
    status, out = run_doctor(capsys)
    assert status == 1
    lines = out.splitlines()

    def fix_after(found: str) -> str:
        [i] = [i for i, line in enumerate(lines) if found in line]
        assert lines[i].startswith("✗ "), lines[i]
        return lines[i + 1].strip()

    assert fix_after("Missing scopes: files:write").startswith("Fix: Add them as Bot Token Scopes")
    assert fix_after("not a member of the digest channel #sales (C0SALES)") == \
        "Fix: In Slack, open #sales and type /invite @ClaimBot."
    assert "Enter the State Council's notice in [calendar] holidays / workdays" in fix_after(
        "No source has the holiday schedule for 2027")
    assert "✓ ClaimBot is in the approvals channel" in out  # what is fine is still said
    assert out.rstrip().endswith("3 of 8 checks failed.")
    zh_status, zh = run_doctor(capsys, "zh")
    assert zh_status == 1 and "缺少权限：files:write" in zh and "输入 /invite @ClaimBot" in zh


def test_wrong_workspace_unknown_channel_skewed_clock_and_old_schema(tmp_path, monkeypatch, slack, capsys):
    setup(tmp_path, monkeypatch, slack, team='slack_team_id = "T0OTHER"', migrated=False)
    monkeypatch.setenv("CLAIMBOT_TEAM__APPROVALS_CHANNEL", "sales-approvals")  # a name, not an id
    slack.clock_offset = -120.0  # Slack's clock two minutes behind: ours is ahead
    status, out = run_doctor(capsys)
    assert status == 1
    assert f"The token is for workspace Example ({TEAM_ID}), not T0OTHER" in out
    assert "approvals channel sales-approvals ([team] approvals_channel) was not found: channel_not_found" in out
    assert "Fix: Set [team] approvals_channel to the channel's id (C…, not its name)" in out
    assert "clock is 120 s ahead of Slack's" in out or "clock is 119 s ahead of Slack's" in out
    assert "is at schema none; the code needs" in out and "Run `claimbot db upgrade`" in out


def test_a_refused_token_and_a_config_that_does_not_load(tmp_path, monkeypatch, slack, capsys):
    setup(tmp_path, monkeypatch, slack)
    slack_with_token = SlackStandIn(token="xoxb-the-real-one").start()
    try:
        monkeypatch.setenv("SLACK_API_URL", slack_with_token.api_url)
        status, out = run_doctor(capsys)
    finally:
        slack_with_token.stop()
    assert status == 1 and "Slack refused the token: invalid_auth" in out and "reinstall" in out
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("CLAIMBOT_CONFIG", str(tmp_path / "claimbot.tmol"))  # a typo
    status, out = run_doctor(capsys)
    assert status == 1 and "The config file CLAIMBOT_CONFIG names does not exist" in out and "claimbot.tmol" in out
    monkeypatch.setenv("CLAIMBOT_CLAIMS__HOLDING_CAP", "-3")
    status, out = run_doctor(capsys)
    assert status == 1 and "The config does not load" in out and "holding_cap" in out


def test_the_weekly_check_tells_each_admin_once_a_week_only_when_something_failed(tmp_path, monkeypatch, slack):
    url = setup(tmp_path, monkeypatch, slack, calendar="")
    ctx = context(Settings())
    job = registry(ctx)["doctor"]
    assert job.describe() == "weekly on mon at 09:30"
    with time_machine.travel(TODAY, tick=True):
        summary = job.run(ctx, TODAY)
        again = job.run(ctx, TODAY)
    assert "1 failed (calendar); 1 admin DMs decided" in summary and "0 admin DMs decided" in again
    with read_session(ctx.engine) as s:
        [row] = s.exec(select(Outbox).where(Outbox.kind == "doctor")).all()
    assert (row.channel, row.key) == ("U0ADMIN", "doctor:2026-W50:U0ADMIN")
    text = json.dumps(render("doctor", json.loads(row.data), "en", "Asia/Shanghai"), ensure_ascii=False)
    assert "1 failed" in text and "No source has the holiday schedule for 2027" in text and "[calendar] holidays" in text
    ctx.engine.dispose()
    # fixed: next week's check passes and says nothing to anyone
    setup(tmp_path, monkeypatch, slack)
    fixed = context(Settings())
    next_week = datetime(2026, 12, 14, 2, tzinfo=UTC)
    with time_machine.travel(next_week, tick=True):
        assert "all 8 checks passed" in registry(fixed)["doctor"].run(fixed, next_week)
    with read_session(fixed.engine) as s:
        assert len(s.exec(select(Outbox).where(Outbox.kind == "doctor")).all()) == 1
    fixed.engine.dispose()
    assert url


def test_the_checks_are_logged_at_start_up(tmp_path, monkeypatch, slack, caplog):
    setup(tmp_path, monkeypatch, slack)
    slack.add_channel(DIGEST, "sales", member=False)
    ctx = context(Settings())
    with caplog.at_level(logging.INFO, logger="bot.slack.doctor"):
        doctor.log_at_start(ctx).join(timeout=30)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["doctor: ClaimBot is not a member of the digest channel #sales (C0SALES): posts there will "
                        "be refused — fix: In Slack, open #sales and type /invite @ClaimBot."]
    assert any("Token works" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)
    ctx.engine.dispose()


def test_the_stand_in_is_by_default_a_workspace_installed_from_the_manifest(tmp_path, monkeypatch, standin, capsys):
    """So the doctor that runs at start-up and weekly in every other test finds nothing to tell the admins."""
    setup(tmp_path, monkeypatch, standin)
    status, out = run_doctor(capsys)
    assert status == 0, out
    standin.refuse_channel(DIGEST)  # a channel the bot was not invited to: posts and the doctor both say so
    status, out = run_doctor(capsys)
    assert status == 1 and "not a member of the digest channel" in out
