"""Allocation's messages (bot/views/allocation.py) in zh and en: every outcome renders, within Block Kit's
limits, with user text escaped and no placeholder left unfilled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.results.allocation import (
    AllocationOutcome,
    AllocationResult,
    AutoAssignOutcome,
    AutoAssignResult,
    FairnessReport,
    OooOutcome,
    OooResult,
    RelatedOwner,
    RuleFairness,
)
from bot.results.customers import CustomerSnapshot, InputError, Lookup
from bot.rules.allocation import Lead, Skip
from bot.views import allocation as v
from bot.views import notices
from tests.test_blockkit import NAMES, check_message

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"
RULE = "north <!channel> & A"
SKIPS = (Skip("U0BOB", "ooo", until=date(2026, 11, 29)), Skip("U0CAROL", "inactive"),
         Skip("U0DAVE", "at_cap", holding=100, cap=100), Skip("U0ERIN", "cooldown", until=date(2026, 12, 4)))


def snap(name: str, owner: str | None = "U0ALICE") -> CustomerSnapshot:
    return CustomerSnapshot(id=42, short_id="C-1042", name=name, tier="A", stage="lead", owner=owner,
                            protected_until=date(2026, 11, 30) if owner else None, clock=None, last_activity=None)


def results(name: str) -> dict[str, AllocationResult]:
    lead = Lead(f"北京 {name[:20]}", f"制造 {name[:20]}", "A")
    related = RelatedOwner(7, "C-1007", name, "U0ALICE", "core")
    return {
        "rule": AllocationResult(AllocationOutcome.ASSIGNED, snap(name), "rule", lead, rep="U0ALICE", rule=RULE,
                                 strategy="round_robin", cycle=12, skipped=SKIPS, passed=("U0BOB",)),
        "tie": AllocationResult(AllocationOutcome.ASSIGNED, snap(name), "rule", lead, rep="U0ALICE", rule=RULE,
                                strategy="least_loaded", cycle=3, tied=("U0ALICE", "U0BOB")),
        "weighted": AllocationResult(AllocationOutcome.ASSIGNED, snap(name), "rule", lead, rep="U0ALICE", rule=RULE,
                                     strategy="weighted", cycle=1),
        "existing_owner": AllocationResult(AllocationOutcome.ASSIGNED, snap(name), "existing_owner", lead, rep="U0ALICE",
                                           strategy="existing_owner", related=related),
        "owned": AllocationResult(AllocationOutcome.EXISTING_OWNER, snap(name), "owned", lead, rep="U0ALICE",
                                  strategy="existing_owner", related=related),
        "owner_unavailable": AllocationResult(AllocationOutcome.UNASSIGNED, snap(name, None), "owner_unavailable", lead,
                                              related=related, skipped=SKIPS[:1], managers_told=("U0MGR1",)),
        "no_rule": AllocationResult(AllocationOutcome.UNASSIGNED, snap(name, None), "no_rule", lead, managers_told=("U0MGR1",)),
        "nobody_eligible": AllocationResult(AllocationOutcome.UNASSIGNED, snap(name, None), "nobody_eligible", lead, rule=RULE,
                                            strategy="round_robin", skipped=SKIPS * 5, managers_told=("U0MGR1",)),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("script", list(NAMES))
def test_every_allocation_message_renders(lang, script):
    name = NAMES[script]
    for key, result in results(name).items():
        check_message(f"{key} reply", v.auto_assign_reply(AutoAssignResult(AutoAssignOutcome.ALLOCATED, result), name, lang))
        if result.outcome == "assigned":
            check_message(f"{key} dm", v.for_rep(result, lang))
        data = {"customer_id": 42, "sid": "C-1042", "name": name, "reason": result.reason, "rule": result.rule,
                "tier": "A", "region": result.lead.region, "industry": None,
                "skipped": [{"rep": s.rep, "reason": s.reason, "until": s.until and s.until.isoformat(),
                             "holding": s.holding, "cap": s.cap} for s in result.skipped],
                "match": {"sid": "C-1007", "name": name, "why": "core", "owner": "U0ALICE"} if result.related else None}
        if result.outcome == "unassigned":
            check_message(f"{key} notice", notices.render("unassigned", data, lang, TZ))
        entry = {"rep": result.rep, "outcome": result.outcome, "rule": result.rule, "strategy": result.strategy,
                 "reason": result.reason, "cycle": result.cycle, "at": NOW, **data}
        assert v.explanation(entry, lang, TZ)
    for other in (AutoAssignResult(AutoAssignOutcome.REFUSED, refusal="not_manager"),
                  AutoAssignResult(AutoAssignOutcome.INVALID, error=InputError("usage.assign")),
                  AutoAssignResult(AutoAssignOutcome.INVALID, error=InputError("error.empty")),
                  AutoAssignResult(AutoAssignOutcome.NOT_FOUND, lookup=Lookup(None))):
        check_message(f"{other.outcome} reply", v.auto_assign_reply(other, name, lang))


def test_the_answer_names_the_rule_the_cycle_and_every_skip():
    text = v.allocation_text(results("Acme")["rule"], "en")
    assert "auto-assigned to <@U0ALICE>: rule “north &lt;!channel&gt; &amp; A”, round robin, cycle 12" in text
    assert ("Skipped: <@U0BOB> out of office until Nov 29, 2026 · <@U0CAROL> inactive · "
            "<@U0DAVE> at the holding cap (100/100) · <@U0ERIN> gave it up, cooling down until Dec 4, 2026") in text
    zh = v.allocation_text(results("Acme")["nobody_eligible"], "zh")
    assert "没有可分配的销售" in zh and "+8" in zh and "已通知经理" in zh


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ooo_replies(lang):
    for result in (OooResult(OooOutcome.SET, date(2026, 12, 5)), OooResult(OooOutcome.CLEARED), OooResult(OooOutcome.PAST, date(2026, 11, 1)),
                   OooResult(OooOutcome.TOO_FAR, date(2028, 1, 1), 366), OooResult(OooOutcome.INVALID)):
        check_message(result.outcome, v.ooo_reply(result, lang))
    back = {"zh": "2026年12月6日", "en": "Dec 6, 2026"}[lang]
    assert back in v.ooo_reply(OooResult(OooOutcome.SET, date(2026, 12, 5)), lang)["text"]  # back the day after


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fairness_section(lang):
    since = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # midnight in Shanghai
    rules = (RuleFairness(RULE, "round_robin", (("U0ALICE", 84), ("U0BOB", 145)), 229, 61, 0.1332, 110, 1, 2,
                          (("U0ALICE", 61),)),
             RuleFairness("key-A", "weighted", (("U0CAROL", 0),), 0, 0, 0.0, 0, 0, 0))
    message = v.fairness_message(FairnessReport(since, since + timedelta(days=30), rules, 21, 19), lang, TZ)
    check_message("fairness", message)
    text = message["blocks"][0]["text"]["text"]
    period = {"zh": "2026年11月2日 – 2026年12月1日", "en": "Nov 2, 2026 – Dec 1, 2026"}[lang]
    assert period in text and "0.13" in text and ("61" in text)
    empty = v.fairness_message(FairnessReport(since, since + timedelta(days=1), (), 0, 0), lang, TZ)
    check_message("fairness empty", empty)
