"""The fuzzy tier of the name lookup, answered from memory in a long-running server.

``storage.lookup.find_fuzzy`` answers from the database: it intersects posting lists of ``name_gram``
in SQL and reads the candidates' keys from ``customer``. At 1,000,000 customers most queries take
about a millisecond, but the tail does not: a name made of a rare part and a common word
(``Skygenent Technologies``, ``泰康都环保科技``) has thousands of stored keys that keep enough of its
segments intact, no gram filter can drop them (docs/decisions/0015), and SQLite spends ~1.5 µs on
each. This index holds the same postings, and every customer's keys, in flat arrays:

1. the postings of a gram at the admissible key lengths are one contiguous slice (they are kept in
   ``name_gram``'s order: gram, key length, customer id);
2. a segment is intact in a customer when every gram of it is: each list is scattered into an array
   of counters (``hits[ids] += 1`` counts a repeated id once — a customer whose core and stem keys
   both have the gram — which is the set semantics wanted);
3. a customer is a candidate when enough segments are intact for one of its keys' lengths (its core
   and stem keys are not told apart, which only adds candidates);
4. **characters.** Each key has a 64-bit mask (one bit per character, by code point) and 16 counts
   (characters per bucket of code points). A character bit of a candidate's key that the query lacks
   is a character to delete, and the differences of the bucket counts add up to at most the indel
   distance (``_may_score``): numpy drops the candidates whose bound exceeds ``indel_bound`` — most
   of the ``…technologies`` and ``…环保科技`` — without reading a key;
5. the rest are scored as in find_fuzzy: rapidfuzz screens, ``fuzzy_score`` decides.

Every step only drops keys that cannot score ≥ T, so the answer is find_fuzzy's:
tests/test_fuzzy_index.py compares the two and a brute-force scan, and bench/bench_lookup.py does at
1,000,000 customers. ``ResidentIndex.load`` reads everything once (seconds per million customers);
customers stored later, by this process or another, are read by ``refresh`` before each lookup into a
small ``MemoryFuzzyIndex``. A customer's keys never change and customers are never deleted, so nothing
read goes stale.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
import threading
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Connection, Engine

from bot.rules.names import (
    FUZZY_THRESHOLD,
    NameKeys,
    fuzzy_score,
    indel_bound,
    is_fuzzable,
    length_range,
    segment_count,
    segment_grams,
    segments,
)
from storage.lookup_memory import MemoryFuzzyIndex

log = logging.getLogger(__name__)

# PostgreSQL hands out ids before commit, so a customer may commit after a larger id has been read: an
# id skipped over is asked for again at every refresh for this long (a rolled-back insert never fills
# its id). SQLite commits in id order (one writer at a time): nothing is skipped there.
_GAP_SECONDS = 15 * 60
_GAP_WINDOW_AT_LOAD = 100_000  # ids below the highest loaded one that may still be in flight
# Customers stored after the load are held in a small dict-based index; past this many (or a tenth of
# those loaded) the whole index is loaded again in the background.
_RECENT_RELOAD = 20_000
_CHUNK = 1 << 16  # rows read and converted at a time while loading


# Per customer, what the filters read, as one row of ``Customers.records`` (one cache line to fetch for
# a candidate, not six): the two key lengths (16 bits each), then per kind of key its character mask
# and its bucket counts.
LENGTHS, MASK, BAG = 0, {"core": 1, "stem": 2}, {"core": 3, "stem": 4}


class ResidentIndex:
    def __init__(self, customers: Customers, grams: Grams, *, track_gaps: bool = False) -> None:
        self.customers = customers
        self.grams = grams  # postings by position in ``customers``
        size = len(customers.ids)
        self._segment_hits = np.zeros(size, dtype=np.uint8)  # scratch counters, zero between lookups
        self._intact = np.zeros(size, dtype=np.uint16)
        self.recent = MemoryFuzzyIndex()  # customers stored after the load
        self.reloading = False
        self.load_seconds = 0.0  # how long ``load`` took (reported by /metrics)
        self._seen_up_to = customers.max_id
        self._track_gaps = track_gaps
        self._gaps: dict[int, float] = {}  # id skipped over → since when (PostgreSQL)
        if track_gaps:
            present = set(customers.ids[customers.ids > customers.max_id - _GAP_WINDOW_AT_LOAD].tolist())
            self._skipped(range(max(1, customers.max_id - _GAP_WINDOW_AT_LOAD), customers.max_id + 1), present)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, conn: Connection) -> ResidentIndex:
        """Read every customer's keys and the postings of ``name_gram``. ``conn`` must be in a
        transaction that sees one snapshot: the postings are cut by counts read just before."""
        with _streamed(conn, "SELECT id, core_key, stem_key FROM customer ORDER BY id") as rows:
            customers = Customers.read(rows)
        with _streamed(conn, "SELECT gram, key_len, count(*) FROM name_gram GROUP BY gram, key_len"
                             " ORDER BY gram, key_len") as rows:
            grams = Grams.read(rows)
        total = int(grams.starts[-1])
        grams.postings = np.empty(total, dtype=np.int32)  # by position, filled a chunk at a time
        filled = 0
        with _streamed(conn, "SELECT customer_id FROM name_gram ORDER BY gram, key_len, customer_id") as rows:
            while chunk := rows.fetchmany(_CHUNK):
                if filled + len(chunk) > total:
                    break
                ids = np.fromiter((r[0] for r in chunk), dtype=np.int32, count=len(chunk))
                grams.postings[filled:filled + len(chunk)] = customers.position[ids]
                filled += len(chunk)
        if filled != total:
            raise RuntimeError("name_gram changed while it was read: load in one snapshot")
        return cls(customers, grams, track_gaps=conn.dialect.name != "sqlite")

    def nbytes(self) -> int:
        """Bytes held in the arrays and texts (what a million customers cost: docs/benchmarks.md)."""
        total = self._segment_hits.nbytes + self._intact.nbytes
        for part in (*vars(self.customers).values(), *vars(self.grams).values()):
            if isinstance(part, np.ndarray):
                total += part.nbytes
            elif isinstance(part, array):
                total += part.itemsize * len(part)
            elif isinstance(part, str):
                total += sys.getsizeof(part)
        return total

    def refresh(self, engine: Engine) -> None:
        """Read the customers committed since the load, by any process: on a connection of its own, so
        that nothing a caller's transaction has written and may roll back is taken for stored."""
        with self._lock:
            now = time.monotonic()
            self._gaps = {cid: since for cid, since in self._gaps.items() if now - since < _GAP_SECONDS}
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                if self._gaps:
                    cursor.execute(_NEWER_OR_SKIPPED, (self._seen_up_to, list(self._gaps)))
                else:
                    cursor.execute(_NEWER[engine.dialect.paramstyle], (self._seen_up_to,))
                rows = cursor.fetchall()
                cursor.close()
            finally:
                raw.close()
            found = set()
            for cid, core_key, stem_key in rows:
                found.add(cid)
                self._gaps.pop(cid, None)
                if not self.customers.has(cid):
                    self.recent.add(cid, core_key, stem_key)
            highest = max(found, default=self._seen_up_to)
            if self._track_gaps and highest > self._seen_up_to:
                self._skipped(range(self._seen_up_to + 1, highest + 1), found, now)
            self._seen_up_to = max(self._seen_up_to, highest)

    def _skipped(self, ids: range, present: set[int], now: float | None = None) -> None:
        since = time.monotonic() if now is None else now
        for cid in ids:
            if cid not in present:
                self._gaps[cid] = since

    def outgrown(self) -> bool:
        """Enough customers were stored since the load that loading again is worth it."""
        return len(self.recent) > max(_RECENT_RELOAD, len(self.customers.ids) // 10)

    def find(self, keys: NameKeys) -> dict[int, float]:
        """Every customer whose ``fuzzy_score`` against ``keys`` is ≥ FUZZY_THRESHOLD, with that score."""
        queries = {key for key in (keys.core_key, keys.stem_key) if is_fuzzable(key)}
        if not queries:
            return {}
        with self._lock:
            try:
                # A customer may come twice: once per query key, or for both its keys in one list.
                near = np.unique(np.concatenate([self._near(keys, query) for query in queries]))
            except BaseException:
                self._segment_hits.fill(0)  # the scratch counters must be zero for the next lookup
                self._intact.fill(0)
                raise
            found = self._verify(keys, near.tolist())
            found.update(self.recent.find(keys))
        return found

    def _near(self, keys: NameKeys, key: str) -> np.ndarray:
        """Positions of the customers with a key of admissible length that keeps enough segments of
        ``key`` intact and may score ≥ T by its characters (a position may come more than once)."""
        n = len(key)
        lo, hi = length_range(n)
        count = segment_count(n)
        hits, intact = self._segment_hits, self._intact
        found = []
        for segment in segments(key, count):
            lists = [self.grams.postings_of(gram, lo, hi) for gram in segment_grams(segment)]
            if any(len(at) == 0 for at in lists):
                continue
            if len(lists) == 1:
                here = lists[0]
            elif len(lists) < 255:  # the counters are bytes (names have at most 200 characters)
                for at in lists:
                    hits[at] += 1
                smallest = min(lists, key=len)
                here = smallest[hits[smallest] == len(lists)]
                for at in lists:
                    hits[at] = 0
            else:
                here = functools.reduce(np.intersect1d, lists)
            found.append(here[intact[here] == 0])  # each customer once (nearly: see ``find``)
            intact[here] += 1
        if not found:
            return np.zeros(0, dtype=np.int32)
        every = np.concatenate(found)
        records = np.take(self.customers.records, every, axis=0)
        need = np.full(self.customers.longest + 1, count + 1, dtype=np.uint16)  # by key length
        for length in range(lo, min(hi, self.customers.longest) + 1):
            need[length] = count - indel_bound(n, length)
        lengths = records[:, LENGTHS]
        enough = intact[every] >= np.minimum(need[lengths & 0xFFFF], need[lengths >> 16])
        intact[every] = 0
        chosen = records[enough]
        scored: np.ndarray = every[enough][self._may_score(keys, chosen)]
        return scored

    def _verify(self, keys: NameKeys, at: list[int]) -> dict[int, float]:
        if not at:
            return {}
        c = self.customers
        cores, stems = c.cores(at), c.stems(at)
        hits: set[int] = set()
        for query, stored in ((keys.core_key, cores), (keys.stem_key, stems)):
            if is_fuzzable(query):
                hits.update(index for _, _, index in process.extract(
                    query, stored, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None))
        found = {}
        for index in hits:
            score = fuzzy_score(keys, NameKeys("", cores[index], stems[index]))
            if score >= FUZZY_THRESHOLD:
                found[int(c.ids[at[index]])] = score
        return found

    def _may_score(self, keys: NameKeys, records: np.ndarray) -> np.ndarray:
        """Which customers may score ≥ T, from their keys' lengths and characters alone.

        A bit of a key's mask that the query's lacks stands for a character of the key that the query
        lacks, which must be deleted; a bit of the query's that the key's lacks, one to insert. The
        differences of the bucket counts add up to at most the indel distance too (characters
        sharing a bit or a bucket only lower either sum). Either above ``indel_bound`` rules a key out.
        """
        longest = self.customers.longest
        keep = np.zeros(len(records), dtype=bool)
        for query, kind in ((keys.core_key, "core"), (keys.stem_key, "stem")):
            if not is_fuzzable(query):
                continue
            bound = np.full(longest + 1, -1, dtype=np.int16)  # by key length; −1: not admissible
            lo, hi = length_range(len(query))
            for length in range(lo, min(hi, longest) + 1):
                bound[length] = indel_bound(len(query), length)
            lengths = records[:, LENGTHS]
            bound = bound[lengths & 0xFFFF if kind == "core" else lengths >> 16]
            mask = np.uint64(char_mask(query))
            theirs = records[:, MASK[kind]]
            near = np.bitwise_count(theirs & ~mask) + np.bitwise_count(mask & ~theirs) <= bound
            ours = _counts(np.array([char_bag(query)], dtype=np.uint64))
            near[near] = np.abs(_counts(records[near, BAG[kind]]) - ours).sum(axis=1) <= bound[near]
            keep |= near
        return keep


@dataclass
class Customers:
    """Every customer's keys, by position (customer ids ascending): the text of all core keys and of
    the stem keys that differ from their core key, cut by offsets (a million ``str`` objects would
    take ~70 bytes apiece more), and per key its length, character mask and bucket counts."""

    ids: np.ndarray
    position: np.ndarray  # customer id → position (−1: none)
    core_text: str
    core_at: array[int]
    stem_text: str  # "" where the stem key is the core key
    stem_at: array[int]
    records: np.ndarray  # uint64 rows per position: LENGTHS, MASK[kind], BAG[kind]

    @property
    def max_id(self) -> int:
        return len(self.position) - 1

    @property
    def longest(self) -> int:
        return self._longest

    def __post_init__(self) -> None:
        lengths = self.records[:, LENGTHS]
        self._longest = int(max((lengths & 0xFFFF).max(initial=0), (lengths >> 16).max(initial=0)))

    def has(self, cid: int) -> bool:
        return cid < len(self.position) and self.position[cid] >= 0

    def cores(self, at: list[int]) -> list[str]:
        text, starts = self.core_text, self.core_at
        return [text[starts[i]:starts[i + 1]] for i in at]

    def stems(self, at: list[int]) -> list[str]:
        out = []
        for i in at:
            a, b = self.stem_at[i], self.stem_at[i + 1]
            out.append(self.stem_text[a:b] if a != b else self.core_text[self.core_at[i]:self.core_at[i + 1]])
        return out

    @classmethod
    def read(cls, cursor: Any) -> Customers:
        ids: list[np.ndarray] = []
        core_parts: list[str] = []
        stem_parts: list[str] = []
        core_at, stem_at = array("L", [0]), array("L", [0])
        records: list[np.ndarray] = []
        while rows := cursor.fetchmany(_CHUNK):
            ids.append(np.fromiter((r[0] for r in rows), dtype=np.int32, count=len(rows)))
            cores = [r[1] for r in rows]
            stems = [r[2] for r in rows]
            own_stems = ["" if s == c else s for c, s in zip(cores, stems, strict=True)]
            for parts, offsets, texts in ((core_parts, core_at, cores), (stem_parts, stem_at, own_stems)):
                parts.append("".join(texts))
                total = offsets[-1]
                for t in texts:
                    total += len(t)
                    offsets.append(total)
            part = np.zeros((len(rows), 5), dtype=np.uint64)
            for kind, texts, shift in (("core", cores, 0), ("stem", stems, 16)):
                lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)).clip(0, 65535)
                part[:, LENGTHS] |= lengths.astype(np.uint64) << np.uint64(shift)
                part[:, MASK[kind]] = char_masks(texts)
                part[:, BAG[kind]] = char_bags(texts)
            records.append(part)
        all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
        position = np.full(int(all_ids[-1]) + 1 if len(all_ids) else 1, -1, dtype=np.int32)
        position[all_ids] = np.arange(len(all_ids), dtype=np.int32)
        return cls(ids=all_ids, position=position, core_text="".join(core_parts), core_at=core_at,
                   stem_text="".join(stem_parts), stem_at=stem_at,
                   records=np.concatenate(records) if records else np.zeros((0, 5), dtype=np.uint64))


