"""The tables. Times are timezone-aware UTC; local dates are computed by the rules with the team's zone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from storage.tables import table_of

SHORT_ID_OFFSET = 1000


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_uscc_unique", "uscc", unique=True, sqlite_where=text("uscc IS NOT NULL"),
              postgresql_where=text("uscc IS NOT NULL")),
        # One customer per legal entity of a name key: 鸿富锦精密工业（深圳）and （武汉）are two (0006).
        Index("ix_customer_entity_unique", "name_key", "region_tag", "form_tag", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))  # raw, as typed, for display
    name_key: str  # looked up through ix_customer_entity_unique, which it leads
    core_key: str = Field(index=True)
    stem_key: str = Field(default="")
    # The core key in toneless pinyin ("" when it names no company): 腾讯 = 腾迅 = Tengxun (strong).
    pinyin_key: str = Field(default="", index=True, sa_column_kwargs={"server_default": ""})
    # What the name key leaves out that tells legal entities apart: bracketed regions, the legal form.
    region_tag: str = Field(default="", sa_column_kwargs={"server_default": ""})
    form_tag: str = Field(default="", sa_column_kwargs={"server_default": ""})
    uscc: str | None = None
    domain: str | None = Field(default=None, index=True)
    phone: str | None = Field(default=None, index=True)
    region: str | None = None
    industry: str | None = None
    tier: str = "B"
    stage: str = "lead"
    amount: float | None = None
    needs_review: bool = False  # created after a rep said "different" to a probable match
    created_at: datetime
    created_by: str | None = None

    @property
    def short_id(self) -> str:
        return f"C-{(self.id or 0) + SHORT_ID_OFFSET}"


class CustomerAlias(SQLModel, table=True):
    """Another name of a customer (``/claimbot alias``, a merge): the lookup's exact and strong tiers
    treat it as the customer's own name (docs/decisions/0020)."""

    __tablename__ = "customer_alias"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    name: str = Field(sa_column=Column(Text, nullable=False))
    name_key: str = Field(index=True, unique=True)
    core_key: str = Field(index=True)
    stem_key: str = Field(default="")
    via: str = "command"  # command | merge
    created_by: str
    created_at: datetime


class NotSamePair(SQLModel, table=True):
    """Two customers a manager said are not the same company (the review queue): never proposed again."""

    __tablename__ = "not_same_pair"

    customer_a: int = Field(primary_key=True, foreign_key="customer.id", ondelete="CASCADE")  # the smaller id
    customer_b: int = Field(primary_key=True, foreign_key="customer.id", ondelete="CASCADE")
    decided_by: str
    decided_at: datetime


class NameGram(SQLModel, table=True):
    """Inverted index of key grams, for the fuzzy tier of the name lookup (bot/rules/names.py)."""

    __tablename__ = "name_gram"

    # Which grams (bot.rules.names.index_grams) is part of the schema: a database indexed otherwise
    # would miss fuzzy matches silently. The comment puts it in the migration.
    gram: str = Field(primary_key=True, sa_column_kwargs={"comment": "trigrams; bigrams too for keys of 2, 5, 6"})
    key_len: int = Field(primary_key=True)
    customer_id: int = Field(primary_key=True, foreign_key="customer.id", ondelete="CASCADE")


class Rep(SQLModel, table=True):
    __tablename__ = "rep"

    id: str = Field(primary_key=True)  # Slack user id
    role: str = "rep"  # rep | manager | admin (as last granted in Slack; see role_granted)
    role_granted: bool = False  # False: the role comes from the settings file
    display_name: str | None = None
    locale: str | None = None  # from users.info; wins over the team language
    tz: str | None = None  # from users.info: the zone the user lives in (times to act on name the team's)
    regions: str = ""  # comma-separated
    industries: str = ""
    active: bool = True
    ooo_until: date | None = None  # out of office through this local day: skipped by allocation
    home_opened_at: datetime | None = None  # last app_home_opened: only these get their Home tab refreshed
    created_at: datetime


