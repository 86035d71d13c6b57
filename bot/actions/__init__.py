"""Button and modal listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.services.context import ServiceContext


def register(app: App, ctx: ServiceContext) -> None:
    from bot.actions import (
        card_buttons,
        claim_buttons,
        complaint_buttons,
        decisions,
        home,
        lead_buttons,
        pool_buttons,
        review_buttons,
        settings_undo,
    )

    claim_buttons.register(app, ctx)
    decisions.register(app, ctx)
    pool_buttons.register(app, ctx)
    card_buttons.register(app, ctx)
    home.register(app, ctx)
    complaint_buttons.register(app, ctx)
    settings_undo.register(app, ctx)
    review_buttons.register(app, ctx)
    lead_buttons.register(app, ctx)