@dataclass
class Grams:
    """The postings of ``name_gram`` in its own order, with where each (gram, key length) starts; and
    per gram (by ``gram_code``, sorted) its first and last (gram, key length) group."""

    codes: np.ndarray
    first: np.ndarray
    end: np.ndarray
    lens: np.ndarray  # key length of each group
    starts: np.ndarray  # where each group's postings start (one more: the end)
    postings: np.ndarray

    def postings_of(self, gram: str, lo: int, hi: int) -> np.ndarray:
        """Customers with a key of length lo … hi that has ``gram`` (a slice, ascending per length)."""
        code = gram_code(gram)
        at = int(np.searchsorted(self.codes, code))
        if at == len(self.codes) or int(self.codes[at]) != code:
            return self.postings[:0]
        first, end = int(self.first[at]), int(self.end[at])
        lens = self.lens[first:end]
        a = first + int(np.searchsorted(lens, lo, side="left"))
        b = first + int(np.searchsorted(lens, hi, side="right"))
        return self.postings[self.starts[a]:self.starts[b]]

    @classmethod
    def read(cls, cursor: Any) -> Grams:
        """From (gram, key length, count) rows, grouped and in the order the postings will come."""
        codes, lens, counts = [], [], []
        while rows := cursor.fetchmany(_CHUNK):
            codes.append(gram_codes([r[0] for r in rows]))
            lens.append(np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)))
            counts.append(np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)))
        group_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
        starts = np.zeros(len(group_codes) + 1, dtype=np.int64)
        if counts:
            np.cumsum(np.concatenate(counts), out=starts[1:])
        # A gram's groups are adjacent (ORDER BY gram), in whatever order the database's collation
        # puts the grams: the gram table is sorted by code for the binary search.
        first = np.flatnonzero(np.r_[True, group_codes[1:] != group_codes[:-1]]) if len(group_codes) else (
            np.zeros(0, dtype=np.int64))
        end = np.r_[first[1:], len(group_codes)].astype(np.int64)
        order = np.argsort(group_codes[first], kind="stable")
        return cls(codes=group_codes[first][order], first=first[order].astype(np.int32),
                   end=end[order].astype(np.int32),
                   lens=np.concatenate(lens).astype(np.uint16) if lens else np.zeros(0, dtype=np.uint16),
                   starts=starts, postings=np.zeros(0, dtype=np.int32))


