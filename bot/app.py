"""The one Bolt app factory: the Web API client, the signing secret, every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import actions, commands
from bot.rules.text import unescape_slack
from bot.services.context import ServiceContext

log = logging.getLogger(__name__)
WEB_API_TIMEOUT_S = 10


class TypedTextAsTyped(Middleware):
    """Slash command text as the user typed it (Slack sends ``&``, ``<``, ``>`` escaped), for every
    command listener at once. A ``Middleware`` subclass, not an ``@app.middleware`` function: Bolt
    builds every injectable argument for those on each request, which cost more than the unescaping."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body
        if body.get("command") and isinstance(body.get("text"), str):
            body["text"] = unescape_slack(body["text"])
        return next()


def make_client(ctx: ServiceContext) -> WebClient:
    """Bolt hands every listener a client built from this one's settings (base URL, retries)."""
    client = WebClient(
        token=ctx.settings.slack_bot_token,
        base_url=ctx.settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_S,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    return client


def create_app(ctx: ServiceContext, *, token_verification: bool = True) -> App:
    settings = ctx.settings
    if not settings.slack_signing_secret and not settings.slack_app_token:
        raise SystemExit("SLACK_SIGNING_SECRET is not set (HTTP mode needs it to verify requests).")
    if not settings.slack_bot_token:
        raise SystemExit("SLACK_BOT_TOKEN is not set.")
    app = App(
        client=make_client(ctx),
        signing_secret=settings.slack_signing_secret or "socket-mode",
        token_verification_enabled=token_verification,
        # The decision and its reply happen before the HTTP answer: the reply *is* the answer.
        process_before_response=True,
    )
    app.use(TypedTextAsTyped())
    commands.register(app, ctx)
    actions.register(app, ctx)
    return app
