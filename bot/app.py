"""The one Bolt app factory: it only wires the client, the signing secret, the input middleware and
every listener together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot import actions, commands
from bot.rules.text import unescape_slack, unwrap_slack_markup
from bot.services import slack_events
from bot.services.context import ServiceContext
from bot.slack.client import make_client
from bot.slack.listening import LazyWork

log = logging.getLogger(__name__)


class TypedTextAsTyped(Middleware):
    """Slash command text and form values as the user typed them, for every listener at once: Slack's
    link, channel and mention markup unwrapped (``<http://JD.com|JD.com>`` → ``JD.com``) and, in command
    text, ``&``, ``<``, ``>`` unescaped. A ``Middleware`` subclass, not an ``@app.middleware`` function:
    Bolt builds every injectable argument for those on each request, which cost more than the unescaping."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body
        if body.get("command") and isinstance(body.get("text"), str):
            body["text"] = unescape_slack(unwrap_slack_markup(body["text"]))
        elif body.get("type") == "view_submission":
            _unwrap_form_values(((body.get("view") or {}).get("state") or {}).get("values"))
        return next()


def _unwrap_form_values(values: Any) -> None:
    """Typed values of a submitted form (text inputs), in place; choices and dates are left alone."""
    if not isinstance(values, dict):
        return
    for block in values.values():
        for element in (block or {}).values() if isinstance(block, dict) else ():
            if isinstance(element, dict) and isinstance(element.get("value"), str):
                element["value"] = unwrap_slack_markup(element["value"])


class EventsOnce(Middleware):
    """An Events API callback runs its listener once per ``event_id``: Slack's retries (X-Slack-Retry-Num
    1–3) and a copy another instance already took are acknowledged and dropped. The database decides
    (a service call before ``next()``, so no session outlives this middleware)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            try:
                first = slack_events.first_delivery(self.ctx, event_id, datetime.now(UTC))
            except Exception:  # the database is down: better twice than never
                log.warning("could not record event %s", event_id, exc_info=True)
                first = True
            if not first:
                log.info("event %s delivered again (retry %s): dropped", event_id,
                         (req.headers.get("x-slack-retry-num") or ["?"])[0])
                return BoltResponse(status=200, body="")
        return next()


def create_app(ctx: ServiceContext, *, token_verification: bool = True, lazy_work: LazyWork | None = None) -> App:
    """``lazy_work``: the executor for the lazy listeners (the console and tests pass their own to wait on)."""
    settings = ctx.settings
    if not settings.slack_signing_secret and not settings.slack_app_token:
        raise SystemExit("SLACK_SIGNING_SECRET is not set (HTTP mode needs it to verify requests).")
    if not settings.slack_bot_token:
        raise SystemExit("SLACK_BOT_TOKEN is not set.")
    app = App(
        client=make_client(ctx),
        signing_secret=settings.slack_signing_secret or "socket-mode",
        token_verification_enabled=token_verification,
        # The decision and its reply happen before the HTTP answer: the reply *is* the answer. Web API
        # calls after it run as lazy listeners in ``listener_executor`` (docs/decisions/0016).
        process_before_response=True,
        listener_executor=lazy_work or LazyWork(),
    )
    app.use(EventsOnce(ctx))
    app.use(TypedTextAsTyped())
    commands.register(app, ctx)
    actions.register(app, ctx)
    return app


def lazy_work(app: App) -> LazyWork:
    """The app's lazy listener executor (to wait until the work after the answers is done, or stop it)."""
    executor = app.listener_runner.listener_executor
    assert isinstance(executor, LazyWork)
    return executor
