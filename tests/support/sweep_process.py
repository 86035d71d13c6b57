"""A separate process that starts and sweeps at once (tests/test_rule_versions.py). Kept small: a spawned
child imports only this module."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.services import sweeps
from bot.services.context import ServiceContext
from storage.engine import make_engine


def sweep_after_barrier(url: str, claim_overrides: dict[str, Any], now: str, barrier: Any) -> None:
    settings = Settings(database_url=url, team=TeamSettings(timezone="Asia/Shanghai"),
                        claims=ClaimSettings(**claim_overrides))
    ctx = ServiceContext(engine=make_engine(url), settings=settings)
    barrier.wait(timeout=60)
    sweeps.recycle_due(ctx, datetime.fromisoformat(now))
    ctx.engine.dispose()
