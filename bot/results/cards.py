"""The customer card (issue 5): what a viewer sees of one customer and which actions they may take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from bot.results.customers import CustomerDetails

# What a card can offer; the service decides which of them a viewer gets.
FOLLOWUP, STAGE, RELEASE, HANDOVER, ASSIGN, DISPUTE, CLAIM, COMPLAINT = (
    "followup", "stage", "release", "handover", "assign", "dispute", "claim", "complaint")
ACTIONS = (FOLLOWUP, STAGE, RELEASE, HANDOVER, ASSIGN, DISPUTE, CLAIM, COMPLAINT)

R = TypeVar("R")


@dataclass(frozen=True)
class CustomerCard:
    details: CustomerDetails  # the customer (or suggestions), ownership history, follow-up count
    viewer: str
    actions: tuple[str, ...] = ()  # in display order, a subset of ACTIONS
    followups_7d: int = 0  # follow-ups logged on the last 7 local days (today included)
    followups_30d: int = 0
    next_contact: date | None = None  # the nearest next-contact day from today on
    open_complaints: int = 0
    co_owner: str | None = None


@dataclass(frozen=True)
class CardAction(Generic[R]):
    """What an action taken from a card did (the service's own result) and the card as it is now
    (None when nothing was written: bad input is answered on the form)."""

    result: R
    card: CustomerCard | None = None
