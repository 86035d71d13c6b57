"""/customer (the customer card, with the buttons the asker may use) and /mine: visible only to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import cards, customers
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import answer_first, now, typed_or_usage
from bot.views.card import customer_card
from bot.views.claims import my_customers


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.command("/customer"))
    def customer_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.customer")
        if asked is None:
            return
        user_id, lang, query = asked
        ack(response_type="ephemeral", **customer_card(cards.card(ctx, user_id, query, now()), query, lang, ctx.tz))

    @answer_first(ctx, app.command("/mine"))
    def mine_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        ack(response_type="ephemeral", **my_customers(customers.my_customers(ctx, user_id), ctx.today(now()), lang))
