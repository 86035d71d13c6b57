"""The review queue's *Not the same* button: remembered, and the page redrawn in place."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.services import review
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, now
from bot.views.claims import text_message
from bot.views.review import NOT_SAME_ACTION, review_page


def _pair(value: str) -> tuple[int, int] | None:
    try:
        data = json.loads(value)
        pair = int(data["c"]), int(data["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return pair if all(0 < n < 2**31 for n in pair) else None


def register(app: App, ctx: ServiceContext) -> None:
    @ack_first(ctx, app.action(NOT_SAME_ACTION))
    def not_same_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        pair = _pair(action.get("value") or "")
        if pair is None:
            respond(replace_original=True, **text_message(t("button.stale", lang)))
            return
        respond(replace_original=True, **review_page(review.not_same(ctx, user_id, *pair, now()), lang))
