"""/customer (the customer card, with the buttons the asker may use) and /mine: visible only to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.common import guarded, now, user_language
from bot.i18n import t
from bot.rules import text
from bot.services import cards, customers
from bot.services.context import ServiceContext
from bot.views.card import customer_card
from bot.views.claims import my_customers, text_message


def register(app: App, ctx: ServiceContext) -> None:
    @app.command("/customer")
    @guarded(ctx)
    def customer_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        lang = user_language(ctx, client, command["user_id"])
        query = text.clean(command.get("text"))
        if not query:
            ack(response_type="ephemeral", **text_message(t("usage.customer", lang)))
            return
        ack(response_type="ephemeral", **customer_card(cards.card(ctx, command["user_id"], query, now()), query, lang,
                                                       ctx.tz))

    @app.command("/mine")
    @guarded(ctx)
    def mine_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        ack(response_type="ephemeral", **my_customers(customers.my_customers(ctx, user_id), ctx.today(now()), lang))
