"""Plain results of changing settings in Slack (PRODUCT 5). No database, no Slack."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class FieldError:
    key: str  # an editable key, e.g. "claims.daily_claim_cap" (also the modal's block_id)
    code: str  # number | min | max | list | too_many
    limit: int | None = None


@dataclass(frozen=True)
class Change:
    key: str
    old: Any  # an int, or a list of ints for reminders.days_before
    new: Any


@dataclass(frozen=True)
class SettingsForm:
    outcome: str  # ok | refused
    version: int = 0  # the Slack version the values reflect; a submission based on an older one conflicts
    values: dict[str, Any] = field(default_factory=dict)  # editable key → current value, in form order


class SettingsOutcome(StrEnum):
    """SettingsResult.outcome: what happened."""

    CHANGED = "changed"
    UNDONE = "undone"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    INVALID = "invalid"
    CONFLICT = "conflict"
    STALE = "stale"
    MISSING = "missing"


@dataclass(frozen=True)
class SettingsResult:
    # changed | undone | unchanged | refused | invalid | conflict (someone changed them meanwhile)
    # | stale (undo of a change that is no longer the latest) | missing (no such version)
    outcome: SettingsOutcome
    actor: str = ""
    version: int | None = None  # the version written
    changes: tuple[Change, ...] = ()
    errors: tuple[FieldError, ...] = ()
    undoes: int | None = None
    latest: int | None = None  # stale / conflict: the newest version now
    at: str = ""  # ISO-8601, when it was written


@dataclass(frozen=True)
class SettingChangeItem:
    """One settings change in the daily digest (JSON-native: it is snapshotted into the outbox)."""

    version: int
    actor: str
    at: str
    changes: tuple[tuple[str, Any, Any], ...]  # (key, old, new)
    undoes: int | None = None

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> SettingChangeItem:
        return cls(version=raw["version"], actor=raw["actor"], at=raw["at"],
                   changes=tuple((k, old, new) for k, old, new in raw["changes"]), undoes=raw.get("undoes"))
