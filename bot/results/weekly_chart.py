"""The weekly chart's data (PRODUCT 3.7): one row per rep for one ISO week. No Slack, no database.

Snapshotted as JSON into the chart's outbox row when the week is decided and rendered from that JSON at
delivery, so ``to_data`` and ``from_data`` round-trip exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

REPS_CAP = 30  # bars stay readable (3 per rep); the rest is counted in the comment


@dataclass(frozen=True)
class ChartRow:
    rep: str  # Slack user id
    name: str | None  # display name when known
    claims: int
    followups: int  # qualifying follow-ups, as on the leaderboard
    wins: float  # co-owned wins count by share, as on the leaderboard


@dataclass(frozen=True)
class WeeklyChart:
    week: str  # ISO week, e.g. 2026-W48
    first: str  # Monday, local
    last: str  # Sunday, local
    rows: tuple[ChartRow, ...]  # leaderboard order; reps with no claim, follow-up or win are left out
    more: int = 0  # reps left out beyond REPS_CAP

    @property
    def filename(self) -> str:
        """Unique per week: a retry finds an earlier completed upload by this name in the channel."""
        return f"claimbot-weekly-{self.week}.png"

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> WeeklyChart:
        rows = tuple(ChartRow(**row) for row in data["rows"])
        return cls(data["week"], data["first"], data["last"], rows, int(data.get("more", 0)))
