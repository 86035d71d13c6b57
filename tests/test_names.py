"""Name keys, match tiers and identifiers (PRODUCT 3.5): pure rules, tested exhaustively."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from bot.rules.identifiers import InvalidIdentifier, company_domain, normalize_phone, normalize_uscc
from bot.rules.names import (
    BIGRAM_LENGTHS,
    FUZZY_THRESHOLD,
    NameKeys,
    fuzzy_score,
    grams,
    indel_bound,
    index_grams,
    is_fuzzable,
    length_range,
    match_tier,
    max_indel_distance,
    name_keys,
    segment_count,
    segment_grams,
    segments,
)

_HERE = Path(__file__).resolve()
PAIRS_FILE = next(
    p for p in (_HERE.parent / "data" / "dedupe_pairs.tsv", _HERE.parents[2] / "shared" / "data" / "dedupe_pairs.tsv")
    if p.exists()
)


# The rules of issue 15, one group of pairs per rule (the shared file's 25 are kept as they are).
ISSUE_PAIRS_FILE = _HERE.parent / "data" / "name_pairs.tsv"


def labelled_pairs(path: Path = PAIRS_FILE) -> list[tuple[str, str, str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [(a, b, tier.strip()) for a, b, tier in (r for r in rows if len(r) == 3 and not r[0].startswith("#"))]


@pytest.mark.parametrize(("a", "b", "tier"), labelled_pairs() + labelled_pairs(ISSUE_PAIRS_FILE))
def test_labelled_pairs_get_their_tier(a: str, b: str, tier: str) -> None:
    assert match_tier(name_keys(a), name_keys(b)) == tier
    assert match_tier(name_keys(b), name_keys(a)) == tier


def test_the_labelled_file_has_every_tier() -> None:
    assert {t for _, _, t in labelled_pairs()} == {"exact", "strong", "fuzzy", "different"}
    assert len(labelled_pairs()) == 25  # the shared pairs, none relabelled


@pytest.mark.parametrize(
    ("raw", "name_key", "core_key", "stem_key"),
    [
        ("深圳市腾讯计算机系统有限公司", "深圳市腾讯计算机系统", "腾讯计算机系统", "腾讯计算机系统"),
        ("广东省深圳市腾讯科技有限公司", "广东省深圳市腾讯科技", "腾讯科技", "腾讯"),
        ("華為技術（深圳）有限公司", "华为技术", "华为技术", "华为"),
        ("海尔集团公司", "海尔", "海尔", "海尔"),
        ("海尔（集团）有限公司", "海尔", "海尔", "海尔"),
        ("中国平安保险（集团）股份有限公司", "中国平安保险", "平安保险", "平安保险"),
        ("阿里巴巴（中国）网络技术有限公司", "阿里巴巴网络技术", "阿里巴巴网络技术", "阿里巴巴"),
        ("南京银行股份有限公司", "南京银行", "南京银行", "南京银行"),  # 银行 alone is no company
        ("北京市", "北京市", "北京市", "北京市"),  # never stripped down to nothing
        ("有限公司", "有限公司", "有限公司", "有限公司"),
        ("Samsung Electronics Co., Ltd.", "samsungelectronics", "samsungelectronics", "samsungelectronics"),
        ("The Coca-Cola Company", "cocacola", "cocacola", "cocacola"),
        ("Procter & Gamble Co.", "proctergamble", "proctergamble", "proctergamble"),
        ("Johnson and Johnson", "johnsonjohnson", "johnsonjohnson", "johnsonjohnson"),
        ("McDonald's Corporation", "mcdonalds", "mcdonalds", "mcdonalds"),
        ("Acme Technology Solutions Ltd", "acmetechnologysolutions", "acmetechnologysolutions", "acme"),
        ("Apple (China) Co., Ltd.", "apple", "apple", "apple"),
        ("Company", "company", "company", "company"),  # a legal word that is the whole name stays
        ("ＡＣＭＥ　Ｃｏｒｐ", "acme", "acme", "acme"),
        ("!!!", "!!!", "!!!", "!!!"),
    ],
)
def test_name_keys(raw: str, name_key: str, core_key: str, stem_key: str) -> None:
    keys = name_keys(raw)
    assert (keys.name_key, keys.core_key, keys.stem_key) == (name_key, core_key, stem_key)


def test_brands_that_begin_like_a_region_keep_their_name() -> None:
    assert name_keys("阿里巴巴集团控股有限公司").core_key == "阿里巴巴集团控股"
    assert name_keys("三明治餐饮有限公司").core_key == "三明治餐饮"
    assert name_keys("阿里地区某某有限公司").core_key == "某某"


def test_grams() -> None:
    assert grams("字节跳动") == {"字节", "节跳", "跳动"}
    assert grams("aaaa") == {"aa"}
    assert grams("a") == {"a"}
    assert grams("") == set()


@pytest.mark.parametrize("key", ["银行", "科技", "网络科技", "信息技术服务", "globalservices", "有限公司", "北京", "深圳市",
                                 "china", "ab", "字", "a1"])
def test_keys_that_never_match_fuzzily(key: str) -> None:
    assert not is_fuzzable(key)
    keys = NameKeys(key, key, key)
    assert fuzzy_score(keys, keys) == 0


@pytest.mark.parametrize("key", ["海尔", "abc", "字节跳动", "建设银行", "acme"])
def test_keys_that_may_match_fuzzily(key: str) -> None:
    assert is_fuzzable(key)
    assert fuzzy_score(NameKeys(key, key, key), NameKeys(key, key, key)) == 100


def test_fuzzy_uses_the_better_of_core_and_stem() -> None:
    a, b = name_keys("Acme"), name_keys("Acme Technologies")
    assert fuzz.ratio(a.core_key, b.core_key) < FUZZY_THRESHOLD
    assert fuzzy_score(a, b) == 100 and match_tier(a, b) == "fuzzy"


# --- the bounds behind storage/lookup.py's exact filter ------------------------------------------

short_keys = st.text(alphabet="abcd科技", min_size=2, max_size=30)


@settings(max_examples=400, deadline=None)
@given(short_keys, short_keys)
def test_any_pair_scoring_the_threshold_is_within_the_bounds(s: str, t: str) -> None:
    if fuzz.ratio(s, t) >= FUZZY_THRESHOLD:
        lo, hi = length_range(len(s))
        assert lo <= len(t) <= hi
        assert Indel.distance(s, t) <= indel_bound(len(s), len(t)) <= max_indel_distance(len(s))


def test_pairs_at_the_threshold_exactly_are_within_the_bounds() -> None:
    # ratio exactly 90: 20 characters against 18 (distance 2 of 38 is 94.7); 10 against 9 → 94.7; 9+11 → 90
    assert fuzz.ratio("abcdefghi", "abcdefghixy") == 90
    assert indel_bound(9, 11) == 2 and length_range(9)[1] >= 11


@given(st.integers(min_value=2, max_value=400))
def test_segments_fit_in_every_fuzzable_key(length: int) -> None:
    count = max_indel_distance(length) + 1
    key = "".join(random.Random(length).choice("ab科") for _ in range(length))
    parts = segments(key, count)
    assert "".join(parts) == key and len(parts) == count
    assert all(len(p) >= 2 for p in parts)


def test_index_grams_are_trigrams_and_bigrams_only_where_a_short_segment_needs_them() -> None:
    assert sorted(BIGRAM_LENGTHS) == [2, 5, 6]
    assert index_grams("字节跳动") == {"字节跳", "节跳动"}
    assert index_grams("海尔") == {"海尔"}
    assert index_grams("abcde") == {"abc", "bcd", "cde", "ab", "bc", "cd", "de"}
    assert segment_grams("ab") == {"ab"} and segment_grams("abcd") == {"abc", "bcd"}


def _edited(rng: random.Random, key: str, edits: int, alphabet: str) -> str:
    for _ in range(edits):
        i = rng.randrange(len(key) + 1)
        op = rng.randrange(3)
        if op == 0 or not key:
            key = key[:i] + rng.choice(alphabet) + key[i:]
        elif op == 1 and i < len(key):
            key = key[:i] + key[i + 1 :]
        elif i < len(key):
            key = key[:i] + rng.choice(alphabet) + key[i + 1 :]
    return key


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="abcd科技", min_size=2, max_size=60), st.integers(0, 12), st.integers(0, 2**32))
def test_the_segment_filter_never_drops_a_match(s: str, edits: int, seed: int) -> None:
    """What storage/lookup.py relies on: any t scoring ≥ T against s has an admissible length and is
    indexed under every gram of at least max_indel_distance + 1 − indel_bound of s's segments."""
    t = _edited(random.Random(seed), s, edits, "abcd科技")
    if fuzz.ratio(s, t) < FUZZY_THRESHOLD:
        return
    lo, hi = length_range(len(s))
    assert lo <= len(t) <= hi
    most = max_indel_distance(len(s))
    indexed = index_grams(t)
    intact = sum(segment_grams(piece) <= indexed for piece in segments(s, most + 1))
    assert intact >= most + 1 - indel_bound(len(s), len(t)) >= 1
    # The cut the lookup makes: one more segment where each keeps a trigram, so two stay intact.
    count = segment_count(len(s))
    intact = sum(segment_grams(piece) <= indexed for piece in segments(s, count))
    assert intact >= count - indel_bound(len(s), len(t)) >= count - most


