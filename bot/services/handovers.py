"""Handovers (转交), direct assignment and offboarding (PRODUCT 3.4).

An owner's handover waits for a manager's approval; a manager's own handover needs none. On approval the
customer moves at once, and the recipient may decline for 24 hours: a decline gives it back to the
previous owner with the previous owner's clocks (so declining can't be used to refresh a protection).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.results.customers import InputError
from bot.results.handovers import HandoverOutcome, HandoverResult, HandoverView
from bot.results.reps import OffboardOutcome, OffboardResult
from bot.rules import caps, text
from bot.services import decision_notices, roles
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.customers import by_id_or_text
from bot.services.limits import holding_check, holding_of
from bot.services.reps import ensure_rep
from bot.services.snapshots import active_ownership, snapshot
from storage.engine import read_session, write_session
from storage.models import Customer, Handover, Ownership


def request(ctx: ServiceContext, actor: str, command_text: str, now: datetime, *, customer_id: int | None = None,
            to_rep: str | None = None) -> HandoverResult:
    """``/handover name @rep | reason``: by the owner (needs approval) or a manager (immediate).
    The card's form names the customer by ``customer_id`` and the recipient by ``to_rep``; the text is the reason."""
    target = _target(command_text, customer_id, to_rep)
    if target is None:
        return HandoverResult(HandoverOutcome.INVALID, error=InputError("usage.handover"))
    rest, to_rep = target
    try:
        with write_session(ctx.engine) as session:
            lookup, _name, reason = by_id_or_text(session, ctx, rest, customer_id)
            if lookup.error:
                return HandoverResult(HandoverOutcome.INVALID, error=lookup.error)
            if lookup.customer is None:
                return HandoverResult(HandoverOutcome.NOT_FOUND, lookup=lookup)
            reason = " ".join(reason.split())
            if not reason:
                return HandoverResult(HandoverOutcome.INVALID, error=InputError("handover.needs_reason"))
            customer = session.get(Customer, lookup.customer.id)
            assert customer is not None and customer.id is not None
            current = active_ownership(session, customer.id, lock=True)
            is_manager = roles.is_manager(session, ctx, actor)
            refusal = None
            if current is None:
                refusal = "pool"
            elif current.rep_id != actor and not is_manager:
                refusal = "not_owner"
            elif to_rep == current.rep_id:
                refusal = "same_rep"
            elif not holding_check(session, ctx, to_rep).allowed:
                refusal = "recipient_at_cap"
            if refusal:
                roles.refuse(session, actor, "handover", customer.short_id, refusal, now)
                return HandoverResult(HandoverOutcome.REFUSED, refusal=refusal, lookup=lookup,
                                      detail={"limit": ctx.holding_cap(to_rep), "to": to_rep})
            assert current is not None
            ensure_rep(session, ctx, to_rep, now)
            handover = Handover(customer_id=customer.id, from_rep=current.rep_id, to_rep=to_rep, requested_by=actor,
                                reason=reason, created_at=now)
            session.add(handover)
            session.flush()  # one open handover per customer
            if is_manager and actor not in (current.rep_id, to_rep):  # a manager's decision about others
                _transfer(session, ctx, handover, customer, current, actor, now, rule="manager_handover")
                view = _view(session, ctx, handover)
                decision_notices.handover_decided(session, ctx, view, now, digest=False)  # both reps are told
                return HandoverResult(HandoverOutcome.TRANSFERRED, handover=view)
            view = _view(session, ctx, handover)
            managers = tuple(m for m in roles.managers(session, ctx) if m != actor)
            decision_notices.handover_requested(session, ctx, view, managers, now)
            return HandoverResult(HandoverOutcome.REQUESTED, handover=view, managers=managers)
    except IntegrityError:
        roles.log_refusal(ctx, actor, "handover", command_text[:100], "duplicate", now)
        return HandoverResult(HandoverOutcome.REFUSED, refusal="duplicate")


