"""Every message stays within Block Kit limits, in zh and en.

Each view in bot/views is rendered from realistic result objects carrying adversarial content
(200-character names in CJK and Latin with ``<!channel>``, ``&`` and ``<@U1>`` in them, 3000-character
reasons) and checked against Slack's limits with slack_sdk's own block models, plus the limits slack_sdk
does not check (blocks per message, fallback text, block_id uniqueness) and escaping of user text.
"""

from __future__ import annotations

import importlib.util
import json
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import i18n
from bot.i18n import CATALOG, LANGUAGES
from bot.results.claims import ActionOutcome, ActionResult, ClaimOutcome, ClaimResult
from bot.results.customers import (
    Candidate,
    CustomerDetails,
    CustomerSnapshot,
    HistoryEntry,
    InputError,
    Lookup,
    MyCustomers,
)
from bot.results.disputes import CaseView, Evidence
from bot.results.handovers import HandoverView
from bot.results.reps import OffboardOutcome, OffboardResult
from bot.results.scorecards import Scorecard, ScorecardOutcome, ScorecardResult
from bot.views import activity, claims, decisions, modals
from bot.views import scorecard as scorecard_view
from tests.support import card_views, complaint_views, settings_views

TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
TEXT_OBJECT_MAX = 3000
FALLBACK_TEXT_MAX = 40_000
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255


