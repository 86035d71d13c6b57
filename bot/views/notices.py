"""Rendering outbox notices at delivery time, in the recipient's language. Pure.

A notice's data is a JSON snapshot taken when it was decided; each kind has a renderer here (other
modules add theirs to RENDERERS).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import t
from bot.rules.text import is_user_id
from bot.views import blocks as b
from bot.views import decisions
from bot.views.allocation import allocated_notice, unassigned_notice
from bot.views.claims import Message, clock_name, day, text_message
from bot.views.complaints import render_for_managers, render_for_owner, render_resolved
from bot.views.digest import render_digest, render_leaderboard
from bot.views.doctor import render_doctor
from bot.views.leads import enquiry_notice, fairness_notice, offer_closed_notice, offer_notice
from bot.views.settings import render_settings_changed
from bot.views.text import escape, truncate

Renderer = Callable[[dict[str, Any], str, str], Message]  # data, language, time zone → message


def recycled(data: dict[str, Any], lang: str, tz: str) -> Message:
    return text_message(t("notice.recycled", lang, name=escape(data["name"]), sid=data["sid"],
                          clock=clock_name(data.get("clock"), lang), until=day(data.get("until"), lang),
                          days=data.get("days_rule"), tier=data.get("tier"),
                          last=day(data.get("last_followup"), lang),
                          cooldown_until=day(data.get("cooldown_until"), lang)))


def import_grace(data: dict[str, Any], lang: str, tz: str) -> Message:
    customers = data.get("customers") or []
    lines = "\n".join(t("notice.import_grace.line", lang, sid=c["sid"], name=escape(c["name"]), until=c["until"])
                      for c in customers)
    return text_message(t("notice.import_grace", lang, source=escape(str(data.get("source") or "")),
                          count=len(customers), days=data.get("grace_days"), customers=lines))


def reminder(data: dict[str, Any], lang: str, tz: str) -> Message:
    key = "notice.first_followup" if data.get("clock") == "first_followup" else "notice.reminder"
    return text_message(t(key, lang, name=escape(data["name"]), sid=data["sid"], days=data.get("days"),
                          clock=clock_name(data.get("clock"), lang), until=day(data.get("until"), lang),
                          rule_days=data.get("days_rule")))


def next_contact(data: dict[str, Any], lang: str, tz: str) -> Message:
    return text_message(t("notice.next_contact", lang, name=escape(data["name"]), sid=data["sid"]))


def delivery_failed(data: dict[str, Any], lang: str, tz: str) -> Message:
    """To each admin, once per channel and error: a notice Slack refused for good."""
    return text_message(t("notice.delivery_failed", lang, channel=mention_channel(data["channel"]),
                          error=escape(str(data["error"])), kind=escape(str(data.get("kind") or ""))))


def mention_channel(channel: str) -> str:
    return f"<@{channel}>" if is_user_id(channel) else f"<#{channel}>"


def generic(data: dict[str, Any], lang: str, tz: str) -> Message:
    return text_message(escape(str(data.get("text") or data)))


RENDERERS: dict[str, Renderer] = {
    "recycled": recycled,
    "reminder": reminder,
    "import_grace": import_grace,
    "next_contact": next_contact,
    "digest": render_digest,
    "leaderboard": render_leaderboard,
    "unassigned": unassigned_notice,
    "allocated": allocated_notice,
    "lead_offer": offer_notice,
    "lead_offer_closed": offer_closed_notice,
    "lead_enquiry": enquiry_notice,
    "fairness_weekly": fairness_notice,
    "settings_changed": render_settings_changed,
    "complaint_owner": render_for_owner,
    "complaint_managers": render_for_managers,
    "complaint_resolved": render_resolved,
    "case_managers": decisions.render_case_for_managers,
    "case_notice": decisions.render_case_notice,
    "case_decided": decisions.render_case_decided,
    "case_channel": decisions.render_case_for_channel,
    "handover_managers": decisions.render_handover_for_managers,
    "handover_rep": decisions.render_handover_for_rep,
    "handover_channel": decisions.render_handover_for_channel,
    "assigned": decisions.render_assigned,
    "offboarded": decisions.render_offboarded,
    "delivery_failed": delivery_failed,
    "doctor": render_doctor,
}


def render(kind: str, data: dict[str, Any], lang: str, tz: str) -> Message:
    return RENDERERS.get(kind, generic)(data, lang, tz)


def render_in(kind: str, data: dict[str, Any], langs: list[str], tz: str) -> Message:
    """A channel post in each of the team's post languages, one after the other in one message."""
    return in_languages([render(kind, data, lang, tz) for lang in langs], langs)


def in_languages(messages: list[Message], langs: list[str]) -> Message:
    """One message holding ``messages`` (the same notice in ``langs``), the first language first.

    Buttons come once, with the first language: a later language's actions blocks and section buttons are
    left out (every button would act the same), and its block ids get the language as a suffix so they stay
    unique. Past Slack's 50 blocks, the later languages are cut short with a note; their fallback texts
    share the fallback text's room.
    """
    if len(messages) == 1:
        return messages[0]
    first, *rest = messages
    blocks = list(first.get("blocks") or [b.section(first["text"])])
    for lang, message in zip(langs[1:], rest, strict=True):
        extra = [_without_buttons(block, lang) for block in message.get("blocks") or [b.section(message["text"])]
                 if block["type"] != "actions"]
        room = b.MAX_BLOCKS - len(blocks) - 1  # the divider
        if room <= 0:
            break
        if len(extra) > room:
            extra = [*extra[: room - 1], b.context(t("post.cut_short", lang))]
        blocks += [b.divider(), *extra]
    share = b.MESSAGE_TEXT_MAX // len(messages) - 2  # each language's fallback text gets its share
    return b.message("\n\n".join(truncate(m["text"], share) for m in messages), blocks)


def _without_buttons(block: dict[str, Any], lang: str) -> dict[str, Any]:
    block = {k: v for k, v in block.items() if not (k == "accessory" and v.get("type") in ("button", "overflow"))}
    if "block_id" in block:
        block["block_id"] = f"{block['block_id']}-{lang}"
    return block
