"""The claim's hot path (bot/services/claims.py on storage/claim_rows.py): same decisions as before, and
answers that write nothing are given without SQLite's write lock.

Real databases (SQLite file and PostgreSQL, migrated by Alembic); the only seam is a wrapper around the
claim's first look, to commit a competing change at exactly the moment a race would.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import activity, claims
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from bot.services.snapshots import active_ownership, snapshot, snapshot_of
from storage import claim_rows, migrate
from storage.engine import make_engine, read_session
from storage.lookup import stored_keys
from storage.models import Customer, OwnershipEvent, Rep

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def ctx(engine_url):
    migrate.upgrade(engine_url)
    context = ServiceContext(engine=make_engine(engine_url),
                             settings=Settings(database_url=engine_url, team=TeamSettings(), claims=ClaimSettings()))
    yield context
    context.engine.dispose()


def claim(ctx, rep, name, now=NOW, **kw):
    return claims.claim(ctx, rep, ClaimRequest(name=name, **kw), now)


def test_rows_read_by_core_equal_what_the_orm_reads(ctx):
    claim(ctx, "U0ALICE", "北京字节跳动科技有限公司", region="北京")
    activity.log_followup(ctx, "U0ALICE", "字节跳动 | call: 电话沟通了试点方案细节", NOW + timedelta(hours=3))
    claim(ctx, "U0BOB", "Initech LLC")
    activity.change_stage(ctx, "U0BOB", "Initech LLC | lost", NOW)
    with read_session(ctx.engine) as session:
        for customer in session.exec(select(Customer)).all():
            owner = active_ownership(session, customer.id)
            expected = snapshot(session, ctx, customer, owner)
            conn = session.connection()
            row = claim_rows.by_id(conn, customer.id)
            assert row is not None and row == claim_rows.exact(conn, stored_keys(customer))
            assert snapshot_of(ctx, row) == expected  # dates, clocks, owner, last activity
            assert (row.tier, row.stage, row.needs_review, row.region) == (customer.tier, customer.stage,
                                                                          customer.needs_review, customer.region)


def test_a_similar_name_committed_between_look_and_write_is_seen(ctx, monkeypatch):
    """Alice's look finds nothing like "Hooli Holdings"; before her write transaction Bob creates "Hooli
    Holding". Her claim must then ask "same company?" instead of creating a near-duplicate."""
    claim(ctx, "U0ALICE", "Warmup Ltd")  # Alice's rep row exists: the look may answer by itself
    look = claims._look
    raced = []

    def look_then_race(conn, ctx_, rep_id, *args):
        result = look(conn, ctx_, rep_id, *args)
        if rep_id == "U0ALICE" and not raced:
            raced.append(claims.claim(ctx, "U0BOB", ClaimRequest(name="Hooli Holding"), NOW))  # another connection
        return result

    monkeypatch.setattr(claims, "_look", look_then_race)
    r = claim(ctx, "U0ALICE", "Hooli Holdings")
    assert [x.outcome for x in raced] == ["created"]
    assert r.outcome == "confirm" and [c.customer.name for c in r.candidates] == ["Hooli Holding"]
    assert r.candidates[0].customer.owner == "U0BOB"


def test_an_owner_committed_between_look_and_write_wins(ctx, monkeypatch):
    claim(ctx, "U0ALICE", "Pied Piper Inc")
    activity.release(ctx, "U0ALICE", "Pied Piper Inc | 不做了", NOW)
    claim(ctx, "U0BOB", "Warmup Ltd")
    look = claims._look
    raced = []

    def look_then_race(conn, ctx_, rep_id, *args):
        result = look(conn, ctx_, rep_id, *args)
        if rep_id == "U0BOB" and not raced:
            raced.append(claims.claim(ctx, "U0CAROL", ClaimRequest(name="Pied Piper Inc"), NOW))
        return result

    monkeypatch.setattr(claims, "_look", look_then_race)
    r = claim(ctx, "U0BOB", "Pied Piper Inc")
    assert [x.outcome for x in raced] == ["claimed"]
    assert r.outcome == "owned_by_other" and r.customer.owner == "U0CAROL"
    with read_session(ctx.engine) as s:
        kinds = [(e.kind, e.to_rep) for e in s.exec(select(OwnershipEvent).order_by(OwnershipEvent.id)).all()]
    assert kinds == [("claim", "U0ALICE"), ("release", None), ("claim", "U0BOB"), ("claim", "U0CAROL")]


def test_a_new_rep_is_recorded_even_when_the_answer_writes_nothing(ctx):
    claim(ctx, "U0ALICE", "Hooli Holdings")
    assert claim(ctx, "U0NEW", "Hooli Holdings").outcome == "owned_by_other"
    assert claim(ctx, "U0NEW2", "C-999999").outcome == "not_found"
    with read_session(ctx.engine) as s:
        assert {r.id for r in s.exec(select(Rep)).all()} >= {"U0ALICE", "U0NEW", "U0NEW2"}


def test_a_claim_from_the_pool_resets_a_lost_funnel_and_fills_empty_fields_only(ctx):
    claim(ctx, "U0ALICE", "Globex Corporation", uscc="91350100M000100Y43")
    initech = claim(ctx, "U0ALICE", "Initech LLC").customer.id
    activity.change_stage(ctx, "U0ALICE", "Initech LLC | lost", NOW)
    # picked after a "same company?" prompt, with Globex's code typed in; its tier B is kept (not empty)
    r = claim(ctx, "U0BOB", "Initech", same_as=initech, tier="A", region="Austin", uscc="91350100M000100Y43")
    assert (r.outcome, r.customer.stage, r.customer.tier, r.customer.owner) == ("claimed", "lead", "B", "U0BOB")
    with read_session(ctx.engine) as s:
        initech = s.exec(select(Customer).where(Customer.name == "Initech LLC")).one()
        # the code identifies Globex already: never moved; the empty region is filled
        assert (initech.region, initech.uscc, initech.amount) == ("Austin", None, None)


def test_answers_that_write_nothing_do_not_wait_for_the_write_lock(sqlite_url):
    migrate.upgrade(sqlite_url)
    ctx = ServiceContext(engine=make_engine(sqlite_url), settings=Settings(database_url=sqlite_url))
    for rep, name in (("U0ALICE", "Hooli Holdings"), ("U0BOB", "Globex Corporation")):
        claim(ctx, rep, name)
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock
    try:
        started = time.monotonic()
        assert claim(ctx, "U0ALICE", "Hooli Holdings").outcome == "already_yours"
        assert claim(ctx, "U0ALICE", "Globex Corporation").outcome == "owned_by_other"
        assert claim(ctx, "U0ALICE", "Hooli Holding").outcome == "confirm"
        assert time.monotonic() - started < 5  # a write transaction would have waited 15 s, then failed
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert claim(ctx, "U0ALICE", "Hooli Holding", different=True).outcome == "created"
    ctx.engine.dispose()
