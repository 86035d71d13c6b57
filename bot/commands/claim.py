"""/claim: by text, or with no text the claim modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.rules import text
from bot.services import claims
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import after_ack, answer_first, now
from bot.views import modals
from bot.views.claims import claim_result


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.command("/claim"))
    def claim_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        if not text.clean(command.get("text")):
            ack()
            view = modals.claim_modal(lang, {"channel": command.get("channel_id")})
            after_ack(context, lambda client: client.views_open(trigger_id=command["trigger_id"], view=view))
            return
        fields = {"name": command["text"]}
        result = claims.claim(ctx, user_id, claims.ClaimRequest(name=fields["name"]), now())
        ack(response_type="ephemeral", **claim_result(result, lang, fields))

    @answer_first(ctx, app.view(modals.CLAIM_CALLBACK))
    def claim_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                        context: BoltContext) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        fields = modals.claim_fields(view)
        result = claims.claim(ctx, user_id, claims.ClaimRequest.of(fields), now())
        if result.outcome == "invalid" and result.error:
            block = modals.block_for_error(result.error.code)
            ack(response_action="errors", errors={block: claim_result(result, lang)["text"]})
            return
        ack()
        reply = claim_result(result, lang, fields)
        after_ack(context, lambda client: client.chat_postMessage(channel=user_id, **reply))

