"""Events API callbacks are taken once per event_id, whichever delivery or instance comes first
(bot/services/slack_events.py), on SQLite and PostgreSQL; old ids are pruned by the recycle job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.jobs import clocks
from bot.services import slack_events
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_only_the_first_delivery_of_an_event_id_is_taken_and_old_ids_are_pruned(engine_url):
    migrate.upgrade(engine_url)
    engine = make_engine(engine_url)
    try:
        ctx = ServiceContext(engine, Settings(database_url=engine_url))
        assert slack_events.first_delivery(ctx, "Ev01", NOW) is True
        assert [slack_events.first_delivery(ctx, "Ev01", NOW + timedelta(seconds=s)) for s in (1, 60, 300)] \
            == [False, False, False]  # Slack's retries 1–3, or another instance
        assert slack_events.first_delivery(ctx, "Ev02", NOW + timedelta(hours=23)) is True

        summary = clocks.recycle(ctx, NOW + timedelta(days=1, minutes=1))  # the daily job prunes day-old ids
        assert "1 event ids pruned" in summary
        assert slack_events.first_delivery(ctx, "Ev02", NOW + timedelta(days=1, minutes=2)) is False  # kept
        assert slack_events.first_delivery(ctx, "Ev01", NOW + timedelta(days=1, minutes=2)) is True  # forgotten
    finally:
        engine.dispose()
