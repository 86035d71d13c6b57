"""`/assign name auto`: the allocation rules pick the rep (PRODUCT 3.6). Called from the /assign listener."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.actions import notify
from bot.rules.allocation import auto_target
from bot.services import allocation
from bot.services.context import ServiceContext
from bot.slack.listening import after_ack, now
from bot.views import allocation as v


def is_auto(typed: str) -> bool:
    return auto_target(typed) is not None


def assign_auto(ack: Ack, context: BoltContext, ctx: ServiceContext, user_id: str, typed: str, lang: str) -> None:
    """Allocate, answer the manager (ephemeral), then tell the new owner by DM (after the answer)."""
    result = allocation.assign_auto(ctx, user_id, typed, now())
    ack(response_type="ephemeral", **v.auto_assign_reply(result, auto_target(typed) or typed, lang))
    a = result.allocation
    if a is not None and a.outcome == "assigned" and a.rep:
        rep = a.rep
        after_ack(context, lambda client: notify.dm(client, ctx, rep, lambda lg: v.for_rep(a, lg)))
