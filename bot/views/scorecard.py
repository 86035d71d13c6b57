"""A rep's scorecard (PRODUCT 3.7). Pure: a ScorecardResult in, Block Kit out.

``scorecard`` answers `/claimbot scorecard`; ``scorecard_compact`` gives the few blocks the App Home tab
embeds. The rep is always a mention (this is shown only to them or a manager, never to a channel).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.i18n import t
from bot.results.scorecards import Scorecard, ScorecardResult
from bot.views import blocks as b
from bot.views.claims import day, text_message
from bot.views.digest import money, number
from bot.views.text import truncate

Message = dict[str, Any]
DAYS_FROM_HOURS = 48  # a wait of two days or more reads better in days
MAX_FIELDS, FIELD_TEXT_MAX = 10, 2000


def _who(result: ScorecardResult) -> str:
    return f"<@{result.rep}>" if result.rep else "—"


def duration(hours: float | None, lang: str) -> str:
    if hours is None:
        return t("scorecard.none", lang)
    if hours >= DAYS_FROM_HOURS:
        return t("scorecard.days", lang, n=round(hours / 24, 1))
    return t("scorecard.hours", lang, n=round(hours, 1))


def rate(card: Scorecard, lang: str) -> str:
    return t("scorecard.none", lang) if card.conversion is None else f"{number(round(card.conversion * 100, 1), lang)}%"


def _fields(result: ScorecardResult, card: Scorecard, lang: str) -> list[str]:
    first_followup = duration(card.first_followup_hours, lang)
    if card.first_followup_measured or card.first_followup_waiting:
        first_followup += t("scorecard.first_followup.counts", lang, measured=card.first_followup_measured,
                            waiting=card.first_followup_waiting)
    return [
        t("scorecard.claims", lang, n=card.claims),
        t("scorecard.followups", lang, n=card.followups),
        t("scorecard.first_followup", lang, time=first_followup),
        t("scorecard.advances", lang, n=card.advances),
        t("scorecard.wins", lang, wins=card.wins, amount=money(card.amount, lang)),
        t("scorecard.conversion", lang, rate=rate(card, lang), won=card.won, decided=card.won + card.lost),
        t("scorecard.disputes", lang, won=card.disputes_won, lost=card.disputes_lost),
        t("scorecard.recycled" if result.own else "scorecard.recycled.other", lang, n=card.recycled),
        t("scorecard.complaints", lang, opened=card.complaints_opened, resolved=card.complaints_resolved,
          open=card.complaints_open,
          overdue=card.complaints_overdue),
    ]


def _fields_block(title: str, lines: list[str]) -> dict[str, Any]:
    """The title above the numbers in two columns (a section takes at most 10 fields of 2000 characters)."""
    fields = [MarkdownTextObject(text=truncate(line, FIELD_TEXT_MAX)) for line in lines[:MAX_FIELDS]]
    return SectionBlock(text=MarkdownTextObject(text=title), fields=fields).to_dict()


def scorecard(result: ScorecardResult, lang: str) -> Message:
    """The answer to `/claimbot scorecard`: the numbers, or why there are none."""
    if result.outcome == "refused":
        return text_message(t(f"scorecard.refused.{result.refusal or 'not_manager'}", lang))
    if result.outcome == "unknown_rep" or result.card is None:
        return text_message(t("scorecard.unknown_rep", lang, who=_who(result)))
    title = t(f"scorecard.title.{result.period}", lang, who=_who(result), first=day(result.first, lang),
                  last=day(result.last, lang))
    blocks = [_fields_block(f"*{title}*", _fields(result, result.card, lang)), b.context(t("scorecard.footnote", lang))]
    return b.message(title, blocks)


def scorecard_compact(result: ScorecardResult, lang: str) -> list[dict[str, Any]]:
    """Two blocks for the App Home tab (no block_id, so they sit anywhere in a view); none for a refusal."""
    card = result.card
    if result.outcome != "ok" or card is None:
        return []
    head = t(f"scorecard.compact.title.{result.period}", lang, first=day(result.first, lang), last=day(result.last, lang))
    line = t("scorecard.compact.line", lang, claims=card.claims, followups=card.followups, advances=card.advances,
             wins=card.wins, amount=money(card.amount, lang), rate=rate(card, lang))
    more = t("scorecard.compact.more", lang, time=duration(card.first_followup_hours, lang), won=card.disputes_won,
             lost=card.disputes_lost, recycled=card.recycled, open=card.complaints_open,
             overdue=card.complaints_overdue)
    return [b.section(f"{head}\n{line}"), b.context(more)]
