"""The leaderboard and the daily digest (PRODUCT 3.7): reading what happened, by the team's calendar.

``leaderboard`` and ``digest`` only read. ``decide_leaderboard`` and ``decide_digest`` snapshot one of
them into the outbox under ``leaderboard:<day>`` / ``digest:<day>``, so whichever process runs the
daily job first decides it and every other run adds nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from bot.calendars import needed_uncovered_years
from bot.results.scoreboard import (
    LIST_CAP,
    ROWS_CAP,
    UPCOMING_CAP,
    ApprovalItem,
    CaseItem,
    ClaimItem,
    CustomerRef,
    DecisionItem,
    Digest,
    Leaderboard,
    ReturnItem,
    ScoreRow,
    Section,
    UpcomingItem,
)
from bot.rules import clocks, scores
from bot.services import outbox, roles
from bot.services.complaints import open_for_digest as open_complaints
from bot.services.context import ServiceContext, team_calendar
from bot.services.snapshots import protection_of
from bot.services.team_settings import changes_between as settings_changes_between
from storage.engine import read_session, write_session
from storage.models import (
    Case,
    Customer,
    FollowUp,
    Handover,
    Outbox,
    Ownership,
    OwnershipEvent,
    Rep,
    StageChange,
)

UPCOMING_DAYS = 7
DECIDED = ("decided", "expired")


def weights(ctx: ServiceContext) -> scores.Weights:
    s = ctx.settings.leaderboard
    w = s.weights
    return scores.Weights.of(w.claims, w.followups, w.advances, w.wins, s.amount_per_point)


def _span(ctx: ServiceContext, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments [start, end) of the local days first..last."""
    start = clocks.local_day_start(first, ctx.tz).astimezone(UTC)
    end = clocks.local_day_start(last + timedelta(days=1), ctx.tz).astimezone(UTC)
    return start, end


def _names(session: Session, rep_ids: set[str]) -> dict[str, str]:
    if not rep_ids:
        return {}
    rows = session.exec(select(Rep.id, Rep.display_name).where(col(Rep.id).in_(sorted(rep_ids)))).all()
    return {rep_id: name for rep_id, name in rows if name}


# --- the leaderboard


def tallies(session: Session, ctx: ServiceContext, first: date, last: date) -> dict[str, scores.Tally]:
    """Every rep's counts over the local days first..last (PRODUCT 3.7's columns)."""
    start, end = _span(ctx, first, last)

    def in_span(column: Mapped[datetime | None]) -> ColumnElement[bool]:
        return (column >= start) & (column < end)

    claims = session.exec(select(OwnershipEvent.to_rep).where(
        OwnershipEvent.kind == "claim", in_span(col(OwnershipEvent.at)))).all()
    followups = session.exec(select(FollowUp.rep_id).where(
        col(FollowUp.qualifying).is_(True), col(FollowUp.local_day) >= first, col(FollowUp.local_day) <= last)).all()
    changes = session.exec(select(StageChange).where(in_span(col(StageChange.at))).order_by(col(StageChange.id))).all()
    advances = [c.rep_id for c in changes if c.to_stage != "won" and clocks.is_stage_advance(c.from_stage, c.to_stage)]
    wins = _wins(session, [c for c in changes if c.to_stage == "won"])
    recycled = session.exec(select(OwnershipEvent.from_rep).where(
        OwnershipEvent.kind == "recycle", in_span(col(OwnershipEvent.at)))).all()
    decided = session.exec(select(Case).where(col(Case.status).in_(DECIDED), in_span(col(Case.decided_at)))).all()
    lost = [scores.dispute_loser(c.decision, c.claimant, c.owner) for c in decided]
    return scores.tally(claims=[r for r in claims if r], followups=followups, advances=advances, wins=wins,
                        recycled=[r for r in recycled if r], disputes_lost=[r for r in lost if r])


