"""The protection clocks (PRODUCT 3.2) against a plain reference, over random histories.

Random histories of claims, follow-ups (long and short notes, sometimes two a day), stage changes
(advance, back, won, lost), releases and managers' handovers run through the real services on a fresh,
migrated database, with the real sweeps every simulated day (recycle at 02:00, reminders at 09:00 local
time, ``now`` passed explicitly). Who was recycled on which day (``OwnershipEvent`` kind ``recycle``) and
which reminders were decided on which day (``Outbox`` rows keyed ``remind:…``) must be exactly what
tests/reference_clocks.py, a day-by-day reading of PRODUCT 3.2, says. Every action's answer must agree
too, so that a history that goes astray is caught where it does; a failure prints the history day by day
with each disagreement marked ✗ (Hypothesis shrinks it first, which takes minutes: every try is a run).

Half the histories use the default numbers, half smaller ones (every number is a setting), so that the
progress clock and the ceiling also end within 60–120 days. 40 examples on SQLite, 3 on PostgreSQL;
the hand-written cases at the end document the tricky days.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from sqlmodel import SQLModel, select

from bot.config import ClaimSettings, ReminderSettings, Settings, TeamSettings
from bot.services import activity, claims, handovers, sweeps
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session, write_session
from storage.models import Customer, Outbox, Ownership, OwnershipEvent
from tests.reference_clocks import TZ, Event, Recycle, Reference, Reminder, Rules, Step, local_day

REPS = ("U0REP1", "U0REP2", "U0REP3", "U0REP4")
MANAGER = "U0MGR1"
NAMES = ("北京星河科技有限公司", "上海云帆物流有限公司", "Globex Corporation", "Initech LLC", "深圳市蓝海贸易有限公司")
FIRST_DAY = date(2026, 3, 2)  # a Monday; Asia/Shanghai has no daylight saving time
LONG_NOTES = ("called CEO", "约了下周二上门演示产品方案", "sent the quote")  # 10 characters is enough
SHORT_NOTES = ("called hr", "回电话", "ok")  # 9 characters is not
STAGE_TARGETS = ("lead", "contacted", "qualified", "proposal", "contacted", "qualified", "proposal", "won", "lost")


# --- running a history through the product


def make_ctx(url: str, rules: Rules) -> ServiceContext:
    migrate.upgrade(url)
    claim_settings = ClaimSettings(
        first_followup_days=rules.first_followup_days, followup_timeout_days=dict(rules.followup_days),
        progress_timeout_days=dict(rules.progress_days), max_protection_days=rules.ceiling_days,
        min_followup_note_chars=rules.min_note_chars, reclaim_cooldown_days=rules.cooldown_days,
        daily_claim_cap=rules.daily_claim_cap)
    settings = Settings(database_url=url, team=TeamSettings(timezone="Asia/Shanghai", managers=[MANAGER]),
                        claims=claim_settings, reminders=ReminderSettings(days_before=list(rules.remind_days_before)))
    assert settings.handovers.decline_hours == rules.decline_hours
    return ServiceContext(engine=make_engine(url), settings=settings)


def perform(ctx: ServiceContext, step: Step, tiers: dict[str, str]) -> str:
    """Run one step on the product; return the service's answer (sweeps answer "")."""
    now, name, actor = step.at, step.customer, step.actor
    if step.op == "recycle_sweep":
        sweeps.recycle_due(ctx, now)
        return ""
    if step.op == "remind_sweep":
        sweeps.remind_due(ctx, now)
        return ""
    assert name is not None and actor is not None
    if step.op == "claim":
        return claims.claim(ctx, actor, ClaimRequest(name=name, tier=tiers[name]), now).outcome
    if step.op == "followup":
        return activity.log_followup(ctx, actor, f"{name} | call: {step.arg}", now).outcome
    if step.op == "stage":
        return activity.change_stage(ctx, actor, f"{name} | {step.arg}" + (" 12万" if step.arg == "won" else ""),
                                     now).outcome
    if step.op == "release":
        return activity.release(ctx, actor, f"{name} | 预算取消，明年再说", now).outcome
    if step.op == "handover":
        handovers.close_decline_windows(ctx, now)  # the deadlines job runs every few minutes
        return handovers.request(ctx, MANAGER, f"{name} <@{actor}> | 调整区域，交给同事跟进", now).outcome
    raise AssertionError(step.op)


