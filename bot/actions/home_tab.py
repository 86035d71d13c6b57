"""Keeping the App Home tab current: publish it, and republish it after anything its user does.

``refresh_home`` is called after every command and button (bot/commands/common.guarded). It costs the
request nothing: users who never opened their Home tab are filtered out by an in-process set (no
database query), and the others are handed to one background thread, which coalesces repeated users
and publishes after the HTTP answer has gone. The set is reloaded from the database (``rep.home_opened_at``)
by that thread once a minute, so a Home opened through another instance is refreshed here too.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import home
from bot.services.context import ServiceContext
from bot.views.home import home_view

log = logging.getLogger(__name__)
RELOAD_S = 60.0
GONE_ERRORS = {"user_not_found", "account_inactive", "not_authed", "invalid_auth"}
ClientSource = WebClient | Callable[[], WebClient]


class _Known:
    """Who has opened their Home tab, as this process knows it."""

    def __init__(self) -> None:
        self.users: set[str] = set()
        self.loaded_at: float | None = None  # monotonic; None: never loaded


_lock = threading.Lock()
_known: weakref.WeakKeyDictionary[Any, _Known] = weakref.WeakKeyDictionary()  # a process normally has one
_pending: set[tuple[Any, str]] = set()  # (the database's engine, user id)
_pages: dict[str, int] = {}  # the page each user last looked at
_executor: ThreadPoolExecutor | None = None


def _known_for(ctx: ServiceContext) -> _Known:
    return _known.setdefault(ctx.engine, _Known())


def _worker() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimbot-home")
    return _executor


def page_of(user_id: str) -> int:
    return _pages.get(user_id, 1)


def remember(ctx: ServiceContext, user_id: str, page: int | None = None) -> None:
    """``user_id`` has opened their Home tab (recorded by bot/services/home.opened) on ``page``."""
    with _lock:
        _known_for(ctx).users.add(user_id)
        if page is not None:
            _pages[user_id] = page


def publish(ctx: ServiceContext, client: WebClient, user_id: str, lang: str, *, page: int | None = None,
            opened: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Read and publish ``user_id``'s Home tab; ``opened``: they just opened it (recorded first)."""
    now = now or datetime.now(UTC)
    page = page_of(user_id) if page is None else page
    data = home.opened(ctx, user_id, now, page) if opened else home.read(ctx, user_id, now, page)
    remember(ctx, user_id, data.page)
    view = home_view(data, lang)
    client.views_publish(user_id=user_id, view=view)
    return view


def refresh_home(ctx: ServiceContext, client_or_factory: ClientSource, user_ids: Iterable[str | None]) -> None:
    """Republish the Home tab of those of ``user_ids`` who have opened it, in the background."""
    with _lock:
        known = _known_for(ctx)
        stale = known.loaded_at is None or time.monotonic() - known.loaded_at > RELOAD_S
        wanted = [u for u in dict.fromkeys(user_ids) if u and (stale or u in known.users)]
        todo = [u for u in wanted if (ctx.engine, u) not in _pending]
        if not todo:
            return
        _pending.update((ctx.engine, u) for u in todo)
        try:
            _worker().submit(_run, ctx, client_or_factory, todo)
        except RuntimeError:  # shut down: the process is stopping
            _pending.difference_update((ctx.engine, u) for u in todo)


def _run(ctx: ServiceContext, client_or_factory: ClientSource, user_ids: list[str]) -> None:
    from bot.commands.common import user_language  # the listeners' language rule (a cycle at import time)

    known = _known_for(ctx)
    if known.loaded_at is None or time.monotonic() - known.loaded_at > RELOAD_S:
        try:
            users = home.opened_users(ctx)
            with _lock:
                known.users |= users
                known.loaded_at = time.monotonic()
        except Exception:
            log.warning("could not load who opened their Home tab", exc_info=True)
    try:
        client = client_or_factory() if callable(client_or_factory) else client_or_factory
    except Exception:
        log.exception("could not make a Web API client to refresh Home tabs")
        with _lock:
            _pending.difference_update((ctx.engine, u) for u in user_ids)  # the next change queues them again
        return
    for user_id in user_ids:
        with _lock:
            _pending.discard((ctx.engine, user_id))  # a change from now on queues another refresh
            if user_id not in known.users:
                continue
        try:
            publish(ctx, client, user_id, user_language(ctx, client, user_id))
        except SlackApiError as e:
            if e.response.get("error") in GONE_ERRORS:
                with _lock:
                    known.users.discard(user_id)
                home.forget_opened(ctx, user_id)
            log.warning("could not refresh the Home tab of %s: %s", user_id, e.response.get("error"))
        except Exception:
            log.exception("could not refresh the Home tab of %s", user_id)


def drain(timeout: float = 10.0) -> None:
    """Wait until every refresh queued so far has been published (for tests and a clean stop)."""
    with _lock:
        executor = _executor
    if executor is None:
        return
    try:
        future: Future[None] = executor.submit(lambda: None)
    except RuntimeError:
        return
    future.result(timeout=timeout)


def shutdown(timeout: float = 5.0) -> None:
    """Finish what is queued and stop the worker (with the server). A later refresh starts a new one."""
    global _executor
    with _lock:
        executor, _executor = _executor, None
    if executor is None:
        return
    done = threading.Event()
    threading.Thread(target=lambda: (executor.shutdown(wait=True), done.set()), daemon=True).start()
    if not done.wait(timeout):
        log.warning("the Home tab worker did not stop within %ss", timeout)