def _wins(session: Session, won: list[StageChange]) -> list[scores.Win]:
    """Each win with the co-owner of the ownership it happened in (the earliest matching stretch: a
    declined handover restores an older start, so two stretches of one rep can cover the same moment)."""
    if not won:
        return []
    stretches = session.exec(select(Ownership).where(
        col(Ownership.customer_id).in_({c.customer_id for c in won})).order_by(col(Ownership.id))).all()
    result = []
    for change in won:
        stretch = next((o for o in stretches if o.customer_id == change.customer_id and o.rep_id == change.rep_id
                        and o.started_at <= change.at and (o.ended_at is None or o.ended_at > change.at)), None)
        result.append(scores.Win(
            owner=change.rep_id, amount_cents=round((change.amount or 0) * 100),
            co_owner=stretch.co_owner if stretch else None, co_owner_share=stretch.co_owner_share if stretch else None))
    return result


def leaderboard(ctx: ServiceContext, period: str, now: datetime, viewer: str | None) -> Leaderboard:
    """The ranked board for the day, week (from Monday) or month containing ``now``, in the team's zone.

    ``viewer`` None is the channel's board: recycled-from-you and disputes lost are left out. A rep sees
    them on their own row; a manager on every row."""
    first, last = scores.period_bounds(period, ctx.today(now))
    w = weights(ctx)
    with read_session(ctx.engine) as session:
        ranked = scores.rank(tallies(session, ctx, first, last), w)
        seen = scores.Visibility.for_viewer(viewer, viewer is not None and roles.is_manager(session, ctx, viewer))
        shown = scores.visible(ranked, seen)
        names = _names(session, {r.rep for r in shown})
    rows = tuple(_row(r, names.get(r.rep), seen.shows(r.rep)) for r in shown)
    you = next((row for row in rows[ROWS_CAP:] if row.rep == viewer), None)
    return Leaderboard(
        period=period, first=first.isoformat(), last=last.isoformat(), rows=rows[:ROWS_CAP], total=len(rows),
        weights={"claims": float(w.claims), "followups": float(w.followups), "advances": float(w.advances),
                 "wins": float(w.wins)},
        amount_per_point=float(w.amount_per_point) if w.amount_per_point else None, viewer=viewer, you=you,
        manager_view=seen.everyone)


def _number(x: Fraction) -> float:
    return round(float(x), 2)


def _row(r: scores.Ranked, name: str | None, hidden_shown: bool) -> ScoreRow:
    t = r.tally
    return ScoreRow(rank=r.rank, rep=r.rep, name=name, claims=t.claims, followups=t.followups, advances=t.advances,
                    wins=_number(t.wins), amount=t.amount_cents / 100, score=_number(r.score),
                    recycled=t.recycled if hidden_shown else None,
                    disputes_lost=t.disputes_lost if hidden_shown else None)


# --- the daily digest


def _ref(customer: Customer) -> CustomerRef:
    return CustomerRef(customer.short_id, customer.name)


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


