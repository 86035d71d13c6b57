"""Faults survived (issue 14 item 6): PostgreSQL restarted under traffic through deploy/haproxy.cfg, an
instance killed with SIGKILL in the middle of a delivery, SQLite's disk full.

PostgreSQL here is a cluster of this module's own: restarting the session's would disturb other tests. Each
test has its own Slack stand-in (tests/conftest.py): a notice's key (e.g. today's digest) recurs across them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import string
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from bot.console.standin import SlackStandIn
from bot.i18n import t
from storage.models import Customer, Outbox, Ownership, OwnershipEvent
from tests.conftest import in_ci
from tests.e2e import SECRET, migrate_with_cli, query, serve_env, text_of, write_config
from tests.support.cluster import Cluster, haproxy_binary
from tests.support.pg import PostgresCluster
from tests.support.server import ServeProcess
from tests.support.signing import get, signed_post, slash_command_body

LANGUAGE = {"U0BOB": "en", "U0ALICE": "zh"}  # their Slack locales (tests/conftest.py)
CREATED = {"en": "claimed by you", "zh": "已建档并归你所有"}
SAME_COMPANY = {"en": "Is it the same company?", "zh": "是同一家公司吗"}


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PostgresCluster]:
    if not PostgresCluster.available():
        if in_ci():
            pytest.fail("CI=true: PostgreSQL binaries not found", pytrace=False)
        pytest.skip("PostgreSQL binaries not found")
    with PostgresCluster() as cluster:
        yield cluster


@dataclass
class Answer:
    user: str
    name: str
    status: int
    text: str
    seconds: float
    sent_at: float


def claim(url: str, user: str, name: str) -> Answer:
    body = slash_command_body("/claim", name, user_id=user, user_name=user.lower(),
                              response_url=f"http://127.0.0.1:9/{uuid.uuid4().hex}")
    started = time.monotonic()
    status, answer = signed_post(url, body, SECRET, timeout=30)
    elapsed = time.monotonic() - started
    return Answer(user, name, status, text_of(json.loads(answer)) if answer.startswith("{") else answer,
                  elapsed, started)


def company(rng: random.Random) -> str:
    """A made-up name unlike the others (no shared words: the fuzzy lookup would ask "same company?")."""
    return "".join(rng.choices(string.ascii_lowercase, k=9)).title() + " " + \
        "".join(rng.choices(string.ascii_lowercase, k=7)).title()


def whole_records(url: str) -> list[Customer]:
    """Every customer, each with exactly one active ownership and its audit record (nothing half-written)."""
    customers = query(url, select(Customer))
    owners = Counter(o.customer_id for o in query(url, select(Ownership)))
    audited = {e.customer_id for e in query(url, select(OwnershipEvent))}
    assert {c.name: owners[c.id] for c in customers if owners[c.id] != 1} == {}
    assert [c.name for c in customers if c.id not in audited] == []
    return customers


# --- PostgreSQL restarted under traffic -------------------------------------------------------------------


def test_postgres_restarted_under_traffic(own_pg: PostgresCluster, standin: SlackStandIn,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    if haproxy_binary() is None:  # a failure in CI (tests/conftest.py): .ci/run installs it
        pytest.skip("haproxy not installed (Debian package `haproxy`)")
    url = own_pg.create_database("restart")
    migrate_with_cli(url)
    config = write_config(tmp_path_factory.mktemp("restart"), holding_cap=1000, daily_claim_cap=1000)
    rng = random.Random(14)
    with Cluster(serve_env(url, standin, config), 2) as cluster:
        for instance in cluster.instances:  # each instance learns both users' languages, as in a working day
            for user in LANGUAGE:
                assert CREATED[LANGUAGE[user]] in claim(instance.url, user, company(rng)).text

        answers: list[Answer] = []
        stop = threading.Event()

        def traffic(user: str) -> None:
            while not stop.is_set():
                answers.append(claim(cluster.url, user, company(random.Random(rng.random()))))
                time.sleep(0.05)

        senders = [threading.Thread(target=traffic, args=(user,)) for user in LANGUAGE]
        for sender in senders:
            sender.start()
        time.sleep(1.5)
        halted = time.monotonic()
        own_pg.halt()
        time.sleep(1.5)
        during = [json.loads(get(i.base_url + "/healthz")[1]) for i in cluster.instances]
        time.sleep(1.5)
        own_pg.resume()
        resumed = time.monotonic()
        time.sleep(4)
        stop.set()
        for sender in senders:
            sender.join()

        # every request answered inside Slack's 3 s, by an instance (never the balancer's bare 503)
        assert [a for a in answers if a.status != 200 or a.seconds >= 3] == []
        try_again = [a for a in answers if t("error.database_unavailable", LANGUAGE[a.user]) in a.text]
        created = [a for a in answers if CREATED[LANGUAGE[a.user]] in a.text]
        asked = [a for a in answers if SAME_COMPANY[LANGUAGE[a.user]] in a.text]
        assert [a.text for a in answers if a not in try_again + created + asked] == []
        assert {a.user for a in try_again} == set(LANGUAGE)  # "try again in a moment", in each user's language
        assert all(halted - 0.5 <= a.sent_at <= resumed + 3 for a in try_again)
        assert any(a.sent_at > resumed + 1 for a in created)  # serving again after the restart
        assert all(d["status"] == "degraded" and d["database"].startswith("unreachable") for d in during)

        # nothing half-written: every answered claim is whole in the database, the refused ones absent
        stored = {c.name for c in whole_records(url)}
        assert {a.name for a in created} <= stored
        assert not {a.name for a in try_again} & stored

        # every instance recovered by itself
        for instance in cluster.instances:
            assert json.loads(get(instance.base_url + "/healthz")[1])["database"] == "ok"
            assert CREATED["en"] in claim(instance.url, "U0BOB", company(rng)).text


# --- an instance killed with SIGKILL in the middle of a delivery ------------------------------------------


def test_notices_of_an_instance_killed_mid_delivery_are_sent_once_by_another(
        own_pg: PostgresCluster, standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory) -> None:
    url = own_pg.create_database("sigkill")
    migrate_with_cli(url)
    # A lease of 8 s (8 Web API calls of 1 s at most): the notices of a dead sender wait that long
    config = write_config(tmp_path_factory.mktemp("sigkill"), language="en", approvals_channel="C0MGRS",
                          schedule="delivery_timeout_seconds = 1\ndelivery_lease_seconds = 2")
    env = serve_env(url, standin, config)
    first = ServeProcess(env).start()
    try:
        assert CREATED["zh"] in claim(first.url, "U0ALICE", "Globex Trading").text
        standin.slow_next("chat.postMessage", 0.8, times=4)  # each post lands 0.8 s after it was sent
        dispute = slash_command_body("/dispute", "Globex Trading | we met them first", user_id="U0BOB",
                                     response_url=f"http://127.0.0.1:9/{uuid.uuid4().hex}")
        assert signed_post(first.url, dispute, SECRET)[0] == 200
        deadline = time.monotonic() + 10
        while not any(r.status == "sending" for r in query(url, select(Outbox))):
            assert time.monotonic() < deadline, "the first instance never leased the notices"
            time.sleep(0.02)
        assert first.process is not None
        first.process.kill()  # SIGKILL: no clean-up, its leases stay in the database
        first.process.wait()
        killed_at = time.time()
        leased = {r.key for r in query(url, select(Outbox)) if r.status == "sending"}
        assert leased
    finally:
        first.close()

    with ServeProcess(env):
        deadline = time.monotonic() + 30
        rows = query(url, select(Outbox))
        while any(r.status != "sent" for r in rows):
            assert time.monotonic() < deadline, [(r.key, r.status, r.last_error) for r in rows]
            time.sleep(0.2)
            rows = query(url, select(Outbox))
    posts = standin.calls_for("chat.postMessage", ok_only=True)
    per_key = Counter(((c.params.get("metadata") or {}).get("event_payload") or {}).get("key") for c in posts)
    assert {key: n for key, n in per_key.items() if key and n != 1} == {}  # once each, never twice
    assert {r.key for r in rows if "update_of" not in json.loads(r.data)} <= set(per_key)
    late = [c for c in posts if c.at > killed_at + 2]  # the second instance took over after the lease
    assert late


# --- SQLite's disk full -----------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 4 MiB tmpfs (root only: CI runs as root)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        if in_ci():
            pytest.fail("CI=true: mounting a tiny tmpfs needs root", pytrace=False)
        pytest.skip("mounting a tiny tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="claimbot-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def test_sqlite_disk_full_gives_a_clear_answer_and_corrupts_nothing(tiny_disk: Path, standin: SlackStandIn,
                                                                   tmp_path: Path) -> None:
    url = f"sqlite:///{tiny_disk}/claimbot.db"
    rng = random.Random(7)
    with ServeProcess(serve_env(url, standin, write_config(tmp_path, holding_cap=1000,
                                                           daily_claim_cap=1000))) as server:
        assert CREATED["en"] in claim(server.url, "U0BOB", company(rng)).text
        filler = tiny_disk / "filler"
        free = shutil.disk_usage(tiny_disk).free
        with open(filler, "wb") as f:  # leave ~48 KiB: a few claims fit, then the disk is full
            f.write(b"\0" * max(0, free - 48 * 1024))
        answers = [claim(server.url, ("U0BOB", "U0ALICE")[i % 2], company(rng)) for i in range(60)]
        full = [a for a in answers if t("error.database_full", LANGUAGE[a.user]) in a.text]
        assert full, [a.text for a in answers[-3:]]
        assert {a.user for a in full} == set(LANGUAGE)
        assert all(a.status == 200 and a.seconds < 3 for a in answers)
        assert [a.text for a in answers if a not in full and CREATED[LANGUAGE[a.user]] not in a.text] == []

        filler.unlink()  # room made: the same server stores again
        assert CREATED["zh"] in claim(server.url, "U0ALICE", company(rng)).text

    with sqlite3.connect(tiny_disk / "claimbot.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {c.name for c in whole_records(url)}
    assert {a.name for a in answers if a not in full} <= stored
    assert not {a.name for a in full} & stored
