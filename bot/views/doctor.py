"""`claimbot doctor`'s lines (a terminal) and its weekly DM to the admins (Slack): each check with its fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import CATALOG, t
from bot.results.doctor import Check, CheckStatus
from bot.views import blocks as b
from bot.views.claims import Message
from bot.views.text import escape

MARK = {CheckStatus.OK: "✓", CheckStatus.WARN: "!", CheckStatus.FAIL: "✗"}


def _params(check: Check, lang: str, esc: Callable[[str], str]) -> dict[str, Any]:
    params: dict[str, Any] = {k: esc(str(v)) for k, v in check.params.items() if not isinstance(v, dict | list)}
    if "sources" in check.params:
        params["sources"] = esc(" · ".join(f"{year}: {source}" for year, source in check.params["sources"].items()))
    if "which" in check.params:
        params["which"] = t(f"doctor.which.{check.params['which']}", lang)
    if "direction" in check.params:
        params["direction"] = t(f"doctor.clock.{check.params['direction']}", lang)
    return params


def describe(check: Check, lang: str, esc: Callable[[str], str] = str) -> tuple[str, str]:
    """What was found, and the fix (empty when there is nothing to fix)."""
    key = f"doctor.{check.key}.{check.problem or 'ok'}"
    params = _params(check, lang, esc)
    line = t(key, lang, **params) if params else t(key, lang)
    fix = t(f"{key}.fix", lang, **params) if check.problem and f"{key}.fix" in CATALOG else ""
    return line, fix


def terminal_lines(checks: list[Check], lang: str) -> list[str]:
    out: list[str] = []
    for check in checks:
        line, fix = describe(check, lang)
        out.append(f"{MARK[check.status]} {line}")
        if fix:
            out.append(f"    {t('doctor.fix', lang, fix=fix)}")
    failed = sum(c.status is CheckStatus.FAIL for c in checks)
    out.append(t("doctor.summary.fail", lang, failed=failed, n=len(checks)) if failed
               else t("doctor.summary.ok", lang, n=len(checks)))
    return out


def render_doctor(data: dict[str, Any], lang: str, tz: str) -> Message:
    """The weekly DM (outbox kind ``doctor``): the failed checks, each with its fix."""
    checks = [Check.from_data(c) for c in data["checks"]]
    title = t("doctor.title", lang, week=data["week"], n=len(checks))
    lines = []
    for check in checks:
        line, fix = describe(check, lang, escape)
        lines.append(f"• {line}" + (f"\n    _{t('doctor.fix', lang, fix=fix)}_" if fix else ""))
    return b.message(title, [b.section(f"*{title}*"), *b.sections(lines, limit=40), b.context(t("doctor.footer", lang))])