def approve(ctx: ServiceContext, manager: str, handover_id: int, now: datetime) -> HandoverResult:
    return _decide(ctx, manager, handover_id, now, approve=True)


def reject(ctx: ServiceContext, manager: str, handover_id: int, now: datetime) -> HandoverResult:
    return _decide(ctx, manager, handover_id, now, approve=False)


def _decide(ctx: ServiceContext, manager: str, handover_id: int, now: datetime, *, approve: bool) -> HandoverResult:
    action = "handover_approve" if approve else "handover_reject"
    with write_session(ctx.engine) as session:
        handover = session.get(Handover, handover_id)
        if handover is None:
            return HandoverResult(HandoverOutcome.NOT_FOUND)
        refusal = None
        if not roles.is_manager(session, ctx, manager):
            refusal = "not_manager"
        elif handover.status != "pending":
            refusal = "already_decided"
        elif manager in (handover.requested_by, handover.from_rep, handover.to_rep):
            refusal = "own_case"
        current = active_ownership(session, handover.customer_id, lock=True)
        if refusal is None and approve:
            if current is None or current.rep_id != handover.from_rep:
                refusal = "stale"
            elif not holding_check(session, ctx, handover.to_rep).allowed:
                refusal = "recipient_at_cap"
        if refusal:
            roles.refuse(session, manager, action, f"handover {handover_id}", refusal, now)
            return HandoverResult(HandoverOutcome.REFUSED, handover=_view(session, ctx, handover), refusal=refusal,
                                  detail={"limit": ctx.holding_cap(handover.to_rep), "to": handover.to_rep})
        new_status = "transferred" if approve else "rejected"
        result = session.execute(
            update(Handover).where(col(Handover.id) == handover_id, col(Handover.status) == "pending")
            .values(status=new_status, decided_by=manager, decided_at=now)
        )
        assert isinstance(result, CursorResult)  # an UPDATE's
        if result.rowcount != 1:
            session.refresh(handover)
            roles.refuse(session, manager, action, f"handover {handover_id}", "already_decided", now)
            return HandoverResult(HandoverOutcome.REFUSED, handover=_view(session, ctx, handover), refusal="already_decided")
        session.refresh(handover)
        if approve:
            customer = session.get(Customer, handover.customer_id)
            assert customer is not None and current is not None
            _transfer(session, ctx, handover, customer, current, manager, now, rule="handover_approved")
        view = _view(session, ctx, handover)
        decision_notices.handover_decided(session, ctx, view, now)
        return HandoverResult(HandoverOutcome.TRANSFERRED if approve else HandoverOutcome.REJECTED, handover=view)


def decline(ctx: ServiceContext, rep_id: str, handover_id: int, now: datetime) -> HandoverResult:
    """The recipient gives it back within the window; the previous owner's clocks are restored."""
    with write_session(ctx.engine) as session:
        handover = session.get(Handover, handover_id)
        if handover is None:
            return HandoverResult(HandoverOutcome.NOT_FOUND)
        refusal = None
        if rep_id != handover.to_rep:
            refusal = "not_recipient"
        elif handover.status != "transferred":
            refusal = "already_decided"
        elif handover.decline_deadline is not None and now > handover.decline_deadline:
            refusal = "decline_window"
        current = active_ownership(session, handover.customer_id, lock=True)
        if refusal is None and (current is None or current.rep_id != rep_id):
            refusal = "stale"
        if refusal:
            roles.refuse(session, rep_id, "handover_decline", f"handover {handover_id}", refusal, now)
            return HandoverResult(HandoverOutcome.REFUSED, handover=_view(session, ctx, handover), refusal=refusal)
        result = session.execute(
            update(Handover).where(col(Handover.id) == handover_id, col(Handover.status) == "transferred")
            .values(status="declined")
        )
        assert isinstance(result, CursorResult)  # an UPDATE's
        if result.rowcount != 1:
            return HandoverResult(HandoverOutcome.REFUSED, handover=_view(session, ctx, handover), refusal="already_decided")
        session.refresh(handover)
        customer = session.get(Customer, handover.customer_id)
        previous = session.get(Ownership, handover.previous_ownership_id)
        assert customer is not None and current is not None
        ownership_changes.transfer(session, ctx, customer, current, handover.from_rep, now, actor=rep_id,
                                   rule="handover_declined", reason=handover.reason, clocks_from=previous)
        view = _view(session, ctx, handover)
        decision_notices.handover_decided(session, ctx, view, now, skip=rep_id)  # the decliner sees it in place
        return HandoverResult(HandoverOutcome.DECLINED, handover=view)


