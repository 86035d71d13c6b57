"""What every service needs: the engine, the settings in force, and the clock rules derived from them.

``ctx.settings`` is the base settings (defaults, the TOML file, the environment) with the latest
changes managers made in Slack on top (bot/services/overrides.py, docs/decisions/0013). It costs no
query per request: each context keeps its effective settings and the time after which it looks again
at the newest ``setting_change`` version (one primary-key read, at most every ``recheck_seconds``).
The process that makes a change expires every context on that engine at once (``expire``); other
processes see it within ``recheck_seconds`` (5 s by default).
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from datetime import date, datetime
from time import monotonic
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.calendars import WorkdayCalendar, workday_calendar
from bot.config import Settings
from bot.rules import caps
from bot.rules.clocks import ClockRules, local_day
from bot.services import overrides

log = logging.getLogger(__name__)
RECHECK_SECONDS = 5.0


class _Live:
    """One context's effective settings: ``snap`` = (look again after, settings, Slack version).

    Replaced as a whole, so a reader on another thread sees an old or a new snapshot, never half."""

    __slots__ = ("__weakref__", "rules", "snap", "warned")

    def __init__(self, snap: tuple[float, Settings | None, int]) -> None:
        self.snap = snap
        self.warned = False
        self.rules: tuple[Settings, ClockRules] | None = None  # the clock rules of those settings (never mutated)


_LIVES: weakref.WeakKeyDictionary[Engine, weakref.WeakSet[_Live]] = weakref.WeakKeyDictionary()
_LIVES_LOCK = threading.Lock()


def expire(engine: Engine) -> None:
    """After a change in this process: every context on ``engine`` looks again at its next read."""
    with _LIVES_LOCK:
        lives = list(_LIVES.get(engine, ()))
    for live in lives:
        _, settings, version = live.snap
        live.snap = (0.0, settings, version)


class ServiceContext:
    """Immutable once made; ``ServiceContext(engine, settings)`` as before. ``base_settings`` is what
    the process was started with; ``settings`` is what is in force."""

    __slots__ = ("_live", "base_settings", "engine", "recheck_seconds")

    engine: Engine
    base_settings: Settings
    recheck_seconds: float
    _live: _Live

    def __init__(self, engine: Engine, settings: Settings, *, recheck_seconds: float = RECHECK_SECONDS) -> None:
        set_ = object.__setattr__
        set_(self, "engine", engine)
        set_(self, "base_settings", settings)
        set_(self, "recheck_seconds", recheck_seconds)
        # no engine (pure tests): the base settings, never looked up
        set_(self, "_live", _Live((math.inf, settings, 0) if engine is None else (0.0, None, -1)))
        if engine is not None:
            with _LIVES_LOCK:
                _LIVES.setdefault(engine, weakref.WeakSet()).add(self._live)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ServiceContext is immutable (tried to set {name})")

    def __repr__(self) -> str:
        return f"ServiceContext(engine={self.engine!r}, slack_version={self._live.snap[2]})"

    @property
    def settings(self) -> Settings:
        until, settings, _version = self._live.snap
        if monotonic() < until and settings is not None:  # the hot path: no query (None: never read yet)
            return settings
        return self._refresh()

    @property
    def settings_version(self) -> int:
        """The ``setting_change`` version ``settings`` reflects (0: none)."""
        self.settings  # noqa: B018 — refreshes when due
        return self._live.snap[2]

    def recheck_settings(self) -> Settings:
        """Look at the newest Slack change now (before a sweep decides with the settings)."""
        return self._refresh()

    def _refresh(self) -> Settings:
        live = self._live
        _, current, version = live.snap
        try:
            found = overrides.latest(self.engine)
        except SQLAlchemyError as error:  # e.g. before `claimbot db upgrade`: the base settings, asked again next time
            if version < 0:  # never read yet: expected while the schema is being created
                log.debug("settings changed in Slack not readable yet", exc_info=True)
            elif not live.warned:
                live.warned = True
                log.warning("could not read the settings changed in Slack (%s); keeping version %s",
                            type(error).__name__, version)
            return current or self.base_settings
        if found.version == version and current is not None:
            live.snap = (monotonic() + self.recheck_seconds, current, version)
            return current
        effective = overrides.effective(self.base_settings, found.overrides)
        live.snap = (monotonic() + self.recheck_seconds, effective, found.version)
        return effective

    @property
    def tz(self) -> str:
        return self.settings.team.timezone

    @property
    def clock_rules(self) -> ClockRules:
        """Made once per settings in force (every deadline needs them; the settings are replaced, never
        changed in place, so the same object means the same rules)."""
        settings = self.settings
        made = self._live.rules
        if made is not None and made[0] is settings:
            return made[1]
        rules = _clock_rules(settings)
        self._live.rules = (settings, rules)
        return rules

    def holding_cap(self, rep_id: str | None) -> int:
        """The rep's holding cap: the team's, or the rep's own when lower (the lowest cap wins)."""
        settings = self.settings
        own = settings.allocation.holding_caps.get(rep_id) if rep_id is not None else None
        return caps.holding_cap(settings.claims.holding_cap, own)

    def today(self, now: datetime) -> date:
        return local_day(now, self.tz)


def team_calendar(settings: Settings) -> WorkdayCalendar:
    """The team's working-day calendar: ``[claims] holiday_calendar`` with the ``[calendar]`` lists."""
    return workday_calendar(settings.claims.holiday_calendar, extra_holidays=settings.calendar.holidays,
                            extra_workdays=settings.calendar.workdays)


def _clock_rules(settings: Settings) -> ClockRules:
    c = settings.claims
    return ClockRules(
        first_followup_days=c.first_followup_days,
        followup_timeout_days=dict(c.followup_timeout_days.items()),
        progress_timeout_days=dict(c.progress_timeout_days.items()),
        max_protection_days=c.max_protection_days,
        count=c.count,
        is_workday=team_calendar(settings) if c.count == "working_days" else None,
    )
