"""The managers' review queue (issue 12): customers flagged ``needs_review`` — created by /claim after a rep
said "different" to a probable match, or by the import — with the customers they probably are, and why.

*Not the same* remembers the pair (``not_same_pair``): it is never proposed again, and a customer with
no candidate left is no longer flagged. Candidates are the lookup's strong and fuzzy matches of the
flagged customer's name (storage.lookup.near_matches), computed when the queue is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from bot.results.review import ReviewCandidate, ReviewItem, ReviewOutcome, ReviewQueue
from bot.rules.names import NameKeys
from bot.services import roles
from bot.services.context import ServiceContext
from storage.engine import read_session, write_session
from storage.lookup import near_matches
from storage.models import Customer, NotSamePair, Ownership

PAGE = 10
CANDIDATES = 3


def queue(ctx: ServiceContext, user_id: str) -> ReviewQueue:
    with read_session(ctx.engine) as session:
        if not roles.is_manager(session, ctx, user_id):
            return ReviewQueue(ReviewOutcome.NOT_MANAGER)
        return _queue(session)


def not_same(ctx: ServiceContext, user_id: str, customer_id: int, other_id: int, now: datetime) -> ReviewQueue:
    """A manager says the flagged customer is not the other one: the pair is remembered, and the flag
    cleared when no candidate is left. Answers with the queue as it now is."""
    with write_session(ctx.engine) as session:
        if not roles.is_manager(session, ctx, user_id):
            return ReviewQueue(ReviewOutcome.NOT_MANAGER)
        customer, other = session.get(Customer, customer_id), session.get(Customer, other_id)
        if customer is None or other is None or not customer.needs_review or customer_id == other_id:
            return ReviewQueue(ReviewOutcome.GONE, _queue(session).items)
        a, b = sorted((customer_id, other_id))
        if session.get(NotSamePair, (a, b)) is None:
            session.add(NotSamePair(customer_a=a, customer_b=b, decided_by=user_id, decided_at=now))
            session.flush()
        if not _candidates(session, customer):
            customer.needs_review = False
            session.add(customer)
            session.flush()
        page = _queue(session)
        return ReviewQueue(ReviewOutcome.DONE, page.items, page.total, cleared=customer.short_id)


def _queue(session: Session) -> ReviewQueue:
    flagged = session.exec(select(Customer).where(col(Customer.needs_review).is_(True))
                           .order_by(col(Customer.id)).limit(PAGE)).all()
    total = session.exec(select(func.count()).select_from(Customer).where(col(Customer.needs_review).is_(True))).one()
    owners = _owners(session, [c.id for c in flagged if c.id is not None])
    items = []
    for c in flagged:
        assert c.id is not None
        items.append(ReviewItem(c.id, c.short_id, c.name, owners.get(c.id), c.created_by,
                                tuple(_candidates(session, c))))
    return ReviewQueue(ReviewOutcome.LISTED, tuple(items), total)


def _candidates(session: Session, customer: Customer) -> list[ReviewCandidate]:
    assert customer.id is not None
    refused = {a if b == customer.id else b for a, b in session.exec(
        select(NotSamePair.customer_a, NotSamePair.customer_b).where(
            or_(NotSamePair.customer_a == customer.id, NotSamePair.customer_b == customer.id))).all()}
    keys = NameKeys(customer.name_key, customer.core_key, customer.stem_key)
    matches = [m for m in near_matches(session, keys, limit=CANDIDATES + 1 + len(refused))
               if m.customer_id != customer.id and m.customer_id not in refused][:CANDIDATES]
    found = {c.id: c for c in session.exec(select(Customer).where(
        col(Customer.id).in_([m.customer_id for m in matches]))).all() if c.id is not None}
    owners = _owners(session, list(found))
    return [ReviewCandidate(m.customer_id, found[m.customer_id].short_id, found[m.customer_id].name,
                            owners.get(m.customer_id), m.tier, m.why, m.score)
            for m in matches if m.customer_id in found]


def _owners(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Ownership.customer_id, Ownership.rep_id).where(
        col(Ownership.customer_id).in_(ids), col(Ownership.ended_at).is_(None))).all())
