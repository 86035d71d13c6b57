"""Customer name keys and name matching (PRODUCT 3.5). Pure: text in, keys and scores out.

Three keys per name, each derived from the previous one:

- **name key**: NFKC (full-width → half-width), casefold, Traditional → Simplified, bracketed regions
  removed (``（北京）``, ``(China)``), punctuation and spaces removed, legal forms stripped (Latin ones
  as trailing words, Chinese ones as suffixes, longest first, until nothing changes).
- **core key**: the name key without leading administrative regions (``深圳市腾讯计算机系统`` →
  ``腾讯计算机系统``), stripped only while at least 2 CJK characters remain and what remains is a
  company: ``南京银行`` keeps its region, because ``银行`` alone names no company (so 南京银行 and
  北京银行 stay different customers).
- **stem key**: the core key with generic industry words set aside (``达科信息技术`` → ``达科``,
  ``Wayne Enterprises`` → ``wayne``): Latin ones wherever they stand as words, Chinese ones at the end.

Beside them (docs/decisions/0006, issue 15): the **pinyin key** (the core key in toneless pinyin:
腾讯 = 腾迅 = ``tengxun``, and ``Baidu`` = 百度), and what the name key leaves out that tells two legal
entities of one name apart: the bracketed regions (``region_tag``) and the legal form (``form_tag``).
Legal forms, regions and generic words are data: bot/rules/legal_forms.py, regions.py, generic_words.py.

No stripping step ever empties a key: when it would, the step is skipped. A key is *fuzzable* when it
has at least 2 CJK or 3 other characters and is not just generic words, legal words or regions; keys
that are not fuzzable only ever match exactly (same name key) or strongly (same core key).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

import opencc
from rapidfuzz import fuzz

from bot.rules.generic_words import CJK_INDUSTRY_WORDS, GENERIC_MODIFIERS, LATIN_INDUSTRY_WORDS, SECTOR_NOUNS
from bot.rules.identifiers import web_name
from bot.rules.legal_entities import same_entity
from bot.rules.legal_forms import (
    CJK_LEGAL_FORMS,
    LATIN_LEGAL_WORDS,
    cjk_kinds,
    ends_with_form,
    fold_accents,
    form_tag,
    strip_latin_forms,
)
from bot.rules.regions import (
    is_region,
    region_tag,
    strip_leading_latin_region,
    strip_leading_region,
)

FUZZY_THRESHOLD = 90
GRAM_SIZE = 2

Tier = Literal["exact", "strong", "fuzzy", "different"]

# Building the converter reads its dictionaries: once per process.
_T2S = opencc.OpenCC("t2s")

_GENERIC_PREFIX_WORDS = (*LATIN_INDUSTRY_WORDS, *CJK_INDUSTRY_WORDS, *GENERIC_MODIFIERS)
_GENERIC_PREFIX_SET = frozenset(_GENERIC_PREFIX_WORDS)
_GENERIC_LAST_WORDS = frozenset({*SECTOR_NOUNS, *LATIN_LEGAL_WORDS, *CJK_LEGAL_FORMS})

_OPEN, _CLOSE = "([{【〔〖「『", ")]}】〕〗」』"
_BRACKETED = re.compile(rf"[{re.escape(_OPEN)}]([^{re.escape(_OPEN + _CLOSE)}]*)[{re.escape(_CLOSE)}]")
_APOSTROPHES = re.compile(r"['’`]")  # McDonald's → mcdonalds
_TOKEN = re.compile(r"[^\W_]+(?:\.+[^\W_]+)*")  # a word, or words joined by dots: s.p.a, co.ltd, amazon.com
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class NameKeys:
    """The keys of one name. ``pinyin_key``: the core key in toneless pinyin (a Latin core key as it is),
    "" when the core key is no company on its own. ``region_tag`` and ``form_tag``: the bracketed regions
    and the legal form the name key left out, to tell apart two legal entities of one name key."""

    name_key: str
    core_key: str
    stem_key: str
    pinyin_key: str = ""
    region_tag: str = ""
    form_tag: str = ""


def name_keys(raw: str) -> NameKeys:
    """The keys of a customer name (or of an alias). Empty only when ``raw`` has nothing but spaces."""
    text = _normalise(raw)
    text, regions = _drop_bracketed_regions(text)
    words = _words(text)
    if not words:  # nothing but punctuation: the text itself is the best key there is
        key = "".join(text.split())
        return NameKeys(key, key, key)
    words, latin_kinds = _strip_legal_words(words)
    name_key, cjk_stripped = _strip_cjk_forms("".join(words))
    core_key = _core(name_key, words)
    stem_words = [w for w in words if w not in LATIN_INDUSTRY_WORDS]
    stem_key = core_key
    if stem_words and len(stem_words) < len(words):
        candidate = _core(_strip_cjk_forms("".join(stem_words))[0], stem_words)
        if is_fuzzable(candidate):
            stem_key = candidate
    stem_key = _strip_cjk_suffixes(stem_key, CJK_INDUSTRY_WORDS, keep=is_fuzzable)
    return NameKeys(name_key, core_key, stem_key, pinyin_key(core_key), "+".join(regions),
                    form_tag(latin_kinds + cjk_kinds(cjk_stripped)))


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).casefold()
    if text.isascii():  # nothing for t2s to convert (its dictionary has no ASCII), and NFKC keeps ASCII
        return text
    text = unicodedata.normalize("NFKC", _T2S.convert(text))
    folded = fold_accents(text)
    return folded if folded.strip() else text  # a lone accent (``¸``) is all the name there is


def _words(text: str) -> list[str]:
    """The words of a name: apostrophes dropped, dots too (``s.p.a`` → ``spa``), except that dotted legal
    words stay apart (``co.ltd`` → ``co ltd``) and a web address is its name (``amazon.com`` → ``amazon``)."""
    words: list[str] = []
    for token in _TOKEN.findall(_APOSTROPHES.sub("", text)):
        parts = [p for p in token.split(".") if p]
        if len(parts) == 1:
            words.append(parts[0])
        elif all(p in LATIN_LEGAL_WORDS and len(p) > 1 for p in parts):
            words.extend(parts)
        elif "".join(parts) in LATIN_LEGAL_WORDS:  # s.coop, not the web site of "s"
            words.append("".join(parts))
        else:
            words.append(web_name(token) or "".join(parts))
    return words


def _drop_bracketed_regions(text: str) -> tuple[str, list[str]]:
    """``华为技术（深圳）有限公司`` → ``华为技术 有限公司`` and the regions taken (``["shenzhen"]``); other
    brackets keep their content."""
    taken: list[str] = []

    def replace(m: re.Match[str]) -> str:
        tag = region_tag("".join(_WORD.findall(m.group(1).replace(".", ""))))
        if tag:
            found.append(tag)
            return " "
        return f" {m.group(1)} "

    while True:  # innermost brackets first; never down to nothing
        found: list[str] = []
        shorter = _BRACKETED.sub(replace, text)
        if shorter == text or not _WORD.findall(shorter):
            return text, taken
        text = shorter
        taken.extend(found)


def _strip_legal_words(words: list[str]) -> tuple[list[str], list[str]]:
    """Trailing legal words (``co ltd``; bot/rules/legal_forms.py), a leading ``the``, and ``and``
    between words; never all. Also the kinds of the legal forms taken."""
    words, kinds = strip_latin_forms(words)
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    kept = [w for i, w in enumerate(words) if not (w == "and" and 0 < i < len(words) - 1)]
    return kept, kinds


def _not_legal(key: str) -> bool:
    return key not in CJK_LEGAL_FORMS  # 有限公司 stays 有限公司, not 有限


def _strip_cjk_forms(key: str) -> tuple[str, str]:
    """Chinese legal forms off the end of ``key`` (longest first, until none applies; a form typed
    with one homophone still counts): the key left, and the forms taken (as the law writes them)."""
    taken = ""
    changed = True
    while changed:
        changed = False
        for form in CJK_LEGAL_FORMS:
            if len(key) > len(form) and ends_with_form(key, form):
                shorter = key[: -len(form)]
                if _not_legal(shorter):
                    key, taken, changed = shorter, form + taken, True
                    break
    return key, taken


def _core(name_key: str, words: list[str]) -> str:
    """The name key without its leading regions: Chinese ones off the key, a Latin one off the words."""
    core_key = _strip_regions(name_key)
    if core_key == name_key:
        rest = strip_leading_latin_region(words)
        if rest is not words and not all(is_generic(w) or w == "and" for w in rest):  # Beijing Gas stays
            candidate = _strip_cjk_forms("".join(rest))[0]
            if is_fuzzable(candidate):
                core_key = candidate
    return core_key


def _strip_cjk_suffixes(key: str, suffixes: tuple[str, ...], keep: Callable[[str], bool]) -> str:
    """Strip suffixes (longest first) until none applies; a strip that would empty ``key`` or make
    ``keep`` false is not made."""
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if key.endswith(suffix) and len(key) > len(suffix):
                shorter = key[: -len(suffix)]
                if keep(shorter):
                    key, changed = shorter, True
                    break
    return key


def _strip_regions(key: str) -> str:
    """Leading regions off (``广东省深圳市腾讯`` → ``腾讯``) while a company with ≥ 2 CJK remains."""
    for _ in range(3):
        shorter = strip_leading_region(key)
        if shorter == key or cjk_count(shorter) < 2 or is_generic(shorter) or is_region(shorter):
            break
        key = shorter
    return key


def cjk_count(key: str) -> int:
    return sum(1 for ch in key if _is_cjk(ch))


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


@lru_cache(maxsize=65536)
def is_generic(key: str) -> bool:
    """Nothing but industry words, optionally followed by one sector noun or legal word:
    ``银行``, ``网络科技``, ``信息技术服务``, ``globalservices``, ``有限公司``."""
    if key in _GENERIC_LAST_WORDS or key in _GENERIC_PREFIX_SET:
        return True
    return any(key.startswith(w) and is_generic(key[len(w) :]) for w in _GENERIC_PREFIX_WORDS if len(w) < len(key))


def is_fuzzable(key: str) -> bool:
    """Long enough (2 CJK or 3 other characters) and a company, not a generic word or a region."""
    cjk = cjk_count(key)
    if cjk < 2 and len(key) - cjk < 3:
        return False
    return not is_generic(key) and not is_region(key)


def grams(key: str, size: int = GRAM_SIZE) -> set[str]:
    """Distinct character q-grams (bigrams unless ``size`` says otherwise); a shorter key is its own gram."""
    if len(key) < size:
        return {key} if key else set()
    return {key[i : i + size] for i in range(len(key) - size + 1)}


def key_ratio(a: str, b: str) -> float:
    """``fuzz.ratio`` of two keys of the same kind; 0 when either is not fuzzable."""
    if not (is_fuzzable(a) and is_fuzzable(b)):
        return 0.0
    return fuzz.ratio(a, b)


def fuzzy_score(a: NameKeys, b: NameKeys) -> float:
    """The better of the core-key and stem-key ratios (0 … 100)."""
    return max(key_ratio(a.core_key, b.core_key), key_ratio(a.stem_key, b.stem_key))


# Rare characters in well-known names that people read, and so type, as another character: the pinyin key
# uses the reading they type. 宏碁 (Acer) is read hóngqí by the dictionary and typed 宏基 (hóngjī) by most.
MISREAD = str.maketrans({"碁": "基"})


def pinyin_key(core_key: str) -> str:
    """``腾讯`` → ``tengxun``: the core key in toneless pinyin, a Latin one as it is; "" when the core key is
    no company on its own (two names that sound alike are only as alike as their core keys). A character in
    ``MISREAD`` counts with the reading people type for it."""
    if not is_fuzzable(core_key):
        return ""
    if cjk_count(core_key) == 0:
        return core_key
    return "".join(_pinyin()(core_key.translate(MISREAD))).replace("ü", "v")


def load_pinyin() -> None:
    """Load pypinyin's dictionaries now (~1 s), so that no request pays for them (servers, at start)."""
    _pinyin()("中")


