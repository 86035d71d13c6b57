"""Settings: bad values are refused at start, not discovered by a nightly job; credentials only from the
environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings


@pytest.mark.parametrize("bad", [
    {"claims": {"followup_timeout_days": {"A": 45}}},
    {"claims": {"progress_timeout_days": {"A": 1, "B": 0, "C": 1}}},
    {"schedule": {"recycle": "25:99"}},
    {"team": {"timezone": "Mars/Olympus_Mons"}},
    {"reminders": {"days_before": [7, -1]}},
])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValidationError):
        Settings(**bad)


def test_credentials_in_the_config_file_are_ignored(tmp_path, monkeypatch):
    config = tmp_path / "claimbot.toml"
    config.write_text('slack_bot_token = "xoxb-from-file"\nSLACK_SIGNING_SECRET = "s"\n[claims]\nholding_cap = 5\n')
    monkeypatch.setenv("CLAIMBOT_CONFIG", str(config))
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.claims.holding_cap == 5
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    assert Settings().slack_bot_token == "xoxb-from-env"
