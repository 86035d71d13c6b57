"""Dispute and handover time-outs: no decision within 48 h → the owner keeps it; a handover's decline
window closes after 24 h."""

from __future__ import annotations

from datetime import datetime

from bot.actions import notify
from bot.services import disputes, handovers
from bot.services.context import ServiceContext
from bot.slack.client import make_client


def run(ctx: ServiceContext, now: datetime) -> str:
    client = make_client(ctx)
    expired = disputes.expire_due(ctx, now)
    for result in expired:
        notify.deliver_case(client, ctx, result)
    closed = handovers.close_decline_windows(ctx, now)
    return f"{len(expired)} cases expired (owner keeps), {closed} handovers past their decline window"
