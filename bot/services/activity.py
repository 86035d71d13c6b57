"""What an owner does with a customer: log a follow-up, move the stage, release it (PRODUCT 3.2, 3.8)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.results.claims import ActionOutcome, ActionResult
from bot.results.customers import InputError
from bot.rules import clocks, text
from bot.rules.activity import parse_stage, split_kind
from bot.rules.clocks import FOLLOWUP_KINDS
from bot.services import ownership as ownership_changes
from bot.services.context import ServiceContext
from bot.services.customers import by_id_or_text
from bot.services.limits import cooldown_until
from bot.services.snapshots import active_ownership, refresh_protection, snapshot
from storage.engine import write_session
from storage.models import Customer, FollowUp, Ownership, StageChange


def _owned(session: Session, ctx: ServiceContext, rep_id: str, command_text: str, customer_id: int | None = None
           ) -> tuple[ActionResult | None, Customer | None, Ownership | None, str]:
    """Resolve the customer and check that ``rep_id`` owns it. Returns (refusal, customer, ownership, rest).
    A card's form names the customer by ``customer_id``; then all of ``command_text`` is the rest."""
    lookup, _name, rest = by_id_or_text(session, ctx, command_text, customer_id)
    if lookup.error:
        return ActionResult(ActionOutcome.INVALID, lookup=lookup, error=lookup.error), None, None, rest
    if lookup.customer is None:
        return ActionResult(ActionOutcome.NOT_FOUND, lookup=lookup), None, None, rest
    customer = session.get(Customer, lookup.customer.id)
    ownership = active_ownership(session, lookup.customer.id, lock=True)
    if ownership is None or ownership.rep_id != rep_id:
        return ActionResult(ActionOutcome.NOT_OWNER, lookup=lookup, customer=lookup.customer), None, None, rest
    return None, customer, ownership, rest


def log_followup(ctx: ServiceContext, rep_id: str, command_text: str, now: datetime, *, kind: str | None = None,
                 next_contact: date | None = None, customer_id: int | None = None) -> ActionResult:
    """``/followup name | kind: note``, or the card's form (``customer_id``, ``kind``, the note as text and
    an optional ``next_contact`` day that the next-contact reminders read)."""
    with write_session(ctx.engine) as session:
        refusal, customer, ownership, rest = _owned(session, ctx, rep_id, command_text, customer_id)
        if refusal:
            return refusal
        assert customer is not None and ownership is not None and customer.id and ownership.id
        parsed_kind, note = split_kind(rest) if kind is None else (None, rest.strip())
        kind = kind or parsed_kind or "other"
        if kind not in FOLLOWUP_KINDS:
            return ActionResult(ActionOutcome.INVALID, error=InputError("followup.bad_kind", {"value": kind}))
        if not note:
            return ActionResult(ActionOutcome.INVALID, error=InputError("usage.followup",
                                                            {"min_chars": ctx.settings.claims.min_followup_note_chars}))
        if len(note) > text.MAX_NOTE_CHARS:
            return ActionResult(ActionOutcome.INVALID, error=InputError("error.note_too_long", {"limit": text.MAX_NOTE_CHARS}))
        today = ctx.today(now)
        if next_contact is not None and next_contact < today:
            return ActionResult(ActionOutcome.INVALID, error=InputError("followup.next_contact_past", {"today": today.isoformat()}))
        long_enough = len(note) >= ctx.settings.claims.min_followup_note_chars
        counted_today = session.exec(
            select(FollowUp.id).where(FollowUp.customer_id == customer.id, FollowUp.local_day == today,
                                      col(FollowUp.qualifying).is_(True))
        ).first()
        qualifying = long_enough and counted_today is None
        session.add(FollowUp(customer_id=customer.id, ownership_id=ownership.id, rep_id=rep_id, kind=kind,
                             note=note, at=now, local_day=today, qualifying=qualifying, next_contact=next_contact))
        if qualifying:
            ownership.last_followup_at = now
        p = refresh_protection(ctx, customer, ownership)
        session.add(ownership)
        detail = None if qualifying else ("short" if not long_enough else "same_day")
        return ActionResult(ActionOutcome.LOGGED if qualifying else ActionOutcome.NOT_QUALIFYING,
                            customer=snapshot(session, ctx, customer, ownership),
                            detail=detail, kind=kind, until=p.until)