def _fill(seed: str, length: int) -> str:
    return (seed * (length // len(seed) + 1))[:length]


# User text that Slack would turn into a notification, a mention or an entity if shown raw; quotes and
# backslashes grow when JSON-encoded into a button value.
NAMES = {
    "latin": _fill('Acme "Holdings" <!channel> & Sons \\ <@U1> Ltd ', 200),
    "cjk": _fill("北京<!channel>字节&跳动科技<@U1>有限公司（深圳）", 200),
}
REASON = _fill("他先抢了我的客户 <!channel> & <@U1> — I met them first at the expo. ", 3000)
NOTE_LIMIT = 3000
RAW_USER_TOKENS = ("<!channel>", "<@U1>")
REPS = ("U0ALICE", "U0BOB", "U0CAROL")
MGRS = ("U0MGR1", "U0MGR2")


# --- realistic result objects


def snap(name: str, i: int = 1, *, owner: str | None = "U0ALICE", stage: str = "proposal", won: bool = False,
         clock: str | None = "followup") -> CustomerSnapshot:
    protected = None if won or owner is None else TODAY + timedelta(days=i % 45)
    return CustomerSnapshot(
        id=98_000 + i, short_id=f"C-{99_000 + i}", name=name, tier="ABC"[i % 3], stage="won" if won else stage,
        owner=owner, protected_until=protected, clock=None if protected is None else clock,
        last_activity=TODAY - timedelta(days=3), first_followup_due=TODAY + timedelta(days=3),
        amount=1_234_567.89 if won else None,
    )


def candidates(name: str) -> tuple[Candidate, ...]:
    return (
        Candidate(snap(name, 1), "strong", "uscc", 100.0),
        Candidate(snap(name[::-1], 2, owner=None), "strong", "core", 100.0),
        Candidate(snap(name.upper(), 3, owner="U0BOB"), "fuzzy", "fuzzy", 93.4),
    )


FULL_REQUEST = {  # what the claim modal carries into the "same company?" buttons
    "uscc": "91350100M000100Y43", "domain": "acme-holdings.example.com", "phone": "+86 21 5555 0100",
    "tier": "A",
}


def claim_results(name: str) -> dict[str, tuple[ClaimResult, dict[str, Any] | None]]:
    c = snap(name)
    request = {"name": name, **FULL_REQUEST, "region": name[:100], "industry": name[100:]}
    errors = {
        "error.empty": {}, "error.too_long": {"limit": 200, "length": 4001}, "error.no_letters": {"text": name},
        "error.invalid_uscc": {"value": name[:30]}, "error.invalid_domain": {"value": name},
        "error.invalid_phone": {"value": name[:40]}, "error.invalid_tier": {},
    }
    results: dict[str, tuple[ClaimResult, dict[str, Any] | None]] = {
        "created": (ClaimResult(ClaimOutcome.CREATED, customer=c, until=c.protected_until, days_left=3), None),
        "created_flagged": (ClaimResult(ClaimOutcome.CREATED, customer=c, until=c.protected_until, flagged_for_review=True),
                            None),
        "claimed": (ClaimResult(ClaimOutcome.CLAIMED, customer=c, until=c.protected_until), None),
        "already_yours": (ClaimResult(ClaimOutcome.ALREADY_YOURS, customer=c, days_left=12,
                                      next_reminder=TODAY + timedelta(days=5)), None),
        "already_yours_won": (ClaimResult(ClaimOutcome.ALREADY_YOURS, customer=snap(name, won=True)), None),
        "owned_by_other": (ClaimResult(ClaimOutcome.OWNED_BY_OTHER, customer=snap(name, owner="U0BOB")), None),
        "owned_by_other_won": (ClaimResult(ClaimOutcome.OWNED_BY_OTHER, customer=snap(name, owner="U0BOB", won=True)), None),
        "refused_holding_cap": (ClaimResult(ClaimOutcome.REFUSED, rule="holding_cap", limit=100, count=100, query=name,
                                            until=TODAY + timedelta(days=1)), None),
        "refused_daily_claim_cap": (ClaimResult(ClaimOutcome.REFUSED, customer=c, rule="daily_claim_cap", limit=10, count=10,
                                                until=TODAY + timedelta(days=1), query=name), None),
        "refused_cooldown": (ClaimResult(ClaimOutcome.REFUSED, customer=c, rule="cooldown", limit=7, query=name,
                                         until=TODAY + timedelta(days=7)), None),
        "confirm_text": (ClaimResult(ClaimOutcome.CONFIRM, candidates=candidates(name), query=name), {"name": name}),
        "confirm_modal": (ClaimResult(ClaimOutcome.CONFIRM, candidates=candidates(name), query=name), request),
        "not_found": (ClaimResult(ClaimOutcome.NOT_FOUND, query=name), None),
    }
    for code, params in errors.items():
        results[f"invalid_{code}"] = (ClaimResult(ClaimOutcome.INVALID, error=InputError(code, params), query=name), None)
    return results


def history(name: str) -> tuple[HistoryEntry, ...]:
    kinds = ("claim", "release", "lost", "recycle", "transfer", "assign", "coown", "coown_end", "merge")
    rules = ("first_claim", "pool_claim", "owner_release", "stage_lost", "dispute_decision", "handover_declined",
             "manager_assign", "offboard", "some_future_rule")
    return tuple(
        HistoryEntry(kind=kinds[i % len(kinds)], at=NOW - timedelta(days=60 - i), from_rep=REPS[i % 3],
                     to_rep=None if i % 4 == 0 else REPS[(i + 1) % 3], actor=MGRS[i % 2],
                     rule=rules[i % len(rules)], reason=(REASON if i % 2 else name))
        for i in range(45)
    )


def action_results(name: str) -> dict[str, tuple[ActionResult, str]]:
    c = snap(name)
    suggest = Lookup(None, candidates(name))
    until = TODAY + timedelta(days=30)
    results: dict[str, tuple[ActionResult, str]] = {
        "logged": (ActionResult(ActionOutcome.LOGGED, customer=c, kind="wechat", until=until), "usage.followup"),
        "not_qualifying_short": (ActionResult(ActionOutcome.NOT_QUALIFYING, customer=c, kind="call", detail="short", until=until),
                                 "usage.followup"),
        "not_qualifying_same_day": (ActionResult(ActionOutcome.NOT_QUALIFYING, customer=c, kind="visit", detail="same_day",
                                                 until=until), "usage.followup"),
        "changed_advance": (ActionResult(ActionOutcome.CHANGED, customer=c, detail="advance", from_stage="contacted",
                                         to_stage="proposal", until=until), "usage.stage"),
        "changed_back": (ActionResult(ActionOutcome.CHANGED, customer=c, detail="back", from_stage="proposal",
                                      to_stage="lead", until=until), "usage.stage"),
        "changed_won": (ActionResult(ActionOutcome.CHANGED, customer=snap(name, won=True), detail="won", from_stage="proposal",
                                     to_stage="won", amount=98_765_432.1), "usage.stage"),
        "changed_lost": (ActionResult(ActionOutcome.CHANGED, customer=snap(name, owner=None), detail="lost",
                                      from_stage="qualified", to_stage="lost", until=TODAY + timedelta(days=7)),
                         "usage.stage"),
        "same": (ActionResult(ActionOutcome.SAME, customer=c, to_stage="proposal"), "usage.stage"),
        "closed": (ActionResult(ActionOutcome.CLOSED, customer=snap(name, won=True), to_stage="won"), "usage.stage"),
        "released": (ActionResult(ActionOutcome.RELEASED, customer=snap(name, owner=None), reason=REASON,
                                  until=TODAY + timedelta(days=7)), "usage.release"),
        "not_owner": (ActionResult(ActionOutcome.NOT_OWNER, lookup=Lookup(c), customer=snap(name, owner="U0BOB")),
                      "usage.release"),
        "not_found_suggestions": (ActionResult(ActionOutcome.NOT_FOUND, lookup=suggest), "usage.stage"),
        "not_found_nothing": (ActionResult(ActionOutcome.NOT_FOUND, lookup=Lookup(None)), "usage.release"),
    }
    lookup_errors = {
        "error.empty": InputError("error.empty"),
        "error.too_long": InputError("error.too_long", {"limit": 200, "length": 250}),
        "error.no_letters": InputError("error.no_letters", {"text": name}),
    }
    invalid = {  # what each service answers with (bot/services/activity.py), under its command's usage
        "usage.followup": {"usage.followup": InputError("usage.followup", {"min_chars": 10}),
                           "error.note_too_long": InputError("error.note_too_long", {"limit": NOTE_LIMIT})},
        "usage.stage": {"stage.bad": InputError("stage.bad", {"value": name}),
                        "stage.won_needs_amount": InputError("stage.won_needs_amount", {"sid": "C-1042"})},
        "usage.release": {"release.needs_reason": InputError("release.needs_reason"),
                          "error.note_too_long": InputError("error.note_too_long", {"limit": NOTE_LIMIT})},
    }
    for usage, errors in invalid.items():
        for code, error in {**lookup_errors, **errors}.items():
            results[f"invalid {code} ({usage})"] = (ActionResult(ActionOutcome.INVALID, error=error), usage)
        results[f"not_found with error ({usage})"] = (
            ActionResult(ActionOutcome.NOT_FOUND, lookup=Lookup(None, error=InputError("error.no_letters", {"text": name}))),
            usage)
    return results


def evidence() -> Evidence:
    return Evidence(owner_since=NOW - timedelta(days=20), owner_first_claim=NOW - timedelta(days=400),
                    claimant_first_claim=None, owner_last_followup=TODAY - timedelta(days=2),
                    claimant_last_followup=None, owner_followups=123, claimant_followups=0, stage="qualified")


def case(name: str, kind: str, status: str, decision: str | None = None, **overrides: Any) -> CaseView:
    decided = status != "pending"
    view = CaseView(
        id=123_456 if kind == "dispute" else 123_457, kind=kind, parent_id=123_456 if kind == "appeal" else None,
        customer=snap(name), claimant="U0BOB", owner="U0ALICE", opened_by="U0BOB", reason=REASON, status=status,
        decision=decision, claimant_share=60 if decision == "coown" else None,
        decided_by="U0MGR1" if status == "decided" else None, decided_at=NOW if decided else None,
        deadline=NOW + timedelta(hours=48), excluded_decider="U0MGR2" if kind == "appeal" else None,
        evidence=evidence(),
        appealable_by={"keep": ("U0BOB",), "transfer": ("U0ALICE",), "coown": ("U0BOB", "U0ALICE")}.get(
            decision or "", ()) if kind == "dispute" and decided else (),
        appeal_until=NOW + timedelta(days=3) if kind == "dispute" and decided else None,
    )
    return replace(view, **overrides)


def cases(name: str) -> dict[str, CaseView]:
    out: dict[str, CaseView] = {}
    for kind in ("dispute", "appeal"):
        out[f"{kind}_pending"] = case(name, kind, "pending")
        out[f"{kind}_pending_no_evidence"] = case(name, kind, "pending", evidence=None)
        for decision in ("keep", "transfer", "coown"):
            out[f"{kind}_decided_{decision}"] = case(name, kind, "decided", decision)
        out[f"{kind}_expired"] = case(name, kind, "expired", "keep", decided_at=NOW + timedelta(hours=48))
    return out


def handover(name: str, status: str) -> HandoverView:
    return HandoverView(
        id=77_001, customer=snap(name, owner="U0BOB" if status in ("transferred", "done") else "U0ALICE"),
        from_rep="U0ALICE", to_rep="U0BOB", requested_by="U0ALICE", reason=REASON, status=status,
        decided_by=None if status == "pending" else "U0MGR1",
        decline_deadline=NOW + timedelta(hours=24) if status in ("transferred", "declined", "done") else None,
        created_at=NOW - timedelta(hours=2),
    )


HANDOVER_STATUSES = ("pending", "rejected", "transferred", "declined", "done")
REFUSAL_CODES = sorted(k.removeprefix("refusal.") for k in CATALOG if k.startswith("refusal."))


# --- every view, by name

Render = Callable[[str, str], dict[str, Any]]  # (lang, name) -> message or view


def _message_views() -> Iterator[tuple[str, Render]]:
    for key in claim_results("x"):
        yield (f"claims.claim_result[{key}]",
               lambda lang, name, key=key: claims.claim_result(claim_results(name)[key][0], lang,
                                                               claim_results(name)[key][1]))
    yield ("claims.confirm_prompt[3 candidates]",
           lambda lang, name: claims.confirm_prompt(name, candidates(name), lang,
                                                    {"name": name, **FULL_REQUEST, "region": name[:100],
                                                     "industry": name[:100]}))
    yield ("claims.customer_details[owned, long history]",
           lambda lang, name: claims.customer_details(
               CustomerDetails(Lookup(snap(name)), history(name), followups=987, last_followup=TODAY), name, lang, "Asia/Shanghai"))
    yield ("claims.customer_details[pool]",
           lambda lang, name: claims.customer_details(
               CustomerDetails(Lookup(snap(name, owner=None, stage="lost")), history(name)[:3]), name, lang,
               "Asia/Shanghai"))
    yield ("claims.customer_details[not found]",
           lambda lang, name: claims.customer_details(CustomerDetails(Lookup(None, candidates(name))), name, lang,
                                                      "Asia/Shanghai"))
    yield ("claims.my_customers[40 of 500]",
           lambda lang, name: claims.my_customers(
               MyCustomers(tuple(snap(name, i, won=i % 7 == 0) for i in range(40)), 500), TODAY, lang))
    yield ("claims.my_customers[empty]", lambda lang, name: claims.my_customers(MyCustomers((), 0), TODAY, lang))
    yield ("claims.suggestions[3]",
           lambda lang, name: claims.suggestions(Lookup(None, candidates(name)), name, lang, "usage.customer"))
    yield ("claims.suggestions[none]",
           lambda lang, name: claims.suggestions(Lookup(None), name, lang, "usage.customer"))
    yield ("claims.suggestions[error]",
           lambda lang, name: claims.suggestions(
               Lookup(None, error=InputError("error.too_long", {"limit": 200, "length": 9999})), name, lang,
               "usage.customer"))
    for key in action_results("x"):
        yield (f"activity.action_result[{key}]",
               lambda lang, name, key=key: activity.action_result(
                   action_results(name)[key][0], name, lang, action_results(name)[key][1], cooldown_days=7,
                   min_chars=10))
    for key in cases("x"):
        yield (f"decisions.case_for_managers[{key}]",
               lambda lang, name, key=key: decisions.case_for_managers(cases(name)[key], lang, TZ))
        if "pending" in key:  # the channel and the reps hear of a case once it is decided or expired
            continue
        yield (f"decisions.case_for_channel[{key}]",
               lambda lang, name, key=key: decisions.case_for_channel(cases(name)[key], lang, TZ))
        for rep in ("U0ALICE", "U0BOB"):
            yield (f"decisions.case_decided_for_rep[{key}, {rep}]",
                   lambda lang, name, key=key, rep=rep: decisions.case_decided_for_rep(cases(name)[key], rep, lang,
                                                                                        TZ))
    for kind in ("dispute", "appeal"):
        yield (f"decisions.case_opened[{kind}]",
               lambda lang, name, kind=kind: decisions.case_opened(cases(name)[f"{kind}_pending"], lang, TZ))
        yield (f"decisions.case_notice_to_owner[{kind}]",
               lambda lang, name, kind=kind: decisions.case_notice_to_owner(cases(name)[f"{kind}_pending"], lang,
                                                                            TZ))
    for code in REFUSAL_CODES:
        yield (f"decisions.refusal[{code}]",
               lambda lang, name, code=code: decisions.refusal(code, lang, to="U0BOB", limit=100, manager="U0MGR1"))
    for status in HANDOVER_STATUSES:
        yield (f"decisions.handover_for_managers[{status}]",
               lambda lang, name, status=status: decisions.handover_for_managers(handover(name, status), lang, TZ))
        for rep in ("U0ALICE", "U0BOB"):
            yield (f"decisions.handover_for_rep[{status}, {rep}]",
                   lambda lang, name, status=status, rep=rep: decisions.handover_for_rep(handover(name, status), rep,
                                                                                         lang, TZ))
    yield ("decisions.handover_requested",
           lambda lang, name: decisions.handover_requested(handover(name, "pending"), lang, TZ))
    for was in ("U0ALICE", None):
        yield (f"decisions.assigned[from {was}]",
               lambda lang, name, was=was: decisions.assigned(
                   {"customer": snap(name, owner="U0BOB"), "from": was, "to": "U0BOB"}, lang))
    for to_rep in ("U0BOB", None):
        yield (f"decisions.offboarded[200 customers to {to_rep}]",
               lambda lang, name, to_rep=to_rep: decisions.offboarded(OffboardResult(
                   OffboardOutcome.DONE, "U0ALICE", to_rep,
                   moved=tuple(snap(name, i, owner=to_rep) for i in range(100 if to_rep else 0)),
                   to_pool=tuple(snap(name, i, owner=None) for i in range(100, 200))), lang))
    for outcome, old, new in (("changed", "rep", "manager"), ("changed", "manager", "rep"), ("same", "rep", "rep"),
                              ("refused", None, None), ("invalid", None, None)):
        yield (f"decisions.role_changed[{outcome} {old}->{new}]",
               lambda lang, name, outcome=outcome, old=old, new=new: decisions.role_changed(
                   outcome, "U0BOB" if outcome != "refused" else None, old, new, lang))
    yield from _scorecard_views()


def _scorecard_views() -> Iterator[tuple[str, Render]]:
    big = Scorecard(claims=99_999, followups=99_999, advances=99_999, wins=12_345.67, amount=9_876_543_210.55,
                    won=99_999, lost=1, conversion=0.99999, first_followup_hours=9_999.99, first_followup_measured=9_999,
                    first_followup_waiting=9_999, disputes_won=999, disputes_lost=999, recycled=9_999,
                    complaints_opened=999, complaints_resolved=999, complaints_open=999, complaints_overdue=999)
    results = {
        "own week": ScorecardResult(ScorecardOutcome.OK, "U0BOB", "U0BOB", "week", TODAY, TODAY + timedelta(days=6), card=big),
        "manager month, nothing": ScorecardResult(ScorecardOutcome.OK, "U0MGR1", "U0ALICE", "month", TODAY.replace(day=1),
                                                  date(2026, 11, 30), card=Scorecard()),
        "refused": ScorecardResult(ScorecardOutcome.REFUSED, "U0BOB", "U0ALICE", "week", refusal="not_manager"),
        "unknown_rep": ScorecardResult(ScorecardOutcome.UNKNOWN_REP, "U0MGR1", "U0NOBODY", "month"),
    }
    for key, result in results.items():
        yield f"scorecard.scorecard[{key}]", lambda lang, name, result=result: scorecard_view.scorecard(result, lang)
        if result.card is None:  # nothing for Home to embed
            continue
        yield (f"scorecard.scorecard_compact[{key}, twice in one view]",
               lambda lang, name, result=result: {"text": "Home", "blocks": [
                   *scorecard_view.scorecard_compact(result, lang), *scorecard_view.scorecard_compact(result, lang)]})


def _modal_views() -> Iterator[tuple[str, Render]]:
    yield "modals.claim_modal", lambda lang, name: modals.claim_modal(lang, {"channel": "C0SALES"})
    for form, title in (("dispute_reason", "modal.dispute_title"), ("appeal_reason", "modal.appeal_title")):
        yield (f"decisions.reason_modal[{title}]",
               lambda lang, name, form=form, title=title: decisions.reason_modal(
                   form, title, lang, json.dumps({"c": 98_001, "case": 123_456})))


MESSAGE_VIEWS = dict(_message_views())
MODAL_VIEWS = dict(_modal_views())
MESSAGE_VIEWS.update(settings_views.message_views())
MODAL_VIEWS.update(settings_views.modal_views())
MESSAGE_VIEWS.update(complaint_views.message_views())
MODAL_VIEWS.update(complaint_views.modal_views())
MESSAGE_VIEWS.update(card_views.message_views(
    snap, history, candidates, action_results, lambda name: case(name, "dispute", "pending"),
    lambda name: handover(name, "pending")))
MODAL_VIEWS.update(card_views.modal_views(snap))


# --- the checks


def _text_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from _text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _text_objects(value)


def _interactive(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if block.get("type") == "actions":
        yield from block["elements"]
    if isinstance(block.get("accessory"), dict):
        yield block["accessory"]
    if block.get("type") == "input" and isinstance(block.get("element"), dict):
        yield block["element"]


_ENTITY = re.compile(r"&(amp|lt|gt);")
_OWN_MENTION = re.compile(r"<@U0[A-Z0-9]+>")  # the mentions a view makes itself, of our test users
_TRUNCATED_TAIL = re.compile(r"(&[a-z]{0,3}|<@?[A-Z0-9]*)…$")  # an entity or mention cut by truncation
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")


def _assert_shown_safely(where: str, markdown: str) -> None:
    for token in RAW_USER_TOKENS:
        assert token not in markdown, f"{where}: user text shown raw ({token!r})"
    rest = _TRUNCATED_TAIL.sub("…", _OWN_MENTION.sub("", _ENTITY.sub("", markdown)))
    assert "&" not in rest and "<" not in rest and ">" not in rest, \
        f"{where}: unescaped control character in {rest[:300]!r}"
    unfilled = _PLACEHOLDER.search(markdown)
    assert unfilled is None, \
        f"{where}: unfilled placeholder {unfilled.group()!r}: …{markdown[max(0, unfilled.start() - 80):][:160]!r}"


def _check_blocks(where: str, blocks: list[dict[str, Any]]) -> None:
    block_ids = [blk["block_id"] for blk in blocks if "block_id" in blk]
    assert len(block_ids) == len(set(block_ids)), f"{where}: duplicate block_id in {block_ids}"
    for i, raw in enumerate(blocks):
        at = f"{where} block {i} ({raw.get('type')})"
        parsed = Block.parse(raw)
        assert parsed is not None and parsed.type == raw["type"], f"{at}: slack_sdk cannot parse it"
        parsed.validate_json()
        assert parsed.to_dict()  # validates every nested element and text object too
        for obj in _text_objects(raw):
            assert 0 < len(obj["text"]) <= TEXT_OBJECT_MAX, f"{at}: text object of {len(obj['text'])} characters"
        if raw["type"] == "section":
            assert len(raw["text"]["text"]) <= TEXT_OBJECT_MAX
            fields = raw.get("fields", [])
            assert len(fields) <= 10 and all(len(f["text"]) <= 2000 for f in fields), f"{at}: section fields"
        action_ids = []
        for element in _interactive(raw):
            action_id = element.get("action_id", "")
            assert 0 < len(action_id) <= ACTION_ID_MAX, f"{at}: action_id {action_id!r}"
            action_ids.append(action_id)
            if "value" in element:
                assert len(element["value"]) <= BUTTON_VALUE_MAX, f"{at}: value of {len(element['value'])}"
                json.loads(element["value"])  # the listeners decode it
        assert len(action_ids) == len(set(action_ids)), f"{at}: duplicate action_id {action_ids}"
        for obj in _text_objects(raw):
            if obj["type"] == "mrkdwn":
                _assert_shown_safely(at, obj["text"])


def check_message(where: str, message: dict[str, Any]) -> None:
    assert set(message) == {"text", "blocks"}, f"{where}: unexpected keys {sorted(message)}"
    text, blocks = message["text"], message["blocks"]
    assert isinstance(text, str) and text.strip(), f"{where}: empty fallback text"
    assert len(text) <= FALLBACK_TEXT_MAX
    _assert_shown_safely(f"{where} fallback text", text)
    assert 0 < len(blocks) <= MESSAGE_MAX_BLOCKS, f"{where}: {len(blocks)} blocks"
    _check_blocks(where, blocks)
    json.dumps(message, ensure_ascii=False)


def check_modal(where: str, view: dict[str, Any]) -> None:
    parsed = View(**view)
    parsed.validate_json()
    assert parsed.to_dict()
    assert view["type"] == "modal" and 0 < len(view["blocks"]) <= VIEW_MAX_BLOCKS
    assert len(view.get("private_metadata", "")) <= 3000
    json.loads(view["private_metadata"])
    _check_blocks(where, view["blocks"])


@pytest.mark.parametrize("name_kind", sorted(NAMES))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("view", sorted(MESSAGE_VIEWS))
def test_message_is_within_block_kit_limits(view: str, lang: str, name_kind: str) -> None:
    message = MESSAGE_VIEWS[view](lang, NAMES[name_kind])
    check_message(f"{view} [{lang}, {name_kind} name]", message)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("view", sorted(MODAL_VIEWS))
def test_modal_is_within_block_kit_limits(view: str, lang: str) -> None:
    check_modal(f"{view} [{lang}]", MODAL_VIEWS[view](lang, NAMES["latin"]))


# --- the views show what they should, where it matters


@pytest.mark.parametrize("lang", LANGUAGES)
def test_names_and_reasons_are_shown_escaped_not_dropped(lang: str) -> None:
    name = NAMES["latin"]
    created = claims.claim_result(claim_results(name)["created"][0], lang)
    assert "Acme \"Holdings\" &lt;!channel&gt; &amp; Sons \\ &lt;@U1&gt;" in created["text"]
    managers = decisions.case_for_managers(cases(name)["dispute_pending"], lang, TZ)
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in managers["blocks"][0]["text"]["text"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_buttons_carry_what_their_listeners_need(lang: str) -> None:
    name = NAMES["cjk"]
    result, request = claim_results(name)["confirm_modal"]
    prompt = claims.claim_result(result, lang, request)
    values = [json.loads(el["value"]) for blk in prompt["blocks"] if blk["type"] == "actions"
              for el in blk["elements"]]
    assert [v.get("c") for v in values] == [98_001, 98_002, 98_003, None]
    assert all(v["r"]["name"] == name and v["r"]["uscc"] == FULL_REQUEST["uscc"] for v in values)
    pending = decisions.case_for_managers(cases(name)["dispute_pending"], lang, TZ)
    actions = [el["action_id"] for blk in pending["blocks"] if blk["type"] == "actions" for el in blk["elements"]]
    assert actions == [decisions.KEEP, decisions.TRANSFER, decisions.COOWN, decisions.SPLIT]
    decided = decisions.case_for_managers(cases(name)["dispute_decided_keep"], lang, TZ)
    assert not [blk for blk in decided["blocks"] if blk["type"] == "actions"]  # the buttons are replaced
    appeal = decisions.case_decided_for_rep(cases(name)["dispute_decided_keep"], "U0BOB", lang, TZ)
    assert [el["action_id"] for blk in appeal["blocks"] if blk["type"] == "actions" for el in blk["elements"]] \
        == [decisions.OPEN_APPEAL]
    winner = decisions.case_decided_for_rep(cases(name)["dispute_decided_keep"], "U0ALICE", lang, TZ)
    assert not [blk for blk in winner["blocks"] if blk["type"] == "actions"]
    decline = decisions.handover_for_rep(handover(name, "transferred"), "U0BOB", lang, TZ)
    assert [el["action_id"] for blk in decline["blocks"] if blk["type"] == "actions" for el in blk["elements"]] \
        == [decisions.DECLINE]


# --- the catalog


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_catalog_key_has_zh_and_en_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}"
    assert all(isinstance(entry[lang], str) and entry[lang].strip() for lang in LANGUAGES), f"{key}: empty text"
    assert _placeholders(entry["zh"]) == _placeholders(entry["en"]), \
        f"{key}: zh {sorted(_placeholders(entry['zh']))} vs en {sorted(_placeholders(entry['en']))}"
    for lang in LANGUAGES:  # every placeholder is a plain name: no positional or attribute lookups
        assert all(field.isidentifier() for field in _placeholders(entry[lang])), f"{key} [{lang}]"


def _catalog_parts() -> dict[str, dict[str, dict[str, str]]]:
    """Every catalog module's own entries, loaded afresh (i18n merges them into catalog.CATALOG in place)."""
    parts = {}
    for path in sorted(Path(i18n.__file__).parent.glob("catalog*.py")):
        spec = importlib.util.spec_from_file_location(f"_fresh_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr, value in vars(module).items():
            if attr.isupper() and isinstance(value, dict) and value \
                    and all(isinstance(v, dict) and "en" in v for v in value.values()):
                parts[f"{path.stem}.{attr}"] = value
    return parts


def test_no_catalog_module_silently_overrides_another() -> None:
    parts = _catalog_parts()
    assert "catalog.CATALOG" in parts and "catalog_decisions.DECISIONS" in parts
    seen: dict[str, str] = {}
    clashes = []
    for part, entries in parts.items():
        clashes += [f"{key}: {seen[key]} and {part}" for key in entries if key in seen]
        seen.update(dict.fromkeys(entries, part))
    assert clashes == []
    assert set(seen) == set(CATALOG)  # and every key in the merged catalog comes from one of them


# --- the App Home tab (bot/views/home.py)


def _home_data(name: str, *, manager: bool, page: int = 1) -> Any:
    from bot.results.home import HomeCustomer, HomeData, Numbers, PendingItem, TodayItem
    from bot.services.home import PENDING_CAP, PER_PAGE, TODAY_CAP

    clocks = ("first_followup", "followup", "progress", "ceiling", "grace")
    rows = tuple(HomeCustomer(98_000 + i, f"C-{99_000 + i}", name, "proposal", "A", None if i == 7 else
                              TODAY + timedelta(days=i - 2), None if i == 7 else clocks[i % 5],
                              None if i == 7 else i - 2) for i in range(PER_PAGE))
    kinds = ("first_followup", "next_contact", "ending", "complaint")
    today = tuple(TodayItem(kinds[i % 4], 98_000 + i, f"C-{99_000 + i}", name, TODAY + timedelta(days=i % 3 - 1),
                            "followup", i % 3 - 1) for i in range(TODAY_CAP))
    pending = tuple(PendingItem(("dispute", "appeal", "handover")[i % 3], 100_000 + i, 98_000 + i, f"C-{99_000 + i}",
                                name, "U0BOB", "U0ALICE", NOW, None if i % 3 == 2 else NOW + timedelta(hours=48),
                                excluded=i == 1) for i in range(PENDING_CAP))
    big = Numbers(99_999, 99_999, 99_999, 12_345.67, 9_876_543_210.55, 99_999.5, 9_999, 999, 1, 999, 100, 100,
                  999, 999)
    return HomeData("U0MGR1" if manager else "U0ALICE", "manager" if manager else "rep", manager, TODAY, TZ,
                    TODAY - timedelta(days=4), TODAY + timedelta(days=2), rows, 9_999, page, 400, today, 9_999, big,
                    team=big if manager else None, pending=pending if manager else (),
                    pending_total=9_999 if manager else 0)


@pytest.mark.parametrize("name_kind", sorted(NAMES))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", ["rep", "manager", "manager, middle page"])
def test_home_tab_is_within_block_kit_limits(who: str, lang: str, name_kind: str) -> None:
    from bot.views.home import home_view

    view = home_view(_home_data(NAMES[name_kind], manager=who != "rep", page=2 if "middle" in who else 1), lang)
    where = f"home.home_view[{who}, {lang}, {name_kind}]"
    View(**view).validate_json()
    assert view["type"] == "home" and 0 < len(view["blocks"]) <= VIEW_MAX_BLOCKS, where
    _check_blocks(where, view["blocks"])
    buttons = [(el["action_id"], el["value"]) for blk in view["blocks"] if blk["type"] == "actions"
               for el in blk["elements"]]
    assert ("card_followup", "98000") in buttons and ("home_open_card", "98024") in buttons
    assert [(a, v) for a, v in buttons if a.startswith("home_page")] == (
        [("home_page_prev", "1"), ("home_page_next", "3")] if "middle" in who else [("home_page_next", "2")])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_card_modal_is_within_block_kit_limits(lang: str) -> None:
    from bot.views.home import card_modal

    name = NAMES["cjk"]
    from tests.support.card_views import cards

    for card in cards(snap, history, name).values():
        view = card_modal(card, lang, TZ)
        View(**view).validate_json()
        assert view["type"] == "modal" and 0 < len(view["blocks"]) <= VIEW_MAX_BLOCKS
        _check_blocks(f"home.card_modal[{lang}]", view["blocks"])
    view = card_modal(cards(snap, history, name)["every action at once"], lang, TZ)
    View(**view).validate_json()
    assert view["type"] == "modal" and 0 < len(view["blocks"]) <= VIEW_MAX_BLOCKS
    _check_blocks(f"home.card_modal[{lang}]", view["blocks"])
