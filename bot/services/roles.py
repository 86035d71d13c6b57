"""Roles (PRODUCT 3.4): admins and managers come from the settings; admins change roles in Slack.

A role granted in Slack wins over the settings file for that person, and every change is recorded.
Refused attempts to decide are recorded too (``Refusal``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.services.context import ServiceContext
from bot.services.reps import ensure_rep, role_from_settings
from storage.engine import read_session, write_session
from storage.models import Refusal, Rep, RoleChange

ROLES = ("rep", "manager")


def role_of(session: Session, ctx: ServiceContext, user_id: str) -> str:
    rep = session.get(Rep, user_id)
    if rep is not None and rep.role_granted:
        return rep.role
    return role_from_settings(ctx, user_id)


def is_manager(session: Session, ctx: ServiceContext, user_id: str) -> bool:
    """Managers decide. An admin decides only if also a manager (admins run the tool, managers the team)."""
    rep = session.get(Rep, user_id)
    if rep is not None and rep.role_granted:
        return rep.role == "manager"
    return user_id in ctx.settings.team.managers


def is_admin(ctx: ServiceContext, user_id: str) -> bool:
    return user_id in ctx.settings.team.admins


def managers(session: Session, ctx: ServiceContext) -> list[str]:
    granted = {r.id: r.role for r in session.exec(select(Rep).where(col(Rep.role_granted).is_(True))).all()}
    from_settings = [m for m in ctx.settings.team.managers if granted.get(m, "manager") == "manager"]
    return sorted(set(from_settings) | {uid for uid, role in granted.items() if role == "manager"})


def refuse(session: Session, actor: str, action: str, subject: str | None, reason: str, now: datetime) -> None:
    session.add(Refusal(actor=actor, action=action, subject=subject, reason=reason, at=now))


def log_refusal(ctx: ServiceContext, actor: str, action: str, subject: str | None, reason: str,
                now: datetime) -> None:
    """Record a refusal in its own transaction (the refused change itself was rolled back or never made)."""
    with write_session(ctx.engine) as session:
        refuse(session, actor, action, subject, reason, now)


@dataclass(frozen=True)
class RoleResult:
    outcome: str  # changed | same | refused | invalid
    user_id: str | None = None
    old_role: str | None = None
    new_role: str | None = None


def set_role(ctx: ServiceContext, actor: str, user_id: str | None, role: str | None, now: datetime) -> RoleResult:
    with write_session(ctx.engine) as session:
        if not is_admin(ctx, actor):
            refuse(session, actor, "role", user_id, "not_admin", now)
            return RoleResult("refused")
        if user_id is None or role not in ROLES:
            return RoleResult("invalid")
        old = role_of(session, ctx, user_id)
        old = "manager" if is_manager(session, ctx, user_id) else ("rep" if old == "admin" else old)
        if old == role:
            return RoleResult("same", user_id, old, role)
        rep = ensure_rep(session, ctx, user_id, now)
        rep.role, rep.role_granted = role, True
        session.add_all([rep, RoleChange(rep_id=user_id, old_role=old, new_role=role, actor=actor, at=now)])
        return RoleResult("changed", user_id, old, role)


def manager_ids(ctx: ServiceContext) -> list[str]:
    with read_session(ctx.engine) as session:
        return managers(session, ctx)


def is_manager_id(ctx: ServiceContext, user_id: str) -> bool:
    with read_session(ctx.engine) as session:
        return is_manager(session, ctx, user_id)
