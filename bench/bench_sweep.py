"""The recycle and reminder sweeps cost what is due, not what exists (PRODUCT 3.2, issue 4).

Done when: with 1,000 due, the sweep over 1,000,000 active ownerships takes at most 2× the sweep over
10,000.

    .venv/bin/python bench/bench_sweep.py            # 10,000 vs 1,000,000 active ownerships
    .venv/bin/python bench/bench_sweep.py --small    # 10,000 vs 100,000 (CI size)

Each size gets a SQLite database (cached in bench/out/, keyed by N and the migrations): N customers,
each with one active ownership and its last follow-up, plus N/2 ended ownerships (history: released
or recycled, deadlines in the past), the clock rules recorded as version 1 and refreshed. Exactly
1,000 are due for recycling today (deadline yesterday) and 1,000 for a reminder today (500 seven days
before their deadline, 500 one day before); every other deadline lies between 2 and 45 days ahead
(never 1 or 7), and one follow-up in ten has a next-contact day in the future. Every repetition works
on a fresh copy of the file, so the same 2,000 are due each time; one repetition times
``recycle_due`` at 02:00 and ``remind_due`` at 09:00 local time (with their outbox inserts, each
decision its own transaction, as in production) and checks that exactly 1,000 were recycled, none
"refreshed", and 1,000 reminders decided. Sizes alternate, so drift on the machine hits both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path[:0] = [str(ROOT), str(BENCH)]

from bench_claim_http import _binder, _insert, machine, remove_db  # noqa: E402
from names_corpus import company_names  # noqa: E402

from bot.config import Settings, TeamSettings  # noqa: E402
from bot.services import rule_versions, sweeps  # noqa: E402
from bot.services.context import ServiceContext  # noqa: E402
from storage import migrate  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from storage.models import (  # noqa: E402
    ClockRuleVersion,
    Customer,
    FollowUp,
    Outbox,
    Ownership,
    ProtectionRefresh,
    Rep,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)
DUE = 1000  # recycled today
REMIND = 1000  # reminded today: half 7 days before, half 1 day before
TARGET = 2.0
BUILD = "3"  # bump when the generated data changes
PER_REP = 60


def local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


def db_path(n: int, seed: int) -> Path:
    digest = hashlib.sha1(BUILD.encode())
    for migration in sorted((ROOT / "storage" / "migrations" / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    return OUT / f"sweepdb_{n}_s{seed}_{digest.hexdigest()[:8]}.db"


def ensure_db(n: int, seed: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    path = db_path(n, seed)
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        return path, {**json.loads(meta.read_text(encoding="utf-8")), "cached": True}
    OUT.mkdir(exist_ok=True)
    stats = build_db(path, n, seed)
    meta.write_text(json.dumps(stats, indent=2), encoding="utf-8")
    return path, {**stats, "cached": False}


def build_db(path: Path, n: int, seed: int) -> dict[str, Any]:
    """N customers with an active ownership each (2,000 of them due today) and N/2 ended ones."""
    started = time.perf_counter()
    tmp = path.with_name(path.name + ".building")
    remove_db(tmp)
    migrate.upgrade(f"sqlite:///{tmp}")
    rng = random.Random(seed)
    names = company_names(seed)
    oc, fc = Ownership.__table__.c, FollowUp.__table__.c  # type: ignore[attr-defined]
    at, day = _binder(oc.started_at), _binder(oc.protected_until)
    reps = [f"UB{i:06d}" for i in range(max(1, n // PER_REP))]
    # Which ownerships are due: a random 2,000 of the N (ids are not clustered by deadline).
    chosen = rng.sample(range(1, n + 1), DUE + REMIND)
    kind = dict.fromkeys(chosen[:DUE], "recycle")
    kind.update(dict.fromkeys(chosen[DUE:DUE + REMIND // 2], "remind7"))
    kind.update(dict.fromkeys(chosen[DUE + REMIND // 2:], "remind1"))
    later_days = [d for d in range(2, 46) if d != 7]

    def active() -> Any:
        for i in range(1, n + 1):
            k = kind.get(i)
            if k == "recycle":  # tier C, 14 days after the last follow-up: through yesterday
                tier, until, last_followup = "C", TODAY - timedelta(days=1), TODAY - timedelta(days=15)
            elif k == "remind7":  # tier B, 30 days
                tier, until, last_followup = "B", TODAY + timedelta(days=7), TODAY - timedelta(days=23)
            elif k == "remind1":
                tier, until, last_followup = "B", TODAY + timedelta(days=1), TODAY - timedelta(days=29)
            else:  # tier A, 45 days: anywhere from 2 to 45 days ahead
                tier = "A"
                until = TODAY + timedelta(days=rng.choice(later_days))
                last_followup = until - timedelta(days=45)
            start = TODAY - timedelta(days=50)
            yield i, tier, reps[i % len(reps)], start, last_followup, until

    created = at(local(TODAY - timedelta(days=400), 10))
    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("BEGIN")
    _insert(db, Rep, ("id", "created_at"), ((r, created) for r in reps))
    rows = list(active())
    _insert(db, Customer, ("id", "name", "name_key", "core_key", "stem_key", "tier", "stage", "created_at"),
            ((i, next(names), f"k{i}", f"k{i}", "", tier, "contacted", created) for i, tier, *_ in rows))
    _insert(db, Ownership, ("id", "customer_id", "rep_id", "started_at", "last_followup_at", "last_progress_at",
                            "protected_until"),
            ((i, i, rep, at(local(start, 10)), at(local(fu, 15)), at(local(start, 10)), day(until))
             for i, _, rep, start, fu, until in rows))
    history = n // 2
    _insert(db, Ownership, ("id", "customer_id", "rep_id", "started_at", "ended_at", "end_reason",
                            "last_progress_at", "protected_until"),
            ((n + j, rng.randint(1, n), reps[j % len(reps)], at(local(TODAY - timedelta(days=300), 10)),
              at(local(TODAY - timedelta(days=d), 2)), rng.choice(("released", "recycled")),
              at(local(TODAY - timedelta(days=300), 10)), day(TODAY - timedelta(days=d + 1)))
             for j, d in ((j, rng.randint(60, 290)) for j in range(1, history + 1))))
    note_day = _binder(fc.local_day)
    _insert(db, FollowUp, ("id", "customer_id", "ownership_id", "rep_id", "kind", "note", "at", "local_day",
                           "qualifying", "next_contact"),
            ((i, i, i, rep, "call", "Called the buyer; demo next week.", at(local(fu, 15)), note_day(fu), 1,
              note_day(TODAY + timedelta(days=rng.randint(1, 30))) if i % 10 == 0 else None)
             for i, _, rep, _, fu, _ in rows))
    # The rules in force, recorded long ago and refreshed: the steady state of a running team.
    settings = rule_versions.clock_settings(bench_settings("sqlite://"))
    _insert(db, ClockRuleVersion, ("version", "digest", "settings", "effective_at", "source"),
            [(1, rule_versions.digest_of(settings), json.dumps(settings, sort_keys=True),
              at(local(TODAY - timedelta(days=365), 2)), "config")])
    _insert(db, ProtectionRefresh, ("version", "through_id", "finished_at"),
            [(1, n + history, at(local(TODAY - timedelta(days=365), 3)))])
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    tmp.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {"n": n, "ended": history, "reps": len(reps), "build_s": round(time.perf_counter() - started, 1),
            "bytes": path.stat().st_size}


def bench_settings(url: str) -> Settings:
    return Settings(database_url=url, team=TeamSettings(timezone="Asia/Shanghai"))


def plans(url: str) -> dict[str, list[str]]:
    """SQLite's plan for the sweeps' reads (for the record: an index search, never a scan)."""
    from sqlalchemy import event

    engine = make_engine(url)
    found: dict[str, list[str]] = {}

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and ("ownership" in statement or "followup" in statement):
            key = " ".join(statement.split())
            key = key[:60] + " … " + key[key.find(" WHERE "):][:200]
            if key not in found:
                rows = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                found[key] = [r[-1] for r in rows]

    ctx = ServiceContext(engine=engine, settings=bench_settings(url))
    event.listen(engine, "before_cursor_execute", capture)
    try:
        # On a throwaway copy: this runs the sweeps to see their statements.
        sweeps.recycle_due(ctx, local(TODAY, 2))
        sweeps.remind_due(ctx, local(TODAY, 9))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
        engine.dispose()
    return found


def one_run(base: Path, n: int, drop: list[str]) -> dict[str, float]:
    work = OUT / f"sweep_work_{n}.db"
    remove_db(work)
    shutil.copyfile(base, work)
    url = f"sqlite:///{work}"
    if drop:
        with sqlite3.connect(work) as db:
            for name in drop:
                db.execute(f"DROP INDEX IF EXISTS {name}")
    engine = make_engine(url)
    ctx = ServiceContext(engine=engine, settings=bench_settings(url))
    with engine.connect() as conn:  # open the connection (and the file) before timing
        conn.exec_driver_sql("SELECT count(*) FROM clock_rule_version").fetchall()
    t0 = time.perf_counter()
    recycled = sweeps.recycle_due(ctx, local(TODAY, 2))
    t1 = time.perf_counter()
    reminded = sweeps.remind_due(ctx, local(TODAY, 9))
    t2 = time.perf_counter()
    with engine.connect() as conn:
        outbox = conn.exec_driver_sql(f"SELECT kind, count(*) FROM {Outbox.__tablename__} GROUP BY kind").fetchall()
    engine.dispose()
    remove_db(work)
    expected = {"recycled": DUE, "reminder": REMIND}
    if (recycled.recycled, recycled.refreshed, reminded.reminders) != (DUE, 0, REMIND) or dict(outbox) != expected:
        raise SystemExit(f"N={n}: wrong sweep: {recycled}, {reminded}, outbox {dict(outbox)}")
    return {"recycle_s": t1 - t0, "remind_s": t2 - t1, "total_s": t2 - t0}


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {key: {"median": round(statistics.median(r[key] for r in runs), 4),
                  "min": round(min(r[key] for r in runs), 4), "max": round(max(r[key] for r in runs), 4)}
            for key in ("recycle_s", "remind_s", "total_s")} | {"runs": [round(r["total_s"], 4) for r in runs]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="10,000 vs 100,000 (CI size)")
    parser.add_argument("--n-base", type=int, default=10_000)
    parser.add_argument("--n-large", type=int, default=None, help="default 1,000,000 (100,000 with --small)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--drop-index", action="append", default=[],
                        help="drop this index in each copy before timing (to see what it buys)")
    parser.add_argument("--out", default=str(OUT / "sweep.json"))
    args = parser.parse_args()
    large = args.n_large or (100_000 if args.small else 1_000_000)
    sizes = (args.n_base, large)
    builds = {}
    bases = {}
    for n in sizes:
        print(f"database N={n:,} …", flush=True)
        bases[n], builds[n] = ensure_db(n, args.seed, args.rebuild)
        print(f"  {'cached' if builds[n]['cached'] else 'built in ' + str(builds[n]['build_s']) + ' s'}, "
              f"{builds[n]['bytes'] / 1e6:.0f} MB", flush=True)
    copy = OUT / "sweep_plan.db"
    remove_db(copy)
    shutil.copyfile(bases[large], copy)
    query_plans = plans(f"sqlite:///{copy}")
    remove_db(copy)
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    load_before = os.getloadavg()[0]
    one_run(bases[sizes[0]], sizes[0], args.drop_index)  # warm-up: imports, first-use caches
    for rep in range(args.reps):
        for n in sizes if rep % 2 == 0 else sizes[::-1]:
            r = one_run(bases[n], n, args.drop_index)
            runs[n].append(r)
            print(f"  N={n:>9,}  recycle {r['recycle_s'] * 1000:7.0f} ms  remind {r['remind_s'] * 1000:7.0f} ms  "
                  f"total {r['total_s'] * 1000:7.0f} ms", flush=True)
    stats = {str(n): summary(runs[n]) for n in sizes}
    ratio = stats[str(large)]["total_s"]["median"] / stats[str(sizes[0])]["total_s"]["median"]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "n_base": sizes[0], "n_large": large, "due": DUE, "reminders": REMIND, "reps": args.reps,
        "dropped_indexes": args.drop_index, "builds": {str(n): builds[n] for n in sizes},
        "load_average_1m": {"before": load_before, "after": os.getloadavg()[0]},  # other work on the machine
        "timings": stats, "ratio_median": round(ratio, 3), "target": TARGET, "met": ratio <= TARGET,
        "query_plans": query_plans,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nsweep (recycle + reminders, {DUE:,} + {REMIND:,} due): N={large:,} / N={sizes[0]:,} = {ratio:.2f}× "
          f"(median {stats[str(large)]['total_s']['median'] * 1000:.0f} / "
          f"{stats[str(sizes[0])]['total_s']['median'] * 1000:.0f} ms); target ≤ {TARGET:g}×: "
          f"{'met' if ratio <= TARGET else 'NOT met'}")
    for statement, plan in query_plans.items():
        print(f"  {statement[:100]}…\n    {' | '.join(plan)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
