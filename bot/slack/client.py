"""The Web API client every listener and job uses."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.services.context import ServiceContext

WEB_API_TIMEOUT_S = 10


def make_client(ctx: ServiceContext) -> WebClient:
    """Bolt hands every listener a client built from this one's settings (base URL, retries)."""
    return WebClient(
        token=ctx.settings.slack_bot_token,
        base_url=ctx.settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_S,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
