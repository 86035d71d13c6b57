"""Finding the same customer (PRODUCT 3.5): exact, strong and fuzzy matches of a name and identifiers.

The fuzzy tier is exact — it returns every stored customer whose core or stem key scores ≥
``FUZZY_THRESHOLD`` against the query's, as a scan of all keys would — without reading every key.
``name_gram`` holds the distinct trigrams of every fuzzable core and stem key, with the key's length
(and the bigrams of keys of 2, 5 or 6 characters: ``index_grams``). For a query key s (the bounds and
the grams are derived in bot/rules/names.py):

1. **Length filter.** A match t has ``|t|`` in ``length_range(|s|)`` (9|s|/11 … 11|s|/9 for T = 90)
   and an indel distance of at most ``d(|t|) = indel_bound(|s|, |t|)``; let D be the largest.
2. **Segment (pigeonhole) filter.** Cut s into m ≥ D + 1 disjoint segments (``segment_count``:
   D + 2 where every segment still has 3 characters, else D + 1). An inserted or deleted character
   breaks at most one segment, so t keeps at least ``m − d(|t|)`` of them intact (at least one
   with D + 1 segments, at least two with D + 2; more for the lengths whose bound is smaller), and with
   each intact segment all of its trigrams (its bigram, for a 2-character segment: ``segment_grams``).
   One statement intersects, per segment, the posting lists of those grams (a merge of sorted lists,
   restricted to the admissible lengths); a (customer, key length) pair is a candidate when it turns
   up for enough segments.
3. **Verification.** The candidates' keys are read and scored with ``fuzzy_score``.

A long-running server loads the same postings into memory (storage/fuzzy_index.py) and
``find_fuzzy`` answers from there once it is loaded: same filter, same answers, and a character
filter that spares reading the thousands of candidates a name with a common word has
(docs/decisions/0015). What follows is the database path: the console, the CLI, and servers that
have not loaded (or were told not to load) the index.

Each step only drops keys that cannot score ≥ T: tests/test_lookup.py checks the result against a
brute-force scan on random corpora, and bench/bench_lookup.py does at 1,000,000 customers.

Why segments rather than the classic q-gram prefix filter ("a match contains one of the q·D + 1
rarest query grams"): Latin bigrams are all common — at 1M names even the rarest of a typical
English name has thousands of postings in the length window — so reading 2D + 1 of them per query
and scoring every key found cost more than a brute-force scan. A segment needs all of its grams,
there are only D + 1 or D + 2 of them, and counting segments per length adds a count filter for free. With
bigrams, the segments of a Latin key still read long posting lists (every bigram of English is
common): trigrams, about ten times rarer each, took the p99 at 1,000,000 names from ~73 ms to the
figures in docs/benchmarks.md. What was left were long Latin keys whose one intact segment could be a
common word piece (``ions``, ``solu``): 10,000–15,000 candidates read and scored per query. Cutting
them into D + 2 segments, so that two must be intact, halves that (p99 ~41–48 → ~29 ms at 1M). Reading
the rarest gram's list and probing the segment's others by primary key, and skipping the costliest
segments where the pigeonhole allows, were measured too and gained nothing: the time goes into the
candidates, not into the posting lists (docs/benchmarks.md). No rarity statistics are needed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from bot.rules.legal_entities import entity_match
from bot.rules.names import (
    FUZZY_THRESHOLD,
    NameKeys,
    fuzzy_score,
    indel_bound,
    index_grams,
    is_fuzzable,
    length_range,
    segment_count,
    segment_grams,
    segments,
)
from storage.models import Customer, CustomerAlias, NameGram
from storage.prepared import driver_rows
from storage.tables import table_of

_gram = table_of(NameGram)
_customer = table_of(Customer)
_alias = table_of(CustomerAlias)


@dataclass(frozen=True)
class Match:
    customer_id: int
    tier: str  # exact | strong | fuzzy
    why: str  # uscc | domain | phone | name | alias | entity | core | pinyin | fuzzy
    score: float


KEY_COLUMNS = ("name_key", "core_key", "stem_key", "pinyin_key", "region_tag", "form_tag")


def key_columns(keys: NameKeys) -> dict[str, str]:
    """The customer columns that hold a name's keys (every one of them is stored)."""
    return {column: getattr(keys, column) for column in KEY_COLUMNS}


