"""Slash-command listeners: parse the text, call one service, render its result."""

from __future__ import annotations

from slack_bolt import App

from bot.services.context import ServiceContext


def register(app: App, ctx: ServiceContext) -> None:
    from bot.commands import (
        claim,
        complaint,
        customers,
        help,
        lead,
        leaderboard,
        manage,
        owner_actions,
        pool,
        settings,
    )

    claim.register(app, ctx)
    customers.register(app, ctx)
    owner_actions.register(app, ctx)
    manage.register(app, ctx)
    help.register(app, ctx)
    leaderboard.register(app, ctx)
    pool.register(app, ctx)
    complaint.register(app, ctx)
    settings.register(app, ctx)
    lead.register(app, ctx)
