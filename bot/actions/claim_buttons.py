"""The "same company?" prompt: *same* claims the picked customer, *different* creates a new one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.services import claims
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, now
from bot.views.claims import DIFFERENT_ACTION, SAME_ACTION, claim_result, text_message

FIELDS = ("name", "uscc", "domain", "phone", "region", "industry", "tier")


def _request(value: str, *, same: bool) -> tuple[claims.ClaimRequest, dict[str, Any]] | None:
    try:
        data = json.loads(value)
        carried = {k: str(v) for k, v in dict(data.get("r") or {}).items() if k in FIELDS}
        if same:
            customer_id = data["c"]
            if not isinstance(customer_id, int) or not 0 < customer_id < 2**31:
                return None
            return claims.ClaimRequest.of(carried, same_as=customer_id), carried
        return claims.ClaimRequest.of(carried, different=True), carried
    except (ValueError, KeyError, TypeError):
        return None


def register(app: App, ctx: ServiceContext) -> None:
    def on_click(same: bool) -> Callable[[dict[str, Any], dict[str, Any], Respond, WebClient], None]:
        def listener(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
            user_id = body["user"]["id"]
            lang = user_language(ctx, client, user_id)
            parsed = _request(action.get("value") or "", same=same)
            if parsed is None:
                respond(replace_original=True, **text_message(t("button.stale", lang)))
                return
            request, carried = parsed
            result = claims.claim(ctx, user_id, request, now())
            respond(replace_original=True, **claim_result(result, lang, carried))

        return listener

    ack_first(ctx, app.action(SAME_ACTION))(on_click(True))
    ack_first(ctx, app.action(DIFFERENT_ACTION))(on_click(False))