def close_decline_windows(ctx: ServiceContext, now: datetime) -> int:
    """Handovers whose recipient did not decline in time are done (keeps the open-handover index free)."""
    with write_session(ctx.engine) as session:
        result = session.execute(
            update(Handover).where(col(Handover.status) == "transferred", col(Handover.decline_deadline) <= now)
            .values(status="done")
        )
        assert isinstance(result, CursorResult)  # an UPDATE's
        return result.rowcount


def assign(ctx: ServiceContext, manager: str, command_text: str, now: datetime, *, customer_id: int | None = None,
           to_rep: str | None = None) -> HandoverResult:
    """``/assign name @rep``: a manager gives a customer from the pool (or from its owner) to a rep.
    The card's form names the customer by ``customer_id`` and the rep by ``to_rep``; the text is the reason."""
    target = _target(command_text, customer_id, to_rep)
    if target is None:
        return HandoverResult(HandoverOutcome.INVALID, error=InputError("usage.assign"))
    rest, to_rep = target
    with write_session(ctx.engine) as session:
        if not roles.is_manager(session, ctx, manager):
            roles.refuse(session, manager, "assign", None, "not_manager", now)
            return HandoverResult(HandoverOutcome.REFUSED, refusal="not_manager")
        lookup, _name, said = by_id_or_text(session, ctx, rest, customer_id)
        if lookup.error:
            return HandoverResult(HandoverOutcome.INVALID, error=lookup.error)
        if lookup.customer is None:
            return HandoverResult(HandoverOutcome.NOT_FOUND, lookup=lookup)
        customer = session.get(Customer, lookup.customer.id)
        assert customer is not None and customer.id is not None
        current = active_ownership(session, customer.id, lock=True)
        refusal = None
        if to_rep == manager:  # nobody approves their own request: a manager taking one asks another
            refusal = "own_case"
        elif current is not None and current.rep_id == to_rep:
            refusal = "same_rep"
        elif not holding_check(session, ctx, to_rep).allowed:
            refusal = "recipient_at_cap"
        if refusal:
            roles.refuse(session, manager, "assign", customer.short_id, refusal, now)
            return HandoverResult(HandoverOutcome.REFUSED, refusal=refusal, lookup=lookup,
                                  detail={"limit": ctx.holding_cap(to_rep), "to": to_rep})
        ensure_rep(session, ctx, to_rep, now)
        reason = " ".join(said.split()) or None
        from_rep = current.rep_id if current else None
        if current is not None:
            ownership_changes.transfer(session, ctx, customer, current, to_rep, now, actor=manager,
                                       rule="manager_assign", reason=reason)
        else:
            if customer.stage in ("won", "lost"):
                customer.stage, customer.amount = "lead", None
            ownership_changes.start(session, ctx, customer, to_rep, now, kind="assign", actor=manager,
                                    rule="manager_assign", reason=reason)
        ownership = active_ownership(session, customer.id)
        assert ownership is not None and ownership.id is not None
        after = snapshot(session, ctx, customer, ownership)
        decision_notices.assigned(session, ownership.id, after, from_rep, to_rep, now)
        return HandoverResult(HandoverOutcome.ASSIGNED, lookup=lookup, detail={"customer": after, "from": from_rep, "to": to_rep})