def digest(ctx: ServiceContext, day_local: date, now: datetime) -> Digest:
    """PRODUCT 3.7's daily digest for the morning of ``day_local``: what happened yesterday, what is due."""
    yesterday = day_local - timedelta(days=1)
    start, end = _span(ctx, yesterday, yesterday)
    with read_session(ctx.engine) as session:
        claimed = session.exec(
            select(OwnershipEvent, Customer).join(Customer, col(Customer.id) == OwnershipEvent.customer_id)
            .where(col(OwnershipEvent.kind).in_(("claim", "assign")), col(OwnershipEvent.at) >= start,
                   col(OwnershipEvent.at) < end).order_by(col(OwnershipEvent.at), col(OwnershipEvent.id))).all()
        claims = [ClaimItem(_ref(c), e.to_rep or "", e.kind, _iso(e.at), e.actor) for e, c in claimed]
        returned = session.exec(
            select(OwnershipEvent, Customer).join(Customer, col(Customer.id) == OwnershipEvent.customer_id)
            .where(col(OwnershipEvent.kind).in_(("release", "recycle", "lost")), col(OwnershipEvent.at) >= start,
                   col(OwnershipEvent.at) < end).order_by(col(OwnershipEvent.at), col(OwnershipEvent.id))).all()
        returns = [_return_item(e, c) for e, c in returned]
        upcoming, upcoming_by_rep, until = _upcoming(session, ctx, day_local)
        disputes = _open_cases(session)
        complaints, complaints_overdue = open_complaints(session, day_local)
        changed = settings_changes_between(session, start, end)  # each change in exactly one digest
        approvals = _pending_handovers(session)
        decisions = _decisions(session, start, end)
        reps = {i.rep for i in claims} | {i.rep for i in returns} | set(upcoming_by_rep)
        reps |= {r for i in disputes.items for r in (i.claimant, i.owner)}
        reps |= {r for i in approvals.items for r in (i.from_rep, i.to_rep)}
        reps |= {r for i in decisions.items for r in (i.claimant, i.owner, i.by) if r}
        reps |= {r for i in complaints.items for r in (i.owner, i.raised_by) if r}
        reps |= {i.actor for i in changed}
        names = _names(session, reps)
    return Digest(
        day=day_local.isoformat(), yesterday=yesterday.isoformat(),
        new_claims=Section(len(claims), tuple(claims[:LIST_CAP])),
        claims_by_rep=dict(sorted(Counter(i.rep for i in claims).items(), key=lambda kv: (-kv[1], kv[0]))),
        returned=Section(len(returns), tuple(returns[:LIST_CAP])),
        upcoming=upcoming, upcoming_by_rep=upcoming_by_rep, upcoming_until=until.isoformat(),
        disputes=disputes, approvals=approvals, decisions=decisions, names=names,
        complaints=complaints, complaints_overdue=complaints_overdue,
        settings_changes=Section(len(changed), tuple(changed[:LIST_CAP])),
        calendar_uncovered=calendar_gaps(ctx, day_local), admins=tuple(ctx.settings.team.admins))


def calendar_gaps(ctx: ServiceContext, today: date) -> tuple[int, ...]:
    """Years the team's working-day clocks need (this one; next from 1 November) that no calendar source has."""
    if ctx.settings.claims.count != "working_days":
        return ()
    return needed_uncovered_years(team_calendar(ctx.settings), today)


def _return_item(event: OwnershipEvent, customer: Customer) -> ReturnItem:
    item = ReturnItem(_ref(customer), event.from_rep or "", event.kind, _iso(event.at))
    if event.kind == "recycle" and event.reason and ":" in event.reason:
        clock, _, until = event.reason.partition(":")  # written by the recycle sweep as clock:until
        return ReturnItem(item.customer, item.rep, item.kind, item.at, clock=clock, until=until)
    if event.kind == "release":
        return ReturnItem(item.customer, item.rep, item.kind, item.at, reason=event.reason)
    return item


def _upcoming(session: Session, ctx: ServiceContext, today: date) -> tuple[Section, dict[str, int], date]:
    """Active ownerships whose protection ends within the next 7 days (recycled the day after ``until``)."""
    until = today + timedelta(days=UPCOMING_DAYS - 1)
    due = (col(Ownership.ended_at).is_(None), col(Ownership.protected_until) >= today,
           col(Ownership.protected_until) <= until)
    counts = session.exec(select(Ownership.rep_id, func.count()).where(*due).group_by(Ownership.rep_id)).all()
    nearest = session.exec(
        select(Ownership, Customer).join(Customer, col(Customer.id) == Ownership.customer_id).where(*due)
        .order_by(col(Ownership.protected_until), col(Ownership.id)).limit(UPCOMING_CAP)).all()
    items = tuple(UpcomingItem(_ref(c), o.rep_id, (o.protected_until or today).isoformat(),
                               protection_of(ctx, c, o).clock) for o, c in nearest)
    by_rep = dict(sorted(((rep, n) for rep, n in counts), key=lambda kv: (-kv[1], kv[0])))
    return Section(sum(by_rep.values()), items), by_rep, until


def _open_cases(session: Session) -> Section:
    pending = (Case.status == "pending",)
    total = session.exec(select(func.count()).select_from(Case).where(*pending)).one()
    rows = session.exec(select(Case, Customer).join(Customer, col(Customer.id) == Case.customer_id).where(*pending)
                        .order_by(col(Case.deadline), col(Case.id)).limit(LIST_CAP)).all()
    return Section(total, tuple(CaseItem(c.id or 0, c.kind, _ref(cu), c.claimant, c.owner, _iso(c.deadline))
                                for c, cu in rows))


