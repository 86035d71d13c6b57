"""The fuzzy tier of the name lookup for many queries in one process (`claimbot import`).

``storage.lookup.find_fuzzy`` answers one query in a few milliseconds by intersecting posting lists
inside the database; an import asks it once per new row, so at 100,000 rows that alone would take
minutes. This index holds the stored customers' fuzzable core and stem keys in memory (about 1 KB
per customer, with its postings) and answers the same question — every customer whose ``fuzzy_score``
against the query is ≥ FUZZY_THRESHOLD — with the same pigeonhole filter (see storage/lookup.py), in
about 0.5 ms at 100,000 customers (find_fuzzy: ~3 ms):

1. a match's key has a length in ``length_range`` of the query's;
2. it contains every trigram of at least ``D + 1 − indel_bound`` of the query's ``D + 1`` segments
   (the posting lists of a segment's grams are intersected as Python sets, in C). The grams are
   those of ``name_gram`` (``index_grams``, ``segment_grams`` in bot/rules/names.py): trigrams, and
   bigrams only for the few key lengths a query with a 2-character segment may match;
3. rapidfuzz screens the candidates (also in C) and ``fuzzy_score`` decides, as find_fuzzy does.

``refresh`` reads the customers added since the last call (by id), so one index follows the
database through a long import; tests/test_lookup_memory.py checks it against a brute-force scan
and against find_fuzzy. A customer another process inserts with a smaller id than one already read
(PostgreSQL sequences hand ids out before commit) is not seen: the import may then create a row
unflagged that a fuzzy match would have flagged; exact and strong matches are always read fresh.
"""

from __future__ import annotations

from array import array
from collections import Counter
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlmodel import Session

from bot.rules.names import (
    BIGRAM_LENGTHS,  # noqa: F401  (tests read it here)
    FUZZY_THRESHOLD,
    NameKeys,
    fuzzy_score,
    indel_bound,
    index_grams,
    is_fuzzable,
    length_range,
    max_indel_distance,
    segment_grams,
    segments,
)

LONG = 256  # posting lists longer than this are kept as sets too, once they are intersected
# An import asks about the same key several times (the batch's own index, then the stored one).
_fuzzable = lru_cache(maxsize=1 << 16)(is_fuzzable)
_NEWER = text("SELECT id, core_key, stem_key FROM customer WHERE id > :after ORDER BY id")


class _KeyIndex:
    """Fuzzable keys, with the trigram (and, for a few lengths, bigram) postings of each."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.lengths = array("H")  # len(keys[i]), compact: the length filter reads it for every candidate
        self.owners: list[int] = []  # customer id of each key
        self.postings: dict[str, list[int]] = {}
        self.sets: dict[str, set[int]] = {}  # the long posting lists as sets, made when first intersected

    def add(self, key: str, customer_id: int) -> None:
        """Index a fuzzable key (the caller checks: is_fuzzable is not free)."""
        index = len(self.keys)
        self.keys.append(key)
        self.lengths.append(min(len(key), 65535))
        self.owners.append(customer_id)
        for gram in index_grams(key):
            self.postings.setdefault(gram, []).append(index)
            if gram in self.sets:
                self.sets[gram].add(index)

    def matches(self, query: str) -> set[int]:
        """Customers with a key scoring ≥ FUZZY_THRESHOLD (fuzz.ratio) against ``query``."""
        n = len(query)
        lo, hi = length_range(n)
        most = max_indel_distance(n)
        postings = self.postings
        intact: Counter[int] = Counter()
        for segment in segments(query, most + 1):
            lists = sorted(((postings.get(gram), gram) for gram in segment_grams(segment)),
                           key=lambda item: len(item[0] or ()))
            if not lists or lists[0][0] is None:
                continue
            if len(lists) == 1:
                intact.update(lists[0][0])
                continue
            # set & set runs in C and walks the smaller side only; long lists are kept as sets too.
            sets = [self._as_set(gram, more) if len(more) > LONG else set(more)
                    for more, gram in lists if more is not None]  # all are: a missing gram sorts first
            found = sets[0] & sets[1]
            for more_set in sets[2:]:
                if not found:
                    break
                found &= more_set
            intact.update(found)
        if not intact:
            return set()
        # The count filter, loosest first (a key at the edge of the length range needs the fewest
        # intact segments), and the length filter; the ratio itself settles the rest.
        fewest = most + 1 - max(indel_bound(n, length) for length in range(lo, hi + 1))
        lengths = self.lengths
        candidates = [i for i, count in intact.items() if count >= fewest and lo <= lengths[i] <= hi]
        if not candidates:
            return set()
        keys = [self.keys[i] for i in candidates]
        return {self.owners[candidates[index]]
                for _, _, index in process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD,
                                                   limit=None)}

    def _as_set(self, gram: str, postings: list[int]) -> set[int]:
        found = self.sets.get(gram)
        if found is None:
            found = self.sets[gram] = set(postings)
        return found


class MemoryFuzzyIndex:
    def __init__(self) -> None:
        self.index = _KeyIndex()  # every fuzzable core and stem key, as name_gram holds them
        self.stored: dict[int, tuple[str, str]] = {}  # customer id → (core key, stem key)
        self.last_id = 0

    def __len__(self) -> int:
        return len(self.stored)

    def refresh(self, session: Session) -> int:
        """Read the customers stored since the last refresh; returns how many were added."""
        added = 0
        for cid, core_key, stem_key in session.execute(_NEWER, {"after": self.last_id}):
            self.add(cid, core_key, stem_key)
            added += 1
        return added

    def add(self, customer_id: int, core_key: str, stem_key: str) -> None:
        if customer_id in self.stored:
            return
        self.stored[customer_id] = (core_key, stem_key)
        self.last_id = max(self.last_id, customer_id)
        if _fuzzable(core_key):
            self.index.add(core_key, customer_id)
        if stem_key != core_key and _fuzzable(stem_key):
            self.index.add(stem_key, customer_id)

    def find(self, keys: NameKeys) -> dict[int, float]:
        """What ``storage.lookup.find_fuzzy`` returns for ``keys``, over the customers read so far.

        A customer whose core (or stem) key scores ≥ T against the query's core (or stem) key has
        that key in the index, so querying with both of the query's keys finds it; ``fuzzy_score``
        then pairs core with core and stem with stem."""
        candidates: set[int] = set()
        for query in {keys.core_key, keys.stem_key}:
            if _fuzzable(query):
                candidates |= self.index.matches(query)
        found = {}
        for cid in candidates:
            core_key, stem_key = self.stored[cid]
            score = fuzzy_score(keys, NameKeys("", core_key, stem_key))
            if score >= FUZZY_THRESHOLD:
                found[cid] = score
        return found