def gram_code(gram: str) -> int:
    """A gram (1–3 characters) as one integer, 21 bits per code point."""
    code = 0
    for ch in gram:
        code = (code << 21) | ord(ch)
    return code << (21 * (3 - len(gram)))


def gram_codes(grams: list[str]) -> np.ndarray:
    """``gram_code`` of each gram, vectorised."""
    points = np.frombuffer("".join(g.ljust(3, "\0") for g in grams).encode("utf-32-le"), dtype=np.uint32)
    wide = points.astype(np.int64).reshape(-1, 3)
    return (wide[:, 0] << 42) | (wide[:, 1] << 21) | wide[:, 2]


def char_mask(key: str) -> int:
    """One bit per character: its code point modulo 64."""
    mask = 0
    for ch in key:
        mask |= 1 << (ord(ch) & 63)
    return mask


def char_bag(key: str) -> int:
    """How many characters of the key fall in each of 16 buckets of code points, 4 bits each (at most
    15: capping two counts never widens their difference)."""
    counts = [0] * 16
    for ch in key:
        counts[_bucket(ord(ch))] += 1
    return sum(min(count, 15) << (4 * i) for i, count in enumerate(counts))


def _bucket(point: int) -> int:
    return ((point * 2654435761) >> 7) & 15


def _counts(bags: np.ndarray) -> np.ndarray:
    """Each bag's 16 counts, as rows of int16."""
    octets = bags.view(np.uint8).reshape(-1, 8).astype(np.int16)  # little-endian: the low nibbles first
    out = np.empty((len(bags), 16), dtype=np.int16)
    out[:, 0::2] = octets & 15
    out[:, 1::2] = octets >> 4
    return out


