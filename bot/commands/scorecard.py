"""`/claimbot scorecard [@rep] [week|month]` (or `成绩 [@同事] [周|月]`): a rep's scorecard, only to the asker."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.rules.scorecard import parse_request
from bot.services import scorecards
from bot.services.context import ServiceContext
from bot.slack.listening import now
from bot.views import scorecard as v
from bot.views.claims import text_message

VERBS = ("scorecard", "成绩", "成绩卡")


def scorecard_reply(ctx: ServiceContext, user_id: str, rest: str, lang: str) -> dict[str, Any]:
    """Parse the verb's text, ask for the scorecard, and answer (ephemeral)."""
    request = parse_request(rest)
    if request is None:
        return text_message(t("usage.scorecard", lang))
    return v.scorecard(scorecards.scorecard(ctx, user_id, request.rep_id, request.period, now()), lang)
