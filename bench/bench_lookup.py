"""How fast is the customer lookup (storage/lookup.py) at scale, against two floors measured in the same run.

    .venv/bin/python bench/bench_lookup.py            # 1,000,000 customers
    .venv/bin/python bench/bench_lookup.py --n 20000  # seconds; what CI runs

Builds a SQLite database of N customers (keys and name grams, bulk-inserted in one transaction), loads
the in-memory name index a server holds (storage/fuzzy_index.py; its load time and size are reported),
then times ``find_matches`` over a mix of queries (labelled pair names, exact hits, one-typo near
misses, unknown names) against (i) a ``core_key LIKE '%core%'`` full scan and (ii) a brute-force
rapidfuzz scan of every core key held in memory. ``find_matches`` is timed twice per query: as a
server answers (the index loaded) and from the database alone (``[lookup] in_memory_index = false``,
and the console and CLI). Every query's fuzzy result, by both paths, is compared with a brute-force
scan of all core and stem keys: the filter must lose nothing. Results go to bench/out/lookup.json.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import random
import sqlite3
import statistics
import sys
import time
from dataclasses import astuple
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path

from names_corpus import company_names, typo  # bench/ is on the path of the scripts in it
from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.rules.legal_entities import same_entity
from bot.rules.names import FUZZY_THRESHOLD, NameKeys, cjk_count, is_fuzzable, name_keys
from storage import (
    fuzzy_index,
    models,  # noqa: F401  (registers the tables)
)
from storage.engine import make_engine, read_session
from storage.lookup import KEY_COLUMNS, find_fuzzy, find_matches, gram_rows, stored_keys

OUT = Path(__file__).resolve().parent / "out"
PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dedupe_pairs.tsv"
QUERIES_PER_KIND = 60


def labelled_pairs() -> list[tuple[str, str, str]]:
    rows = [line.rstrip("\n").split("\t") for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    return [(a, b, tier) for a, b, tier in (r for r in rows if r and not r[0].startswith("#"))]


def _keys_of(names: list[str]) -> list[tuple[str, ...]]:
    return [(n, *astuple(name_keys(n))) for n in names]


def generate(n: int, seed: int) -> list[tuple[str, ...]]:
    """N customers (raw name and its keys, as ``KEY_COLUMNS``) with distinct name keys: labelled names first."""
    names = company_names(seed)
    chosen: dict[str, tuple[str, ...]] = {}
    batch = [a for a, _, _ in labelled_pairs()]
    with Pool(2) as pool:
        while len(chosen) < n:
            batch += [next(names) for _ in range(max(1000, int((n - len(chosen)) * 1.05)))]
            chunks = [batch[i : i + 5000] for i in range(0, len(batch), 5000)]
            for rows in pool.imap(_keys_of, chunks):
                for row in rows:
                    if len(chosen) < n:
                        chosen.setdefault(row[1], row)
            batch = []
    return list(chosen.values())


def build(path: Path, n: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    customers = generate(n, seed)
    generated = time.perf_counter()
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-2000000")
    db.execute("BEGIN")
    now = datetime.now(UTC).isoformat()
    db.executemany(
        f"INSERT INTO customer (id, name, {', '.join(KEY_COLUMNS)}, tier, stage, needs_review, created_at)"
        f" VALUES (?, ?, {', '.join('?' for _ in KEY_COLUMNS)}, 'B', 'lead', 0, ?)",
        ((i, *row, now) for i, row in enumerate(customers, start=1)),
    )
    rows = [
        (gram, length, i)
        for i, (_, *keys) in enumerate(customers, start=1)
        for gram, length in gram_rows(NameKeys(*keys))
    ]
    rows.sort()  # in index order: the B-tree grows at its right edge
    db.executemany("INSERT INTO name_gram (gram, key_len, customer_id) VALUES (?, ?, ?)", rows)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    done = time.perf_counter()
    return {"generate_s": generated - started, "insert_s": done - generated, "total_s": done - started,
            "name_gram_rows": len(rows)}


def make_queries(customers: list[tuple[str, ...]], seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed + 1)
    stored = {row[1] for row in customers}
    queries = [("labelled", b) for _, b, _ in labelled_pairs()]
    picks = rng.sample(customers, QUERIES_PER_KIND * 2)
    queries += [("exact", raw) for raw, *_ in picks[:QUERIES_PER_KIND]]
    queries += [("typo", typo(raw, rng)) for raw, *_ in picks[QUERIES_PER_KIND:]]
    unknown = company_names(seed + 7)
    while sum(kind == "unknown" for kind, _ in queries) < QUERIES_PER_KIND:
        raw = next(unknown)
        if name_keys(raw).name_key not in stored:
            queries.append(("unknown", raw))
    return queries


def brute_force(keys: NameKeys, cores: list[str], stems: list[str]) -> dict[int, float]:
    """Customer id → fuzzy score, from every stored key (the definition find_fuzzy must meet)."""
    found: dict[int, float] = {}
    for query, stored in ((keys.core_key, cores), (keys.stem_key, stems)):
        if not is_fuzzable(query):
            continue
        hits = process.extract(query, stored, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None)
        for _, score, index in hits:
            if is_fuzzable(stored[index]):
                found[index + 1] = max(found.get(index + 1, 0.0), score)
    return found


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000}


def run(n: int, seed: int, path: Path, reuse: bool = False) -> dict[str, object]:
    build_stats = {"reused": str(path)} if reuse and path.exists() else build(path, n, seed)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        stored = conn.execute(text(f"SELECT id, name, {', '.join(KEY_COLUMNS)} FROM customer ORDER BY id")).all()
    customers = [(r.name, r.name_key, r.core_key, r.stem_key) for r in stored]
    cores = [r.core_key for r in stored]
    stems = [r.stem_key for r in stored]
    keys_of = [stored_keys(r) for r in stored]
    by_name_key = {r.name_key: r.id for r in stored}
    queries = make_queries(customers, seed)
    gc.freeze()  # the million keys held here for the baselines would make every collection a full scan
    rss_before = _rss_mib()
    t0 = time.perf_counter()
    index = fuzzy_index.load(engine)
    index_stats = {"load_s": round(time.perf_counter() - t0, 2), "rss_growth_mib": round(_rss_mib() - rss_before, 1),
                   "arrays_mib": round(index.nbytes() / 2**20, 1)}
    times: dict[str, list[float]] = {"ours": [], "ours_database_only": [], "like_scan": [], "rapidfuzz_scan": []}
    results = []
    with read_session(engine) as session:
        for _, raw in queries[:20]:  # warm caches and compiled statements, by both paths
            find_matches(session, name_keys(raw))
            fuzzy_index.use(engine, None)
            find_matches(session, name_keys(raw))
            fuzzy_index.use(engine, index)
        for kind, raw in queries:
            keys = name_keys(raw)
            t0 = time.perf_counter()
            matches = find_matches(session, keys)  # as a server answers: the in-memory index loaded
            t1 = time.perf_counter()
            session.execute(text("SELECT id FROM customer WHERE core_key LIKE :p"), {"p": f"%{keys.core_key}%"}).all()
            t2 = time.perf_counter()
            process.extract(keys.core_key, cores, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None)
            t3 = time.perf_counter()
            fuzzy_index.use(engine, None)
            database_only = find_matches(session, keys)
            t4 = time.perf_counter()
            fuzzy_index.use(engine, index)
            assert database_only == matches, raw
            times["ours"].append(t1 - t0)
            times["like_scan"].append(t2 - t1)
            times["rapidfuzz_scan"].append(t3 - t2)
            times["ours_database_only"].append(t4 - t3)
            results.append((kind, raw, keys, matches))
        mismatches = []
        for _, raw, keys, _ in results:
            expected = brute_force(keys, cores, stems)
            if find_fuzzy(session, keys) != expected:
                mismatches.append(raw)
            fuzzy_index.use(engine, None)
            if find_fuzzy(session, keys) != expected:
                mismatches.append(f"{raw} (database only)")
            fuzzy_index.use(engine, index)
    labels = check_labels(results, by_name_key, keys_of, cores, stems)
    summary = {name: quantiles(samples) for name, samples in times.items()}
    groups: dict[str, list[float]] = {}
    for (kind, _, keys, _), took in zip(results, times["ours"], strict=True):
        script = "cjk" if cjk_count(keys.core_key) else "latin"
        groups.setdefault(f"{kind}/{script}", []).append(took)
    by_group = {group: {"queries": len(samples), **quantiles(samples)} for group, samples in sorted(groups.items())}
    ours = summary["ours"]
    return {
        "n": n, "seed": seed, "queries": len(queries), "build": build_stats, "in_memory_index": index_stats,
        "timings": summary, "ours_by_query_kind": by_group,
        "ratio_like_scan": summary["like_scan"]["median_ms"] / ours["median_ms"],
        "ratio_rapidfuzz_scan": summary["rapidfuzz_scan"]["median_ms"] / ours["median_ms"],
        "ratio_like_scan_p99": summary["like_scan"]["p99_ms"] / ours["p99_ms"],
        "ratio_rapidfuzz_scan_p99": summary["rapidfuzz_scan"]["p99_ms"] / ours["p99_ms"],
        "fuzzy_mismatches_vs_brute_force": mismatches, "labelled": labels,
    }


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def check_labels(results, by_name_key, keys_of, cores, stems):  # type: ignore[no-untyped-def]
    """Each labelled pair: our answer about name_a's customer, brute force's, and the label."""
    out = []
    for (a, b, label), (_, raw, keys, matches) in zip(labelled_pairs(), results, strict=False):
        assert raw == b
        target = by_name_key[name_keys(a).name_key]
        ours = next((m.tier for m in matches if m.customer_id == target), "different")
        stored = keys_of[target - 1]
        if keys.name_key == stored.name_key and same_entity(keys, stored):
            brute = "exact"
        elif keys.name_key == stored.name_key or stored.core_key == keys.core_key or (
                keys.pinyin_key and stored.pinyin_key == keys.pinyin_key):
            brute = "strong"
        else:
            brute = "fuzzy" if target in brute_force(keys, cores, stems) else "different"
        out.append({"a": a, "b": b, "label": label, "ours": ours, "brute_force": brute})
    return out


def report(result: dict[str, object]) -> None:
    timings = result["timings"]
    print(f"\nfind_matches over {result['n']:,} customers, {result['queries']} queries")
    print(f"build: {result['build']}")
    print(f"in-memory index: {result['in_memory_index']}")
    print(f"{'method':<20}{'median ms':>12}{'p99 ms':>12}{'median ratio':>14}{'p99 ratio':>11}")
    for name in ("ours", "ours_database_only", "like_scan", "rapidfuzz_scan"):
        t = timings[name]  # type: ignore[index]
        ratio = t["median_ms"] / timings["ours"]["median_ms"]  # type: ignore[index]
        p99 = t["p99_ms"] / timings["ours"]["p99_ms"]  # type: ignore[index]
        print(f"{name:<20}{t['median_ms']:>12.3f}{t['p99_ms']:>12.3f}{ratio:>13.1f}x{p99:>10.1f}x")
    print(f"\n{'ours by query kind':<22}{'queries':>8}{'median ms':>12}{'p99 ms':>12}")
    for group, t in result["ours_by_query_kind"].items():  # type: ignore[union-attr]
        print(f"{group:<22}{t['queries']:>8}{t['median_ms']:>12.3f}{t['p99_ms']:>12.3f}")
    labels = result["labelled"]
    agree = sum(r["ours"] == r["brute_force"] for r in labels)  # type: ignore[union-attr]
    correct = sum(r["ours"] == r["label"] for r in labels)  # type: ignore[union-attr]
    print(f"labelled pairs: ours = brute force {agree}/{len(labels)}, ours = label {correct}/{len(labels)}")
    print(f"fuzzy result differs from brute force for {len(result['fuzzy_mismatches_vs_brute_force'])} queries")


def default_db(n: int) -> Path:
    """Named after the migrations too (the gram scheme is in them): --reuse never reads a stale index."""
    digest = hashlib.sha1()
    for migration in sorted((Path(__file__).resolve().parents[1] / "storage" / "migrations" / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    return OUT / f"lookup_{n}_{digest.hexdigest()[:8]}.db"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same --n and --seed")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    result = run(args.n, args.seed, args.db or default_db(args.n), args.reuse)
    report(result)
    (OUT / "lookup.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = result["fuzzy_mismatches_vs_brute_force"] or any(
        r["ours"] != r["brute_force"] for r in result["labelled"]  # type: ignore[union-attr]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
