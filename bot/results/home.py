"""What the App Home tab shows (PRODUCT 3.7): plain results from bot/services/home.py for bot/views/home.py.

No Slack and no database here, so the view stays a pure function of these values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class HomeCustomer:
    """One of the user's active customers: its deadline and which clock ends it (None: won, never recycled)."""

    id: int
    short_id: str
    name: str
    stage: str
    tier: str
    protected_until: date | None
    clock: str | None
    days_left: int | None


@dataclass(frozen=True)
class TodayItem:
    """Something the rep must do today: ``kind`` first_followup | next_contact | ending | complaint.

    ``day``: the first follow-up's or next contact's due day, the last protected day, or the complaint's
    due day; before today means overdue."""

    kind: str
    customer_id: int
    short_id: str
    name: str
    day: date
    clock: str | None = None  # ending: which clock ends the protection
    days_left: int | None = None  # ending: days until the last protected day


@dataclass(frozen=True)
class Numbers:
    """A week's counts (Monday to Sunday in the team's zone), for one rep or the whole team."""

    claims: int = 0
    followups: int = 0
    advances: int = 0
    wins: float = 0
    amount: float = 0
    score: float = 0
    recycled: int = 0
    disputes_lost: int = 0
    rank: int | None = None  # a rep's place on the week's board (None: no score yet)
    ranked: int = 0  # how many reps are on the board
    holding: int = 0  # active customers held (won ones excluded), against ``cap``
    cap: int = 0
    open_complaints: int = 0
    overdue_complaints: int = 0


@dataclass(frozen=True)
class PendingItem:
    """Waiting for a manager: a dispute or appeal (``deadline``: then the owner keeps it) or a handover
    (no deadline; ``since`` it was requested)."""

    kind: str  # dispute | appeal | handover
    id: int
    customer_id: int
    short_id: str
    name: str
    requester: str  # the claimant, or who asked for the handover
    other: str  # the owner, or the handover's recipient
    since: datetime
    deadline: datetime | None = None
    excluded: bool = False  # an appeal this manager may not decide (they decided the dispute)


@dataclass(frozen=True)
class DeliveryProblem:
    """Notices Slack refused for good (or that used up their attempts), one line per channel and error."""

    channel: str  # a channel id, or a user id for a DM
    error: str
    count: int
    last: datetime  # when the latest of them was given up


@dataclass(frozen=True)
class HomeData:
    user_id: str
    role: str  # rep | manager | admin
    manager: bool
    today: date
    tz: str
    week_first: date
    week_last: date
    customers: tuple[HomeCustomer, ...]
    total: int  # all the user's active customers
    page: int  # 1-based, clamped to the pages there are
    pages: int
    today_items: tuple[TodayItem, ...]
    today_total: int  # before the cap
    mine: Numbers
    team: Numbers | None = None  # managers only
    pending: tuple[PendingItem, ...] = ()
    pending_total: int = 0
    delivery_problems: tuple[DeliveryProblem, ...] = ()  # managers only
    to_review: int = 0  # managers only: customers flagged as probable duplicates (/claimbot review)
