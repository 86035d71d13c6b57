"""What `claimbot forget` did (docs/decisions/0021)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErasureOutcome(StrEnum):
    ERASED = "erased"  # fields changed; an Erasure audit row says which kinds, how many
    NOTHING_FOUND = "nothing_found"  # recorded all the same: the request was handled
    NO_SUCH_CUSTOMER = "no_such_customer"
    BAD_REQUEST = "bad_request"  # nothing to look for, or a value too short to erase safely


@dataclass(frozen=True)
class ErasureResult:
    outcome: ErasureOutcome
    fields: dict[str, int] = field(default_factory=dict)  # "followup.note" → rows changed
    erasure_id: int | None = None  # the audit row (None on a dry run or a refusal)
    dry_run: bool = False
    detail: str = ""
