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
from bot.slack.delivery import EVENT_TYPE, DeliveryStats, Dispatcher
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
