"""Holiday calendars for counting working days (PRODUCT 3.2), built here and handed to the pure rules.

``bot/rules`` never imports a calendar package: it receives a plain ``is_workday(date) -> bool``. This
module builds that callable from the settings (``[claims] count = "working_days"``,
``holiday_calendar = "CN"``, ``[calendar] holidays`` / ``workdays``).

China's working days are the State Council's yearly notice: the holidays and the 调休 make-up workdays (a
Saturday or Sunday that is worked), published each November for the next year. Two maintained packages
carry those notices (docs/decisions/0021): ``holidays`` (its China calendar) and ``chinesecalendar``. For
each date the first source that has *that year's notice* answers, in this order:

1. the team's own ``[calendar] workdays`` / ``holidays`` (they win over any package);
2. ``holidays``, for the years whose notice it carries (its make-up workdays are known);
3. ``chinesecalendar``, for the years it was released with;
4. no source has the year's notice: the statutory holidays (fixed by law, from ``holidays`` without its
   guessed "observed" days) are off and otherwise Monday–Friday. That is an estimate — bridge days and
   make-up Saturdays are unknown — so it is never silent: ``needed_uncovered_years`` tells the digest
   (admins, from 1 November of the year before) and ``claimbot doctor`` fails.

A year counts as the team's when its ``[calendar]`` lists name any date in it: a team that enters a
year's notice by hand enters all of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
import holidays
from chinese_calendar import constants as cn_constants

CALENDARS = ("CN",)
NOTICE_MONTH = 11  # the State Council publishes next year's schedule in November: from then, next year is needed
_YEARS = range(2001, 2101)  # the span asked of ``holidays`` (its China calendar starts its notices in 2001)


@lru_cache(maxsize=1)
def _holidays_cn() -> holidays.HolidayBase:
    return holidays.China(years=_YEARS)


@lru_cache(maxsize=1)
def _statutory_cn() -> holidays.HolidayBase:
    """The holidays the law fixes (New Year, Spring Festival, …) without ``holidays``' weekend shifts, which
    are its own guess, not the State Council's."""
    return holidays.China(years=_YEARS, observed=False)


@lru_cache(maxsize=1)
def holidays_years() -> frozenset[int]:
    """The years whose notice ``holidays`` carries: those with a make-up workday (2001–2026 in 0.109)."""
    return frozenset(d.year for d in _holidays_cn().weekend_workdays)


@lru_cache(maxsize=1)
def known_years() -> frozenset[int]:
    """The years the installed ``chinesecalendar`` has holiday data for (2004–2026 in 1.11.0)."""
    return frozenset(d.year for d in cn_constants.holidays)


def _package(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return f"{name} ?"


def package_source(year: int) -> str | None:
    """Which package has the State Council's notice for ``year`` ("holidays 0.109"), or None."""
    if year in holidays_years():
        return _package("holidays")
    if year in known_years():
        return _package("chinesecalendar")
    return None


def _package_is_workday(day: date) -> bool:
    if day.year in holidays_years():
        return _holidays_cn().is_working_day(day)
    if day.year in known_years():
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # pragma: no cover - a year at the edge of the package's range
            pass
    return day.weekday() < 5 and day not in _statutory_cn()  # estimate: told to admins, doctor fails


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
        return _package_is_workday(day)

    def team_years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.extra_holidays | self.extra_workdays)

    def source(self, year: int) -> str | None:
        """Where ``year``'s working days come from: a package, "the team's [calendar] lists", or None (estimated)."""
        if year in self.team_years():
            return "the team's [calendar] lists"
        return package_source(year)

    def fingerprint(self) -> str:
        """What this calendar's answers depend on: a new package release with a new year's holidays
        changes deadlines, so it is recorded as a rule change (docs/decisions/0005)."""
        return calendar_data_fingerprint(self.name)


def years_needed(today: date) -> tuple[int, ...]:
    """The years a clock started today may need: this year, and next year from 1 November on."""
    return (today.year, today.year + 1) if today.month >= NOTICE_MONTH else (today.year,)


def needed_uncovered_years(calendar: WorkdayCalendar, today: date) -> tuple[int, ...]:
    """The needed years whose working days would be estimated: no package has the notice, the team has not
    listed it."""
    return tuple(y for y in years_needed(today) if calendar.source(y) is None)


@lru_cache(maxsize=4)
def calendar_data_fingerprint(name: str) -> str:
    h = _holidays_cn()
    data = sorted((d.isoformat(), "h") for d in cn_constants.holidays) + sorted(
        (d.isoformat(), "w") for d in cn_constants.workdays)
    data += sorted((d.isoformat(), "H") for d in h if d.year in holidays_years()) + sorted(
        (d.isoformat(), "W") for d in h.weekend_workdays)
    digest = hashlib.sha256(repr(data).encode()).hexdigest()[:16]
    spans = (f"{_package(p).replace(' ', '-')}:{min(years)}-{max(years)}"
             for p, years in (("holidays", holidays_years()), ("chinesecalendar", known_years())))
    return f"{name}:{':'.join(spans)}:{digest}"


def workday_calendar(name: str = "CN", *, extra_holidays: Iterable[date] = (),
                     extra_workdays: Iterable[date] = ()) -> WorkdayCalendar:
    if name not in CALENDARS:
        raise ValueError(f"unknown holiday calendar {name!r}; known: {', '.join(CALENDARS)}")
    return WorkdayCalendar(name, frozenset(extra_holidays), frozenset(extra_workdays))

