"""The inputs of the caps and the cooldown (bot/rules/caps.py), gathered for the services that give a rep
a customer: handovers, ``/assign``, dispute transfers, allocation, offboarding and the import. A claim
counts with its own statements (storage/claim_rows.py, on its hot path) and asks the same rules."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.rules import caps
from bot.rules.clocks import local_day
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext


def holding_of(session: Session, ctx: ServiceContext, rep_id: str) -> tuple[int, int]:
    """(the rep's active, non-won customers; the rep's holding cap)."""
    return ownership_changes.holding(session, rep_id), ctx.holding_cap(rep_id)


def holding_check(session: Session, ctx: ServiceContext, rep_id: str) -> caps.CapVerdict:
    """May ``rep_id`` take one more customer that counts toward the holding cap?"""
    return caps.check_holding(*holding_of(session, ctx, rep_id))


def cooldown_until(ctx: ServiceContext, given_up_at: datetime) -> date:
    """The first local day a rep who gave a customer up at ``given_up_at`` may have it again."""
    return caps.cooldown_until(local_day(given_up_at, ctx.tz), ctx.settings.claims.reclaim_cooldown_days)
