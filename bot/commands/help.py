"""/claimbot help (and, later, settings, roles, out-of-office)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.common import guarded, user_language
from bot.i18n import t
from bot.services.context import ServiceContext
from bot.views.claims import text_message


def register(app: App, ctx: ServiceContext) -> None:
    @app.command("/claimbot")
    @guarded(ctx)
    def claimbot_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        lang = user_language(ctx, client, command["user_id"])
        c = ctx.settings.claims
        ack(response_type="ephemeral", **text_message(t(
            "help", lang, first_followup_days=c.first_followup_days,
            fA=c.followup_timeout_days["A"], fB=c.followup_timeout_days["B"], fC=c.followup_timeout_days["C"],
            pA=c.progress_timeout_days["A"], pB=c.progress_timeout_days["B"], pC=c.progress_timeout_days["C"],
            max_days=c.max_protection_days, holding_cap=c.holding_cap, daily_cap=c.daily_claim_cap,
            cooldown=c.reclaim_cooldown_days)))
