"""deploy/ as shipped: deploy/haproxy.cfg in front of two `claimbot serve` instances (each with its
scheduler) on one PostgreSQL database, driven with signed Slack requests through the balancer."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from bot.console.standin import SlackStandIn
from storage.models import Customer, Ownership
from tests.conftest import SLACK_USERS
from tests.e2e import Bot, migrate_with_cli, query, serve_env, text_of, write_config
from tests.support.cluster import HAPROXY_CFG, Cluster, haproxy_binary
from tests.support.pg import PostgresCluster
from tests.support.signing import get, signed_post, slash_command_body

pytestmark = pytest.mark.postgres
WORDS = ["Acme Rockets", "Globex", "Hooli", "Vandelay Imports", "Wonka Confectionery", "Stark Industries",
         "Wayne Enterprises", "Tyrell", "Cyberdyne Systems", "Soylent", "Massive Dynamic", "Oscorp",
         "Pied Piper", "Dunder Mifflin", "Sterling Cooper", "Prestige Worldwide", "Gringotts", "Monarch Solutions"]


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackStandIn]:
    running = SlackStandIn({uid: dict(info) for uid, info in SLACK_USERS.items()}).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cluster(pg_cluster: PostgresCluster, standin: SlackStandIn,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if haproxy_binary() is None:  # a skip here is a failure in CI (tests/conftest.py): .ci/run installs it
        pytest.skip("haproxy not installed (Debian package `haproxy`)")
    url = pg_cluster.create_database(f"deploy_{uuid.uuid4().hex[:12]}")
    migrate_with_cli(url)
    env = serve_env(url, standin, write_config(tmp_path_factory.mktemp("deploy"), language="en"))
    env["CLAIMBOT_LOG_FORMAT"] = "json"  # as deploy/claimbot@.service sets it
    with Cluster(env, 2) as running:
        yield running


@pytest.fixture(scope="module")
def bot(cluster: Cluster, standin: SlackStandIn) -> Bot:
    env = cluster.instances[0].env
    return Bot(cluster, standin, env=env, url=env["DATABASE_URL"])  # Bot sends to cluster.url: the balancer


def test_the_shipped_config_is_valid() -> None:
    binary = haproxy_binary()
    assert binary is not None, "haproxy is not installed (Debian package `haproxy`; .ci/run installs it)"
    checked = subprocess.run([binary, "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_claims_through_the_balancer_reach_every_instance(bot: Bot, cluster: Cluster) -> None:
    assert cluster.balancer is not None
    before = cluster.balancer.sessions()
    names = WORDS[:12]
    for i, name in enumerate(names):
        status, reply, _ = bot.command(("U0BOB", "U0MGR2", "U0ADMIN")[i % 3], "/claim", name)
        assert status == 200 and "claimed by you" in text_of(reply), reply
    served = {name: count - before[name] for name, count in cluster.balancer.sessions().items()}
    assert served["claimbot1"] > 0 and served["claimbot2"] > 0 and served["claimbot3"] == 0
    assert set(names) <= {c.name for c in query(bot.url, select(Customer))}


def test_the_same_customer_claimed_at_once_through_two_instances_has_one_owner(bot: Bot) -> None:
    replies: dict[str, str] = {}

    def claim(user: str) -> None:
        _, reply, _ = bot.command(user, "/claim", "Contested Holdings")
        replies[user] = text_of(reply)

    threads = [threading.Thread(target=claim, args=(u,)) for u in ("U0BOB", "U0ALICE", "U0MGR2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [customer] = [c for c in query(bot.url, select(Customer)) if c.name == "Contested Holdings"]
    owners = [o.rep_id for o in query(bot.url, select(Ownership)) if o.customer_id == customer.id]
    assert len(owners) == 1
    winners = [u for u, text in replies.items() if "claimed by you" in text or "归你所有" in text]
    assert winners == owners


def test_healthz_through_the_balancer_reports_database_and_scheduler_and_metrics_stay_inside(
        cluster: Cluster) -> None:
    status, body = get(cluster.base_url + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok", "scheduler": "running"})
    assert get(cluster.base_url + "/metrics")[0] == 404  # scraped from each instance's port instead
    assert get(cluster.instances[0].base_url + "/metrics")[0] == 200


def test_a_stopped_instance_is_taken_out_and_its_traffic_goes_to_the_other(bot: Bot, cluster: Cluster) -> None:
    assert cluster.balancer is not None
    second = cluster.instances[1]
    second.stop()
    try:
        for i in range(6):  # some may reach it before the health check notices: retried elsewhere at connect
            status, reply, _ = bot.command("U0MGR1", "/claim", WORDS[12 + i])  # Carol reads Chinese
            assert status == 200 and "已建档并归你所有" in text_of(reply)
        assert cluster.balancer.wait_until(lambda s: s["claimbot2"] == "DOWN")["claimbot1"] == "UP"
    finally:
        second.start()
    cluster.balancer.wait_until(lambda s: s["claimbot2"] == "UP")


def instance_metrics(instance) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text = get(instance.base_url + "/metrics")
    assert status == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def total(samples: dict, name: str, **labels: str) -> float:
    return sum(value for (sample, found), value in samples.items()
               if sample == name and all((k, v) in found for k, v in labels.items()))


def test_metrics_count_the_traffic_each_instance_served(bot: Bot, cluster: Cluster) -> None:
    before = [instance_metrics(i) for i in cluster.instances]
    fresh = ["Quillfeather Analytics", "Brambleworth Foods", "Zephyrine Optics", "Marrowgate Textiles"]
    for name in fresh:
        bot.command("U0MGR2", "/claim", name)
    bot.command("U0BOB", "/claim", fresh[0])  # Dave's now
    forged = slash_command_body("/claim", "Forged Inc", user_id="U0BOB")
    assert signed_post(cluster.url, forged, "not-the-secret")[0] == 401
    time.sleep(2.5)  # an outbox job run on each instance (every second)
    after = [instance_metrics(i) for i in cluster.instances]

    def grew(name: str, **labels: str) -> float:
        return sum(total(a, name, **labels) - total(b, name, **labels) for a, b in zip(after, before, strict=True))

    assert grew("claimbot_request_seconds_count", kind="/claim", outcome="200") == 5
    assert grew("claimbot_request_seconds_bucket", kind="/claim", outcome="200", le="3.0") == 5  # under 3 s
    assert grew("claimbot_request_seconds_count", kind="unverified", outcome="401") == 1
    assert grew("claimbot_claims_total", outcome="created") == 4
    assert grew("claimbot_claims_total", outcome="owned_by_other") == 1
    assert grew("claimbot_job_seconds_count", job="outbox", outcome="ok") >= 2
    for samples in after:
        assert total(samples, "claimbot_database_up") == 1
        assert total(samples, "claimbot_outbox_backlog") == 0
        assert total(samples, "claimbot_outbox_oldest_age_seconds") == 0
        assert total(samples, "claimbot_db_pool_size") == 10
        assert total(samples, "claimbot_name_index_customers") > 0  # loaded empty, then the claims added
        assert total(samples, "claimbot_name_index_load_seconds") > 0
        assert total(samples, "process_resident_memory_bytes") > 0


def test_instances_log_json_lines_with_the_balancers_request_id(bot: Bot, cluster: Cluster) -> None:
    bot.command("U0BOB", "/claim", "Acme Rockets")
    lines = [json.loads(line) for i in cluster.instances for line in i.stderr().splitlines() if line.startswith("{")]
    answered = [line for line in lines if line["message"].startswith("/claim 200")]
    assert answered and all(line["level"] == "INFO" and line["request_id"] for line in answered)
    assert len({line["request_id"] for line in answered}) == len(answered)  # one id per request
