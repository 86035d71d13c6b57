"""The customer lookup (storage/lookup.py) against real databases: tiers, limits, and an exact fuzzy tier."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from bot.rules.names import FUZZY_THRESHOLD, NameKeys, fuzzy_score, name_keys
from storage.engine import make_engine, read_session, write_session
from storage.lookup import Match, find_fuzzy, find_matches, index_names, key_columns
from storage.models import Customer, NameGram

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def make_db(url: str) -> Engine:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture
def engine(engine_url: str) -> Iterator[Engine]:
    """A fresh database, once on SQLite (a file) and once on PostgreSQL (tests/conftest.py)."""
    engine = make_db(engine_url)
    yield engine
    engine.dispose()


def add(session: Session, raw: str, **identifiers: str) -> int:
    """Create a customer the way the claim service does: the row, then its name grams."""
    keys = name_keys(raw)
    customer = Customer(name=raw, **key_columns(keys), created_at=NOW, **identifiers)
    session.add(customer)
    session.flush()
    assert customer.id is not None
    index_names(session, customer.id, keys)
    return customer.id


def lookup(engine: Engine, raw: str, **kw) -> list[Match]:
    with read_session(engine) as session:
        return find_matches(session, name_keys(raw), **kw)


def test_exact_by_name_key_and_identifiers(engine: Engine) -> None:
    with write_session(engine) as s:
        bytedance = add(s, "北京字节跳动科技有限公司", uscc="91350100M000100Y43", domain="bytedance.com",
                        phone="+861065529988")
        acme = add(s, "Acme Corporation")
    assert lookup(engine, "北京字节跳动科技有限责任公司") == [Match(bytedance, "exact", "name", 100.0)]
    assert lookup(engine, "ACME Corp.") == [Match(acme, "exact", "name", 100.0)]
    assert lookup(engine, "Some other name", uscc="91350100M000100Y43") == [Match(bytedance, "exact", "uscc", 100.0)]
    assert lookup(engine, "Some other name", domain="bytedance.com") == [Match(bytedance, "exact", "domain", 100.0)]
    assert lookup(engine, "Some other name", phone="+861065529988") == [Match(bytedance, "exact", "phone", 100.0)]
    # An identifier wins over a name that is only similar; the name key over nothing.
    assert lookup(engine, "Acme Corporation", phone="+861065529988")[0].customer_id == bytedance


def test_strong_then_fuzzy_then_nothing(engine: Engine) -> None:
    with write_session(engine) as s:
        tencent = add(s, "深圳市腾讯计算机系统有限公司")
        umbrella = add(s, "Umbrella Pharmaceuticals")
        add(s, "中国银行股份有限公司")
    assert lookup(engine, "腾讯计算机系统有限公司") == [Match(tencent, "strong", "core", 100.0)]
    [fuzzy] = lookup(engine, "Umbrela Pharmaceuticals")
    assert (fuzzy.customer_id, fuzzy.tier, fuzzy.why) == (umbrella, "fuzzy", "fuzzy")
    assert FUZZY_THRESHOLD <= fuzzy.score < 100
    assert lookup(engine, "中国建设银行股份有限公司") == []
    assert lookup(engine, "Globex Ltd") == []


def test_legal_entities_of_one_name_key(engine: Engine) -> None:
    """The same name with another bracketed region or legal form is asked about, never taken for it;
    without one, it is the customer — unless two entities could be meant."""
    with write_session(engine) as s:
        shenzhen = add(s, "鸿富锦精密工业（深圳）有限公司")
        tesla = add(s, "Tesla, Inc.")
        huawei = add(s, "华为技术（深圳）有限公司")
    assert lookup(engine, "鸿富锦精密工业（武汉）有限公司") == [Match(shenzhen, "strong", "entity", 100.0)]
    assert lookup(engine, "Tesla (Shanghai) Co., Ltd.") == [Match(tesla, "strong", "entity", 100.0)]
    assert lookup(engine, "华为技术有限公司") == [Match(huawei, "exact", "name", 100.0)]
    assert lookup(engine, "鸿富锦精密工业有限公司") == [Match(shenzhen, "exact", "name", 100.0)]
    with write_session(engine) as s:  # a rep said "different": the Wuhan entity is its own customer
        wuhan = add(s, "鸿富锦精密工业（武汉）有限公司")
    assert lookup(engine, "鸿富锦精密工业（武汉）有限公司") == [Match(wuhan, "exact", "name", 100.0)]
    assert lookup(engine, "鸿富锦精密工业有限公司") == [Match(shenzhen, "strong", "entity", 100.0),
                                                  Match(wuhan, "strong", "entity", 100.0)]


def test_same_pinyin_is_strong_and_an_industry_noun_is_no_company(engine: Engine) -> None:
    with write_session(engine) as s:
        tencent = add(s, "深圳市腾讯计算机系统有限公司")
        baidu = add(s, "百度")
        add(s, "北京农村商业银行股份有限公司")
        add(s, "北京燃气集团有限责任公司")
    assert lookup(engine, "腾迅计算机系统有限公司") == [Match(tencent, "strong", "pinyin", 100.0)]
    assert lookup(engine, "Baidu, Inc.") == [Match(baidu, "strong", "pinyin", 100.0)]
    assert lookup(engine, "上海农村商业银行股份有限公司") == []
    assert lookup(engine, "深圳燃气集团股份有限公司") == []
    assert lookup(engine, "Beijing Gas Group") == []


def test_at_most_three_strong_first_best_first_never_twice(engine: Engine) -> None:
    with write_session(engine) as s:
        strong = [add(s, f"{city}达科信息技术有限公司") for city in ("苏州", "成都", "杭州", "南京")]
        fuzzy = [add(s, name) for name in ("达科信息技术服务有限公司", "达科信息有限公司")]
    matches = lookup(engine, "上海达科信息技术有限公司")
    assert [m.customer_id for m in matches] == strong[:3]
    assert {m.tier for m in matches} == {"strong"}
    wide = lookup(engine, "上海达科信息技术有限公司", limit=10)
    assert [m.customer_id for m in wide][:4] == strong
    assert {m.customer_id for m in wide[4:]} == set(fuzzy) and [m.tier for m in wide[4:]] == ["fuzzy"] * 2
    assert len({m.customer_id for m in wide}) == len(wide)
    assert wide[4].score >= wide[5].score


def test_the_grams_of_fuzzable_keys_are_indexed(engine: Engine) -> None:
    with write_session(engine) as s:
        cid = add(s, "Acme Technologies Inc")  # core acmetechnologies, stem acme
        add(s, "银行")  # nothing fuzzable: no grams
    with read_session(engine) as s:
        rows = s.exec(NameGram.__table__.select()).all()  # type: ignore[attr-defined]
    assert {(r.gram, r.key_len) for r in rows} == {  # trigrams (bigrams only for keys of 2, 5 or 6)
        *((g, 16) for g in ("acm", "cme", "met", "ete", "tec", "ech", "chn", "hno", "nol", "olo", "log", "ogi",
                            "gie", "ies")),
        ("acm", 4), ("cme", 4),
    }
    assert {r.customer_id for r in rows} == {cid}


# --- the fuzzy tier is exact: it finds what a brute-force scan finds ------------------------------

SYLLABLES = ["ze", "no", "va", "lu", "tri", "gen", "cor", "dex", "ion", "tek", "umb", "rel", "la"]
HANZI = "华中兴达泰新恒盛金鑫宏信诚安科技网络"


def typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    ch = rng.choice(text)
    return rng.choice((text[:i] + ch + text[i:], text[:i] + text[i + 1 :], text[:i] + ch + text[i + 1 :])) or text


def corpus(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    bases = []
    for _ in range(size // 3):
        if rng.random() < 0.5:
            bases.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 7))))
        else:
            bases.append("".join(rng.choice(HANZI) for _ in range(rng.randint(2, 9))))
    names = list(bases)
    for _ in range(size - len(bases)):
        names.append(typo(rng, typo(rng, rng.choice(bases))) if rng.random() < 0.5 else typo(rng, rng.choice(bases)))
    return names


def store(session: Session, names: list[str]) -> dict[int, NameKeys]:
    stored: dict[int, NameKeys] = {}
    seen: set[str] = set()
    for raw in names:
        keys = name_keys(raw)
        if keys.name_key and keys.name_key not in seen:  # the service refuses names without a word
            seen.add(keys.name_key)
            stored[add(session, raw)] = keys
    return stored


def brute_force(query: NameKeys, stored: dict[int, NameKeys]) -> dict[int, float]:
    scores = {cid: fuzzy_score(query, keys) for cid, keys in stored.items()}
    return {cid: score for cid, score in scores.items() if score >= FUZZY_THRESHOLD}


def test_fuzzy_equals_brute_force_on_a_corpus_of_near_duplicates(engine: Engine) -> None:
    names = corpus(seed=7, size=600)
    with write_session(engine) as s:
        stored = store(s, names)
    rng = random.Random(8)
    queries = [typo(rng, rng.choice(names)) for _ in range(150)] + corpus(seed=9, size=60)
    found_any = 0
    with read_session(engine) as s:
        for raw in queries:
            keys = name_keys(raw)
            expected = brute_force(keys, stored)
            assert find_fuzzy(s, keys) == pytest.approx(expected), raw
            found_any += bool(expected)
    assert found_any > 50  # the corpus is dense enough for the comparison to mean something


@pytest.fixture(scope="module")
def scratch_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_db(f"sqlite:///{Path(folder) / 'lookup.db'}")
        yield engine
        engine.dispose()


alphabet = st.sampled_from(["a", "b", "c", "ab", "ba", "科", "技", "华", "为", " ", "Ltd", "有限公司"])
raw_names = st.lists(alphabet, min_size=1, max_size=12).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored_names=st.lists(raw_names, min_size=1, max_size=40), queries=st.lists(raw_names, min_size=1, max_size=8))
def test_fuzzy_equals_brute_force_on_random_corpora(scratch_engine: Engine, stored_names: list[str],
                                                      queries: list[str]) -> None:
    with write_session(scratch_engine) as s:
        s.execute(delete(NameGram))
        s.execute(delete(Customer))
        stored = store(s, stored_names)
    with read_session(scratch_engine) as s:
        for raw in queries + stored_names[:3]:
            keys = name_keys(raw)
            assert find_fuzzy(s, keys) == pytest.approx(brute_force(keys, stored))
            matches = find_matches(s, keys, limit=50)
            ids = [m.customer_id for m in matches]
            assert len(ids) == len(set(ids))
            if not any(m.tier == "exact" for m in matches):
                strong = {cid for cid, k in stored.items() if k.core_key == keys.core_key}
                assert {m.customer_id for m in matches} == strong | set(brute_force(keys, stored))
