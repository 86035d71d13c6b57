"""Small Block Kit helpers: plain dicts, exactly what slack_sdk's block models would serialise.

Built by hand because every reply goes through them: slack_sdk's models cost 0.04–0.18 ms per reply
(validation by reflection, then ``to_dict``), as much as a read-only claim's database work. The keys
are in the models' (sorted) order and empty values are left out as they leave them out; the limits
the models check and the builders cannot guarantee by truncation are checked here, with the same
errors. tests/test_blockkit.py still validates every view through slack_sdk's models.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError

from bot.views.text import truncate

SECTION_TEXT_MAX = 3000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
MESSAGE_TEXT_MAX = 3000
MAX_BLOCKS = 50
BLOCK_ID_MAX = 255
ACTION_ID_MAX = 255
ACTIONS_MAX_ELEMENTS = 25
BUTTON_STYLES = ("primary", "danger")


def _text(kind: str, text: str) -> dict[str, Any]:
    return {"text": text, "type": kind} if text else {"type": kind}  # the models drop empty strings


def section(markdown: str) -> dict[str, Any]:
    return {"text": _text("mrkdwn", truncate(markdown, SECTION_TEXT_MAX)), "type": "section"}


def sections(lines: list[str], *, limit: int, kind: str = "section") -> list[dict[str, Any]]:
    """Lines packed into as few blocks as fit (each ≤ 3000 characters), at most ``limit`` blocks.
    Lines that don't fit are dropped whole, never cut off mid-way; the last block says how many."""
    build = section if kind == "section" else context
    blocks: list[dict[str, Any]] = []
    current = ""
    for i, line in enumerate(lines):
        line = truncate(line, SECTION_TEXT_MAX - 20)
        if current and len(current) + 1 + len(line) > SECTION_TEXT_MAX - 20:
            if len(blocks) == limit - 1:
                blocks.append(build(current + f"\n… (+{len(lines) - i})"))
                return blocks
            blocks.append(build(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(build(current))
    return blocks


def context(markdown: str) -> dict[str, Any]:
    return {"elements": [_text("mrkdwn", truncate(markdown, SECTION_TEXT_MAX))], "type": "context"}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(label: str, action_id: str, value: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if len(encoded) > BUTTON_VALUE_MAX:
        raise ValueError("button value too long")
    if len(action_id) > ACTION_ID_MAX:
        raise SlackObjectFormationError(f"action_id attribute cannot exceed {ACTION_ID_MAX} characters")
    if style is not None and style not in BUTTON_STYLES:
        raise SlackObjectFormationError(f"style attribute must be one of the following values: {', '.join(BUTTON_STYLES)}")
    element: dict[str, Any] = {"action_id": action_id} if action_id else {}
    if style:
        element["style"] = style
    element["text"] = _text("plain_text", truncate(label, BUTTON_TEXT_MAX))
    element["type"] = "button"
    element["value"] = encoded
    return element


def actions(block_id: str, *buttons: Any) -> dict[str, Any]:
    """``buttons``: from ``button``, or slack_sdk elements (serialised, and so validated, here)."""
    if len(block_id) > BLOCK_ID_MAX:
        raise SlackObjectFormationError(f"block_id cannot exceed {BLOCK_ID_MAX} characters")
    if len(buttons) > ACTIONS_MAX_ELEMENTS:
        raise SlackObjectFormationError(f"elements attribute cannot exceed {ACTIONS_MAX_ELEMENTS} elements")
    block: dict[str, Any] = {"block_id": block_id} if block_id else {}
    if buttons:
        block["elements"] = [e if isinstance(e, dict) else e.to_dict() for e in buttons]
    block["type"] = "actions"
    return block


def message(text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """A message payload: fallback text for notifications, and at most 50 blocks."""
    return {"text": truncate(text, MESSAGE_TEXT_MAX), "blocks": blocks[:MAX_BLOCKS]}
