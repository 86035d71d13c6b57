"""A consistent copy of a SQLite database file, for work that must not hold the live file's write lock.

`claimbot import --dry-run` runs the whole import in one transaction and rolls it back. On SQLite that
transaction would hold the database's only write lock for minutes, and every /claim meanwhile would
wait, then fail; so on SQLite the dry run works on a copy made with SQLite's online backup API
(a reader: in WAL mode it blocks nobody) and the copy is deleted afterwards.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


def is_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and bool(parsed.database) and parsed.database != ":memory:"


@contextmanager
def sqlite_copy(url: str) -> Iterator[str]:
    """Yield the URL of a temporary copy of the SQLite database at ``url``; the copy is removed after."""
    parsed = make_url(url)
    source_path = Path(str(parsed.database))
    with tempfile.TemporaryDirectory(prefix="claimbot-copy-") as tmp:
        target_path = Path(tmp) / source_path.name
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        yield parsed.set(database=str(target_path)).render_as_string(hide_password=False)
