"""Reps as ClaimBot knows them: role from the settings, locale remembered from Slack."""

from __future__ import annotations

import weakref
from datetime import datetime

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.services.context import ServiceContext
from storage import claim_rows
from storage.engine import is_sqlite, read_session, write_session
from storage.models import Rep


def role_from_settings(ctx: ServiceContext, user_id: str) -> str:
    if user_id in ctx.settings.team.admins:
        return "admin"
    if user_id in ctx.settings.team.managers:
        return "manager"
    return "rep"


def ensure_rep(session: Session, ctx: ServiceContext, user_id: str, now: datetime, *, lock: bool = False) -> Rep:
    """The rep's row, created on first sight. ``lock`` serialises this rep's own claims on PostgreSQL."""
    stmt = select(Rep).where(Rep.id == user_id)
    if lock and not is_sqlite(session.get_bind()):
        stmt = stmt.with_for_update()
    rep = session.exec(stmt).first()
    if rep is None:
        rep = Rep(id=user_id, role=role_from_settings(ctx, user_id), created_at=now)
        try:
            with session.begin_nested():
                session.add(rep)
        except IntegrityError:  # another request created it a moment ago
            rep = session.exec(stmt).one()
    return rep


# Reps this process has seen in the database, per engine: rep rows are never deleted, so "exists" stays
# true, and the claim's hot path need not ask again (on SQLite; PostgreSQL still locks the row).
_KNOWN: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
_KNOWN_MAX = 10_000


def _remember(engine: Engine, user_id: str) -> None:
    known = _KNOWN.setdefault(engine, set())
    if len(known) >= _KNOWN_MAX:
        known.clear()
    known.add(user_id)


def rep_known(conn: Connection, ctx: ServiceContext, user_id: str) -> bool:
    """Whether the rep's row exists (remembered once seen)."""
    if user_id in _KNOWN.get(ctx.engine, ()):
        return True
    if claim_rows.rep_exists(conn, user_id):
        _remember(ctx.engine, user_id)
        return True
    return False


def ensure_rep_row(conn: Connection, ctx: ServiceContext, user_id: str, now: datetime, *, lock: bool = False) -> None:
    """``ensure_rep`` in SQLAlchemy Core, for the claim's hot path: the row exists afterwards, and with
    ``lock`` it is locked on PostgreSQL (serialising this rep's own claims, as ``ensure_rep`` does)."""
    locking = lock and not is_sqlite(ctx.engine)
    if not locking and user_id in _KNOWN.get(ctx.engine, ()):
        return
    if claim_rows.rep_exists(conn, user_id, lock=locking):
        _remember(ctx.engine, user_id)  # committed by someone: it stays
        return
    # Not remembered: this transaction may yet roll back.
    claim_rows.insert_rep(conn, user_id, role_from_settings(ctx, user_id), now)
    if locking:
        claim_rows.rep_exists(conn, user_id, lock=True)


def known_locale(ctx: ServiceContext, user_id: str) -> tuple[bool, str | None]:
    """(known, locale). ``known`` is False when Slack has not been asked about this user yet."""
    with read_session(ctx.engine) as session:
        rep = session.get(Rep, user_id)
        if rep is None or rep.locale is None:
            return False, None
        return True, rep.locale or None


def known_zone(ctx: ServiceContext, user_id: str) -> str | None:
    """The user's own time zone as Slack last said (None: not known)."""
    with read_session(ctx.engine) as session:
        rep = session.get(Rep, user_id)
        return rep.tz if rep is not None and rep.tz else None


def remember_profile(ctx: ServiceContext, user_id: str, locale: str | None, display_name: str | None,
                     now: datetime, tz: str | None = None) -> None:
    with write_session(ctx.engine) as session:
        rep = ensure_rep(session, ctx, user_id, now)
        rep.locale = locale or ""  # "" = asked, Slack didn't say
        if tz:
            rep.tz = tz
        if display_name:
            rep.display_name = display_name
        session.add(rep)
