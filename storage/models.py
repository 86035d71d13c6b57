"""The tables. Times are timezone-aware UTC; local dates are computed by the rules with the team's zone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

SHORT_ID_OFFSET = 1000


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_uscc_unique", "uscc", unique=True, sqlite_where=text("uscc IS NOT NULL"),
              postgresql_where=text("uscc IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))  # raw, as typed, for display
    name_key: str = Field(index=True, unique=True)
    core_key: str = Field(index=True)
    stem_key: str = Field(default="")
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


class NameGram(SQLModel, table=True):
    """Inverted index of key bigrams, for the fuzzy tier of the name lookup (bot/rules/names.py)."""

    __tablename__ = "name_gram"

    gram: str = Field(primary_key=True)
    key_len: int = Field(primary_key=True)
    customer_id: int = Field(primary_key=True, foreign_key="customer.id", ondelete="CASCADE")


class Rep(SQLModel, table=True):
    __tablename__ = "rep"

    id: str = Field(primary_key=True)  # Slack user id
    role: str = "rep"  # rep | manager | admin
    display_name: str | None = None
    locale: str | None = None  # from users.info; wins over the team language
    regions: str = ""  # comma-separated
    industries: str = ""
    active: bool = True
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