def observed(ctx: ServiceContext) -> tuple[list[Recycle], list[Reminder]]:
    """Who the product recycled on which day, and which reminders it decided on which day."""
    with read_session(ctx.engine) as s:
        names = {c.id: c.name for c in s.exec(select(Customer)).all()}
        ownerships = {o.id: o for o in s.exec(select(Ownership)).all()}
        recycled = [Recycle(local_day(e.at), names[e.customer_id], e.from_rep or "?")
                    for e in s.exec(select(OwnershipEvent).where(OwnershipEvent.kind == "recycle")).all()]
        reminded = []
        for row in s.exec(select(Outbox).where(Outbox.key.startswith("remind:"))).all():  # type: ignore[attr-defined]
            _, ownership_id, until, n = row.key.split(":")
            ownership = ownerships[int(ownership_id)]
            assert row.channel == ownership.rep_id and row.kind == "reminder", row
            reminded.append(Reminder(local_day(row.created_at), names[ownership.customer_id], ownership.rep_id,
                                     date.fromisoformat(until), int(n)))
    return sorted(recycled, key=repr), sorted(reminded, key=repr)


def _decisions(step: Step, recycled: list[Recycle], reminded: list[Reminder]) -> list[str]:
    today = local_day(step.at)
    if step.op == "recycle_sweep":
        return sorted(f"recycle {r.customer} from {r.rep}" for r in recycled if r.day == today)
    return sorted(f"remind {r.rep}: {r.customer} until day {(r.until - FIRST_DAY).days} ({r.days_before} d before)"
                  for r in reminded if r.day == today)


def _report(ref: Reference, answers: list[str], recycled: list[Recycle], reminded: list[Reminder]) -> str:
    """The history, day by day, with what the reference expects and, marked ✗, what the product did instead."""
    lines = []
    for step, answer in zip(ref.steps, answers, strict=True):
        local = step.at.astimezone(TZ)
        when = f"  day {(local.date() - FIRST_DAY).days:3} {local:%H:%M} "
        if step.op.endswith("_sweep"):
            expected, actual = _decisions(step, ref.recycled, ref.reminded), _decisions(step, recycled, reminded)
            if expected or actual:
                lines.append(when + ("; ".join(expected) or "nothing")
                             + ("" if expected == actual else f"  ✗ product: {'; '.join(actual) or 'nothing'}"))
        else:
            what = " ".join(x for x in (step.op, step.customer or "", step.actor or "", step.arg) if x)
            lines.append(f"{when}{what} → {step.expected}" + ("" if answer == step.expected else f"  ✗ product: {answer}"))
    return "\n".join(lines)


def check_history(ctx: ServiceContext, customers: list[tuple[str, str]], days: int, events: list[Event],
                  rules: Rules) -> Reference:
    """Run the history on the reference and on the product; fail with the history if they disagree."""
    ref = Reference(customers, rules).run(FIRST_DAY, days, events)
    tiers = dict(customers)
    answers = [perform(ctx, step, tiers) for step in ref.steps]
    recycled, reminded = observed(ctx)
    wrong = sum(s.expected != a for s, a in zip(ref.steps, answers, strict=True) if not s.op.endswith("_sweep"))
    if (recycled, reminded) != (sorted(ref.recycled, key=repr), sorted(ref.reminded, key=repr)) or wrong:
        rules_note = "default rules" if rules == Rules() else f"rules {rules}"
        pytest.fail(f"The product disagrees with the PRODUCT 3.2 reference ({wrong} answers differ).\n"
                    f"Tiers {tiers}, {days} days from {FIRST_DAY} (Asia/Shanghai), {rules_note}:\n"
                    + _report(ref, answers, recycled, reminded), pytrace=False)
    return ref


# --- random histories


@dataclass(frozen=True)
class History:
    customers: list[tuple[str, str]]
    reps: tuple[str, ...]
    days: int
    events: list[Event]
    rules: Rules

    def __repr__(self) -> str:  # the failure message lists the events; Hypothesis need not
        return f"History({len(self.customers)} customers, {len(self.reps)} reps, {self.days} days, " \
               f"{len(self.events)} events, {'default rules' if self.rules == Rules() else self.rules})"


def at(day: int, minute: int) -> datetime:
    """``minute`` minutes and 30 seconds into day ``day`` of the history, local time (so never exactly at
    a sweep), as UTC."""
    local = datetime.combine(FIRST_DAY, time(0, 0, 30), tzinfo=TZ) + timedelta(days=day, minutes=minute)
    return local.astimezone(UTC)


