"""The settings views rendered from realistic results, for tests/test_blockkit.py's limit checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from bot.config import Settings
from bot.results.settings import Change, SettingsForm, SettingsOutcome, SettingsResult
from bot.services.overrides import values_of
from bot.views import settings as view

Render = Callable[[str, str], dict[str, Any]]
VALUES = values_of(Settings())
EVERY_CHANGE = tuple(Change(k, v, [30, 14, 7, 3, 2, 1, 0] if isinstance(v, list) else 3650)
                     for k, v in VALUES.items())


def results() -> dict[str, SettingsResult]:
    return {
        "changed": SettingsResult(SettingsOutcome.CHANGED, "U0MGR1", 2**31 - 2, EVERY_CHANGE, at="2026-11-27T02:00:00+00:00"),
        "undone": SettingsResult(SettingsOutcome.UNDONE, "U0MGR2", 2**31 - 1, EVERY_CHANGE, undoes=2**31 - 2),
        "no_reminders": SettingsResult(SettingsOutcome.CHANGED, "U0MGR1", 7, (Change("reminders.days_before", [7, 1], []),)),
    }


def message_views() -> Iterator[tuple[str, Render]]:
    for name, result in results().items():
        for undo in (True, False):
            yield (f"settings.settings_changed[{name}, undo={undo}]",
                   lambda lang, _n, result=result, undo=undo: view.settings_changed(result, lang, 3, undo_button=undo))
    for outcome in ("refused", "unchanged", "stale", "missing", "conflict"):
        yield (f"settings.settings_answer[{outcome}]",
               lambda lang, _n, outcome=outcome: view.settings_answer(SettingsResult(outcome, latest=12), lang))


def modal_views() -> Iterator[tuple[str, Render]]:
    yield "settings.settings_modal", lambda lang, _n: view.settings_modal(SettingsForm("ok", 41, VALUES), lang, 3)
    yield ("settings.settings_modal[no reminders]",
           lambda lang, _n: view.settings_modal(SettingsForm("ok", 0, {**VALUES, "reminders.days_before": []}), lang, 3))
