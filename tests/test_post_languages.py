"""Team posts in the team's languages (issue 16, item 3): with ``[team] post_languages = ["zh", "en"]``
the digest, the leaderboard, decision notices and the weekly chart's comment carry both, in one
message, within Block Kit limits; DMs stay in the reader's own language."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from bot.config import TeamSettings
from bot.views.notices import in_languages
from tests import test_blockkit as catalogue
from tests.e2e import SECRET, TOKEN, text_of, write_config
from tests.test_weekly_chart import W48, local, seed

BOTH = ["zh", "en"]


def test_the_team_language_comes_first_and_none_is_repeated() -> None:
    assert TeamSettings(language="en", post_languages=["zh", "en"]).channel_languages() == ["en", "zh"]
    assert TeamSettings(language="zh", post_languages=["zh", "en", "en"]).channel_languages() == ["zh", "en"]
    assert TeamSettings(language="zh").channel_languages() == ["zh"]


@pytest.mark.parametrize("view", [v for v in sorted(catalogue.MESSAGE_VIEWS)
                                  if v.startswith(("digest.", "decisions.case_for_channel", "decisions.handover_for_managers",
                                                   "decisions.case_for_managers"))])
def test_a_channel_post_in_both_languages_stays_within_block_kit_limits(view: str) -> None:
    render = catalogue.MESSAGE_VIEWS[view]
    zh, en = render("zh", "Acme"), render("en", "Acme")
    both = in_languages([zh, en], BOTH)
    catalogue.check_message(f"{view} [zh+en]", both)
    assert both["text"].startswith(zh["text"][:1000]) and en["text"][:20] in both["text"]
    buttons = [blk for blk in both["blocks"] if blk["type"] == "actions"]
    assert len(buttons) == len([blk for blk in zh["blocks"] if blk["type"] == "actions"])  # once, not twice


def _env(url: str, standin: Any, config: Any) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CLAIMBOT_CONFIG", "DISPLAY")},
            "DATABASE_URL": url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": TOKEN, "CLAIMBOT_CONFIG": str(config)}


def _run(env: dict[str, str], job: str, at: Any) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "run", job, "--at", at.isoformat(),
                           "--deliver-seconds", "30"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_digest_leaderboard_and_weekly_chart_carry_both_languages(sqlite_url, standin, tmp_path) -> None:
    seed(sqlite_url).engine.dispose()
    env = _env(sqlite_url, standin, write_config(tmp_path, team='post_languages = ["zh", "en"]'))
    monday = W48 + timedelta(days=7)
    _run(env, "digest", local(monday, 9, 5))
    _run(env, "leaderboard", local(monday - timedelta(days=1), 18, 1))
    _run(env, "weekly", local(monday, 9, 31))

    posts = standin.messages("C0SALES")
    [digest] = [m for m in posts if "每日简报" in text_of(m)]
    assert "Daily digest" in text_of(digest) and "2026年11月30日" in text_of(digest) and "Nov 30, 2026" in text_of(digest)
    [board] = [m for m in posts if "排行榜" in text_of(m)]
    assert "Leaderboard" in text_of(board)
    [chart] = [m for m in posts if m.get("files")]
    assert chart["text"].startswith("📊 上周（2026年11月23日 至 2026年11月29日）")
    assert "📊 Last week (Nov 23, 2026 to Nov 29, 2026)" in chart["text"]
    for message in (digest, board):
        assert len(message["blocks"]) <= catalogue.MESSAGE_MAX_BLOCKS
        ids = [blk["block_id"] for blk in message["blocks"] if "block_id" in blk]
        assert len(ids) == len(set(ids))


def test_without_post_languages_a_post_is_in_the_team_language_only(sqlite_url, standin, tmp_path) -> None:
    seed(sqlite_url).engine.dispose()
    env = _env(sqlite_url, standin, write_config(tmp_path))
    _run(env, "digest", local(W48 + timedelta(days=7), 9, 5))
    [digest] = [m for m in standin.messages("C0SALES") if "每日简报" in text_of(m)]
    assert "Daily digest" not in text_of(digest)
