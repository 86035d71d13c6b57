"""The README's settings block is what the code reads."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_readme_settings_block_loads_with_the_documented_values():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    data = tomllib.loads(re.search(r"```toml\n(.*?)```", text, re.S).group(1))
    settings = Settings(**data)
    defaults = Settings()
    assert settings.claims == defaults.claims.model_copy(update={"count": "calendar_days"})
    assert settings.schedule == defaults.schedule and settings.disputes == defaults.disputes
    assert settings.server == defaults.server
    assert settings.team.managers == ["U0MGR1", "U0MGR2"]
    assert settings.allocation.rules[0].strategy == "round_robin"