def offboard(ctx: ServiceContext, manager: str, rep_id: str | None, to_rep: str | None, now: datetime) -> OffboardResult:
    """Everything a departing rep owns, in one step: to ``to_rep`` (while under the cap) or to the pool."""
    with write_session(ctx.engine) as session:
        if not roles.is_manager(session, ctx, manager):
            roles.refuse(session, manager, "offboard", rep_id, "not_manager", now)
            return OffboardResult(OffboardOutcome.REFUSED, refusal="not_manager")
        if rep_id is None or rep_id == to_rep:
            return OffboardResult(OffboardOutcome.INVALID)
        rows = session.exec(select(Customer, Ownership).join(Ownership, col(Ownership.customer_id) == Customer.id)
                            .where(Ownership.rep_id == rep_id, col(Ownership.ended_at).is_(None))
                            .order_by(col(Customer.id))).all()
        room = caps.room(*holding_of(session, ctx, to_rep)) if to_rep else 0
        if to_rep:
            ensure_rep(session, ctx, to_rep, now)
        moved, pooled = [], []
        for customer, current in rows:
            counts = customer.stage != "won"
            if to_rep and (room > 0 or not counts):
                ownership_changes.transfer(session, ctx, customer, current, to_rep, now, actor=manager,
                                           rule="offboard", reason="offboard")
                room -= 1 if counts else 0
                moved.append(snapshot(session, ctx, customer, active_ownership(session, customer.id or 0)))
            else:
                ownership_changes.end(session, customer, current, "released", now, actor=manager, rule="offboard",
                                      reason="offboard")
                pooled.append(snapshot(session, ctx, customer, with_activity=False))
        rep = ensure_rep(session, ctx, rep_id, now)
        rep.active = False
        session.add(rep)
        result = OffboardResult(OffboardOutcome.DONE, rep_id, to_rep, tuple(moved), tuple(pooled))
        decision_notices.offboarded(session, ctx, result, now)
        return result


def get_handover(ctx: ServiceContext, handover_id: int) -> HandoverView | None:
    with read_session(ctx.engine) as session:
        handover = session.get(Handover, handover_id)
        return _view(session, ctx, handover) if handover else None


def _target(command_text: str, customer_id: int | None, to_rep: str | None) -> tuple[str, str] | None:
    """(the text left to resolve, the recipient): from a typed ``@rep``, or given by a form."""
    if customer_id is not None:
        return (text.clean(command_text), to_rep) if to_rep else None
    mention = text.first_mention(text.clean(command_text))
    return (mention.rest, mention.user_id) if mention else None


def _transfer(session: Session, ctx: ServiceContext, handover: Handover, customer: Customer, current: Ownership,
              actor: str, now: datetime, *, rule: str) -> None:
    handover.previous_ownership_id = current.id
    handover.status = "transferred"
    handover.decided_by = handover.decided_by or actor
    handover.decided_at = handover.decided_at or now
    handover.decline_deadline = now + timedelta(hours=ctx.settings.handovers.decline_hours)
    session.add(handover)
    ownership_changes.transfer(session, ctx, customer, current, handover.to_rep, now, actor=actor, rule=rule,
                               reason=handover.reason)


def _view(session: Session, ctx: ServiceContext, handover: Handover) -> HandoverView:
    assert handover.id is not None
    customer = session.get(Customer, handover.customer_id)
    assert customer is not None
    return HandoverView(
        id=handover.id, customer=snapshot(session, ctx, customer, active_ownership(session, handover.customer_id)),
        from_rep=handover.from_rep, to_rep=handover.to_rep, requested_by=handover.requested_by,
        reason=handover.reason, status=handover.status, decided_by=handover.decided_by,
        decline_deadline=handover.decline_deadline, created_at=handover.created_at,
    )


