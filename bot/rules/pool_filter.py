"""The filter of `/pool [filter]`. Pure: text in, a filter (or what is wrong with it) out.

Words of the form ``key:value`` (or ``key：value``) filter by a field — ``tier:A``, ``region:北京``,
``industry:科技`` (also ``等级:`` ``级别:`` ``地区:`` ``区域:`` ``行业:``); a short id ``C-1042`` picks one
customer; every other word is part of the name, matched by its name key (PRODUCT 3.5), so
``字节跳动有限公司`` finds ``北京字节跳动科技有限公司``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.rules import text
from bot.rules.importing import parse_tier
from bot.rules.names import name_keys

MAX_FILTER_CHARS = 100
_FIELD = re.compile(r"^([^\s:：]+)\s*[:：]\s*(\S*)$")
_KEYS = {
    "tier": "tier", "level": "tier", "等级": "tier", "级别": "tier", "分级": "tier",
    "region": "region", "area": "region", "city": "region", "地区": "region", "区域": "region", "城市": "region",
    "industry": "industry", "sector": "industry", "行业": "industry",
}


@dataclass(frozen=True)
class PoolFilter:
    typed: str = ""  # the filter as typed (cleaned), for the header and the buttons
    name_key: str | None = None  # customers whose name key contains this
    tier: str | None = None
    region: str | None = None  # casefolded; customers whose region contains it
    industry: str | None = None
    short_id: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.name_key or self.tier or self.region or self.industry or self.short_id is not None)


@dataclass(frozen=True)
class FilterError:
    code: str  # a catalog key
    params: dict[str, object]


def parse_filter(typed: str | None) -> PoolFilter | FilterError:
    cleaned = " ".join(text.clean(typed).split())
    if len(cleaned) > MAX_FILTER_CHARS:
        return FilterError("pool.error.too_long", {"limit": MAX_FILTER_CHARS, "length": len(cleaned)})
    if not cleaned:
        return PoolFilter()
    short = text.short_id_number(cleaned)
    if short is not None:
        return PoolFilter(cleaned, short_id=short)
    fields: dict[str, str] = {}
    words: list[str] = []
    for word in _words(cleaned):
        m = _FIELD.match(word)
        key = _KEYS.get(unicodedata.normalize("NFKC", m.group(1)).casefold()) if m else None
        if m is None or key is None:
            words.append(word)
            continue
        value = m.group(2).strip()
        if not value:
            continue
        if key == "tier":
            tier = parse_tier(value)
            if tier is None:
                return FilterError("pool.error.bad_tier", {"value": value})
            fields["tier"] = tier
        else:
            fields[key] = unicodedata.normalize("NFKC", value).casefold()
    name = " ".join(words)
    # Punctuation alone is its own key (name_keys keeps it), so `/pool %` finds nothing, not everything.
    key = name_keys(name).name_key if name else None
    return PoolFilter(cleaned, name_key=key or None, tier=fields.get("tier"), region=fields.get("region"),
                      industry=fields.get("industry"))


def _words(cleaned: str) -> list[str]:
    """Split on spaces, keeping ``key: value`` (a space after the colon) as one word."""
    parts = cleaned.split(" ")
    words: list[str] = []
    for part in parts:
        if words and re.search(r"[:：]$", words[-1]) and _FIELD.match(words[-1] + part):
            words[-1] += part
        else:
            words.append(part)
    return words
