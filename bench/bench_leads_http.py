"""Leads through `POST /leads` against `/claim` of the same run, with N customers stored (issue 11).

    .venv/bin/python bench/bench_leads_http.py                      # 100,000 customers, SQLite, 200 measured
    .venv/bin/python bench/bench_leads_http.py --n 5000 --measured 60
    .venv/bin/python bench/bench_leads_http.py --postgres URL       # the same customers copied to PostgreSQL
    .venv/bin/python bench/bench_leads_http.py --postgres auto      # … on a throwaway local cluster

One `claimbot serve --no-scheduler` on a fresh copy of bench_claim_http's cached database (N customers, a
quarter owned), the Slack Web API being the local stand-in in a thread here. The outbox is delivered by a
thread here every second, as the scheduler's outbox job does (`Dispatcher.flush`, same settings): with the
scheduler itself, its start-up catch-up would queue reminders for a quarter of the customers ahead of the
offers, and the DM times would measure that backlog. Twelve reps (who own nothing yet) share new leads by one
round-robin rule. Each measured step sends, in alternating order and each after the same idle pause, one
lead for a company nobody has seen (JSON, with an external_id) to `/leads/bench` and one `/claim` of
another new company by a bench rep: the floor is the `/claim` of the same run, which creates and claims a
customer in one transaction as a lead creates and offers one. Reported: each request's latency, the leads
per second and claims per second one client gets (1 / median), their ratio, and a burst of leads from 4
clients at once against a burst of claims. And for every measured lead, the time from sending it to the
stand-in receiving the offer's DM (`chat.postMessage` to the rep): its p50 and p99 (the outbox is polled
every `outbox_every_seconds`, so this includes up to a second of waiting). Every answer is checked (201
offered, the DM to the rep the answer named). Results go to bench/out/leads_http.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_claim_http import (  # noqa: E402  (bench/ is on the path of its scripts)
    LOCAL,
    OUT,
    SECRET,
    TOKEN,
    cpu_seconds,
    ensure_db,
    load,
    machine,
    problems_in,
    quantiles,
    remove_db,
    send,
    serve_env,
    standin_users,
    wait_for_name_index,
    working_copy,
)
from names_corpus import company_names  # noqa: E402

from bot.console.standin import SlackStandIn  # noqa: E402
from bot.views.text import escape  # noqa: E402
from tests.support.server import ServeProcess  # noqa: E402
from tests.support.signing import post, slash_command_body  # noqa: E402

LEAD_TOKEN = "bench-lead-token-0123456789abcdef"
REPS = [f"U0LEAD{i:02d}" for i in range(1, 13)]
CLAIMERS = [f"U0CLM{i:02d}" for i in range(1, 5)]
CONFIG = """
[team]
timezone = "Asia/Shanghai"
language = "en"

[claims]
daily_claim_cap = 100000
holding_cap = 100000

[schedule]
outbox_every_seconds = 1

[leads]
hours = "00:00-24:00"

[intake]
per_minute = 100000