def _drawn(op: str, *params: st.SearchStrategy[object]) -> st.SearchStrategy[tuple[object, ...]]:
    """(op, day, minute, customer, rep, *params): one thing that happens, before it is expanded."""
    return st.tuples(st.just(op), st.integers(0, 119), st.integers(0, 1439), st.integers(0, 4),
                     st.integers(0, 3), *params)


# a campaign's: first follow-up after, then every, for, a stage every (0: never; -1: a stall), seed
work = (st.integers(0, 3), st.integers(2, 20), st.integers(10, 100), st.sampled_from((0, 0, -1, -1, 3, 4, 6, 9)),
        st.integers(0, 99))
raw_events = st.one_of(
    _drawn("claim"), _drawn("claim"),
    _drawn("followup", st.integers(0, 2)), _drawn("followup", st.integers(0, 2)),
    _drawn("short", st.integers(0, 2)), _drawn("twice", st.integers(0, 1439), st.integers(0, 5)),
    _drawn("campaign", *work), _drawn("campaign", *work), _drawn("takeover", *work), _drawn("takeover", *work),
    _drawn("stage", st.sampled_from(STAGE_TARGETS)), _drawn("stage", st.sampled_from(STAGE_TARGETS)),
    _drawn("release"), _drawn("handover"), _drawn("handover"),
)


def expand(raw: tuple, customers: list[str], reps: tuple[str, ...], days: int) -> list[Event]:
    """One drawn tuple → the events it stands for. Owner's actions are done by whoever owns it then."""
    op, day, minute, c, r, *params = raw
    day, name, rep = day % days, customers[c % len(customers)], reps[r % len(reps)]
    if op == "claim":
        return [Event(at(day, minute), "claim", name, rep)]
    if op == "followup":
        return [Event(at(day, minute), "followup", name, rep, LONG_NOTES[params[0]])]
    if op == "short":
        return [Event(at(day, minute), "followup", name, rep, SHORT_NOTES[params[0]])]
    if op == "twice":  # two the same day (the second long or short) — or the second just after midnight
        later, note = params
        second = (LONG_NOTES + SHORT_NOTES)[note]
        return [Event(at(day, minute), "followup", name, rep, LONG_NOTES[0]),
                Event(at(day, minute + later), "followup", name, rep, second)]
    if op in ("campaign", "takeover"):  # a rep claims it (or a manager hands it to the rep) and works it: a
        # follow-up every few days, and now and then a stage; or (stage_every -1) a stall: on to proposal at
        # the first follow-up, back to contacted at the third, then nothing but follow-ups
        first, every, span, stage_every, seed = params
        events = [Event(at(day, minute), "claim" if op == "campaign" else "handover", name, rep)]
        for i, d in enumerate(range(day + first, min(day + span, days), every), start=1):
            moment = at(d, (minute + 97 * i) % 1440)
            note = SHORT_NOTES[i % 3] if (seed + i) % 7 == 0 else LONG_NOTES[i % len(LONG_NOTES)]
            events.append(Event(moment, "followup", name, rep, note))
            if stage_every == -1 and i in (1, 3):
                events.append(Event(moment, "stage", name, rep, "proposal" if i == 1 else "contacted"))
            elif stage_every > 0 and i % stage_every == 0:
                events.append(Event(moment, "stage", name, rep, STAGE_TARGETS[(seed + i) % len(STAGE_TARGETS)]))
        return events
    if op == "stage":
        return [Event(at(day, minute), "stage", name, rep, params[0])]
    if op == "release":
        return [Event(at(day, minute), "release", name, rep)]
    if op == "handover":
        return [Event(at(day, minute), "handover", name, rep)]
    raise AssertionError(op)


def _rules(first: int, followup: tuple[int, ...], progress: tuple[int, ...], ceiling: int,
           before: tuple[int, ...]) -> Rules:
    return Rules(first_followup_days=first, followup_days=dict(zip("ABC", followup, strict=True)),
                 progress_days=dict(zip("ABC", progress, strict=True)), ceiling_days=ceiling,
                 remind_days_before=before)


# Every number is a setting: smaller ones let the progress clock and the ceiling end within 60–120 days.
small_rules = st.builds(_rules, st.integers(1, 5), st.tuples(*[st.integers(2, 20)] * 3),
                        st.tuples(*[st.integers(4, 40)] * 3), st.integers(8, 60),
                        st.sampled_from([(7, 1), (1,), (2, 5), (3, 1, 0)]))


