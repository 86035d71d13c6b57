"""`claimbot serve` as a separate process, for end-to-end tests through signed HTTP requests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from tests.support.signing import get

# Settings a test must choose itself; never inherited from the developer's shell.
_OWN_SETTINGS = (
    "DATABASE_URL",
    "SLACK_API_URL",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "CLAIMBOT_CONFIG",
)
REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """Runs `python -m bot.cli serve --port N` with `env` (on top of a clean copy of os.environ)
    until `/healthz` answers 200. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        env: Mapping[str, str],
        port: int | None = None,
        *,
        startup_timeout: float = 30.0,
        cwd: str | os.PathLike[str] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.env = dict(env)
        self.port = port or free_port()
        self._fixed_port = port is not None
        self.startup_timeout = startup_timeout
        self.cwd = str(cwd or REPO_ROOT)
        self.extra_args = list(extra_args or [])
        self.process: subprocess.Popen[bytes] | None = None
        self._logdir = tempfile.mkdtemp(prefix="claimbot-serve-")
        self._stdout_path = Path(self._logdir, "stdout.log")
        self._stderr_path = Path(self._logdir, "stderr.log")
        self._kept: dict[Path, str] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The one Request URL for commands, interactivity and events."""
        return f"{self.base_url}/slack/events"

    @property
    def healthz_url(self) -> str:
        return f"{self.base_url}/healthz"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), *self.extra_args]

    def start(self) -> ServeProcess:
        # A free port can be taken between choosing and binding it: retry with another one.
        for attempt in range(3):
            try:
                self._start_once()
                return self
            except _DiedEarly as e:
                if self._fixed_port or attempt == 2 or "address" not in e.stderr.lower():
                    self.close()
                    raise RuntimeError(str(e)) from None
                self.port = free_port()
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    def _start_once(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in _OWN_SETTINGS}
        env.update(self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        with open(self._stdout_path, "wb") as out, open(self._stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                self.command(), cwd=self.cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise _DiedEarly(
                    f"`{' '.join(self.command())}` exited with {code} before /healthz answered:\n"
                    f"{self.stderr()}",
                    self.stderr(),
                )
            try:
                status, _ = get(self.healthz_url, timeout=1.0)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"`{' '.join(self.command())}`: /healthz did not answer 200 within "
                    f"{self.startup_timeout}s:\n{self.stderr()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Terminate (then kill) the process; its output stays readable via stdout()/stderr()."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._kept = {path: self._read(path) for path in (self._stdout_path, self._stderr_path)}

    def close(self) -> None:
        """stop(), and delete the log files."""
        self.stop()
        shutil.rmtree(self._logdir, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stdout(self) -> str:
        return self._read(self._stdout_path)

    def stderr(self) -> str:
        return self._read(self._stderr_path)

    def _read(self, path: Path) -> str:
        if self.process is None and path in self._kept:
            return self._kept[path]
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class _DiedEarly(Exception):
    def __init__(self, message: str, stderr: str) -> None:
        super().__init__(message)
        self.stderr = stderr
