"""Finding the same customer (PRODUCT 3.5): exact, strong and fuzzy matches of a name and identifiers.

The fuzzy tier is exact — it returns every stored customer whose core or stem key scores ≥
``FUZZY_THRESHOLD`` against the query's — without reading every name. ``name_gram`` holds the distinct
bigrams of every fuzzable core and stem key, with the key's length. For a query key s (bounds derived
in bot/rules/names.py):

1. **Length filter.** A match t has ``|t|`` in ``length_range(|s|)`` (9|s|/11 … 11|s|/9 for T = 90)
   and an indel distance ``d ≤ indel_bound(|s|, |t|)``; let D be the largest such bound.
2. **Pigeonhole (segment) filter.** Cut s into m ≥ D + 1 disjoint segments. Each insertion or deletion
   breaks at most one segment, so t contains at least ``m − indel_bound(|s|, |t|)`` segments intact,
   and with each of them all of its grams. A segment is represented by its 1–2 rarest grams; the
   statement intersects their postings (restricted to the admissible lengths) per segment, and a
   candidate (customer, key length) must turn up in at least that many segments.
   With m = D + 1 this is the prefix filter in its strongest form: one posting list per segment,
   D + 1 lists instead of the q·D + 1 of the plain q-gram prefix filter. With m = D + 2 (or more)
   it is also a count filter: a candidate must be seen in two segments or more, which is what makes
   English names — whose bigrams are all common — affordable.
3. **Rarity** decides the representatives and m: counts of each query gram near ``|s|``, capped at
   ``RARITY_CAP`` so a common gram costs no more than a rare one to count.
4. **Verification.** The candidates' keys are read and scored with ``fuzzy_score``.

Every step only drops keys that cannot score ≥ T, so the result equals a brute-force scan (a
property test in tests/test_lookup.py checks that). Keys too short to be fuzzable get no fuzzy tier.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from math import comb

from rapidfuzz import fuzz, process
from sqlalchemy import bindparam, select, text
from sqlmodel import Session

from bot.rules.names import (
    FUZZY_THRESHOLD,
    NameKeys,
    fuzzy_score,
    grams,
    indel_bound,
    is_fuzzable,
    length_range,
    segments,
)
from storage.models import Customer, NameGram

RARITY_CAP = 4000  # counting a gram's postings stops here
# Relative costs for choosing a plan: scoring a candidate vs reading one posting in the database,
# and how much smaller two segments' common postings are than the smaller of the two.
SCORE_COST, READ_COST, PAIR_SELECTIVITY = 1.5, 0.05, 4.0
ID_CHUNK = 5000  # customer ids per IN (…) list, well under SQLite's bound-parameter limit

_gram = NameGram.__table__  # type: ignore[attr-defined]
_customer = Customer.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Match:
    customer_id: int
    tier: str  # exact | strong | fuzzy
    why: str  # uscc | domain | phone | name | core | fuzzy
    score: float


def gram_rows(keys: NameKeys) -> list[tuple[str, int]]:
    """The (gram, key_len) pairs a customer with these keys has in ``name_gram``.

    Only fuzzable keys are indexed: a key too short, generic or a region never matches fuzzily.
    """
    return sorted(
        {(gram, len(key)) for key in (keys.core_key, keys.stem_key) if is_fuzzable(key) for gram in grams(key)}
    )


def index_names(session: Session, customer_id: int, keys: NameKeys) -> None:
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
    strong = session.execute(
        select(_customer.c.id).where(_customer.c.core_key == keys.core_key).order_by(_customer.c.id).limit(limit)
    ).scalars()
    matches = [Match(cid, "strong", "core", 100.0) for cid in strong]
    if len(matches) < limit:
        seen = {m.customer_id for m in matches}
        fuzzy = sorted(find_fuzzy(session, keys).items(), key=lambda item: (-item[1], item[0]))
        matches += [Match(cid, "fuzzy", "fuzzy", score) for cid, score in fuzzy if cid not in seen]
    return matches[:limit]


def _exact_match(
    session: Session, keys: NameKeys, *, uscc: str | None, domain: str | None, phone: str | None
) -> Match | None:
    c = _customer.c
    probes = [(why, column, value) for why, column, value in (
        ("uscc", c.uscc, uscc), ("domain", c.domain, domain), ("phone", c.phone, phone),
        ("name", c.name_key, keys.name_key)) if value]
    for why, column, value in probes:
        cid = session.execute(select(c.id).where(column == value).order_by(c.id).limit(1)).scalar()
        if cid is not None:
            return Match(cid, "exact", why, 100.0)
    return None


def find_fuzzy(session: Session, keys: NameKeys) -> dict[int, float]:
    """Every customer whose ``fuzzy_score`` against ``keys`` is ≥ FUZZY_THRESHOLD, with that score."""
    queries = [key for key in {keys.core_key, keys.stem_key} if is_fuzzable(key)]
    candidates: set[int] = set()
    for key in queries:
        candidates |= _candidates(session, key)
    found: dict[int, float] = {}
    ids = sorted(candidates)
    for start in range(0, len(ids), ID_CHUNK):
        rows = session.execute(_KEYS_BY_ID, {"ids": ids[start : start + ID_CHUNK]}).all()
        # rapidfuzz screens the whole chunk in C; the full rule is applied to its hits only.
        hits = {
            index
            for query, column in ((keys.core_key, 1), (keys.stem_key, 2))
            if query in queries
            for _, _, index in process.extract(
                query, [row[column] for row in rows], scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
            )
        }
        for index in hits:
            cid, core_key, stem_key = rows[index]
            score = fuzzy_score(keys, NameKeys("", core_key, stem_key))
            if score >= FUZZY_THRESHOLD:
                found[cid] = score
    return found


_KEYS_BY_ID = text("SELECT id, core_key, stem_key FROM customer WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
def _candidates(session: Session, key: str) -> set[int]:
    """Customers with a key of admissible length that keeps enough of ``key``'s segments intact."""
    lo, hi = length_range(len(key))
    bound = {length: indel_bound(len(key), length) for length in range(lo, hi + 1)}
    plan = _plan(key, max(bound.values()), _rarity(session, key))
    params: dict[str, object] = {"lo": lo, "hi": hi}
    lists = []  # per segment, the SQL of its representatives' posting lists
    for j, picks in enumerate(plan):
        lists.append([_POSTINGS.format(g=f"g{j}_{i}") for i in range(len(picks))])
        params.update({f"g{j}_{i}": gram for i, gram in enumerate(picks)})
    if len(plan) == max(bound.values()) + 1:  # one intact segment is all a match needs
        arms = [_intersect(parts, f"s{j}", "customer_id") for j, parts in enumerate(lists)]
        return set(session.execute(text(" UNION ALL ".join(arms)), params).scalars())
    # Two or more segments intact: intersect every pair in the database, count pairs here.
    arms = [
        _intersect(lists[i] + lists[j], f"p{i}_{j}", "key_len, customer_id")
        for i, j in combinations(range(len(plan)), 2)
    ]
    pairs = Counter(session.execute(text(" UNION ALL ".join(arms)), params).tuples())
    return {cid for (length, cid), n in pairs.items() if n >= comb(len(plan) - bound[length], 2)}


