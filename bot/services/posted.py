"""Where a decision's message was posted (per case or handover), so the decision can replace its buttons."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.results import MessageRef
from bot.services.context import ServiceContext
from storage.engine import write_session
from storage.models import PostedMessage


def record(ctx: ServiceContext, subject: str, subject_id: int, refs: list[MessageRef]) -> None:
    with write_session(ctx.engine) as session:
        for ref in refs:
            session.add(PostedMessage(subject=subject, subject_id=subject_id, channel=ref.channel, ts=ref.ts,
                                      user_id=ref.user_id))


def refs(session: Session, subject: str, subject_id: int) -> tuple[MessageRef, ...]:
    rows = session.exec(select(PostedMessage).where(PostedMessage.subject == subject,
                                                    PostedMessage.subject_id == subject_id)).all()
    return tuple(MessageRef(r.channel, r.ts, r.user_id) for r in rows)
