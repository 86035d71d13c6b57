"""Every benchmark, one after the other, then one table of targets: `python3 tasks.py bench [--small]`.

    .venv/bin/python bench/run.py            # full size: lookup 1,000,000; claim 100,000; memory 1,000,000
    .venv/bin/python bench/run.py --small    # CI size, about two minutes (plus about three for slow_slack)
    .venv/bin/python bench/run.py --only claim_http --only memory

Each benchmark runs as its own process and writes bench/out/<name>.json, which this reads back. Exits
0 when every benchmark ran, whether or not it met its target (benchmarks report; they are not tests),
and 1 when one crashed, exited non-zero (e.g. a correctness check inside it failed) or wrote no result.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
LOOKUP_TARGET = 10.0


@dataclass
class Bench:
    name: str
    script: str
    result: str  # file in bench/out
    full: list[str]
    small: list[str]


BENCHES = (
    Bench("lookup", "bench_lookup.py", "lookup.json", [], ["--n", "20000"]),
    Bench("claim_http", "bench_claim_http.py", "claim_http.json", [], ["--n", "5000", "--measured", "100"]),
    Bench("memory", "bench_memory.py", "memory.json", ["--instances", "2"], ["--n", "20000", "--instances", "2"]),
    Bench("import", "bench_import.py", "import.json", [], ["--n", "5000"]),  # run when the script exists
    Bench("sweep", "bench_sweep.py", "sweep.json", [], ["--small"]),
    Bench("book", "bench_book.py", "book.json", [], ["--rows", "5000", "--customers", "50000"]),
    Bench("cluster", "bench_cluster.py", "cluster.json", [], ["--n", "5000", "--requests", "200",
                                                              "--pgbench-seconds", "5"]),
    Bench("request_limits", "bench_request_limits.py", "request_limits.json", [], []),
    Bench("slow_slack", "slow_slack.py", "slow_slack.json", [], []),  # 5 s per Web API call, both sizes
    Bench("leads_http", "bench_leads_http.py", "leads_http.json", [], ["--n", "5000", "--measured", "60",
                                                                         "--burst", "60"]),
)


def run_one(bench: Bench, small: bool) -> tuple[dict[str, Any] | None, str | None, float]:
    """(result, what went wrong, seconds)."""
    out = OUT / bench.result
    started = time.time()
    args = bench.small if small else bench.full
    print(f"\n=== {bench.name}: {bench.script} {' '.join(args)}", flush=True)
    code = subprocess.call([sys.executable, str(BENCH / bench.script), *args], cwd=ROOT)
    elapsed = time.time() - started
    fresh = out.exists() and out.stat().st_mtime >= started
    result = json.loads(out.read_text(encoding="utf-8")) if fresh else None
    if code != 0:
        return result, f"exited with {code}", elapsed
    if result is None:
        return None, f"wrote no {out.relative_to(ROOT)}", elapsed
    return result, None, elapsed


def rows_for(name: str, r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, met) rows of the summary."""
    if name == "lookup":
        ours = r["timings"]["ours"]["median_ms"]
        rows = []
        for key, label in (("ratio_like_scan", "LIKE scan"), ("ratio_rapidfuzz_scan", "rapidfuzz scan")):
            ratio = r[key]
            rows.append((f"lookup, {r['n']:,} customers: {label} / ours (median)",
                         f"{ratio:.1f}× (ours {ours:.2f} ms)", f"≥ {LOOKUP_TARGET:g}×",
                         "yes" if ratio >= LOOKUP_TARGET else "NO"))
        t = r["timings"]
        for key, label in (("like_scan", "LIKE scan"), ("rapidfuzz_scan", "rapidfuzz scan")):
            ratio = t[key]["p99_ms"] / t["ours"]["p99_ms"]
            rows.append((f"lookup, {r['n']:,} customers: {label} / ours (p99)",
                         f"{ratio:.1f}× (ours {t['ours']['p99_ms']:.1f} ms)", f"≥ {LOOKUP_TARGET:g}×",
                         "yes" if ratio >= LOOKUP_TARGET else "NO"))
        if "ours_database_only" in t:
            db = t["ours_database_only"]
            rows.append((f"lookup, {r['n']:,} customers, database only (no in-memory index): median / p99",
                         f"{db['median_ms']:.2f} / {db['p99_ms']:.1f} ms", "(reported)", "-"))
        if "in_memory_index" in r:
            ix = r["in_memory_index"]
            rows.append((f"lookup, {r['n']:,} customers: in-memory index load / size",
                         f"{ix['load_s']} s / {ix['arrays_mib']} MiB", "(reported)", "-"))
        mismatches = len(r.get("fuzzy_mismatches_vs_brute_force", []))
        rows.append(("lookup: fuzzy results ≠ brute force", str(mismatches), "0", "yes" if not mismatches else "NO"))
        return rows
    if name == "claim_http":
        ours, floor = r["timings"]["ours"], r["timings"]["floor"]
        wrong = len(r["unexpected_replies"])
        return [
            (f"/claim over HTTP, {r['n']:,} customers: ours / ack-only floor (median)",
             f"{r['ratio_median']:.2f} ({ours['median_ms']:.1f} / {floor['median_ms']:.1f} ms)",
             f"≤ {r['target']:g}", "yes" if r["met"] else "NO"),
            ("/claim: p90, p99 (ours)", f"{ours['p90_ms']:.1f}, {ours['p99_ms']:.1f} ms", "-", "-"),
            ("/claim: replies other than expected", f"{wrong} of {r['warmup'] + r['measured']}", "0",
             "yes" if not wrong else "NO"),
        ]
    if name == "import":
        changed = r.get("second_changed_rows")
        return [
            (f"import of {r['n']:,} rows: first import / read+validate floor", f"{r['ratio_first_to_floor']}×",
             "reported", "-"),
            ("import: rows changed by importing the same file again", str(changed), "0",
             "yes" if changed == 0 and r.get("second_database_identical") else "NO"),
        ]
    if name == "sweep":
        base, large = r["timings"][str(r["n_base"])], r["timings"][str(r["n_large"])]
        return [(f"recycle + reminder sweep, {r['due']:,} + {r['reminders']:,} due: "
                 f"{r['n_large']:,} / {r['n_base']:,} active ownerships (median)",
                 f"{r['ratio_median']:.2f}× ({large['total_s']['median'] * 1000:.0f} / "
                 f"{base['total_s']['median'] * 1000:.0f} ms)", f"≤ {r['target']:g}×", "yes" if r["met"] else "NO")]
    if name == "slow_slack":
        late, work_same = r["at_or_over_3s"], not r["missing_in_slow_run"] and not r["extra_in_slow_run"]
        return [
            (f"console script with every Web API call taking {r['latency_s']:g} s: HTTP answers (max, p50)",
             f"{r['requests']} answers, max {r['max_s']:.2f} s, p50 {r['p50_s']:.2f} s", "< 3 s",
             "yes" if not late else f"NO ({len(late)})"),
            (f"  the work after the answers ({r['web_api_calls']['slow']} Web API calls) vs. a quick Slack",
             "the same" if work_same else "differs", "the same", "yes" if work_same else "NO"),
        ]
    if name == "book":
        rows = []
        if "import" in r:
            imp, n = r["import"], r["rows"]
            rows += [(f"import of a {n:,}-row .xlsx: peak RSS / a {n // 10:,}-row one",
                      f"{imp['ratio']}× ({imp[str(n)]['peak_rss_mib']} / {imp[str(n // 10)]['peak_rss_mib']} MiB)",
                      "≤ 1.5×", "yes" if imp["ratio"] <= 1.5 else "NO"),
                     ("import of the same .xlsx again changes nothing", str(imp["second_import"]["changed_nothing"]),
                      "True", "yes" if imp["second_import"]["changed_nothing"] else "NO")]
        if "export" in r:
            exp, m = r["export"], r["customers"]
            rows.append((f"export of {m:,} customers (csv): peak RSS / {m // 10:,}",
                         f"{exp['ratio']}× ({exp[f'customers.csv.{m}']['peak_rss_mib']} / "
                         f"{exp[f'customers.csv.{m // 10}']['peak_rss_mib']} MiB)", "≤ 1.5×",
                         "yes" if exp["ratio"] <= 1.5 else "NO"))
        return rows
    if name == "leads_http":
        lead, claim, dm = r["timings"]["lead"], r["timings"]["claim"], r["arrival_to_offer_dm"] or {}
        wrong = len(r["unexpected"]) + len(r["dm_missing"])
        return [
            (f"leads through POST /leads, {r['n']:,} customers ({r['database']}): leads/s ÷ claims/s, one client",
             f"{r['ratio_leads_to_claims_per_second']:.2f} ({lead['median_ms']:.1f} / {claim['median_ms']:.1f} ms)",
             "reported", "-"),
            ("leads: 4 clients at once, leads/s ÷ claims/s",
             f"{r['ratio_burst']:.2f} ({r['burst']['lead']['per_second']:.0f} / "
             f"{r['burst']['claim']['per_second']:.0f} per s)", "reported", "-"),
            ("leads: arrival → offer DM sent (p50, p99)",
             f"{dm.get('median_ms', 0):.0f}, {dm.get('p99_ms', 0):.0f} ms", "reported", "-"),
            ("leads: answers or DMs other than expected", str(wrong), "0", "yes" if not wrong else "NO"),
        ]
    if name == "cluster":
        floor = r["pgbench"]
        rows = [(f"/claim through HAProxy, {r['n']:,} customers on PostgreSQL, {size} instance(s), "
                 f"{r['clients']} clients", f"{s['claims_per_s']} claims/s, p99 {s['latency']['p99_ms']} ms, "
                 f"{s['errors']} errors", "reported", "-" if not s["errors"] else "NO")
                for size, s in r["sizes"].items()]
        rows.append(("  pgbench on the same database (TPC-B-like / select-only)",
                     f"{floor['tpcb_tps']} / {floor['select_only_tps']} TPS", "(the floor)", "-"))
        if "burst" in r:
            b = r["burst"]
            rows.append((f"burst: {b['reps']} reps in {b['seconds']:g} s (Home open + /claim), two instances",
                         f"{b['errors']} errors, p99 {b['p99_ms']} ms", "0 errors",
                         "yes" if not b["errors"] else "NO"))
        return rows
    if name == "request_limits":
        return [(f"{r['senders']} concurrent {r['body_mib']} MB POSTs, bad signatures: server peak RSS growth",
                 f"{r['growth_mib']} MiB ({r['refused_413']} refused with 413, /claim answered: "
                 f"{r['claim_answered']})", f"< {r['target_mib']} MiB", "yes" if r["met"] else "NO")]
    if name == "memory":
        loaded, empty = r["loaded_db"], r["idle_empty_db"]
        rows = [(f"server peak RSS, {r['n']:,} customers, {r['requests']} requests",
                 f"{loaded['peak_mib']} MiB (idle on empty DB: {empty['rss_mib']} MiB)", "reported", "-")]
        if r.get("instances", 1) > 1:
            worst = max(r["peak_mib_per_instance"])
            rows.append((f"  {r['instances']} instances on one host: peak RSS of each",
                         ", ".join(f"{p} MiB" for p in r["peak_mib_per_instance"]),
                         f"≤ {r['target_per_instance_mib']} MiB", "yes" if worst <= r["target_per_instance_mib"] else "NO"))
        return rows
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="small sizes, for CI")
    parser.add_argument("--only", choices=[b.name for b in BENCHES], action="append",
                        help="run only this benchmark (repeatable)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    rows: list[tuple[str, str, str, str]] = []
    failures: list[str] = []
    started = time.time()
    for bench in BENCHES:
        if (args.only and bench.name not in args.only) or not (BENCH / bench.script).exists():
            continue
        try:
            result, problem, elapsed = run_one(bench, args.small)
        except Exception as e:  # e.g. unreadable JSON
            result, problem, elapsed = None, f"{type(e).__name__}: {e}", 0.0
        if result is not None:
            try:
                rows += rows_for(bench.name, result)
            except (KeyError, TypeError, ZeroDivisionError) as e:
                problem = problem or f"result not understood: {type(e).__name__}: {e}"
        if problem:
            failures.append(f"{bench.name}: {problem}")
            rows.append((f"{bench.name}", "FAILED", "-", problem))
        print(f"=== {bench.name}: {elapsed:.0f}s", flush=True)

    width = max(len(r[0]) for r in rows) if rows else 10
    mwidth = max(len(r[1]) for r in rows) if rows else 10
    print(f"\nBenchmarks ({'small' if args.small else 'full size'}, {time.time() - started:.0f}s)")
    print(f"{'':<{width}}  {'measured':<{mwidth}}  {'target':<10}  met")
    for what, measured, target, met in rows:
        print(f"{what:<{width}}  {measured:<{mwidth}}  {target:<10}  {met}")
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
