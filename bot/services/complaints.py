"""Customer complaints (客户投诉, PRODUCT 3.8): logged against a customer, due by a day, resolved once.

Anyone may log one; the owner (as of logging) and the managers are told through the outbox, in the same
transaction as the complaint, each with a *Resolve* button. The owner as of logging or a manager may
resolve it; resolving is a conditional update (``… WHERE status = 'open'``), so a double click, a second
manager or a stale message changes nothing and is told so. Open and overdue complaints go into the daily
digest (``open_for_digest``) and the owner's scorecard (``counts``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from bot.results.complaints import ComplaintCounts, ComplaintOutcome, ComplaintResult, ComplaintView
from bot.results.customers import InputError
from bot.results.scoreboard import LIST_CAP, ComplaintItem, CustomerRef, Section
from bot.rules import clocks, text
from bot.services import outbox, roles
from bot.services.context import ServiceContext
from bot.services.customers import by_id_or_text
from bot.services.reps import ensure_rep
from bot.services.snapshots import active_ownership
from storage.engine import read_session, write_session
from storage.models import Complaint, Customer, Outbox

# Outbox kinds (rendered by bot/views/complaints.py, registered in bot/views/notices.RENDERERS)
TO_OWNER, TO_MANAGERS, RESOLVED = "complaint_owner", "complaint_managers", "complaint_resolved"
WITH_BUTTON = (TO_OWNER, TO_MANAGERS)
ACTION = "complaint_resolve"  # what a refusal is recorded as


def log(ctx: ServiceContext, actor: str, command_text: str, now: datetime, *,
        customer_id: int | None = None) -> ComplaintResult:
    """``/complaint name | text`` (or the card's form: ``customer_id`` and the text alone)."""
    with write_session(ctx.engine) as session:
        ensure_rep(session, ctx, actor, now)
        lookup, name, said = by_id_or_text(session, ctx, command_text, customer_id)
        if lookup.error:
            return ComplaintResult(ComplaintOutcome.INVALID, error=lookup.error, query=name)
        if lookup.customer is None:  # a button's customer that is gone has no suggestions to offer
            return ComplaintResult(ComplaintOutcome.NOT_FOUND, lookup=lookup if customer_id is None else None, query=name)
        customer = session.get(Customer, lookup.customer.id)
        assert customer is not None and customer.id is not None
        said = said.strip()
        if not said:
            return ComplaintResult(ComplaintOutcome.INVALID, error=InputError("complaint.needs_text"))
        if len(said) > text.MAX_NOTE_CHARS:
            return ComplaintResult(ComplaintOutcome.INVALID, error=InputError("error.note_too_long", {"limit": text.MAX_NOTE_CHARS}))
        owner = active_ownership(session, customer.id)
        complaint = Complaint(customer_id=customer.id, owner_id=owner.rep_id if owner else None, raised_by=actor,
                              text=said, raised_at=now, due_on=due_on(ctx, now))
        session.add(complaint)
        session.flush()
        view = _view(customer, complaint)
        told = _tell_logged(session, ctx, view, roles.managers(session, ctx), now)
        return ComplaintResult(ComplaintOutcome.LOGGED, complaint=view, told=told)


def due_on(ctx: ServiceContext, now: datetime) -> date:
    """``[complaints] due_days`` after the local day of ``now``, counted as the clocks count days."""
    return ctx.clock_rules.after(ctx.today(now), ctx.settings.complaints.due_days)


def check_resolve(ctx: ServiceContext, actor: str, complaint_id: int, now: datetime) -> ComplaintResult:
    """The *Resolve* button, before its form opens: ``may_resolve``, or refused (and recorded).

    Only reads on the way to the form: views.open must follow within Slack's 3 s trigger, and a write
    transaction would first queue for SQLite's write lock behind whatever else is writing."""
    with read_session(ctx.engine) as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            return ComplaintResult(ComplaintOutcome.NOT_FOUND)
        view = _load(session, complaint)
        refusal = _refusal(session, ctx, view, actor)
        if not refusal:
            return ComplaintResult(ComplaintOutcome.MAY_RESOLVE, complaint=view)
    roles.log_refusal(ctx, actor, ACTION, f"complaint {complaint_id}", refusal, now)
    return ComplaintResult(ComplaintOutcome.REFUSED, complaint=view, refusal=refusal)


def resolve(ctx: ServiceContext, actor: str, complaint_id: int, resolution: str, now: datetime) -> ComplaintResult:
    said = text.clean(resolution).strip()
    if not said:
        return ComplaintResult(ComplaintOutcome.INVALID, error=InputError("complaint.needs_resolution"))
    if len(said) > text.MAX_NOTE_CHARS:
        return ComplaintResult(ComplaintOutcome.INVALID, error=InputError("error.note_too_long", {"limit": text.MAX_NOTE_CHARS}))
    with write_session(ctx.engine) as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            return ComplaintResult(ComplaintOutcome.NOT_FOUND)
        refusal = _refusal(session, ctx, _load(session, complaint), actor)
        if refusal is None:
            result = session.execute(
                update(Complaint).where(col(Complaint.id) == complaint_id, col(Complaint.status) == "open")
                .values(status="resolved", resolution=said, resolved_by=actor, resolved_at=now)
            )
            assert isinstance(result, CursorResult)  # an UPDATE's
            refusal = None if result.rowcount == 1 else "already_resolved"  # someone resolved it a moment ago
        session.refresh(complaint)
        view = _load(session, complaint)
        if refusal:
            roles.refuse(session, actor, ACTION, f"complaint {complaint_id}", refusal, now)
            return ComplaintResult(ComplaintOutcome.REFUSED, complaint=view, refusal=refusal)
        told = _tell_resolved(session, view, now)
        return ComplaintResult(ComplaintOutcome.RESOLVED, complaint=view, told=told)


def get(ctx: ServiceContext, complaint_id: int) -> ComplaintView | None:
    with read_session(ctx.engine) as session:
        complaint = session.get(Complaint, complaint_id)
        return _load(session, complaint) if complaint else None


# --- the digest and the scorecard


def open_for_digest(session: Session, day: date) -> tuple[Section, int]:
    """Every open complaint on the local ``day`` (a Section of ComplaintItem, earliest due first, capped),
    and how many of them are overdue (due before ``day``)."""
    still_open = (col(Complaint.status) == "open",)
    total = session.exec(select(func.count()).select_from(Complaint).where(*still_open)).one()
    overdue = session.exec(select(func.count()).select_from(Complaint).where(
        *still_open, col(Complaint.due_on) < day)).one()
    rows = session.exec(select(Complaint, Customer).join(Customer, col(Customer.id) == Complaint.customer_id)
                        .where(*still_open).order_by(col(Complaint.due_on), col(Complaint.id)).limit(LIST_CAP)).all()
    items = tuple(ComplaintItem(c.id or 0, CustomerRef(cu.short_id, cu.name), c.owner_id, c.raised_by,
                                c.due_on.isoformat(), max(0, (day - c.due_on).days)) for c, cu in rows)
    return Section(total, items), overdue


def counts(session: Session, ctx: ServiceContext, rep_id: str, first: date, last: date, today: date) -> ComplaintCounts:
    """Complaints against the customers ``rep_id`` owned when each was logged: logged and resolved on the
    local days first..last; open now, and of those overdue on ``today``."""
    start = clocks.local_day_start(first, ctx.tz).astimezone(UTC)
    end = clocks.local_day_start(last + timedelta(days=1), ctx.tz).astimezone(UTC)
    rows = session.exec(select(col(Complaint.raised_at), col(Complaint.status), col(Complaint.due_on),
                               col(Complaint.resolved_at))
                        .where(col(Complaint.owner_id) == rep_id)).all()

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= clocks.as_utc(moment) < end

    return ComplaintCounts(
        opened=sum(1 for raised, _s, _d, _r in rows if within(raised)),
        open=sum(1 for _a, status, _d, _r in rows if status == "open"),
        overdue=sum(1 for _a, status, due, _r in rows if status == "open" and due < today),
        resolved=sum(1 for _a, status, _d, resolved in rows if status == "resolved" and within(resolved)),
    )


# --- who may resolve, and who is told


def _refusal(session: Session, ctx: ServiceContext, view: ComplaintView, actor: str) -> str | None:
    if not view.may_resolve(actor, roles.is_manager(session, ctx, actor)):
        return "not_allowed"
    if view.status != "open":
        return "already_resolved"
    return None


def _tell_logged(session: Session, ctx: ServiceContext, view: ComplaintView, managers: list[str],
                 now: datetime) -> tuple[str, ...]:
    """The owner by DM; the managers in the approvals channel, or each by DM. Each message has *Resolve*."""
    data = {"complaint": view.to_data()}
    channel = ctx.settings.team.approvals_channel
    manager_channels = [channel] if channel else managers
    told: list[str] = []
    if view.owner and view.owner not in manager_channels:  # a manager-owner gets the managers' message
        outbox.enqueue(session, key=f"complaint:{view.id}:owner", channel=view.owner, kind=TO_OWNER, data=data,
                       now=now)
        told.append(view.owner)
    for to in manager_channels:
        outbox.enqueue(session, key=f"complaint:{view.id}:managers:{to}", channel=to, kind=TO_MANAGERS, data=data,
                       now=now)
        told.append(to)
    return tuple(told)


def _tell_resolved(session: Session, view: ComplaintView, now: datetime) -> tuple[str, ...]:
    """The person who logged it hears how it was resolved, and so does the owner if someone else resolved
    it. Every message with *Resolve* shows the resolution instead: one not sent yet goes out resolved, and
    each is replaced through the outbox once it has landed (``update_of``)."""
    data = {"complaint": view.to_data()}
    posts = session.exec(select(Outbox).where(
        (col(Outbox.key) == f"complaint:{view.id}:owner") | col(Outbox.key).like(f"complaint:{view.id}:managers:%"))
        .order_by(col(Outbox.id))).all()
    for post in posts:
        if post.status in ("pending", "failed"):
            post.data = json.dumps(data, ensure_ascii=False)
            session.add(post)
        outbox.enqueue(session, key=f"complaint:{view.id}:resolved:update:{post.channel}", channel=post.channel,
                       kind=post.kind, data={**data, "update_of": post.key}, now=now)
    told = []
    for user in dict.fromkeys(u for u in (view.raised_by, view.owner) if u and u != view.resolved_by):
        outbox.enqueue(session, key=f"complaint:{view.id}:resolved:{user}", channel=user, kind=RESOLVED, data=data,
                       now=now)
        told.append(user)
    return tuple(told)


# --- reading


def _load(session: Session, complaint: Complaint) -> ComplaintView:
    customer = session.get(Customer, complaint.customer_id)
    assert customer is not None
    return _view(customer, complaint)


def _view(customer: Customer, c: Complaint) -> ComplaintView:
    assert c.id is not None and customer.id is not None
    return ComplaintView(
        id=c.id, customer_id=customer.id, short_id=customer.short_id, customer_name=customer.name, owner=c.owner_id,
        raised_by=c.raised_by, text=c.text, raised_at=clocks.as_utc(c.raised_at), due_on=c.due_on, status=c.status,
        resolution=c.resolution, resolved_by=c.resolved_by,
        resolved_at=clocks.as_utc(c.resolved_at) if c.resolved_at else None)
