"""Shared fixtures: databases (SQLite and a throwaway PostgreSQL) and the local Slack stand-in.

In CI (CI=true) nothing that needs PostgreSQL may be skipped: a missing server fails the run.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Generator, Iterator

import pytest

from bot.console.standin import SlackStandIn
from tests.support.pg import PostgresCluster

SLACK_USERS: dict[str, dict[str, str]] = {
    "U0ALICE": {"name": "alice", "real_name": "Alice Wang", "locale": "zh-CN", "tz": "Asia/Shanghai"},
    "U0BOB": {"name": "bob", "real_name": "Bob Li", "locale": "en-US", "tz": "Asia/Shanghai"},
    "U0MGR1": {"name": "carol", "real_name": "Carol Chen", "locale": "zh-CN", "tz": "Asia/Shanghai"},
    "U0MGR2": {"name": "dave", "real_name": "Dave Zhang", "locale": "en-US", "tz": "Asia/Shanghai"},
    "U0ADMIN": {"name": "admin", "real_name": "Admin", "locale": "en-US", "tz": "Asia/Shanghai"},
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_configure(config: pytest.Config) -> None:
    # Also registered in pyproject.toml; repeated here so this conftest works as a plugin on its own.
    config.addinivalue_line("markers", "postgres: needs the PostgreSQL server that the test setup starts")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Whatever reaches the cluster counts as a PostgreSQL test (for -m and for the CI rule below).
    for item in items:
        if "pg_cluster" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI, a skipped PostgreSQL test is a failure: the point of CI is that those tests ran."""
    report: pytest.TestReport = yield
    if report.skipped and not hasattr(report, "wasxfail") and in_ci() and item.get_closest_marker("postgres"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: a test marked `postgres` must not be skipped ({reason})"
    return report


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL cluster per test process (each xdist worker starts its own)."""
    if not PostgresCluster.available():
        message = "PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin, $PG_BINDIR)"
        if in_ci():
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/claimbot.db"


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test; dropped afterwards."""
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"t_{uuid.uuid4().hex[:20]}"
    url = cluster.create_database(name)
    yield url
    with contextlib.suppress(Exception):  # the cluster is thrown away anyway
        cluster.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def slack_users() -> dict[str, dict[str, str]]:
    return {uid: dict(info) for uid, info in SLACK_USERS.items()}


@pytest.fixture
def standin(slack_users) -> Iterator[SlackStandIn]:
    """A running Slack Web API stand-in knowing SLACK_USERS; base URL in `standin.api_url`."""
    stand_in = SlackStandIn(slack_users).start()
    try:
        yield stand_in
    finally:
        stand_in.stop()
