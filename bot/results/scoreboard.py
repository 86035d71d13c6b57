"""Results of the leaderboard and the daily digest (PRODUCT 3.7). No Slack here.

Every field is JSON-native (dates and times as ISO-8601 strings, amounts as numbers): a digest or a
channel leaderboard is snapshotted into its outbox row when decided and rendered from that JSON at
delivery, so ``to_data`` and ``from_data`` round-trip exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.results.settings import SettingChangeItem

# How many items a section carries; the rest is counted ("…and N more"). Keeps a digest within Slack's
# limits (50 blocks, 3000 characters a section) whatever happened yesterday.
LIST_CAP = 10
UPCOMING_CAP = 5
ROWS_CAP = 20


@dataclass(frozen=True)
class ScoreRow:
    rank: int
    rep: str
    name: str | None  # the rep's display name when known (else the view mentions the id)
    claims: int
    followups: int
    advances: int
    wins: float  # co-own splits make fractions of a win
    amount: float
    score: float
    recycled: int | None = None  # None: hidden from this viewer
    disputes_lost: int | None = None


@dataclass(frozen=True)
class Leaderboard:
    period: str  # day | week | month
    first: str  # first local day of the period
    last: str  # last local day of the period
    rows: tuple[ScoreRow, ...]  # at most ROWS_CAP
    total: int  # rows before the cap
    weights: dict[str, float]  # claims, followups, advances, wins
    amount_per_point: float | None = None
    viewer: str | None = None  # None: the channel's leaderboard
    you: ScoreRow | None = None  # the viewer's own row when it is below the cap
    manager_view: bool = False  # the viewer is a manager: hidden columns on every row

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Leaderboard:
        row = _maker(ScoreRow)
        return cls(**{**data, "rows": tuple(row(r) for r in data["rows"]),
                      "you": row(data["you"]) if data.get("you") else None})


@dataclass(frozen=True)
class CustomerRef:
    sid: str
    name: str


@dataclass(frozen=True)
class ClaimItem:
    customer: CustomerRef
    rep: str
    kind: str  # claim | assign
    at: str
    actor: str


@dataclass(frozen=True)
class ReturnItem:
    customer: CustomerRef
    rep: str  # the former owner
    kind: str  # release | recycle | lost
    at: str
    reason: str | None = None  # release: the owner's words (user text)
    clock: str | None = None  # recycle: which clock ran out …
    until: str | None = None  # … on which day


@dataclass(frozen=True)
class UpcomingItem:
    customer: CustomerRef
    rep: str
    until: str  # the last protected day
    clock: str | None = None


@dataclass(frozen=True)
class CaseItem:
    id: int
    kind: str  # dispute | appeal
    customer: CustomerRef
    claimant: str
    owner: str
    deadline: str


@dataclass(frozen=True)
class ComplaintItem:
    id: int
    customer: CustomerRef
    owner: str | None  # who owned the customer when it was logged
    raised_by: str
    due_on: str  # the last day to resolve it
    days_overdue: int  # 0: not overdue yet


@dataclass(frozen=True)
class ApprovalItem:
    id: int
    customer: CustomerRef
    from_rep: str
    to_rep: str
    requested_by: str
    since: str


@dataclass(frozen=True)
class DecisionItem:
    subject: str  # case | handover
    id: int
    customer: CustomerRef
    outcome: str  # case: keep | transfer | coown | expired; handover: approved | rejected | declined | manager
    by: str | None
    at: str
    claimant: str | None = None  # case: challenger; handover: recipient
    owner: str | None = None  # case: owner; handover: previous owner
    share: int | None = None  # co-own: the claimant's percent
    kind: str = "handover"  # dispute | appeal | handover


@dataclass(frozen=True)
class Section:
    total: int
    items: tuple[Any, ...] = ()

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass(frozen=True)
class Digest:
    day: str  # the digest's local day
    yesterday: str
    new_claims: Section  # of ClaimItem
    claims_by_rep: dict[str, int]
    returned: Section  # of ReturnItem
    upcoming: Section  # of UpcomingItem, nearest first
    upcoming_by_rep: dict[str, int]
    upcoming_until: str  # the last protected day counted in ``upcoming``
    disputes: Section  # of CaseItem, nearest deadline first
    approvals: Section  # of ApprovalItem, oldest first
    decisions: Section  # of DecisionItem
    names: dict[str, str] = field(default_factory=dict)  # rep id → display name, where known
    complaints: Section = field(default_factory=lambda: Section(0))  # open ComplaintItems, earliest due first
    complaints_overdue: int = 0  # how many of the open ones are past their due day
    settings_changes: Section = field(default_factory=lambda: Section(0))  # SettingChangeItems, oldest first
    # Years a working-day clock needs whose holiday schedule no source has (docs/decisions/0021), for the admins.
    calendar_uncovered: tuple[int, ...] = ()
    admins: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Digest:
        def section(key: str, item: type) -> Section:
            raw = data[key]
            make = _maker(item)
            return Section(raw["total"], tuple(make(i) for i in raw["items"]))

        return cls(
            day=data["day"], yesterday=data["yesterday"], new_claims=section("new_claims", ClaimItem),
            claims_by_rep=dict(data["claims_by_rep"]), returned=section("returned", ReturnItem),
            upcoming=section("upcoming", UpcomingItem), upcoming_by_rep=dict(data["upcoming_by_rep"]),
            upcoming_until=data["upcoming_until"], disputes=section("disputes", CaseItem),
            approvals=section("approvals", ApprovalItem), decisions=section("decisions", DecisionItem),
            names=dict(data.get("names") or {}),
            complaints=section("complaints", ComplaintItem) if "complaints" in data else Section(0),
            complaints_overdue=int(data.get("complaints_overdue") or 0),
            settings_changes=Section(data["settings_changes"]["total"], tuple(
                SettingChangeItem.from_data(i) for i in data["settings_changes"]["items"]))
            if "settings_changes" in data else Section(0),
            calendar_uncovered=tuple(data.get("calendar_uncovered") or ()), admins=tuple(data.get("admins") or ()),
        )

    def is_empty(self) -> bool:
        return not self.calendar_uncovered and not any(s.total for s in (self.new_claims, self.returned, self.upcoming, self.disputes,
                                          self.approvals, self.decisions, self.complaints,
                                          self.settings_changes))


def _maker(cls: type) -> Any:
    def make(raw: dict[str, Any]) -> Any:
        values = dict(raw)
        if isinstance(values.get("customer"), dict):
            values["customer"] = CustomerRef(**values["customer"])
        return cls(**values)

    return make
