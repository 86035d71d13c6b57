"""`/assign name auto`: the allocation rules pick the rep (PRODUCT 3.6). Called from the /assign listener."""

from __future__ import annotations

from slack_bolt import Ack

from bot.rules.allocation import auto_target
from bot.services import allocation
from bot.services.context import ServiceContext
from bot.slack.listening import now
from bot.views import allocation as v


def is_auto(typed: str) -> bool:
    return auto_target(typed) is not None


def assign_auto(ack: Ack, ctx: ServiceContext, user_id: str, typed: str, lang: str) -> None:
    """Allocate and answer the manager (ephemeral); the new owner is told through the outbox."""
    result = allocation.assign_auto(ctx, user_id, typed, now())
    ack(response_type="ephemeral", **v.auto_assign_reply(result, auto_target(typed) or typed, lang))