[[allocation.rules]]
name = "bench"
reps = [{reps}]
"""


def fresh_names(seed: int, taken: set[str], count: int) -> list[str]:
    """Company names nobody has stored (the generator runs on past the stored ones)."""
    out, names = [], company_names(seed + 7919)
    while len(out) < count:
        name = f"{next(names)} {len(out):05d}号"
        if name not in taken:
            out.append(name)
    return out


def send_lead(base_url: str, name: str) -> tuple[float, int, dict[str, Any], float]:
    """(seconds, status, answer, the wall-clock time it was sent)."""
    body = json.dumps({"name": name, "external_id": f"bench-{uuid.uuid4().hex}", "contact": "Bench"},
                      ensure_ascii=False)
    sent_at = time.time()
    started = time.perf_counter()
    status, answer = post(f"{base_url}/leads/bench", body,
                          {"Authorization": f"Bearer {LEAD_TOKEN}", "Content-Type": "application/json"}, timeout=60)
    return time.perf_counter() - started, status, json.loads(answer) if answer.startswith("{") else {}, sent_at


def send_claim(server: ServeProcess, standin: SlackStandIn, user: str, name: str) -> tuple[float, int, str]:
    body = slash_command_body("/claim", name, user_id=user, user_name=user.lower(),
                              response_url=standin.response_url(uuid.uuid4().hex))
    return send(server.url, body)


def run(n: int, seed: int, warmup: int, measured: int, pause: float, burst: int,
        postgres: str | None) -> dict[str, Any]:
    base, build = ensure_db(n, seed)
    stored = load(base)
    names = fresh_names(seed, set(stored.names), 2 * (warmup + measured + burst))
    standin = SlackStandIn(standin_users([*stored.reps, *REPS, *CLAIMERS]), token=TOKEN).start()
    config = OUT / "leads_http.toml"
    config.write_text(CONFIG.format(reps=", ".join(f'"{r}"' for r in REPS)), encoding="utf-8")
    work = working_copy(base, "leads_http_work.db")
    url = postgres or f"sqlite:///{work}"
    if postgres:
        copy_to_postgres(work, postgres)
    env = {**serve_env(url, standin), "CLAIMBOT_CONFIG": str(config), "CLAIMBOT_LEAD_TOKEN_BENCH": LEAD_TOKEN}
    server = ServeProcess(env, extra_args=[*LOCAL, "--no-scheduler"])
    delivering = threading.Event()
    deliverer = threading.Thread(target=deliver_every_second, args=(url, standin, delivering), daemon=True)
    samples: dict[str, list[float]] = {"lead": [], "claim": []}
    sent: dict[str, tuple[float, str]] = {}  # lead name → (sent at, rep offered)
    wrong: list[str] = []
    try:
        server.start()
        wait_for_name_index(server)
        deliverer.start()
        pid = server.process.pid  # type: ignore[union-attr]
        names_iter = iter(names)
        for phase, count in (("warm-up", warmup), ("measured", measured)):
            cpu = cpu_seconds(pid)
            for i in range(count):
                lead_name, claim_name = next(names_iter), next(names_iter)
                user = CLAIMERS[i % len(CLAIMERS)]
                for kind in (("lead", "claim") if i % 2 == 0 else ("claim", "lead")):
                    time.sleep(pause)
                    if kind == "lead":
                        elapsed, status, answer, at = send_lead(server.base_url, lead_name)
                        if status != 201 or answer.get("status") != "offered":
                            wrong.append(f"lead {lead_name}: {status} {answer}")
                        elif phase == "measured":
                            sent[lead_name] = (at, answer["offered_to"])
                    else:
                        elapsed, status, reply = send_claim(server, standin, user, claim_name)
                        if status != 200 or "C-" not in reply:
                            wrong.append(f"claim {claim_name}: {status} {reply[:200]}")
                    if phase == "measured":
                        samples[kind].append(elapsed)
            if phase == "measured":
                cpu_ms = (cpu_seconds(pid) - cpu) * 1000 / (2 * count)
        bursts = {kind: burst_rate(server, standin, kind, [next(names_iter) for _ in range(burst)])
                  for kind in ("lead", "claim")}
        to_dm = wait_for_dms(standin, sent, timeout=60)
    finally:
        delivering.set()
        if deliverer.is_alive():
            deliverer.join(timeout=10)
        server.stop()
        standin.stop()
        remove_db(work)
    stats = {kind: quantiles(s) for kind, s in samples.items()}
    per_second = {kind: 1000 / stats[kind]["median_ms"] for kind in stats}
    missing = [name for name in sent if name not in to_dm]
    dm = sorted(to_dm.values())
    return {
        "benchmark": "leads_http", "n": n, "database": "postgresql" if postgres else "sqlite",
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "build": build,
        "load_average_1m": os.getloadavg()[0], "pause_s": pause, "warmup": warmup, "measured": measured,
        "timings": stats, "per_second_one_client": per_second,
        "ratio_leads_to_claims_per_second": per_second["lead"] / per_second["claim"],
        "burst": bursts, "ratio_burst": bursts["lead"]["per_second"] / bursts["claim"]["per_second"],
        "server_cpu_ms_per_request": cpu_ms,
        "arrival_to_offer_dm": quantiles(dm) if dm else None, "dm_missing": missing[:10],
        "unexpected": wrong[:10], "server_log_problems": problems_in(server.stderr()),
    }


def deliver_every_second(url: str, standin: SlackStandIn, stop: threading.Event) -> None:
    """The scheduler's outbox job, here: ``Dispatcher.flush`` every second until ``stop``."""
    from bot.bootstrap import context
    from bot.config import Settings
    from bot.slack.delivery import Dispatcher

    settings = Settings(database_url=url, slack_api_url=standin.api_url, slack_bot_token=TOKEN,
                        slack_signing_secret=SECRET)
    dispatcher = Dispatcher(context(settings))
    while not stop.wait(1.0):
        dispatcher.flush(max_seconds=0.9, wait_for_retries=False)


def burst_rate(server: ServeProcess, standin: SlackStandIn, kind: str, names: list[str]) -> dict[str, float]:
    """``len(names)`` requests from 4 clients at once: requests per second, and the failures."""
    failures = []
    lock = threading.Lock()

    def one(i_name: tuple[int, str]) -> None:
        i, name = i_name
        if kind == "lead":
            _, status, _answer, _ = send_lead(server.base_url, name)
            ok = status == 201
        else:
            _, status, reply = send_claim(server, standin, CLAIMERS[i % len(CLAIMERS)], name)
            ok = status == 200 and "C-" in reply
        if not ok:
            with lock:
                failures.append(name)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, enumerate(names)))
    elapsed = time.perf_counter() - started
    return {"requests": len(names), "seconds": elapsed, "per_second": len(names) / elapsed, "failed": len(failures)}


