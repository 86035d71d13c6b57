"""Which names of one name key are one legal entity (docs/decisions/0006, issue 15). Pure.

The name key leaves out a name's bracketed regions and its legal form, so that 华为技术（深圳）有限公司
is 华为技术有限公司; bot/rules/names.py keeps them beside it (``region_tag``, ``form_tag``), and these
rules say when two names of one name key may still be two companies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.rules.regions import is_separate_jurisdiction


class Entity(Protocol):
    """What tells two legal entities of one name key apart (a name's keys, a stored customer's row)."""

    @property
    def region_tag(self) -> str: ...

    @property
    def form_tag(self) -> str: ...


def same_entity(a: Entity, b: Entity) -> bool:
    """Whether two names of one name key may be one legal entity: no two different bracketed regions
    (nor a Hong Kong, Macau or Taiwan one on one side only), no two different legal forms."""
    if a.region_tag and b.region_tag:
        regions_agree = a.region_tag == b.region_tag
    else:
        regions_agree = not is_separate_jurisdiction(a.region_tag or b.region_tag)
    return regions_agree and (not a.form_tag or not b.form_tag or a.form_tag == b.form_tag)


def entity_match(keys: Entity, stored: Sequence[Entity]) -> int | None:
    """Which of ``stored`` (names of ``keys``'s name key, oldest first) is the entity ``keys`` names:
    the oldest of the very same region and form, else the oldest that may be it if all that may be it
    are one entity (``华为技术`` is ``华为技术（深圳）有限公司`` when that is the only one). None: ask
    "same company?" about them all (鸿富锦精密工业 when （深圳） and （武汉） are both stored)."""
    equal = [i for i, s in enumerate(stored) if (s.region_tag, s.form_tag) == (keys.region_tag, keys.form_tag)]
    if equal:
        return equal[0]
    possible = [i for i, s in enumerate(stored) if same_entity(keys, s)]
    if possible and all(same_entity(stored[possible[0]], stored[i]) for i in possible[1:]):
        return possible[0]
    return None
