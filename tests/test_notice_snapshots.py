"""A notice is decided with a JSON snapshot of its result and rendered at delivery: the snapshot must read
back as the same result, and render what the view renders from the result itself."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.results.customers import CustomerSnapshot
from bot.results.data import from_data, to_data
from bot.results.disputes import CaseView, Evidence
from bot.results.handovers import HandoverView
from bot.results.reps import OffboardOutcome, OffboardResult
from bot.results.settings import Change, SettingsOutcome, SettingsResult
from bot.views import decisions as v
from bot.views.notices import render
from bot.views.settings import settings_changed

TZ = "Asia/Shanghai"
CUSTOMER = CustomerSnapshot(7, "C-1007", "北京字节跳动 <b>", "A", "lead", "U0ALICE", date(2026, 12, 20), "followup",
                            date(2026, 12, 1), first_followup_due=None, amount=12000.5)
CASE = CaseView(
    3, "dispute", None, CUSTOMER, "U0BOB", "U0ALICE", "U0BOB", "met them first <!channel>", "decided", "coown", 70,
    "U0MGR1", datetime(2026, 12, 2, 3, 4, tzinfo=UTC), datetime(2026, 12, 3, 3, 4, tzinfo=UTC), None,
    created_at=datetime(2026, 12, 1, 3, 4, tzinfo=UTC),
    evidence=Evidence(datetime(2026, 11, 1, tzinfo=UTC), None, datetime(2026, 11, 5, tzinfo=UTC), date(2026, 11, 30),
                      None, 4, 0, "lead"),
    appealable_by=("U0ALICE",), appeal_until=datetime(2026, 12, 4, 3, 4, tzinfo=UTC))
HANDOVER = HandoverView(5, CUSTOMER, "U0ALICE", "U0BOB", "U0ALICE", "moving south", "transferred", "U0MGR2",
                        datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))


def through_json(data: dict) -> dict:
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_result_views_read_back_from_their_snapshots():
    assert CaseView.from_data(through_json(CASE.to_data())) == CASE
    assert HandoverView.from_data(through_json(HANDOVER.to_data())) == HANDOVER
    offboarded = OffboardResult(OffboardOutcome.DONE, "U0ALICE", "U0BOB", (CUSTOMER,), ())
    assert from_data(OffboardResult, through_json(to_data(offboarded))) == offboarded
    changed = SettingsResult(SettingsOutcome.CHANGED, "U0MGR1", 4, (Change("claims.days_before", [7, 1], [5]),), at="2026-12-01")
    assert from_data(SettingsResult, through_json(to_data(changed))) == changed


def test_each_decision_notice_renders_what_the_view_renders():
    case, handover = {"case": CASE.to_data()}, {"handover": HANDOVER.to_data()}
    for lang in ("zh", "en"):
        assert render("case_managers", through_json(case), lang, TZ) == v.case_for_managers(CASE, lang, TZ)
        assert render("case_notice", through_json(case), lang, TZ) == v.case_notice_to_owner(CASE, lang, TZ)
        assert render("case_decided", through_json({**case, "rep": "U0ALICE"}), lang, TZ) == \
            v.case_decided_for_rep(CASE, "U0ALICE", lang, TZ)
        assert render("case_channel", through_json(case), lang, TZ) == v.case_for_channel(CASE, lang, TZ)
        assert render("handover_managers", through_json(handover), lang, TZ) == \
            v.handover_for_managers(HANDOVER, lang, TZ)
        assert render("handover_rep", through_json({**handover, "rep": "U0BOB"}), lang, TZ) == \
            v.handover_for_rep(HANDOVER, "U0BOB", lang, TZ)
        detail = {"customer": CUSTOMER, "from": "U0ALICE", "to": "U0BOB"}
        assert render("assigned", through_json({**detail, "customer": CUSTOMER.to_data()}), lang, TZ) == \
            v.assigned(detail, lang)
        changed = SettingsResult(SettingsOutcome.CHANGED, "U0MGR1", 4, (Change("claims.daily_claim_cap", 10, 5),), at="2026-12-01")
        assert render("settings_changed", through_json({"result": to_data(changed), "grace": 3, "undo": True}),
                      lang, TZ) == settings_changed(changed, lang, 3, undo_button=True)
    assert "decline" in json.dumps(render("handover_rep", through_json({**handover, "rep": "U0BOB"}), "en", TZ))
    assert "&lt;b&gt;" in render("case_channel", through_json(case), "en", TZ)["text"]  # escaped at render time