def _pending_handovers(session: Session) -> Section:
    pending = (Handover.status == "pending",)
    total = session.exec(select(func.count()).select_from(Handover).where(*pending)).one()
    rows = session.exec(select(Handover, Customer).join(Customer, col(Customer.id) == Handover.customer_id)
                        .where(*pending).order_by(col(Handover.created_at), col(Handover.id)).limit(LIST_CAP)).all()
    return Section(total, tuple(ApprovalItem(h.id or 0, _ref(c), h.from_rep, h.to_rep, h.requested_by,
                                             _iso(h.created_at)) for h, c in rows))


def _decisions(session: Session, start: datetime, end: datetime) -> Section:
    """Cases decided or expired, handovers approved or rejected, and handovers declined, in [start, end)."""
    items: list[DecisionItem] = []
    cases = session.exec(select(Case, Customer).join(Customer, col(Customer.id) == Case.customer_id).where(
        col(Case.status).in_(DECIDED), col(Case.decided_at) >= start, col(Case.decided_at) < end)).all()
    for c, cu in cases:
        items.append(DecisionItem("case", c.id or 0, _ref(cu), "expired" if c.status == "expired" else c.decision or "",
                                  c.decided_by, _iso(c.decided_at), c.claimant, c.owner, c.claimant_share,
                                  kind=c.kind))
    handovers = session.exec(select(Handover, Customer).join(Customer, col(Customer.id) == Handover.customer_id).where(
        col(Handover.decided_at) >= start, col(Handover.decided_at) < end, Handover.status != "pending")).all()
    for h, cu in handovers:
        outcome = "rejected" if h.status == "rejected" else ("manager" if h.requested_by == h.decided_by else "approved")
        items.append(DecisionItem("handover", h.id or 0, _ref(cu), outcome, h.decided_by, _iso(h.decided_at),
                                  h.to_rep, h.from_rep))
    declines = session.exec(select(OwnershipEvent, Customer)
                            .join(Customer, col(Customer.id) == OwnershipEvent.customer_id)
                            .where(OwnershipEvent.rule == "handover_declined", col(OwnershipEvent.at) >= start,
                                   col(OwnershipEvent.at) < end)).all()
    for e, cu in declines:
        declined = session.exec(select(Handover).where(Handover.customer_id == cu.id, Handover.status == "declined")
                                .order_by(col(Handover.id).desc())).first()
        items.append(DecisionItem("handover", (declined.id or 0) if declined else 0, _ref(cu), "declined", e.actor,
                                  _iso(e.at), e.from_rep, e.to_rep))
    items.sort(key=lambda i: (i.at, i.subject, i.id))
    return Section(len(items), tuple(items[:LIST_CAP]))


# --- deciding the daily posts


def _decided(ctx: ServiceContext, key: str) -> bool:
    with read_session(ctx.engine) as session:
        return session.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None


def decide_digest(ctx: ServiceContext, day_local: date, now: datetime, channel: str) -> bool:
    """Snapshot the digest of ``day_local`` for ``channel``. True when this call decided it."""
    key = f"digest:{day_local.isoformat()}"
    if _decided(ctx, key):
        return False
    data = digest(ctx, day_local, now).to_data()
    with write_session(ctx.engine) as session:
        return outbox.enqueue(session, key=key, channel=channel, kind="digest", data=data, now=now)


def decide_leaderboard(ctx: ServiceContext, day_local: date, now: datetime, channel: str) -> bool:
    """Snapshot the channel's leaderboard of ``day_local`` (no hidden columns). True when this call decided it."""
    key = f"leaderboard:{day_local.isoformat()}"
    if _decided(ctx, key):
        return False
    data = leaderboard(ctx, "day", clocks.local_day_start(day_local, ctx.tz), None).to_data()
    with write_session(ctx.engine) as session:
        return outbox.enqueue(session, key=key, channel=channel, kind="leaderboard", data=data, now=now)
