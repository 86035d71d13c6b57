"""ISO weeks (Monday–Sunday) for weekly jobs. Pure."""

from __future__ import annotations

from datetime import date, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # cron's day_of_week names, Monday first


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of the ISO week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def ended_week(day: date) -> tuple[date, date]:
    """The ISO week before the one containing ``day``: on any day of a week, the week that just ended."""
    return week_of(day - timedelta(days=7))


def label(day: date) -> str:
    """The ISO week of ``day`` as 2026-W48 (the ISO year, which differs from the calendar year around New Year)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekday_index(name: str) -> int:
    """mon → 0 … sun → 6, like date.weekday()."""
    return WEEKDAYS.index(name)
