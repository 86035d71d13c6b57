"""The App Home tab (PRODUCT 3.7): one read of everything a rep or a manager sees there.

The deadlines come from the same clocks as /mine and the reminders (``snapshots.snapshot`` →
``rule_versions.protection``); the week's numbers from the leaderboard's ``scoreboard.tallies``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.results.customers import CustomerSnapshot
from bot.results.home import DeliveryProblem, HomeCustomer, HomeData, Numbers, PendingItem, TodayItem
from bot.rules import clocks, scores
from bot.services import roles, scoreboard
from bot.services.context import ServiceContext
from bot.services.reps import ensure_rep
from bot.services.snapshots import snapshot
from storage.engine import read_session, write_session
from storage.models import Case, Complaint, Customer, FollowUp, Handover, Outbox, Ownership, Rep

PER_PAGE = 25  # customer rows a page: two blocks each, so a Home view stays far below Slack's 100 blocks
TODAY_CAP = 15
PENDING_CAP = 10
PROBLEMS_CAP = 5
PROBLEM_DAYS = 7  # failed deliveries older than this are no longer listed
KIND_ORDER = {"complaint": 0, "first_followup": 1, "next_contact": 2, "ending": 3}


def opened(ctx: ServiceContext, user_id: str, now: datetime, page: int = 1) -> HomeData:
    """The user opened their Home tab: remember it (only they get it refreshed), then read it."""
    with write_session(ctx.engine) as session:
        rep = ensure_rep(session, ctx, user_id, now)
        rep.home_opened_at = now
        session.add(rep)
    return read(ctx, user_id, now, page)


def opened_users(ctx: ServiceContext) -> set[str]:
    """Everyone who has ever opened their Home tab."""
    with read_session(ctx.engine) as session:
        return set(session.exec(select(Rep.id).where(col(Rep.home_opened_at).is_not(None))).all())


def forget_opened(ctx: ServiceContext, user_id: str) -> None:
    """Slack refused to publish (the user left, the app lost access): stop refreshing their Home."""
    with write_session(ctx.engine) as session:
        session.execute(update(Rep).where(col(Rep.id) == user_id).values(home_opened_at=None))


def read(ctx: ServiceContext, user_id: str, now: datetime, page: int = 1) -> HomeData:
    today = ctx.today(now)
    first, last = scores.period_bounds("week", today)
    reminder_days = max(ctx.settings.reminders.days_before or [0])
    with read_session(ctx.engine) as session:
        rows = session.exec(
            select(Customer, Ownership).join(Ownership, col(Ownership.customer_id) == Customer.id)
            .where(Ownership.rep_id == user_id, col(Ownership.ended_at).is_(None))
        ).all()
        snaps = [snapshot(session, ctx, c, o, with_activity=False) for c, o in rows]
        # Nearest deadline first, as the clocks compute it now; won customers (never recycled) last.
        snaps.sort(key=lambda s: (s.protected_until is None, s.protected_until or today, s.id))
        listed = [HomeCustomer(s.id, s.short_id, s.name, s.stage, s.tier, s.protected_until, s.clock,
                               (s.protected_until - today).days if s.protected_until else None) for s in snaps]
        pages = max(1, -(-len(listed) // PER_PAGE))
        page = min(max(1, page), pages)
        complaint_rows = _complaint_rows(session, user_id)
        items = _today(session, snaps, complaint_rows, user_id, today, reminder_days)
        manager = roles.is_manager(session, ctx, user_id)
        tallies = scoreboard.tallies(session, ctx, first, last)
        ranked = scores.rank({r: t for r, t in tallies.items() if t.scored}, scoreboard.weights(ctx))
        complaints = len(complaint_rows), sum(1 for c, _ in complaint_rows if c.due_on < today)
        mine = _numbers(tallies.get(user_id, scores.Tally()), ranked, user_id, ctx,
                        holding=sum(1 for s in snaps if s.stage != "won"), cap=ctx.holding_cap(user_id),
                        complaints=complaints)
        team = pending = None
        pending_total = 0
        problems: list[DeliveryProblem] = []
        to_review = 0
        if manager:
            to_review = session.exec(select(func.count()).select_from(Customer)
                                     .where(col(Customer.needs_review).is_(True))).one()
            team = _team(session, ctx, tallies, ranked, today)
            pending, pending_total = _pending(session, user_id)
            problems = _delivery_problems(session, now)
        return HomeData(
            user_id=user_id, role=roles.role_of(session, ctx, user_id), manager=manager, today=today, tz=ctx.tz,
            week_first=first, week_last=last,
            customers=tuple(listed[(page - 1) * PER_PAGE: page * PER_PAGE]), total=len(listed), page=page,
            pages=pages, today_items=tuple(items[:TODAY_CAP]), today_total=len(items), mine=mine, team=team,
            pending=tuple(pending or ()), pending_total=pending_total, delivery_problems=tuple(problems),
            to_review=to_review)


def _today(session: Session, snaps: list[CustomerSnapshot], complaint_rows: list[tuple[Complaint, Customer]],
           user_id: str, today: date, reminder_days: int) -> list[TodayItem]:
    items: list[TodayItem] = []
    for s in snaps:
        if s.stage == "won":
            continue
        if s.first_followup_due is not None and s.first_followup_due <= today:
            items.append(TodayItem("first_followup", s.id, s.short_id, s.name, s.first_followup_due))
        elif s.protected_until is not None and s.protected_until <= today + timedelta(days=reminder_days):
            items.append(TodayItem("ending", s.id, s.short_id, s.name, s.protected_until, s.clock,
                                   (s.protected_until - today).days))
    by_customer = {s.id: s for s in snaps}
    # The latest follow-up of each current ownership carries the next-contact day still open (a later
    # follow-up replaces it).
    latest = (select(func.max(FollowUp.id)).join(Ownership, col(Ownership.id) == FollowUp.ownership_id)
              .where(Ownership.rep_id == user_id, col(Ownership.ended_at).is_(None))
              .group_by(col(FollowUp.ownership_id)))
    contacts = session.exec(select(FollowUp).where(col(FollowUp.id).in_(latest),
                                                   col(FollowUp.next_contact) <= today)).all()
    for f in contacts:
        owned = by_customer.get(f.customer_id)
        if owned is not None and f.next_contact is not None:
            items.append(TodayItem("next_contact", owned.id, owned.short_id, owned.name, f.next_contact))
    for complaint, customer in complaint_rows:
        items.append(TodayItem("complaint", customer.id or 0, customer.short_id, customer.name, complaint.due_on))
    items.sort(key=lambda i: (i.day, KIND_ORDER[i.kind], i.short_id))
    return items


def _complaint_rows(session: Session, user_id: str) -> list[tuple[Complaint, Customer]]:
    """Open complaints the user must resolve: logged while they owned the customer (as the scorecard counts
    them, and as bot/services/complaints decides who may resolve)."""
    return list(session.exec(
        select(Complaint, Customer).join(Customer, col(Customer.id) == Complaint.customer_id)
        .where(Complaint.status == "open", Complaint.owner_id == user_id)
        .order_by(col(Complaint.due_on), col(Complaint.id))
    ).all())


def _open_complaints(session: Session, today: date) -> tuple[int, int]:
    """(open, overdue) complaints of the whole team (a rep's come from ``_complaint_rows``)."""
    due = session.exec(select(col(Complaint.due_on)).where(Complaint.status == "open")).all()
    return len(due), sum(1 for d in due if d < today)


def _numbers(t: scores.Tally, ranked: tuple[scores.Ranked, ...], rep_id: str | None, ctx: ServiceContext, *,
             holding: int, cap: int, complaints: tuple[int, int]) -> Numbers:
    w = scoreboard.weights(ctx)
    place = next((r.rank for r in ranked if r.rep == rep_id), None) if rep_id else None
    return Numbers(claims=t.claims, followups=t.followups, advances=t.advances, wins=round(float(t.wins), 2),
                   amount=t.amount_cents / 100, score=round(float(scores.score(t, w)), 2), recycled=t.recycled,
                   disputes_lost=t.disputes_lost, rank=place, ranked=len(ranked), holding=holding, cap=cap,
                   open_complaints=complaints[0], overdue_complaints=complaints[1])


def _team(session: Session, ctx: ServiceContext, tallies: dict[str, scores.Tally],
          ranked: tuple[scores.Ranked, ...], today: date) -> Numbers:
    total = scores.Tally(
        claims=sum(t.claims for t in tallies.values()), followups=sum(t.followups for t in tallies.values()),
        advances=sum(t.advances for t in tallies.values()), win=sum(t.win for t in tallies.values()),
        amount_cents=sum(t.amount_cents for t in tallies.values()), recycled=sum(t.recycled for t in tallies.values()),
        disputes_lost=sum(t.disputes_lost for t in tallies.values()))
    holding = session.exec(
        select(func.count()).select_from(Ownership).join(Customer, col(Customer.id) == Ownership.customer_id)
        .where(col(Ownership.ended_at).is_(None), Customer.stage != "won")
    ).one()
    return _numbers(total, ranked, None, ctx, holding=holding, cap=0, complaints=_open_complaints(session, today))


def _delivery_problems(session: Session, now: datetime) -> list[DeliveryProblem]:
    """What Slack refused lately, newest first (bot/services/outbox.fail): admins were told by DM too."""
    last = func.max(Outbox.failed_at)
    rows = session.exec(select(Outbox.channel, Outbox.last_error, func.count(), last)
                        .where(Outbox.status == "failed", col(Outbox.failed_at) >= now - timedelta(days=PROBLEM_DAYS))
                        .group_by(col(Outbox.channel), col(Outbox.last_error)).order_by(last.desc())
                        .limit(PROBLEMS_CAP)).all()
    return [DeliveryProblem(channel, error or "", count, clocks.as_utc(at)) for channel, error, count, at in rows
            if at is not None]


def _pending(session: Session, manager: str) -> tuple[list[PendingItem], int]:
    """Cases by their deadline, then handovers by when they were asked for."""
    cases_total = session.exec(select(func.count()).select_from(Case).where(Case.status == "pending")).one()
    cases = session.exec(select(Case, Customer).join(Customer, col(Customer.id) == Case.customer_id)
                         .where(Case.status == "pending").order_by(col(Case.deadline), col(Case.id))
                         .limit(PENDING_CAP)).all()
    handovers_total = session.exec(
        select(func.count()).select_from(Handover).where(Handover.status == "pending")).one()
    handovers = session.exec(select(Handover, Customer).join(Customer, col(Customer.id) == Handover.customer_id)
                             .where(Handover.status == "pending")
                             .order_by(col(Handover.created_at), col(Handover.id))
                             .limit(PENDING_CAP)).all()
    items = [PendingItem(c.kind, c.id or 0, cu.id or 0, cu.short_id, cu.name, c.claimant, c.owner, c.created_at,
                         c.deadline, excluded=c.excluded_decider == manager) for c, cu in cases]
    items += [PendingItem("handover", h.id or 0, cu.id or 0, cu.short_id, cu.name, h.requested_by, h.to_rep,
                          h.created_at) for h, cu in handovers]
    return items[:PENDING_CAP], cases_total + handovers_total
