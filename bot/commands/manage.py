"""/dispute, /handover, /assign: collisions and handovers, decided by managers (PRODUCT 3.4)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands import allocate
from bot.rules import text
from bot.services import disputes, handovers
from bot.services.context import ServiceContext
from bot.slack.listening import answer_first, now, typed_or_usage
from bot.views import decisions as v


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone

    @answer_first(ctx, app.command("/dispute"))
    def dispute_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.dispute")
        if asked is None:
            return
        user_id, lang, typed = asked
        result = disputes.open_dispute(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **v.case_reply(result, text.split_fields(typed)[0], lang, tz))

    @answer_first(ctx, app.command("/handover"))
    def handover_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.handover")
        if asked is None:
            return
        user_id, lang, typed = asked
        result = handovers.request(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **v.handover_reply(result, typed, lang, tz))

    @answer_first(ctx, app.command("/assign"))
    def assign_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.assign")
        if asked is None:
            return
        user_id, lang, typed = asked
        if allocate.is_auto(typed):  # `/assign name auto`: the allocation rules pick the rep
            allocate.assign_auto(ack, ctx, user_id, typed, lang)
            return
        result = handovers.assign(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **v.handover_reply(result, typed, lang, tz))
