"""/pool [filter]: browse the pool (公海), a page at a time, with Claim buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import pool
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import answer_first
from bot.views.pool import pool_page


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.command("/pool"))
    def pool_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        lang = user_language(ctx, client, command["user_id"])
        page = pool.browse(ctx, command.get("text"))
        ack(response_type="ephemeral", **pool_page(page, lang))
