"""What this process remembers about Slack users, in one object per database: their locales, whose
``users.info`` failed lately, who has opened their Home tab and on which page.

Made on first use for a context's engine and shared by every app, listener and job on that engine, so two
databases in one process (the tests) never see each other's users.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from bot.services.context import ServiceContext

LOCALES_MAX = 10_000
FAILED_LOOKUP_S = 600.0  # a users.info that failed or timed out is not asked again for this long


class SlackMemory:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.locales: dict[str, str | None] = {}  # user → Slack locale (None: none known)
        self.zones: dict[str, str | None] = {}  # user → their own time zone (None: none known)
        self.failed: dict[str, float] = {}  # user → monotonic time until which users.info is not asked again
        self.home_users: set[str] = set()  # who has opened their Home tab
        self.home_loaded_at: float | None = None  # monotonic; None: never loaded from the database
        self.pages: dict[str, int] = {}  # the Home page each user last looked at

    # -- locales
    def locale(self, user_id: str) -> tuple[bool, str | None]:
        """(known, locale): known also while a failed lookup is remembered (locale None then)."""
        with self.lock:
            if user_id in self.locales:
                return True, self.locales[user_id]
            until = self.failed.get(user_id)
            if until is not None and time.monotonic() < until:
                return True, None
            return False, None

    def remember_locale(self, user_id: str, locale: str | None) -> None:
        with self.lock:
            if len(self.locales) >= LOCALES_MAX:
                self.locales.clear()
            self.locales[user_id] = locale
            self.failed.pop(user_id, None)

    def zone(self, user_id: str) -> tuple[bool, str | None]:
        with self.lock:
            return (True, self.zones[user_id]) if user_id in self.zones else (False, None)

    def remember_zone(self, user_id: str, zone: str | None) -> None:
        with self.lock:
            if len(self.zones) >= LOCALES_MAX:
                self.zones.clear()
            self.zones[user_id] = zone

    def lookup_failed(self, user_id: str, for_seconds: float = FAILED_LOOKUP_S) -> None:
        with self.lock:
            if len(self.failed) >= LOCALES_MAX:
                self.failed.clear()
            self.failed[user_id] = time.monotonic() + for_seconds


_lock = threading.Lock()
_by_engine: weakref.WeakKeyDictionary[Any, SlackMemory] = weakref.WeakKeyDictionary()
_without_engine = SlackMemory()  # pure tests: a context with no database


def memory_of(ctx: ServiceContext) -> SlackMemory:
    if ctx.engine is None:
        return _without_engine
    with _lock:
        memory = _by_engine.get(ctx.engine)
        if memory is None:
            memory = _by_engine[ctx.engine] = SlackMemory()
        return memory
