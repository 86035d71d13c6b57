"""A test replays the audit log from empty and reconstructs every customer's current owner exactly.

Random sequences of what reps and managers do (claims, releases, lost and won stages, disputes and their
decisions, appeals, handovers with approval, rejection and decline, manager handovers, assignment,
offboarding, expiry of undecided cases, recycling) run through the real services on a migrated database. Replaying the
``OwnershipEvent`` rows in id order from empty must then give every customer's owner and co-owner, and
every ownership stretch (active or ended) must have exactly one event that started it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import activity, claims, disputes, handovers, sweeps
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import Case, Customer, Handover, Ownership, OwnershipEvent

REPS = ("U0ALICE", "U0BOB", "U0CAROL")
MANAGERS = ("U0MGR1", "U0MGR2")
NAMES = ("北京星河科技有限公司", "上海云帆物流有限公司", "Globex Corporation", "Initech LLC", "深圳市蓝海贸易有限公司")
T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
HOLDING_CAP = 3  # small, so that cap refusals happen among five customers

START_KINDS = ("claim", "assign", "transfer", "import")
END_KINDS = {"release": "released", "recycle": "recycled", "lost": "lost"}


def make_ctx(url: str, *, migrated: bool = False) -> ServiceContext:
    if not migrated:
        migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=list(MANAGERS)),
                        claims=ClaimSettings(holding_cap=HOLDING_CAP))
    return ServiceContext(engine=make_engine(url), settings=settings)


# --- replaying the audit log


@dataclass
class Stretch:
    """One owner's stretch of a customer, as the audit log tells it."""

    rep: str
    started_by: OwnershipEvent
    ended_by: OwnershipEvent | None = None
    end_reason: str | None = None
    co_owner: str | None = None
    co_owner_share: int | None = None


@dataclass
class Replay:
    stretches: dict[int, list[Stretch]] = field(default_factory=lambda: defaultdict(list))
    current: dict[int, Stretch | None] = field(default_factory=dict)

    def owners(self) -> dict[int, tuple[str, str | None] | None]:
        return {c: (s.rep, s.co_owner) if s else None for c, s in self.current.items()}


def replay(events: list[OwnershipEvent]) -> Replay:
    """From empty: claim/assign/transfer → owner = to_rep; release/recycle/lost → no owner;
    coown/coown_end → same owner, co-owner set/cleared. Each record must fit the state it applies to."""
    r = Replay()
    for e in events:
        where = f"event #{e.id} ({e.kind}, {e.rule}) on customer {e.customer_id}"
        now = r.current.get(e.customer_id)
        if e.kind in START_KINDS:
            if e.kind == "transfer":
                assert now is not None and now.rep == e.from_rep, f"{where}: transfer from {e.from_rep}, owner {now}"
                now.ended_by, now.end_reason = e, "transferred"
            else:
                assert now is None and e.from_rep is None, f"{where}: starts an owner while {now} owns it"
            assert e.to_rep, f"{where}: no new owner"
            stretch = Stretch(e.to_rep, e)
            r.stretches[e.customer_id].append(stretch)
            r.current[e.customer_id] = stretch
        elif e.kind in END_KINDS:
            assert now is not None and now.rep == e.from_rep, f"{where}: ends {e.from_rep}'s ownership, owner {now}"
            now.ended_by, now.end_reason = e, END_KINDS[e.kind]
            r.current[e.customer_id] = None
        elif e.kind == "coown":
            assert now is not None and now.rep == e.from_rep, f"{where}: co-own with {e.from_rep}, owner {now}"
            now.co_owner, now.co_owner_share = e.to_rep, int((e.reason or "").rstrip("%"))
        elif e.kind == "coown_end":
            assert now is not None and now.rep == e.to_rep, f"{where}: owner {e.to_rep}, replayed {now}"
            assert now.co_owner == e.from_rep, \
                f"{where}: records that {e.from_rep} no longer co-owns, but the co-owner was {now.co_owner}"
            now.co_owner = now.co_owner_share = None
        else:
            pytest.fail(f"{where}: unknown kind of audit record")
    return r


