"""Who is told of a case or a handover, written to the outbox inside the transaction that decides it.

Keys name the subject, the step and the recipient, so a repeat (a second click, a rerun of a job) adds
nothing. The managers' message (kind ``*_managers``) goes to the approvals channel, or to each manager by
DM; its key is known at decision time, so the decision enqueues one ``chat.update`` of each such post
(``update_of``) and, in a channel, a note in its thread (``thread_of``). Delivery resolves both to where the
post landed (bot/slack/delivery.py). ``homes``: whose App Home shows the change once it is delivered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.results.customers import CustomerSnapshot
from bot.results.data import to_data
from bot.results.disputes import CaseView
from bot.results.handovers import HandoverView
from bot.results.reps import OffboardResult
from bot.rules.text import is_user_id
from bot.services import outbox
from bot.services.context import ServiceContext
from storage.models import Outbox


def _to_managers(session: Session, ctx: ServiceContext, prefix: str, kind: str, data: dict[str, Any],
                 managers: Iterable[str], now: datetime) -> None:
    """The approvals channel when there is one, else a DM to each manager."""
    managers = list(dict.fromkeys(managers))
    channel = ctx.settings.team.approvals_channel
    for to in [channel] if channel else managers:
        outbox.enqueue(session, key=f"{prefix}:managers:{to}", channel=to, kind=kind, now=now,
                       data={**data, "homes": [to] if is_user_id(to) else managers})


def _tell(session: Session, key: str, rep: str, kind: str, data: dict[str, Any], now: datetime) -> None:
    outbox.enqueue(session, key=key, channel=rep, kind=kind, data={**data, "homes": [rep]}, now=now)


def _to_digest(session: Session, ctx: ServiceContext, key: str, kind: str, data: dict[str, Any],
               now: datetime) -> None:
    channel = ctx.settings.team.digest_channel
    if channel:
        outbox.enqueue(session, key=key, channel=channel, kind=kind, data=data, now=now)


def _replace_posts(session: Session, prefix: str, step: str, kind: str, data: dict[str, Any],
                   now: datetime, *, thread_kind: str | None = None) -> None:
    """One update of each managers' post of ``prefix`` (buttons go, the decision shows); in a channel, a
    thread note too. Their keys carry ``step``, so each decision replaces the posts once."""
    posts = session.exec(select(Outbox).where(col(Outbox.key).like(f"{prefix}:managers:%"))
                         .order_by(col(Outbox.id))).all()
    for post in posts:
        homes = json.loads(post.data).get("homes", [])
        outbox.enqueue(session, key=f"{prefix}:{step}:update:{post.channel}", channel=post.channel, kind=kind,
                       data={**data, "update_of": post.key, "homes": homes}, now=now)
        if thread_kind and not is_user_id(post.channel):
            outbox.enqueue(session, key=f"{prefix}:{step}:thread:{post.channel}", channel=post.channel,
                           kind=thread_kind, data={**data, "thread_of": post.key}, now=now)


# --- cases (disputes and appeals)


def case_opened(session: Session, ctx: ServiceContext, case: CaseView, managers: Iterable[str], now: datetime) -> None:
    """The managers get the case with its buttons; the other side is told it was opened."""
    data = {"case": case.to_data()}
    _to_managers(session, ctx, f"case:{case.id}", "case_managers", data, managers, now)
    other = case.owner if case.opened_by != case.owner else case.claimant
    _tell(session, f"case:{case.id}:opened:{other}", other, "case_notice", data, now)


def case_decided(session: Session, ctx: ServiceContext, case: CaseView, now: datetime) -> None:
    """Decided or expired: the managers' posts show the decision, both reps and the digest channel are told."""
    data = {"case": case.to_data()}
    _replace_posts(session, f"case:{case.id}", "decided", "case_managers", data, now, thread_kind="case_channel")
    for rep in dict.fromkeys((case.claimant, case.owner)):
        _tell(session, f"case:{case.id}:decided:{rep}", rep, "case_decided", {**data, "rep": rep}, now)
    _to_digest(session, ctx, f"case:{case.id}:decided:digest", "case_channel", data, now)


# --- handovers and assignments


def handover_requested(session: Session, ctx: ServiceContext, h: HandoverView, managers: Iterable[str],
                       now: datetime) -> None:
    _to_managers(session, ctx, f"handover:{h.id}", "handover_managers", {"handover": h.to_data()}, managers, now)


def handover_decided(session: Session, ctx: ServiceContext, h: HandoverView, now: datetime, *,
                     skip: str | None = None, digest: bool = True) -> None:
    """Approved (transferred), rejected or declined: each a step of its own. ``skip``: a rep who is answered
    directly (the one who declined); ``digest``: whether the team channel hears of it."""
    data = {"handover": h.to_data()}
    step = h.status
    _replace_posts(session, f"handover:{h.id}", step, "handover_managers", data, now)
    for rep in dict.fromkeys((h.from_rep, h.to_rep)):
        if rep != skip:
            _tell(session, f"handover:{h.id}:{step}:{rep}", rep, "handover_rep", {**data, "rep": rep}, now)
    if digest and step in ("transferred", "declined"):
        _to_digest(session, ctx, f"handover:{h.id}:{step}:digest", "handover_channel", data, now)


def assigned(session: Session, ownership_id: int, customer: CustomerSnapshot, from_rep: str | None, to_rep: str,
             now: datetime) -> None:
    """A manager's ``/assign``: the new owner and the previous one are told."""
    data = {"customer": customer.to_data(), "from": from_rep, "to": to_rep}
    for rep in dict.fromkeys((to_rep, from_rep)):
        if rep:
            _tell(session, f"assign:{ownership_id}:{rep}", rep, "assigned", data, now)


def offboarded(session: Session, ctx: ServiceContext, result: OffboardResult, now: datetime) -> None:
    """The team channel, and the rep who takes over, see what moved where."""
    data = {"result": to_data(result)}
    key = f"offboard:{result.rep}:{now.isoformat()}"
    _to_digest(session, ctx, f"{key}:digest", "offboarded", data, now)
    if result.to_rep:
        _tell(session, f"{key}:{result.to_rep}", result.to_rep, "offboarded", data, now)
