"""/complaint name | text: log a customer complaint (客户投诉, PRODUCT 3.8). Anyone may log one."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import complaints
from bot.services.context import ServiceContext
from bot.slack.listening import answer_first, now, typed_or_usage
from bot.views.complaints import reply


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.command("/complaint"))
    def complaint_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        days = ctx.settings.complaints.due_days
        asked = typed_or_usage(ctx, client, command, ack, "usage.complaint", days=days)
        if asked is None:
            return
        user_id, lang, typed = asked
        # The owner and the managers are told through the outbox, decided with the complaint itself.
        result = complaints.log(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **reply(result, result.query or typed, lang, days))
