"""The clock rules in force, as recorded versions, and the one-off refresh after a change (PRODUCT 3.2).

The clock settings (first follow-up, timeouts per tier, ceiling, how days are counted) are recorded in
``clock_rule_version``, append-only. ``prepare`` runs at the start of every sweep: when this process's
settings differ from the latest version it records a new one (the database decides once: the version
number is the primary key, inserted with conflict-do-nothing), then it finishes any pending refresh of
the stored ``protected_until`` values in batches. Between sweeps a change is noticed by the next sweep;
``record`` is also the entry point for a change made elsewhere (``source`` "slack:<user>").

``in_force`` hands the versions to ``snapshots.protection_of``, which applies the grace period of
``bot/rules/rule_changes.py``. See docs/decisions/0005-working-days-and-rule-changes.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.calendars import calendar_data_fingerprint, workday_calendar
from bot.config import Settings
from bot.rules import clocks
from bot.rules.clocks import ClockRules
from bot.rules.rule_changes import RuleVersion, protection_across_versions
from bot.services.context import ServiceContext
from storage.engine import is_sqlite, read_session, write_session
from storage.models import ClockRuleVersion, Customer, Ownership, ProtectionRefresh

log = logging.getLogger(__name__)

REFRESH_BATCH = 250
REFRESH_PAUSE_S = 0.02
CACHE_SECONDS = 30.0  # how long a process trusts its copy of the versions another process may add to
ATTEMPTS = 5

_cache: weakref.WeakKeyDictionary[Engine, tuple[float, tuple[RuleVersion, ...], str | None]] = (
    weakref.WeakKeyDictionary())


class ClockSubject(Protocol):
    """What the clocks read of a customer: an ORM ``Customer`` or a ``storage.claim_rows.CustomerRow``."""

    @property
    def tier(self) -> str: ...
    @property
    def stage(self) -> str: ...


class ClockStretch(Protocol):
    """What the clocks read of an active ownership: an ORM ``Ownership`` or a ``claim_rows.OwnerRow``."""

    @property
    def started_at(self) -> datetime: ...
    @property
    def last_followup_at(self) -> datetime | None: ...
    @property
    def last_progress_at(self) -> datetime: ...


# --- what is versioned


def clock_settings(settings: Settings) -> dict[str, Any]:
    """The settings that decide deadlines, as canonical JSON-able values."""
    c = settings.claims
    data: dict[str, Any] = {
        "first_followup_days": c.first_followup_days,
        "followup_timeout_days": dict(sorted(c.followup_timeout_days.items())),
        "progress_timeout_days": dict(sorted(c.progress_timeout_days.items())),
        "max_protection_days": c.max_protection_days,
        "count": c.count,
    }
    if c.count == "working_days":  # the calendar's data matters only when days are counted by it
        data.update(holiday_calendar=c.holiday_calendar,
                    extra_holidays=sorted(d.isoformat() for d in settings.calendar.holidays),
                    extra_workdays=sorted(d.isoformat() for d in settings.calendar.workdays),
                    calendar_data=calendar_data_fingerprint(c.holiday_calendar))
    return data


def digest_of(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def rules_from(data: dict[str, Any]) -> ClockRules:
    """The ClockRules a recorded version stands for (its calendar with today's package data)."""
    working = data.get("count") == "working_days"
    return ClockRules(
        first_followup_days=int(data["first_followup_days"]),
        followup_timeout_days={k: int(v) for k, v in data["followup_timeout_days"].items()},
        progress_timeout_days={k: int(v) for k, v in data["progress_timeout_days"].items()},
        max_protection_days=int(data["max_protection_days"]),
        count=str(data.get("count", "calendar_days")),
        is_workday=workday_calendar(
            data.get("holiday_calendar", "CN"),
            extra_holidays=[date.fromisoformat(d) for d in data.get("extra_holidays", [])],
            extra_workdays=[date.fromisoformat(d) for d in data.get("extra_workdays", [])]) if working else None,
    )


# --- recording


@dataclass(frozen=True)
class Recorded:
    version: int
    created: bool  # False: the latest version already had these settings


def _load(engine: Engine) -> tuple[RuleVersion, ...]:
    with read_session(engine) as session:
        rows = session.exec(select(ClockRuleVersion).order_by(col(ClockRuleVersion.version))).all()
    versions = tuple(RuleVersion(r.version, rules_from(json.loads(r.settings)), clocks.as_utc(r.effective_at))
                     for r in rows)
    latest = rows[-1].digest if rows else None
    _cache[engine] = (time.monotonic() + CACHE_SECONDS, versions, latest)
    return versions


def record(ctx: ServiceContext, now: datetime, source: str = "config") -> Recorded:
    """Record this process's clock settings as the newest version unless they already are."""
    data = clock_settings(ctx.settings)
    digest = digest_of(data)
    insert = sqlite_insert if is_sqlite(ctx.engine) else pg_insert
    for _ in range(ATTEMPTS):
        with write_session(ctx.engine) as session:
            latest = session.exec(
                select(ClockRuleVersion).order_by(col(ClockRuleVersion.version).desc()).limit(1)
            ).first()
            if latest is not None and latest.digest == digest:
                return Recorded(latest.version, False)
            number = (latest.version if latest else 0) + 1
            added = session.execute(
                insert(ClockRuleVersion).values(version=number, digest=digest, effective_at=now, source=source,
                                                settings=json.dumps(data, sort_keys=True, ensure_ascii=False))
                .on_conflict_do_nothing(index_elements=["version"]).returning(col(ClockRuleVersion.version))
            ).first()
            if added is not None:
                session.add(ProtectionRefresh(version=number))
                if latest is not None:
                    log.info("clock rules version %s recorded (%s); stored deadlines will be refreshed",
                             number, source)
        if added is not None:
            _cache.pop(ctx.engine, None)
            return Recorded(number, True)
        # another process recorded version ``number`` first: look again (usually the same settings)
    raise RuntimeError("could not record the clock rules: versions keep changing under us")


# --- reading


def in_force(ctx: ServiceContext, *, fresh: bool = False) -> tuple[RuleVersion, ...]:
    """The recorded versions, oldest first, for computing deadlines with this context's settings.

    Empty when this process's settings are not (yet) the latest version: then its rules apply plainly,
    without grace, until a sweep records them.
    """
    cached = _cache.get(ctx.engine)
    if fresh or cached is None or cached[0] < time.monotonic():
        _load(ctx.engine)
        cached = _cache[ctx.engine]
    _, versions, latest = cached
    if not versions or latest != settings_digest(ctx.settings):
        return ()
    return versions


_digested: tuple[Settings, str] | None = None  # the last settings digested (every deadline asks)


def settings_digest(settings: Settings) -> str:
    """``digest_of(clock_settings(settings))``, remembered for the settings object last asked about:
    settings are replaced when they change, never changed in place."""
    global _digested
    last = _digested
    if last is not None and last[0] is settings:
        return last[1]
    digest = digest_of(clock_settings(settings))
    _digested = (settings, digest)
    return digest


def protection(ctx: ServiceContext, customer: ClockSubject, ownership: ClockStretch) -> clocks.Protection:
    """The ownership's deadline under the rules in force, held back by the grace of recent tightening."""
    inputs: dict[str, Any] = dict(tier=customer.tier, stage=customer.stage, tz=ctx.tz,
                                  started_at=ownership.started_at, last_followup_at=ownership.last_followup_at,
                                  last_progress_at=ownership.last_progress_at)
    versions = in_force(ctx)
    if len(versions) < 2 or versions[-1].effective_at <= ownership.started_at:  # no change in its lifetime
        return clocks.protection(ctx.clock_rules, **inputs)
    return protection_across_versions(versions, grace_days=ctx.settings.claims.tightening_grace_days, **inputs)


# --- the refresh pass


def refresh_pending(ctx: ServiceContext, now: datetime, batch: int = REFRESH_BATCH) -> int:
    """Recompute ``protected_until`` of every active ownership after a new version, ``batch`` at a time.

    Each batch is one short transaction that moves the version's ``through_id`` forward, so a pass
    interrupted by a restart resumes where it stopped, and two processes never refresh the same batch.
    Only the newest version's pass runs (it recomputes everything); older unfinished ones are closed.
    Returns how many ownerships were looked at.
    """
    with read_session(ctx.engine) as session:
        pending = session.exec(select(ProtectionRefresh.version).where(
            col(ProtectionRefresh.finished_at).is_(None)).order_by(col(ProtectionRefresh.version))).all()
    if not pending:
        return 0
    versions = in_force(ctx, fresh=True)
    if not versions:
        return 0  # our settings are not the newest version: its own process refreshes
    newest = versions[-1].version
    if pending[0] < newest:  # superseded: the newest version's pass recomputes everything
        with write_session(ctx.engine) as session:
            session.execute(update(ProtectionRefresh).where(
                col(ProtectionRefresh.version) < newest, col(ProtectionRefresh.finished_at).is_(None))
                .values(finished_at=now))
    if newest not in pending:
        return 0
    looked = 0
    while True:
        with write_session(ctx.engine) as session:
            progress = session.exec(select(ProtectionRefresh).where(ProtectionRefresh.version == newest)
                                    .with_for_update()).one()  # PostgreSQL: one refresher at a time
            if progress.finished_at is not None:
                return looked
            rows = session.exec(
                select(Ownership, Customer).join(Customer, col(Customer.id) == Ownership.customer_id)
                .where(col(Ownership.ended_at).is_(None), col(Ownership.id) > progress.through_id)
                .order_by(col(Ownership.id)).limit(batch).with_for_update(of=Ownership)
            ).all()
            if not rows:
                progress.finished_at = now
                session.add(progress)
                return looked
            for ownership, customer in rows:  # the ORM writes only the rows whose date changed
                ownership.protected_until = protection(ctx, customer, ownership).until
                session.add(ownership)
            progress.through_id = rows[-1][0].id or progress.through_id
            session.add(progress)
            looked += len(rows)
        time.sleep(REFRESH_PAUSE_S)  # let claims in between batches: this pass is background work


def prepare(ctx: ServiceContext, now: datetime) -> int:
    """Before a sweep: record the settings if they changed, finish any refresh. Costs three small reads
    when nothing changed."""
    ctx.recheck_settings()  # a change made in Slack by another process counts now, not after its re-check
    versions = in_force(ctx, fresh=True)
    if not versions:
        record(ctx, now)
    return refresh_pending(ctx, now)
