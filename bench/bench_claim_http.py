"""`/claim` over signed HTTP with N stored customers, against the same HTTP stack whose listener only acks.

    .venv/bin/python bench/bench_claim_http.py                     # 100,000 customers, 300 measured
    .venv/bin/python bench/bench_claim_http.py --n 5000 --measured 100
    .venv/bin/python bench/bench_claim_http.py --profile           # where the time goes (in-process)

Builds (once, cached under bench/out/ by N and seed) a SQLite database migrated with
``storage.migrate.upgrade`` and bulk-filled with N customers (names from bench/names_corpus.py, keys
from ``name_keys``, the ``name_gram`` rows ``index_names`` would write), a quarter of them owned by reps
(Ownership, OwnershipEvent and FollowUp rows, a few won). Each run works on a fresh copy of it.

Two servers run as separate processes: ``claimbot serve --no-scheduler`` (the real app without its
background jobs, which the floor lacks too; ``--scheduler`` keeps them; Slack Web API = the local
stand-in, in a thread here) and bench/ack_app.py (the floor: waitress + SlackWsgiApp + a Bolt App with
the same settings whose ``/claim`` only acks). Every signed request body goes to both, one after the
other (alternating which goes first), through the same keep-alive-less urllib client, each after
the same idle pause (``--pause``, 50 ms): a server that has just been idle answers slower than one
kept busy back to back (the ack-only floor: ~0.4 ms back to back, ~1.5 ms after 20–50 ms idle, on a
2-core VM), and Slack commands arrive seconds apart, not back to back. The comparison is the median. The mix: new names (created), pool customers (claimed), customers of
another rep (refused, naming the owner), the rep's own (status), strong and fuzzy near-duplicates
("same company?"). Every reply of the real app is checked against the outcome the plan expects.
Results go to bench/out/claim_http.json.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from names_corpus import CN_REGIONS, company_names, typo  # noqa: E402  (bench/ is on the path of its scripts)
from sqlalchemy.dialects import sqlite as sqlite_dialect  # noqa: E402

from bot.config import ClaimSettings  # noqa: E402
from bot.console.standin import SlackStandIn  # noqa: E402
from bot.i18n.catalog import CATALOG  # noqa: E402
from bot.rules.clocks import ClockRules, local_day, protection  # noqa: E402
from bot.rules.names import NameKeys, fuzzy_score, name_keys  # noqa: E402
from storage import migrate  # noqa: E402
from storage.engine import make_engine, read_session  # noqa: E402
from storage.lookup import KEY_COLUMNS, find_matches, gram_rows  # noqa: E402
from storage.models import Customer, FollowUp, NameGram, Ownership, OwnershipEvent, Rep  # noqa: E402
from tests.support.server import ServeProcess  # noqa: E402
from tests.support.signing import post, sign, slash_command_body  # noqa: E402

OUT = ROOT / "bench" / "out"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TZ = "Asia/Shanghai"
RATIO_TARGET = 2.0
BUILDER_VERSION = "2"  # part of the cached databases' names: bump when build_db changes what it writes

OWNED_SHARE = 0.25  # of all customers, owned by some rep
WON_SHARE = 0.05  # of the owned ones, won (never recycled)
PER_REP = 60  # customers each rep holds (the holding cap is 100)
BENCH_USERS = 30  # reps who send the requests (each owns customers; few enough to stay under the daily cap)
MIX = {  # share of the measured requests; expected reply outcome in EXPECT
    "created": 0.20,
    "claimed": 0.10,
    "owned_by_other": 0.25,
    "already_yours": 0.20,
    "strong": 0.10,
    "fuzzy": 0.15,
}
EXPECT = {"created": "created", "claimed": "claimed", "owned_by_other": "owned_by_other",
          "already_yours": "already_yours", "strong": "confirm", "fuzzy": "confirm",
          "customer": "customer", "mine": "mine"}


# ------------------------------------------------------------------------------------------------
# The database


def db_path(n: int, seed: int) -> Path:
    """Keyed by N, seed, what the name generator makes of the seed and the migrations: a changed
    corpus or schema rebuilds."""
    names = company_names(seed)
    digest = hashlib.sha1(BUILDER_VERSION.encode())
    digest.update("\n".join(next(names) for _ in range(2000)).encode())
    for migration in sorted((ROOT / "storage" / "migrations" / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    return OUT / f"claimdb_{n}_s{seed}_{digest.hexdigest()[:8]}.db"


def _binder(column: Any) -> Callable[[Any], Any]:
    """What SQLAlchemy stores on SQLite for a value of this column (dates and times as text)."""
    dialect = sqlite_dialect.dialect()
    process = column.type.bind_processor(dialect)
    return process or (lambda v: v)


def _columns(model: Any) -> Any:
    return model.__table__.c


def ensure_db(n: int, seed: int, *, rebuild: bool = False) -> tuple[Path, dict[str, Any]]:
    """The cached database of N customers (built if missing); its build stats."""
    path = db_path(n, seed)
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        return path, {**json.loads(meta.read_text(encoding="utf-8")), "cached": True}
    OUT.mkdir(exist_ok=True)
    stats = build_db(path, n, seed)
    meta.write_text(json.dumps(stats, indent=2), encoding="utf-8")
    return path, {**stats, "cached": False}


def _generate(n: int, seed: int) -> list[tuple[str, ...]]:
    """N (raw name, its keys as KEY_COLUMNS) with distinct name keys: bench_lookup's generator."""
    from bench_lookup import generate  # the lookup benchmark's corpus, so both measure the same names

    return generate(n, seed)


