"""Results of bot/services/aliases.py: another name for a customer. Plain values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AliasOutcome(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # the name already is this customer's (its own or an alias)
    NOT_MANAGER = "not_manager"
    USAGE = "usage"  # not `A = B`, or a name without letters
    NOT_FOUND = "not_found"  # neither name is a customer
    TAKEN = "taken"  # the new name is another customer's name or alias: a merge, not an alias


@dataclass(frozen=True)
class AliasResult:
    outcome: AliasOutcome
    customer: str = ""  # short id of the customer the alias is for
    customer_name: str = ""
    alias: str = ""
    other: str = ""  # TAKEN: the short id of the customer that has the name