def stored_keys(row: object) -> NameKeys:
    """The keys of a stored customer (a row or object with the ``KEY_COLUMNS``)."""
    return NameKeys(*(getattr(row, column) for column in KEY_COLUMNS))


def gram_rows(keys: NameKeys) -> list[tuple[str, int]]:
    """The (gram, key_len) pairs a customer with these keys has in ``name_gram``.

    Only fuzzable keys are indexed: a key too short, generic or a region never matches fuzzily.
    """
    return sorted(
        {(gram, len(key)) for key in (keys.core_key, keys.stem_key) if is_fuzzable(key) for gram in index_grams(key)}
    )


def index_names(session: Session | Connection, customer_id: int, keys: NameKeys) -> None:
    """Add a new customer's key grams to ``name_gram``; call in the transaction that inserts it."""
    rows = gram_rows(keys)
    if rows:
        session.execute(
            _gram.insert(), [{"gram": g, "key_len": n, "customer_id": customer_id} for g, n in rows]
        )


def find_matches(
    session: Session,
    keys: NameKeys,
    *,
    uscc: str | None = None,
    domain: str | None = None,
    phone: str | None = None,
    limit: int = 3,
) -> list[Match]:
    """An exact match alone if there is one; otherwise up to ``limit`` strong, then fuzzy, matches."""
    exact = _exact_match(session, keys, uscc=uscc, domain=domain, phone=phone)
    if exact is not None:
        return [exact]
    return near_matches(session, keys, limit=limit)


def near_matches(session: Session | Connection, keys: NameKeys, *, limit: int = 3) -> list[Match]:
    """Up to ``limit`` strong, then fuzzy, matches: ``find_matches`` after its exact probe found nothing
    (bot/services/claims.py makes that probe itself, reading the whole customer row at once).

    Strong, in this order: the same name key as another legal entity (the exact probe found none that
    is this one), the same core key, the same pinyin (腾讯 / 腾迅, 百度 / Baidu)."""
    conn = session.connection() if isinstance(session, OrmSession) else session
    params = {"name": keys.name_key or None, "core": keys.core_key or None, "pinyin": keys.pinyin_key or None,
              "limit": limit}  # NULL: an empty key matches nothing
    matches: list[Match] = []
    for cid, why, _ in driver_rows(conn, _STRONG_SQL, params):
        if len(matches) < limit and all(m.customer_id != cid for m in matches):
            matches.append(Match(cid, "strong", why, 100.0))
    if len(matches) < limit:
        seen = {m.customer_id for m in matches}
        fuzzy = sorted(find_fuzzy(session, keys).items(), key=lambda item: (-item[1], item[0]))
        matches += [Match(cid, "fuzzy", "fuzzy", score) for cid, score in fuzzy if cid not in seen]
    return matches[:limit]


# The strong probes in one statement (each an index range), in the order near_matches ranks them: another
# legal entity of the name key, the same core key, the same core key as a customer's alias (customer_alias),
# the same pinyin.
_STRONG_SQL = " UNION ALL ".join(
    f"SELECT * FROM (SELECT {id_column} AS id, '{why}' AS why, {n} AS n FROM {table} WHERE {column} = :{param}"
    f" ORDER BY {id_column} LIMIT :limit) AS probe{n}"
    for n, (why, table, id_column, column, param) in enumerate((
        ("entity", "customer", "id", "name_key", "name"), ("core", "customer", "id", "core_key", "core"),
        ("core", "customer_alias", "customer_id", "core_key", "core"),  # an alias's core key: the same tier
        ("pinyin", "customer", "id", "pinyin_key", "pinyin")))
) + " ORDER BY n, id"
_BY_NAME_SQL = f"SELECT id, {', '.join(KEY_COLUMNS)} FROM customer WHERE name_key = :v ORDER BY id"


