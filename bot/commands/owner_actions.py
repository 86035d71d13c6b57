"""/followup, /stage, /release: what an owner does with a customer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.results.claims import ActionResult
from bot.rules import text
from bot.services import activity
from bot.services.context import ServiceContext
from bot.slack.listening import answer_first, now, typed_or_usage
from bot.views.activity import action_result

Service = Callable[..., ActionResult]


def register(app: App, ctx: ServiceContext) -> None:
    def handle(service: Service, usage_key: str) -> Callable[..., None]:
        def listener(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
            claims = ctx.settings.claims  # per request: managers change these in Slack
            asked = typed_or_usage(ctx, client, command, ack, usage_key, min_chars=claims.min_followup_note_chars)
            if asked is None:
                return
            user_id, lang, typed = asked
            result = service(ctx, user_id, typed, now())
            query = text.split_fields(typed)[0]
            ack(response_type="ephemeral", **action_result(
                result, query, lang, usage_key, cooldown_days=claims.reclaim_cooldown_days,
                min_chars=claims.min_followup_note_chars))

        return listener

    answer_first(ctx, app.command("/followup"))(handle(activity.log_followup, "usage.followup"))
    answer_first(ctx, app.command("/stage"))(handle(activity.change_stage, "usage.stage"))
    answer_first(ctx, app.command("/release"))(handle(activity.release, "usage.release"))
