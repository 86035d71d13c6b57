"""What Slack's delivery does to the app, end to end over signed HTTP into `claimbot serve`: an event
Slack delivers again (its retries 1–3) runs its listener once."""

from __future__ import annotations

import time

import pytest

from tests.e2e import served, write_config

ALICE = "U0ALICE"


@pytest.fixture
def bot(sqlite_url, standin, tmp_path):
    with served(sqlite_url, standin, write_config(tmp_path), scheduler=False) as b:
        yield b


def test_an_event_delivered_four_times_runs_its_listener_once(bot):
    opened = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home",
              "event_ts": "1765000000.000100"}
    answers = [bot.event(opened, event_id="Ev0RETRIED", retry=retry) for retry in range(4)]  # 0: the first
    assert [status for status, _ in answers] == [200, 200, 200, 200]

    bot.standin.wait_for(lambda c: c.method == "views.publish" and c.params.get("user_id") == ALICE, timeout=10)
    time.sleep(1.5)  # room for any second run to publish again
    assert [c.params["user_id"] for c in bot.standin.calls_for("views.publish")] == [ALICE]

    bot.event(opened)  # another opening (a new event_id) is a new event
    deadline = time.monotonic() + 10
    while len(bot.standin.calls_for("views.publish")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(bot.standin.calls_for("views.publish")) == 2
