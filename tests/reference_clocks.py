"""A plain, day-by-day reference of PRODUCT 3.2 (protection and recycling), for tests only.

It shares no code with ``bot/rules/clocks.py`` or the services. Everything is written as one question
about one calendar day in the team's time zone — *is the current owner still protected on day D?* —
and the two daily sweeps simply ask it:

- the recycle sweep (02:00): a customer whose owner is not protected today goes back to the pool (so
  until that sweep has run, the owner still owns it and may still log the follow-up that saves it);
- the reminder sweep (09:00): the owner is reminded ``n`` days before the deadline (n in 7 and 1) when
  day ``today + n`` is the last protected day — protected on ``today + n``, not on ``today + n + 1`` —
  as the deadline stands that morning.

"Protected on day D" (PRODUCT 3.2 with docs/decisions/0003: a deadline is the *last* protected day):

- before the first qualifying follow-up: at most ``first_followup_days`` (3) days after the claim;
- after it: at most ``followup_days[tier]`` (A 45 / B 30 / C 14) days after the last one that counted;
- at most ``progress_days[tier]`` (A 180 / B 90 / C 60) days after the last stage advance (or the
  claim); follow-ups do not move it, going back a stage does not either;
- at most ``ceiling_days`` (180) days after the claim (or the transfer);
- a won customer is always protected (never recycled, never reminded).

A follow-up counts when its note has at least 10 characters and no other follow-up counted for that
customer on that local day. A transfer (a manager's handover) restarts every clock for the new owner;
a release or ``lost`` ends the ownership, and the former owner may claim it again 7 days later.

Around 3.2 the reference models only what decides whether an action goes through: who owns what,
the re-claim cooldown, the daily claim cap, the 24 h during which a handover stays open (no second
handover of that customer meanwhile), and that a won customer's stage is closed. The holding cap (100)
is not modelled: the histories that use this reference hold far fewer customers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
ACTIVE_STAGES = ("lead", "contacted", "qualified", "proposal")
RECYCLE_AT = time(2, 0)
REMIND_AT = time(9, 0)


@dataclass(frozen=True)
class Rules:
    first_followup_days: int = 3
    followup_days: dict[str, int] = field(default_factory=lambda: {"A": 45, "B": 30, "C": 14})
    progress_days: dict[str, int] = field(default_factory=lambda: {"A": 180, "B": 90, "C": 60})
    ceiling_days: int = 180
    remind_days_before: tuple[int, ...] = (7, 1)
    min_note_chars: int = 10
    cooldown_days: int = 7
    daily_claim_cap: int = 10
    decline_hours: int = 24


@dataclass(frozen=True)
class Event:
    """Something a person does. ``rep`` is the claimant, the handover's recipient, or — for an owner's
    action on a customer nobody owns — the rep who tries it. ``arg``: the note, or the target stage."""

    at: datetime  # timezone-aware
    op: str  # claim | followup | stage | release | handover
    customer: str
    rep: str
    arg: str = ""


@dataclass(frozen=True)
class Step:
    """One thing to run, in order: an event with its actor resolved, or a sweep (``customer`` None)."""

    at: datetime
    op: str  # the event ops, or recycle_sweep | remind_sweep
    customer: str | None
    actor: str | None
    arg: str
    expected: str  # what the service answers: created, claimed, logged, not_qualifying, refused, …


@dataclass(frozen=True)
class Recycle:
    day: date
    customer: str
    rep: str


@dataclass(frozen=True)
class Reminder:
    day: date
    customer: str
    rep: str
    until: date  # the last protected day, as it stood that morning
    days_before: int


@dataclass
class Stretch:
    """One rep's ownership of one customer, and the days its clocks count from."""

    rep: str
    first_day: date  # the claim or transfer day
    advance_day: date  # the last stage advance (the first day until one happens)
    followup_day: date | None = None  # the last follow-up that counted


@dataclass
class Account:
    name: str
    tier: str
    exists: bool = False
    stage: str = "lead"
    owner: Stretch | None = None
    counted_days: set[date] = field(default_factory=set)  # days on which a follow-up counted
    gave_up: dict[str, date] = field(default_factory=dict)  # rep → last release / lost / recycle day
    transferred_at: datetime | None = None


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def at_local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=TZ)


def days_from(earlier: date, later: date) -> int:
    return (later - earlier).days


