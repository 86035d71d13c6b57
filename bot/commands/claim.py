"""/claim: by text, or with no text the claim modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.common import guarded, now, user_language
from bot.rules import text
from bot.services import claims
from bot.services.context import ServiceContext
from bot.views import modals
from bot.views.claims import claim_result


def register(app: App, ctx: ServiceContext) -> None:
    @app.command("/claim")
    @guarded(ctx)
    def claim_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        if not text.clean(command.get("text")):
            client.views_open(trigger_id=command["trigger_id"],
                              view=modals.claim_modal(lang, {"channel": command.get("channel_id")}))
            ack()
            return
        fields = {"name": command["text"]}
        result = claims.claim(ctx, user_id, claims.ClaimRequest(**fields), now())
        ack(response_type="ephemeral", **claim_result(result, lang, fields))

    @app.view(modals.CLAIM_CALLBACK)
    @guarded(ctx)
    def claim_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        fields = modals.claim_fields(view)
        result = claims.claim(ctx, user_id, claims.ClaimRequest(**fields), now())
        if result.outcome == "invalid" and result.error:
            block = modals.block_for_error(result.error.code)
            ack(response_action="errors", errors={block: claim_result(result, lang)["text"]})
            return
        ack()
        client.chat_postMessage(channel=user_id, **claim_result(result, lang, fields))