def change_stage(ctx: ServiceContext, rep_id: str, command_text: str, now: datetime, *,
                 customer_id: int | None = None) -> ActionResult:
    """``/stage name | stage [amount]``, or the card's form (``customer_id``, ``stage [amount]`` as text)."""
    with write_session(ctx.engine) as session:
        refusal, customer, ownership, rest = _owned(session, ctx, rep_id, command_text, customer_id)
        if refusal:
            return refusal
        assert customer is not None and ownership is not None and customer.id
        stage, amount, amount_ok = parse_stage(rest)
        snap = snapshot(session, ctx, customer, ownership)
        if stage is None:
            return ActionResult(ActionOutcome.INVALID, customer=snap, error=InputError("stage.bad", {"value": rest or "∅"}))
        if not amount_ok or (stage == "won" and amount is None):
            return ActionResult(ActionOutcome.INVALID, customer=snap, error=InputError("stage.won_needs_amount",
                                                                           {"sid": customer.short_id}))
        if customer.stage == "won":
            return ActionResult(ActionOutcome.CLOSED, customer=snap, to_stage=customer.stage)
        if stage == customer.stage:
            return ActionResult(ActionOutcome.SAME, customer=snap, to_stage=stage)
        from_stage = customer.stage
        advance = clocks.is_stage_advance(from_stage, stage)
        customer.stage = stage
        session.add(StageChange(customer_id=customer.id, rep_id=rep_id, from_stage=from_stage, to_stage=stage,
                                amount=amount if stage == "won" else None, at=now))
        if stage == "won":
            customer.amount = amount
        if advance:
            ownership.last_progress_at = now
        if stage == "lost":
            ownership_changes.end(session, customer, ownership, "lost", now, actor=rep_id, rule="stage_lost")
            return ActionResult(ActionOutcome.CHANGED, customer=snapshot(session, ctx, customer), detail="lost",
                                from_stage=from_stage, to_stage=stage, until=cooldown_until(ctx, now))
        p = refresh_protection(ctx, customer, ownership)
        session.add_all([customer, ownership])
        return ActionResult(ActionOutcome.CHANGED, customer=snapshot(session, ctx, customer, ownership),
                            detail="won" if stage == "won" else ("advance" if advance else "back"),
                            from_stage=from_stage, to_stage=stage, amount=customer.amount, until=p.until)


def release(ctx: ServiceContext, rep_id: str, command_text: str, now: datetime, *,
            customer_id: int | None = None) -> ActionResult:
    """``/release name | reason``, or the card's form (``customer_id``, the reason as text)."""
    with write_session(ctx.engine) as session:
        refusal, customer, ownership, rest = _owned(session, ctx, rep_id, command_text, customer_id)
        if refusal:
            return refusal
        assert customer is not None and ownership is not None
        reason = " ".join(rest.split())
        if not reason:
            return ActionResult(ActionOutcome.INVALID, error=InputError("release.needs_reason"))
        if len(reason) > text.MAX_NOTE_CHARS:
            return ActionResult(ActionOutcome.INVALID, error=InputError("error.note_too_long", {"limit": text.MAX_NOTE_CHARS}))
        ownership_changes.end(session, customer, ownership, "released", now, actor=rep_id, rule="owner_release",
                              reason=reason)
        return ActionResult(ActionOutcome.RELEASED, customer=snapshot(session, ctx, customer), reason=reason,
                            until=cooldown_until(ctx, now))


