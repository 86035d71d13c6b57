"""The leaderboard and the daily digest end to end: `claimbot serve` in its own process, signed HTTP
requests in, the Slack stand-in out; the daily job run from two processes at once posts once."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e import Bot, served, text_of, write_config
from tests.support.server import REPO_ROOT

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    # No scheduler in the server: the test runs the daily jobs itself, as two separate processes.
    with served(engine_url, standin, write_config(tmp_path), scheduler=False) as bot:
        yield bot


def jobs_run(bot: Bot, name: str, at: datetime) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs", "run", name, "--at", at.isoformat()],
                            env=bot.env | {"PATH": "/usr/bin:/bin"}, cwd=REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def ok(bot: Bot, user: str, command: str, text: str) -> str:
    status, answer, _ = bot.command(user, command, text)
    assert status == 200, answer
    return text_of(answer)


def test_leaderboard_over_http_and_one_digest_from_two_processes(bot):
    ok(bot, "U0ALICE", "/claim", "Acme Corp")
    ok(bot, "U0ALICE", "/followup", "Acme Corp | call: 电话沟通了采购需求和预算安排")
    ok(bot, "U0ALICE", "/stage", "Acme Corp | won 120000")
    ok(bot, "U0BOB", "/claim", "Hooli Inc <!channel>")

    status, answer, _ = bot.command("U0BOB", "/leaderboard", "week")
    assert status == 200 and answer["response_type"] == "ephemeral"
    board = text_of(answer)
    assert "Leaderboard · week of" in board  # Bob's Slack locale is en-US
    # Alice: 1 claim + 1 qualifying follow-up + 1 win × 10 (the win is not also an advance)
    assert "1. " in board and "*12 pts* · claims 1 · follow-ups 1 · advances 0 · wins 1 (120,000 won)" in board
    assert "2. " in board and "*1 pt* · claims 1 · follow-ups 0 · advances 0 · wins 0 · recycled 0" in board
    assert board.count("recycled 0") == 1  # only the asker's own row shows the hidden columns
    _, zh, _ = bot.command("U0MGR1", "/leaderboard", "本周")
    assert "本周排行榜" in text_of(zh) and text_of(zh).count("被回收 0") == 2  # a manager sees every row's
    _, usage, _ = bot.command("U0BOB", "/leaderboard", "year")
    assert "/leaderboard [day|week|month]" in text_of(usage)

    # Tomorrow morning's digest, decided by two `claimbot jobs run digest` processes at the same moment.
    tomorrow = datetime.now(TZ).date() + timedelta(days=1)
    at = datetime.combine(tomorrow, time(9, 5), tzinfo=TZ)
    runs = [jobs_run(bot, "digest", at) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    summaries = "\n".join(out for out, _ in outputs)
    assert summaries.count("decided for C0SALES") == 1 and summaries.count("was already decided") == 1, summaries
    key = f"digest:{tomorrow.isoformat()}"
    digests = [c for c in bot.standin.calls_for("chat.postMessage", ok_only=True)
               if c.params.get("channel") == "C0SALES"
               and (c.params.get("metadata") or {}).get("event_payload", {}).get("key") == key]
    assert len(digests) == 1
    text = text_of(digests[0].params)
    assert "每日简报" in text and "Acme Corp" in text and "Hooli Inc &lt;!channel&gt;" in text  # team language zh
    assert "<!channel>" not in text

    # and the evening's leaderboard, once
    today_evening = datetime.combine(tomorrow - timedelta(days=1), time(18, 1), tzinfo=TZ)
    run = jobs_run(bot, "leaderboard", today_evening)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0 and "decided for C0SALES" in out, err
    [posted] = [c for c in bot.standin.calls_for("chat.postMessage", ok_only=True)
                if (c.params.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("leaderboard:")]
    assert "今日排行榜" in text_of(posted.params) and "12 分" in text_of(posted.params)
    assert "被回收" not in text_of(posted.params)
