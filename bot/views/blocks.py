"""Small Block Kit helpers on slack_sdk's block models, which check Slack's limits as they build."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.views.text import truncate

SECTION_TEXT_MAX = 3000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
MESSAGE_TEXT_MAX = 3000
MAX_BLOCKS = 50


def section(markdown: str) -> dict[str, Any]:
    return SectionBlock(text=MarkdownTextObject(text=truncate(markdown, SECTION_TEXT_MAX))).to_dict()


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
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(markdown, SECTION_TEXT_MAX))]).to_dict()


def divider() -> dict[str, Any]:
    return DividerBlock().to_dict()


def button(label: str, action_id: str, value: dict[str, Any], style: str | None = None) -> ButtonElement:
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if len(encoded) > BUTTON_VALUE_MAX:
        raise ValueError("button value too long")
    return ButtonElement(text=PlainTextObject(text=truncate(label, BUTTON_TEXT_MAX)), action_id=action_id,
                         value=encoded, style=style)


def actions(block_id: str, *buttons: ButtonElement) -> dict[str, Any]:
    return ActionsBlock(block_id=block_id, elements=list(buttons)).to_dict()


def message(text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """A message payload: fallback text for notifications, and at most 50 blocks."""
    return {"text": truncate(text, MESSAGE_TEXT_MAX), "blocks": blocks[:MAX_BLOCKS]}
