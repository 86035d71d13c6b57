"""The customer card and its forms rendered from realistic results, for tests/test_blockkit.py's limit checks.

tests/test_blockkit.py passes its own builders in (snapshots with adversarial names, a long history,
candidates, a 3000-character reason), so these views get the same hostile content as every other view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from bot.results.cards import (
    ACTIONS,
    ASSIGN,
    CLAIM,
    COMPLAINT,
    DISPUTE,
    FOLLOWUP,
    HANDOVER,
    RELEASE,
    STAGE,
    CustomerCard,
)
from bot.results.claims import ActionResult, ClaimOutcome, ClaimResult
from bot.results.customers import CustomerDetails, Lookup
from bot.results.disputes import CaseView
from bot.results.handovers import HandoverView
from bot.rules.clocks import STAGES
from bot.views import activity, card_forms, claims, decisions
from bot.views.card import card_reply, customer_card, stale_card

Render = Callable[[str, str], dict[str, Any]]
TZ = "Asia/Shanghai"
TODAY = date(2026, 11, 27)
METADATA = {"c": 2**31 - 1, "o": "message",
            "r": "https://hooks.slack.com/actions/T0001/1234567890123/" + "x" * 60}


def cards(snap: Callable[..., Any], history: Callable[[str], Any], name: str) -> dict[str, CustomerCard]:
    long = history(name)
    return {
        "owner, every number, long history": CustomerCard(
            CustomerDetails(Lookup(snap(name)), long, followups=98_765, last_followup=TODAY), "U0ALICE",
            (FOLLOWUP, STAGE, RELEASE, HANDOVER, COMPLAINT), followups_7d=9_999, followups_30d=99_999,
            next_contact=TODAY + timedelta(days=3), open_complaints=999, co_owner="U0BOB"),
        "every action at once": CustomerCard(
            CustomerDetails(Lookup(snap(name)), long, followups=1), "U0MGR1", ACTIONS),
        "pool, manager": CustomerCard(
            CustomerDetails(Lookup(snap(name, owner=None, stage="lost")), long[:3]), "U0MGR1",
            (CLAIM, ASSIGN, COMPLAINT)),
        "won, no history, no buttons": CustomerCard(
            CustomerDetails(Lookup(snap(name, won=True))), "U0BOB", ()),
        "other rep": CustomerCard(CustomerDetails(Lookup(snap(name)), long), "U0BOB", (DISPUTE, COMPLAINT)),
    }


def message_views(snap: Callable[..., Any], history: Callable[[str], Any], candidates: Callable[[str], Any],
                  action_results: Callable[[str], dict[str, tuple[ActionResult, str]]],
                  case: Callable[[str], CaseView], handover: Callable[[str], HandoverView]) -> Iterator[tuple[str, Render]]:
    for key in cards(snap, history, "x"):
        yield (f"card.customer_card[{key}]",
               lambda lang, name, key=key: customer_card(cards(snap, history, name)[key], name, lang, TZ))
        yield (f"card.stale_card[{key}]",
               lambda lang, name, key=key: stale_card(cards(snap, history, name)[key], lang, TZ))
    yield ("card.customer_card[not found]",
           lambda lang, name: customer_card(CustomerCard(CustomerDetails(Lookup(None, candidates(name))), "U0BOB"),
                                            name, lang, TZ))
    yield ("card.stale_card[gone]",
           lambda lang, name: stale_card(CustomerCard(CustomerDetails(Lookup(None)), "U0BOB"), lang, TZ))
    full = "owner, every number, long history"
    for key in action_results("x"):  # every answer a form can give, above the fullest card
        yield (f"card.card_reply[{key}]",
               lambda lang, name, key=key: card_reply(
                   activity.action_result(action_results(name)[key][0], "", lang, action_results(name)[key][1],
                                          cooldown_days=7, min_chars=10),
                   cards(snap, history, name)[full], lang, TZ))
    yield ("card.card_reply[dispute opened]",
           lambda lang, name: card_reply(decisions.case_opened(case(name), lang, TZ),
                                         cards(snap, history, name)[full], lang, TZ))
    yield ("card.card_reply[handover requested]",
           lambda lang, name: card_reply(decisions.handover_requested(handover(name), lang, TZ),
                                         cards(snap, history, name)[full], lang, TZ))
    yield ("card.card_reply[claim confirm prompt]",
           lambda lang, name: card_reply(claims.claim_result(ClaimResult(ClaimOutcome.CONFIRM, candidates=candidates(name),
                                                                         query=name), lang),
                                         cards(snap, history, name)[full], lang, TZ))


def modal_views(snap: Callable[..., Any]) -> Iterator[tuple[str, Render]]:
    yield "card_forms.followup_form", lambda lang, name: card_forms.followup_form(snap(name), lang, METADATA, 10)
    for stage in STAGES:
        yield (f"card_forms.stage_form[from {stage}]",
               lambda lang, name, stage=stage: card_forms.stage_form(snap(name, stage=stage), lang, METADATA))
    yield "card_forms.release_form", lambda lang, name: card_forms.release_form(snap(name), lang, METADATA)
    for assign in (True, False):
        yield (f"card_forms.handover_form[assign={assign}]",
               lambda lang, name, assign=assign: card_forms.handover_form(snap(name), lang, METADATA, assign=assign))
    yield "card_forms.dispute_form", lambda lang, name: card_forms.dispute_form(snap(name), lang, METADATA)