@lru_cache(maxsize=1)
def _pinyin() -> Callable[[str], list[str]]:
    """pypinyin's ``lazy_pinyin``, imported at the first Chinese name: its dictionaries take ~50 MiB, which
    processes that never read a Chinese name (the scheduler, most CLI commands) need not hold."""
    from pypinyin import lazy_pinyin

    return lazy_pinyin


def match_tier(a: NameKeys, b: NameKeys) -> Tier:
    if a.name_key == b.name_key:
        return "exact" if same_entity(a, b) else "strong"
    if a.core_key == b.core_key or (a.pinyin_key and a.pinyin_key == b.pinyin_key):
        return "strong"
    if fuzzy_score(a, b) >= FUZZY_THRESHOLD:
        return "fuzzy"
    return "different"


# --- Bounds for an exact candidate filter (used by storage/lookup.py) -------------------------------
#
# fuzz.ratio(s, t) = 100 · (1 − d / (|s| + |t|)), d = |s| + |t| − 2·LCS(s, t) the indel distance. With
# threshold T, ratio ≥ T  ⇔  d ≤ (|s| + |t|)·(100 − T)/100, and d ≡ |s| + |t| (mod 2) always. As
# d ≥ ||s| − |t||, a match needs |t| in [|s|·T/(200 − T), |s|·(200 − T)/T]: for T = 90,
# [9|s|/11, 11|s|/9]. Integer arithmetic keeps every bound inclusive, so a score of exactly T is
# decided by rapidfuzz itself, never by a filter.
#
# Pigeonhole: cut s into m disjoint segments. One deleted character of s breaks at most one segment,
# one inserted character at most one (none at a cut), so a t within distance d still contains at
# least m − d of the segments intact, hence all of their grams.


