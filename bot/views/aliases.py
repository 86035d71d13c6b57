"""The answer to `/claimbot alias A = B`. Pure."""

from __future__ import annotations

from bot.i18n import t
from bot.results.aliases import AliasResult
from bot.views.claims import Message, text_message
from bot.views.text import escape


def alias_reply(result: AliasResult, lang: str) -> Message:
    return text_message(t(f"alias.{result.outcome.value}", lang, customer=result.customer,
                          name=escape(result.customer_name), alias=escape(result.alias), other=result.other))
