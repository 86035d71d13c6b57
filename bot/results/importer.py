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
class OwnerMatch:
    """What an owner cell (a Slack id, an e-mail, a name) resolved to: a Slack user, or why not."""

    cell: str
    user: str | None
    problem: str | None = None  # not_found | deactivated | ambiguous | invalid | lookup_failed
    candidates: tuple[str, ...] = ()  # the users an ambiguous name matched
    via: str = "id"  # id | email | name | file

    def params(self) -> dict[str, object]:
        return {"candidates": ", ".join(self.candidates)} if self.candidates else {}


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
    preset: str | None = None  # the CRM export recognised from the header row
    mapped: bool = False  # the columns came from --map
    readings: tuple[tuple[str, str | None], ...] = ()  # (header, the column it was read as, or None)
    unresolved_owners: dict[str, str] = field(default_factory=dict)  # owner cell → not_found | deactivated | …
    holdings: dict[str, int] = field(default_factory=dict)  # rep → customers held after the import
    due_7: int = 0  # imported ownerships whose protection ends within 7 days (grace included)
    due_30: int = 0
    graced: dict[str, list[str]] = field(default_factory=dict)  # rep → short ids put in the import's grace
    invalid_owners: int = 0  # rows skipped for an owner cell that is no Slack user id (no Slack to ask)

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