@st.composite
def histories(draw: st.DrawFn, max_events: int = 45) -> History:
    reps = REPS[:draw(st.integers(2, 4))]
    customers = [(name, draw(st.sampled_from("ABC"))) for name in NAMES[:draw(st.integers(2, 5))]]
    days = draw(st.integers(60, 120))
    rules = draw(st.one_of(st.just(Rules()), small_rules))
    # Every customer is claimed and worked for a while early on, then anything may happen.
    opening = [("campaign", i % 3, 600 + 7 * i, i, i, *draw(st.tuples(*work))) for i in range(len(customers))]
    raws = draw(st.lists(raw_events, min_size=15, max_size=max_events))
    events = [e for raw in opening + raws for e in expand(raw, [n for n, _ in customers], reps, days)]
    return History(customers, reps, days, events, rules)


def run_history(url: str, history: History) -> Reference:
    ctx = make_ctx(url, history.rules)
    try:
        return check_history(ctx, history.customers, history.days, history.events, history.rules)
    finally:
        ctx.engine.dispose()


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(history=histories())
def test_random_histories_agree_with_the_reference_on_sqlite(history: History) -> None:
    with tempfile.TemporaryDirectory() as tmp:  # a fresh database per example
        run_history(f"sqlite:///{Path(tmp) / 'claimbot.db'}", history)


