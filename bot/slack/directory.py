"""Who an imported owner cell names: a Slack user id, an e-mail or a display or real name (issue 12).

An e-mail is looked up with ``users.lookupByEmail`` (scope ``users:read.email``), one call per distinct
address; a name is matched against the workspace's member list (``users.list``, read page by page once
per run, only when a name first needs it). Every answer is cached for the run. ``--owners FILE.csv``
(two columns: what the export says, and a Slack user id or e-mail) comes first. A cell that matches
nobody, a deactivated account or several people is an ``OwnerMatch`` with its problem, never a guess.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.results.importer import OwnerMatch
from bot.rules.importing import parse_owner

PAGE = 200  # users.list: Slack recommends no more than 200 a page


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def read_owners_file(path: str | Path) -> dict[str, str]:
    """``--owners FILE.csv``: export text → Slack user id or e-mail (a header row is skipped if it has neither)."""
    mapping: dict[str, str] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        for cells in csv.reader(f):
            if len(cells) >= 2 and cells[0].strip() and cells[1].strip():
                target = cells[1].strip()
                if parse_owner(target) or "@" in target:
                    mapping[_key(cells[0])] = target
    return mapping


class SlackDirectory:
    """An owner resolver for ``bot.services.importer.import_csv`` backed by the Slack Web API."""

    def __init__(self, client: WebClient, owners: dict[str, str] | None = None):
        self.client = client
        self.owners = owners or {}
        self.by_email: dict[str, OwnerMatch] = {}
        self.members: list[dict[str, Any]] | None = None
        self.emails: dict[str, str | None] | None = None
        self.calls = {"users.lookupByEmail": 0, "users.list": 0}

    def __call__(self, cell: str) -> OwnerMatch:
        text = unicodedata.normalize("NFKC", cell).strip()
        mapped = self.owners.get(_key(text))
        if mapped is not None:  # a Slack id or an e-mail (read_owners_file keeps nothing else): one step, no chains
            match = self._direct(mapped)
            return OwnerMatch(cell, match.user, match.problem, match.candidates, "file")
        return self._direct(text, cell)

    def _direct(self, text: str, cell: str | None = None) -> OwnerMatch:
        cell = cell if cell is not None else text
        user = parse_owner(text)
        if user is not None:
            return OwnerMatch(cell, user)
        if "@" in text and " " not in text:
            found = self._email(text.casefold())
            return OwnerMatch(cell, found.user, found.problem, found.candidates, "email")
        return self._name(text, cell)

    def _email(self, email: str) -> OwnerMatch:
        if email in self.by_email:
            return self.by_email[email]
        self.calls["users.lookupByEmail"] += 1
        try:
            user = self.client.users_lookupByEmail(email=email).get("user") or {}
            match = OwnerMatch(email, None, "deactivated") if user.get("deleted") else OwnerMatch(email, user["id"])
        except SlackApiError as e:
            error = e.response.get("error") if e.response is not None else None
            match = OwnerMatch(email, None, "not_found" if error == "users_not_found" else "lookup_failed")
        self.by_email[email] = match
        return match

    def _name(self, text: str, cell: str) -> OwnerMatch:
        key = _key(text)
        members = self._members()
        if members is None:
            return OwnerMatch(cell, None, "lookup_failed", via="name")
        found = [m for m in members if key in _names(m)]
        active = [m for m in found if not m.get("deleted")]
        if len(active) == 1:
            return OwnerMatch(cell, active[0]["id"], via="name")
        if len(active) > 1:
            return OwnerMatch(cell, None, "ambiguous", tuple(sorted(m["id"] for m in active)), via="name")
        return OwnerMatch(cell, None, "deactivated" if found else "not_found", via="name")

    def _members(self) -> list[dict[str, Any]] | None:
        if self.members is None:
            members: list[dict[str, Any]] = []
            cursor = None
            try:
                while True:
                    self.calls["users.list"] += 1
                    page = self.client.users_list(limit=PAGE, cursor=cursor) if cursor else \
                        self.client.users_list(limit=PAGE)
                    members += [m for m in page.get("members") or [] if not m.get("is_bot")]
                    cursor = (page.get("response_metadata") or {}).get("next_cursor")
                    if not cursor:
                        break
            except SlackApiError:
                return None
            self.members = members
        return self.members


    def email_of(self, user_id: str) -> str | None:
        """A member's e-mail (for the exports in a CRM's import layout), from the member list."""
        if self.emails is None:
            self.emails = {m["id"]: (m.get("profile") or {}).get("email") for m in self._members() or []}
        return self.emails.get(user_id)


def _names(member: dict[str, Any]) -> set[str]:
    profile = member.get("profile") or {}
    names = (member.get("name"), member.get("real_name"), profile.get("real_name"), profile.get("display_name"),
             profile.get("real_name_normalized"), profile.get("display_name_normalized"))
    return {_key(n) for n in names if n}
