"""Follow-up kinds and stage input. Pure."""

from __future__ import annotations

import re

from bot.rules.clocks import FOLLOWUP_KINDS, STAGES

KIND_ALIASES = {
    "电话": "call", "打电话": "call", "通话": "call", "拜访": "visit", "上门": "visit", "会议": "meeting",
    "开会": "meeting", "邮件": "email", "e-mail": "email", "微信": "wechat", "其他": "other", "其它": "other",
}
STAGE_ALIASES = {
    "线索": "lead", "已联系": "contacted", "联系": "contacted", "已确认需求": "qualified", "确认需求": "qualified",
    "商机": "qualified", "方案": "proposal", "报价": "proposal", "方案报价": "proposal", "赢单": "won",
    "成交": "won", "丢单": "lost", "输单": "lost",
}
_KIND_PREFIX = re.compile(r"^\s*(?:kind\s*[:：]\s*)?([^\s:：]{1,10})\s*[:：]\s*", re.IGNORECASE)
_AMOUNT = re.compile(r"^[¥￥$]?\s*([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万|w|k|元)?$", re.IGNORECASE)


def split_kind(note: str) -> tuple[str | None, str]:
    """``call: note`` / ``kind:call note``-style prefixes → (kind, note); unknown prefix → (None, note)."""
    m = _KIND_PREFIX.match(note)
    if m:
        word = m.group(1).casefold()
        kind = word if word in FOLLOWUP_KINDS else KIND_ALIASES.get(word)
        if kind:
            return kind, note[m.end():].strip()
    return None, note.strip()


def parse_stage(text: str) -> tuple[str | None, float | None, bool]:
    """``won 120000`` → ("won", 120000.0, True). Returns (stage, amount, amount_ok)."""
    parts = text.split(maxsplit=1)
    if not parts:
        return None, None, True
    word = parts[0].casefold()
    stage = word if word in STAGES else STAGE_ALIASES.get(word)
    if len(parts) == 1:
        return stage, None, True
    m = _AMOUNT.match(parts[1].strip())
    if not m:
        return stage, None, False
    amount = float(m.group(1).replace(",", "").replace("，", ""))
    unit = (m.group(2) or "").casefold()
    amount *= {"万": 10_000, "w": 10_000, "k": 1_000}.get(unit, 1)
    return stage, amount, amount > 0
