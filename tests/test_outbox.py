"""The outbox: each notice decided once, delivered once, through 429s and 5xx, one per second per channel."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlmodel import select

from bot.config import Settings, TeamSettings
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.slack.delivery import EVENT_TYPE, MAX_BACKOFF_S, DeliveryStats, Dispatcher
from storage import migrate
from storage.engine import make_engine, read_session, write_session
from storage.models import Outbox

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@pytest.fixture
def ctx(engine_url, standin):
    migrate.upgrade(engine_url)
    settings = Settings(database_url=engine_url, slack_bot_token="xoxb-test", slack_api_url=standin.api_url,
                        team=TeamSettings(language="en"))
    context = ServiceContext(make_engine(engine_url), settings)
    yield context
    context.engine.dispose()


def enqueue(ctx, key, channel="C0SALES", text="hello"):
    with write_session(ctx.engine) as s:
        return outbox.enqueue(s, key=key, channel=channel, kind="generic", data={"text": text}, now=NOW)


def posts(standin):
    return [c for c in standin.calls_for("chat.postMessage", ok_only=True)]


def test_a_key_is_decided_once(ctx):
    assert enqueue(ctx, "digest:2026-11-27") is True
    assert enqueue(ctx, "digest:2026-11-27", text="again") is False
    with read_session(ctx.engine) as s:
        assert [r.data for r in s.exec(select(Outbox)).all()] == [json.dumps({"text": "hello"})]


def test_delivered_once_with_its_key_in_metadata(ctx, standin):
    enqueue(ctx, "remind:1", channel="U0BOB", text="<!channel> ping")
    stats = Dispatcher(ctx).flush(max_seconds=10)
    assert stats.sent == 1
    [call] = posts(standin)
    assert call.params["channel"] == "U0BOB" and call.params["text"] == "&lt;!channel&gt; ping"
    assert call.params["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"key": "remind:1"}}
    assert Dispatcher(ctx).flush(max_seconds=2).sent == 0  # nothing twice
    assert len(posts(standin)) == 1


def test_rate_limits_and_server_errors_are_retried_and_nothing_is_sent_twice(ctx, standin):
    for i in range(4):
        enqueue(ctx, f"digest:{i}", channel="C0SALES", text=f"digest {i}")
        enqueue(ctx, f"dm:{i}", channel="U0ALICE", text=f"dm {i}")
    standin.fail_next("chat.postMessage", 429, retry_after=1, times=2)
    standin.fail_next("chat.postMessage", 500, times=2)
    standin.fail_next("chat.postMessage", 503, times=1)
    stats = Dispatcher(ctx).flush(max_seconds=60)
    delivered = posts(standin)
    assert sorted(c.params["metadata"]["event_payload"]["key"] for c in delivered) == sorted(
        [f"digest:{i}" for i in range(4)] + [f"dm:{i}" for i in range(4)])
    assert stats.retried >= 5
    by_channel = defaultdict(list)
    for call in standin.calls_for("chat.postMessage"):  # every attempt, failed or not
        by_channel[call.params["channel"]].append(call.at)
    for channel, times in by_channel.items():
        gaps = [b - a for a, b in pairwise(times)]
        assert min(gaps) >= 0.95, (channel, gaps)
    with read_session(ctx.engine) as s:
        assert {r.status for r in s.exec(select(Outbox)).all()} == {"sent"}


def test_a_sender_that_died_after_sending_is_not_repeated(ctx, standin):
    enqueue(ctx, "recycle:7", channel="U0BOB", text="recycled")
    # A first process leased and sent it, then died before recording the send.
    [notice] = outbox.lease_due(ctx, datetime.now(UTC))
    Dispatcher(ctx).client.chat_postMessage(channel="U0BOB", text="recycled",
                                            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": "recycle:7"}})
    with write_session(ctx.engine) as s:
        row = s.get(Outbox, notice.id)
        row.lease_until = datetime.now(UTC) - timedelta(seconds=1)
        s.add(row)
    stats = Dispatcher(ctx).flush(max_seconds=5)
    assert (stats.sent, stats.already_sent) == (0, 1)
    assert len(posts(standin)) == 1


def test_a_sender_that_died_before_sending_is_completed(ctx, standin):
    enqueue(ctx, "recycle:8", channel="U0BOB", text="recycled")
    [notice] = outbox.lease_due(ctx, datetime.now(UTC))
    with write_session(ctx.engine) as s:
        row = s.get(Outbox, notice.id)
        row.lease_until = datetime.now(UTC) - timedelta(seconds=1)
        s.add(row)
    assert Dispatcher(ctx).flush(max_seconds=5).sent == 1
    assert len(posts(standin)) == 1


def test_a_batch_that_outlived_its_lease_does_not_send_what_another_sender_took(ctx, standin):
    enqueue(ctx, "remind:20", channel="U0BOB", text="first")
    enqueue(ctx, "remind:21", channel="U0CAROL", text="second")
    # Sender A leases both, then is slow (Slack, Retry-After) past its lease ...
    slow = outbox.lease_due(ctx, datetime.now(UTC))
    assert [n.key for n in slow] == ["remind:20", "remind:21"]
    with write_session(ctx.engine) as s:
        for row in s.exec(select(Outbox)).all():
            row.lease_until = datetime.now(UTC) - timedelta(seconds=1)
            s.add(row)
    # ... so sender B leases them again and sends both.
    assert Dispatcher(ctx).flush(max_seconds=5).sent == 2
    # A finally gets to its batch: each notice is checked before sending, and nothing goes twice.
    a, stats = Dispatcher(ctx), DeliveryStats()
    for notice in slow:
        a._deliver(notice, stats)
    assert (stats.sent, stats.lost_lease) == (0, 2)
    assert sorted(c.params["text"] for c in posts(standin)) == ["first", "second"]


def test_a_sender_still_holding_its_lease_sends(ctx, standin):
    enqueue(ctx, "remind:22", channel="U0BOB", text="on time")
    [notice] = outbox.lease_due(ctx, datetime.now(UTC))
    stats = DeliveryStats()
    Dispatcher(ctx)._deliver(notice, stats)
    assert (stats.sent, stats.lost_lease) == (1, 0)
    assert [c.params["text"] for c in posts(standin)] == ["on time"]


def admins_ctx(ctx, admins):
    settings = ctx.settings.model_copy(update={"team": ctx.settings.team.model_copy(update={"admins": admins})})
    return ServiceContext(ctx.engine, settings)


def rows(ctx):
    with read_session(ctx.engine) as s:
        return {r.key: r for r in s.exec(select(Outbox)).all()}


def test_a_permanent_refusal_fails_at_once_and_each_admin_is_told_once(ctx, standin):
    ctx = admins_ctx(ctx, ["U0ADMIN", "U0MGR1"])
    standin.refuse_channel("C0GONE", "not_in_channel")
    enqueue(ctx, "digest:1", channel="C0GONE", text="one")
    enqueue(ctx, "digest:2", channel="C0GONE", text="two")
    stats = Dispatcher(ctx).flush(max_seconds=20)
    assert stats.failed == 2 and stats.retried == 0
    found = rows(ctx)
    assert [(found[k].status, found[k].attempts, found[k].last_error) for k in ("digest:1", "digest:2")] == \
        [("failed", 0, "not_in_channel")] * 2
    assert found["digest:1"].failed_at is not None
    told = [c for c in posts(standin) if c.params["channel"] in ("U0ADMIN", "U0MGR1")]
    assert sorted(c.params["channel"] for c in told) == ["U0ADMIN", "U0MGR1"]  # one channel, one error: once
    assert "not_in_channel" in told[0].params["text"] and "<#C0GONE>" in told[0].params["text"]
    assert len([c for c in standin.calls_for("chat.postMessage") if c.params["channel"] == "C0GONE"]) == 2


def test_an_alert_that_fails_alerts_nobody(ctx, standin):
    ctx = admins_ctx(ctx, ["U0ADMIN"])
    standin.refuse_channel("C0GONE")
    standin.refuse_channel("U0ADMIN", "cannot_dm_bot")
    enqueue(ctx, "digest:3", channel="C0GONE")
    Dispatcher(ctx).flush(max_seconds=20)
    found = rows(ctx)
    assert sorted((r.kind, r.status, r.last_error) for r in found.values()) == [
        ("delivery_failed", "failed", "cannot_dm_bot"), ("generic", "failed", "not_in_channel")]


def test_a_notice_that_used_up_its_attempts_is_reported(ctx, standin):
    ctx = admins_ctx(ctx, ["U0ADMIN"])
    enqueue(ctx, "remind:30", channel="U0BOB")
    with write_session(ctx.engine) as s:
        row = s.exec(select(Outbox)).one()
        row.attempts = outbox.MAX_ATTEMPTS - 1
        s.add(row)
    standin.fail_next("chat.postMessage", 503)
    Dispatcher(ctx).flush(max_seconds=10)
    found = rows(ctx)
    assert (found["remind:30"].status, found["remind:30"].last_error) == ("failed", "503 service_unavailable")
    [alert] = [c for c in posts(standin) if c.params["channel"] == "U0ADMIN"]
    assert "503 service_unavailable" in alert.params["text"] and "<@U0BOB>" in alert.params["text"]


def test_an_update_waits_for_its_post_and_is_dropped_when_the_post_failed(ctx, standin):
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="case:1:managers:U0MGR1", channel="U0MGR1", kind="generic", data={"text": "decide"},
                       now=NOW)
        outbox.enqueue(s, key="case:1:decided:update:U0MGR1", channel="U0MGR1", kind="generic",
                       data={"text": "decided", "update_of": "case:1:managers:U0MGR1"}, now=NOW)
        post = s.exec(select(Outbox).where(Outbox.key == "case:1:managers:U0MGR1")).one()
        post.next_attempt_at = datetime.now(UTC) + timedelta(seconds=2)  # still on its way
        s.add(post)
    Dispatcher(ctx).flush(max_seconds=1)
    waiting = rows(ctx)["case:1:decided:update:U0MGR1"]
    assert (waiting.status, waiting.attempts) == ("pending", 0) and standin.calls_for("chat.update") == []
    Dispatcher(ctx).flush(max_seconds=10)
    found = rows(ctx)
    [posted] = posts(standin)
    [updated] = standin.calls_for("chat.update")
    assert (updated.params["channel"], updated.params["ts"]) == (posted.response["channel"], posted.response["ts"])
    assert updated.params["channel"] == "D0MGR1" and updated.params["text"] == "decided"
    assert (found["case:1:managers:U0MGR1"].posted_channel, found["case:1:decided:update:U0MGR1"].status) == \
        ("D0MGR1", "sent")
    # a post Slack refused: its update is dropped, not sent and not reported a second time
    ctx = admins_ctx(ctx, ["U0ADMIN"])
    standin.refuse_channel("C0GONE")
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="case:2:managers:C0GONE", channel="C0GONE", kind="generic", data={"text": "x"}, now=NOW)
        outbox.enqueue(s, key="case:2:decided:update:C0GONE", channel="C0GONE", kind="generic",
                       data={"text": "y", "update_of": "case:2:managers:C0GONE"}, now=NOW)
        outbox.enqueue(s, key="case:2:decided:thread:C0GONE", channel="C0GONE", kind="generic",
                       data={"text": "z", "thread_of": "case:2:managers:C0GONE"}, now=NOW)
    stats = Dispatcher(ctx).flush(max_seconds=10)
    assert (stats.failed, stats.dropped) == (1, 2)
    found = rows(ctx)
    assert [found[k].status for k in ("case:2:managers:C0GONE", "case:2:decided:update:C0GONE",
                                      "case:2:decided:thread:C0GONE")] == ["failed", "dropped", "dropped"]
    assert len(standin.calls_for("chat.update")) == 1
    assert len([c for c in posts(standin) if c.params["channel"] == "U0ADMIN"]) == 1


def test_a_send_answered_too_late_is_found_and_not_sent_again(ctx, standin):
    settings = ctx.settings.model_copy(update={"schedule": ctx.settings.schedule.model_copy(
        update={"delivery_timeout_seconds": 0.5})})
    ctx = ServiceContext(ctx.engine, settings)
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="case:9:managers:C0MGRS", channel="C0MGRS", kind="generic", data={"text": "decide"},
                       now=NOW)
        outbox.enqueue(s, key="case:9:decided:thread:C0MGRS", channel="C0MGRS", kind="generic",
                       data={"text": "decided", "thread_of": "case:9:managers:C0MGRS"}, now=NOW)
    standin.delay_next("chat.postMessage", 1.5, times=2)  # Slack posts both, the answers come too late
    stats = Dispatcher(ctx).flush(max_seconds=30)
    assert (stats.retried, stats.already_sent, stats.sent) == (2, 2, 0)
    [post, note] = standin.messages("C0MGRS")
    assert (post["text"], note["text"], note["thread_ts"]) == ("decide", "decided", post["ts"])
    found = rows(ctx)
    assert (found["case:9:managers:C0MGRS"].posted_channel, found["case:9:managers:C0MGRS"].ts) == ("C0MGRS", post["ts"])
    assert found["case:9:decided:thread:C0MGRS"].ts == note["ts"]
    assert [c.params["ts"] for c in standin.calls_for("conversations.replies")] == [post["ts"]]  # a thread's own history


def test_a_send_that_lands_after_the_client_gave_up_is_found_not_sent_twice(ctx, standin):
    """Slack completes the post 1.6 s after the request, the client gave up at 0.5 s: the retry looks in
    the channel only after three time-outs (1.5 s, and the retry's own turn), finds it, and sends nothing."""
    settings = ctx.settings.model_copy(update={"schedule": ctx.settings.schedule.model_copy(
        update={"delivery_timeout_seconds": 0.5})})
    ctx = ServiceContext(ctx.engine, settings)
    enqueue(ctx, "digest:late", channel="C0SALES", text="the digest")
    standin.slow_next("chat.postMessage", 1.6)
    stats = Dispatcher(ctx).flush(max_seconds=30)
    assert (stats.retried, stats.already_sent, stats.sent) == (1, 1, 0)
    assert [m["text"] for m in standin.messages("C0SALES")] == ["the digest"]


def test_a_later_decision_s_update_is_not_overwritten_by_an_earlier_one_that_was_retried(ctx, standin):
    """A handover transferred, then declined: the transferred update meets a 503 and is still waiting when
    the declined one goes out; it is dropped, so the managers' message shows the decline."""
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="handover:1:managers:C0MGRS", channel="C0MGRS", kind="generic",
                       data={"text": "approve?"}, now=NOW)
    Dispatcher(ctx).flush(max_seconds=5)
    [post] = standin.messages("C0MGRS")
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="handover:1:transferred:update:C0MGRS", channel="C0MGRS", kind="generic",
                       data={"text": "transferred", "update_of": "handover:1:managers:C0MGRS"}, now=NOW)
    standin.fail_next("chat.update", 503)
    Dispatcher(ctx).flush(max_seconds=0.5, wait_for_retries=False)  # the first update is now waiting to retry
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="handover:1:declined:update:C0MGRS", channel="C0MGRS", kind="generic",
                       data={"text": "declined", "update_of": "handover:1:managers:C0MGRS"}, now=NOW)
    stats = Dispatcher(ctx).flush(max_seconds=20)
    assert stats.dropped == 1
    assert standin.message("C0MGRS", post["ts"])["text"] == "declined"
    found = rows(ctx)
    assert (found["handover:1:transferred:update:C0MGRS"].status,
            found["handover:1:declined:update:C0MGRS"].status) == ("dropped", "sent")


