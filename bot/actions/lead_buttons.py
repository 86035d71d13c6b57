"""*Accept* · *Pass* on a lead's offer (bot/services/leads.py). Each works once: the offer's conditional
update decides; a second click, or a click after the offer timed out, changes nothing and says so."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.results.leads import OfferOutcome, OfferResult
from bot.rules.text import MAX_ID
from bot.services import leads
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, now
from bot.views import leads as v


def _offer_id(action: dict[str, Any]) -> int | None:
    try:
        value = json.loads(action.get("value") or "{}")["offer"]
    except (ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone

    def on_answer(accept: bool) -> Any:
        def listener(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
            rep = body["user"]["id"]
            lang = user_language(ctx, client, rep)
            offer_id = _offer_id(action)
            result = leads.decide(ctx, rep, offer_id, accept, now()) if offer_id else None
            if result is None:
                respond(response_type="ephemeral", replace_original=False, **v.refused(
                    OfferResult(OfferOutcome.NOT_FOUND), lang))
            elif result.outcome in (OfferOutcome.ACCEPTED, OfferOutcome.PASSED):
                respond(replace_original=True, **v.decided(result, lang, tz))  # the buttons go
            else:
                respond(response_type="ephemeral", replace_original=False, **v.refused(result, lang))

        return listener

    ack_first(ctx, app.action(v.ACCEPT))(on_answer(True))
    ack_first(ctx, app.action(v.PASS))(on_answer(False))