def build_db(path: Path, n: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    customers = _generate(n, seed)
    generated = time.perf_counter()
    tmp = path.with_name(path.name + ".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    migrate.upgrade(f"sqlite:///{tmp}")
    rng = random.Random(seed + 17)
    now = datetime.now(UTC)
    cc, oc = _columns(Customer), _columns(Ownership)
    at, day = _binder(cc.created_at), _binder(oc.protected_until)
    defaults = ClaimSettings()
    rules = ClockRules(first_followup_days=defaults.first_followup_days,
                       followup_timeout_days=dict(defaults.followup_timeout_days),
                       progress_timeout_days=dict(defaults.progress_timeout_days),
                       max_protection_days=defaults.max_protection_days)

    tiers = rng.choices("ABC", weights=(2, 6, 2), k=n)
    owned_ids = rng.sample(range(1, n + 1), int(n * OWNED_SHARE))
    reps = [f"UB{i:06d}" for i in range(max(2 * BENCH_USERS, math.ceil(len(owned_ids) / PER_REP)))]
    stage = dict.fromkeys(range(1, n + 1), "lead")
    ownerships, events, followups = [], [], []
    for k, cid in enumerate(owned_ids, start=1):
        rep = reps[k % len(reps)]
        tier = tiers[cid - 1]
        if rng.random() < WON_SHARE:
            stage[cid] = "won"
            start = now - timedelta(days=rng.uniform(30, 365))
            last_followup = start + timedelta(days=rng.uniform(1, 20))
            last_progress = start + timedelta(days=rng.uniform(20, 29))
        else:
            stage[cid] = rng.choice(("lead", "lead", "contacted", "qualified", "proposal"))
            start = now - timedelta(days=rng.uniform(1.5, 50))
            last_followup = now - timedelta(days=rng.uniform(0.2, min(10.0, (now - start).days or 1)))
            last_progress = start
        until = protection(rules, tier=tier, stage=stage[cid], tz=TZ, started_at=start,
                           last_followup_at=last_followup, last_progress_at=last_progress).until
        ownerships.append((k, cid, rep, at(start), at(last_followup), at(last_progress), day(until)))
        events.append((k, cid, "claim", rep, rep, "pool_claim", at(start)))
        followups.append((k, cid, k, rep, rng.choice(("call", "visit", "wechat", "email")),
                          "拜访了采购负责人，约好下周演示" if rng.random() < 0.5 else "Called the buyer; demo next week.",
                          at(last_followup), day(local_day(last_followup, TZ)), 1))

    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("BEGIN")
    created = at(now - timedelta(days=400))
    _insert(db, Customer, ("id", "name", *KEY_COLUMNS, "tier", "stage", "amount", "created_at"),
            ((i, raw, *keys, tiers[i - 1], stage[i], 120000.0 if stage[i] == "won" else None, created)
             for i, (raw, *keys) in enumerate(customers, start=1)))
    grams = sorted(
        (gram, length, i)
        for i, (_, *keys) in enumerate(customers, start=1)
        for gram, length in gram_rows(NameKeys(*keys))
    )  # the rows index_names writes, in index order: the B-tree grows at its right edge
    _insert(db, NameGram, ("gram", "key_len", "customer_id"), grams)
    _insert(db, Rep, ("id", "created_at"), ((r, created) for r in reps))
    _insert(db, Ownership, ("id", "customer_id", "rep_id", "started_at", "last_followup_at", "last_progress_at",
                            "protected_until"), ownerships)
    _insert(db, OwnershipEvent, ("id", "customer_id", "kind", "to_rep", "actor", "rule", "at"), events)
    _insert(db, FollowUp, ("id", "customer_id", "ownership_id", "rep_id", "kind", "note", "at", "local_day",
                           "qualifying"), followups)
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    settled = time.perf_counter()
    _settle(f"sqlite:///{tmp}")
    tmp.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    done = time.perf_counter()
    return {"n": n, "seed": seed, "generate_s": round(generated - started, 1),
            "insert_s": round(settled - generated, 1), "settle_s": round(done - settled, 1),
            "name_gram_rows": len(grams), "owned": len(owned_ids), "reps": len(reps),
            "bytes": path.stat().st_size}


def _settle(url: str) -> None:
    """Do what a server's first scheduled sweep does to a database once (record the clock rules in
    force and refresh the stored deadlines: unchanged here, they were computed with the same rules), so
    that a server started on the copy is in the steady state of a database that grew under it."""
    try:
        from bot.services import rule_versions
    except ImportError:  # a product without versioned clock rules: nothing to settle
        return
    from bot.config import Settings
    from bot.services.context import ServiceContext

    own = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("CLAIMBOT_")}  # the servers' settings
    try:
        engine = make_engine(url)
        rule_versions.prepare(ServiceContext(engine=engine, settings=Settings()), datetime.now(UTC))
        engine.dispose()
    finally:
        os.environ.update(own)


def _insert(db: sqlite3.Connection, model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Bulk INSERT of ``columns``; every other column with a Python-side default (as the ORM would
    write it) gets that default, so a column added to the models needs no change here."""
    table = model.__table__
    extra = {}
    for column in table.c:
        default = column.default
        if column.name not in columns and default is not None and default.is_scalar:
            extra[column.name] = _binder(column)(default.arg)
    names = [*columns, *extra]
    values = tuple(extra.values())
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    db.executemany(sql, (row + values for row in rows) if values else rows)


def working_copy(base: Path, name: str) -> Path:
    """A fresh copy of the cached database: every run starts from the same state."""
    work = OUT / name
    remove_db(work)
    shutil.copyfile(base, work)
    return work


def remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------
# The requests


@dataclass
class Request:
    kind: str  # a MIX key, or customer / mine
    command: str
    text: str
    user: str


@dataclass
class Stored:
    ids: list[int]
    names: list[str]
    keys: list[NameKeys]
    name_keys: set[str]
    owner: dict[int, str]  # customer id → owning rep
    by_owner: dict[str, list[int]]
    pool: list[int]
    reps: list[str]  # every rep: all of them exist in the Slack stand-in
    bench_users: list[str]


def load(path: Path) -> Stored:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute(f"SELECT id, name, {', '.join(KEY_COLUMNS)} FROM customer ORDER BY id").fetchall()
    owner = dict(db.execute("SELECT customer_id, rep_id FROM ownership WHERE ended_at IS NULL").fetchall())
    reps = [r for (r,) in db.execute("SELECT id FROM rep ORDER BY id")]
    db.close()
    by_owner: dict[str, list[int]] = defaultdict(list)
    for cid, rep in owner.items():
        by_owner[rep].append(cid)
    return Stored(
        ids=[r[0] for r in rows], names=[r[1] for r in rows], keys=[NameKeys(*r[2:]) for r in rows],
        name_keys={r[2] for r in rows}, owner=owner, by_owner=by_owner,
        pool=[r[0] for r in rows if r[0] not in owner], reps=reps, bench_users=reps[:BENCH_USERS],
    )


REGIONS_LONGEST_FIRST = sorted(CN_REGIONS, key=len, reverse=True)


class Planner:
    """Names for each kind of request, checked against the stored database so the outcome is known."""

    def __init__(self, path: Path, stored: Stored, seed: int):
        self.s = stored
        self.rng = random.Random(seed + 101)
        self.engine = make_engine(f"sqlite:///{path}")
        self.new_names = company_names(seed + 1000)
        self.planned: list[NameKeys] = []
        self.used: set[int] = set()
        self.write_count: Counter[str] = Counter()  # claims planned per user (daily claim cap: 10)

    def close(self) -> None:
        self.engine.dispose()

    def _matches(self, raw: str) -> list[Any]:
        with read_session(self.engine) as session:
            return find_matches(session, name_keys(raw))

    def _pick(self, ids: list[int]) -> int:
        for _ in range(1000):
            cid = self.rng.choice(ids)
            if cid not in self.used:
                self.used.add(cid)
                return cid
        raise RuntimeError("ran out of customers to pick from")

    def request(self, kind: str, user: str | None = None) -> Request:
        """A request of this kind, by ``user`` (else a bench user chosen for the kind)."""
        s, rng = self.s, self.rng
        if kind in ("created", "claimed"):
            user = user or min(s.bench_users, key=lambda u: (self.write_count[u], u))  # spread the claims
            self.write_count[user] += 1
        user = user or rng.choice(s.bench_users)
        if kind == "created":
            while True:
                raw = next(self.new_names)
                keys = name_keys(raw)
                if keys.name_key in s.name_keys or any(
                    keys.name_key == p.name_key or keys.core_key == p.core_key or fuzzy_score(keys, p) >= 90
                    or (keys.pinyin_key and keys.pinyin_key == p.pinyin_key)
                    for p in self.planned
                ):
                    continue
                if not self._matches(raw):
                    self.planned.append(keys)
                    return Request(kind, "/claim", raw, user)
        if kind == "claimed":
            return Request(kind, "/claim", s.names[self._pick(s.pool) - 1], user)
        if kind == "already_yours":
            return Request(kind, "/claim", s.names[rng.choice(s.by_owner[user]) - 1], user)
        if kind == "owned_by_other":
            cid = self._random_owned()
            while s.owner[cid] == user:
                cid = self._random_owned()
            return Request(kind, "/claim", s.names[cid - 1], user)
        if kind in ("strong", "fuzzy"):
            return Request(kind, "/claim", self._near_duplicate(kind), user)
        raise ValueError(kind)

    def _random_owned(self) -> int:
        while True:
            cid = self.rng.choice(self.s.ids)
            if cid in self.s.owner:
                return cid

    def _near_duplicate(self, kind: str) -> str:
        s, rng = self.s, self.rng
        while True:
            cid = rng.choice(s.ids)
            name, keys = s.names[cid - 1], s.keys[cid - 1]
            if kind == "strong":  # another region in front: same core key, another name key
                if not re.search(r"[\u4e00-\u9fff]", name):
                    continue
                region = next((r for r in REGIONS_LONGEST_FIRST if name.startswith(r)), "")
                rest = name[len(region):].removeprefix("市") if region else name
                other = rng.choice([r for r in CN_REGIONS if r != region])
                raw = rest if region and rng.random() < 0.4 else other + rng.choice(("", "市")) + rest
                new = name_keys(raw)
                if new.core_key != keys.core_key or new.name_key in s.name_keys:
                    continue
            else:
                raw = typo(name, rng)
                new = name_keys(raw)
                if new.name_key in s.name_keys or new.core_key == keys.core_key:
                    continue
            matches = self._matches(raw)
            tiers = {m.tier for m in matches}
            if matches and "exact" not in tiers and (kind == "strong") == ("strong" in tiers):
                return raw

    def customer_query(self) -> Request:
        """/customer: an owned customer's name, a near miss (suggestions) or a short id."""
        s, rng = self.s, self.rng
        roll = rng.random()
        user = rng.choice(s.bench_users)
        if roll < 0.6:
            return Request("customer", "/customer", s.names[self._random_owned() - 1], user)
        if roll < 0.8:
            return Request("customer", "/customer", self._near_duplicate("fuzzy"), user)
        return Request("customer", "/customer", f"C-{rng.choice(s.ids) + 1000}", user)

    def mine(self) -> Request:
        return Request("mine", "/mine", "", self.rng.choice(self.s.bench_users))


def plan_claims(planner: Planner, warmup: int, measured: int) -> tuple[list[Request], list[Request]]:
    """Warm-up (every bench user at least once, so users.info is asked and remembered) and the measured mix."""
    kinds = list(MIX)
    users = planner.s.bench_users
    warm = [planner.request(kinds[i % len(kinds)], users[i % len(users)]) for i in range(max(warmup, len(users)))]
    counts = {k: round(share * measured) for k, share in MIX.items()}
    counts["owned_by_other"] += measured - sum(counts.values())
    sequence = [k for k, c in counts.items() for _ in range(c)]
    planner.rng.shuffle(sequence)
    return warm, [planner.request(k) for k in sequence]


def standin_users(users: list[str]) -> dict[str, dict[str, str]]:
    """Every rep as Slack knows them: half with a Chinese locale, half English."""
    return {u: {"name": u.lower(), "real_name": f"Rep {u[-4:]}", "locale": ("zh-CN", "en-US")[i % 2],
                "tz": TZ} for i, u in enumerate(users)}


# ------------------------------------------------------------------------------------------------
# The replies


def _outcome_patterns() -> list[tuple[str, int, re.Pattern[str]]]:
    """(catalog key, characters of fixed text, pattern of its first line)."""
    keys = [k for k in CATALOG if k.startswith(("claim.", "error.", "not_found", "customer.header", "mine."))]
    out = []
    for key in keys:
        for template in CATALOG[key].values():
            first_line = template.split("\n", 1)[0]
            parts = re.split(r"\{[a-z_]+(?::[^{}]*)?\}", first_line)  # a plural form is a field too
            out.append((key, sum(map(len, parts)), re.compile(".*?".join(re.escape(p) for p in parts))))
    return out


_PATTERNS = _outcome_patterns()
_OUTCOME_OF_KEY = {"claim.already_yours_won": "already_yours", "claim.owned_by_other_won": "owned_by_other",
                   "customer.header": "customer", "not_found": "customer", "mine.header": "mine",
                   "mine.empty": "mine"}


def outcome_of(reply: str) -> str:
    """The catalog entry whose template the first line of a reply's text is: created, confirm, …"""
    try:
        first_line = json.loads(reply).get("text", "").split("\n", 1)[0]
    except ValueError:
        return "not-json"
    found = [(fixed, key) for key, fixed, pattern in _PATTERNS if pattern.fullmatch(first_line)]
    if not found:
        return "unknown"
    _, key = max(found)  # the most fixed text: "*Your customers* (…" is mine.header, not "*{name}* ({sid})"
    return _OUTCOME_OF_KEY.get(key, key.split(".", 1)[1] if key.startswith("claim.") else key)


# ------------------------------------------------------------------------------------------------
# Servers and the client


class AckProcess(ServeProcess):
    """bench/ack_app.py, started and stopped like `claimbot serve`."""

    def command(self) -> list[str]:
        return [sys.executable, str(ROOT / "bench" / "ack_app.py"), "--port", str(self.port), *self.extra_args]


def serve_env(database_url: str, standin: SlackStandIn) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": TOKEN}


LOCAL = ["--host", "127.0.0.1"]


def body_of(req: Request, standin: SlackStandIn) -> str:
    return slash_command_body(req.command, req.text, user_id=req.user, user_name=req.user.lower(),
                              response_url=standin.response_url(uuid.uuid4().hex))


def send(url: str, body: str) -> tuple[float, int, str]:
    """One signed POST through urllib (a new connection each time): (seconds, status, reply)."""
    headers = sign(body, SECRET)
    started = time.perf_counter()
    status, reply = post(url, body, headers, timeout=60)
    return time.perf_counter() - started, status, reply


def quantiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def rank(p: float) -> float:  # nearest rank
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000

    return {"n": len(ordered), "median_ms": statistics.median(ordered) * 1000, "p90_ms": rank(0.90),
            "p99_ms": rank(0.99), "mean_ms": statistics.fmean(ordered) * 1000, "max_ms": ordered[-1] * 1000}


def wait_for_name_index(server: ServeProcess, timeout: float = 180.0) -> float:
    """Seconds until the server has loaded its in-memory name index (it loads in the background and
    answers from the database meanwhile): measure the server as it runs, not as it starts."""
    started = time.monotonic()
    while "In-memory name index:" not in server.stderr():
        if time.monotonic() - started > timeout or "could not be loaded" in server.stderr():
            raise RuntimeError(f"the name index did not load:\n{server.stderr()[-2000:]}")
        time.sleep(0.1)
    return time.monotonic() - started


def problems_in(stderr: str) -> list[str]:
    """Server log lines worth a look: warnings, errors, tracebacks."""
    return [line for line in stderr.splitlines()
            if any(w in line for w in (" WARNING ", " ERROR ", " CRITICAL ", "Traceback", "Error:"))]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------------
# The benchmark


def run(n: int, seed: int, warmup: int, measured: int, rebuild: bool, pause: float,
        scheduler: bool = False) -> dict[str, Any]:
    base, build = ensure_db(n, seed, rebuild=rebuild)
    print(f"database: {base.name} ({'cached' if build['cached'] else 'built'}; {build})", flush=True)
    stored = load(base)
    planner = Planner(base, stored, seed)
    t0 = time.perf_counter()
    warm, plan = plan_claims(planner, warmup, measured)
    planner.close()
    print(f"planned {len(warm)} warm-up + {len(plan)} measured requests in {time.perf_counter() - t0:.1f}s",
          flush=True)
    work = working_copy(base, "claim_http_work.db")
    load_before = os.getloadavg()[0]
    standin = SlackStandIn(standin_users(stored.reps), token=TOKEN).start()
    env = serve_env(f"sqlite:///{work}", standin)
    ours = ServeProcess(env, extra_args=LOCAL + ([] if scheduler else ["--no-scheduler"]))
    floor = AckProcess(env, extra_args=LOCAL)
    samples: dict[str, list[float]] = {"ours": [], "floor": []}
    by_kind: dict[str, list[float]] = defaultdict(list)
    wrong: list[dict[str, Any]] = []
    outcomes: Counter[str] = Counter()
    try:
        ours.start()
        floor.start()
        wait_for_name_index(ours)
        pids = {"ours": ours.process.pid, "floor": floor.process.pid}  # type: ignore[union-attr]
        cpu: dict[str, float] = {}
        for phase, requests in (("warm-up", warm), ("measured", plan)):
            cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
            for i, req in enumerate(requests):
                body = body_of(req, standin)
                order = (("ours", ours), ("floor", floor)) if i % 2 == 0 else (("floor", floor), ("ours", ours))
                for name, server in order:
                    time.sleep(pause)  # both servers idle alike before every request (see the docstring)
                    elapsed, status, reply = send(server.url, body)
                    if status != 200:
                        raise RuntimeError(f"{name}: HTTP {status} for {req}: {reply[:300]}")
                    if phase == "measured":
                        samples[name].append(elapsed)
                    if name == "ours":
                        got = outcome_of(reply)
                        if phase == "measured":
                            by_kind[req.kind].append(elapsed)
                            outcomes[got] += 1
                        if got != EXPECT[req.kind]:
                            wrong.append({"phase": phase, **asdict(req), "expected": EXPECT[req.kind], "got": got,
                                          "reply": json.loads(reply).get("text", "")[:300]})
        cpu_ms = {name: (cpu_seconds(pid) - cpu[name]) * 1000 / len(plan) for name, pid in pids.items()}
        rss = proc_status(pids["ours"])
        hot = [send(floor.url, body_of(req, standin))[0] for req in plan]  # the floor back to back, for reference
    finally:
        ours.stop()
        floor.stop()
        standin.stop()
        remove_db(work)
    stats = {name: quantiles(s) for name, s in samples.items()}
    ratio = stats["ours"]["median_ms"] / stats["floor"]["median_ms"]
    return {
        "benchmark": "claim_http", "n": n, "seed": seed, "warmup": len(warm), "measured": len(plan),
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "build": build,
        "load_average_1m": {"before": load_before, "after": os.getloadavg()[0]},  # other work on the machine
        "pause_s": pause, "scheduler": scheduler, "timings": stats,
        "server_cpu_ms_per_request": cpu_ms, "ratio_cpu": cpu_ms["ours"] / max(cpu_ms["floor"], 1e-9), "floor_back_to_back": quantiles(hot), "ratio_median": ratio, "target": RATIO_TARGET, "met": ratio <= RATIO_TARGET,
        "by_kind": {k: quantiles(v) for k, v in sorted(by_kind.items())},
        "outcomes": dict(outcomes), "unexpected_replies": wrong,
        "web_api_calls": dict(Counter(c.method for c in standin.calls)),
        "server_rss_kib": rss,
        "server_log_problems": {"ours": problems_in(ours.stderr()), "floor": problems_in(floor.stderr())},
    }


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} CPU ({cpu}), {mem / 1024 / 1024:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def report(r: dict[str, Any]) -> None:
    print(f"\n/claim over signed HTTP: {r['n']:,} customers, {r['measured']} measured requests "
          f"(after {r['warmup']} warm-up), each sent to both servers")
    print(f"{'stack':<28}{'median ms':>11}{'p90 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for name, label in (("ours", "claimbot serve"), ("floor", "floor: Bolt ack-only")):
        t = r["timings"][name]
        print(f"{label:<28}{t['median_ms']:>11.2f}{t['p90_ms']:>10.2f}{t['p99_ms']:>10.2f}{t['mean_ms']:>10.2f}")
    print(f"ratio of medians: {r['ratio_median']:.2f} (target ≤ {r['target']}: {'met' if r['met'] else 'MISSED'}); "
          f"{r['pause_s'] * 1000:g} ms idle before every request; scheduler {'on' if r['scheduler'] else 'off'}")
    print(f"(floor sent back to back, no pause: median {r['floor_back_to_back']['median_ms']:.2f} ms)")
    cpu = r["server_cpu_ms_per_request"]
    print(f"server CPU time per request (mean, /proc/PID/stat): ours {cpu['ours']:.2f} ms, floor {cpu['floor']:.2f} ms, "
          f"ratio {r['ratio_cpu']:.2f} (less sensitive to other work on the machine than wall time)")
    print(f"\n{'kind (claimbot)':<28}{'count':>6}{'median ms':>11}{'p90 ms':>10}{'max ms':>10}")
    for kind, t in r["by_kind"].items():
        print(f"{kind:<28}{t['n']:>6}{t['median_ms']:>11.2f}{t['p90_ms']:>10.2f}{t['max_ms']:>10.2f}")
    load = r["load_average_1m"]  # this run alone adds about 1; more means other work shared the CPUs
    print(f"1-minute load average: {load['before']:.1f} before, {load['after']:.1f} after")
    print(f"\nreplies: {r['outcomes']}; Web API calls: {r['web_api_calls']}; server RSS: {r['server_rss_kib']} KiB")
    if r["unexpected_replies"]:
        print(f"UNEXPECTED REPLIES: {len(r['unexpected_replies'])}")
        for w in r["unexpected_replies"][:10]:
            print(f"  {w['kind']} {w['text']!r} by {w['user']}: expected {w['expected']}, got {w['got']}: {w['reply'][:160]!r}")
    for name, lines in r["server_log_problems"].items():
        if lines:
            print(f"{name} server log: {len(lines)} warning/error lines, e.g.")
            for line in lines[:5]:
                print(f"  {line[:200]}")


# ------------------------------------------------------------------------------------------------
# Where the time goes: the real app in this process (waitress, sequential requests), timers and cProfile


TIMED = (  # (module, attribute) wrapped with a timer in the profiling run
    ("bot.server.SlackWsgiApp", "__call__"),
    ("slack_bolt.App", "dispatch"),
    ("slack_bolt.middleware.request_verification.RequestVerification", "process"),
    ("bot.commands.claim", "user_language"),
    ("bot.commands.claim.claims", "claim"),
    ("bot.services.claims", "find_matches"),
    ("bot.services.claims", "write_session"),
    ("bot.services.claims", "ensure_rep"),
    ("bot.services.claims", "snapshot"),
    ("bot.services.claims", "_holding"),
    ("bot.services.claims", "_claimed_today"),
    ("bot.services.claims", "_last_given_up"),
    ("bot.services.claims", "active_ownership"),
    ("bot.commands.claim", "claim_result"),
    ("storage.lookup", "find_fuzzy"),
    ("storage.lookup", "_candidates"),
    ("storage.lookup", "_capped_counts"),
    ("storage.lookup", "_rarity"),
    ("storage.lookup", "_exact_match"),
    ("bot.services.claims", "transaction"),
    ("bot.services.claims", "_look"),
    ("bot.services.claims", "_claim_once"),
    ("bot.services.claims", "name_keys"),
    ("bot.services.claims.claim_rows", "data_version"),
    ("bot.services.claims.claim_rows", "insert_ownership"),
    ("bot.services.claims.claim_rows", "insert_event"),
    ("bot.services.claims", "near_matches"),
    ("bot.services.claims", "snapshot_of"),
    ("bot.services.claims.reps", "ensure_rep_row"),
    ("bot.services.claims.ownership_changes", "start_row"),
    ("bot.services.claims.claim_rows", "exact"),
    ("bot.services.claims.claim_rows", "by_ids"),
    ("bot.services.claims.claim_rows", "cap_counts"),
    ("bot.services.claims.claim_rows", "insert_customer"),
    ("bot.services.claims", "index_names"),
)  # names the code no longer has are skipped


def _resolve(path: str) -> Any:
    """A module, class or module attribute by dotted path (submodules imported as needed)."""
    import importlib

    parts = path.split(".")
    obj: Any = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:i]))
    return obj


