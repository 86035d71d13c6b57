"""Result objects of allocation (PRODUCT 3.6): what was decided, for whom, by which rule, and why. No Slack."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.results.customers import CustomerSnapshot, InputError, Lookup
from bot.rules.allocation import Lead, Skip


@dataclass(frozen=True)
class RelatedOwner:
    """Existing-owner routing: an owned customer that is the same company as the lead."""

    customer_id: int
    short_id: str
    name: str
    owner: str
    why: str  # self | uscc | domain | phone | core


class AllocationOutcome(StrEnum):
    """AllocationResult.outcome: what happened."""

    ASSIGNED = "assigned"
    EXISTING_OWNER = "existing_owner"
    UNASSIGNED = "unassigned"
    OFFERED = "offered"  # a new lead from /leads or /lead: offered to the rep, who may accept or pass


@dataclass(frozen=True)
class AllocationResult:
    outcome: AllocationOutcome  # assigned | existing_owner | unassigned
    customer: CustomerSnapshot
    reason: str  # owned | existing_owner | owner_unavailable | rule | no_rule | nobody_eligible
    lead: Lead = field(default_factory=Lead)
    rep: str | None = None
    rule: str | None = None
    strategy: str | None = None
    cycle: int | None = None
    skipped: tuple[Skip, ...] = ()
    passed: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()
    related: RelatedOwner | None = None
    managers_told: tuple[str, ...] = ()
    ledger_id: int | None = None


class AutoAssignOutcome(StrEnum):
    """AutoAssignResult.outcome: what happened."""

    ALLOCATED = "allocated"
    REFUSED = "refused"
    INVALID = "invalid"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class AutoAssignResult:
    """``/assign name auto``."""

    outcome: AutoAssignOutcome  # allocated | refused | invalid | not_found
    allocation: AllocationResult | None = None
    refusal: str | None = None
    error: InputError | None = None
    lookup: Lookup | None = None


class OooOutcome(StrEnum):
    """OooResult.outcome: what happened."""

    SET = "set"
    CLEARED = "cleared"
    INVALID = "invalid"
    PAST = "past"
    TOO_FAR = "too_far"


@dataclass(frozen=True)
class OooResult:
    outcome: OooOutcome  # set | cleared | invalid | past | too_far
    until: date | None = None
    limit_days: int | None = None


@dataclass(frozen=True)
class RuleFairness:
    rule: str
    strategy: str
    counts: tuple[tuple[str, int], ...]  # every rep of the rule's pool, also those with none
    total: int
    spread: int
    gini: float
    cycles: int
    max_cycle_spread: int  # within a cycle, among the reps eligible throughout it
    unassigned: int
    # round robin: turns that came to a rep while they couldn't take a lead (out of office, inactive, at cap).
    # Assignments plus skipped turns are the turns each rep was offered: equal within 1 across the pool.
    skipped_turns: tuple[tuple[str, int], ...] = ()
    # New leads (bot/services/leads.py): offers per rep, then what each rep did with them
    offered: tuple[tuple[str, int], ...] = ()
    passed: tuple[tuple[str, int], ...] = ()
    timed_out: tuple[tuple[str, int], ...] = ()
    skip_reasons: tuple[tuple[str, int], ...] = ()  # why reps were skipped when a lead was offered or assigned


@dataclass(frozen=True)
class FairnessReport:
    since: datetime
    until: datetime
    rules: tuple[RuleFairness, ...]
    existing_owner: int  # leads routed to the owner of the same company
    unassigned: int  # leads left in the pool (any reason)
    leads: int = 0  # arrived at /leads or by /lead in the period
    median_accept_minutes: float | None = None  # speed to lead: arrival → accept
    median_followup_minutes: float | None = None  # arrival → the new owner's first qualifying follow-up
