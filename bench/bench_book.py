"""Memory of the whole book coming over and going back out (issue 12): peak RSS of `claimbot import` of
an .xlsx of N rows next to one of N/10 rows, and of `claimbot export` of M customers next to M/10.

    .venv/bin/python bench/bench_book.py                          # import 100,000 / 10,000; export 1,000,000 / 100,000
    .venv/bin/python bench/bench_book.py --rows 20000 --customers 100000   # smaller

Each command runs as its own process on a fresh SQLite file; its peak resident set is the child's
``ru_maxrss`` from ``os.wait4``. Memory is flat when the large run's peak is close to the small run's
(the ratio is the result, measured in the same run, not an absolute number). The import is run twice on
the large file: the second must change nothing. Results go to bench/out/book.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from names_corpus import company_names  # noqa: E402
from openpyxl import Workbook  # noqa: E402

OUT = ROOT / "bench" / "out"
OWNERS = [f"U0REP{i:03d}" for i in range(40)]


def write_xlsx(path: Path, n: int) -> None:
    rng = random.Random(n)
    now = datetime.now(UTC).replace(tzinfo=None)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(["客户名称", "客户级别", "负责人", "电话", "地区", "行业", "最后跟进时间"])
    names = company_names(seed=7)
    seen: set[str] = set()
    while len(seen) < n:
        name = next(names)
        if name in seen:
            continue
        seen.add(name)
        owner = rng.choice(OWNERS) if rng.random() < 0.7 else ""
        sheet.append([name, rng.choice("ABC"), owner, "", rng.choice(["北京", "上海", "深圳", ""]), "",
                      now - timedelta(days=rng.randint(0, 60)) if owner else None])
    workbook.save(path)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(peak RSS in MiB, seconds, stdout) of one claimbot command."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], stdout=out, stderr=subprocess.PIPE,
                                env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"claimbot {' '.join(args)} failed: {err}")
        out.seek(0)
        return round(usage.ru_maxrss / 1024, 1), round(seconds, 1), out.read().decode()


def env_for(db: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{db}", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CLAIMBOT_TEAM__LANGUAGE": "en", "HOME": os.environ.get("HOME", "/tmp")}


def bench_import(work: Path, rows: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for n in (rows // 10, rows):
        path = work / f"book_{n}.xlsx"
        write_xlsx(path, n)
        db = work / f"import_{n}.db"
        rss, seconds, out = run(["import", str(path), "--quiet"], env_for(db))
        result[str(n)] = {"peak_rss_mib": rss, "seconds": seconds, "summary": out.strip().splitlines()[-4:]}
    rss, seconds, out = run(["import", str(work / f"book_{rows}.xlsx"), "--quiet"], env_for(work / f"import_{rows}.db"))
    result["second_import"] = {"peak_rss_mib": rss, "seconds": seconds,
                               "changed_nothing": "Created 0 " in out and "merged 0 " in out}
    small, large = result[str(rows // 10)]["peak_rss_mib"], result[str(rows)]["peak_rss_mib"]
    result["ratio"] = round(large / small, 2)
    return result


def fill_customers(db: Path, n: int) -> None:
    """n customers (a third owned), inserted directly: the export reads them, the lookup is not involved."""
    from sqlalchemy import create_engine, insert

    from storage import migrate
    from storage.models import Customer, Ownership, OwnershipEvent, Rep
    from storage.tables import table_of

    url = f"sqlite:///{db}"
    migrate.upgrade(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(table_of(Rep)), [{"id": r, "role": "rep", "role_granted": False, "regions": "",
                                              "industries": "", "active": True, "created_at": now} for r in OWNERS])
    names = company_names(seed=11)
    batch = 20000
    for start in range(0, n, batch):
        customers, owned, events = [], [], []
        for i in range(start + 1, min(n, start + batch) + 1):
            customers.append({"id": i, "name": f"{next(names)} {i}", "name_key": f"k{i}", "core_key": f"k{i}",
                              "stem_key": "", "tier": "B", "stage": "lead", "needs_review": False, "created_at": now,
                              "created_by": "bench"})
            if i % 3 == 0:
                owned.append({"customer_id": i, "rep_id": OWNERS[i % len(OWNERS)], "started_at": now,
                              "last_progress_at": now, "protected_until": (now + timedelta(days=30)).date()})
                events.append({"customer_id": i, "kind": "import", "to_rep": OWNERS[i % len(OWNERS)],
                               "actor": "bench", "rule": "import", "at": now})
        with engine.begin() as conn:
            conn.execute(insert(table_of(Customer)), customers)
            conn.execute(insert(table_of(Ownership)), owned)
            conn.execute(insert(table_of(OwnershipEvent)), events)
    engine.dispose()


def bench_export(work: Path, customers: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for n in (customers // 10, customers):
        db = work / f"export_{n}.db"
        fill_customers(db, n)
        for what, fmt in (("customers", "csv"), ("audit", "csv"), ("customers", "xlsx")):
            if fmt == "xlsx" and n > 200_000:
                continue  # openpyxl writes ~20k rows/s: a million rows is minutes, and the csv run shows the paging
            out = work / f"{what}_{n}.{fmt}"
            rss, seconds, _ = run(["export", "--what", what, "--format", fmt, "--output", str(out)], env_for(db))
            result[f"{what}.{fmt}.{n}"] = {"peak_rss_mib": rss, "seconds": seconds,
                                          "bytes": out.stat().st_size}
            out.unlink()
        db.unlink()
    small = result[f"customers.csv.{customers // 10}"]["peak_rss_mib"]
    result["ratio"] = round(result[f"customers.csv.{customers}"]["peak_rss_mib"] / small, 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    result: dict[str, Any] = {"rows": args.rows, "customers": args.customers}
    with tempfile.TemporaryDirectory(prefix="bench_book_") as tmp:
        work = Path(tmp)
        if not args.skip_import:
            result["import"] = bench_import(work, args.rows)
            print(json.dumps(result["import"], ensure_ascii=False, indent=1), flush=True)
        if not args.skip_export:
            result["export"] = bench_export(work, args.customers)
            print(json.dumps(result["export"], ensure_ascii=False, indent=1), flush=True)
    (OUT / "book.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
