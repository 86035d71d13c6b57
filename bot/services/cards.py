"""The customer card (issue 5): one customer as a viewer sees it, the actions that viewer may take, and
those actions taken from the card's forms.

Who may do what is decided here, not in the view: the owner works the customer (follow-up, stage,
release, hand over); a manager hands over or assigns; another rep may dispute an owned customer; anyone
may claim a pool customer and log a complaint. Each action runs the same service as its slash command
(one transaction), then the card is read again so the listener can show it as it is now.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.results.cards import (
    ASSIGN,
    CLAIM,
    COMPLAINT,
    DISPUTE,
    FOLLOWUP,
    HANDOVER,
    RELEASE,
    STAGE,
    CardAction,
    CustomerCard,
)
from bot.results.claims import ActionResult, ClaimResult
from bot.results.customers import Lookup
from bot.results.disputes import CaseResult
from bot.results.handovers import HandoverResult
from bot.services import activity, disputes, handovers, pool, roles
from bot.services.context import ServiceContext
from bot.services.customers import by_id, details_in, resolve
from bot.services.snapshots import active_ownership
from storage.engine import read_session
from storage.models import Complaint, FollowUp

WEEK_DAYS, MONTH_DAYS = 7, 30
R = TypeVar("R")


def allowed_actions(viewer: str, *, owner: str | None, co_owner: str | None, stage: str,
                    is_manager: bool) -> tuple[str, ...]:
    """The card's buttons for ``viewer``, in display order. Pure: the policy in one place."""
    actions: list[str] = []
    if owner is None:
        actions.append(CLAIM)
        if is_manager:
            actions.append(ASSIGN)
    elif viewer == owner:
        actions.append(FOLLOWUP)
        if stage != "won":  # a won customer's stage is closed (activity.change_stage refuses it)
            actions.append(STAGE)
        actions += [RELEASE, HANDOVER]
    elif is_manager:
        actions.append(HANDOVER)  # a manager's own handover of someone else's customer: no approval needed
    elif viewer != co_owner:
        actions.append(DISPUTE)
    actions.append(COMPLAINT)
    return tuple(actions)


def card(ctx: ServiceContext, viewer: str, reference: str, now: datetime) -> CustomerCard:
    """``/customer name``: the card of the customer ``reference`` names (or suggestions)."""
    with read_session(ctx.engine) as session:
        return _card(session, ctx, viewer, resolve(session, ctx, reference), now)


def card_for(ctx: ServiceContext, viewer: str, customer_id: int, now: datetime) -> CustomerCard:
    """The card of a customer a button names by its id."""
    with read_session(ctx.engine) as session:
        return _card(session, ctx, viewer, by_id(session, ctx, customer_id), now)


def _card(session: Session, ctx: ServiceContext, viewer: str, lookup: Lookup, now: datetime) -> CustomerCard:
    details = details_in(session, ctx, lookup)
    c = lookup.customer
    if c is None:
        return CustomerCard(details, viewer)
    ownership = active_ownership(session, c.id)
    co_owner = ownership.co_owner if ownership else None
    today = ctx.today(now)
    # One pass over the customer's follow-ups: the week's and the month's counts, the next contact day.
    week, month, next_contact = session.exec(select(
        func.count().filter(col(FollowUp.local_day) > today - timedelta(days=WEEK_DAYS)),
        func.count().filter(col(FollowUp.local_day) > today - timedelta(days=MONTH_DAYS)),
        func.min(FollowUp.next_contact).filter(col(FollowUp.next_contact) >= today),
    ).where(FollowUp.customer_id == c.id)).one()
    complaints = session.exec(select(func.count()).where(
        Complaint.customer_id == c.id, Complaint.status == "open")).one()
    actions = allowed_actions(viewer, owner=c.owner, co_owner=co_owner, stage=c.stage,
                              is_manager=roles.is_manager(session, ctx, viewer))
    return CustomerCard(details, viewer, actions, week, month, next_contact, complaints, co_owner)


# --- the actions, from the card's forms -------------------------------------------------------------


def _then_card(ctx: ServiceContext, viewer: str, customer_id: int, now: datetime, result: R,
               outcome: str) -> CardAction[R]:
    """The result, with the card read afresh unless the input was refused (nothing written)."""
    return CardAction(result, None if outcome == "invalid" else card_for(ctx, viewer, customer_id, now))


def log_followup(ctx: ServiceContext, rep_id: str, customer_id: int, kind: str, note: str,
                 next_contact: date | None, now: datetime) -> CardAction[ActionResult]:
    result = activity.log_followup(ctx, rep_id, note, now, kind=kind, next_contact=next_contact,
                                   customer_id=customer_id)
    return _then_card(ctx, rep_id, customer_id, now, result, result.outcome)


def change_stage(ctx: ServiceContext, rep_id: str, customer_id: int, stage: str, amount: str | None,
                 now: datetime) -> CardAction[ActionResult]:
    """``amount`` as typed (``12万``, ``120,000``); only a won stage takes it."""
    typed = f"{stage} {amount.strip()}" if stage == "won" and amount and amount.strip() else stage
    result = activity.change_stage(ctx, rep_id, typed, now, customer_id=customer_id)
    return _then_card(ctx, rep_id, customer_id, now, result, result.outcome)


def release(ctx: ServiceContext, rep_id: str, customer_id: int, reason: str, now: datetime) -> CardAction[ActionResult]:
    result = activity.release(ctx, rep_id, reason, now, customer_id=customer_id)
    return _then_card(ctx, rep_id, customer_id, now, result, result.outcome)


def hand_over(ctx: ServiceContext, actor: str, customer_id: int, to_rep: str | None, reason: str,
              now: datetime) -> CardAction[HandoverResult]:
    """An owned customer is handed over (/handover: a rep's needs approval); a pool one is assigned
    (/assign, managers only)."""
    with read_session(ctx.engine) as session:
        owned = active_ownership(session, customer_id) is not None
    if owned:
        result = handovers.request(ctx, actor, reason, now, customer_id=customer_id, to_rep=to_rep)
    else:
        result = handovers.assign(ctx, actor, reason, now, customer_id=customer_id, to_rep=to_rep)
    return _then_card(ctx, actor, customer_id, now, result, result.outcome)


def open_dispute(ctx: ServiceContext, rep_id: str, customer_id: int, reason: str,
                 now: datetime) -> CardAction[CaseResult]:
    result = disputes.open_dispute(ctx, rep_id, reason, now, customer_id=customer_id)
    return _then_card(ctx, rep_id, customer_id, now, result, result.outcome)


def claim(ctx: ServiceContext, rep_id: str, customer_id: int, now: datetime) -> CardAction[ClaimResult]:
    result = pool.claim_by_id(ctx, rep_id, customer_id, now)
    return _then_card(ctx, rep_id, customer_id, now, result, result.outcome)