class Reference:
    def __init__(self, customers: Iterable[tuple[str, str]], rules: Rules | None = None):
        self.rules = rules or Rules()
        self.accounts = {name: Account(name, tier) for name, tier in customers}
        self.claims_per_day: Counter[tuple[str, date]] = Counter()
        self.steps: list[Step] = []
        self.recycled: list[Recycle] = []
        self.reminded: list[Reminder] = []

    # --- the one question

    def protected_on(self, account: Account, day: date) -> bool:
        """Is the current owner of ``account`` still protected on ``day``?"""
        owner, r = account.owner, self.rules
        assert owner is not None
        if account.stage == "won":
            return True
        if owner.followup_day is None:
            if days_from(owner.first_day, day) > r.first_followup_days:
                return False
        elif days_from(owner.followup_day, day) > r.followup_days[account.tier]:
            return False
        if days_from(owner.advance_day, day) > r.progress_days[account.tier]:
            return False
        return days_from(owner.first_day, day) <= r.ceiling_days

    # --- running a history

    def run(self, first_day: date, days: int, events: Iterable[Event]) -> Reference:
        """Every day from ``first_day`` for ``days`` days: the two sweeps and that day's events, in time
        order (a sweep goes first when an event has exactly its time; events with the same time keep their
        order). Events on other days are not run."""
        by_day: dict[date, list[Event]] = {}
        for event in events:
            by_day.setdefault(local_day(event.at), []).append(event)
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            agenda: list[tuple[datetime, int, int, Event | str]] = [
                (at_local(day, RECYCLE_AT), 0, 0, "recycle_sweep"),
                (at_local(day, REMIND_AT), 0, 1, "remind_sweep"),
            ]
            agenda += [(e.at, 1, i, e) for i, e in enumerate(by_day.get(day, []))]
            for moment, _, _, item in sorted(agenda, key=lambda a: a[:3]):
                if item == "recycle_sweep":
                    self.recycle_sweep(moment)
                elif item == "remind_sweep":
                    self.remind_sweep(moment)
                else:
                    assert isinstance(item, Event)
                    self.apply(item)
        return self

    def recycle_sweep(self, now: datetime) -> None:
        today = local_day(now)
        self.steps.append(Step(now, "recycle_sweep", None, None, "", ""))
        for account in self.accounts.values():
            if account.owner is not None and not self.protected_on(account, today):
                self.recycled.append(Recycle(today, account.name, account.owner.rep))
                self._end(account, today)

    def remind_sweep(self, now: datetime) -> None:
        today = local_day(now)
        self.steps.append(Step(now, "remind_sweep", None, None, "", ""))
        for account in self.accounts.values():
            if account.owner is None:
                continue
            for n in sorted(set(self.rules.remind_days_before)):
                last = today + timedelta(days=n)  # is this the last protected day?
                day_after = last + timedelta(days=1)
                if self.protected_on(account, last) and not self.protected_on(account, day_after):
                    self.reminded.append(Reminder(today, account.name, account.owner.rep, last, n))

    def apply(self, event: Event) -> str:
        account = self.accounts[event.customer]
        if event.op in ("claim", "handover"):
            actor = event.rep
        else:  # an owner's action: done by the owner, if there is one
            actor = account.owner.rep if account.owner else event.rep
        outcome = getattr(self, f"_{event.op}")(event.at, actor, account, event.arg)
        self.steps.append(Step(event.at, event.op, event.customer, actor, event.arg, outcome))
        return outcome

    # --- what people do

    def _claim(self, now: datetime, rep: str, account: Account, _arg: str) -> str:
        today = local_day(now)
        if account.owner is not None:
            return "already_yours" if account.owner.rep == rep else "owned_by_other"
        if self.claims_per_day[rep, today] >= self.rules.daily_claim_cap:
            return "refused"
        gave_up = account.gave_up.get(rep)
        if gave_up is not None and days_from(gave_up, today) < self.rules.cooldown_days:
            return "refused"
        outcome = "claimed" if account.exists else "created"
        account.exists = True
        if account.stage in ("won", "lost"):  # a new owner starts a new funnel
            account.stage = "lead"
        account.owner = Stretch(rep, first_day=today, advance_day=today)
        self.claims_per_day[rep, today] += 1
        return outcome

    def _refusal(self, rep: str, account: Account) -> str | None:
        if not account.exists:
            return "not_found"
        if account.owner is None or account.owner.rep != rep:
            return "not_owner"
        return None

    def _followup(self, now: datetime, rep: str, account: Account, note: str) -> str:
        refusal = self._refusal(rep, account)
        if refusal:
            return refusal
        assert account.owner is not None
        today = local_day(now)
        if len(note) < self.rules.min_note_chars or today in account.counted_days:
            return "not_qualifying"
        account.counted_days.add(today)
        account.owner.followup_day = today
        return "logged"

    def _stage(self, now: datetime, rep: str, account: Account, to_stage: str) -> str:
        refusal = self._refusal(rep, account)
        if refusal:
            return refusal
        assert account.owner is not None
        today = local_day(now)
        if account.stage == "won":
            return "closed"
        if to_stage == account.stage:
            return "same"
        advance = to_stage == "won" or (
            to_stage in ACTIVE_STAGES and ACTIVE_STAGES.index(to_stage) > ACTIVE_STAGES.index(account.stage))
        account.stage = to_stage
        if advance:
            account.owner.advance_day = today
        if to_stage == "lost":
            self._end(account, today)
        return "changed"

    def _release(self, now: datetime, rep: str, account: Account, _arg: str) -> str:
        refusal = self._refusal(rep, account)
        if refusal:
            return refusal
        self._end(account, local_day(now))
        return "released"

    def _handover(self, now: datetime, to_rep: str, account: Account, _arg: str) -> str:
        """A manager's handover: immediate; the recipient may decline for 24 h, so the handover stays
        open until then and a second one of the same customer is refused meanwhile."""
        if not account.exists:
            return "not_found"
        if account.owner is None or account.owner.rep == to_rep:
            return "refused"
        if account.transferred_at is not None and now < account.transferred_at + timedelta(
                hours=self.rules.decline_hours):
            return "refused"
        today = local_day(now)
        account.owner = Stretch(to_rep, first_day=today, advance_day=today)  # every clock restarts
        account.transferred_at = now
        return "transferred"

    def _end(self, account: Account, today: date) -> None:
        assert account.owner is not None
        account.gave_up[account.owner.rep] = today
        account.owner = None