def assert_audit_log_replays(ctx: ServiceContext) -> Replay:
    with read_session(ctx.engine) as s:
        events = list(s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id)).all())  # type: ignore[arg-type]
        ownerships = list(s.exec(select(Ownership).order_by(Ownership.id)).all())  # type: ignore[arg-type]
        customer_ids = list(s.exec(select(Customer.id)).all())
    r = replay(events)

    # Every customer's current owner and co-owner, exactly.
    active = {o.customer_id: (o.rep_id, o.co_owner) for o in ownerships if o.ended_at is None}
    replayed = {c: owner for c, owner in r.owners().items() if owner is not None}
    assert replayed == active
    assert set(r.current) <= set(customer_ids)

    # Every ownership stretch, active or ended, has exactly one event that started it (and the one that
    # ended it, for an ended one), in the same order.
    rows: dict[int, list[Ownership]] = defaultdict(list)
    for o in ownerships:
        rows[o.customer_id].append(o)
    for customer_id in set(rows) | set(r.stretches):
        stored, told = rows[customer_id], r.stretches[customer_id]
        assert [o.rep_id for o in stored] == [s.rep for s in told], f"customer {customer_id}"
        for o, s in zip(stored, told, strict=True):
            where = f"ownership #{o.id} of customer {customer_id} (started by event #{s.started_by.id})"
            if s.started_by.rule != "handover_declined":  # a decline restores the previous owner's clocks
                assert o.started_at == s.started_by.at, where
            assert (o.ended_at is None) == (s.ended_by is None), where
            if s.ended_by is not None:
                assert (o.end_reason, o.ended_at) == (s.end_reason, s.ended_by.at), where
            else:
                assert (o.co_owner, o.co_owner_share) == (s.co_owner, s.co_owner_share), where
    return r


# --- random sequences through the real services


class Step(NamedTuple):
    op: str
    who: int  # 0-2: a rep; 3-5: whoever owns the customer now (else a rep)
    other: int  # the other rep (a handover's recipient, an offboarding's successor)
    manager: int
    customer: int
    pick: int  # which case or handover, counted back from the newest
    decision: str
    share: int
    hours: int  # how much later than the previous step


OPS = ("claim", "claim", "claim", "followup", "release", "lost", "won", "dispute", "dispute", "dispute", "dispute",
       "decide", "decide", "decide", "decide", "appeal", "appeal", "handover", "handover", "approve", "approve",
       "reject", "decline", "decline", "manager_handover", "assign", "offboard", "expire", "recycle")

steps = st.builds(
    Step,
    op=st.sampled_from(OPS),
    who=st.integers(0, 5),
    other=st.integers(0, 2),
    manager=st.integers(0, 1),
    customer=st.integers(0, len(NAMES) - 1),
    pick=st.integers(0, 3),
    decision=st.sampled_from(disputes.DECISIONS),
    share=st.sampled_from((30, 50, 60, 70)),
    hours=st.sampled_from((0, 1, 3, 8, 20, 40)),
)