_POSTINGS = "SELECT key_len, customer_id FROM name_gram WHERE gram = :{g} AND key_len BETWEEN :lo AND :hi"


def _intersect(parts: list[str], alias: str, columns: str) -> str:
    """SQL for the rows common to these posting lists; ORDER BY lets SQLite merge the sorted lists
    instead of building a temporary index."""
    return f"SELECT {columns} FROM ({' INTERSECT '.join(parts)} ORDER BY 1, 2) AS {alias}"


def _plan(key: str, most: int, rarity: dict[str, int]) -> list[tuple[str, ...]]:
    """The segments to cut ``key`` into, each as its (up to two) rarest grams.

    The candidates are: with ``most + 1`` segments, every key holding one of them (each one to read
    and score); with more, every key holding two (pairs intersected in the database, which costs a
    read of each list per pair but returns little). The cheaper plan, by the capped counts, wins.
    """
    best: tuple[float, list[tuple[str, ...]]] | None = None
    for count in range(most + 1, most + 4):
        if count > 1 and 2 * count > len(key):
            break
        picks = [tuple(sorted(grams(seg), key=lambda g: (rarity.get(g, 0), g))[:2]) for seg in segments(key, count)]
        sizes = [min(rarity.get(g, 0) for g in group) for group in picks]
        reads = sum(rarity.get(g, 0) for group in picks for g in group)
        if count == most + 1:
            cost = SCORE_COST * sum(sizes) + READ_COST * reads
        else:
            pairs = sum(min(a, b) for a, b in combinations(sizes, 2)) / PAIR_SELECTIVITY
            cost = READ_COST * (count - 1) * reads + SCORE_COST * pairs
        if best is None or cost < best[0]:
            best = (cost, picks)
    assert best is not None
    return best[1]


def _rarity(session: Session, key: str) -> dict[str, int]:
    """Postings of each gram of ``key`` among keys within one character of its length, capped."""
    query_grams = sorted(grams(key))
    arms = [
        f"SELECT {i} AS i, count(*) AS n FROM (SELECT 1 AS one FROM name_gram WHERE gram = :g{i} "
        f"AND key_len BETWEEN :lo AND :hi LIMIT {RARITY_CAP}) AS c{i}"
        for i in range(len(query_grams))
    ]
    params: dict[str, object] = {f"g{i}": gram for i, gram in enumerate(query_grams)}
    params.update(lo=len(key) - 1, hi=len(key) + 1)
    rows = session.execute(text(" UNION ALL ".join(arms)), params)
    return {query_grams[i]: n for i, n in rows}
