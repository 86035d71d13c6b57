"""Settings that managers change in Slack, on top of defaults, the TOML file and the environment (PRODUCT 5).

Only the keys in ``EDITABLE`` can be overridden. An override set is a flat JSON object
(``{"claims.daily_claim_cap": 1, "claims.followup_timeout_days.B": 20}``); ``apply`` merges it into
the base settings with ``model_copy`` and re-validates the touched sections with the config file's own
pydantic models, so a value the file would refuse is refused here too, and nothing is half applied.

``latest`` reads the newest row of ``setting_change``; ServiceContext caches its result (context.py).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import ClaimSettings, ReminderSettings, Settings
from bot.results.settings import FieldError
from storage.engine import read_session
from storage.models import SettingChange

log = logging.getLogger(__name__)
TIERS = ("A", "B", "C")
# key → kind: "int" (a whole number) or "days" (a list of whole numbers, shown comma-separated)
EDITABLE: dict[str, str] = {
    "claims.holding_cap": "int",
    "claims.daily_claim_cap": "int",
    "claims.reclaim_cooldown_days": "int",
    "claims.first_followup_days": "int",
    "claims.max_protection_days": "int",
    **{f"claims.followup_timeout_days.{tier}": "int" for tier in TIERS},
    **{f"claims.progress_timeout_days.{tier}": "int" for tier in TIERS},
    "reminders.days_before": "days",
}
# Beyond the config file's own bounds: a Slack form is easier to mistype than a reviewed file, and a
# deadline 10^6 days away overflows the calendar.
MAX_INT = {"claims.holding_cap": 100_000, "claims.daily_claim_cap": 10_000}
MAX_DAYS = 3650
MAX_REMINDERS = 10


class Invalid(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(f"{e.key}: {e.code}" for e in errors))
        self.errors = errors


def value_of(settings: Settings, key: str) -> Any:
    """The value of one editable key in ``settings`` (lists copied)."""
    section, name, *tier = key.split(".")
    value = getattr(getattr(settings, section), name)
    if tier:
        return value[tier[0]]
    return list(value) if isinstance(value, list) else value


def values_of(settings: Settings) -> dict[str, Any]:
    return {key: value_of(settings, key) for key in EDITABLE}


def apply(base: Settings, overrides: dict[str, Any]) -> Settings:
    """``base`` with the overrides merged in and validated; raises Invalid naming the keys at fault."""
    if not overrides:
        return base
    claims: dict[str, Any] = {}
    reminders: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in EDITABLE:
            continue  # a key a later release dropped: ignored, not fatal
        section, name, *tier = key.split(".")
        target = claims if section == "claims" else reminders
        if tier:
            target.setdefault(name, dict(getattr(base.claims, name)))[tier[0]] = value
        else:
            target[name] = value
    errors = _bounds(claims, reminders)
    if errors:
        raise Invalid(errors)
    update: dict[str, Any] = {}
    try:
        if claims:
            update["claims"] = ClaimSettings.model_validate(base.claims.model_dump() | claims)
        if reminders:
            update["reminders"] = ReminderSettings.model_validate(base.reminders.model_dump() | reminders)
    except ValidationError as error:
        raise Invalid(_field_errors(error, claims, reminders)) from None
    return base.model_copy(update=update)


def effective(base: Settings, stored: dict[str, Any]) -> Settings:
    """Stored overrides on this process's base; one the base no longer accepts is skipped, not fatal."""
    try:
        return apply(base, stored)
    except Invalid as invalid:
        bad = {e.key for e in invalid.errors}
        log.error("settings changed in Slack no longer valid here, ignored: %s", ", ".join(sorted(bad)))
        try:
            return apply(base, {k: v for k, v in stored.items() if k not in bad})
        except Invalid:
            return base


def _bounds(claims: dict[str, Any], reminders: dict[str, Any]) -> list[FieldError]:
    errors = []
    for name, value in claims.items():
        values = value.items() if isinstance(value, dict) else [(None, value)]
        for tier, v in values:
            key = f"claims.{name}.{tier}" if tier else f"claims.{name}"
            limit = MAX_INT.get(key, MAX_DAYS)
            if isinstance(v, int) and not isinstance(v, bool) and v > limit:
                errors.append(FieldError(key, "max", limit))
    days = reminders.get("days_before")
    if isinstance(days, list):
        if len(days) > MAX_REMINDERS:
            errors.append(FieldError("reminders.days_before", "too_many", MAX_REMINDERS))
        elif any(isinstance(d, int) and d > MAX_DAYS for d in days):
            errors.append(FieldError("reminders.days_before", "max", MAX_DAYS))
    return errors


def _field_errors(error: ValidationError, claims: dict[str, Any], reminders: dict[str, Any]) -> list[FieldError]:
    """pydantic's errors as editable keys and codes the catalog can say in the user's language."""
    found: dict[str, FieldError] = {}
    for e in error.errors():
        name = str(e["loc"][0]) if e["loc"] else ""
        if name in ("followup_timeout_days", "progress_timeout_days"):
            tiers = [t for t, v in claims.get(name, {}).items() if not isinstance(v, int) or v < 1] or ["A"]
            for tier in tiers:
                found.setdefault(f"claims.{name}.{tier}", FieldError(f"claims.{name}.{tier}", "min", 1))
            continue
        key = f"reminders.{name}" if name == "days_before" else f"claims.{name}"
        if key not in EDITABLE:
            continue
        if name == "days_before":
            found.setdefault(key, FieldError(key, "list"))
        elif e["type"] in ("greater_than_equal", "greater_than"):
            found.setdefault(key, FieldError(key, "min", int((e.get("ctx") or {}).get("ge", 0))))
        else:
            found.setdefault(key, FieldError(key, "number"))
    return list(found.values()) or [FieldError(next(iter(EDITABLE)), "number")]


# --- reading the stored overrides


@dataclass(frozen=True)
class Latest:
    version: int  # 0: no change was ever made in Slack
    overrides: dict[str, Any]


NONE = Latest(0, {})


def latest_in(session: Session) -> Latest:
    row = session.exec(select(SettingChange).order_by(col(SettingChange.version).desc()).limit(1)).first()
    return Latest(row.version, json.loads(row.overrides)) if row is not None else NONE


def latest(engine: Engine) -> Latest:
    with read_session(engine) as session:
        return latest_in(session)



# --- what a form sends

_INT = re.compile(r"^[+-]?\d{1,9}$")
_SEPARATORS = re.compile(r"[,;\s、]+")


def parse(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Form text (or already typed values) for editable keys → typed values; raises Invalid.

    Digits may be full-width (NFKC); reminder days are separated by commas (, ，、) or spaces."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, given in raw.items():
        kind = EDITABLE.get(key)
        if kind is None:
            continue
        if kind == "days":
            parts = given if isinstance(given, list) else _SEPARATORS.split(
                unicodedata.normalize("NFKC", str(given or "")).strip())
            read = [_int(p) for p in parts if str(p).strip()]
            numbers = [n for n in read if n is not None]
            if len(numbers) < len(read):
                errors.append(FieldError(key, "list"))
            else:
                values[key] = sorted(set(numbers), reverse=True)
        else:
            number = _int(given)
            if number is None:
                errors.append(FieldError(key, "number"))
            else:
                values[key] = number
    if errors:
        raise Invalid(errors)
    return values


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return int(text) if _INT.match(text) else None