class World:
    """Runs steps against the services, keeping the clock and the ids of cases and handovers opened."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx, self.now = ctx, T0
        self.cases: list[int] = []
        self.handovers: list[int] = []
        self.outcomes: list[str] = []

    def owner(self, name: str) -> str | None:
        with read_session(self.ctx.engine) as s:
            row = s.exec(select(Ownership.rep_id).join(Customer, Customer.id == Ownership.customer_id)
                         .where(Customer.name == name, Ownership.ended_at.is_(None))).first()  # type: ignore[union-attr]
        return row

    def actor(self, step: Step, name: str) -> str:
        return REPS[step.who] if step.who < len(REPS) else (self.owner(name) or REPS[step.who % 3])

    def start(self, first_owner: int) -> None:
        """Every customer exists and has an owner to begin with (two or fewer each: under the cap)."""
        for i, name in enumerate(NAMES):
            assert claims.claim(self.ctx, REPS[(i + first_owner) % 3], ClaimRequest(name=name), self.now).outcome \
                == "created"

    def in_pool(self, step: Step) -> str:
        """The chosen customer if nobody owns it, else the next one in the pool (else the chosen one)."""
        for i in range(len(NAMES)):
            name = NAMES[(step.customer + i) % len(NAMES)]
            if self.owner(name) is None:
                return name
        return NAMES[step.customer]

    def challenger(self, step: Step, name: str) -> str:
        """Mostly someone other than the owner (the owner, or a pool customer, is refused)."""
        owner = self.owner(name)
        others = [rep for rep in REPS if rep != owner]
        return owner if owner and step.who == 5 else others[step.who % len(others)]

    def recipient(self, step: Step, name: str) -> str:
        """Mostly someone other than the owner (handing it to its owner is refused)."""
        owner = self.owner(name)
        others = [rep for rep in REPS if rep != owner]
        return owner if owner and step.who == 5 else others[step.other % len(others)]

    def pick(self, ids: list[int], step: Step) -> int | None:
        return ids[-1 - step.pick % len(ids)] if ids else None

    def pick_case(self, step: Step, *, status: str, kind: str | None = None) -> int | None:
        """Mostly a case in ``status`` (one to decide, one to appeal); now and then any recent one."""
        with read_session(self.ctx.engine) as s:
            query = select(Case.id).where(Case.status == status)
            ids = list(s.exec(query if kind is None else query.where(Case.kind == kind)).all())
        return self.pick(sorted(ids) if ids and step.pick < 3 else self.cases, step)

    def pick_handover(self, step: Step, *, status: str) -> int | None:
        with read_session(self.ctx.engine) as s:
            ids = list(s.exec(select(Handover.id).where(Handover.status == status)).all())
        return self.pick(sorted(ids) if ids and step.pick < 3 else self.handovers, step)

    def run(self, step: Step) -> None:
        self.now += timedelta(hours=step.hours, minutes=1)
        self.outcomes.append(f"{step.op}: {self._run(step, NAMES[step.customer], MANAGERS[step.manager])}")
        note(f"{self.now:%m-%d %H:%M} {step} → {self.outcomes[-1]}")  # shown when an example fails

    def _run(self, step: Step, name: str, manager: str) -> str:
        ctx, now = self.ctx, self.now
        if step.op == "claim":
            name = name if step.who == 5 else self.in_pool(step)
            return said(claims.claim(ctx, REPS[step.who % 3], ClaimRequest(name=name), now))
        if step.op == "followup":
            return said(activity.log_followup(ctx, self.actor(step, name), f"{name} | call: 约了下周二上门演示", now))
        if step.op == "release":
            return said(activity.release(ctx, self.actor(step, name), f"{name} | 预算取消，明年再说", now))
        if step.op in ("lost", "won"):
            stage = "lost" if step.op == "lost" else "won 12万"
            return said(activity.change_stage(ctx, self.actor(step, name), f"{name} | {stage}", now))
        if step.op == "dispute":
            opened = disputes.open_dispute(ctx, self.challenger(step, name), f"{name} | 我上周就拜访过他们", now)
            if opened.case is not None and opened.outcome == "opened":
                self.cases.append(opened.case.id)
            return said(opened)
        if step.op == "decide":
            case_id = self.pick_case(step, status="pending")
            if case_id is None:
                return "no case"
            return said(disputes.decide(ctx, manager, case_id, step.decision, now, claimant_share=step.share))
        if step.op == "appeal":
            case_id = self.pick_case(step, status="decided", kind="dispute")
            case = disputes.get_case(ctx, case_id) if case_id is not None else None
            if case is None:
                return "no case"
            losers = case.appealable_by if step.who < 4 else ()
            appellant = losers[step.other % len(losers)] if losers else (case.claimant, case.owner, *REPS)[step.other]
            opened = disputes.open_appeal(ctx, appellant, case.id, "请另一位经理再看一次", now)
            if opened.case is not None and opened.outcome == "opened":
                self.cases.append(opened.case.id)
            return said(opened)
        if step.op in ("handover", "manager_handover"):
            actor = manager if step.op == "manager_handover" else (self.owner(name) if step.who else None) or REPS[0]
            to = self.recipient(step, name)
            asked = handovers.request(ctx, actor, f"{name} <@{to}> | 调整区域，交给同事跟进", now)
            if asked.handover is not None and asked.outcome in ("requested", "transferred"):
                self.handovers.append(asked.handover.id)
            return said(asked)
        if step.op in ("approve", "reject"):
            handover_id = self.pick_handover(step, status="pending")
            if handover_id is None:
                return "no handover"
            decide = handovers.approve if step.op == "approve" else handovers.reject
            return said(decide(ctx, manager, handover_id, now))
        if step.op == "decline":
            handover_id = self.pick_handover(step, status="transferred")
            view = handovers.get_handover(ctx, handover_id) if handover_id is not None else None
            if view is None:
                return "no handover"
            return said(handovers.decline(ctx, view.to_rep if step.who >= 3 else REPS[step.who], view.id, now))
        if step.op == "assign":
            return said(handovers.assign(ctx, manager, f"{name} <@{self.recipient(step, name)}>", now))
        if step.op == "offboard":
            leaving = REPS[step.who % 3]
            successor = None if step.pick % 2 or REPS[step.other] == leaving else REPS[step.other]
            return said(handovers.offboard(ctx, manager, leaving, successor, now))
        if step.op == "expire":  # two days on: undecided cases expire, decline windows close
            self.now = now = now + timedelta(hours=49)
            expired = disputes.expire_due(ctx, now)
            return f"expired {len(expired)}, closed {handovers.close_decline_windows(ctx, now)}"
        if step.op == "recycle":  # days pass without follow-ups: the clocks run out
            self.now = now = now + timedelta(days=step.hours // 8)
            return f"recycled {sweeps.recycle_due(ctx, now).recycled}"
        raise AssertionError(step.op)


def said(result: object) -> str:
    refusal = getattr(result, "refusal", None)
    outcome = str(getattr(result, "outcome", result))
    return f"{outcome} ({refusal})" if refusal else outcome


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated once; each example starts from a copy of it."""
    path = tmp_path_factory.mktemp("migrated") / "claimbot.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@settings(max_examples=40, deadline=None)