def test_slack_s_pace_and_outages_do_not_use_up_a_notice(ctx, standin):
    """A 429 is not a failed attempt, and a notice is tried for about a day before it is given up."""
    enqueue(ctx, "remind:31", channel="U0BOB")
    standin.fail_next("chat.postMessage", 429, retry_after=1, times=3)
    Dispatcher(ctx).flush(max_seconds=20)
    assert (rows(ctx)["remind:31"].status, rows(ctx)["remind:31"].attempts) == ("sent", 0)
    # a notice that has failed 100 times (hours into an outage) is still retried, at the back-off's cap
    enqueue(ctx, "remind:32", channel="U0ALICE")  # another channel: no wait for its turn
    with write_session(ctx.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == "remind:32")).one()
        row.attempts = 100
        s.add(row)
    standin.fail_next("chat.postMessage", 503)
    before = datetime.now(UTC)
    Dispatcher(ctx).flush(max_seconds=2, wait_for_retries=False)
    row = rows(ctx)["remind:32"]
    assert (row.status, row.attempts) == ("pending", 101)
    wait = (row.next_attempt_at.replace(tzinfo=UTC) if row.next_attempt_at.tzinfo is None
            else row.next_attempt_at) - before
    assert timedelta(seconds=MAX_BACKOFF_S - 5) <= wait <= timedelta(seconds=MAX_BACKOFF_S + 5)
    # and the attempts it is given span a day at that cap
    assert sum(min(2 ** n, MAX_BACKOFF_S) for n in range(outbox.MAX_ATTEMPTS - 1)) >= 24 * 3600


