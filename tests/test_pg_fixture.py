"""The database fixtures give working, isolated databases, and CI never skips PostgreSQL tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.pg import PostgresCluster

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_engine_url_gives_a_working_empty_database(engine_url: str) -> None:
    engine = create_engine(engine_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE customer (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL)"))
            conn.execute(text("INSERT INTO customer (id, name) VALUES (1, :name)"), {"name": "北京字节跳动"})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM customer")).scalar_one() == "北京字节跳动"
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_databases_are_isolated(pg_cluster: PostgresCluster) -> None:
    first = create_engine(pg_cluster.create_database(f"iso_{uuid.uuid4().hex[:12]}"))
    second = create_engine(pg_cluster.create_database(f"iso_{uuid.uuid4().hex[:12]}"))
    try:
        assert first.url.database != second.url.database
        with first.begin() as conn:
            conn.execute(text("CREATE TABLE claim (id SERIAL PRIMARY KEY)"))
            conn.execute(text("INSERT INTO claim DEFAULT VALUES"))
        assert inspect(second).get_table_names() == []
        with first.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM claim")).scalar_one() == 1
        with second.connect() as conn:
            version = conn.execute(text("SHOW server_version_num")).scalar_one()
        assert int(version) >= 150000
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgres
def test_postgres_url_is_loopback_psycopg(pg_cluster: PostgresCluster) -> None:
    url = pg_cluster.create_database(f"u_{uuid.uuid4().hex[:12]}")
    assert url.startswith(f"postgresql+psycopg://postgres@127.0.0.1:{pg_cluster.port}/u_")


# -- the CI rule, checked by running pytest on a small suite with the binaries hidden ------------

INNER_TESTS = textwrap.dedent(
    """
    import pytest

    def test_on_both(engine_url):
        assert engine_url

    @pytest.mark.postgres
    def test_skips_itself():
        pytest.skip("no server today")

    def test_plain():
        pass
    """
)


def run_inner_suite(tmp_path: Path, ci: bool, *extra: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    env.update(PG_BINDIR=str(tmp_path / "no-postgres-here"), PYTHONPATH=str(REPO_ROOT))
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-q",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            *extra,
            str(tmp_path / "test_inner.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_postgres_tests_skip_outside_ci(tmp_path: Path) -> None:
    result = run_inner_suite(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 2 skipped" in result.stdout, result.stdout


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_without_postgres_ci_fails(tmp_path: Path, xdist: list[str]) -> None:
    result = run_inner_suite(tmp_path, True, *xdist)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout
    assert "2 passed" in result.stdout, result.stdout
    assert "CI=true" in result.stdout
    assert "test_on_both[postgres]" in result.stdout
    assert "test_skips_itself" in result.stdout
