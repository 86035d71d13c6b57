"""Working-day clocks (PRODUCT 3.2, docs/decisions/0005): pure, with China's holiday calendar.

"N working days after day D" is the N-th working day after D (D itself never counts). The calendar is
the State Council's notices as the ``holidays`` and ``chinesecalendar`` packages carry them: holidays and
the 调休 make-up workdays (a Saturday or Sunday that is worked). A year no package has the notice for keeps
its statutory holidays and is reported (docs/decisions/0021); the team's ``[calendar]`` days win.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.calendars import (
    calendar_data_fingerprint,
    holidays_years,
    known_years,
    needed_uncovered_years,
    package_source,
    workday_calendar,
)
from bot.config import ClaimSettings, Settings
from bot.rules.clocks import ClockRules, nth_working_day_after, protection
from bot.services.context import ServiceContext

CN = workday_calendar("CN")
TZ = "Asia/Shanghai"


def rules(count: str = "working_days", is_workday=CN, **kw) -> ClockRules:
    base = dict(first_followup_days=3, followup_timeout_days={"A": 45, "B": 30, "C": 14},
                progress_timeout_days={"A": 180, "B": 90, "C": 60}, max_protection_days=180)
    return ClockRules(**{**base, **kw}, count=count, is_workday=is_workday if count == "working_days" else None)


def shanghai(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


# --- the calendar


def test_2026_national_day_and_mid_autumn_with_their_make_up_workdays():
    assert not any(CN(date(2026, 10, d)) for d in range(1, 8))  # 国庆 1–7 October
    assert not any(CN(date(2026, 9, d)) for d in (25, 26, 27))  # 中秋 Friday to Sunday
    assert CN(date(2026, 9, 20))  # a Sunday worked (调休)
    assert CN(date(2026, 10, 10))  # a Saturday worked (调休)
    assert not CN(date(2026, 10, 11))  # an ordinary Sunday
    assert CN(date(2026, 10, 8)) and CN(date(2026, 10, 9))


def test_2026_spring_festival_with_its_make_up_saturdays():
    assert not any(CN(date(2026, 2, d)) for d in range(15, 24))  # 春节 15–23 February
    assert CN(date(2026, 2, 14)) and CN(date(2026, 2, 28))  # Saturdays worked (调休)
    assert not CN(date(2026, 2, 21))  # a Saturday inside the holiday


def test_counting_across_national_day_lands_on_the_make_up_saturday():
    # Wednesday 30 September: 1–7 October off, Thursday 8 and Friday 9 worked, Saturday 10 worked (调休)
    assert nth_working_day_after(date(2026, 9, 30), 1, CN) == date(2026, 10, 8)
    assert nth_working_day_after(date(2026, 9, 30), 3, CN) == date(2026, 10, 10)
    assert nth_working_day_after(date(2026, 9, 30), 4, CN) == date(2026, 10, 12)  # Sunday 11 is off
    # Friday 18 September: the next working day is the Sunday worked before 中秋/国庆
    assert nth_working_day_after(date(2026, 9, 18), 1, CN) == date(2026, 9, 20)
    # Thursday 24 September: 中秋 Friday to Sunday off
    assert nth_working_day_after(date(2026, 9, 24), 1, CN) == date(2026, 9, 28)


def test_counting_across_the_spring_festival():
    assert nth_working_day_after(date(2026, 2, 13), 1, CN) == date(2026, 2, 14)  # Saturday worked
    assert nth_working_day_after(date(2026, 2, 13), 2, CN) == date(2026, 2, 24)  # then nine days off
    # a day off as the start: counting begins with the next working day, the start never counts
    assert nth_working_day_after(date(2026, 2, 18), 1, CN) == date(2026, 2, 24)
    assert nth_working_day_after(date(2026, 2, 14), 0, CN) == date(2026, 2, 14)


def test_a_year_no_source_knows_keeps_its_statutory_holidays_and_is_reported_not_silently_monday_to_friday():
    assert 2099 not in known_years() and package_source(2099) is None
    assert not CN(date(2099, 1, 1))  # New Year's Day is fixed by law even before the year's notice
    monday = date(2099, 1, 5)
    assert [CN(monday + timedelta(days=i)) for i in range(7)] == [True] * 5 + [False] * 2
    assert nth_working_day_after(date(2099, 1, 9), 1, CN) == date(2099, 1, 12)  # Friday → Monday
    assert needed_uncovered_years(CN, date(2099, 3, 1)) == (2099,)


def test_both_packages_carry_the_notices_up_to_2026_and_agree():
    assert {2025, 2026} <= holidays_years() & known_years()
    assert package_source(2026) is not None and package_source(2026).startswith("holidays ")
    day = date(2025, 1, 1)
    while day.year < 2027:  # every day of 2025 and 2026: the same answer from both packages
        assert CN(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_spring_festival_2027_comes_from_a_real_source_or_the_teams_list_never_monday_to_friday_silently():
    eve, day3, tuesday = date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9)  # Friday, Monday, Tuesday
    if package_source(2027) is not None:  # a package release that carries the 2027 notice
        assert not CN(eve) and not CN(day3)
        assert needed_uncovered_years(CN, date(2026, 12, 8)) == ()
    else:
        # the Spring Festival's statutory days (eve to the third day) are off, not Monday–Friday ...
        assert not CN(eve) and not CN(day3)
        assert nth_working_day_after(date(2027, 2, 4), 1, CN) == tuesday
        # ... but the rest of the schedule is not known, and that is said from 1 November 2026 on
        assert needed_uncovered_years(CN, date(2026, 10, 31)) == ()
        assert needed_uncovered_years(CN, date(2026, 11, 1)) == (2027,)
        assert needed_uncovered_years(CN, date(2026, 12, 8)) == (2027,)
    # The team enters the notice itself (example dates): the team's list answers, and 2027 is covered.
    team = workday_calendar("CN", extra_holidays=[date(2027, 1, 1), *(date(2027, 2, d) for d in range(5, 14))],
                            extra_workdays=[date(2027, 2, 20)])  # a Saturday worked (调休)
    assert team.source(2027) == "the team's [calendar] lists"
    assert needed_uncovered_years(team, date(2026, 12, 8)) == ()
    assert not team(date(2027, 1, 1)) and not team(tuesday)
    assert team(date(2027, 2, 20))
    assert nth_working_day_after(date(2026, 12, 31), 1, team) == date(2027, 1, 4)
    assert nth_working_day_after(date(2027, 2, 4), 1, team) == date(2027, 2, 15)
    assert nth_working_day_after(date(2027, 2, 19), 1, team) == date(2027, 2, 20)


def test_an_unknown_calendar_is_refused():
    with pytest.raises(ValueError):
        workday_calendar("US")


def test_the_fingerprint_names_both_packages_and_their_years():
    fp = calendar_data_fingerprint("CN")
    assert fp.startswith("CN:holidays-") and "chinesecalendar-" in fp
    assert f"{min(known_years())}-{max(known_years())}" in fp and f"{min(holidays_years())}-" in fp


# --- the clocks


def test_every_clock_counts_working_days_when_the_team_turns_it_on():
    claimed = shanghai(date(2026, 9, 30))
    p = protection(rules(), tier="B", stage="lead", tz=TZ, started_at=claimed, last_followup_at=None,
                   last_progress_at=claimed)
    assert (p.until, p.clock, p.first_followup_due) == (date(2026, 10, 10), "first_followup", date(2026, 10, 10))
    assert p.progress_due == nth_working_day_after(date(2026, 9, 30), 90, CN)
    assert p.ceiling == nth_working_day_after(date(2026, 9, 30), 180, CN)
    followed = shanghai(date(2026, 10, 9))
    p = protection(rules(), tier="C", stage="contacted", tz=TZ, started_at=claimed, last_followup_at=followed,
                   last_progress_at=claimed)
    # 14 working days after Friday 9 October: Saturday 10 (调休), 12–16, 19–23, then 26, 27, Wednesday 28
    assert (p.until, p.clock) == (date(2026, 10, 28), "followup")
    calendar = protection(rules("calendar_days"), tier="C", stage="contacted", tz=TZ, started_at=claimed,
                          last_followup_at=followed, last_progress_at=claimed)
    assert calendar.until == date(2026, 10, 23)


def test_calendar_days_are_unchanged():
    r = rules("calendar_days")
    assert r.after(date(2026, 9, 30), 3) == date(2026, 10, 3)
    claimed = shanghai(date(2026, 11, 27))
    p = protection(r, tier="B", stage="lead", tz=TZ, started_at=claimed, last_followup_at=None,
                   last_progress_at=claimed)
    assert p.until == date(2026, 11, 30)


def test_working_days_need_a_calendar():
    with pytest.raises(ValueError):
        rules(is_workday=None).after(date(2026, 1, 5), 1)


def test_the_service_context_builds_the_calendar_from_the_settings():
    ctx = ServiceContext(engine=None, settings=Settings(claims=ClaimSettings(  # type: ignore[arg-type]
        count="working_days", extra_holidays=[date(2027, 1, 4)])))
    r = ctx.clock_rules
    assert r.count == "working_days" and r.is_workday is not None
    assert r.after(date(2026, 12, 31), 1) == date(2027, 1, 5)  # 1 January (law), Monday 4 (the team's) off
    assert ServiceContext(engine=None, settings=Settings()).clock_rules.is_workday is None  # type: ignore[arg-type]


# --- properties

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@given(start=days, n=st.integers(1, 200))
def test_a_working_day_deadline_is_never_before_the_calendar_one(start: date, n: int) -> None:
    worked = nth_working_day_after(start, n, CN)
    assert worked >= start + timedelta(days=n)
    assert CN(worked)  # the deadline itself is a working day
    assert sum(CN(start + timedelta(days=i)) for i in range(1, (worked - start).days + 1)) == n


@given(start=days, n=st.integers(0, 150))
def test_one_more_working_day_is_the_next_working_day(start: date, n: int) -> None:
    this, following = nth_working_day_after(start, n, CN), nth_working_day_after(start, n + 1, CN)
    assert following > this
    assert not any(CN(this + timedelta(days=i)) for i in range(1, (following - this).days))


@given(claim_day=days, followup_after=st.one_of(st.none(), st.integers(0, 60)), tier=st.sampled_from("ABC"),
       stage=st.sampled_from(["lead", "contacted", "proposal", "won"]))
def test_working_day_protection_never_ends_before_calendar_day_protection(claim_day, followup_after, tier, stage):
    claimed = shanghai(claim_day)
    followed = None if followup_after is None else shanghai(claim_day + timedelta(days=followup_after), 15)
    args = dict(tier=tier, stage=stage, tz=TZ, started_at=claimed, last_followup_at=followed,
                last_progress_at=claimed)
    worked, calendar = protection(rules(), **args), protection(rules("calendar_days"), **args)
    if stage == "won":
        assert worked.until is None and calendar.until is None
    else:
        assert worked.until >= calendar.until
