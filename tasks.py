#!/usr/bin/env python3
"""Project tasks, standard library only:

    python3 tasks.py demo               play the shipped console script against a fresh SQLite file
    python3 tasks.py test [pytest args] ruff, import contracts, mypy, then the test suite (2 workers)
    python3 tasks.py bench [--small]    the benchmarks in bench/

Each creates .venv if needed and reinstalls the project when pyproject.toml has changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".claimbot-install-stamp"
DEMO_SCRIPT = ROOT / "bot" / "console" / "demo.txt"
NO_TESTS_COLLECTED = 5


def run(*command: str | Path, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.call([str(c) for c in command], cwd=ROOT, env=env)


def install_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_venv() -> None:
    if not PYTHON.exists():
        if run(sys.executable, "-m", "venv", VENV) != 0:
            sys.exit("could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)")
        STAMP.unlink(missing_ok=True)
    stamp = install_stamp()
    if STAMP.exists() and STAMP.read_text().strip() == stamp:
        return
    if run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-e", ".[test]") != 0:
        sys.exit("pip install -e '.[test]' failed")
    STAMP.write_text(stamp + "\n")


def demo(args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="claimbot-demo-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'claimbot.db'}"}
        return run(BIN / "claimbot", "console", "--script", DEMO_SCRIPT, *args, env=env)


def test(args: list[str]) -> int:
    failed = []
    if run(BIN / "ruff", "check", ".") != 0:
        failed.append("ruff check")
    if run(BIN / "lint-imports") != 0:
        failed.append("lint-imports")
    if run(BIN / "mypy") != 0:  # what it checks, and how strictly: [tool.mypy] in pyproject.toml
        failed.append("mypy")
    # Three workers on two cores: the end-to-end tests spend much of their time waiting on their servers.
    code = run(PYTHON, "-m", "pytest", "-n", "3", "-q", *args)
    if code == NO_TESTS_COLLECTED:
        print("pytest collected no tests: that is a failure here", file=sys.stderr)
    if code != 0:
        failed.append(f"pytest (exit {code})")
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


def bench(args: list[str]) -> int:
    return run(PYTHON, ROOT / "bench" / "run.py", *args)


TASKS = {"demo": demo, "test": test, "bench": bench}


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be started by an older python3
        sys.exit(f"Python 3.11+ is needed; this is {sys.version.split()[0]}")
    if not argv or argv[0] not in TASKS:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    return TASKS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
