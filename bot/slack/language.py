"""The language a user reads: their Slack locale (asked once), else the team language."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import language_for
from bot.services import reps
from bot.services.context import ServiceContext
from bot.slack.memory import FAILED_LOOKUP_S, memory_of

log = logging.getLogger(__name__)
USERS_INFO_TIMEOUT_S = 2


def user_language(ctx: ServiceContext, client: WebClient, user_id: str) -> str:
    """The user's Slack locale (asked once, then remembered), else the team language. A ``users.info``
    that fails or times out is remembered for a while (the team language meanwhile), so a user pays the
    time-out once, not on every request."""
    team = ctx.settings.team.language
    memory = memory_of(ctx)
    known, locale = memory.locale(user_id)
    if known:
        return language_for(locale, team)
    try:
        known, locale = reps.known_locale(ctx, user_id)
        if not known:
            try:
                locale, name, zone = _ask_slack(client, user_id)
            except Exception as error:  # a time-out, a refused connection: ask again later, not on every request
                log.warning("users.info failed for %s (%s): the team language for %.0f minutes", user_id,
                            error, FAILED_LOOKUP_S / 60)
                memory.lookup_failed(user_id)
                return team
            reps.remember_profile(ctx, user_id, locale, name, datetime.now(UTC), zone)
            memory.remember_zone(user_id, zone)
        memory.remember_locale(user_id, locale)
        return language_for(locale, team)
    except Exception:  # the language is never worth failing a request for
        log.warning("could not resolve the language of %s", user_id, exc_info=True)
        return team


def user_zone(ctx: ServiceContext, user_id: str) -> str | None:
    """The user's own time zone as Slack said when their language was asked (None: not known). Never asks
    Slack itself: ``user_language`` does, and is asked first."""
    memory = memory_of(ctx)
    known, zone = memory.zone(user_id)
    if not known:
        try:
            zone = reps.known_zone(ctx, user_id)
        except Exception:  # a time zone's name is never worth failing a delivery for
            log.warning("could not read the time zone of %s", user_id, exc_info=True)
            return None
        memory.remember_zone(user_id, zone)
    return zone


def remembered_language(ctx: ServiceContext, user_id: str | None) -> str:
    """The user's language as this process remembers it, without asking the database or Slack (for an
    answer when the database is away); else the team language."""
    known, locale = memory_of(ctx).locale(user_id) if user_id else (False, None)
    return language_for(locale, ctx.settings.team.language) if known else ctx.settings.team.language


def _ask_slack(client: WebClient, user_id: str) -> tuple[str | None, str | None, str | None]:
    # a client of its own: the caller's may be in use on another thread (a lazy listener's, a job's)
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=USERS_INFO_TIMEOUT_S,
                      headers=client.headers, retry_handlers=[])
    try:
        user = quick.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as refused:
        if refused.response.status_code == 200:  # Slack's answer (user_not_found…): no locale to learn
            return None, None, None
        raise  # a 429 or a 5xx says nothing about the user: asked again after a while, not stored

    profile = user.get("profile") or {}
    name = profile.get("display_name") or user.get("real_name") or user.get("name")
    return user.get("locale"), name, user.get("tz")
