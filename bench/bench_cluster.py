"""`/claim` through deploy/haproxy.cfg at saturation with 1, 2 and 3 instances on PostgreSQL, next to
pgbench on the same database in the same run; then a burst of 200 reps in 10 s through two instances.

    .venv/bin/python bench/bench_cluster.py                  # 100,000 customers, 900 requests per size
    .venv/bin/python bench/bench_cluster.py --n 5000 --requests 300

The customers are bench_claim_http's database (cached SQLite, built if missing), copied into a throwaway
PostgreSQL cluster (tests/support/pg.py: fsync off, as for the tests — the same for pgbench) migrated with
``storage.migrate``. For each size, that many ``claimbot serve --no-scheduler`` processes run behind HAProxy
with deploy/haproxy.cfg as shipped (tests/support/cluster.py), each with its name index loaded; ``--clients``
threads here send bench_claim_http's mix of /claim requests back to back through the balancer (a new
connection each, as Slack does). Claims per second = answered requests / wall time; p99 from each request's
time. Then pgbench's TPC-B-like and select-only runs with the same number of clients on the same database:
what the database alone does, the floor no app on it can beat.

The burst: 200 reps never seen before, one every 50 ms (10 s), each opening their Home tab (an
``app_home_opened`` event) and then sending a /claim; errors = a non-200 or an error reply. The Slack Web
API is the local stand-in, in a thread here. Results go to bench/out/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_claim_http import (  # noqa: E402
    OUT,
    SECRET,
    TOKEN,
    Planner,
    Request,
    body_of,
    ensure_db,
    load,
    machine,
    outcome_of,
    plan_claims,
    quantiles,
    send,
    standin_users,
    wait_for_name_index,
)
from sqlalchemy import Integer, MetaData, select, text  # noqa: E402

from bot.console.standin import SlackStandIn  # noqa: E402
from storage import migrate  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from tests.support.cluster import Cluster  # noqa: E402
from tests.support.pg import SUPERUSER, PostgresCluster  # noqa: E402
from tests.support.signing import event_body, sign, slash_command_body  # noqa: E402

ERRORS = ("internal", "database_unavailable", "database_full", "not-json", "unknown")
BURST_REPS, BURST_SECONDS = 200, 10.0


def copy_into_postgres(sqlite_path: Path, url: str) -> dict[str, int]:
    """Every table of the SQLite bench database, row for row, into a migrated PostgreSQL database."""
    import psycopg

    migrate.upgrade(url)
    source = make_engine(f"sqlite:///{sqlite_path}")
    target = make_engine(url)
    tables = MetaData()
    tables.reflect(target)
    counts = {}
    raw = target.raw_connection()
    try:
        assert isinstance(raw.driver_connection, psycopg.Connection)
        conn: psycopg.Connection[Any] = raw.driver_connection
        for table in tables.sorted_tables:
            if table.name == "alembic_version":
                continue
            names = [c.name for c in table.columns]
            with source.connect() as read:
                have = {r[1] for r in read.exec_driver_sql(f"PRAGMA table_info({table.name})")}
                if not have:
                    continue
                src = MetaData()
                src.reflect(source, only=[table.name])
                rows = read.execute(select(*[src.tables[table.name].c[n] for n in names if n in have]))
                columns = [n for n in names if n in have]
                with conn.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    n = 0
                    for row in rows:
                        copy.write_row(tuple(row))
                        n += 1
            counts[table.name] = n
            if "id" in names and n and isinstance(table.c.id.type, Integer):
                with conn.cursor() as cur:
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"(SELECT max(id) FROM {table.name}))")
        conn.commit()
    finally:
        raw.close()
    with target.connect() as c:
        c.execute(text("ANALYZE"))
        c.commit()
    source.dispose()
    target.dispose()
    return counts


def saturate(url: str, requests: list[Request], standin: SlackStandIn, clients: int) -> dict[str, Any]:
    """``requests`` sent by ``clients`` threads back to back; throughput, latencies and outcomes."""
    queue = list(reversed(requests))
    lock = threading.Lock()
    seconds: list[float] = []
    outcomes: Counter[str] = Counter()

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                req = queue.pop()
            elapsed, status, reply = send(url, body_of(req, standin))
            with lock:
                seconds.append(elapsed)
                outcomes[outcome_of(reply) if status == 200 else f"http_{status}"] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    errors = sum(n for o, n in outcomes.items() if o in ERRORS or o.startswith("http_"))
    return {"requests": len(seconds), "wall_s": round(wall, 2), "claims_per_s": round(len(seconds) / wall, 1),
            "latency": {k: round(v, 1) for k, v in quantiles(seconds).items()}, "errors": errors,
            "outcomes": dict(outcomes)}


def pgbench(cluster: PostgresCluster, database: str, clients: int, seconds: int) -> dict[str, float]:
    assert cluster.bindir is not None and cluster.port is not None
    binary = str(cluster.bindir / "pgbench")
    where = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", SUPERUSER]
    subprocess.run([binary, *where, "-i", "-q", "-s", "10", database], check=True, capture_output=True)
    out = {}
    for label, extra in (("tpcb", []), ("select_only", ["-S"])):
        run = subprocess.run([binary, *where, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), *extra,
                              database], check=True, capture_output=True, text=True)
        found = re.search(r"tps = ([\d.]+)", run.stdout)
        assert found, run.stdout
        out[f"{label}_tps"] = round(float(found.group(1)), 1)
    return out


def burst(url: str, standin: SlackStandIn, names: list[str]) -> dict[str, Any]:
    """BURST_REPS new reps, one every BURST_SECONDS / BURST_REPS: a Home open, then a /claim."""
    home_s: list[float] = []
    claim_s: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()

    def rep(i: int) -> None:
        user = f"UR{i:06d}"
        event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                 "event_ts": f"{time.time():.6f}"}
        body = event_body(event, event_id=f"Ev{uuid.uuid4().hex[:12]}")
        elapsed, status, _ = send_json(url, body)
        with lock:
            home_s.append(elapsed)
            if status != 200:
                problems.append(f"home {user}: {status}")
        claim = slash_command_body("/claim", names[i], user_id=user, user_name=user.lower(),
                                   response_url=standin.response_url(uuid.uuid4().hex))
        elapsed, status, reply = send(url, claim)
        outcome = outcome_of(reply) if status == 200 else f"http_{status}"
        with lock:
            claim_s.append(elapsed)
            if outcome in ERRORS or outcome.startswith("http_"):
                problems.append(f"claim {user}: {outcome}")

    threads = []
    started = time.perf_counter()
    for i in range(BURST_REPS):
        time.sleep(max(0.0, started + i * BURST_SECONDS / BURST_REPS - time.perf_counter()))
        t = threading.Thread(target=rep, args=(i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    every = home_s + claim_s
    return {"reps": BURST_REPS, "seconds": BURST_SECONDS, "requests": len(every), "errors": len(problems),
            "problems": problems[:10], "p99_ms": round(quantiles(every)["p99_ms"], 1),
            "home_p99_ms": round(quantiles(home_s)["p99_ms"], 1),
            "claim_p99_ms": round(quantiles(claim_s)["p99_ms"], 1),
            "max_ms": round(max(every) * 1000, 1)}


def send_json(url: str, body: str) -> tuple[float, int, str]:
    from tests.support.signing import post

    headers = {**sign(body, SECRET), "Content-Type": "application/json"}
    started = time.perf_counter()
    status, reply = post(url, body, headers, timeout=60)
    return time.perf_counter() - started, status, reply


def run(n: int, seed: int, per_size: int, clients: int, sizes: list[int], pgbench_s: int) -> dict[str, Any]:
    base, build = ensure_db(n, seed)
    stored = load(base)
    planner = Planner(base, stored, seed)
    warm, measured = plan_claims(planner, 30, per_size * len(sizes))
    burst_names = [planner.request("created").text for _ in range(BURST_REPS)]
    planner.close()
    users = stored.reps + [f"UR{i:06d}" for i in range(BURST_REPS)]
    standin = SlackStandIn(standin_users(users), token=TOKEN).start()
    result: dict[str, Any] = {"n": n, "seed": seed, "clients": clients, "requests_per_size": per_size,
                              "machine": machine(), "database_build": build, "sizes": {},
                              "load_average_at_start": os.getloadavg()}
    with PostgresCluster() as pg:
        url = pg.create_database("bench")
        started = time.perf_counter()
        result["copied_rows"] = copy_into_postgres(base, url)
        result["copy_s"] = round(time.perf_counter() - started, 1)
        env = {"DATABASE_URL": url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_BOT_TOKEN": TOKEN,
               # the mix's writers claim more than a day's cap in a run: no cap refusals muddle the rate
               "CLAIMBOT_CLAIMS__DAILY_CLAIM_CAP": "1000000", "CLAIMBOT_CLAIMS__HOLDING_CAP": "1000000"}
        for k, size in enumerate(sizes):
            with Cluster(env, size, extra_args=["--no-scheduler"]) as cluster:
                for instance in cluster.instances:
                    wait_for_name_index(instance)
                for req in warm:  # every instance has seen every bench user (users.info asked once each)
                    send(cluster.url, body_of(req, standin))
                chunk = measured[k * per_size:(k + 1) * per_size]
                result["sizes"][str(size)] = saturate(cluster.url, chunk, standin, clients)
                print(f"{size} instance(s): {result['sizes'][str(size)]}", flush=True)
                if size == 2:
                    result["burst"] = burst(cluster.url, standin, burst_names)
                    print(f"burst: {result['burst']}", flush=True)
        result["pgbench"] = pgbench(pg, "bench", clients, pgbench_s)
        print(f"pgbench: {result['pgbench']}", flush=True)
    result["load_average_at_end"] = os.getloadavg()  # other work on the machine shares its cores
    standin.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=900, help="measured /claim requests per size")
    parser.add_argument("--clients", type=int, default=12, help="concurrent clients (and pgbench clients)")
    parser.add_argument("--sizes", default="1,2,3")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result = run(args.n, args.seed, args.requests, args.clients, sizes, args.pgbench_seconds)
    OUT.mkdir(exist_ok=True)
    (OUT / "cluster.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    failed = any(s["errors"] for s in result["sizes"].values()) or result.get("burst", {}).get("errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