def _exact_match(
    session: Session, keys: NameKeys, *, uscc: str | None, domain: str | None, phone: str | None
) -> Match | None:
    """The first of: same USCC, same company domain, same phone (oldest customer), same name key and
    the same legal entity (``entity_match``), the same name key as one of a customer's aliases."""
    c = _customer.c
    probes = (("uscc", c.uscc, uscc), ("domain", c.domain, domain), ("phone", c.phone, phone))
    for why, column, value in probes:
        if not value:
            continue
        cid = session.execute(select(c.id).where(column == value).order_by(c.id).limit(1)).scalar()
        if cid is not None:
            return Match(cid, "exact", why, 100.0)
    if keys.name_key:
        rows = driver_rows(session.connection(), _BY_NAME_SQL, {"v": keys.name_key})
        index = entity_match(keys, [NameKeys(*row[1:]) for row in rows])
        if index is not None:
            return Match(rows[index][0], "exact", "name", 100.0)
        if rows:  # another legal entity of this name: the strong tier asks about it
            return None
        aliased = session.execute(select(_alias.c.customer_id).where(_alias.c.name_key == keys.name_key)).scalar()
        return Match(aliased, "exact", "alias", 100.0) if aliased is not None else None
    return None


def find_fuzzy(session: Session | Connection, keys: NameKeys) -> dict[int, float]:
    """Every customer whose ``fuzzy_score`` against ``keys`` is ≥ FUZZY_THRESHOLD, with that score."""
    conn = session.connection() if isinstance(session, OrmSession) else session
    # A server holds the same filter in memory (storage/fuzzy_index.py). Only a process that imported
    # that module can have loaded it: the console and the CLI never import it, nor numpy with it.
    fuzzy_index = sys.modules.get("storage.fuzzy_index")
    in_memory: dict[int, float] | None = fuzzy_index.find(conn.engine, keys) if fuzzy_index is not None else None
    if in_memory is not None:
        return in_memory
    queries = sorted({key for key in (keys.core_key, keys.stem_key) if is_fuzzable(key)})
    if not queries:
        return {}
    params: dict[str, object] = {}
    filters = " UNION ".join(_candidates_sql(key, f"q{n}", params) for n, key in enumerate(queries))
    # One statement: the candidates' keys, read by id from the customers the filters let through.
    rows = driver_rows(conn, f"SELECT id, core_key, stem_key FROM customer WHERE id IN ({filters})", params)
    # rapidfuzz screens the candidates in C; the full rule (fuzzable keys only) is applied to its hits.
    hits = {
        index
        for query, column in ((keys.core_key, 1), (keys.stem_key, 2))
        if query in queries
        for _, _, index in process.extract(
            query, [row[column] for row in rows], scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
        )
    }
    found: dict[int, float] = {}
    for index in hits:
        cid, core_key, stem_key = rows[index]
        score = fuzzy_score(keys, NameKeys("", core_key, stem_key))
        if score >= FUZZY_THRESHOLD:
            found[cid] = score
    return found


_POSTINGS = "SELECT key_len, customer_id FROM name_gram WHERE gram = :{g} AND key_len BETWEEN :{p}lo AND :{p}hi"


def _candidates_sql(key: str, prefix: str, params: dict[str, object]) -> str:
    """SQL for the customers with a key of admissible length that keeps enough of ``key``'s segments
    intact (its parameters, named after ``prefix``, go into ``params``)."""
    lo, hi = length_range(len(key))
    count = segment_count(len(key))
    params[f"{prefix}lo"], params[f"{prefix}hi"] = lo, hi
    arms = []
    for j, segment in enumerate(segments(key, count)):
        names = []
        for i, gram in enumerate(sorted(segment_grams(segment))):
            names.append(f"{prefix}g{j}_{i}")
            params[names[-1]] = gram
        # ORDER BY makes SQLite intersect by merging the sorted posting lists (no temporary index).
        lists = " INTERSECT ".join(_POSTINGS.format(g=name, p=prefix) for name in names)
        arms.append(f"SELECT key_len, customer_id FROM ({lists} ORDER BY 1, 2) AS {prefix}s{j}")
    # A (key length, customer) pair counts once per segment found intact; it needs as many as the
    # length's indel bound leaves (integers computed here, so written into the SQL).
    needed = {length: count - indel_bound(len(key), length) for length in range(lo, hi + 1)}
    cases = " ".join(f"WHEN {length} THEN {n}" for length, n in needed.items() if n > 1)
    having = f" HAVING count(*) >= CASE key_len {cases} ELSE 1 END" if cases else ""
    return (f"SELECT customer_id FROM ({' UNION ALL '.join(arms)}) AS {prefix}u"
            f" GROUP BY key_len, customer_id{having}")
