"""`/claimbot ooo until YYYY-MM-DD` and `/claimbot ooo off`: out of office, so allocation skips the rep."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.rules.allocation import parse_ooo
from bot.services import allocation
from bot.services.context import ServiceContext
from bot.slack.listening import now
from bot.views import allocation as v
from bot.views.claims import text_message


def ooo_reply(ctx: ServiceContext, user_id: str, rest: str, lang: str) -> dict[str, Any]:
    """Parse the verb's text, set or clear the asker's own out-of-office, and answer (ephemeral)."""
    parsed = parse_ooo(rest)
    if parsed is None:
        return text_message(t("ooo.usage", lang))
    _verb, until = parsed
    return v.ooo_reply(allocation.set_ooo(ctx, user_id, until, now()), lang)
