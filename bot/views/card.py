"""The customer card (`/customer`): owner, clocks, stage, recent activity, history and the buttons the
viewer may use (bot/services/cards decides which). Pure: a CustomerCard in, Block Kit out.

Every button's value is the customer id as a decimal string, the same value the Home tab's rows carry.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ButtonElement, PlainTextObject

from bot.i18n import t
from bot.results.cards import (
    ASSIGN,
    CLAIM,
    COMPLAINT,
    DISPUTE,
    FOLLOWUP,
    HANDOVER,
    RELEASE,
    STAGE,
    CustomerCard,
)
from bot.views import blocks as b
from bot.views.claims import Message, clock_name, day, history_blocks, mention, suggestions, text_message
from bot.views.text import escape, truncate

# action_id of each card action (the complaint button's listener belongs to the complaints feature)
ACTION_IDS = {
    FOLLOWUP: "card_followup", STAGE: "card_stage", RELEASE: "card_release", HANDOVER: "card_handover",
    ASSIGN: "card_handover", DISPUTE: "card_dispute", CLAIM: "card_claim", COMPLAINT: "card_complaint",
}
LABELS = {
    FOLLOWUP: "button.card_followup", STAGE: "button.card_stage", RELEASE: "button.card_release",
    HANDOVER: "button.card_handover", ASSIGN: "button.card_assign", DISPUTE: "button.dispute",
    CLAIM: "button.pool_claim", COMPLAINT: "button.card_complaint",
}
STYLES = {FOLLOWUP: "primary", CLAIM: "primary", RELEASE: "danger"}
MAX_BUTTONS = 5  # Slack shows at most 5 buttons side by side before wrapping; split into rows


def customer_card(card: CustomerCard, query: str, lang: str, tz: str, *, room: int = b.MAX_BLOCKS) -> Message:
    """The card, in at most ``room`` blocks; an unknown name gets suggestions instead."""
    c = card.details.lookup.customer
    if c is None:
        return suggestions(card.details.lookup, query, lang, "usage.customer")
    header = t("customer.header", lang, name=escape(c.name), sid=c.short_id)
    stage = t(f"stage.{c.stage}", lang)
    lines = [header]
    if c.owner:
        lines.append(t("customer.owner", lang, owner=mention(c.owner, lang), until=day(c.protected_until, lang),
                       clock=clock_name(c.clock, lang), stage=stage, tier=c.tier))
        if card.co_owner:
            lines.append(t("card.co_owner", lang, co_owner=mention(card.co_owner, lang)))
    else:
        lines.append(t("customer.pool", lang, stage=stage, tier=c.tier))
    lines.append(t("card.activity", lang, followups=card.details.followups, week=card.followups_7d,
                   month=card.followups_30d, last_activity=day(c.last_activity, lang)))
    if card.next_contact:
        lines.append(t("card.next_contact", lang, day=day(card.next_contact, lang)))
    if card.open_complaints:
        lines.append(t("card.complaints", lang, count=card.open_complaints))
    blocks = [b.section("\n".join(lines))]
    blocks += action_rows(card, lang)
    blocks += history_blocks(card.details.history, lang, tz, room=room - len(blocks))
    return b.message(header, blocks[:room])


def action_rows(card: CustomerCard, lang: str) -> list[dict[str, Any]]:
    c = card.details.lookup.customer
    if c is None or not card.actions:
        return []
    shown = {ACTION_IDS[a]: a for a in reversed(card.actions)}  # one button per action_id (the first wins)
    buttons = [ButtonElement(text=PlainTextObject(text=truncate(t(LABELS[a], lang), b.BUTTON_TEXT_MAX)),
                             action_id=ACTION_IDS[a], value=str(c.id), style=STYLES.get(a))
               for a in card.actions if shown[ACTION_IDS[a]] == a]
    return [b.actions(f"card_{c.id}_{i}", *buttons[i:i + MAX_BUTTONS]) for i in range(0, len(buttons), MAX_BUTTONS)]


def card_reply(answer: Message, card: CustomerCard | None, lang: str, tz: str) -> Message:
    """An action's answer (what the slash command would say) above the card as it is now."""
    if card is None or card.details.lookup.customer is None:
        return answer
    room = b.MAX_BLOCKS - len(answer["blocks"]) - 1
    shown = customer_card(card, "", lang, tz, room=room)
    return b.message(answer["text"], answer["blocks"] + [b.divider()] + shown["blocks"])


def stale_card(card: CustomerCard, lang: str, tz: str) -> Message:
    """A button that the viewer may no longer use (the customer changed): say so, show the card now."""
    c = card.details.lookup.customer
    if c is None:
        return text_message(t("card.gone", lang))
    return card_reply(text_message(t("card.stale", lang, name=escape(c.name))), card, lang, tz)
