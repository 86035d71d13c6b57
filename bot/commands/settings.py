"""`/claimbot settings`: managers change caps, clocks and reminder days in a modal (PRODUCT 5).

The verb is dispatched from bot/commands/help.py; ``register`` adds the modal's submission listener.
A confirmation with *Undo* goes to the manager by DM, and the change to the digest channel (both through
the outbox, written with the change by bot/services/team_settings).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.results.settings import SettingsOutcome, SettingsResult
from bot.services import team_settings
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import after_ack, answer_first, now
from bot.views import settings as v

VERBS = ("settings", "设置")


def open_settings(ctx: ServiceContext, context: BoltContext, ack: Ack, command: dict[str, Any], lang: str) -> None:
    """A manager gets the modal with the values in force (opened after the answer); anyone else an
    ephemeral refusal, no modal."""
    form = team_settings.form(ctx, command["user_id"], now())
    if form.outcome != "ok":
        ack(response_type="ephemeral", **v.settings_answer(SettingsResult(SettingsOutcome.REFUSED), lang))
        return
    ack()
    view = v.settings_modal(form, lang, ctx.settings.claims.tightening_grace_days)
    after_ack(context, lambda client: client.views_open(trigger_id=command["trigger_id"], view=view))


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.view(v.SETTINGS_CALLBACK))
    def settings_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                           context: BoltContext) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        fields, version = v.submitted(view)
        result = team_settings.change(ctx, user_id, fields, now(), based_on=version)
        if result.outcome in ("invalid", "conflict"):
            ack(response_action="errors", errors=v.field_errors(result, lang))
            return
        ack()
        if result.outcome != "changed":  # a change is confirmed through the outbox

            def answer(client: WebClient) -> None:
                client.chat_postMessage(channel=user_id, **v.settings_answer(result, lang))

            after_ack(context, answer)
