"""Collisions (撞单) and appeals (PRODUCT 3.4): open a case, decide it once, expire it after 48 hours.

A decision is a conditional update (``… WHERE status = 'pending'``): a second click, a double delivery,
a stale message or a second manager at the same moment changes nothing and is told so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.results.customers import InputError
from bot.results.disputes import CaseOutcome, CaseResult, CaseView, Evidence
from bot.rules import clocks, text
from bot.services import decision_notices, roles
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.customers import by_id_or_text
from bot.services.limits import holding_check
from bot.services.reps import ensure_rep
from bot.services.snapshots import active_ownership, snapshot
from storage.engine import read_session, write_session
from storage.models import Case, Customer, FollowUp, Ownership, OwnershipEvent

DECISIONS = ("keep", "transfer", "coown")


def open_dispute(ctx: ServiceContext, rep_id: str, command_text: str, now: datetime, *,
                 customer_id: int | None = None) -> CaseResult:
    """``/dispute name | reason`` (or the Dispute button: ``customer_id`` and the reason as text)."""
    try:
        with write_session(ctx.engine) as session:
            ensure_rep(session, ctx, rep_id, now)
            lookup, _name, reason = by_id_or_text(session, ctx, command_text, customer_id)
            if lookup.error:
                return CaseResult(CaseOutcome.INVALID, error=lookup.error)
            if lookup.customer is None:  # a button's customer that is gone has no suggestions to offer
                return CaseResult(CaseOutcome.NOT_FOUND, lookup=lookup if customer_id is None else None)
            customer = session.get(Customer, lookup.customer.id)
            assert customer is not None and customer.id is not None
            reason = " ".join(reason.split())
            if not reason:
                return CaseResult(CaseOutcome.INVALID, error=InputError("dispute.needs_reason"))
            if len(reason) > text.MAX_NOTE_CHARS:
                return CaseResult(CaseOutcome.INVALID, error=InputError("error.note_too_long", {"limit": text.MAX_NOTE_CHARS}))
            owner = active_ownership(session, customer.id, lock=True)
            if owner is None or owner.rep_id == rep_id:
                roles.refuse(session, rep_id, "dispute", customer.short_id, "not_owned_by_other", now)
                code = "pool" if owner is None else "own_customer"
                return CaseResult(CaseOutcome.REFUSED, refusal=code, detail={"customer": snapshot(session, ctx, customer, owner)})
            case = Case(kind="dispute", customer_id=customer.id, claimant=rep_id, owner=owner.rep_id,
                        opened_by=rep_id, reason=reason, created_at=now,
                        deadline=now + timedelta(hours=ctx.settings.disputes.decision_hours))
            session.add(case)
            session.flush()
            view, managers = _view(session, ctx, case), tuple(roles.managers(session, ctx))
            decision_notices.case_opened(session, ctx, view, managers, now)
            return CaseResult(CaseOutcome.OPENED, case=view, managers=managers)
    except IntegrityError:  # one open case per claimant and customer
        roles.log_refusal(ctx, rep_id, "dispute", str(customer_id or command_text)[:100], "duplicate", now)
        return CaseResult(CaseOutcome.REFUSED, refusal="duplicate")


def open_appeal(ctx: ServiceContext, rep_id: str, case_id: int, reason: str, now: datetime) -> CaseResult:
    try:
        with write_session(ctx.engine) as session:
            parent = session.get(Case, case_id)
            if parent is None:
                return CaseResult(CaseOutcome.NOT_FOUND)
            reason = " ".join(text.clean(reason).split())
            view = _view(session, ctx, parent)
            refusal = None
            if not reason:
                return CaseResult(CaseOutcome.INVALID, case=view, error=InputError("dispute.needs_reason"))
            if parent.kind != "dispute":
                refusal = "appeal_of_appeal"
            elif rep_id not in view.appealable_by:
                refusal = "not_losing_side"
            elif view.appeal_until is None or now > view.appeal_until:
                refusal = "appeal_window"
            if refusal:
                roles.refuse(session, rep_id, "appeal", f"case {case_id}", refusal, now)
                return CaseResult(CaseOutcome.REFUSED, case=view, refusal=refusal)
            owner = active_ownership(session, parent.customer_id, lock=True)
            if owner is None or owner.rep_id not in (parent.owner, parent.claimant):  # released, moved on
                roles.refuse(session, rep_id, "appeal", f"case {case_id}", "stale", now)
                return CaseResult(CaseOutcome.REFUSED, case=view, refusal="stale")
            current_owner = owner.rep_id
            challenger = parent.owner if current_owner == parent.claimant else parent.claimant
            appeal = Case(kind="appeal", parent_id=parent.id, customer_id=parent.customer_id, claimant=challenger,
                          owner=current_owner, opened_by=rep_id, reason=reason, created_at=now,
                          excluded_decider=parent.decided_by,
                          deadline=now + timedelta(hours=ctx.settings.disputes.decision_hours))
            session.add(appeal)
            session.flush()
            view = _view(session, ctx, appeal)
            managers = tuple(m for m in roles.managers(session, ctx) if m != parent.decided_by)
            decision_notices.case_opened(session, ctx, view, managers, now)
            return CaseResult(CaseOutcome.OPENED, case=view, managers=managers)
    except IntegrityError:  # one appeal per case
        roles.log_refusal(ctx, rep_id, "appeal", f"case {case_id}", "appealed_already", now)
        return CaseResult(CaseOutcome.REFUSED, refusal="appealed_already")


def decide(ctx: ServiceContext, manager: str, case_id: int, decision: str, now: datetime, *,
           claimant_share: int | None = None) -> CaseResult:
    if decision not in DECISIONS:
        return CaseResult(CaseOutcome.INVALID, error=InputError("button.stale"))
    with write_session(ctx.engine) as session:
        case = session.get(Case, case_id)
        if case is None:
            return CaseResult(CaseOutcome.NOT_FOUND)
        refusal = _decision_refusal(session, ctx, case, manager)
        if refusal is None and decision != "keep":
            refusal = _apply_refusal(session, ctx, case, decision, now)
        if refusal:
            roles.refuse(session, manager, f"decide_{decision}", f"case {case_id}", refusal, now)
            return CaseResult(CaseOutcome.REFUSED, case=_view(session, ctx, case), refusal=refusal,
                              detail={"to": case.claimant, "limit": ctx.holding_cap(case.claimant),
                                      "manager": case.excluded_decider or ""})
        share = (claimant_share or ctx.settings.disputes.default_claimant_share) if decision == "coown" else None
        result = session.execute(
            update(Case).where(col(Case.id) == case_id, col(Case.status) == "pending")
            .values(status="decided", decision=decision, decided_by=manager, decided_at=now, claimant_share=share)
        )
        assert isinstance(result, CursorResult)  # an UPDATE's
        if result.rowcount != 1:  # someone decided a moment ago
            session.refresh(case)
            roles.refuse(session, manager, f"decide_{decision}", f"case {case_id}", "already_decided", now)
            return CaseResult(CaseOutcome.REFUSED, case=_view(session, ctx, case), refusal="already_decided")
        session.refresh(case)
        _apply(session, ctx, case, decision, share, manager, now, rule="dispute_decision")
        view = _view(session, ctx, case)
        decision_notices.case_decided(session, ctx, view, now)
        return CaseResult(CaseOutcome.DECIDED, case=view)


def expire_due(ctx: ServiceContext, now: datetime) -> list[CaseResult]:
    """Cases with no decision by their deadline: the owner keeps the customer, and both are told."""
    with read_session(ctx.engine) as session:
        due = session.exec(select(Case.id).where(Case.status == "pending", Case.deadline <= now)).all()
    results = []
    for case_id in due:
        with write_session(ctx.engine) as session:
            result = session.execute(
                update(Case).where(col(Case.id) == case_id, col(Case.status) == "pending")
                .values(status="expired", decision="keep", decided_at=now)
            )
            assert isinstance(result, CursorResult)  # an UPDATE's
            if result.rowcount != 1:
                continue
            case = session.get(Case, case_id)
            assert case is not None
            _apply(session, ctx, case, "keep", None, "claimbot", now, rule="dispute_timeout")
            view = _view(session, ctx, case)
            decision_notices.case_decided(session, ctx, view, now)
            results.append(CaseResult(CaseOutcome.EXPIRED, case=view))
    return results


def get_case(ctx: ServiceContext, case_id: int) -> CaseView | None:
    with read_session(ctx.engine) as session:
        case = session.get(Case, case_id)
        return _view(session, ctx, case) if case else None


# --- rules of who may decide and what a decision may do


def _decision_refusal(session: Session, ctx: ServiceContext, case: Case, manager: str) -> str | None:
    if not roles.is_manager(session, ctx, manager):
        return "not_manager"
    if case.status != "pending":
        return "already_decided"
    if manager in (case.claimant, case.owner, case.opened_by):
        return "own_case"
    if case.excluded_decider == manager:
        return "same_decider"
    return None


def _apply_refusal(session: Session, ctx: ServiceContext, case: Case, decision: str, now: datetime) -> str | None:
    current = active_ownership(session, case.customer_id, lock=True)
    if current is None or current.rep_id != case.owner:
        return "stale"
    if decision == "transfer" and not holding_check(session, ctx, case.claimant).allowed:
        return "recipient_at_cap"
    return None


def _apply(session: Session, ctx: ServiceContext, case: Case, decision: str, share: int | None, manager: str,
           now: datetime, *, rule: str) -> None:
    customer = session.get(Customer, case.customer_id)
    current = active_ownership(session, case.customer_id)
    assert customer is not None
    if current is None or current.rep_id != case.owner:
        return
    if decision == "transfer":
        ownership_changes.transfer(session, ctx, customer, current, case.claimant, now, actor=manager, rule=rule,
                                   reason=case.reason)
    elif decision == "coown":
        if current.co_owner is not None and current.co_owner != case.claimant:  # one co-owner at a time
            _end_coownership(session, case, current, manager, rule, now)
        current.co_owner, current.co_owner_share = case.claimant, share
        session.add_all([current, OwnershipEvent(customer_id=case.customer_id, kind="coown", from_rep=case.owner,
                                                 to_rep=case.claimant, actor=manager, rule=rule,
                                                 reason=f"{share}%", at=now)])
    elif case.kind == "appeal" and rule == "dispute_decision" and current.co_owner == case.claimant:
        # "keep" decided on appeal: the owner alone. An appeal that times out changes nothing.
        _end_coownership(session, case, current, manager, rule, now)


def _end_coownership(session: Session, case: Case, current: Ownership, manager: str, rule: str,
                     now: datetime) -> None:
    session.add(OwnershipEvent(customer_id=case.customer_id, kind="coown_end", from_rep=current.co_owner,
                               to_rep=current.rep_id, actor=manager, rule=rule, at=now))
    current.co_owner, current.co_owner_share = None, None
    session.add(current)


# --- reading


def _view(session: Session, ctx: ServiceContext, case: Case) -> CaseView:
    assert case.id is not None
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    owner_now = active_ownership(session, case.customer_id)
    appealable: tuple[str, ...] = ()
    appeal_until = None
    if case.kind == "dispute" and case.status != "pending" and case.decided_at is not None:
        appeal_until = case.decided_at + timedelta(days=ctx.settings.disputes.appeal_days)
        appealable = {"keep": (case.claimant,), "transfer": (case.owner,),
                      "coown": (case.claimant, case.owner)}.get(case.decision or "", ())
    return CaseView(
        id=case.id, kind=case.kind, parent_id=case.parent_id,
        customer=snapshot(session, ctx, customer, owner_now), claimant=case.claimant, owner=case.owner,
        opened_by=case.opened_by, reason=case.reason, status=case.status, decision=case.decision,
        claimant_share=case.claimant_share, decided_by=case.decided_by, decided_at=case.decided_at,
        deadline=case.deadline, excluded_decider=case.excluded_decider, created_at=case.created_at,
        evidence=_evidence(session, ctx, case), appealable_by=appealable, appeal_until=appeal_until,
    )


def _evidence(session: Session, ctx: ServiceContext, case: Case) -> Evidence:
    def first_claim(rep: str) -> datetime | None:
        return session.exec(select(func.min(OwnershipEvent.at)).where(
            OwnershipEvent.customer_id == case.customer_id, OwnershipEvent.to_rep == rep)).one()

    def followups(rep: str) -> tuple[int, datetime | None]:
        count, last = session.exec(select(func.count(), func.max(FollowUp.at)).where(
            FollowUp.customer_id == case.customer_id, FollowUp.rep_id == rep)).one()
        return count, last

    current = session.exec(select(Ownership).where(
        Ownership.customer_id == case.customer_id, Ownership.rep_id == case.owner
    ).order_by(col(Ownership.started_at).desc())).first()
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    owner_n, owner_last = followups(case.owner)
    claimant_n, claimant_last = followups(case.claimant)
    return Evidence(
        owner_since=current.started_at if current else case.created_at,
        owner_first_claim=first_claim(case.owner), claimant_first_claim=first_claim(case.claimant),
        owner_last_followup=clocks.local_day(owner_last, ctx.tz) if owner_last else None,
        claimant_last_followup=clocks.local_day(claimant_last, ctx.tz) if claimant_last else None,
        owner_followups=owner_n, claimant_followups=claimant_n, stage=customer.stage,
    )
