"""The forms a customer card's buttons open: follow-up, stage, release, hand over (or assign), dispute.

Pure: builds the modal views and reads their submitted values. Each form's ``private_metadata`` is JSON
the listener chose (the customer id, the card's response_url, where the click came from).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import t
from bot.results.customers import CustomerSnapshot
from bot.rules.clocks import FOLLOWUP_KINDS, STAGES
from bot.views.text import escape, truncate

FOLLOWUP_FORM, STAGE_FORM, RELEASE_FORM = "card_followup_form", "card_stage_form", "card_release_form"
HANDOVER_FORM, DISPUTE_FORM = "card_handover_form", "card_dispute_form"
TITLE_MAX, NOTE_MAX, AMOUNT_MAX = 24, 3000, 40
# A refusal or bad input → the field it is about (and the text to show there, when not the code's own).
ERROR_FIELDS: dict[str, tuple[str, str | None]] = {
    "usage.followup": ("note", None), "followup.bad_kind": ("kind", None),
    "followup.next_contact_past": ("next_contact", None), "stage.bad": ("stage", None),
    "stage.won_needs_amount": ("amount", "card.amount_needed"), "release.needs_reason": ("reason", None),
    "handover.needs_reason": ("reason", None), "dispute.needs_reason": ("reason", None),
    "usage.handover": ("to", "card.pick_rep"), "usage.assign": ("to", "card.pick_rep"),
}
NOTE_FORMS = {FOLLOWUP_FORM: "note"}  # error.note_too_long is about the note here, the reason elsewhere
TO_REFUSALS = ("same_rep", "recipient_at_cap", "own_case")  # handover refusals about the chosen rep


def _form(callback_id: str, title_key: str, c: CustomerSnapshot, lang: str, metadata: dict[str, Any],
          inputs: list[InputBlock]) -> dict[str, Any]:
    about = ContextBlock(block_id="customer", elements=[MarkdownTextObject(
        text=t("customer.header", lang, name=escape(truncate(c.name, 300)), sid=c.short_id))])
    return View(
        type="modal", callback_id=callback_id, title=PlainTextObject(text=truncate(t(title_key, lang), TITLE_MAX)),
        submit=PlainTextObject(text=t("modal.send", lang)), close=PlainTextObject(text=t("modal.cancel", lang)),
        blocks=[about, *inputs], private_metadata=json.dumps(metadata, separators=(",", ":")),
    ).to_dict()


def _label(key: str, lang: str) -> PlainTextObject:
    return PlainTextObject(text=t(key, lang))


def _text_input(block_id: str, label_key: str, lang: str, *, multiline: bool = False, max_length: int = NOTE_MAX,
                optional: bool = False, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=_label(label_key, lang), optional=optional,
                      hint=PlainTextObject(text=hint) if hint else None,
                      element=PlainTextInputElement(action_id="value", multiline=multiline, max_length=max_length))


def _reason(lang: str, label_key: str = "modal.reason") -> InputBlock:
    return _text_input("reason", label_key, lang, multiline=True)


def _options(values: tuple[str, ...], key: str, lang: str) -> list[Option]:
    return [Option(value=v, text=PlainTextObject(text=t(f"{key}.{v}", lang))) for v in values]


def followup_form(c: CustomerSnapshot, lang: str, metadata: dict[str, Any], min_chars: int) -> dict[str, Any]:
    kinds = _options(FOLLOWUP_KINDS, "followup.kind", lang)
    return _form(FOLLOWUP_FORM, "card.title.followup", c, lang, metadata, [
        InputBlock(block_id="kind", label=_label("card.field.kind", lang),
                   element=StaticSelectElement(action_id="value", options=kinds, initial_option=kinds[0])),
        _text_input("note", "card.field.note", lang, multiline=True, hint=t("card.hint.note", lang, min_chars=min_chars)),
        InputBlock(block_id="next_contact", label=_label("card.field.next_contact", lang), optional=True,
                   hint=_label("card.hint.next_contact", lang), element=DatePickerElement(action_id="value")),
    ])


def stage_form(c: CustomerSnapshot, lang: str, metadata: dict[str, Any]) -> dict[str, Any]:
    stages = _options(tuple(s for s in STAGES if s != c.stage), "stage", lang)
    return _form(STAGE_FORM, "card.title.stage", c, lang, metadata, [
        InputBlock(block_id="stage", label=_label("card.field.stage", lang),
                   element=StaticSelectElement(action_id="value", options=stages)),
        _text_input("amount", "card.field.amount", lang, max_length=AMOUNT_MAX, optional=True,
                    hint=t("card.hint.amount", lang)),
    ])


def release_form(c: CustomerSnapshot, lang: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return _form(RELEASE_FORM, "card.title.release", c, lang, metadata, [_reason(lang, "card.field.release_reason")])


def handover_form(c: CustomerSnapshot, lang: str, metadata: dict[str, Any], *, assign: bool) -> dict[str, Any]:
    return _form(HANDOVER_FORM, "card.title.assign" if assign else "card.title.handover", c, lang, metadata, [
        InputBlock(block_id="to", label=_label("card.field.assign_to" if assign else "card.field.to", lang),
                   element=UserSelectElement(action_id="value")),
        _reason(lang),
    ])


def dispute_form(c: CustomerSnapshot, lang: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return _form(DISPUTE_FORM, "card.title.dispute", c, lang, metadata, [_reason(lang)])


# --- reading a submission


def values(view: dict[str, Any]) -> dict[str, str | None]:
    """Each input block's value: typed text, the chosen option, date or user."""
    out: dict[str, str | None] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        element = (elements or {}).get("value") or {}
        selected = element.get("selected_option") or {}
        out[block_id] = (selected.get("value") or element.get("selected_date") or element.get("selected_user")
                         or element.get("value"))
    return out


def parse_day(value: str | None) -> date | None:
    """A datepicker's YYYY-MM-DD (None when empty or not a date)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def error_field(form: str, code: str) -> tuple[str, str]:
    """(block_id, catalog key) for a bad-input code on ``form``."""
    if code == "error.note_too_long":
        return NOTE_FORMS.get(form, "reason"), code
    block, key = ERROR_FIELDS.get(code, (None, None))
    default = {FOLLOWUP_FORM: "note", STAGE_FORM: "stage", HANDOVER_FORM: "to"}.get(form, "reason")
    return block or default, key or code
