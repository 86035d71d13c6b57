"""Two `claimbot scheduler` processes (each its own APScheduler) on one PostgreSQL start after the day's
job times: both catch up on the same slots at once, one is killed while it works and started again —
every reminder, recycle notice, digest and leaderboard reaches the Slack stand-in exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import claims
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import JobRun, Outbox
from tests.e2e import SECRET, TOKEN, write_config

NAMES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "长城汽车", "海康威视",
         "比亚迪", "美的集团"]


def seed(url: str) -> None:
    ctx = ServiceContext(make_engine(url), Settings(database_url=url, team=TeamSettings(managers=["U0MGR1"]),
                                                   claims=ClaimSettings(daily_claim_cap=100)))
    now = datetime.now(UTC)
    for i, name in enumerate(NAMES):  # first follow-ups due: some ran out days ago, some are due tomorrow
        claimed = now - timedelta(days=2 if i % 2 else 5)
        claims.claim(ctx, ["U0ALICE", "U0BOB"][i % 2], claims.ClaimRequest(name=name), claimed)
    ctx.engine.dispose()


def scheduler(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "scheduler"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.postgres
def test_two_schedulers_catch_up_once(postgres_url, standin, tmp_path):
    migrate.upgrade(postgres_url)
    seed(postgres_url)
    config = write_config(tmp_path, schedule='recycle = "00:00"\nreminders = "00:00"\ndigest = "00:00"\n'
                                              'leaderboard = "00:00"\n')
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CLAIMBOT_CONFIG")},
           "DATABASE_URL": postgres_url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_BOT_TOKEN": TOKEN, "CLAIMBOT_CONFIG": str(config)}
    standin.fail_next("chat.postMessage", 429, retry_after=1, times=2)
    first, second = scheduler(env), scheduler(env)
    try:
        time.sleep(2.5)  # both are catching up: deciding and delivering
        second.send_signal(signal.SIGKILL)
        second.wait()
        second = scheduler(env)  # restarted
        engine = make_engine(postgres_url)
        deadline = time.monotonic() + 90
        try:
            while time.monotonic() < deadline:
                with read_session(engine) as s:
                    rows = s.exec(select(Outbox)).all()
                    finished = s.exec(select(JobRun).where(JobRun.finished_at.is_not(None))).all()
                if len(finished) >= 4 and rows and all(r.status == "sent" for r in rows):
                    break
                time.sleep(0.5)
        finally:
            engine.dispose()
        time.sleep(3)  # anything sent twice would show up by now
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=20)
    assert {r.status for r in rows} == {"sent"}, [(r.key, r.status, r.last_error) for r in rows]
    delivered = Counter(c.params["metadata"]["event_payload"]["key"]
                        for c in standin.calls_for("chat.postMessage", ok_only=True) if c.params.get("metadata"))
    # the weekly chart (caught up too, when the seed fell into last week) is a file upload, not a message
    charts = [r for r in rows if r.kind == "weekly_chart"]
    assert len(standin.files("C0SALES")) == len(charts) <= 1
    assert set(delivered) == {r.key for r in rows if r.kind != "weekly_chart"}
    assert all(n == 1 for n in delivered.values()), [k for k, n in delivered.items() if n > 1]
    kinds = Counter(r.kind for r in rows)
    assert kinds["digest"] == 1 and kinds["leaderboard"] == 1
    assert kinds["recycled"] == 6  # the customers claimed five days ago ran out of their first follow-up
    assert kinds["reminder"] == 6  # the others must follow up by tomorrow
    assert {j.job for j in finished} >= {"recycle", "reminders", "digest", "leaderboard"}
