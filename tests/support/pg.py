"""A throwaway PostgreSQL cluster for the tests: initdb in a temp dir, a free loopback port,
durability off, trust auth; stopped and deleted at the end (also at interpreter exit)."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "postgres"
# initdb and pg_ctl refuse to run as root; as root they run as this OS user.
RUN_AS_WHEN_ROOT = os.environ.get("PG_RUN_AS", "postgres")
_REQUIRED = ("initdb", "pg_ctl", "postgres")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def find_bindir() -> Path | None:
    """$PG_BINDIR if set (and only it), else `pg_config --bindir`, else the newest
    /usr/lib/postgresql/*/bin; None unless initdb, pg_ctl and postgres are all there."""
    override = os.environ.get("PG_BINDIR")
    if override is not None:
        candidates = [override]
    else:
        candidates = []
        pg_config = shutil.which("pg_config")
        if pg_config:
            try:
                out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
                if out.returncode == 0 and out.stdout.strip():
                    candidates.append(out.stdout.strip())
            except (OSError, subprocess.SubprocessError):
                pass
        candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for candidate in candidates:
        path = Path(candidate)
        if all((path / tool).is_file() and os.access(path / tool, os.X_OK) for tool in _REQUIRED):
            return path
    return None


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path)) or (0,)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """`start()`, `create_database(name) -> SQLAlchemy URL`, `stop()`; a context manager too."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port: int | None = None
        self.basedir: Path | None = None
        self._running = False
        self._atexit_registered = False

    @classmethod
    def available(cls) -> bool:
        return find_bindir() is not None

    @property
    def datadir(self) -> Path:
        assert self.basedir is not None
        return self.basedir / "data"

    @property
    def socketdir(self) -> Path:
        assert self.basedir is not None
        return self.basedir / "sock"

    @property
    def logfile(self) -> Path:
        assert self.basedir is not None
        return self.basedir / "postgres.log"

    def start(self) -> PostgresCluster:
        if self._running:
            return self
        if self.bindir is None:
            raise RuntimeError(
                "PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin, $PG_BINDIR)"
            )
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True
        try:
            self._make_dirs()
            initdb = ["-D", str(self.datadir), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C"]
            self._run("initdb", *initdb, "--no-sync")
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _make_dirs(self) -> None:
        as_root = os.geteuid() == 0
        # As root, pytest's own temp dirs are private to root: use one the server's user can reach.
        self.basedir = Path(tempfile.mkdtemp(prefix="claimbot-pg-", dir="/tmp" if as_root else None))
        self.socketdir.mkdir()
        if as_root:
            try:
                user = pwd.getpwnam(RUN_AS_WHEN_ROOT)
            except KeyError:
                raise RuntimeError(
                    f"running as root, but there is no OS user {RUN_AS_WHEN_ROOT!r} to run PostgreSQL as "
                    "(set PG_RUN_AS, or run the tests as a normal user)"
                ) from None
            for path in (self.basedir, self.socketdir):
                os.chown(path, user.pw_uid, user.pw_gid)

    def _start_server(self, port: int | None = None) -> None:
        # Another process may take the free port before the server binds it: retry with a new one.
        last_error: Exception | None = None
        for _ in range(1 if port else 5):
            self.port = port or _free_port()
            settings = ["listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off",
                        "full_page_writes=off", "max_connections=200"]  # fmt: skip
            args = ["-p", str(self.port), "-k", str(self.socketdir)]
            args += [arg for setting in settings for arg in ("-c", setting)]
            options = " ".join(shlex.quote(a) for a in args)
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                )
                self._running = True
                return
            except RuntimeError as e:
                last_error = e
                if "could not bind" not in self._log().lower() and "in use" not in self._log().lower():
                    raise
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def halt(self) -> None:
        """Stop the server as a restart does (``-m fast``: connections are cut), keeping its data and port."""
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")
        self._running = False

    def resume(self) -> None:
        """Start the server again on the same port (after ``halt``)."""
        assert self.port is not None
        self._start_server(self.port)

    def _run(self, tool: str, *args: str) -> None:
        assert self.bindir is not None
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            if shutil.which("runuser"):
                command = ["runuser", "-u", RUN_AS_WHEN_ROOT, "--", *command]
                kwargs: dict = {}
            else:
                kwargs = {
                    "user": RUN_AS_WHEN_ROOT,
                    "group": pwd.getpwnam(RUN_AS_WHEN_ROOT).pw_gid,
                    "extra_groups": [],
                }
        else:
            kwargs = {}
        result = subprocess.run(
            command,
            cwd=self.basedir,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            **kwargs,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                f"--- server log ---\n{self._log()}"
            )

    def _log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-4000:]
        except (OSError, AssertionError):
            return ""

    def url(self, database: str = "postgres") -> str:
        if not self._running:
            raise RuntimeError("the cluster is not running; call start() first")
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin_connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    def create_database(self, name: str) -> str:
        """Create an empty database; its SQLAlchemy URL."""
        if not _NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        with self._admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connections still open to it."""
        if not _NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        with self._admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and delete everything; safe to call twice, or after a failed start."""
        try:
            if self._running:
                with contextlib.suppress(RuntimeError, OSError, subprocess.SubprocessError):
                    self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            self._running = False
            if self.basedir is not None:
                shutil.rmtree(self.basedir, ignore_errors=True)
                self.basedir = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
