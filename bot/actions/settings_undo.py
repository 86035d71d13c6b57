"""*Undo* on a settings confirmation: a new version restoring what was before (latest change only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.services import team_settings
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, now
from bot.views import settings as v
from bot.views.claims import text_message


def register(app: App, ctx: ServiceContext) -> None:
    @ack_first(ctx, app.action(v.UNDO_ACTION))
    def undo_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        version = v.undo_version(action.get("value"))
        if version is None:
            respond(response_type="ephemeral", replace_original=False, **text_message(t("button.stale", lang)))
            return
        result = team_settings.undo(ctx, user_id, version, now())
        if result.outcome != "undone":
            respond(response_type="ephemeral", replace_original=False, **v.settings_answer(result, lang))
            return
        grace = ctx.settings.claims.tightening_grace_days
        # the clicked confirmation becomes the undo's, whose own *Undo* puts the change back
        respond(replace_original=True, **v.settings_changed(result, lang, grace, undo_button=True))