@given(first_owner=st.integers(0, 2), sequence=st.lists(steps, min_size=15, max_size=40))
def test_replaying_the_audit_log_gives_every_owner_after_random_sequences(
    migrated_sqlite: Path, first_owner: int, sequence: list[Step]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:  # a fresh database per example
        for suffix in ("", "-wal"):
            if Path(f"{migrated_sqlite}{suffix}").exists():
                shutil.copy(f"{migrated_sqlite}{suffix}", Path(tmp) / f"claimbot.db{suffix}")
        ctx = make_ctx(f"sqlite:///{Path(tmp) / 'claimbot.db'}", migrated=True)
        try:
            world = World(ctx)
            world.start(first_owner)
            for step in sequence:
                world.run(step)
            assert_audit_log_replays(ctx)
        finally:
            ctx.engine.dispose()


# --- one fixed script, on SQLite and PostgreSQL


def test_a_scripted_history_replays_exactly(engine_url: str) -> None:
    ctx = make_ctx(engine_url)
    try:
        _scripted_history(ctx)
    finally:
        ctx.engine.dispose()


def test_an_appeal_kept_records_the_co_owner_it_removes(engine_url: str) -> None:
    """Two collisions make Bob and then Carol co-owner of Alice's customer; Bob appeals the first and the
    appeal is kept. Whoever stops co-owning then, the audit record must name that rep."""
    ctx = make_ctx(engine_url)
    try:
        globex = NAMES[2]
        assert claims.claim(ctx, "U0ALICE", ClaimRequest(name=globex), T0).outcome == "created"
        first = disputes.open_dispute(ctx, "U0BOB", f"{globex} | 我先拜访的", T0 + timedelta(hours=1)).case
        assert first is not None
        assert disputes.decide(ctx, "U0MGR1", first.id, "coown", T0 + timedelta(hours=2)).outcome == "decided"
        second = disputes.open_dispute(ctx, "U0CAROL", f"{globex} | 客户是我介绍的", T0 + timedelta(hours=3)).case
        assert second is not None
        assert disputes.decide(ctx, "U0MGR2", second.id, "coown", T0 + timedelta(hours=4)).outcome == "decided"
        appeal = disputes.open_appeal(ctx, "U0BOB", first.id, "应该整单归我", T0 + timedelta(hours=5)).case
        assert appeal is not None
        assert disputes.decide(ctx, "U0MGR2", appeal.id, "keep", T0 + timedelta(hours=6)).outcome == "decided"
        assert_audit_log_replays(ctx)
    finally:
        ctx.engine.dispose()


def _scripted_history(ctx: ServiceContext) -> None:
    star, cloud, globex, initech, blue = NAMES
    clock = [T0]

    def at(hours: int = 3) -> datetime:
        clock[0] += timedelta(hours=hours)
        return clock[0]

    def claim(rep: str, name: str) -> str:
        return claims.claim(ctx, rep, ClaimRequest(name=name), at()).outcome

    assert claim("U0ALICE", star) == "created"
    assert claim("U0ALICE", cloud) == "created"
    assert claim("U0BOB", globex) == "created"
    assert claim("U0CAROL", initech) == "created"
    assert claim("U0CAROL", blue) == "created"
    assert claim("U0BOB", star) == "owned_by_other"  # no record for a refusal

    # release, then someone else claims it from the pool; lost returns it; won keeps it
    assert activity.release(ctx, "U0ALICE", f"{cloud} | 预算取消", at()).outcome == "released"
    assert claim("U0BOB", cloud) == "claimed"
    assert activity.change_stage(ctx, "U0CAROL", f"{initech} | lost", at()).outcome == "changed"
    assert activity.change_stage(ctx, "U0BOB", f"{globex} | won 120000", at()).outcome == "changed"

    # a dispute decided "transfer", appealed by the loser, kept on appeal by the other manager
    case = disputes.open_dispute(ctx, "U0BOB", f"{star} | 我先拜访的", at()).case
    assert case is not None
    assert disputes.decide(ctx, "U0MGR1", case.id, "transfer", at()).outcome == "decided"
    appeal = disputes.open_appeal(ctx, "U0ALICE", case.id, "我有更早的邮件记录", at()).case
    assert appeal is not None
    assert disputes.decide(ctx, "U0MGR1", appeal.id, "transfer", at()).refusal == "same_decider"
    assert disputes.decide(ctx, "U0MGR2", appeal.id, "keep", at()).outcome == "decided"

    # a dispute decided "co-own", then the owner's appeal kept: the owner alone again
    case = disputes.open_dispute(ctx, "U0ALICE", f"{blue} | 同一个采购负责人", at()).case
    assert case is not None
    assert disputes.decide(ctx, "U0MGR2", case.id, "coown", at(), claimant_share=40).outcome == "decided"
    snapshot = assert_audit_log_replays(ctx)
    assert snapshot.owners()[case.customer.id] == ("U0CAROL", "U0ALICE")
    appeal = disputes.open_appeal(ctx, "U0CAROL", case.id, "应该整单归我", at()).case
    assert appeal is not None
    assert disputes.decide(ctx, "U0MGR1", appeal.id, "keep", at()).outcome == "decided"

    # a dispute nobody decides: expired, the owner keeps it
    case = disputes.open_dispute(ctx, "U0CAROL", f"{cloud} | 客户主动联系了我", at()).case
    assert case is not None
    [expired] = disputes.expire_due(ctx, at(hours=49))
    assert expired.outcome == "expired"

    # handovers: requested and approved, then declined (back to the owner); requested and rejected;
    # a manager's own handover
    h = handovers.request(ctx, "U0BOB", f"{cloud} <@U0CAROL> | 调整区域", at()).handover
    assert h is not None and h.status == "pending"
    assert handovers.approve(ctx, "U0MGR1", h.id, at()).outcome == "transferred"
    assert handovers.decline(ctx, "U0CAROL", h.id, at()).outcome == "declined"
    h = handovers.request(ctx, "U0BOB", f"{cloud} <@U0ALICE> | 调整区域", at()).handover
    assert h is not None
    assert handovers.reject(ctx, "U0MGR2", h.id, at()).outcome == "rejected"
    assert handovers.request(ctx, "U0MGR2", f"{star} <@U0CAROL> | 区域调整", at()).outcome == "transferred"

    # assignment from the pool and from an owner
    assert handovers.assign(ctx, "U0MGR1", f"{initech} <@U0ALICE>", at()).outcome == "assigned"
    assert handovers.assign(ctx, "U0MGR1", f"{blue} <@U0BOB>", at()).outcome == "assigned"

    # offboarding: Carol's customers to Alice while under the cap, then Bob's to the pool
    done = handovers.offboard(ctx, "U0MGR2", "U0CAROL", "U0ALICE", at())
    assert done.outcome == "done" and [c.name for c in done.moved] == [star]
    done = handovers.offboard(ctx, "U0MGR2", "U0BOB", None, at())
    assert done.outcome == "done" and sorted(c.name for c in done.to_pool) == sorted([cloud, globex, blue])

    r = assert_audit_log_replays(ctx)
    with read_session(ctx.engine) as s:
        by_name = {c.name: c.id for c in s.exec(select(Customer)).all()}
        kinds = {e.kind for e in s.exec(select(OwnershipEvent)).all()}
        assert s.exec(select(Case).where(Case.status == "pending")).all() == []
        assert {h.status for h in s.exec(select(Handover)).all()} == {"declined", "rejected", "transferred"}
    assert kinds == {"claim", "release", "lost", "transfer", "coown", "coown_end", "assign"}
    assert {name: r.owners()[cid] for name, cid in by_name.items()} == {
        star: ("U0ALICE", None), cloud: None, globex: None, initech: ("U0ALICE", None), blue: None,
    }
