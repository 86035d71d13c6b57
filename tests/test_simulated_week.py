"""Done-when: two bot processes on one PostgreSQL run through a simulated week; every reminder, recycle
notice, digest and leaderboard reaches the Slack stand-in exactly once — also with one process killed
mid-week and restarted.

Each scheduled slot of the week is fired in two separate `claimbot jobs run NAME --at T` processes at the
same moment (what two instances' schedulers do at that time), each deciding and delivering. On the
Wednesday one of them is killed (SIGKILL) while it works, then started again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import activity, claims
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import Outbox, OwnershipEvent
from tests.e2e import SECRET, TOKEN, write_config

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 30, tzinfo=TZ)
DAILY = {"recycle": "02:00", "reminders": "09:00", "digest": "09:00", "leaderboard": "18:00"}


def seed(url: str) -> None:
    """Customers whose clocks run out, or come near it, during the week."""
    ctx = ServiceContext(make_engine(url), Settings(database_url=url, team=TeamSettings(managers=["U0MGR1"]),
                                                   claims=ClaimSettings(holding_cap=100, daily_claim_cap=100)))
    reps = ["U0ALICE", "U0BOB"]
    names = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Cyberdyne", "Tyrell",
             "Soylent", "Massive", "Vandelay", "Pied Piper", "Aperture", "Black Mesa", "Oscorp", "Gringotts",
             "长城汽车", "海康威视", "比亚迪", "美的集团", "格力电器", "顺丰控股"]
    for i, name in enumerate(names):
        claimed = MONDAY - timedelta(days=i % 12, hours=3)
        tier = "ABC"[i % 3]
        result = claims.claim(ctx, reps[i % 2], claims.ClaimRequest(name=name, tier=tier), claimed)
        assert result.outcome == "created", (name, result.outcome)
        if i % 4 == 0:  # some got a follow-up: their clock moves to the tier's follow-up timeout
            activity.log_followup(ctx, reps[i % 2], f"{name} | call: 电话沟通了需求和预算", claimed + timedelta(hours=1))
    for i, name in enumerate(["Northwind", "Contoso", "Fabrikam", "阿里云", "京东物流", "小红书"]):
        # claimed on Monday morning: reminded on Wednesday, recycled on Friday unless followed up
        claims.claim(ctx, reps[i % 2], claims.ClaimRequest(name=name), MONDAY + timedelta(hours=10))
    ctx.engine.dispose()


def jobs_run(env: dict[str, str], name: str, at: datetime) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs", "run", name, "--at", at.isoformat(),
                             "--deliver-seconds", "60"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.postgres
def test_two_processes_through_a_week_deliver_everything_exactly_once(postgres_url, standin, tmp_path):
    migrate.upgrade(postgres_url)
    seed(postgres_url)
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CLAIMBOT_CONFIG")},
           "DATABASE_URL": postgres_url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_BOT_TOKEN": TOKEN, "CLAIMBOT_CONFIG": str(write_config(tmp_path))}
    listed = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "list"], env=env, capture_output=True,
                            text=True, check=True).stdout
    daily = [(name, at) for name, at in DAILY.items() if name in listed]
    assert ("recycle", "02:00") in daily and ("reminders", "09:00") in daily
    standin.fail_next("chat.postMessage", 429, retry_after=1, times=3)  # Slack is slow now and then
    killed = False
    for day in range(7):
        for name, at in sorted(daily, key=lambda item: item[1]):
            hour, minute = map(int, at.split(":"))
            moment = (MONDAY + timedelta(days=day)).replace(hour=hour, minute=minute)
            first, second = jobs_run(env, name, moment), jobs_run(env, name, moment)
            if day == 2 and name == "reminders" and not killed:
                time.sleep(1.2)  # mid-run: deciding or delivering
                second.send_signal(signal.SIGKILL)
                second.wait()
                killed = True
                second = jobs_run(env, name, moment)  # the restarted instance
            for process in (first, second):
                _, err = process.communicate(timeout=120)
                assert process.returncode == 0, err
    assert killed
    engine = make_engine(postgres_url)
    try:
        with read_session(engine) as s:
            rows = s.exec(select(Outbox)).all()
            recycles = s.exec(select(OwnershipEvent).where(OwnershipEvent.kind == "recycle")).all()
    finally:
        engine.dispose()
    delivered = Counter(c.params["metadata"]["event_payload"]["key"]
                        for c in standin.calls_for("chat.postMessage", ok_only=True) if c.params.get("metadata"))
    assert {r.status for r in rows} == {"sent"}
    assert set(delivered) == {r.key for r in rows}
    assert all(n == 1 for n in delivered.values()), [k for k, n in delivered.items() if n > 1]
    kinds = Counter(r.kind for r in rows)
    assert kinds["recycled"] == len(recycles) > 0  # one notice per recycled customer
    assert kinds["reminder"] > 0
    for name in ("digest", "leaderboard"):
        if name in dict(daily):
            assert kinds[name] == 7, kinds