def wait_for_dms(standin: SlackStandIn, sent: dict[str, tuple[float, str]], timeout: float) -> dict[str, float]:
    """Seconds from sending each lead to the stand-in receiving its offer DM (to the rep the answer named)."""
    deadline = time.monotonic() + timeout
    found: dict[str, float] = {}
    while time.monotonic() < deadline:
        for call in standin.calls_for("chat.postMessage"):
            text = str(call.params.get("text") or "")
            for name, (at, rep) in sent.items():
                if name not in found and escape(name) in text and call.params.get("channel") in (rep, "D" + rep[1:]):
                    found[name] = call.at - at
        if len(found) == len(sent):
            break
        time.sleep(0.5)
    return found


def copy_to_postgres(sqlite_path: Path, url: str) -> None:
    """The cached customers into an empty PostgreSQL database (migrated first), table by table."""
    import sqlite3

    from sqlalchemy import MetaData, create_engine, insert, text

    from storage import migrate

    migrate.upgrade(url)
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    source = sqlite3.connect(sqlite_path)
    with engine.begin() as conn:
        for name in ("rep", "customer", "name_gram", "ownership", "ownership_event", "followup", "stage_change"):
            table = meta.tables[name]
            columns = [c.name for c in table.columns]
            rows = source.execute(f"SELECT {', '.join(columns)} FROM {name}")
            while batch := rows.fetchmany(5000):
                conn.execute(insert(table), [dict(zip(columns, _pg_values(table, row), strict=True)) for row in batch])
        for name in ("customer", "ownership", "ownership_event", "followup", "stage_change"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
    source.close()
    engine.dispose()


def _pg_values(table: Any, row: tuple[Any, ...]) -> list[Any]:
    """SQLite's text dates and 0/1 booleans as PostgreSQL takes them."""
    out = []
    for column, value in zip(table.columns, row, strict=True):
        kind = column.type.python_type if hasattr(column.type, "python_type") else str
        if value is not None and kind is bool:
            value = bool(value)
        elif isinstance(value, str) and kind in (datetime,):
            value = datetime.fromisoformat(value).replace(tzinfo=UTC)
        elif isinstance(value, str) and kind.__name__ == "date":
            value = datetime.fromisoformat(value).date()
        out.append(value)
    return out


def report(r: dict[str, Any]) -> None:
    t = r["timings"]
    print(f"\nleads through POST /leads vs /claim, {r['n']:,} customers stored, {r['database']}, "
          f"{r['measured']} measured each ({r['machine']})")
    for kind in ("lead", "claim"):
        print(f"  {kind:5s}: median {t[kind]['median_ms']:.1f} ms · p90 {t[kind]['p90_ms']:.1f} · "
              f"p99 {t[kind]['p99_ms']:.1f} → {r['per_second_one_client'][kind]:.0f}/s one client")
    print(f"  leads/s ÷ claims/s (one client): {r['ratio_leads_to_claims_per_second']:.2f}")
    b = r["burst"]
    print(f"  4 clients at once: leads {b['lead']['per_second']:.0f}/s, claims {b['claim']['per_second']:.0f}/s "
          f"→ ratio {r['ratio_burst']:.2f}")
    dm = r["arrival_to_offer_dm"]
    if dm:
        print(f"  arrival → offer DM sent: median {dm['median_ms']:.0f} ms · p99 {dm['p99_ms']:.0f} ms "
              f"(outbox polled every second)")
    for key in ("dm_missing", "unexpected", "server_log_problems"):
        if r[key]:
            print(f"  {key}: {r[key]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="customers stored (default 100,000)")
    parser.add_argument("--measured", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.05)
    parser.add_argument("--burst", type=int, default=200, help="requests of each kind from 4 clients at once")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="a postgresql+psycopg:// URL of an empty database to run on instead, "
                                           "or `auto` for a throwaway cluster (PostgreSQL binaries installed)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    cluster = None
    if args.postgres == "auto":  # a throwaway cluster, as the tests start one
        from tests.support.pg import PostgresCluster

        cluster = PostgresCluster().start()
        args.postgres = cluster.create_database("leads_bench")
    try:
        result = run(args.n, args.seed, args.warmup, args.measured, args.pause, args.burst, args.postgres)
    finally:
        if cluster is not None:
            cluster.stop()
    report(result)
    name = "leads_http_pg.json" if args.postgres else "leads_http.json"
    (OUT / name).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if not result["unexpected"] and not result["dm_missing"] else 1


if __name__ == "__main__":
    sys.exit(main())
