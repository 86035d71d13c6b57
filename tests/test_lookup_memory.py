"""storage/lookup_memory.py: the import's in-memory fuzzy tier gives exactly what a brute-force scan
(and so storage.lookup.find_fuzzy) gives, and follows the database through refreshes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.names import NameKeys, max_indel_distance, name_keys, segments
from storage.engine import read_session, write_session
from storage.lookup import find_fuzzy
from storage.lookup_memory import BIGRAM_LENGTHS, MemoryFuzzyIndex
from tests.test_lookup import add, brute_force, corpus, make_db, typo


def memory_index(names: list[str]) -> tuple[MemoryFuzzyIndex, dict[int, NameKeys]]:
    index, stored, seen = MemoryFuzzyIndex(), {}, set()
    for i, raw in enumerate(names, start=1):
        keys = name_keys(raw)
        if keys.name_key and keys.name_key not in seen:
            seen.add(keys.name_key)
            stored[i] = keys
            index.add(i, keys.core_key, keys.stem_key)
    return index, stored


def test_equals_brute_force_on_a_corpus_of_near_duplicates():
    names = corpus(seed=17, size=800)
    index, stored = memory_index(names)
    rng = random.Random(18)
    found_any = 0
    for raw in [typo(rng, rng.choice(names)) for _ in range(150)] + corpus(seed=19, size=50):
        keys = name_keys(raw)
        expected = brute_force(keys, stored)
        assert index.find(keys) == pytest.approx(expected), raw
        found_any += bool(expected)
    assert found_any > 60


alphabet = st.sampled_from(["a", "b", "c", "ab", "ba", "科", "技", "华", "为", " ", "Ltd", "有限公司", "x", "yz"])
raw_names = st.lists(alphabet, min_size=1, max_size=14).map("".join)


@settings(max_examples=80, deadline=None)
@given(stored_names=st.lists(raw_names, min_size=1, max_size=50), queries=st.lists(raw_names, min_size=1, max_size=8))
def test_equals_brute_force_on_random_corpora(stored_names: list[str], queries: list[str]) -> None:
    index, stored = memory_index(stored_names)
    for raw in queries + stored_names[:3]:
        keys = name_keys(raw)
        assert index.find(keys) == pytest.approx(brute_force(keys, stored))


def test_only_queries_of_2_or_5_characters_have_2_character_segments():
    short = {n for n in range(2, 300) if min(map(len, segments("x" * n, max_indel_distance(n) + 1))) < 3}
    assert short == {2, 5} and sorted(BIGRAM_LENGTHS) == [2, 5, 6]


def test_refresh_follows_the_database_and_agrees_with_find_fuzzy(engine_url):
    engine = make_db(engine_url)
    try:
        names = corpus(seed=23, size=400)
        index = MemoryFuzzyIndex()
        seen: set[str] = set()

        def store(batch: list[str]) -> None:
            with write_session(engine) as s:
                for raw in batch:
                    key = name_keys(raw).name_key
                    if key and key not in seen:
                        seen.add(key)
                        add(s, raw)

        store(names[:200])
        with read_session(engine) as s:
            assert index.refresh(s) == len(index) > 0
        store(names[200:])
        with read_session(engine) as s:
            before = len(index)
            assert index.refresh(s) == len(index) - before > 0
            assert index.refresh(s) == 0
            rng = random.Random(24)
            for raw in [typo(rng, rng.choice(names)) for _ in range(80)]:
                keys = name_keys(raw)
                assert index.find(keys) == pytest.approx(find_fuzzy(s, keys)), raw
    finally:
        engine.dispose()
