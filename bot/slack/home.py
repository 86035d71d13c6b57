"""Keeping the App Home tab current: publish it, and republish it after anything its user does.

``publish`` answers its user opening the tab or paging it; ``refresh_home`` republishes, now, the tabs of
those of some users who have opened theirs. The acting user's own tab is refreshed by a lazy listener
after the HTTP answer (bot/slack/listening.py); the outbox delivery refreshes the tabs of the users a
notice is about. Who has opened their tab is known in-process (bot/slack/memory.py), reloaded from the
database (``rep.home_opened_at``) at most once a minute, so a Home opened through another instance is
refreshed here too and users who never opened theirs cost nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import home
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.memory import memory_of
from bot.views.home import home_view

log = logging.getLogger(__name__)
RELOAD_S = 60.0
GONE_ERRORS = {"user_not_found", "account_inactive"}  # the user is gone (a bad token is not their doing)


def page_of(ctx: ServiceContext, user_id: str) -> int:
    memory = memory_of(ctx)
    with memory.lock:
        return memory.pages.get(user_id, 1)


def remember(ctx: ServiceContext, user_id: str, page: int | None = None) -> None:
    """``user_id`` has opened their Home tab (recorded by bot/services/home.opened) on ``page``."""
    memory = memory_of(ctx)
    with memory.lock:
        memory.home_users.add(user_id)
        if page is not None:
            memory.pages[user_id] = page


def publish(ctx: ServiceContext, client: WebClient, user_id: str, lang: str, *, page: int | None = None,
            opened: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Read and publish ``user_id``'s Home tab; ``opened``: they just opened it (recorded first)."""
    now = now or datetime.now(UTC)
    page = page_of(ctx, user_id) if page is None else page
    data = home.opened(ctx, user_id, now, page) if opened else home.read(ctx, user_id, now, page)
    remember(ctx, user_id, data.page)
    view = home_view(data, lang)
    client.views_publish(user_id=user_id, view=view)
    return view


def may_need_refresh(ctx: ServiceContext, user_id: str | None) -> bool:
    """Could ``refresh_home`` publish ``user_id``'s tab? (False: they never opened it, as known in the last
    minute.) Costs no query."""
    memory = memory_of(ctx)
    with memory.lock:
        stale = memory.home_loaded_at is None or time.monotonic() - memory.home_loaded_at > RELOAD_S
        return bool(user_id) and (stale or user_id in memory.home_users)


def refresh_home(ctx: ServiceContext, client: WebClient, user_ids: Iterable[str | None]) -> None:
    """Republish, now, the Home tab of those of ``user_ids`` who have opened it (each once)."""
    memory = memory_of(ctx)
    wanted = [u for u in dict.fromkeys(user_ids) if u]
    with memory.lock:
        stale = memory.home_loaded_at is None or time.monotonic() - memory.home_loaded_at > RELOAD_S
        if not stale and not memory.home_users.intersection(wanted):
            return  # nobody here has opened theirs: no query, no call
    if stale:
        try:
            users = home.opened_users(ctx)
            with memory.lock:
                memory.home_users |= users
                memory.home_loaded_at = time.monotonic()
        except Exception:
            log.warning("could not load who opened their Home tab", exc_info=True)
    for user_id in wanted:
        with memory.lock:
            if user_id not in memory.home_users:
                continue
        try:
            publish(ctx, client, user_id, user_language(ctx, client, user_id))
        except SlackApiError as e:
            if e.response.get("error") in GONE_ERRORS:
                with memory.lock:
                    memory.home_users.discard(user_id)
                home.forget_opened(ctx, user_id)
            log.warning("could not refresh the Home tab of %s: %s", user_id, e.response.get("error"))
        except Exception:
            log.exception("could not refresh the Home tab of %s", user_id)
