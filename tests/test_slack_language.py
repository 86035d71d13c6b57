"""The language a user reads (bot/slack/language.py): their Slack locale, asked once; a users.info that
times out costs its user the time-out once, then the team language until it is asked again."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient

from bot.config import Settings, TeamSettings
from bot.services.context import ServiceContext
from bot.slack import language
from bot.slack.memory import memory_of
from storage import migrate
from storage.engine import make_engine


@pytest.fixture
def ctx(sqlite_url):
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    yield ServiceContext(engine, Settings(database_url=sqlite_url, team=TeamSettings(language="en")))
    engine.dispose()


def asked(standin, user_id: str) -> int:
    time.sleep(0.5)  # a slow answer is recorded when it is sent, after the client gave up
    return sum(1 for c in standin.calls_for("users.info") if c.params.get("user") == user_id)


def test_a_timed_out_users_info_is_paid_once_then_asked_again_later(ctx, standin, monkeypatch):
    monkeypatch.setattr(language, "USERS_INFO_TIMEOUT_S", 0.1)
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    standin.set_latency(0.3)  # slower than the time-out

    assert language.user_language(ctx, client, "U0ALICE") == "en"  # zh-CN unknown yet: the team's
    started = time.monotonic()
    assert language.user_language(ctx, client, "U0ALICE") == "en"
    assert time.monotonic() - started < 0.1  # remembered: no second time-out
    assert asked(standin, "U0ALICE") == 1

    standin.set_latency(0)
    memory_of(ctx).failed["U0ALICE"] = time.monotonic()  # the while is over
    assert language.user_language(ctx, client, "U0ALICE") == "zh"
    assert language.user_language(ctx, client, "U0ALICE") == "zh"
    assert asked(standin, "U0ALICE") == 2


def test_a_users_info_that_slack_failed_is_asked_again_not_stored_as_no_locale(ctx, standin):
    """A 503 (or a 429) says nothing about the user: the team language for a while, then Slack is asked
    again; only Slack's own answer (user_not_found…) is stored as "no locale"."""
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    standin.fail_next("users.info", 503)
    assert language.user_language(ctx, client, "U0ALICE") == "en"
    memory_of(ctx).failed["U0ALICE"] = time.monotonic() - 3600  # the while is over
    assert language.user_language(ctx, client, "U0ALICE") == "zh"
    assert asked(standin, "U0ALICE") == 2
