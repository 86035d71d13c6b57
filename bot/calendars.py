"""Holiday calendars for counting working days (PRODUCT 3.2), built here and handed to the pure rules.

``bot/rules`` never imports a calendar package: it receives a plain ``is_workday(date) -> bool``. This
module builds that callable from the settings (``[claims] count = "working_days"``,
``holiday_calendar = "CN"``).

The Chinese calendar comes from the ``chinesecalendar`` package (``chinese_calendar``), which knows the
State Council's holidays and the 调休 make-up workdays (a Saturday or Sunday that is worked) for the
years it was released with. For a date in a year the package does not know, ``is_workday`` falls back
to Monday–Friday: the package raises ``NotImplementedError`` there, and a deadline must still be
computable. A team that knows next year's schedule before a new package release can list the days in
``[claims] extra_holidays`` / ``extra_workdays``; those win over the package and the fallback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
from chinese_calendar import constants as cn_constants

CALENDARS = ("CN",)


@lru_cache(maxsize=1)
def known_years() -> frozenset[int]:
    """The years the installed ``chinesecalendar`` has holiday data for (2004–2026 in 1.11.0)."""
    return frozenset(d.year for d in cn_constants.holidays)


def _cn_is_workday(day: date) -> bool:
    if day.year not in known_years():
        return day.weekday() < 5  # unknown year: Monday–Friday (the package would raise NotImplementedError)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year at the edge of the package's range
        return day.weekday() < 5


@dataclass(frozen=True)
class WorkdayCalendar:
    """``is_workday`` for one holiday calendar plus the team's own additions. Hashable by value, so the
    rules can memoise day counts per calendar."""

    name: str = "CN"
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def __call__(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return _cn_is_workday(day)

    def fingerprint(self) -> str:
        """What this calendar's answers depend on: a new package release with a new year's holidays
        changes deadlines, so it is recorded as a rule change (docs/decisions/0005)."""
        return calendar_data_fingerprint(self.name)


@lru_cache(maxsize=4)
def calendar_data_fingerprint(name: str) -> str:
    try:
        package = version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        package = "?"
    data = sorted((d.isoformat(), "h") for d in cn_constants.holidays) + sorted(
        (d.isoformat(), "w") for d in cn_constants.workdays)
    digest = hashlib.sha256(repr(data).encode()).hexdigest()[:16]
    years = known_years()
    return f"{name}:chinesecalendar-{package}:{min(years)}-{max(years)}:{digest}"


def workday_calendar(name: str = "CN", *, extra_holidays: list[date] | tuple[date, ...] = (),
                     extra_workdays: list[date] | tuple[date, ...] = ()) -> Callable[[date], bool]:
    if name not in CALENDARS:
        raise ValueError(f"unknown holiday calendar {name!r}; known: {', '.join(CALENDARS)}")
    return WorkdayCalendar(name, frozenset(extra_holidays), frozenset(extra_workdays))