def test_long_keys_are_cut_so_that_two_segments_stay_intact() -> None:
    for length in range(2, 120):
        count = segment_count(length)
        shortest = min(map(len, segments("x" * length, count)))
        assert count in (max_indel_distance(length) + 1, max_indel_distance(length) + 2)
        assert shortest >= 3 or count == max_indel_distance(length) + 1
    assert segment_count(22) == 6 == max_indel_distance(22) + 2  # e.g. pacificicedarsolutions
    assert segment_count(8) == max_indel_distance(8) + 1  # 3 segments of 2–3 characters would need bigrams


# --- properties of the name key -----------------------------------------------------------------

name_like = st.text(
    alphabet=st.sampled_from(list("abcxyz ABC.,&()（）-_'有限公司集团北京市深圳华为技術科技银行 Ltd Co Inc的")),
    max_size=40,
)


@settings(max_examples=300)
@given(name_like)
def test_name_key_is_stable_on_its_own_output(raw: str) -> None:
    keys = name_keys(raw)
    again = name_keys(keys.name_key)
    assert again.name_key == keys.name_key
    assert again.core_key == keys.core_key


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40))
def test_full_width_and_half_width_give_the_same_keys(raw: str) -> None:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in raw)
    assert name_keys(full_width) == name_keys(raw)


