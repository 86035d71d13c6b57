"""`/assign name auto`: the allocation rules pick the rep (PRODUCT 3.6). Called from the /assign listener."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.actions import notify
from bot.commands.common import now
from bot.rules.allocation import auto_target
from bot.services import allocation
from bot.services.context import ServiceContext
from bot.views import allocation as v


def is_auto(typed: str) -> bool:
    return auto_target(typed) is not None


def assign_auto(ack: Ack, client: WebClient, ctx: ServiceContext, user_id: str, typed: str, lang: str) -> None:
    """Allocate, answer the manager (ephemeral), then tell the new owner by DM."""
    result = allocation.assign_auto(ctx, user_id, typed, now())
    ack(response_type="ephemeral", **v.auto_assign_reply(result, auto_target(typed) or typed, lang))
    a = result.allocation
    if a is not None and a.outcome == "assigned" and a.rep:
        notify.dm(client, ctx, a.rep, lambda lg: v.for_rep(a, lg))
