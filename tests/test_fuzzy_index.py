"""storage/fuzzy_index.py: the server's in-memory fuzzy tier answers exactly what a brute-force scan (and
the database path of find_fuzzy) answers, follows customers stored after it was loaded, and is what
`claimbot serve` uses."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from bot.console.standin import SlackStandIn
from bot.rules.names import name_keys
from storage import fuzzy_index
from storage.engine import make_engine, read_session, write_session
from storage.fuzzy_index import (
    char_bag,
    char_bags,
    char_mask,
    char_masks,
    gram_code,
    gram_codes,
)
from storage.lookup import find_fuzzy, index_names, key_columns
from storage.models import Customer, NameGram
from tests.e2e import Bot, migrate_with_cli, serve_env, text_of, write_config
from tests.support.imports import loaded_after
from tests.support.server import ServeProcess
from tests.test_lookup import NOW, add, brute_force, corpus, make_db, store, typo


@pytest.fixture
def engine(engine_url: str) -> Iterator[Engine]:
    engine = make_db(engine_url)
    yield engine
    fuzzy_index.forget(engine)
    engine.dispose()


def test_equals_brute_force_and_the_database_path_before_and_after_new_customers(engine: Engine) -> None:
    names = corpus(seed=27, size=700)
    with write_session(engine) as s:
        stored = store(s, names[:400])
    rng = random.Random(28)
    queries = [typo(rng, rng.choice(names)) for _ in range(120)] + corpus(seed=29, size=40)
    with read_session(engine) as s:
        from_database = {raw: find_fuzzy(s, name_keys(raw)) for raw in queries}
    index = fuzzy_index.load(engine)
    assert fuzzy_index.resident(engine) is index and len(index.customers.ids) == len(stored)
    with read_session(engine) as s:
        for raw in queries:
            assert find_fuzzy(s, name_keys(raw)) == pytest.approx(from_database[raw]), raw
    # Customers stored after the load (as another process would) are found too.
    with write_session(engine) as s:
        later = store(s, [n for n in names[400:] if name_keys(n).name_key not in
                          {k.name_key for k in stored.values()}])
    stored.update(later)
    found_later = 0
    with read_session(engine) as s:
        for raw in queries:
            keys = name_keys(raw)
            expected = brute_force(keys, stored)
            assert find_fuzzy(s, keys) == pytest.approx(expected), raw
            found_later += bool(set(expected) & set(later))
    assert found_later > 20 and len(index.recent) == len(later)


@pytest.fixture(scope="module")
def scratch_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_db(f"sqlite:///{Path(folder) / 'resident.db'}")
        yield engine
        fuzzy_index.forget(engine)
        engine.dispose()


alphabet = st.sampled_from(["a", "b", "c", "ab", "ba", "科", "技", "华", "为", " ", "Ltd", "有限公司", "x", "yz",
                            "𠮷", "solutions"])
raw_names = st.lists(alphabet, min_size=1, max_size=16).map("".join)


@settings(max_examples=60, deadline=None)
@given(stored_names=st.lists(raw_names, min_size=1, max_size=40), queries=st.lists(raw_names, min_size=1, max_size=8))
def test_equals_brute_force_on_random_corpora(scratch_engine: Engine, stored_names: list[str],
                                              queries: list[str]) -> None:
    fuzzy_index.forget(scratch_engine)
    with write_session(scratch_engine) as s:
        s.execute(delete(NameGram))
        s.execute(delete(Customer))
        stored = store(s, stored_names)
    fuzzy_index.load(scratch_engine)
    with read_session(scratch_engine) as s:
        for raw in queries + stored_names[:3]:
            keys = name_keys(raw)
            assert find_fuzzy(s, keys) == pytest.approx(brute_force(keys, stored))


def test_long_names_and_an_empty_database(engine: Engine) -> None:
    index = fuzzy_index.load(engine)  # nothing stored yet
    assert index.find(name_keys("Acme Widgets")) == {}
    rng = random.Random(5)
    long_latin = "".join(rng.choice("abcdefghij") for _ in range(300))
    long_cjk = "".join(rng.choice("华中兴达泰新恒盛金鑫宏信诚安") for _ in range(200))
    with write_session(engine) as s:
        stored = store(s, [long_latin, long_cjk, long_latin[:150], "Acme Widgets"])
    fuzzy_index.load(engine)
    with read_session(engine) as s:
        for raw in (typo(rng, long_latin), typo(rng, typo(rng, long_cjk)), long_latin[:149] + "z", "Acme Widget"):
            keys = name_keys(raw)
            expected = brute_force(keys, stored)
            assert expected and find_fuzzy(s, keys) == pytest.approx(expected), raw[:20]


def add_with_id(engine: Engine, cid: int, raw: str) -> None:
    keys = name_keys(raw)
    with write_session(engine) as s:
        s.execute(insert(Customer).values(id=cid, name=raw, **key_columns(keys), created_at=NOW))
        index_names(s, cid, keys)


@pytest.mark.postgres
def test_customers_committed_late_with_smaller_ids_are_read(postgres_url: str) -> None:
    """PostgreSQL hands ids out before commit: a customer committed after a larger id was read counts,
    whether its id was skipped before the load or by a later refresh."""
    engine = make_db(postgres_url)
    try:
        with write_session(engine) as s:
            add(s, "Globex Corporation")
        add_with_id(engine, 1000, "Initech")
        index = fuzzy_index.load(engine)
        assert index.customers.max_id == 1000
        add_with_id(engine, 500, "Umbrella Pharma")  # below the highest id loaded, committed after the load
        with read_session(engine) as s:
            assert set(find_fuzzy(s, name_keys("Umbrela Pharma"))) == {500}
            assert set(find_fuzzy(s, name_keys("Globx Corporation"))) == {1}
        add_with_id(engine, 3000, "Hooli Holdings")
        with read_session(engine) as s:
            assert set(find_fuzzy(s, name_keys("Hoolii Holdings"))) == {3000}  # the refresh skips 1001–2999
        add_with_id(engine, 2500, "Vandelay Industries")  # … one of which commits now
        with read_session(engine) as s:
            assert set(find_fuzzy(s, name_keys("Vandeley Industries"))) == {2500}
            assert set(find_fuzzy(s, name_keys("Hoolii Holdings"))) == {3000}
    finally:
        fuzzy_index.forget(engine)
        engine.dispose()


def test_an_insert_rolled_back_is_never_taken_for_stored(sqlite_url: str) -> None:
    """The index reads new customers on a connection of its own: a lookup inside a transaction that
    inserted a customer and then rolls back leaves no trace, and the id SQLite hands out again is
    read with its new keys."""
    engine = make_db(sqlite_url)
    try:
        with write_session(engine) as s:
            add(s, "Globex Corporation")
        fuzzy_index.load(engine)
        with pytest.raises(RuntimeError), write_session(engine) as s:
            phantom = add(s, "Umbrella Pharmaceuticals")
            find_fuzzy(s, name_keys("Umbrela Pharmaceuticals"))
            raise RuntimeError("rolled back")
        with write_session(engine) as s:
            assert add(s, "Initech Systems Holdings") == phantom  # the rowid is handed out again
        with read_session(engine) as s:
            assert find_fuzzy(s, name_keys("Umbrela Pharmaceuticals")) == {}
            assert set(find_fuzzy(s, name_keys("Initeck Systems Holdings"))) == {phantom}
    finally:
        fuzzy_index.forget(engine)
        engine.dispose()


def test_a_name_that_grows_under_nfkc_is_looked_up_and_leaves_the_index_whole(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """A name within the 200-character limit can become a key of thousands of characters (NFKC turns
    ﷺ into 15 letters): such a lookup answers like the others and disturbs none after it."""
    stored_name = "ﷺ" * 63 + "abcdefghijklmnopqrst"
    with write_session(engine) as s:
        stored = store(s, [stored_name, "Globex Corporation"])
    fuzzy_index.load(engine)
    with read_session(engine) as s:
        for raw in ("ﷺ" * 57 + "abcdefghijklmnopqrst", "ﷺ" * 8 + "㌖" * 170, "ﷺ" * 57 + "abcdefghijklmnopqrst",
                    "Globx Corporation"):
            keys = name_keys(raw)
            assert find_fuzzy(s, keys) == pytest.approx(brute_force(keys, stored)), raw[:12]
        assert find_fuzzy(s, name_keys("ﷺ" * 57 + "abcdefghijklmnopqrst"))
    assert "name index failed" not in caplog.text  # answered by the index, not by the fallback


def test_a_failing_lookup_falls_back_to_the_database_and_leaves_the_index_whole(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    names = corpus(seed=37, size=300)
    with write_session(engine) as s:
        stored = store(s, names)
    index = fuzzy_index.load(engine)
    rng = random.Random(38)
    queries = [typo(rng, rng.choice(names)) for _ in range(40)]
    real = index.grams.postings_of
    calls = []

    def fails_on_the_third_gram(gram: str, lo: int, hi: int):  # type: ignore[no-untyped-def]
        calls.append(gram)
        if len(calls) == 3:
            raise MemoryError("injected")
        return real(gram, lo, hi)

    monkeypatch.setattr(index.grams, "postings_of", fails_on_the_third_gram)
    with read_session(engine) as s:
        for raw in queries:  # the first lookup fails in the middle; every answer is still right
            keys = name_keys(raw)
            assert find_fuzzy(s, keys) == pytest.approx(brute_force(keys, stored)), raw
    assert len(calls) > 3 and not index._intact.any() and not index._segment_hits.any()


def test_many_customers_stored_after_the_load_make_it_load_again(engine: Engine,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzzy_index, "_RECENT_RELOAD", 5)
    with write_session(engine) as s:
        stored = store(s, ["Globex Corporation"])
    first = fuzzy_index.load(engine)
    names = ["Umbrella Pharmaceuticals", "Initech Systems", "Hooli Holdings", "Vandelay Industries",
             "Soylent Foods", "Cyberdyne Robotics", "Tyrell Genetics"]
    with write_session(engine) as s:
        stored.update(store(s, names))
    with read_session(engine) as s:
        assert set(find_fuzzy(s, name_keys("Tyrel Genetics"))) == {max(stored)}
    deadline = time.monotonic() + 30
    while fuzzy_index.resident(engine) is first:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    again = fuzzy_index.resident(engine)
    assert again is not None and len(again.customers.ids) == 8 and len(again.recent) == 0
    with read_session(engine) as s:
        assert set(find_fuzzy(s, name_keys("Tyrel Genetics"))) == {max(stored)}


# The character filters: lower bounds of the indel distance, and vectorised as written -----------------

texts = st.text(alphabet=st.sampled_from("abcdeklmnorstuy科技华为信息泰康𠮷 0123"), max_size=40)


def apart(a: str, b: str) -> tuple[int, int]:
    ma, mb = char_mask(a), char_mask(b)
    by_mask = (ma & ~mb).bit_count() + (mb & ~ma).bit_count()
    ba, bb = char_bag(a), char_bag(b)
    by_bag = sum(abs(((ba >> (4 * i)) & 15) - ((bb >> (4 * i)) & 15)) for i in range(16))
    return by_mask, by_bag


@settings(max_examples=400, deadline=None)
@given(a=texts, b=texts)
def test_the_character_bounds_never_exceed_the_indel_distance(a: str, b: str) -> None:
    by_mask, by_bag = apart(a, b)
    assert by_mask <= Indel.distance(a, b) and by_bag <= Indel.distance(a, b)


def test_the_character_bounds_tell_a_common_word_with_another_name_apart() -> None:
    query = name_keys("Sky Genent Technologies").core_key
    other = name_keys("Worldwide Prq Technologies").core_key
    assert max(apart(query, other)) > 4 >= Indel.distance(query, name_keys("Sky Genents Technologies").core_key)


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(texts, max_size=20))
def test_vectorised_masks_bags_and_gram_codes_equal_the_scalar_ones(keys: list[str]) -> None:
    assert list(char_masks(keys)) == [char_mask(k) for k in keys]
    assert list(char_bags(keys)) == [char_bag(k) for k in keys]
    grams = [k[:3] for k in keys if k]
    assert list(gram_codes(grams)) == [gram_code(g) for g in grams]
    assert sorted(grams) == sorted(grams, key=gram_code)


def test_the_console_and_the_cli_do_not_load_numpy():
    assert loaded_after(["bot.cli", "bot.app", "bot.server", "bot.console.session", "bot.services.claims",
                         "storage.lookup"], ["numpy", "storage.fuzzy_index"]) == []


# `claimbot serve` loads it, and answers from it ------------------------------------------------------------

def migrated(url: str) -> Engine:
    migrate_with_cli(url)
    return make_engine(url)


def test_serve_loads_the_index_and_finds_customers_stored_after_it(engine_url: str, standin: SlackStandIn,
                                                                   tmp_path: Path) -> None:
    engine = migrated(engine_url)
    with write_session(engine) as s:
        store(s, ["Umbrella Pharmaceuticals", "Globex Corporation"])
    with ServeProcess(serve_env(engine_url, standin, write_config(tmp_path, language="en"))) as server:
        bot = Bot(server, standin)
        deadline = time.monotonic() + 30
        while "In-memory name index: 2 customers" not in server.stderr():
            assert time.monotonic() < deadline, server.stderr()
            time.sleep(0.05)
        _, prompt, _ = bot.command("U0BOB", "/claim", "Umbrela Pharmaceuticals")
        assert "Is it the same company?" in text_of(prompt) and "Umbrella Pharmaceuticals" in text_of(prompt)
        # Stored by another process after the load: the next lookup reads it.
        with write_session(engine) as s:
            store(s, ["Initech Systems Holdings"])
        _, prompt, _ = bot.command("U0BOB", "/claim", "Initeck Systems Holdings")
        assert "Is it the same company?" in text_of(prompt) and "Initech Systems Holdings" in text_of(prompt)
    engine.dispose()


def test_serve_can_be_told_to_read_the_database_instead(sqlite_url: str, standin: SlackStandIn,
                                                        tmp_path: Path) -> None:
    engine = migrated(sqlite_url)
    with write_session(engine) as s:
        store(s, ["Umbrella Pharmaceuticals"])
    env = serve_env(sqlite_url, standin, write_config(tmp_path, language="en"))
    with ServeProcess({**env, "CLAIMBOT_LOOKUP__IN_MEMORY_INDEX": "false"}) as server:
        _, prompt, _ = Bot(server, standin).command("U0BOB", "/claim", "Umbrela Pharmaceuticals")
        assert "Is it the same company?" in text_of(prompt)
        assert "name index" not in server.stderr()
    engine.dispose()
