"""Customer complaints (客户投诉): the message the owner and the managers get (with *Resolve*), the same
message once resolved, what the person who logged it hears, and the two forms. Pure.

Complaint and resolution texts are user text: escaped and shortened.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.i18n import t
from bot.results.complaints import ComplaintResult, ComplaintView
from bot.views import blocks as b
from bot.views.claims import Message, day, input_error, mention, suggestions, text_message
from bot.views.decisions import when
from bot.views.text import escape, truncate

RESOLVE = "complaint_resolve"  # the button: value = the complaint id (decimal)
CARD_COMPLAINT = "card_complaint"  # the customer card's button: value = the customer id (decimal)
COMPLAINT_FORM = "complaint_form"  # modal callback: log a complaint for the card's customer
RESOLUTION_FORM = "complaint_resolution"  # modal callback: resolve a complaint
TEXT_BLOCK, RESOLUTION_BLOCK = "complaint", "resolution"  # input block ids (errors are shown on them)
TEXT_SHOWN = 2500  # of a complaint's or resolution's characters in a message
NAME_SHOWN = 200


def _name(view: ComplaintView) -> str:
    return escape(truncate(view.customer_name, NAME_SHOWN))


def _said(value: str | None) -> str:
    return escape(truncate(value or "", TEXT_SHOWN))


def _resolved_line(view: ComplaintView, lang: str, tz: str) -> str:
    return t("complaint.resolved", lang, by=mention(view.resolved_by, lang), at=when(view.resolved_at, tz, lang),
             resolution=_said(view.resolution))


def complaint_message(view: ComplaintView, lang: str, tz: str, *, for_owner: bool = False) -> Message:
    """The managers' (or the owner's) message: *Resolve* while open; once resolved, the resolution instead."""
    key = "complaint.header_owner" if for_owner else "complaint.header"
    head = t(key, lang, id=view.id, name=_name(view), sid=view.short_id, raiser=mention(view.raised_by, lang))
    blocks = [
        b.section(head),
        b.section(t("complaint.text", lang, text=_said(view.text))),
        b.context(t("complaint.meta", lang, owner=mention(view.owner, lang), at=when(view.raised_at, tz, lang),
                    due=day(view.due_on, lang))),
    ]
    if view.status == "open":
        blocks.append(b.context(t("complaint.resolve_hint", lang)))
        blocks.append(ActionsBlock(block_id=f"complaint_{view.id}", elements=[ButtonElement(
            text=PlainTextObject(text=t("button.complaint_resolve", lang)), action_id=RESOLVE, value=str(view.id),
            style="primary")]).to_dict())
    else:
        blocks.append(b.section(_resolved_line(view, lang, tz)))
    return b.message(head, blocks)


def resolved_notice(view: ComplaintView, lang: str, tz: str) -> Message:
    """What the person who logged it (and the owner, if someone else resolved it) hears."""
    return text_message(t("complaint.resolved_notice", lang, id=view.id, name=_name(view), sid=view.short_id,
                          by=mention(view.resolved_by, lang), resolution=_said(view.resolution)))


def reply(result: ComplaintResult, query: str, lang: str, due_days: int) -> Message:
    """The answer to whoever logged or tried to resolve a complaint (only they see it)."""
    view = result.complaint
    if result.outcome == "logged" and view is not None:
        told = t("complaint.logged_told", lang, owner=mention(view.owner, lang)) if view.owner \
            else t("complaint.logged_no_owner", lang)
        return text_message(t("complaint.logged", lang, id=view.id, name=_name(view), sid=view.short_id,
                              due=day(view.due_on, lang)) + "\n" + told)
    if result.outcome == "resolved" and view is not None:
        return text_message(t("complaint.resolved_by_you", lang, id=view.id, name=_name(view), sid=view.short_id))
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, "usage.complaint", days=due_days)
    if result.outcome == "refused" and view is not None:
        return refusal(result.refusal or "already_resolved", view, lang)
    if result.outcome == "not_found" and result.lookup is not None:
        return suggestions(result.lookup, query, lang, "usage.complaint", days=due_days)
    if result.outcome == "not_found" and query:
        return text_message(t("not_found", lang, name=escape(query)))
    return text_message(t("complaint.gone", lang))


def form_error(result: ComplaintResult, lang: str) -> str:
    """Why a form was not accepted, in one line under its text field (plain text: no escaping there)."""
    if result.outcome == "invalid" and result.error:
        return t(result.error.code, lang, **result.error.params)
    if result.outcome == "refused":
        return t(f"complaint.form.{result.refusal or 'already_resolved'}", lang)
    return t("complaint.gone", lang)


def refusal(code: str, view: ComplaintView, lang: str) -> Message:
    return text_message(t(f"complaint.refusal.{code}", lang, id=view.id, owner=mention(view.owner, lang),
                          by=mention(view.resolved_by, lang)))


# --- the forms


def complaint_modal(customer_id: int, lang: str, due_days: int) -> dict[str, Any]:
    return View(
        type="modal", callback_id=COMPLAINT_FORM, title=PlainTextObject(text=t("modal.complaint_title", lang)),
        submit=PlainTextObject(text=t("modal.send", lang)), close=PlainTextObject(text=t("modal.cancel", lang)),
        private_metadata=json.dumps({"c": customer_id}),
        blocks=[
            InputBlock(block_id=TEXT_BLOCK, label=PlainTextObject(text=t("modal.complaint_text", lang)),
                       element=PlainTextInputElement(action_id="value", multiline=True, max_length=3000)),
            ContextBlock(elements=[MarkdownTextObject(text=t("modal.complaint_hint", lang, days=due_days))]),
        ]).to_dict()


def resolution_modal(view: ComplaintView, lang: str, tz: str) -> dict[str, Any]:
    head = t("complaint.header", lang, id=view.id, name=_name(view), sid=view.short_id,
             raiser=mention(view.raised_by, lang))
    summary = b.section(f"{head}\n{t('complaint.text', lang, text=_said(view.text))}")
    return View(
        type="modal", callback_id=RESOLUTION_FORM, title=PlainTextObject(text=t("modal.resolution_title", lang)),
        submit=PlainTextObject(text=t("modal.send", lang)), close=PlainTextObject(text=t("modal.cancel", lang)),
        private_metadata=json.dumps({"complaint": view.id}),
        blocks=[
            summary,
            InputBlock(block_id=RESOLUTION_BLOCK, label=PlainTextObject(text=t("modal.resolution_text", lang)),
                       element=PlainTextInputElement(action_id="value", multiline=True, max_length=3000)),
        ]).to_dict()


def typed(view: dict[str, Any], block_id: str) -> str:
    """What was typed into a form's text field."""
    values = (view.get("state") or {}).get("values") or {}
    return str((values.get(block_id) or {}).get("value", {}).get("value") or "")


# --- outbox renderers (registered in bot/views/notices.py): JSON snapshot → message at delivery


def render_for_owner(data: dict[str, Any], lang: str, tz: str) -> Message:
    return complaint_message(ComplaintView.from_data(data["complaint"]), lang, tz, for_owner=True)


def render_for_managers(data: dict[str, Any], lang: str, tz: str) -> Message:
    return complaint_message(ComplaintView.from_data(data["complaint"]), lang, tz)


def render_resolved(data: dict[str, Any], lang: str, tz: str) -> Message:
    return resolved_notice(ComplaintView.from_data(data["complaint"]), lang, tz)