def length_range(length: int, threshold: int = FUZZY_THRESHOLD) -> tuple[int, int]:
    """Lengths a key may have to score ≥ threshold against a key of ``length``."""
    lo = -((-length * threshold) // (200 - threshold))  # ceil
    hi = (length * (200 - threshold)) // threshold
    return lo, hi


def indel_bound(a_len: int, b_len: int, threshold: int = FUZZY_THRESHOLD) -> int:
    """Largest indel distance two keys of these lengths may have and still score ≥ threshold."""
    bound = ((a_len + b_len) * (100 - threshold)) // 100
    return bound - (bound - a_len - b_len) % 2  # an indel distance has the parity of |s| + |t|


def max_indel_distance(length: int, threshold: int = FUZZY_THRESHOLD) -> int:
    """Largest indel distance to any key of admissible length (see ``length_range``)."""
    lo, hi = length_range(length, threshold)
    return max(indel_bound(length, other, threshold) for other in range(lo, hi + 1))


def segments(key: str, count: int) -> list[str]:
    """``key`` cut into ``count`` contiguous pieces of (nearly) equal length."""
    cuts = [round(i * len(key) / count) for i in range(count + 1)]
    return [key[a:b] for a, b in pairwise(cuts)]


# --- Which grams are indexed ----------------------------------------------------------------------
#
# The filter needs, for every segment of a query, grams that any key containing the segment has too:
# all of the segment's trigrams (a key containing the segment contains them), or — for a segment of
# 2 characters, which has none — its bigram. Trigrams, not bigrams: Latin bigrams are all common
# (at 1,000,000 names a typical one has tens of thousands of postings per length), trigrams ~10×
# rarer. Segments are at least 2 characters long (``segments`` over ``max_indel_distance`` + 1
# pieces; tests/test_names.py), and only queries of 2 or 5 characters have a 2-character one, so
# bigrams are indexed only for the key lengths such a query may match: ``BIGRAM_LENGTHS``.

INDEX_GRAM_SIZE = 3


def _bigram_lengths() -> frozenset[int]:
    lengths: set[int] = set()
    for n in range(2, 256):
        if min(map(len, segments("x" * n, max_indel_distance(n) + 1))) < INDEX_GRAM_SIZE:
            lo, hi = length_range(n)
            lengths.update(range(lo, hi + 1))
    return frozenset(lengths)


BIGRAM_LENGTHS = _bigram_lengths()  # {2, 5, 6} for T = 90


def index_grams(key: str) -> set[str]:
    """The grams a key is indexed under: its trigrams, and its bigrams if its length needs them."""
    found = grams(key, INDEX_GRAM_SIZE) if len(key) >= INDEX_GRAM_SIZE else set()
    if len(key) in BIGRAM_LENGTHS:
        found |= grams(key)
    return found


def segment_grams(segment: str) -> set[str]:
    """The grams every key containing ``segment`` is indexed under (given its length is admissible)."""
    return grams(segment, INDEX_GRAM_SIZE) if len(segment) >= INDEX_GRAM_SIZE else grams(segment)


def segment_count(length: int) -> int:
    """How many segments storage/lookup.py cuts a query of ``length`` into: max_indel_distance + 1 is the least that
    leaves one intact; one more leaves two intact for every admissible length (a far stronger
    filter on long Latin keys, whose single intact segment is often a common word such as
    ``ions``), where every segment still has a trigram — shorter ones need bigrams, which are
    indexed only for the lengths of ``BIGRAM_LENGTHS``."""
    least = max_indel_distance(length) + 1
    more = least + 1
    return more if length // more >= INDEX_GRAM_SIZE else least