def test_what_a_refusing_channel_stopped_is_sent_again_once_the_bot_is_invited(ctx, standin):
    """The digest channel refused (ClaimBot not invited): admins are told; once invited, `claimbot outbox
    resend` sends the digest once, and the alert is not sent a second time."""
    import os
    import subprocess
    import sys

    ctx = admins_ctx(ctx, ["U0ADMIN"])
    standin.refuse_channel("C0SALES")
    enqueue(ctx, "digest:2026-11-27", channel="C0SALES", text="the digest")
    Dispatcher(ctx).flush(max_seconds=5)
    assert rows(ctx)["digest:2026-11-27"].status == "failed"
    standin.accept_channel("C0SALES")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "outbox", "resend", "--channel", "C0SALES"],
                          env={**os.environ, "DATABASE_URL": ctx.settings.database_url}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("1 failed notices to C0SALES"), done.stderr
    Dispatcher(ctx).flush(max_seconds=5)
    assert [m["text"] for m in standin.messages("C0SALES")] == ["the digest"]
    assert len([c for c in posts(standin) if c.params["channel"] == "U0ADMIN"]) == 1
    assert rows(ctx)["digest:2026-11-27"].status == "sent"


def test_a_resent_post_brings_back_the_update_that_was_dropped_with_it(ctx, standin):
    """The managers' post failed (ClaimBot not in the channel) and the decision's update was dropped with
    it; after `resend` the post goes out and then shows the decision, without its buttons."""
    standin.refuse_channel("C0MGRS")
    with write_session(ctx.engine) as s:
        outbox.enqueue(s, key="case:5:managers:C0MGRS", channel="C0MGRS", kind="generic", data={"text": "decide"},
                       now=NOW)
        outbox.enqueue(s, key="case:5:decided:update:C0MGRS", channel="C0MGRS", kind="generic",
                       data={"text": "decided", "update_of": "case:5:managers:C0MGRS"}, now=NOW)
    Dispatcher(ctx).flush(max_seconds=5)
    assert [rows(ctx)[k].status for k in ("case:5:managers:C0MGRS", "case:5:decided:update:C0MGRS")] == \
        ["failed", "dropped"]
    standin.accept_channel("C0MGRS")
    assert outbox.resend_failed(ctx, datetime.now(UTC)) == 1
    Dispatcher(ctx).flush(max_seconds=10)
    [post] = standin.messages("C0MGRS")
    assert post["text"] == "decided"
    assert [rows(ctx)[k].status for k in ("case:5:managers:C0MGRS", "case:5:decided:update:C0MGRS")] == \
        ["sent", "sent"]