def _points(keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All code points of ``keys`` and, for each, the index of its key."""
    points = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), np.fromiter(map(len, keys), dtype=np.int64,
                                                                         count=len(keys)))
    return points, owner


def char_masks(keys: list[str]) -> np.ndarray:
    """``char_mask`` of every key, vectorised."""
    points, owner = _points(keys)
    out = np.zeros(len(keys), dtype=np.uint64)
    np.bitwise_or.at(out, owner, np.left_shift(np.uint64(1), points & np.uint64(63)))
    return out


def char_bags(keys: list[str]) -> np.ndarray:
    """``char_bag`` of every key, vectorised."""
    points, owner = _points(keys)
    buckets = ((points * np.uint64(2654435761)) >> np.uint64(7)) & np.uint64(15)
    counts = np.bincount(owner * 16 + buckets.astype(np.int64), minlength=len(keys) * 16)
    capped = np.minimum(counts, 15).astype(np.uint64).reshape(-1, 16)
    bags: np.ndarray = np.bitwise_or.reduce(capped << np.arange(0, 64, 4, dtype=np.uint64), axis=1)
    return bags


@contextmanager
def _streamed(conn: Connection, sql: str) -> Iterator[Any]:
    """A cursor on ``sql`` read ``_CHUNK`` rows at a time: on PostgreSQL a server-side cursor, or the
    driver would hold all eleven million postings of a million customers at once."""
    dbapi: Any = conn.connection.dbapi_connection  # psycopg's or sqlite3's: cursor(name=...), itersize
    server_side = conn.dialect.name == "postgresql"
    cursor = dbapi.cursor(name="claimbot_name_index") if server_side else dbapi.cursor()
    try:
        if server_side:
            cursor.itersize = _CHUNK
        cursor.execute(sql)
        yield cursor
    finally:
        cursor.close()


def _give_back_freed_memory() -> None:
    """glibc keeps the heap a load has freed (~80 MiB per million customers: the rows read a chunk at a
    time) for later use; hand it back to the system. Elsewhere there is nothing to do."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_NEWER = {style: f"SELECT id, core_key, stem_key FROM customer WHERE id > {mark}"
          for style, mark in (("qmark", "?"), ("format", "%s"), ("pyformat", "%s"), ("numeric", ":1"))}
