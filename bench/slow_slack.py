"""Every answer inside Slack's 3 seconds however slow Slack is (issue 10).

Plays the console's shipped script (bot/console/demo.txt, through bot/console/session.py: the real app
over signed HTTP) twice: once with the Slack stand-in answering at once, once with every Web API call and
response URL post taking ``--latency`` seconds (5 by default). For the slow run it times the HTTP answer of
every slash command, button, form submission and ``app_home_opened``, and prints how many, the slowest,
the median and each one at 3 s or more. Then it proves the work after the answers still completed: once
the lazy listeners are idle and the outbox is flushed, the slow run made the same Web API calls (method and
recipient, as a multiset) as the quick one. ``users.info`` is left out of that comparison: with a 5 s Slack
it times out after 2 s, and the user reads the team language until it is asked again.

    .venv/bin/python bench/slow_slack.py                # 5 s per call: about three minutes
    .venv/bin/python bench/slow_slack.py --latency 1    # quicker

Writes bench/out/slow_slack.json; exits 1 if an answer took 3 s or more or the work differs.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path[:0] = [str(ROOT)]

from bot.app import lazy_work  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.console.session import DEMO_SCRIPT, Console  # noqa: E402
from bot.console.standin import ApiCall  # noqa: E402
from bot.slack.delivery import Dispatcher  # noqa: E402

LIMIT_S = 3.0
NOT_COMPARED = {"users.info", "auth.test"}


def play(db: Path, latency: float) -> tuple[list[tuple[str, float]], list[ApiCall], float]:
    """(answer times, every Web API call, seconds until the work after the last answer was done)."""
    console = Console(Settings(database_url=f"sqlite:///{db}"), io.StringIO()).start()
    try:
        console.standin.set_latency(latency)
        for line in DEMO_SCRIPT.read_text(encoding="utf-8").splitlines():
            console.handle(line)
        started = time.monotonic()
        assert lazy_work(console._app).wait_idle(timeout=600), "lazy listeners still running after 10 minutes"
        Dispatcher(console._ctx).flush(max_seconds=600)
        return console.answer_times, console.standin.calls, time.monotonic() - started
    finally:
        console.stop()


def work(calls: list[ApiCall]) -> Counter[tuple[str, str]]:
    """What was done, without the order: (method, recipient) of each call."""
    def recipient(c: ApiCall) -> str:
        p = c.params
        return "" if c.method == "response_url" else str(p.get("channel") or p.get("user_id") or p.get("view_id") or "")

    return Counter((c.method, recipient(c)) for c in calls if c.method not in NOT_COMPARED)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=5.0, help="seconds per Web API call (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        _, quick_calls, _ = play(Path(tmp) / "quick.db", 0.0)
        times, slow_calls, drain_s = play(Path(tmp) / "slow.db", args.latency)
        total_s = time.monotonic() - started
    seconds = sorted(s for _, s in times)
    late = [(line, s) for line, s in times if s >= LIMIT_S]
    quick, slow = work(quick_calls), work(slow_calls)
    missing, extra = quick - slow, slow - quick
    result: dict[str, Any] = {
        "latency_s": args.latency, "requests": len(times), "max_s": round(seconds[-1], 3),
        "p50_s": round(statistics.median(seconds), 3), "at_or_over_3s": [[line, round(s, 3)] for line, s in late],
        "web_api_calls": {"quick": sum(quick.values()), "slow": sum(slow.values())},
        "missing_in_slow_run": [list(k) for k in missing.elements()], "extra_in_slow_run": [list(k) for k in extra.elements()],
        "drain_after_last_answer_s": round(drain_s, 1), "total_s": round(total_s, 1),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "slow_slack.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"Slack answering every Web API call after {args.latency:g} s: {len(times)} HTTP answers, "
          f"max {seconds[-1]:.2f} s, p50 {statistics.median(seconds):.2f} s")
    for line, s in late:
        print(f"  ≥ {LIMIT_S:g} s: {s:.2f} s  {line}")
    print(f"work after the answers: {sum(slow.values())} Web API calls (quick run {sum(quick.values())}), "
          f"{'the same' if not missing and not extra else f'{len(list(missing.elements()))} missing, {len(list(extra.elements()))} extra'}; "
          f"drained {drain_s:.1f} s after the last answer")
    return 0 if not late and not missing and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
