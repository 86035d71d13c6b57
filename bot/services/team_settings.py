"""Managers change caps, clocks and reminder days in Slack (PRODUCT 5); every change is a version.

``setting_change`` is append-only. Version N holds the whole override set after the change, so the
newest row alone says what is in force; it is inserted as latest + 1 with conflict-do-nothing on the
primary key, so of two simultaneous changes one wins and the other is told (``conflict``), never both
silently. An undo is a new version restoring the overrides of the version before; only the latest
change can be undone (undoing an older one would silently revert what came after it). After a change
this process's contexts are expired at once (others see it within their re-check interval) and the
clock rules are recorded (``rule_versions.record``), so deadlines follow docs/decisions/0005.
See docs/decisions/0013-settings-in-slack.md.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.results.data import to_data
from bot.results.settings import (
    Change,
    FieldError,
    SettingChangeItem,
    SettingsForm,
    SettingsOutcome,
    SettingsResult,
)
from bot.rules.clocks import as_utc
from bot.services import outbox, overrides, roles, rule_versions
from bot.services.context import ServiceContext, expire
from storage.engine import is_sqlite, read_session, write_session
from storage.models import SettingChange

log = logging.getLogger(__name__)
ACTION = "settings"


def current(ctx: ServiceContext) -> dict[str, Any]:
    """The editable settings in force, by key."""
    return overrides.values_of(ctx.settings)


def form(ctx: ServiceContext, actor: str, now: datetime) -> SettingsForm:
    """What the settings modal opens with; refused (and recorded) for anyone but a manager."""
    with read_session(ctx.engine) as session:
        manager = roles.is_manager(session, ctx, actor)
        latest = overrides.latest_in(session) if manager else overrides.NONE
    if not manager:
        roles.log_refusal(ctx, actor, ACTION, None, "not_manager", now)
        return SettingsForm("refused")
    return SettingsForm("ok", latest.version, overrides.values_of(overrides.effective(ctx.base_settings,
                                                                                      latest.overrides)))


def change(ctx: ServiceContext, actor: str, values: dict[str, Any], now: datetime, *,
           based_on: int | None = None) -> SettingsResult:
    """Set editable keys (form text or typed values). ``based_on``: the version the form showed; when
    another change came in since, nothing is written (``conflict``) so it is not silently reverted."""
    if not _is_manager(ctx, actor):
        roles.log_refusal(ctx, actor, ACTION, None, "not_manager", now)
        return SettingsResult(SettingsOutcome.REFUSED, actor)
    unreadable: list[FieldError] = []
    try:
        typed = overrides.parse(values)
    except overrides.Invalid as invalid:  # still check the rest, so the form shows every error at once
        unreadable = invalid.errors
        typed = overrides.parse({k: v for k, v in values.items() if k not in {e.key for e in unreadable}})
    with write_session(ctx.engine) as session:
        latest = overrides.latest_in(session)
        if based_on is not None and latest.version != based_on:
            return SettingsResult(SettingsOutcome.CONFLICT, actor, latest=latest.version)
        base = overrides.values_of(ctx.base_settings)
        wanted = dict(latest.overrides)
        for key, value in typed.items():
            if value == base[key]:
                wanted.pop(key, None)  # back to the configured value: the file governs it again
            else:
                wanted[key] = value
        try:
            after = overrides.apply(ctx.base_settings, wanted)
        except overrides.Invalid as invalid:
            return SettingsResult(SettingsOutcome.INVALID, actor, errors=(*unreadable, *invalid.errors))
        if unreadable:
            return SettingsResult(SettingsOutcome.INVALID, actor, errors=tuple(unreadable))
        before = overrides.effective(ctx.base_settings, latest.overrides)
        changes = _changes(before, after)
        if not changes:
            return SettingsResult(SettingsOutcome.UNCHANGED, actor, version=latest.version)
        result = _insert(ctx, session, actor, now, latest.version, wanted, changes, None)
    return _after(ctx, result, now)


def undo(ctx: ServiceContext, actor: str, version: int, now: datetime) -> SettingsResult:
    """Restore the overrides from before ``version``, which must be the latest change."""
    if not _is_manager(ctx, actor):
        roles.log_refusal(ctx, actor, ACTION, str(version), "not_manager", now)
        return SettingsResult(SettingsOutcome.REFUSED, actor)
    with write_session(ctx.engine) as session:
        latest = overrides.latest_in(session)
        if session.get(SettingChange, version) is None:
            return SettingsResult(SettingsOutcome.MISSING, actor, latest=latest.version)
        if version != latest.version:
            return SettingsResult(SettingsOutcome.STALE, actor, undoes=version, latest=latest.version)
        previous = session.get(SettingChange, version - 1)
        restored: dict[str, Any] = json.loads(previous.overrides) if previous is not None else {}
        before = overrides.effective(ctx.base_settings, latest.overrides)
        after = overrides.effective(ctx.base_settings, restored)
        changes = _changes(before, after)
        result = _insert(ctx, session, actor, now, latest.version, restored, changes, version)
    return _after(ctx, result, now)


def changes_between(session: Session, first: datetime, last: datetime) -> list[SettingChangeItem]:
    """Changes made in [first, last), oldest first, for the digest."""
    rows = session.exec(select(SettingChange).where(col(SettingChange.at) >= first, col(SettingChange.at) < last)
                        .order_by(col(SettingChange.version))).all()
    return [SettingChangeItem(r.version, r.actor, _iso(r.at),
                              tuple((k, old, new) for k, (old, new) in json.loads(r.changed).items()), r.undoes)
            for r in rows]


# --- helpers


def _is_manager(ctx: ServiceContext, actor: str) -> bool:
    with read_session(ctx.engine) as session:
        return roles.is_manager(session, ctx, actor)


def _changes(before: Settings, after: Settings) -> tuple[Change, ...]:
    old, new = overrides.values_of(before), overrides.values_of(after)
    return tuple(Change(key, old[key], new[key]) for key in overrides.EDITABLE if old[key] != new[key])


def _insert(ctx: ServiceContext, session: Session, actor: str, now: datetime, latest: int,
            wanted: dict[str, Any], changes: tuple[Change, ...], undoes: int | None) -> SettingsResult:
    insert = sqlite_insert if is_sqlite(ctx.engine) else pg_insert
    number = latest + 1
    added = session.execute(
        insert(SettingChange).values(
            version=number, actor=actor, at=now, undoes=undoes,
            overrides=json.dumps(dict(sorted(wanted.items())), ensure_ascii=False),
            changed=json.dumps({c.key: [c.old, c.new] for c in changes}, ensure_ascii=False))
        .on_conflict_do_nothing(index_elements=["version"]).returning(col(SettingChange.version))
    ).first()
    if added is None:  # another manager's change took this version a moment ago
        return SettingsResult(SettingsOutcome.CONFLICT, actor, latest=number)
    result = SettingsResult(SettingsOutcome.UNDONE if undoes else SettingsOutcome.CHANGED, actor, version=number, changes=changes,
                            undoes=undoes, at=_iso(now))
    _tell(ctx, session, result, now)
    return result


def _tell(ctx: ServiceContext, session: Session, result: SettingsResult, now: datetime) -> None:
    """A change: the manager's copy by DM, with *Undo* (an undo replaces the clicked copy instead); the
    team's copy in the digest channel."""
    data = {"result": to_data(result), "grace": ctx.settings.claims.tightening_grace_days}
    if result.outcome == "changed":
        outbox.enqueue(session, key=f"settings:{result.version}:{result.actor}", channel=result.actor,
                       kind="settings_changed", data={**data, "undo": True, "homes": [result.actor]}, now=now)
    channel = ctx.settings.team.digest_channel
    if channel:
        outbox.enqueue(session, key=f"settings:{result.version}:digest", channel=channel, kind="settings_changed",
                       data={**data, "undo": False}, now=now)


def _after(ctx: ServiceContext, result: SettingsResult, now: datetime) -> SettingsResult:
    """Committed: this process sees it now; the clock rules get a version when they changed."""
    if result.outcome not in ("changed", "undone"):
        return result
    expire(ctx.engine)
    if any(c.key.startswith(("claims.first_followup", "claims.max_protection", "claims.followup_timeout",
                             "claims.progress_timeout")) for c in result.changes):
        try:
            rule_versions.record(ctx, now, source=f"slack:{result.actor}")
        except Exception:  # the change stands; the next sweep's prepare() records the rules instead
            log.exception("settings version %s: could not record the clock rules now", result.version)
    return result


def _iso(moment: datetime) -> str:
    return as_utc(moment).astimezone(UTC).isoformat()
