"""Legal forms of companies, as data for the name keys of bot/rules/names.py. Pure.

**Latin script.** Every country's business-type terms come from cleanco's tables
(``cleanco.termdata``: terms by country and by type, MIT, maintained on PyPI), read as data and
written the way names.py writes words (accents folded, dots dropped: ``s.p.a.`` → ``spa``,
``gmbh & co. kg`` → ``gmbh co kg``, ``a/s`` → ``a s``). cleanco lists abbreviations; the full forms
they stand for, and which spellings are one form (``AG`` = ``Aktiengesellschaft``, ``Ltd`` =
``Limited`` = ``Co., Ltd.``), are ``EQUIVALENT`` below. A one-letter typo in a long legal word
(``Corpration``, ``Limted``) still reads as that word.

**Chinese script.** The forms of the Company Law and the Partnership Law, longest first, and the kind
each one names: ``有限公司`` and ``有限责任公司`` are one form (the law's short and long name), ``股份有限公司``
another, ``集团`` names a group. A character typed with the same pinyin as the form's (``有现公司``,
``股分有限公司``: a pinyin input method's slip) still reads as the form.

A name's **legal form** (``form_tag``) is the set of kinds of the forms stripped from it, so that two
names of one brand with different forms (``N.V.`` / ``S.p.A.``, ``集团`` / ``股份有限公司``) can be told
apart; words such as ``Co.``, ``Company`` or ``公司`` name no kind.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleanco.termdata import terms_by_country, terms_by_type
from rapidfuzz.distance import OSA

# cleanco terms that are also ordinary words or codes at the end of a name (Acme UK, Foo Da):
# reading them as legal forms would strip a real word. (Uzbek, Norwegian, Indonesian … forms.)
_NOT_IN_NAMES = frozenset({"uk", "ok", "at", "et", "da", "ba", "bl", "ep", "fa", "ei", "ij", "ik", "mb", "pp", "ps",
                           "sp", "kt", "xt", "xk", "ud", "gp", "pt", "kf", "sf", "hf", "ks", "as", "oe", "ee", "ae"})
# … except inside a longer term (``as oy``) or written with its letters apart (``a/s`` → ``a s``).

# Spellings of one form (first: the form's name in ``form_tag``). Full forms are what cleanco lacks.
EQUIVALENT: tuple[tuple[str, ...], ...] = (
    ("ltd", "limited", "l t d", "co ltd", "company limited", "co limited", "company ltd"),
    ("corp", "corporation", "inc", "incorporated"),
    ("llc", "l l c", "limited liability company", "limited liability co"),
    ("plc", "p l c", "public limited company"),
    ("llp", "limited liability partnership"),
    ("lp", "limited partnership"),
    ("private ltd", "pvt ltd", "pte ltd", "private limited", "pvt limited", "pte limited"),
    ("pty ltd", "proprietary limited", "pty limited"),
    ("ag", "aktiengesellschaft"),
    ("gmbh", "gesellschaft mit beschrankter haftung", "g m b h"),
    ("kgaa", "kommanditgesellschaft auf aktien"),
    ("ag co kgaa", "ag und co kgaa"),  # Henkel AG & Co. KGaA: one form, not AG and KGaA
    ("se co kgaa", "se und co kgaa"),
    ("kg", "kommanditgesellschaft"),
    ("se", "societas europaea", "europaische gesellschaft"),
    ("sa", "societe anonyme", "sociedad anonima", "sociedade anonima"),
    ("spa", "societa per azioni"),
    ("srl", "societa a responsabilita limitata", "sociedad de responsabilidad limitada"),
    ("sarl", "societe a responsabilite limitee"),
    ("sas", "societe par actions simplifiee"),
    ("nv", "naamloze vennootschap"),
    ("bv", "besloten vennootschap"),
    ("ab", "aktiebolag"),
    ("a s", "aktieselskab", "aksjeselskap"),  # A/S; a bare "as" is too often a word
    ("asa", "allmennaksjeselskap"),
    ("oy", "osakeyhtio"),
    ("oyj", "julkinen osakeyhtio"),
    ("kk", "k k", "kabushiki kaisha", "kabushikigaisha"),
    ("sdn bhd", "sendirian berhad"),
    ("bhd", "berhad"),
    ("ltda", "limitada"),
    ("jsc", "joint stock company"),
    ("group",),  # as 集团: Haier Group is 海尔集团, and a group is another entity than its AG or Ltd
    ("sp z oo", "spolka z ograniczona odpowiedzialnoscia"),
)
# Words that say "a company" and nothing about its form.
NO_KIND = frozenset({"co", "company", "cos", "and co", "and company", "co co"})


def latin_words(term: str) -> tuple[str, ...]:
    """A term written as names.py writes a name's words: folded, dots and apostrophes dropped."""
    text = fold_accents(unicodedata.normalize("NFKC", term).casefold())
    return tuple(re.findall(r"[^\W_]+", re.sub(r"[.'’`]", "", text)))


