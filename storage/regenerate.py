"""Development only: rewrite the initial migration from the models (``python -m storage.regenerate``).

Allowed while no database outside a test has been migrated (see docs/decisions/0008). Once ClaimBot has
users, schema changes get their own Alembic revisions instead.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from alembic import command

from storage.migrate import MIGRATIONS, alembic_config

INITIAL = MIGRATIONS / "versions" / "0001_initial_schema.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        command.revision(alembic_config(f"sqlite:///{Path(tmp) / 'empty.db'}"), message="initial schema",
                         autogenerate=True, rev_id="0001")
    INITIAL.write_text(re.sub(r"Create Date: .*", "Create Date: 2026-11-27", INITIAL.read_text()))
    print(f"wrote {INITIAL}")


if __name__ == "__main__":
    main()