@pytest.mark.postgres
def test_random_histories_agree_with_the_reference_on_postgres(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)

    @settings(max_examples=3, deadline=None, derandomize=True, database=None)
    @given(history=histories(max_events=40))
    def prop(history: History) -> None:
        engine = make_engine(postgres_url)
        try:  # the same database, emptied: fresh for every example
            with write_session(engine) as s:
                s.execute(sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        finally:
            engine.dispose()
        run_history(postgres_url, history)

    prop()


# --- tricky cases, written out


def run_case(url: str, customers: list[tuple[str, str]], days: int, events: list[Event],
             rules: Rules | None = None) -> Reference:
    return run_history(url, History(customers, REPS, days, events, rules or Rules()))


def day(n: int) -> date:
    return FIRST_DAY + timedelta(days=n)


def answers(ref: Reference, op: str) -> list[str]:
    return [s.expected for s in ref.steps if s.op == op]


GLOBEX = "Globex Corporation"
A, B = REPS[0], REPS[1]


def test_a_followup_on_the_due_day_keeps_it_and_the_day_after_is_too_late(sqlite_url: str) -> None:
    due, early, late = GLOBEX, "Initech LLC", "上海云帆物流有限公司"
    ref = run_case(sqlite_url, [(due, "B"), (early, "B"), (late, "B")], 40, [
        *[Event(at(0, 600 + i), "claim", name, A) for i, name in enumerate((due, early, late))],
        Event(at(3, 23 * 60 + 50), "followup", due, A, "called CEO"),  # day 3 is the last protected day
        Event(at(4, 60), "followup", early, A, "called CEO"),  # 01:00 on day 4: the 02:00 sweep has not run
        Event(at(4, 600), "followup", late, A, "called CEO"),  # 10:00 on day 4: already back in the pool
    ])
    assert answers(ref, "followup") == ["logged", "logged", "not_owner"]
    assert sorted((r.day, r.customer) for r in ref.recycled) == [(day(4), late), (day(34), due), (day(35), early)]
    # First follow-up due 3 days after the claim: reminded the day before (the 7-day one would precede the
    # claim); then 30 days (tier B) after the follow-up that counted.
    assert sorted((r.day, r.customer, r.until, r.days_before) for r in ref.reminded) == sorted([
        (day(2), due, day(3), 1), (day(2), early, day(3), 1), (day(2), late, day(3), 1),
        (day(26), due, day(33), 7), (day(32), due, day(33), 1),
        (day(27), early, day(34), 7), (day(33), early, day(34), 1),
    ])


def test_two_followups_in_one_local_day_count_once(sqlite_url: str) -> None:
    ref = run_case(sqlite_url, [(GLOBEX, "C")], 40, [
        Event(at(0, 600), "claim", GLOBEX, A),
        Event(at(1, 9 * 60 + 30), "followup", GLOBEX, A, "called CEO"),
        Event(at(1, 15 * 60), "followup", GLOBEX, A, "sent the quote"),  # same day: recorded, not counted
        # 07:30 and 08:30 in Shanghai are 23:30 and 00:30 UTC: two UTC days, one local day
        Event(at(10, 7 * 60 + 30), "followup", GLOBEX, A, "called CEO"),
        Event(at(10, 8 * 60 + 30), "followup", GLOBEX, A, "sent the quote"),
        # 23:50 and 00:10 the next night: one UTC day, two local days — both count
        Event(at(11, 23 * 60 + 50), "followup", GLOBEX, A, "called CEO"),
        Event(at(12, 10), "followup", GLOBEX, A, "sent the quote"),
    ])
    assert answers(ref, "followup") == ["logged", "not_qualifying", "logged", "not_qualifying", "logged", "logged"]
    # tier C: 14 days after the last counted follow-up (day 12) → protected through day 26
    assert [(r.day, r.until, r.days_before) for r in ref.reminded] == [
        (day(8), day(15), 7), (day(19), day(26), 7), (day(25), day(26), 1)]
    assert [(r.day, r.rep) for r in ref.recycled] == [(day(27), A)]


def test_short_notes_are_recorded_but_do_not_keep_it(sqlite_url: str) -> None:
    ref = run_case(sqlite_url, [(GLOBEX, "A")], 10, [
        Event(at(0, 600), "claim", GLOBEX, A),
        *[Event(at(d, 700), "followup", GLOBEX, A, "called hr") for d in (1, 2, 3)],  # 9 characters
        Event(at(3, 800), "followup", GLOBEX, A, "回电话"),
    ])
    assert answers(ref, "followup") == ["not_qualifying"] * 4
    assert [(r.day, r.until, r.days_before) for r in ref.reminded] == [(day(2), day(3), 1)]
    assert [(r.day, r.rep) for r in ref.recycled] == [(day(4), A)]


def test_a_won_customer_is_never_recycled_nor_reminded(sqlite_url: str) -> None:
    ref = run_case(sqlite_url, [(GLOBEX, "C")], 200, [
        Event(at(0, 600), "claim", GLOBEX, A),
        Event(at(2, 600), "stage", GLOBEX, A, "won"),
        Event(at(3, 600), "stage", GLOBEX, A, "lead"),  # closed: won stays won
        Event(at(100, 600), "handover", GLOBEX, B),  # still won with the new owner
    ])
    assert answers(ref, "stage") == ["changed", "closed"]
    assert answers(ref, "handover") == ["transferred"]
    assert ref.recycled == [] and ref.reminded == [Reminder(day(2), GLOBEX, A, day(3), 1)]


def test_a_handover_restarts_every_clock_for_the_new_owner(sqlite_url: str) -> None:
    ref = run_case(sqlite_url, [(GLOBEX, "B")], 30, [
        Event(at(0, 600), "claim", GLOBEX, A),
        Event(at(1, 600), "followup", GLOBEX, A, "called CEO"),  # A: protected through day 31
        Event(at(10, 600), "followup", GLOBEX, A, "called CEO"),
        Event(at(10, 700), "handover", GLOBEX, B),  # B: first follow-up due day 13
        Event(at(10, 800), "followup", GLOBEX, B, "called CEO"),  # A's counted today: one per customer per day
        Event(at(11, 600), "handover", GLOBEX, A),  # within B's 24 h to decline: refused
    ])
    assert answers(ref, "handover") == ["transferred", "refused"]
    assert answers(ref, "followup") == ["logged", "logged", "not_qualifying"]
    assert [(r.day, r.rep, r.until, r.days_before) for r in ref.reminded] == [(day(12), B, day(13), 1)]
    assert [(r.day, r.rep) for r in ref.recycled] == [(day(14), B)]


def test_the_progress_clock_and_the_ceiling(sqlite_url: str) -> None:
    c, a = "上海云帆物流有限公司", "北京星河科技有限公司"
    events = [Event(at(0, 600), "claim", c, A), Event(at(0, 601), "claim", a, B)]
    events += [Event(at(d, 700), "followup", name, rep, "called CEO")
               for d in range(1, 185, 10) for name, rep in ((c, A), (a, B))]
    events += [Event(at(30, 800), "stage", c, A, "qualified"),  # an advance: the progress clock restarts
               Event(at(40, 800), "stage", c, A, "contacted")]  # going back does not restart it
    events += [Event(at(d, 800), "stage", a, B, stage) for d, stage in ((50, "contacted"), (100, "lead"),
                                                                       (120, "qualified"), (170, "proposal"))]
    ref = run_case(sqlite_url, [(c, "C"), (a, "A")], 185, events)
    # tier C: 60 days after the advance on day 30 → through day 90; tier A: the 180-day ceiling
    assert sorted((r.day, r.customer) for r in ref.recycled) == [(day(91), c), (day(181), a)]
    assert [(r.day, r.until) for r in ref.reminded if r.customer == a] == [(day(173), day(180)),
                                                                         (day(179), day(180))]
