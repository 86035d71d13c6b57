"""Ten concurrent 100 MB POSTs with bad signatures at `claimbot serve`: how much its peak memory grows.

    .venv/bin/python bench/bench_request_limits.py            # 10 × 100 MB
    .venv/bin/python bench/bench_request_limits.py --mb 20    # smaller bodies

Starts ``claimbot serve`` on an empty SQLite database (the Slack stand-in in a thread here), reads its
VmHWM (peak resident set) from /proc, sends the POSTs at once with tests/support/big_post.py (seven
declaring their Content-Length, three chunked), sends one real ``/claim`` meanwhile, then reads VmHWM
again. Target: growth under 20 MiB (issue 14; before the limits of docs/decisions/0022 it was ~500 MiB).
Results go to bench/out/request_limits.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.console.standin import SlackStandIn  # noqa: E402
from tests.e2e import served, text_of, write_config  # noqa: E402
from tests.support.big_post import Pushed, push_body  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_MIB = 20


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def run(mb: int, senders: int) -> dict[str, object]:
    directory = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    standin = SlackStandIn({}).start()
    try:
        with served(f"sqlite:///{directory}/claimbot.db", standin, write_config(directory, language="en")) as bot:
            assert bot.server.process is not None
            pid = bot.server.process.pid
            bot.command("U0BOB", "/claim", "Warm Up Limited")  # the claim path loaded before the first reading
            before = peak_kib(pid)
            pushed: list[Pushed] = []
            threads = [threading.Thread(target=lambda chunked=i >= senders - 3: pushed.append(
                push_body(bot.server.port, "/slack/events", mb << 20, chunked=chunked))) for i in range(senders)]
            started = time.monotonic()
            for t in threads:
                t.start()
            status, reply, claim_s = bot.command("U0BOB", "/claim", "Initech Limited")
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            after = peak_kib(pid)
    finally:
        standin.stop()
    growth = (after - before) / 1024
    return {
        "senders": senders, "body_mib": mb, "refused_413": sum(p.status == 413 for p in pushed),
        "max_body_mib_let_through": round(max(p.sent for p in pushed) / (1 << 20), 1),
        "peak_before_mib": round(before / 1024, 1), "peak_after_mib": round(after / 1024, 1),
        "growth_mib": round(growth, 1), "target_mib": TARGET_MIB, "met": growth < TARGET_MIB,
        "claim_answered": status == 200 and "claimed by you" in text_of(reply), "claim_s": round(claim_s, 3),
        "all_refused_s": round(elapsed, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--senders", type=int, default=10)
    args = parser.parse_args()
    result = run(args.mb, args.senders)
    OUT.mkdir(exist_ok=True)
    (OUT / "request_limits.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["refused_413"] == args.senders and result["claim_answered"] else 1


if __name__ == "__main__":
    sys.exit(main())
