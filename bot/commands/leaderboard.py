"""/leaderboard [day|week|month]: the scoreboard, visible only to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.i18n import t
from bot.rules import text
from bot.rules.scores import parse_period
from bot.services import scoreboard
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import answer_first, now
from bot.views.claims import text_message
from bot.views.digest import leaderboard


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.command("/leaderboard"))
    def leaderboard_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        period = parse_period(text.clean(command.get("text")))
        if period is None:
            ack(response_type="ephemeral", **text_message(t("usage.leaderboard", lang)))
            return
        board = scoreboard.leaderboard(ctx, period, now(), user_id)
        ack(response_type="ephemeral", **leaderboard(board, lang, ctx.settings.team.timezone))
