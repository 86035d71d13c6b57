"""The settings modal, its confirmations with *Undo*, and the digest's settings lines. Pure."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.i18n import t
from bot.results.data import from_data
from bot.results.settings import SettingChangeItem, SettingsForm, SettingsResult
from bot.views import blocks as b
from bot.views.claims import text_message

SETTINGS_CALLBACK = "settings_modal"
UNDO_ACTION = "settings_undo"
LIST_KEY = "reminders.days_before"
CLOCK_KEYS = ("claims.first_followup_days", "claims.max_protection_days", "claims.followup_timeout_days",
              "claims.progress_timeout_days")
DAYS_TEXT_MAX = 100


def shown(value: Any, lang: str) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else t("settings.none", lang)
    return str(value)


def label(key: str, lang: str) -> str:
    return t(f"settings.label.{key}", lang)


# --- the modal


def settings_modal(form: SettingsForm, lang: str, grace_days: int) -> dict[str, Any]:
    blocks: list[Any] = [ContextBlock(block_id="intro", elements=[
        MarkdownTextObject(text=t("settings.modal.intro", lang, grace=grace_days))])]
    for key, value in form.values.items():
        if key == LIST_KEY:
            element: Any = PlainTextInputElement(
                action_id="value", initial_value=shown(value, "en") if value else None, max_length=DAYS_TEXT_MAX,
                placeholder=PlainTextObject(text=t("settings.modal.hint.days_before", lang)))
        else:
            element = NumberInputElement(action_id="value", is_decimal_allowed=False, initial_value=str(value))
        blocks.append(InputBlock(block_id=key, label=PlainTextObject(text=label(key, lang)), element=element,
                                 optional=key == LIST_KEY))
    return View(
        type="modal", callback_id=SETTINGS_CALLBACK, title=PlainTextObject(text=t("settings.modal.title", lang)),
        submit=PlainTextObject(text=t("settings.modal.submit", lang)),
        close=PlainTextObject(text=t("settings.modal.cancel", lang)),
        blocks=blocks, private_metadata=json.dumps({"v": form.version}),
    ).to_dict()


def submitted(view: dict[str, Any]) -> tuple[dict[str, str], int | None]:
    """The form's text per key, and the version it was opened at (None if the metadata is not ours)."""
    values = (view.get("state") or {}).get("values") or {}
    fields = {key: str((state.get("value") or {}).get("value") or "") for key, state in values.items()
              if isinstance(state, dict) and key != "intro"}
    try:
        version = json.loads(view.get("private_metadata") or "{}").get("v")
    except (ValueError, AttributeError):
        version = None
    return fields, version if isinstance(version, int) and version >= 0 else None


def field_errors(result: SettingsResult, lang: str) -> dict[str, str]:
    """``response_action: errors`` for a refused submission: one message per block."""
    if result.outcome == "conflict":
        return {"claims.holding_cap": t("settings.error.conflict", lang, latest=result.latest or 0)}
    return {e.key: t(f"settings.error.{e.code}", lang, **({"limit": e.limit} if e.limit is not None else {}))
            for e in result.errors}


# --- answers


def _lines(result: SettingsResult, lang: str) -> list[str]:
    return [t("settings.line", lang, label=label(c.key, lang), old=shown(c.old, lang), new=shown(c.new, lang))
            for c in result.changes]


def settings_changed(result: SettingsResult, lang: str, grace_days: int, *, undo_button: bool) -> dict[str, Any]:
    """A change or an undo: what went from what to what; the manager's copy carries *Undo*."""
    who = f"<@{result.actor}>"
    if result.outcome == "undone":
        header = t("settings.undone", lang, undoes=result.undoes, version=result.version, who=who)
    else:
        header = t("settings.changed", lang, version=result.version, who=who)
    notes = [t("settings.next_claim", lang)]
    if any(c.key.startswith(CLOCK_KEYS) for c in result.changes):
        notes.append(t("settings.clock_note", lang, grace=grace_days))
    out = [*b.sections([header, *_lines(result, lang)], limit=3), b.context(" ".join(notes))]
    if undo_button:
        out.append(b.actions(f"settings_undo_{result.version}",
                             b.button(t("settings.undo", lang), UNDO_ACTION, {"v": result.version})))
    return b.message(header, out)


def render_settings_changed(data: dict[str, Any], lang: str, tz: str) -> dict[str, Any]:
    """The outbox notice (kind ``settings_changed``): the manager's copy (``undo``) or the team's."""
    return settings_changed(from_data(SettingsResult, data["result"]), lang, int(data["grace"]),
                            undo_button=bool(data["undo"]))


def settings_answer(result: SettingsResult, lang: str) -> dict[str, Any]:
    """Every outcome that is not a change: refused, unchanged, stale, missing, conflict."""
    if result.outcome == "refused":
        return text_message(t("settings.refused", lang))
    if result.outcome == "stale":
        return text_message(t("settings.stale", lang, latest=result.latest or 0))
    if result.outcome == "missing":
        return text_message(t("settings.missing", lang))
    if result.outcome == "conflict":
        return text_message(t("settings.error.conflict", lang, latest=result.latest or 0))
    return text_message(t("settings.unchanged", lang))


def undo_version(value: str | None) -> int | None:
    try:
        version = json.loads(value or "")["v"]
    except (ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, int) and 0 < version < 2**31 else None


# --- the digest


def digest_lines(items: Iterable[SettingChangeItem], who: Callable[[str], str], lang: str,
                 when: Callable[[str], str]) -> list[str]:
    lines = []
    for item in items:
        changes = "; ".join(t("settings.digest.change", lang, label=label(key, lang), old=shown(old, lang),
                              new=shown(new, lang)) for key, old, new in item.changes) or "—"
        if item.undoes:
            lines.append(t("settings.digest.undo_item", lang, version=item.version, who=who(item.actor),
                           at=when(item.at), undoes=item.undoes, list=changes))
        else:
            lines.append(t("settings.digest.item", lang, version=item.version, who=who(item.actor),
                           at=when(item.at), list=changes))
    return lines
