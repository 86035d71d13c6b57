"""Rendering outbox notices at delivery time, in the recipient's language. Pure.

A notice's data is a JSON snapshot taken when it was decided; each kind has a renderer here (other
modules add theirs to RENDERERS).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import t
from bot.rules.text import is_user_id
from bot.views import decisions
from bot.views.allocation import allocated_notice, unassigned_notice
from bot.views.claims import Message, clock_name, text_message
from bot.views.complaints import render_for_managers, render_for_owner, render_resolved
from bot.views.digest import render_digest, render_leaderboard
from bot.views.leads import enquiry_notice, fairness_notice, offer_closed_notice, offer_notice
from bot.views.settings import render_settings_changed
from bot.views.text import escape

Renderer = Callable[[dict[str, Any], str, str], Message]  # data, language, time zone → message


def recycled(data: dict[str, Any], lang: str, tz: str) -> Message:
    return text_message(t("notice.recycled", lang, name=escape(data["name"]), sid=data["sid"],
                          clock=clock_name(data.get("clock"), lang), until=data.get("until"),
                          days=data.get("days_rule"), tier=data.get("tier"),
                          last=data.get("last_followup") or t("none", lang), cooldown_until=data.get("cooldown_until")))


def reminder(data: dict[str, Any], lang: str, tz: str) -> Message:
    key = "notice.first_followup" if data.get("clock") == "first_followup" else "notice.reminder"
    return text_message(t(key, lang, name=escape(data["name"]), sid=data["sid"], days=data.get("days"),
                          clock=clock_name(data.get("clock"), lang), until=data.get("until"),
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
}


def render(kind: str, data: dict[str, Any], lang: str, tz: str) -> Message:
    return RENDERERS.get(kind, generic)(data, lang, tz)
