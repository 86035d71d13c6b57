"""Button and modal listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.services.context import ServiceContext


def register(app: App, ctx: ServiceContext) -> None:
    from bot.actions import claim_buttons, decisions, pool_buttons

    claim_buttons.register(app, ctx)
    decisions.register(app, ctx)
    pool_buttons.register(app, ctx)
