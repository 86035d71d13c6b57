"""Numbers, money, dates, times and plurals in the reader's locale, by Babel's CLDR data.

Every view formats through these functions, never by hand, so that adding a language is adding a
catalog (docs/decisions/0023-both-languages.md):

- ``number(1234.5, "en")`` → ``1,234.5``; at most two decimals, none when whole.
- ``money(125000, "zh")`` → ``12.5万`` (CLDR's short form from 10,000 up); ``money(125000, "en")`` →
  ``125,000``; cents only when there are any (``1,234.50``).
- ``day(date(2026, 12, 11), "zh")`` → ``2026年12月11日``; ``"en"`` → ``Dec 11, 2026``.
- ``moment(at, "Asia/Shanghai", "en")`` → ``Dec 11, 2026, 2:30 PM``; given the reader's own time zone
  and it differs, the zone is named: ``… 2:30 PM (China Standard Time)``.
- Plurals: a catalog template field may carry CLDR plural forms as its format spec,
  ``{days:one=# day;other=# days}``; the form is chosen by the locale's plural rule for the value and
  ``#`` is the value as ``number`` writes it. Chinese has only ``other``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_compact_decimal, format_decimal

COMPACT_FROM = 10_000  # zh writes 12.5万 from one 万 up; below it 9,500
# The zone of the person a message is being rendered for, where known (set by delivery for a DM).
_reader_zone: ContextVar[str | None] = ContextVar("reader_zone", default=None)


@contextmanager
def reading_in(zone: str | None) -> Iterator[None]:
    """Render for a reader who lives in ``zone``: every ``moment`` inside names the team's zone when it
    is not theirs."""
    token = _reader_zone.set(zone)
    try:
        yield
    finally:
        _reader_zone.reset(token)


@lru_cache(maxsize=8)
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


def number(x: float | int, lang: str) -> str:
    """Grouped, at most two decimals, no trailing zeros: 12 → "12", 2.5 → "2.5", 1234.567 → "1,234.57"."""
    return format_decimal(round(float(x), 2), format="#,##0.##", locale=locale(lang))


def money(x: float | int, lang: str) -> str:
    """An amount as the reader counts it: zh 12.5万 / 1,234.57万 (from 10,000); en 125,000 / 1,234.50."""
    if lang == "zh" and abs(x) >= COMPACT_FROM:
        return format_compact_decimal(x, format_type="short", fraction_digits=2, locale=locale(lang))
    whole = float(x) == int(x)
    return format_decimal(x, format="#,##0" if whole else "#,##0.00", locale=locale(lang))


def day(d: date, lang: str) -> str:
    return format_date(d, format="medium", locale=locale(lang))


def time_of_day(at: datetime, tz: str, lang: str) -> str:
    return format_time(_aware(at), format="short", tzinfo=ZoneInfo(tz), locale=locale(lang))


def moment(at: datetime, tz: str, lang: str, reader_tz: str | None = None) -> str:
    """A date and time in the team's zone ``tz``; named when the reader is known to live in another one
    (``reader_tz``, else the zone ``reading_in`` set)."""
    local = _aware(at).astimezone(ZoneInfo(tz))
    reader_tz = reader_tz or _reader_zone.get()
    loc = locale(lang)
    pattern = str(loc.datetime_formats["medium"])  # "{1} {0}" (zh), "{1}, {0}" (en)
    text = pattern.replace("{1}", day(local.date(), lang)).replace("{0}", time_of_day(local, tz, lang))
    if reader_tz and not same_zone(reader_tz, tz, local):
        text += f" ({zone_name(tz, lang)})"
    return text


def zone_name(tz: str, lang: str) -> str:
    return str(get_timezone_name(ZoneInfo(tz), width="long", locale=locale(lang)))


def same_zone(a: str, b: str, at: datetime) -> bool:
    """Two zones the reader can't tell apart at that moment (same offset), e.g. Asia/Shanghai and Asia/Taipei."""
    if a == b:
        return True
    try:
        return _aware(at).astimezone(ZoneInfo(a)).utcoffset() == _aware(at).astimezone(ZoneInfo(b)).utcoffset()
    except (KeyError, ValueError):  # an unknown zone name from Slack: name ours, to be safe
        return False


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def plural_category(n: float | int, lang: str) -> str:
    return str(locale(lang).plural_form(abs(n)))


class CatalogFormatter(string.Formatter):
    """``str.format`` plus plural forms in the format spec (``{n:one=# day;other=# days}``)."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> Any:
        if "=" in format_spec and isinstance(value, int | float) and not isinstance(value, bool):
            forms = dict(part.split("=", 1) for part in format_spec.split(";") if "=" in part)
            chosen = forms.get(plural_category(value, self.lang)) or forms["other"]
            return chosen.replace("#", number(value, self.lang))
        if "=" in format_spec:  # a count given as text (already formatted): the "other" form
            forms = dict(part.split("=", 1) for part in format_spec.split(";") if "=" in part)
            return forms["other"].replace("#", str(value))
        if not format_spec and isinstance(value, int | float) and not isinstance(value, bool):
            return number(value, self.lang)
        return super().format_field(value, format_spec)


@lru_cache(maxsize=8)
def formatter(lang: str) -> CatalogFormatter:
    return CatalogFormatter(lang)
