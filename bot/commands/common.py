"""What every listener shares: the user's language, the clock, and a guard so bad input never crashes."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.actions import home_tab
from bot.i18n import language_for, t
from bot.rules import text
from bot.services import reps
from bot.services.context import ServiceContext
from bot.views.claims import text_message

log = logging.getLogger(__name__)
USERS_INFO_TIMEOUT_S = 2


def now() -> datetime:
    return datetime.now(UTC)


# Locales this process has already read (every request needs one; a rep's locale rarely changes, and a
# stale one only picks the other language until the process restarts).
_LOCALES: dict[str, str | None] = {}
_LOCALES_MAX = 10_000


def user_language(ctx: ServiceContext, client: WebClient, user_id: str) -> str:
    """The user's Slack locale (asked once, then remembered), else the team language."""
    team = ctx.settings.team.language
    if user_id in _LOCALES:
        return language_for(_LOCALES[user_id], team)
    try:
        known, locale = reps.known_locale(ctx, user_id)
        if not known:
            locale, name = _ask_slack(client, user_id)
            reps.remember_profile(ctx, user_id, locale, name, now())
        if len(_LOCALES) >= _LOCALES_MAX:
            _LOCALES.clear()
        _LOCALES[user_id] = locale
        return language_for(locale, team)
    except Exception:  # the language is never worth failing a request for
        log.warning("could not resolve the language of %s", user_id, exc_info=True)
        return team


def typed_or_usage(ctx: ServiceContext, client: WebClient, command: dict[str, Any], ack: Callable[..., Any],
                   usage_key: str, **params: Any) -> tuple[str, str, str] | None:
    """The asker, their language and the command's cleaned text; with no text the asker gets the usage
    (ephemeral, ``params`` fill its placeholders) and the listener gets None."""
    user_id = command["user_id"]
    lang = user_language(ctx, client, user_id)
    typed = text.clean(command.get("text"))
    if not typed:
        ack(response_type="ephemeral", **text_message(t(usage_key, lang, **params)))
        return None
    return user_id, lang, typed


def _ask_slack(client: WebClient, user_id: str) -> tuple[str | None, str | None]:
    try:
        previous, client.timeout = client.timeout, USERS_INFO_TIMEOUT_S
        try:
            user = client.users_info(user=user_id, include_locale=True)["user"]
        finally:
            client.timeout = previous
    except SlackApiError:
        return None, None
    profile = user.get("profile") or {}
    return user.get("locale"), profile.get("display_name") or user.get("real_name") or user.get("name")


def guarded(ctx: ServiceContext, *, refresh_home: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a listener: any exception is logged and answered with a clear message; nothing half-written
    (every service call is one transaction). Afterwards the acting user's Home tab is republished in the
    background (``refresh_home=False``: the listener publishes it itself)."""

    def decorate(listener: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(listener)
        def wrapper(**kwargs: Any) -> Any:
            try:
                result = listener(**kwargs)
                if refresh_home:
                    _refresh_home_of_actor(ctx, kwargs)
                return result
            except Exception:
                log.exception("listener %s failed", listener.__name__)
                lang = ctx.settings.team.language
                ack, respond = kwargs.get("ack"), kwargs.get("respond")
                if ack is not None and not getattr(ack, "response", None):
                    ack(**text_message(t("error.internal", lang)))
                elif respond is not None:  # a button already acknowledged: answer the clicker
                    with contextlib.suppress(Exception):
                        respond(response_type="ephemeral", replace_original=False,
                                **text_message(t("error.internal", lang)))
                return None

        return wrapper

    return decorate


def _refresh_home_of_actor(ctx: ServiceContext, kwargs: dict[str, Any]) -> None:
    """Queue the acting user's Home tab for republishing (free for users who never opened it)."""
    command, body = kwargs.get("command"), kwargs.get("body")
    if isinstance(command, dict):
        user_id = command.get("user_id")
    elif isinstance(body, dict):
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    else:
        return
    client = kwargs.get("client")
    try:
        home_tab.refresh_home(ctx, client if isinstance(client, WebClient) else _client_factory(ctx), [user_id])
    except Exception:  # the Home tab is never worth failing a request for
        log.warning("could not queue a Home tab refresh", exc_info=True)


def _client_factory(ctx: ServiceContext) -> Callable[[], WebClient]:
    def make() -> WebClient:
        from bot.app import make_client

        return make_client(ctx)

    return make
