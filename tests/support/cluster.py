"""deploy/haproxy.cfg as it ships, in front of several `claimbot serve` processes on one database.

The ports the file reads from the environment (``${CLAIMBOT_PORT_1-3001}`` …) are chosen free here; nothing
else in the file is changed. HAProxy comes from Debian's ``haproxy`` package (.ci/run installs it).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from tests.support.server import REPO_ROOT, ServeProcess, free_port
from tests.support.signing import get

HAPROXY_CFG = REPO_ROOT / "deploy" / "haproxy.cfg"
SLOTS = 3  # the servers deploy/haproxy.cfg lists


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if os.path.exists(p)), None)


class LoadBalancer:
    """HAProxy with deploy/haproxy.cfg; ``url`` is the Request URL Slack would be given."""

    def __init__(self, instance_ports: list[int]) -> None:
        self.port = free_port()
        self.stats_port = free_port()
        self.instance_ports = instance_ports + [free_port() for _ in range(SLOTS - len(instance_ports))]
        self.process: subprocess.Popen[bytes] | None = None
        self._log = Path(tempfile.mkdtemp(prefix="claimbot-haproxy-"), "haproxy.log")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/slack/events"

    def start(self, up: int, timeout: float = 20.0) -> LoadBalancer:
        binary = haproxy_binary()
        if binary is None:
            raise RuntimeError("haproxy not found (Debian package `haproxy`; .ci/run installs it)")
        env = dict(os.environ, CLAIMBOT_LB_BIND=f"127.0.0.1:{self.port}",
                   CLAIMBOT_LB_STATS=f"127.0.0.1:{self.stats_port}",
                   **{f"CLAIMBOT_PORT_{i + 1}": str(port) for i, port in enumerate(self.instance_ports)})
        with open(self._log, "wb") as log:
            self.process = subprocess.Popen([binary, "-db", "-f", str(HAPROXY_CFG)], env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        expected = ["UP"] * up + ["DOWN"] * (SLOTS - up)  # the spare slots found empty before traffic starts
        self.wait_until(lambda states: list(states.values()) == expected, timeout)
        return self

    def _servers(self) -> list[dict[str, str]]:
        _, text = get(f"http://127.0.0.1:{self.stats_port}/;csv", timeout=2)
        return [r for r in csv.DictReader(io.StringIO(text.lstrip("# ")))
                if r["pxname"] == "claimbot" and r["svname"] not in ("FRONTEND", "BACKEND")]

    def states(self) -> dict[str, str]:
        """Each server of the claimbot backend and its state as HAProxy sees it (UP, DOWN, …)."""
        return {r["svname"]: r["status"].split()[0] for r in self._servers()}

    def sessions(self) -> dict[str, int]:
        """How many requests HAProxy has sent to each server."""
        return {r["svname"]: int(r["stot"] or 0) for r in self._servers()}

    def wait_until(self, condition: object, timeout: float = 20.0) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited with {self.process.returncode}:\n{self.log()}")
            try:
                states = self.states()
                if callable(condition) and condition(states):
                    return states
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"haproxy servers stayed {states}:\n{self.log()[-2000:]}")

    def log(self) -> str:
        return self._log.read_text(encoding="utf-8", errors="replace") if self._log.exists() else ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class Cluster:
    """``n`` instances of `claimbot serve` (each with its scheduler, as deployed) behind the balancer."""

    def __init__(self, env: Mapping[str, str], n: int, extra_args: list[str] | None = None) -> None:
        self.instances = [ServeProcess(env, extra_args=extra_args) for _ in range(n)]
        self.balancer: LoadBalancer | None = None

    @property
    def url(self) -> str:
        assert self.balancer is not None
        return self.balancer.url

    @property
    def base_url(self) -> str:
        assert self.balancer is not None
        return self.balancer.base_url

    def start(self) -> Cluster:
        try:
            for instance in self.instances:
                instance.start()
            self.balancer = LoadBalancer([i.port for i in self.instances]).start(up=len(self.instances))
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.balancer is not None:
            self.balancer.stop()
        for instance in self.instances:
            instance.close()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