class Ownership(SQLModel, table=True):
    """One stretch of one rep owning one customer. At most one active (ended_at IS NULL) per customer."""

    __tablename__ = "ownership"
    __table_args__ = (
        Index("ux_ownership_active_customer", "customer_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ix_ownership_rep_active", "rep_id", "ended_at"),
        Index("ix_ownership_protected_until", "protected_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    rep_id: str = Field(foreign_key="rep.id")
    started_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None  # released | recycled | lost | transferred
    # The clocks of PRODUCT 3.2
    last_followup_at: datetime | None = None
    last_progress_at: datetime
    protected_until: date | None = None  # last protected local day; None: never recycled (won)
    grace_until: date | None = None  # imported already past its clocks: protected through this day (0020)
    co_owner: str | None = None  # co-owned after a dispute: shares the credit
    co_owner_share: int | None = None  # the co-owner's percent of the credit


class OwnershipEvent(SQLModel, table=True):
    """Append-only audit log: one row per ownership change."""

    __tablename__ = "ownership_event"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    kind: str  # claim | release | recycle | transfer | lost
    from_rep: str | None = None
    to_rep: str | None = None
    actor: str
    rule: str
    reason: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(index=True)


class FollowUp(SQLModel, table=True):
    __tablename__ = "followup"
    __table_args__ = (Index("ix_followup_customer_day", "customer_id", "local_day"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    ownership_id: int = Field(foreign_key="ownership.id", index=True)
    rep_id: str = Field(foreign_key="rep.id")
    kind: str
    note: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime
    local_day: date
    qualifying: bool
    next_contact: date | None = None


class StageChange(SQLModel, table=True):
    __tablename__ = "stage_change"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    rep_id: str
    from_stage: str
    to_stage: str
    amount: float | None = None
    at: datetime


class Case(SQLModel, table=True):
    """A collision (撞单) case: a dispute, or an appeal of a dispute's decision (PRODUCT 3.4)."""

    __tablename__ = "dispute_case"
    __table_args__ = (
        # One open case per claimant and customer; one appeal per decided case.
        Index("ux_case_open_claim", "customer_id", "claimant", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        Index("ux_case_one_appeal", "parent_id", unique=True,
              sqlite_where=text("parent_id IS NOT NULL"), postgresql_where=text("parent_id IS NOT NULL")),
        Index("ix_case_status_deadline", "status", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = "dispute"  # dispute | appeal
    parent_id: int | None = Field(default=None, foreign_key="dispute_case.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    claimant: str  # the challenger: who wants the customer (or, in an appeal, the side that does not own it)
    owner: str  # who owned the customer when it was opened
    opened_by: str  # the rep who opened it (the claimant of a dispute; either side for an appeal)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = "pending"  # pending | decided | expired
    decision: str | None = None  # keep | transfer | coown
    claimant_share: int | None = None  # co-own: the claimant's percent of the credit
    decided_by: str | None = None
    excluded_decider: str | None = None  # an appeal is decided by a different manager
    created_at: datetime
    deadline: datetime
    decided_at: datetime | None = None


class Handover(SQLModel, table=True):
    """A handover (转交): requested by an owner (needs a manager) or made by a manager."""

    __tablename__ = "handover"
    __table_args__ = (
        Index("ux_handover_open", "customer_id", unique=True,
              sqlite_where=text("status IN ('pending', 'transferred')"),
              postgresql_where=text("status IN ('pending', 'transferred')")),
        Index("ix_handover_status_deadline", "status", "decline_deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    from_rep: str
    to_rep: str
    requested_by: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    # pending (waits for a manager) | rejected | transferred (recipient may decline) | declined | done
    status: str = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decline_deadline: datetime | None = None
    previous_ownership_id: int | None = Field(default=None, foreign_key="ownership.id")
    created_at: datetime


class RoleChange(SQLModel, table=True):
    __tablename__ = "role_change"

    id: int | None = Field(default=None, primary_key=True)
    rep_id: str = Field(index=True)
    old_role: str
    new_role: str
    actor: str
    at: datetime


class Refusal(SQLModel, table=True):
    """Every refused decision click or request: who tried what, and why it was refused."""

    __tablename__ = "refusal"

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(index=True)
    action: str
    subject: str | None = None
    reason: str
    at: datetime


class Outbox(SQLModel, table=True):
    """What ClaimBot has decided to send. The unique key makes each notice exist once, whichever
    process or job decided it; delivery retries until Slack has it (bot/slack/delivery.py)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # e.g. remind:42:2026-12-01:7, digest:2026-11-27
    channel: str  # a user id (DM) or a channel id
    kind: str  # what to render: recycled | reminder | first_followup | next_contact | digest | leaderboard | …
    data: str = Field(sa_column=Column(Text, nullable=False))  # JSON parameters for the view
    status: str = "pending"  # pending | sending | sent | failed | dropped (an update of a post that failed)
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    ts: str | None = None  # Slack's message ts once sent
    posted_channel: str | None = None  # where it landed (a D… id for a DM): what chat.update of it needs
    failed_at: datetime | None = None  # status failed: when it was given up (shown to admins and managers)


class SlackEvent(SQLModel, table=True):
    """An Events API callback some instance has taken: each ``event_id`` runs its listener once, however
    often Slack delivers it (retries, several instances). Rows older than a day are pruned."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True)
    received_at: datetime = Field(index=True)


class ChannelRate(SQLModel, table=True):
    """At most one message per second per channel, across every process."""

    __tablename__ = "channel_rate"

    channel: str = Field(primary_key=True)
    next_allowed_at: datetime


class JobRun(SQLModel, table=True):
    """One row per job and slot (a day for daily jobs): when it ran and what it did."""

    __tablename__ = "job_run"

    job: str = Field(primary_key=True)
    slot: str = Field(primary_key=True)
    started_at: datetime
    finished_at: datetime | None = None
    summary: str | None = None


class AllocationTurn(SQLModel, table=True):
    """One allocation rule's persisted turn: where its round robin stands, and the weighted state.

    Allocation locks this row (PostgreSQL; SQLite serialises writers) so concurrent leads take turns."""

    __tablename__ = "allocation_turn"

    rule: str = Field(primary_key=True)  # the rule's name in the settings
    last_rep: str | None = None
    last_index: int = -1  # position of last_rep in the rule's order when it was chosen
    cycle: int = 0
    assigned: int = 0
    state: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON: weighted current weights
    updated_at: datetime | None = None


class AllocationEntry(SQLModel, table=True):
    """The allocation ledger: one row per lead allocated (or left in the pool), and why (PRODUCT 3.6)."""

    __tablename__ = "allocation_ledger"
    __table_args__ = (Index("ix_allocation_ledger_rule_at", "rule", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    rep_id: str | None = None  # None: nobody was eligible; the lead waits in the pool
    outcome: str  # assigned | existing_owner | unassigned
    rule: str | None = None
    strategy: str | None = None  # round_robin | least_loaded | weighted | existing_owner
    reason: str  # owned | existing_owner | owner_unavailable | rule | no_rule | nobody_eligible
    why: str = Field(sa_column=Column(Text, nullable=False))  # JSON: skipped reps, loads, tie, match
    cycle: int | None = None
    actor: str
    at: datetime = Field(index=True)


class Lead(SQLModel, table=True):
    """A lead that arrived at ``POST /leads`` (or a manager's ``/lead``): where from, which customer it is,
    and the answer given, so a repeat of its ``idempotency_key`` (the source's ``external_id`` or an
    ``Idempotency-Key`` header) changes nothing and is answered as the first time. The unique index decides
    between concurrent repeats."""

    __tablename__ = "lead"
    __table_args__ = (
        Index("ux_lead_source_key", "source", "idempotency_key", unique=True,
              sqlite_where=text("idempotency_key IS NOT NULL"), postgresql_where=text("idempotency_key IS NOT NULL")),
        Index("ix_lead_source_arrived", "source", "arrived_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str  # the lower-cased suffix of CLAIMBOT_LEAD_TOKEN_<SOURCE>, or ``slack`` for /lead
    idempotency_key: str | None = None
    customer_id: int = Field(foreign_key="customer.id", index=True)
    created_customer: bool = False  # False: an existing customer (dedupe) or a repeat of a pool customer
    status: str  # offered | existing | pool | accepted
    fields: str = Field(sa_column=Column(Text, nullable=False))  # JSON: the lead's fields as understood
    answer: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON: the first answer's body
    entered_by: str | None = None  # a manager's /lead
    arrived_at: datetime
    accepted_at: datetime | None = None
    accepted_by: str | None = None


class LeadOffer(SQLModel, table=True):
    """One rep offered one lead: open until accepted, passed or past its deadline (working hours). At most
    one open offer per customer (the partial unique index): while it is open, nobody else can claim it."""

    __tablename__ = "lead_offer"
    __table_args__ = (
        Index("ux_lead_offer_open", "customer_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_lead_offer_status_deadline", "status", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    customer_id: int = Field(foreign_key="customer.id")
    rep_id: str
    rule: str
    attempt: int  # 1 for the first rep offered this lead
    status: str = "open"  # open | accepted | passed | expired | withdrawn
    offered_at: datetime
    deadline: datetime
    decided_at: datetime | None = None


class ClockRuleVersion(SQLModel, table=True):
    """Append-only: the clock settings in force, one row per change (docs/decisions/0005).

    Recorded when a process first sweeps with settings that differ from the latest row; the primary key
    on ``version`` (inserted as latest + 1, conflict-do-nothing) lets the database decide once when
    several processes start together."""

    __tablename__ = "clock_rule_version"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    digest: str  # sha256 of the canonical settings JSON
    settings: str = Field(sa_column=Column(Text, nullable=False))  # JSON: first_followup_days, timeouts, count…
    effective_at: datetime
    source: str  # config | slack:<user>


class ProtectionRefresh(SQLModel, table=True):
    """Progress of the one-off pass that recomputes every active ``protected_until`` after a new rule
    version: batches in ownership id order, each claimed by moving ``through_id`` forward."""

    __tablename__ = "protection_refresh"

    version: int = Field(primary_key=True, foreign_key="clock_rule_version.version")
    through_id: int = 0  # every active ownership with id <= this has been recomputed
    finished_at: datetime | None = None



class Complaint(SQLModel, table=True):
    """A customer complaint (客户投诉, PRODUCT 3.8): logged against a customer, due by a day, closed with a
    resolution. ``owner_id`` is who owned the customer when it was logged (whose scorecard counts it)."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_due", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    owner_id: str | None = Field(default=None, index=True)
    raised_by: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    raised_at: datetime
    due_on: date  # last local day to resolve it; overdue from the next day
    status: str = "open"  # open | resolved
    resolution: str | None = Field(default=None, sa_column=Column(Text))
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class SettingChange(SQLModel, table=True):
    """Append-only: settings changed by managers in Slack (PRODUCT 5), one row per version.

    ``overrides`` is the whole set of Slack-made overrides after this change (JSON), so the latest row
    alone says what is in force on top of the file and environment; an undo is a new version whose
    overrides are those before the undone one."""

    __tablename__ = "setting_change"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    actor: str
    at: datetime = Field(index=True)
    overrides: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {"claims.holding_cap": 50, ...}
    changed: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {key: [old, new]} for the digest
    undoes: int | None = None  # the version this one undid


class Erasure(SQLModel, table=True):
    """Append-only: personal data erased on request (`claimbot forget`, PIPL/GDPR; docs/decisions/0021).

    Says who erased what kind of field in how many rows, and why, never the values themselves."""

    __tablename__ = "erasure"

    id: int | None = Field(default=None, primary_key=True)
    actor: str
    reason: str = Field(sa_column=Column(Text, nullable=False))
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)  # --customer, if given
    values_given: int = 0  # how many values (name, phone, e-mail, WeChat id) were asked for
    fields: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {"followup.note": 3, …} rows changed
    at: datetime = Field(index=True)


# The sweeps read only what is due: active ownerships by deadline, follow-ups by next-contact day.
Index("ix_ownership_active_until", table_of(Ownership).c.protected_until, table_of(Ownership).c.id,
      sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL"))
Index("ix_followup_next_contact", table_of(FollowUp).c.next_contact,
      sqlite_where=text("next_contact IS NOT NULL"), postgresql_where=text("next_contact IS NOT NULL"))
