"""Request limits (issue 14 item 8, docs/decisions/0022): what one HTTP request may cost `claimbot serve`.

The memory these refusals save is measured by bench/bench_request_limits.py; here: they are refused, the
server stays up and answers everyone else.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.console.standin import SlackStandIn
from storage.models import Customer
from tests.conftest import SLACK_USERS
from tests.e2e import Bot, query, serve_env, text_of, write_config
from tests.support.big_post import Pushed, push_body
from tests.support.server import ServeProcess

MB = 1 << 20


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    directory = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{directory}/claimbot.db"
    standin = SlackStandIn({uid: dict(info) for uid, info in SLACK_USERS.items()}).start()
    env = serve_env(url, standin, write_config(directory, language="en"))
    env |= {"CLAIMBOT_SERVER__READ_TIMEOUT_SECONDS": "2", "CLAIMBOT_SERVER__REQUEST_TIMEOUT_SECONDS": "3"}
    try:
        with ServeProcess(env) as server:
            yield Bot(server, standin, env=env, url=url)
    finally:
        standin.stop()


def test_ten_huge_unsigned_posts_are_refused_unread_while_a_claim_is_answered(bot: Bot) -> None:
    pushed: list[Pushed] = []
    senders = [threading.Thread(target=lambda chunked=i >= 7: pushed.append(
        push_body(bot.server.port, "/slack/events", 100 * MB, chunked=chunked))) for i in range(10)]
    for sender in senders:
        sender.start()
    status, reply, _ = bot.command("U0BOB", "/claim", "Initech Limited")
    for sender in senders:
        sender.join()
    assert status == 200 and "*Initech Limited*" in text_of(reply) and "claimed by you" in text_of(reply)
    assert [p.status for p in pushed] == [413] * 10
    assert all(p.sent < 10 * MB for p in pushed)  # refused after a few pieces, not after 100 MB
    assert bot.server.running
    assert [c.name for c in query(bot.url, select(Customer))] == ["Initech Limited"]


def test_a_slack_sized_body_still_reaches_the_signature_check(bot: Bot) -> None:
    assert push_body(bot.server.port, "/slack/events", MB).status == 401  # at the limit: read, then refused
    assert push_body(bot.server.port, "/slack/events", MB + 1).status == 413


def test_leads_take_at_most_64_kib_and_other_paths_no_body(bot: Bot) -> None:
    assert push_body(bot.server.port, "/leads", 64 * 1024 + 1).status == 413
    assert push_body(bot.server.port, "/leads", 200 * 1024, chunked=True).status == 413
    assert push_body(bot.server.port, "/healthz", 10).status == 413


def test_a_client_dripping_its_request_gets_408_and_a_silent_one_is_dropped(bot: Bot) -> None:
    with socket.create_connection(("127.0.0.1", bot.server.port), timeout=20) as drip:
        started = time.monotonic()
        for byte in b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200:
            try:
                drip.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break  # answered and closed
            time.sleep(0.05)
            if time.monotonic() - started > 4:  # past the 3 s request timeout: a byte was refused
                break
        assert drip.recv(4096).startswith(b"HTTP/1.0 408 Request Timeout")

    with socket.create_connection(("127.0.0.1", bot.server.port), timeout=20) as silent:
        silent.sendall(b"POST /slack/events HTTP/1.1\r\n")
        assert silent.recv(4096) == b""  # closed by the server after 2 s of silence, not left open
    status, reply, _ = bot.command("U0BOB", "/claim", "Globex Trading")
    assert status == 200 and "*Globex Trading*" in text_of(reply)
