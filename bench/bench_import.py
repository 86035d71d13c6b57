"""`claimbot import` of an N-row customer list (default 100,000) on SQLite, twice.

    .venv/bin/python bench/bench_import.py              # 100,000 rows
    .venv/bin/python bench/bench_import.py --n 5000     # the --small size

Writes a CSV of N rows as an old CRM would export it, from bench/names_corpus.py's generator: every
column (name, owner, tier, region, industry, USCC, domain, phone, stage) partly filled; 4 % of rows
repeat an earlier company under another spelling of its legal form, 3 % with a one-character typo
of an earlier name (fuzzy matches), 1 % invalid (a bad USCC checksum, an unknown tier). Then runs
``claimbot import FILE --report …`` as its own process on a fresh SQLite database, measuring the wall
time and the process's peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``), and
runs it again: the second import must change nothing (0 created, 0 merged, the database identical),
or the benchmark exits 1.

The floor, measured in the same run, is what no import can avoid: reading the file and validating
and normalising every row (``validate_row``: identifiers and the three name keys), in this process.
Results go to bench/out/import.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from names_corpus import CN_REGIONS, EN_INDUSTRIES, company_names, typo  # noqa: E402
from stdnum.cn import uscc  # noqa: E402

from bot.services.importer import open_csv, validate_row  # noqa: E402

OUT = ROOT / "bench" / "out"
HEADER = ["客户名称", "负责人", "等级", "地区", "行业", "统一社会信用代码", "网址", "电话", "阶段"]
STAGES = ["", "", "", "lead", "contacted", "qualified", "proposal"]
LEGAL_SWAPS = (("有限公司", "有限责任公司"), ("有限责任公司", "有限公司"), (" Inc.", " Incorporated"), (" Ltd", " Limited"),
               (" LLC", ", LLC"), (" Corp.", " Corporation"))


def generate(path: Path, n: int, seed: int) -> dict[str, int]:
    """Write the CSV; return how many rows of each kind it has."""
    rng = random.Random(seed)
    names = company_names(seed)
    reps = [f"U0REP{i:03d}" for i in range(60)]
    written: list[str] = []
    kinds = {"new": 0, "respelled": 0, "typo": 0, "invalid": 0}
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            roll = rng.random()
            if written and roll < 0.04:
                name, kind = _respell(rng.choice(written)), "respelled"
            elif written and roll < 0.07:
                name, kind = typo(rng.choice(written), rng), "typo"
            else:
                name, kind = next(names), "new"
            written.append(name)
            row = [name, rng.choice(reps) if rng.random() < 0.25 else "", rng.choice("AABBBBBCC"),
                   rng.choice(CN_REGIONS) if rng.random() < 0.6 else "",
                   rng.choice(EN_INDUSTRIES) if rng.random() < 0.5 else "",
                   _uscc(rng, i) if kind == "new" and rng.random() < 0.15 else "",
                   f"www.co{seed}x{i}.com.cn" if kind == "new" and rng.random() < 0.15 else "",
                   f"010 6{i % 10_000_000:07d}" if kind == "new" and rng.random() < 0.1 else "",
                   rng.choice(STAGES) if rng.random() < 0.3 else ""]
            if rng.random() < 0.01:
                kind = "invalid"
                if rng.random() < 0.5:
                    good = _uscc(rng, i)
                    row[5] = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
                else:
                    row[2] = "Z"
            kinds[kind] += 1
            w.writerow(row)
    return kinds


def _respell(name: str) -> str:
    for old, new in LEGAL_SWAPS:
        if name.endswith(old):
            return name[: -len(old)] + new
    return name.upper()


def _uscc(rng: random.Random, i: int) -> str:
    body = "91" + "110108" + f"{i:08d}" + rng.choice("0123456789")
    return body + uscc.calc_check_digit(body)


def run_import(csv_path: Path, db_url: str, report: Path) -> dict[str, Any]:
    """One `claimbot import` as its own process: wall time, its peak RSS, and the report's summary."""
    env = {**os.environ, "DATABASE_URL": db_url, "CLAIMBOT_TEAM__LANGUAGE": "en"}
    log = report.with_suffix(".log")
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "import", str(csv_path), "--report", str(report)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"claimbot import exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
    summary = json.loads(report.read_text(encoding="utf-8"))
    return {"seconds": round(seconds, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "import_seconds": round(summary["seconds"], 2),
            "rows_per_s": round(summary["total"] / seconds), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "counts": summary["counts"], "owners_assigned": summary["owners_assigned"],
            "output": log.read_text().strip().splitlines()[-4:]}


def db_state(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("customer", "name_gram", "ownership", "ownership_event", "rep")}


def db_digest(path: Path) -> str:
    """A fingerprint of everything an import writes, to prove a second import changed nothing."""
    import hashlib

    h = hashlib.sha256()
    with sqlite3.connect(path) as db:
        for table, order in (("customer", "id"), ("ownership", "id"), ("ownership_event", "id"), ("rep", "id"),
                             ("name_gram", "customer_id, gram, key_len")):
            for row in db.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                h.update(repr(row).encode())
    return h.hexdigest()


def floor(csv_path: Path) -> float:
    """Reading and validating every row (name keys, identifiers) in this process: the unavoidable work."""
    started = time.monotonic()
    for number, cells in open_csv(csv_path):
        validate_row(number, cells)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows in the generated file")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    csv_path = OUT / f"import_{args.n}_s{args.seed}.csv"
    db_path = OUT / f"import_{args.n}.db"
    for stale in OUT.glob(f"import_{args.n}.db*"):
        stale.unlink()
    kinds = generate(csv_path, args.n, args.seed)
    print(f"generated {csv_path.relative_to(ROOT)}: {args.n:,} rows {kinds}", flush=True)
    floor_s = floor(csv_path)
    print(f"floor (read + validate every row in-process): {floor_s:.1f} s", flush=True)
    url = f"sqlite:///{db_path}"

    first = run_import(csv_path, url, OUT / "import_first.json")
    print(f"first import: {first['seconds']} s (CPU {first['cpu_seconds']} s), peak RSS {first['peak_rss_mib']} MiB, {first['counts']}", flush=True)
    after_first, digest = db_state(db_path), db_digest(db_path)
    second = run_import(csv_path, url, OUT / "import_second.json")
    print(f"second import: {second['seconds']} s (CPU {second['cpu_seconds']} s), peak RSS {second['peak_rss_mib']} MiB, {second['counts']}",
          flush=True)
    changed = second["counts"]["created"] + second["counts"]["flagged"] + second["counts"]["merged"]
    identical = db_digest(db_path) == digest
    result = {
        "n": args.n, "seed": args.seed, "file_kinds": kinds, "file_mib": round(csv_path.stat().st_size / 2**20, 1),
        "floor_seconds": round(floor_s, 2), "first": first, "second": second,
        "ratio_first_to_floor": round(first["seconds"] / floor_s, 2),
        "database_after_first": after_first, "second_changed_rows": changed, "second_database_identical": identical,
        "children_max_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "machine": _machine(),
    }
    (OUT / "import.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("ratio_first_to_floor", "second_changed_rows",
                                             "second_database_identical", "database_after_first")}))
    if changed or not identical:
        print("FAILED: the second import changed something", file=sys.stderr)
        return 1
    return 0


def _machine() -> str:
    import platform

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


if __name__ == "__main__":
    sys.exit(main())
