"""Dispute and handover time-outs: no decision within 48 h → the owner keeps it; a handover's decline
window closes after 24 h; a lead's offer not answered in its accept window moves to the next rep. Who is
told is written to the outbox with each expiry (bot/services/disputes, handovers, leads)."""

from __future__ import annotations

from datetime import datetime

from bot.services import disputes, handovers, leads
from bot.services.context import ServiceContext


def run(ctx: ServiceContext, now: datetime) -> str:
    expired = disputes.expire_due(ctx, now)
    closed = handovers.close_decline_windows(ctx, now)
    offers = leads.expire_due(ctx, now)
    return (f"{len(expired)} cases expired (owner keeps), {closed} handovers past their decline window, "
            f"{offers} lead offers timed out (moved on)")
