"""The server's peak memory with N stored customers (default 1,000,000), next to an idle server's.

    .venv/bin/python bench/bench_memory.py                 # 1,000,000 customers (the database is cached)
    .venv/bin/python bench/bench_memory.py --n 20000

Starts ``claimbot serve`` (a separate process, with its scheduled jobs as deployed unless
``--no-scheduler``; Slack Web API = the local stand-in) first on an empty
database, then on a fresh copy of the cached database of N customers built by
bench/bench_claim_http.py, drives ~200 mixed requests (/claim of every kind, /customer by name, near
miss and short id, /mine) and reads the process's resident set from /proc/PID/status: VmRSS after
start-up and VmHWM (the peak) after the requests. Results go to bench/out/memory.json.

``--instances 2``: as deployed on one host (deploy/), that many servers on the same database, the requests
shared out in turn; each one's peak is reported against the target of 250 MiB per instance (issue 14).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_claim_http import (
    EXPECT,
    LOCAL,
    OUT,
    TOKEN,
    Planner,
    body_of,
    ensure_db,
    load,
    machine,
    outcome_of,
    plan_claims,
    problems_in,
    proc_status,
    quantiles,
    remove_db,
    send,
    serve_env,
    standin_users,
    wait_for_name_index,
    working_copy,
)

from bot.console.standin import SlackStandIn
from tests.support.server import ServeProcess


def mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def idle_empty(standin: SlackStandIn, scheduler: bool) -> dict[str, float | None]:
    """A server on an empty (self-migrated) database, after start-up and one /healthz."""
    path = OUT / "memory_empty.db"
    remove_db(path)
    with ServeProcess(serve_env(f"sqlite:///{path}", standin),
                      extra_args=LOCAL + ([] if scheduler else ["--no-scheduler"])) as server:
        assert server.process is not None
        time.sleep(1.0)  # let start-up settle
        status = proc_status(server.process.pid)
    return {"rss_mib": mib(status.get("VmRSS")), "peak_mib": mib(status.get("VmHWM"))}


TARGET_PER_INSTANCE_MIB = 250


def others_on_host(n: int, env: dict[str, str], scheduler: bool) -> list[ServeProcess]:
    """The second and later instances on the same database (each loads its own name index)."""
    return [ServeProcess(env, extra_args=LOCAL + ([] if scheduler else ["--no-scheduler"]), startup_timeout=120)
            for _ in range(n)]


def run(n: int, seed: int, count: int, scheduler: bool = True, instances: int = 1) -> dict[str, Any]:
    base, build = ensure_db(n, seed)
    print(f"database: {base.name} ({'cached' if build['cached'] else 'built'}; {build})", flush=True)
    stored = load(base)
    planner = Planner(base, stored, seed)
    claims = count // 2
    warm, plan = plan_claims(planner, 0, claims - len(stored.bench_users))
    rng = random.Random(seed + 5)
    others = [planner.customer_query() if rng.random() < 0.6 else planner.mine() for _ in range(count - claims)]
    planner.close()
    requests = warm + plan + others
    rng.shuffle(requests)
    users = stored.reps
    del stored, planner  # the names: this process stays small (its memory is not measured, but shares the machine)

    work = working_copy(base, "memory_work.db")
    standin = SlackStandIn(standin_users(users), token=TOKEN).start()
    try:
        empty = idle_empty(standin, scheduler)
        server = ServeProcess(serve_env(f"sqlite:///{work}", standin),
                              extra_args=LOCAL + ([] if scheduler else ["--no-scheduler"]), startup_timeout=120)
        more = others_on_host(instances - 1, serve_env(f"sqlite:///{work}", standin), scheduler)
        with server, contextlib.ExitStack() as stack:
            for other in more:
                stack.enter_context(other)
            assert server.process is not None
            pid = server.process.pid
            index_wait_s = wait_for_name_index(server)
            for other in more:
                wait_for_name_index(other)
            time.sleep(1.0)
            started = proc_status(pid)
            timings: dict[str, list[float]] = {}
            outcomes: Counter[str] = Counter()
            wrong = []
            samples: list[int] = []
            steps = []  # (KiB the resident set grew by during a request, the request)
            targets = [server, *more]
            for i, req in enumerate(requests):
                elapsed, status, reply = send(targets[i % len(targets)].url, body_of(req, standin))
                if status != 200:
                    raise RuntimeError(f"HTTP {status} for {req}: {reply[:300]}")
                timings.setdefault(req.command, []).append(elapsed)
                got = outcome_of(reply)
                outcomes[got] += 1
                if got != EXPECT[req.kind]:
                    wrong.append({"kind": req.kind, "text": req.text, "expected": EXPECT[req.kind], "got": got})
                rss = proc_status(pid).get("VmRSS", 0)
                steps.append((rss - (samples[-1] if samples else started.get("VmRSS", 0)), req))
                samples.append(rss)
            after = proc_status(pid)
            peaks = [mib(proc_status(s.process.pid).get("VmHWM")) for s in targets if s.process is not None]
            problems = problems_in(server.stderr())
            jobs = [line.split(": ", 1)[-1] for line in server.stderr().splitlines() if "bot.scheduler:" in line]
    finally:
        standin.stop()
        remove_db(work)
        remove_db(OUT / "memory_empty.db")
    return {
        "benchmark": "memory", "n": n, "seed": seed, "requests": len(requests),
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "build": build,
        "database_mib": round(base.stat().st_size / 2**20, 1),
        "idle_empty_db": empty,
        "instances": instances, "peak_mib_per_instance": peaks, "target_per_instance_mib": TARGET_PER_INSTANCE_MIB,
        "name_index_load_s": round(index_wait_s, 1),
        "loaded_db": {"rss_after_start_mib": mib(started.get("VmRSS")), "rss_after_requests_mib": mib(after.get("VmRSS")),
                      "peak_mib": mib(after.get("VmHWM")), "max_sampled_rss_mib": mib(max(samples))},
        "largest_rss_steps": [  # which requests grew the resident set most (background jobs grow it too)
            {"mib": mib(kib), "command": req.command, "kind": req.kind, "text": req.text}
            for kib, req in sorted(steps, key=lambda step: -step[0])[:5]],
        "timings": {command: quantiles(v) for command, v in timings.items()},
        "outcomes": dict(outcomes), "unexpected_replies": wrong, "server_log_problems": problems,
        "scheduler": scheduler, "scheduler_log": jobs, "web_api_calls": dict(Counter(c.method for c in standin.calls)),
    }


def report(r: dict[str, Any]) -> None:
    loaded, empty = r["loaded_db"], r["idle_empty_db"]
    print(f"\nclaimbot serve memory: {r['n']:,} customers ({r['database_mib']} MiB database), {r['requests']} requests")
    print(f"{'server':<40}{'RSS MiB':>10}{'peak MiB':>10}")
    print(f"{'idle, empty database':<40}{empty['rss_mib']:>10}{empty['peak_mib']:>10}")
    print(f"{'after start-up, loaded database':<40}{loaded['rss_after_start_mib']:>10}{'':>10}"
          f"  (in-memory name index loaded {r['name_index_load_s']} s after /healthz)")
    print(f"{'after the requests, loaded database':<40}{loaded['rss_after_requests_mib']:>10}{loaded['peak_mib']:>10}")
    print(f"\n{'command':<12}{'count':>6}{'median ms':>11}{'p90 ms':>10}{'max ms':>10}")
    for command, t in r["timings"].items():
        print(f"{command:<12}{t['n']:>6}{t['median_ms']:>11.2f}{t['p90_ms']:>10.2f}{t['max_ms']:>10.2f}")
    print(f"replies: {r['outcomes']}")
    print(f"{r['instances']} instance(s) on the host, peak MiB each: {r['peak_mib_per_instance']} "
          f"(target ≤ {r['target_per_instance_mib']} MiB each)")
    print("largest RSS steps: " + "; ".join(f"+{x['mib']} MiB {x['command']} ({x['kind']})" for x in r["largest_rss_steps"]))
    print(f"scheduler {'on' if r['scheduler'] else 'off'}: {r['scheduler_log'][:6]}; Web API calls: {r['web_api_calls']}")
    if r["unexpected_replies"]:
        print(f"UNEXPECTED REPLIES: {len(r['unexpected_replies'])}, e.g. {r['unexpected_replies'][:3]}")
    if r["server_log_problems"]:
        print(f"server log: {len(r['server_log_problems'])} warning/error lines, e.g. {r['server_log_problems'][:3]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="customers stored (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-scheduler", action="store_true", help="run claimbot serve without its jobs")
    parser.add_argument("--instances", type=int, default=1, help="servers on the same database (one host)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    result = run(args.n, args.seed, args.requests, scheduler=not args.no_scheduler, instances=args.instances)
    report(result)
    (OUT / "memory.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
