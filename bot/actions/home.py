"""The App Home tab: published when its user opens it, paged by its buttons; *Open card* shows a customer.

After anything else the user does, bot/commands/common.guarded republishes it (bot/actions/home_tab.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.actions import home_tab
from bot.commands.common import guarded, now, user_language
from bot.rules.text import decimal_id
from bot.services import cards
from bot.services.context import ServiceContext
from bot.views.home import OPEN_CARD_ACTION, PAGE_ACTION, card_modal

log = logging.getLogger(__name__)


def register(app: App, ctx: ServiceContext) -> None:
    @app.event("app_home_opened")
    @guarded(ctx, refresh_home=False)
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":  # the Messages tab: nothing to publish
            return
        user_id = event["user"]
        home_tab.publish(ctx, client, user_id, user_language(ctx, client, user_id), opened=True, now=now())

    @app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$"))
    @guarded(ctx, refresh_home=False)
    def page_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        home_tab.publish(ctx, client, user_id, user_language(ctx, client, user_id),
                         page=decimal_id(action.get("value")) or 1, now=now())

    @app.action(OPEN_CARD_ACTION)
    @guarded(ctx, refresh_home=False)
    def open_card(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        customer_id = decimal_id(action.get("value"))
        if customer_id is None:
            log.info("home_open_card with a bad value %r", action.get("value"))
            return
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        client.views_open(trigger_id=body["trigger_id"],
                          view=card_modal(cards.card_for(ctx, user_id, customer_id, now()), lang, ctx.tz))
