"""The claim modal: every field of PRODUCT 3.1. Pure."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import t

CLAIM_CALLBACK = "claim_modal"
FIELDS = ("name", "uscc", "domain", "phone", "region", "industry")
MAX_LENGTH = {"name": 200, "uscc": 30, "domain": 200, "phone": 40, "region": 100, "industry": 100}
ERROR_BLOCKS = {
    "error.invalid_uscc": "uscc", "error.invalid_domain": "domain", "error.invalid_phone": "phone",
    "error.invalid_tier": "tier",
}


def claim_modal(lang: str, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks: list[InputBlock] = [
        InputBlock(block_id=field, label=PlainTextObject(text=t(f"modal.{field}", lang)),
                   element=PlainTextInputElement(action_id="value", max_length=MAX_LENGTH[field]),
                   optional=field != "name")
        for field in FIELDS
    ]
    blocks.append(InputBlock(
        block_id="tier", label=PlainTextObject(text=t("modal.tier", lang)), optional=True,
        element=StaticSelectElement(action_id="value", options=[
            Option(value=tier, text=PlainTextObject(text=tier)) for tier in ("A", "B", "C")
        ]),
    ))
    return View(
        type="modal", callback_id=CLAIM_CALLBACK, title=PlainTextObject(text=t("modal.title", lang)),
        submit=PlainTextObject(text=t("modal.submit", lang)), close=PlainTextObject(text=t("modal.cancel", lang)),
        blocks=blocks, private_metadata=json.dumps(metadata),
    ).to_dict()


def claim_fields(view: dict[str, Any]) -> dict[str, str | None]:
    values = view.get("state", {}).get("values", {})
    fields: dict[str, str | None] = {}
    for field in (*FIELDS, "tier"):
        element = values.get(field, {}).get("value", {})
        selected = element.get("selected_option")
        fields[field] = selected.get("value") if selected else element.get("value")
    fields["name"] = fields["name"] or ""
    return fields


def block_for_error(code: str) -> str:
    return ERROR_BLOCKS.get(code, "name")
