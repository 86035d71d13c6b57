"""What `claimbot doctor` found: one Check per thing an installation needs (docs/decisions/0021)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class CheckStatus(StrEnum):
    OK = "ok"
    WARN = "warn"  # works, but something a team usually wants is missing
    FAIL = "fail"  # something will go wrong: doctor exits non-zero, admins hear of it weekly


@dataclass(frozen=True)
class Check:
    """``key`` names the catalog entries (doctor.<key>.ok / .fail / .fix); ``params`` fill them."""

    key: str
    status: CheckStatus
    params: dict[str, Any] = field(default_factory=dict)
    problem: str = ""  # which failure: the catalog entry doctor.<key>.<problem> and its .fix

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Check:
        return cls(str(data["key"]), CheckStatus(data["status"]), dict(data.get("params") or {}),
                   str(data.get("problem") or ""))


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status is CheckStatus.FAIL]