def fold_accents(text: str) -> str:
    """``nestlé`` → ``nestle``: combining diacritical marks (U+0300–U+036F) dropped, nothing else
    (Japanese sound marks are letters of their own)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFKC", "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f"))


def _latin_terms() -> dict[tuple[str, ...], str]:
    """Every Latin legal term (as words) → the kind it names ("" for none)."""
    kinds: dict[tuple[str, ...], str] = {}
    for group in EQUIVALENT:
        for spelling in group:
            kinds[latin_words(spelling)] = group[0]
    cleanco = {t for terms in (*terms_by_country.values(), *terms_by_type.values()) for t in terms}
    for term in sorted(cleanco):
        words = latin_words(term)
        if not words or (len(words) == 1 and words[0] in _NOT_IN_NAMES):
            continue
        kinds.setdefault(words, " ".join(words))
    for spelling in NO_KIND:
        kinds[latin_words(spelling)] = ""
    return kinds


LATIN_TERMS = _latin_terms()
LATIN_LEGAL_WORDS = frozenset(w for term in LATIN_TERMS if len(term) == 1 for w in term)
_BY_LAST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _term in sorted(LATIN_TERMS, key=len, reverse=True):
    _BY_LAST_WORD.setdefault(_term[-1], []).append(_term)
# Long legal words a one-letter typo still names (short ones would catch real words: co → go).
_TYPO_WORDS = sorted(w for w in LATIN_LEGAL_WORDS if len(w) >= 7)
TYPO_MIN_LENGTH = 6


@lru_cache(maxsize=4096)
def _typo_of(word: str) -> str | None:
    """The long legal word ``word`` is one typo away from (insert, delete, substitute, swap), if any."""
    if len(word) < TYPO_MIN_LENGTH or word in LATIN_LEGAL_WORDS:
        return None
    return next((w for w in _TYPO_WORDS if abs(len(w) - len(word)) <= 1 and OSA.distance(word, w, score_cutoff=1) <= 1),
                None)


def strip_latin_forms(words: list[str]) -> tuple[list[str], list[str]]:
    """Trailing legal terms off ``words`` (longest term first, repeatedly, never all the words):
    the words left, and the kinds of the terms taken (in order, "" for a word of no kind)."""
    words = list(words)
    kinds: list[str] = []
    while len(words) > 1:
        last = words[-1]
        fixed = last if last in _BY_LAST_WORD else _typo_of(last)
        if fixed is None:
            break
        tail = [*words[:-1], fixed]
        term = next((t for t in _BY_LAST_WORD[fixed] if len(t) < len(tail) and tuple(tail[-len(t):]) == t), None)
        if term is None:
            break
        kinds.append(LATIN_TERMS[term])
        words = words[: -len(term)]
    return words, kinds


# --- Chinese --------------------------------------------------------------------------------------

_CJK_FORMS_TEXT = ("集团股份有限公司 股份有限公司 有限责任公司 集团有限公司 股份公司 有限公司 有限合伙 普通合伙 "
                   "合伙企业 株式会社 总公司 公司 集团 股份 有限")
CJK_LEGAL_FORMS = tuple(sorted(_CJK_FORMS_TEXT.split(), key=len, reverse=True))
# What a stripped Chinese suffix names, by the words in it (集团股份有限公司: a group, joint-stock).
_CJK_KINDS = (("集团", "group"), ("股份", "jsc"), ("有限合伙", "lp"), ("普通合伙", "gp"), ("合伙企业", "partnership"),
              ("株式会社", "kk"))


def cjk_kinds(stripped: str) -> list[str]:
    """The kinds named by the Chinese legal forms stripped from a name (``stripped``: all of them)."""
    kinds = [kind for word, kind in _CJK_KINDS if word in stripped]
    if "有限" in stripped and not {"jsc", "lp"} & set(kinds):
        kinds.append("ltd")  # 有限公司, 有限责任公司: the Company Law's limited company, as Co., Ltd.
    return kinds


@lru_cache(maxsize=8192)
def _reading(ch: str) -> str:
    from pypinyin import lazy_pinyin  # loaded only when a form may be mistyped: see names._pinyin

    return lazy_pinyin(ch)[0]


def ends_with_form(key: str, form: str) -> bool:
    """``key`` ends with ``form``, or with ``form`` typed with one character of the same pinyin
    (``有现公司`` for ``有限公司``; forms of at least 3 characters)."""
    if key.endswith(form):
        return True
    if len(form) < 3 or len(key) <= len(form):
        return False
    tail = key[-len(form):]
    differ = [(a, b) for a, b in zip(tail, form, strict=True) if a != b]
    return len(differ) == 1 and _reading(differ[0][0]) == _reading(differ[0][1])


def form_tag(kinds: list[str]) -> str:
    """The legal form of a name: its kinds, sorted, joined by ``+``; "" when it names none."""
    return "+".join(sorted({k for k in kinds if k}))
