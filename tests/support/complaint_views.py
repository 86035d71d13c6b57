"""Complaint views for tests/test_blockkit.py: every message and form, from adversarial content.

Each entry is ``name → render(lang, customer name)``; test_blockkit checks them against Block Kit's limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.results.complaints import ComplaintOutcome, ComplaintResult, ComplaintView
from bot.results.customers import InputError, Lookup
from bot.results.scoreboard import ComplaintItem, CustomerRef, Digest, Section
from bot.views import complaints, digest

TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
SAID = ("客户说发票开错了 <!channel> & <@U1> — the invoice was wrong, again. " * 60)[:3000]


def complaint(name: str, status: str = "open", owner: str | None = "U0ALICE") -> ComplaintView:
    view = ComplaintView(id=123_456, customer_id=98_001, short_id="C-99001", customer_name=name, owner=owner,
                         raised_by="U0BOB", text=SAID, raised_at=NOW, due_on=date(2026, 11, 30), status="open")
    if status == "resolved":
        view = replace(view, status="resolved", resolution=SAID, resolved_by="U0MGR1",
                       resolved_at=NOW + timedelta(days=1))
    return view


def _digest(name: str) -> Digest:
    items = tuple(ComplaintItem(i, CustomerRef(f"C-{99_000 + i}", name), "U0ALICE" if i % 2 else None, "U0BOB",
                                "2026-11-30", i % 3) for i in range(10))
    empty = Section(0)
    return Digest(day="2026-12-01", yesterday="2026-11-30", new_claims=empty, claims_by_rep={}, returned=empty,
                  upcoming=empty, upcoming_by_rep={}, upcoming_until="2026-12-07", disputes=empty, approvals=empty,
                  decisions=empty, names={"U0ALICE": name[:80]}, complaints=Section(250, items), complaints_overdue=170)


Render = Callable[[str, str], dict[str, Any]]


def message_views() -> dict[str, Render]:
    views: dict[str, Render] = {}
    for status in ("open", "resolved"):
        for for_owner in (False, True):
            views[f"complaints.complaint_message[{status}, owner={for_owner}]"] = (
                lambda lang, name, status=status, for_owner=for_owner: complaints.complaint_message(
                    complaint(name, status), lang, TZ, for_owner=for_owner))
    views["complaints.complaint_message[pool customer]"] = \
        lambda lang, name: complaints.complaint_message(complaint(name, owner=None), lang, TZ)
    views["complaints.resolved_notice"] = \
        lambda lang, name: complaints.resolved_notice(complaint(name, "resolved"), lang, TZ)
    results: dict[str, Callable[[str], ComplaintResult]] = {
        "logged": lambda name: ComplaintResult(ComplaintOutcome.LOGGED, complaint(name)),
        "logged_pool": lambda name: ComplaintResult(ComplaintOutcome.LOGGED, complaint(name, owner=None)),
        "resolved": lambda name: ComplaintResult(ComplaintOutcome.RESOLVED, complaint(name, "resolved")),
        "refused_not_allowed": lambda name: ComplaintResult(ComplaintOutcome.REFUSED, complaint(name), refusal="not_allowed"),
        "refused_already": lambda name: ComplaintResult(ComplaintOutcome.REFUSED, complaint(name, "resolved"),
                                                        refusal="already_resolved"),
        "invalid_text": lambda name: ComplaintResult(ComplaintOutcome.INVALID, error=InputError("complaint.needs_text")),
        "invalid_long": lambda name: ComplaintResult(ComplaintOutcome.INVALID, error=InputError("error.note_too_long",
                                                                                  {"limit": 3000})),
        "not_found": lambda name: ComplaintResult(ComplaintOutcome.NOT_FOUND, lookup=Lookup(None), query=name),
        "gone": lambda name: ComplaintResult(ComplaintOutcome.NOT_FOUND),
    }
    for key, make in results.items():
        views[f"complaints.reply[{key}]"] = lambda lang, name, make=make: complaints.reply(make(name), name, lang, 3)
    views["digest.digest[250 open complaints]"] = lambda lang, name: digest.digest(_digest(name), lang, TZ)
    views["digest.render_digest[complaints round-trip]"] = \
        lambda lang, name: digest.render_digest(json.loads(json.dumps(_digest(name).to_data())), lang, TZ)
    return views


def modal_views() -> dict[str, Render]:
    return {
        "complaints.complaint_modal": lambda lang, name: complaints.complaint_modal(98_001, lang, 3),
        "complaints.resolution_modal": lambda lang, name: complaints.resolution_modal(complaint(name), lang, TZ),
    }
