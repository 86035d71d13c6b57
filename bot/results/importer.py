"""Plain results of `claimbot import`: what happened to each row, and why. No database, no Slack."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("created", "flagged", "merged", "unchanged", "skipped")


@dataclass(frozen=True)
class Note:
    """Something worth knowing about a row that did not decide its status (an owner kept, a conflict)."""

    code: str  # filled | owner_assigned | owner_kept | conflict | free_mail | stage_reset | auto_assigned | over_holding_cap | …
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RowOutcome:
    row: int  # spreadsheet row number: the header is row 1
    status: str  # one of STATUSES; flagged = created, but flagged for a manager's review
    reason: str  # a code: new | same_uscc | same_name | probable_duplicate | invalid_phone | …
    name: str
    customer: str | None = None  # short id (C-1042) of the customer the row created or matched
    params: dict[str, object] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()


@dataclass
class ImportReport:
    source: str
    total: int  # data rows in the file
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    owners_assigned: int = 0  # ownerships started from the owner column
    auto_assigned: int = 0  # ownerships started by --assign auto
    unknown_columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        """Rows that wrote something: a second import of the same file must make this 0."""
        return self.counts["created"] + self.counts["flagged"] + self.counts["merged"]


@dataclass(frozen=True)
class ImportFileProblem:
    """The file as a whole cannot be imported (no name column, empty, unreadable); nothing was written."""

    code: str
    params: dict[str, object] = field(default_factory=dict)
