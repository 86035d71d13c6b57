"""Strings for working-day clocks and rule changes (PRODUCT 3.2, docs/decisions/0005), zh and en."""

from __future__ import annotations

CLOCK_RULES: dict[str, dict[str, str]] = {
    # the clock that ends protection when a tightened rule is still in its grace period
    "clock.import_grace": {"zh": "导入宽限期", "en": "grace period after the import"},
    "clock.grace": {"zh": "规则收紧后的宽限期", "en": "grace period after a rule was tightened"},
}
