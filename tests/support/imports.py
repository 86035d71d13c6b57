"""Which modules a fresh interpreter has loaded after importing some of ours (start-up stays light)."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(imports: list[str], packages: list[str]) -> list[str]:
    """The modules of ``packages`` (top-level names or whole module names) loaded by ``import imports``."""
    probe = (f"import sys, {', '.join(imports)}; "
             f"print('\\n'.join(sorted(m for m in sys.modules if m in {packages!r} or m.split('.')[0] in {packages!r})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return out.split()
