"""Customer complaints at the service level, on SQLite and PostgreSQL: logging, who is told, the due day,
who may resolve, resolving once, and what the digest and the scorecard read."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.config import ClaimSettings, ComplaintSettings, Settings, TeamSettings
from bot.services import activity, complaints, outbox
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import Complaint, Outbox, Refusal
from tests.test_claim_service import NOW, claim

TODAY = date(2026, 11, 27)  # NOW is 10:00 on Friday 27 November 2026 in Shanghai


def make_ctx(url: str, *, approvals: str | None = None, count: str = "calendar_days", due_days: int = 3):
    migrate.upgrade(url)
    settings = Settings(database_url=url, team=TeamSettings(managers=["U0MGR1", "U0MGR2"], approvals_channel=approvals),
                        claims=ClaimSettings(count=count), complaints=ComplaintSettings(due_days=due_days))
    return ServiceContext(engine=make_engine(url), settings=settings)


def rows(ctx, model, *where):
    with read_session(ctx.engine) as s:
        return s.exec(select(model).where(*where).order_by(model.id)).all()


def notices(ctx):
    return [(o.key, o.channel, o.kind) for o in rows(ctx, Outbox)]


def test_logging_tells_the_owner_and_each_manager_and_sets_the_due_day(engine_url):
    ctx = make_ctx(engine_url)
    acme = claim(ctx, "U0ALICE", "Acme Corp").customer
    result = complaints.log(ctx, "U0BOB", "Acme Corp | 客户说发票开错了 <!channel>", NOW)
    assert result.outcome == "logged", result
    c = result.complaint
    assert (c.customer_id, c.owner, c.raised_by, c.text, c.status) == (
        acme.id, "U0ALICE", "U0BOB", "客户说发票开错了 <!channel>", "open")
    assert c.due_on == date(2026, 11, 30)  # 3 calendar days after Friday the 27th
    assert result.told == ("U0ALICE", "U0MGR1", "U0MGR2")
    assert notices(ctx) == [
        (f"complaint:{c.id}:owner", "U0ALICE", "complaint_owner"),
        (f"complaint:{c.id}:managers:U0MGR1", "U0MGR1", "complaint_managers"),
        (f"complaint:{c.id}:managers:U0MGR2", "U0MGR2", "complaint_managers"),
    ]
    [row] = rows(ctx, Complaint)
    assert (row.owner_id, row.due_on, row.status, row.resolution) == ("U0ALICE", date(2026, 11, 30), "open", None)
    ctx.engine.dispose()


def test_the_approvals_channel_gets_one_message_and_a_short_id_needs_no_separator(engine_url):
    ctx = make_ctx(engine_url, approvals="C0MGRS")
    acme = claim(ctx, "U0ALICE", "Acme Corp").customer
    result = complaints.log(ctx, "U0ALICE", f"{acme.short_id} 客户说发票错了", NOW)
    assert result.outcome == "logged" and result.complaint.text == "客户说发票错了"
    assert [(key.split(":", 2)[2], channel) for key, channel, _ in notices(ctx)] == [
        ("owner", "U0ALICE"), ("managers:C0MGRS", "C0MGRS")]
    ctx.engine.dispose()


def test_due_days_count_working_days_when_the_clocks_do(engine_url):
    ctx = make_ctx(engine_url, count="working_days")
    claim(ctx, "U0ALICE", "Acme Corp")
    result = complaints.log(ctx, "U0BOB", "Acme Corp | wrong invoice", NOW)
    assert result.complaint.due_on == date(2026, 12, 2)  # Mon 30, Tue 1, Wed 2: the weekend doesn't count
    ctx.engine.dispose()


def test_bad_input_writes_nothing(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    empty = complaints.log(ctx, "U0BOB", "Acme Corp |   ", NOW)
    assert (empty.outcome, empty.error.code) == ("invalid", "complaint.needs_text")
    unknown = complaints.log(ctx, "U0BOB", "Nobody Knows Ltd | rude on the phone", NOW)
    assert (unknown.outcome, unknown.query) == ("not_found", "Nobody Knows Ltd")
    too_long = complaints.log(ctx, "U0BOB", "Acme Corp | " + "长" * 3001, NOW)
    assert (too_long.outcome, too_long.error.code) == ("invalid", "error.note_too_long")
    gone = complaints.log(ctx, "U0BOB", "rude on the phone", NOW, customer_id=999_999)
    assert gone.outcome == "not_found"
    assert rows(ctx, Complaint) == [] and notices(ctx) == []
    ctx.engine.dispose()


def test_a_pool_customer_has_no_owner_so_only_the_managers_are_told(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    activity.release(ctx, "U0ALICE", "Acme Corp | no budget this year", NOW)
    result = complaints.log(ctx, "U0BOB", "Acme Corp | nobody calls us back", NOW)
    assert result.complaint.owner is None and result.told == ("U0MGR1", "U0MGR2")
    # nobody but a manager may resolve it
    assert complaints.resolve(ctx, "U0ALICE", result.complaint.id, "called back", NOW).refusal == "not_allowed"
    ctx.engine.dispose()


def test_only_the_owner_when_logged_or_a_manager_may_resolve(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    c = complaints.log(ctx, "U0CAROL", "Acme Corp | invoice wrong", NOW).complaint
    # the customer moves on: Bob owns it now, but the complaint stays Alice's
    activity.release(ctx, "U0ALICE", "Acme Corp | handing it back", NOW + timedelta(hours=1))
    claim(ctx, "U0BOB", "Acme Corp", NOW + timedelta(hours=2))
    for who in ("U0BOB", "U0CAROL"):  # the new owner, and the rep who logged it
        checked = complaints.check_resolve(ctx, who, c.id, NOW)
        refused = complaints.resolve(ctx, who, c.id, "sent a new invoice", NOW)
        assert (checked.outcome, refused.outcome, refused.refusal) == ("refused", "refused", "not_allowed")
    assert complaints.check_resolve(ctx, "U0ALICE", c.id, NOW).outcome == "may_resolve"
    assert complaints.check_resolve(ctx, "U0MGR2", c.id, NOW).outcome == "may_resolve"
    assert complaints.get(ctx, c.id).status == "open"
    refusals = [(r.actor, r.action, r.subject, r.reason) for r in rows(ctx, Refusal)]
    assert refusals == [("U0BOB", "complaint_resolve", f"complaint {c.id}", "not_allowed")] * 2 + \
        [("U0CAROL", "complaint_resolve", f"complaint {c.id}", "not_allowed")] * 2
    done = complaints.resolve(ctx, "U0ALICE", c.id, "  sent a corrected invoice  ", NOW + timedelta(days=1))
    assert done.outcome == "resolved"
    assert (done.complaint.resolution, done.complaint.resolved_by) == ("sent a corrected invoice", "U0ALICE")
    ctx.engine.dispose()


def test_the_resolve_button_opens_its_form_while_another_writer_holds_the_lock(tmp_path):
    # views.open must follow the click within 3 s: checking who may resolve only reads, so it does not
    # queue behind a long write (a sweep, an import) for SQLite's write lock
    ctx = make_ctx(f"sqlite:///{tmp_path / 'busy.db'}")
    claim(ctx, "U0ALICE", "Acme Corp")
    c = complaints.log(ctx, "U0CAROL", "Acme Corp | invoice wrong", NOW).complaint
    answers: list[str] = []
    with ctx.engine.connect() as writer:
        writer.exec_driver_sql("COMMIT")  # the engine began a deferred transaction: take the write lock instead
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        checking = threading.Thread(target=lambda: answers.append(
            complaints.check_resolve(ctx, "U0ALICE", c.id, NOW).outcome), daemon=True)
        checking.start()
        checking.join(timeout=5)
        while_locked = list(answers)
        writer.exec_driver_sql("ROLLBACK")
    checking.join(timeout=20)
    assert while_locked == ["may_resolve"]
    ctx.engine.dispose()


def test_resolving_works_once_and_tells_the_person_who_logged_it(engine_url):
    ctx = make_ctx(engine_url, approvals="C0MGRS")
    claim(ctx, "U0ALICE", "Acme Corp")
    c = complaints.log(ctx, "U0BOB", "Acme Corp | invoice wrong", NOW).complaint
    # the owner's DM went out; the managers' message has not been sent yet
    leased = {n.kind: n for n in outbox.lease_due(ctx, NOW)}
    outbox.mark_sent(ctx, leased["complaint_owner"].id, "1700000000.000100", NOW)
    outbox.retry_later(ctx, leased["complaint_managers"].id, NOW, "503", count=True)
    empty = complaints.resolve(ctx, "U0MGR1", c.id, "   ", NOW)
    assert (empty.outcome, empty.error.code) == ("invalid", "complaint.needs_resolution")
    first = complaints.resolve(ctx, "U0MGR1", c.id, "credit note sent", NOW + timedelta(hours=3))
    assert first.outcome == "resolved" and first.told == ("U0BOB", "U0ALICE")
    # each message with Resolve is replaced once it has landed: one update per post, through the outbox
    updates = {json.loads(o.data)["update_of"]: o for o in rows(ctx, Outbox) if ":update:" in o.key}
    assert set(updates) == {f"complaint:{c.id}:owner", f"complaint:{c.id}:managers:C0MGRS"}
    assert json.loads(updates[f"complaint:{c.id}:owner"].data)["complaint"]["resolution"] == "credit note sent"
    second = complaints.resolve(ctx, "U0MGR2", c.id, "called them too", NOW + timedelta(hours=4))
    assert (second.outcome, second.refusal) == ("refused", "already_resolved")
    assert len(rows(ctx, Outbox)) == len(updates) + 4  # two posts, two told of the resolution: nothing new
    [row] = rows(ctx, Complaint)
    assert (row.status, row.resolution, row.resolved_by) == ("resolved", "credit note sent", "U0MGR1")
    assert [r.reason for r in rows(ctx, Refusal)] == ["already_resolved"]
    told = {o.channel: json.loads(o.data)["complaint"] for o in rows(ctx, Outbox, Outbox.kind == "complaint_resolved")}
    assert set(told) == {"U0BOB", "U0ALICE"} and told["U0BOB"]["resolution"] == "credit note sent"
    # a button message still waiting to be sent goes out resolved, without its button
    [managers] = rows(ctx, Outbox, Outbox.key == f"complaint:{c.id}:managers:C0MGRS")
    assert json.loads(managers.data)["complaint"]["status"] == "resolved"
    ctx.engine.dispose()


def test_two_managers_at_the_same_moment_resolve_it_once(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    c = complaints.log(ctx, "U0BOB", "Acme Corp | invoice wrong", NOW).complaint
    barrier, results = threading.Barrier(2), {}

    def resolve(manager):
        barrier.wait()
        results[manager] = complaints.resolve(ctx, manager, c.id, f"handled by {manager}", NOW)

    threads = [threading.Thread(target=resolve, args=(m,)) for m in ("U0MGR1", "U0MGR2")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    outcomes = sorted((r.outcome, r.refusal) for r in results.values())
    assert outcomes == [("refused", "already_resolved"), ("resolved", None)]
    [row] = rows(ctx, Complaint)
    winner = next(m for m, r in results.items() if r.outcome == "resolved")
    assert (row.resolved_by, row.resolution) == (winner, f"handled by {winner}")
    ctx.engine.dispose()


def test_the_digest_lists_open_complaints_and_counts_the_overdue(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    claim(ctx, "U0BOB", "Globex Ltd")
    old = complaints.log(ctx, "U0CAROL", "Acme Corp | invoice wrong", NOW).complaint  # due 30 Nov
    new = complaints.log(ctx, "U0CAROL", "Globex Ltd | late delivery", NOW + timedelta(days=2)).complaint  # 2 Dec
    with read_session(ctx.engine) as s:
        section, overdue = complaints.open_for_digest(s, date(2026, 11, 30))
    assert overdue == 0 and [(i.id, i.owner, i.due_on, i.days_overdue) for i in section.items] == [
        (old.id, "U0ALICE", "2026-11-30", 0), (new.id, "U0BOB", "2026-12-02", 0)]
    with read_session(ctx.engine) as s:
        section, overdue = complaints.open_for_digest(s, date(2026, 12, 3))
    assert (section.total, overdue) == (2, 2)
    assert [(i.customer.name, i.days_overdue) for i in section.items] == [("Acme Corp", 3), ("Globex Ltd", 1)]
    complaints.resolve(ctx, "U0ALICE", old.id, "credit note sent", NOW + timedelta(days=5))
    with read_session(ctx.engine) as s:
        section, overdue = complaints.open_for_digest(s, date(2026, 12, 3))
    assert (section.total, overdue, [i.id for i in section.items]) == (1, 1, [new.id])
    ctx.engine.dispose()


def test_counts_for_the_scorecard(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    claim(ctx, "U0ALICE", "Initech LLC")
    claim(ctx, "U0BOB", "Globex Ltd")
    a = complaints.log(ctx, "U0CAROL", "Acme Corp | invoice wrong", NOW).complaint  # Fri 27 Nov, due 30 Nov
    complaints.log(ctx, "U0CAROL", "Initech LLC | rude", NOW + timedelta(days=3))  # Mon 30 Nov, due 3 Dec
    complaints.log(ctx, "U0CAROL", "Globex Ltd | late", NOW)  # Bob's
    complaints.resolve(ctx, "U0ALICE", a.id, "credit note", NOW + timedelta(days=4))  # Tue 1 Dec
    with read_session(ctx.engine) as s:
        week = complaints.counts(s, ctx, "U0ALICE", date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 4))
        last_week = complaints.counts(s, ctx, "U0ALICE", date(2026, 11, 23), date(2026, 11, 29), date(2026, 11, 29))
        bob = complaints.counts(s, ctx, "U0BOB", date(2026, 11, 23), date(2026, 11, 29), date(2026, 12, 4))
    assert (week.opened, week.open, week.overdue, week.resolved) == (1, 1, 1, 1)
    assert (last_week.opened, last_week.open, last_week.overdue, last_week.resolved) == (1, 1, 0, 0)
    assert (bob.opened, bob.open, bob.overdue, bob.resolved) == (1, 1, 1, 0)
    ctx.engine.dispose()


def test_a_complaint_logged_just_before_local_midnight_counts_on_that_local_day(engine_url):
    ctx = make_ctx(engine_url)
    claim(ctx, "U0ALICE", "Acme Corp")
    late = datetime(2026, 11, 29, 15, 59, tzinfo=UTC)  # 23:59 Sunday in Shanghai
    c = complaints.log(ctx, "U0CAROL", "Acme Corp | invoice wrong", late).complaint
    assert c.due_on == date(2026, 12, 2)
    with read_session(ctx.engine) as s:
        sunday = complaints.counts(s, ctx, "U0ALICE", date(2026, 11, 29), date(2026, 11, 29), date(2026, 11, 29))
        monday = complaints.counts(s, ctx, "U0ALICE", date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 30))
    assert (sunday.opened, monday.opened) == (1, 0)
    ctx.engine.dispose()


def test_due_days_is_a_setting_with_a_floor(monkeypatch):
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="due_days"):
        Settings(complaints={"due_days": 0})
    monkeypatch.setenv("CLAIMBOT_COMPLAINTS__DUE_DAYS", "5")
    assert Settings().complaints.due_days == 5