@settings(max_examples=500)
@given(st.text(max_size=60))
def test_never_crashes_and_never_empty_when_there_is_a_letter(raw: str) -> None:
    keys = name_keys(raw)
    if raw.strip():
        assert keys.name_key and keys.core_key and keys.stem_key
    if any(ch.isalnum() for ch in raw):
        assert any(ch.isalnum() for ch in keys.name_key)


# --- identifiers --------------------------------------------------------------------------------


def test_uscc() -> None:
    assert normalize_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    with pytest.raises(InvalidIdentifier) as bad:
        normalize_uscc("91350100M000100Y44")  # wrong check character
    assert bad.value.kind == "uscc"
    with pytest.raises(InvalidIdentifier):
        normalize_uscc("not a code")


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("https://www.Acme.com.cn/about?x=1", "acme.com.cn"),
        ("http://shop.example.co.uk:8080", "example.co.uk"),
        ("sales@mail.bytedance.com", "bytedance.com"),
        ("mailto:ceo@tencent.com", "tencent.com"),
        ("acme.com", "acme.com"),
        ("someone@qq.com", None),
        ("bob@vip.163.com", None),
        ("https://mail.google.com", "google.com"),
        ("x@gmail.com", None),
        ("www.outlook.com", None),
    ],
)
def test_company_domain(text: str, domain: str | None) -> None:
    assert company_domain(text) == domain


@pytest.mark.parametrize("junk", ["", "not a domain", "http://", "localhost", "127.0.0.1", "@"])
def test_company_domain_rejects_junk(junk: str) -> None:
    with pytest.raises(InvalidIdentifier) as bad:
        company_domain(junk)
    assert bad.value.kind == "domain"


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("010 6552 9988", "+861065529988"),
        ("13800138000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_phone(text: str, e164: str) -> None:
    assert normalize_phone(text) == e164


@pytest.mark.parametrize("junk", ["12345", "phone", ""])
def test_phone_rejects_junk(junk: str) -> None:
    with pytest.raises(InvalidIdentifier) as bad:
        normalize_phone(junk)
    assert bad.value.kind == "phone"