def install_timers(totals: dict[str, list[tuple[float, float]]]) -> None:
    """Wrap every TIMED function: each call appends (wall seconds, this thread's CPU seconds)."""
    import contextlib

    for owner_path, attr in TIMED:
        owner = _resolve(owner_path)
        original = getattr(owner, attr, None)
        if original is None:
            continue
        label = f"{owner_path.rsplit('.', 1)[-1]}.{attr}"
        if attr in ("write_session", "transaction"):
            @contextlib.contextmanager
            def timed_cm(*a: Any, _f: Any = original, _l: str = label, **kw: Any) -> Iterator[Any]:
                start, cpu = time.perf_counter(), time.thread_time()
                try:
                    with _f(*a, **kw) as value:
                        yield value
                finally:  # includes the body of the with-block and the commit
                    totals[_l].append((time.perf_counter() - start, time.thread_time() - cpu))
            setattr(owner, attr, timed_cm)
            continue

        def timed(*a: Any, _f: Any = original, _l: str = label, **kw: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return _f(*a, **kw)
            finally:
                totals[_l].append((time.perf_counter() - start, time.thread_time() - cpu))

        setattr(owner, attr, timed)


def profile(n: int, seed: int, warmup: int, measured: int) -> dict[str, Any]:
    """Two in-process passes over the same plan: cProfile (detailed), then function timers (accurate)."""
    import logging

    from waitress.server import create_server

    logging.basicConfig(level=logging.WARNING)

    base, _ = ensure_db(n, seed)
    stored = load(base)
    planner = Planner(base, stored, seed)
    warm, plan = plan_claims(planner, warmup, measured)
    planner.close()
    standin = SlackStandIn(standin_users(stored.reps), token=TOKEN).start()
    result: dict[str, Any] = {}
    try:
        for mode in ("cprofile", "timers"):  # timers stay installed: last
            work = working_copy(base, f"claim_http_profile_{mode}.db")
            os.environ.update(serve_env(f"sqlite:///{work}", standin))
            from bot.app import create_app
            from bot.bootstrap import context, ensure_schema
            from bot.server import SlackWsgiApp
            from storage.engine import get_engine

            get_engine.cache_clear()
            ctx = context()
            ensure_schema(ctx)
            totals: dict[str, list[tuple[float, float]]] = defaultdict(list)
            if mode == "timers":
                install_timers(totals)
            wsgi = SlackWsgiApp(create_app(ctx))
            holder: dict[str, cProfile.Profile | None] = {"p": None}

            def app(environ: Any, start_response: Any, _wsgi: Any = wsgi, _h: Any = holder) -> Any:
                prof = _h["p"]
                if prof is None:
                    return _wsgi(environ, start_response)
                prof.enable()
                try:
                    return _wsgi(environ, start_response)
                finally:
                    prof.disable()

            server = create_server(app, host="127.0.0.1", port=0, threads=4)
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            url = f"http://127.0.0.1:{server.effective_port}/slack/events"
            for req in warm:
                send(url, body_of(req, standin))
            totals.clear()
            if mode == "cprofile":  # CPU time of the request's thread: other work on the machine doesn't count
                holder["p"] = cProfile.Profile(time.thread_time)
            wall = []
            per_kind: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
            for req in plan:
                before = {label: len(v) for label, v in totals.items()}
                elapsed, _, _ = send(url, body_of(req, standin))
                wall.append(elapsed)
                per_kind[req.kind]["wall (client)"].append(elapsed)
                for label, v in list(totals.items()):
                    per_kind[req.kind][label].append(sum(c for _, c in v[before.get(label, 0):]))
            time.sleep(0.2)  # let the last task finish before the trigger closes
            server.close()
            ctx.engine.dispose()
            remove_db(work)
            if mode == "timers":
                result["wall"] = quantiles(wall)
                result["per_request_ms"] = {label: {"calls_per_request": len(v) / len(plan),
                                                    "wall_ms_per_request": sum(w for w, _ in v) * 1000 / len(plan),
                                                    "cpu_ms_per_request": sum(c for _, c in v) * 1000 / len(plan),
                                                    "median_cpu_ms_per_call": statistics.median(c for _, c in v) * 1000}
                                            for label, v in totals.items()}
                result["median_ms_by_kind"] = {
                    kind: {label: statistics.median(v) * 1000 for label, v in labels.items()}
                    for kind, labels in sorted(per_kind.items())
                }
            else:
                prof = holder["p"]
                assert prof is not None
                prof.dump_stats(str(OUT / "claim_http.prof"))
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(45)
                result["cprofile_top"] = buf.getvalue()
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(30)
                result["cprofile_tottime"] = buf.getvalue()
    finally:
        standin.stop()
    return result


def report_profile(r: dict[str, Any], measured: int) -> None:
    print(f"\nin-process, with timers: client wall median {r['wall']['median_ms']:.2f} ms over {measured} requests")
    print("CPU = CPU time of the request's thread (time.thread_time); wall includes waiting for the CPU")
    print(f"{'function':<40}{'calls/req':>10}{'wall ms/req':>12}{'CPU ms/req':>12}{'median CPU ms/call':>20}")
    ordered = sorted(r["per_request_ms"].items(), key=lambda kv: -kv[1]["cpu_ms_per_request"])
    for label, v in ordered:
        print(f"{label:<40}{v['calls_per_request']:>10.2f}{v['wall_ms_per_request']:>12.2f}"
              f"{v['cpu_ms_per_request']:>12.2f}{v['median_cpu_ms_per_call']:>20.3f}")
    kinds = list(r["median_ms_by_kind"])
    print("\nmedian CPU ms per request, by kind of request (first row: client wall time; 0: not called)")
    print(f"{'function':<40}" + "".join(f"{k[:14]:>15}" for k in kinds))
    for label in ["wall (client)", *(label for label, _ in ordered)]:
        print(f"{label:<40}" + "".join(f"{r['median_ms_by_kind'][k].get(label, 0.0):>15.2f}" for k in kinds))
    print("\ncProfile (CPU time of the request thread), measured requests only; bench/out/claim_http.prof")
    print(r["cprofile_top"])
    print(r["cprofile_tottime"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="customers stored (default 100,000)")
    parser.add_argument("--measured", type=int, default=300, help="measured requests (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests (at least one per bench user)")
    parser.add_argument("--pause", type=float, default=0.05, help="idle seconds before every request (0.05)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--scheduler", action="store_true",
                        help="run claimbot serve with its scheduled jobs (default: --no-scheduler)")
    parser.add_argument("--profile", action="store_true", help="instead: where the time goes, in-process")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.profile:
        result = profile(args.n, args.seed, args.warmup, args.measured)
        report_profile(result, args.measured)
        (OUT / "claim_http_profile.json").write_text(json.dumps(result, ensure_ascii=False, indent=2),
                                                      encoding="utf-8")
        return 0
    result = run(args.n, args.seed, args.warmup, args.measured, args.rebuild, args.pause, args.scheduler)
    report(result)
    (OUT / "claim_http.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
