"""The App Home tab: published when its user opens it, paged by its buttons; *Open card* shows a customer.

After anything else the user does, a lazy listener republishes it (bot/slack/listening.py, bot/slack/home.py).
All of it runs after the HTTP answer: the ack of a button or an event is empty.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.rules.text import decimal_id
from bot.services import cards
from bot.services.context import ServiceContext
from bot.slack import home as home_tab
from bot.slack.language import user_language
from bot.slack.listening import ack_first, now
from bot.views.home import OPEN_CARD_ACTION, PAGE_ACTION, card_modal

log = logging.getLogger(__name__)


def register(app: App, ctx: ServiceContext) -> None:
    @ack_first(ctx, app.event("app_home_opened"), refresh_home=False)
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":  # the Messages tab: nothing to publish
            return
        user_id = event["user"]
        home_tab.publish(ctx, client, user_id, user_language(ctx, client, user_id), opened=True, now=now())

    @ack_first(ctx, app.action(re.compile(f"^{PAGE_ACTION}_(prev|next)$")), refresh_home=False)
    def page_clicked(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        home_tab.publish(ctx, client, user_id, user_language(ctx, client, user_id),
                         page=decimal_id(action.get("value")) or 1, now=now())

    @ack_first(ctx, app.action(OPEN_CARD_ACTION), refresh_home=False)
    def open_card(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        customer_id = decimal_id(action.get("value"))
        if customer_id is None:
            log.info("home_open_card with a bad value %r", action.get("value"))
            return
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        client.views_open(trigger_id=body["trigger_id"],
                          view=card_modal(cards.card_for(ctx, user_id, customer_id, now()), lang, ctx.tz))