_NEWER_OR_SKIPPED = "SELECT id, core_key, stem_key FROM customer WHERE id > %s OR id = ANY(%s)"  # PostgreSQL


# One index per database, shared by the engines a process opens on it ---------------------------------

_loaded: dict[str, ResidentIndex] = {}
_registry_lock = threading.Lock()


def _name(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def resident(engine: Engine) -> ResidentIndex | None:
    """The loaded index of ``engine``'s database, if this process has one."""
    return _loaded.get(_name(engine))


def load(engine: Engine) -> ResidentIndex:
    """Read the index of ``engine``'s database now; from then on find_fuzzy answers from it."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    started = time.perf_counter()
    with engine.connect() as conn:
        conn = conn.execution_options(**options)
        with conn.begin():
            index = ResidentIndex.load(conn)
    _give_back_freed_memory()
    index.load_seconds = time.perf_counter() - started
    use(engine, index)
    return index


def use(engine: Engine, index: ResidentIndex | None) -> None:
    """Answer ``engine``'s fuzzy lookups from ``index`` (None: from the database)."""
    with _registry_lock:
        if index is None:
            _loaded.pop(_name(engine), None)
        else:
            _loaded[_name(engine)] = index


def find(engine: Engine, keys: NameKeys) -> dict[int, float] | None:
    """What find_fuzzy answers, from the loaded index of ``engine``'s database; None when there is none
    (or it failed: logged, and the caller reads the database)."""
    index = resident(engine)
    if index is None:
        return None
    try:
        index.refresh(engine)
        found = index.find(keys)
    except Exception:
        log.exception("The in-memory name index failed on a lookup; this one reads the database")
        return None
    if index.outgrown() and not index.reloading:
        index.reloading = True
        load_in_background(engine)
    return found


def load_in_background(engine: Engine) -> threading.Thread:
    """``load`` on a daemon thread (a million customers take seconds): until it is done, find_fuzzy
    answers from the database, as it does if loading fails."""

    def run() -> None:
        started = time.perf_counter()
        try:
            index = load(engine)
        except Exception:  # the database path still answers: log, and go on without the index
            log.exception("The in-memory name index could not be loaded; lookups read the database")
            return
        log.info("In-memory name index: %d customers in %.1f s", len(index.customers.ids),
                 time.perf_counter() - started)

    thread = threading.Thread(target=run, name="claimbot-name-index", daemon=True)
    thread.start()
    return thread


def forget(engine: Engine) -> None:
    """Drop the index of ``engine``'s database (tests that delete customers)."""
    use(engine, None)
