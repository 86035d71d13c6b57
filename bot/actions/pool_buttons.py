"""The pool browser's buttons: *Claim* (as /claim would, caps and cooldown included) and *Next page*.

Both replace the ephemeral page they were pressed on: a claim shows its answer above the same page,
refreshed (the claimed customer is gone from it); *Next page* shows the next one.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.services import pool
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, now
from bot.views.claims import text_message
from bot.views.pool import CLAIM_ACTION, PAGE_ACTION, pool_claim, pool_page


def _state(value: str) -> dict[str, Any] | None:
    """The button's value: filter ``f``, cursor ``p``, page ``n``, total ``t`` and, to claim, customer ``c``."""
    try:
        data = json.loads(value)
        state = {
            "typed": str(data.get("f") or "")[:200],
            "cursor": str(data["p"]) if data.get("p") else None,
            "page": max(1, int(data.get("n") or 1)),
            "total": int(data["t"]) if data.get("t") is not None else None,
        }
        if "c" in data:
            customer_id = int(data["c"])
            if not 0 < customer_id < 2**31:
                return None
            state["customer_id"] = customer_id
        return state
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return None


def register(app: App, ctx: ServiceContext) -> None:
    @ack_first(ctx, app.action(CLAIM_ACTION))
    def claim_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        state = _state(action.get("value") or "")
        if state is None or "customer_id" not in state:
            respond(replace_original=True, **text_message(t("button.stale", lang)))
            return
        result = pool.claim(ctx, user_id, state["customer_id"], now(), typed=state["typed"], cursor=state["cursor"],
                            page=state["page"])
        respond(replace_original=True, **pool_claim(result, lang))

    @ack_first(ctx, app.action(PAGE_ACTION))
    def page_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        lang = user_language(ctx, client, body["user"]["id"])
        state = _state(action.get("value") or "")
        if state is None:
            respond(replace_original=True, **text_message(t("button.stale", lang)))
            return
        page = pool.browse(ctx, state["typed"], state["cursor"], state["page"], state["total"])
        respond(replace_original=True, **pool_page(page, lang))
