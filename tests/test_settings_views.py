"""The settings views say what changed, in zh and en, and the digest's settings section survives its JSON
snapshot (what the outbox stores) and Slack's limits."""

from __future__ import annotations

import json

import pytest

from bot.results.scoreboard import LIST_CAP, Digest, Section
from bot.results.settings import (
    Change,
    FieldError,
    SettingChangeItem,
    SettingsForm,
    SettingsOutcome,
    SettingsResult,
)
from bot.views import digest as digest_view
from bot.views import settings as view
from bot.views.notices import render
from tests.e2e import text_of
from tests.support.settings_views import VALUES
from tests.test_blockkit import check_message, check_modal
from tests.test_digest_views import full_digest

TZ = "Asia/Shanghai"
WHEN = "2026-11-26T07:00:00+00:00"  # 15:00 in Shanghai


def changes_section(total: int) -> Section:
    items = [SettingChangeItem(100 + i, "U0MGR1", WHEN, tuple((key, old, [3] if isinstance(old, list) else 1)
                                                             for key, old in VALUES.items()))
             for i in range(LIST_CAP - 1)]
    items.append(SettingChangeItem(200, "U0MGR2", WHEN, (("claims.daily_claim_cap", 1, 10),), undoes=199))
    return Section(total, tuple(items))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_digest_lists_settings_changes_and_round_trips(lang):
    d = Digest(**{**full_digest("Acme").__dict__, "settings_changes": changes_section(25)})
    message = digest_view.digest(d, lang, TZ)
    check_message(f"digest with settings [{lang}]", message)
    text = text_of(message)
    if lang == "en":
        assert "*⚙️ Settings changed yesterday (25)*" in text
        assert "• Version 200 · <@U0MGR2> · Nov 26, 2026, 3:00\u202fPM: undid version 199 — Daily claim cap (customers) 1 → 10" \
            in text
        assert "Reminders before a recycle (days, comma-separated) 7, 1 → 3" in text and "…and 15 more" in text
    else:
        assert "*⚙️ 昨日设置变更（25）*" in text and "撤销第 199 版 — 每日认领上限（个） 1 → 10" in text
    assert render("digest", json.loads(json.dumps(d.to_data(), ensure_ascii=False)), lang, TZ) == message


def test_a_day_without_settings_changes_has_no_such_section_and_old_snapshots_still_render():
    d = full_digest("Acme")
    assert "Settings changed" not in text_of(digest_view.digest(d, "en", TZ))
    data = d.to_data()
    del data["settings_changes"]  # a snapshot queued before this release
    assert Digest.from_data(data).settings_changes == Section(0)
    quiet = Digest(**{**d.__dict__, **{k: Section(0) for k in ("new_claims", "returned", "upcoming", "disputes",
                                                                "approvals", "decisions", "complaints")},
                      "settings_changes": changes_section(1)})
    assert not quiet.is_empty()  # a settings change alone is worth a digest


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_modal_is_prefilled_and_reads_back_what_was_typed(lang):
    modal = view.settings_modal(SettingsForm("ok", 7, VALUES), lang, 3)
    check_modal("settings modal", modal)
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert list(inputs) == list(VALUES)
    assert inputs["claims.holding_cap"] == {"type": "number_input", "action_id": "value", "initial_value": "100",
                                            "is_decimal_allowed": False}
    assert inputs["reminders.days_before"]["initial_value"] == "7, 1"
    state = {"values": {key: {"value": {"type": el["type"], "value": el.get("initial_value")}}
                        for key, el in inputs.items()}}
    fields, version = view.submitted({**modal, "state": state})
    assert version == 7 and fields["claims.followup_timeout_days.A"] == "45" and fields["reminders.days_before"] == "7, 1"
    assert view.submitted({"private_metadata": "not json", "state": state})[1] is None


def test_confirmations_errors_and_the_undo_button():
    result = SettingsResult(SettingsOutcome.CHANGED, "U0MGR1", 4, (Change("claims.daily_claim_cap", 10, 1),
                                                     Change("claims.followup_timeout_days.B", 30, 20),
                                                     Change("reminders.days_before", [7, 1], [])))
    en = view.settings_changed(result, "en", 3, undo_button=True)
    text = text_of(en)
    assert "Settings changed (version 4, by <@U0MGR1>)" in text and "Daily claim cap (customers): 10 → *1*" in text
    assert "Follow-up clock, tier B (days): 30 → *20*" in text and "3 days of grace" in text
    assert "7, 1 → *(no reminders)*" in text
    [button] = [el for b in en["blocks"] if b["type"] == "actions" for el in b["elements"]]
    assert button["action_id"] == "settings_undo" and view.undo_version(button["value"]) == 4
    assert view.undo_version('{"v": -1}') is None and view.undo_version("4") is None
    team = view.settings_changed(result, "zh", 3, undo_button=False)
    assert not [b for b in team["blocks"] if b["type"] == "actions"] and "宽限期" in text_of(team)
    caps_only = SettingsResult(SettingsOutcome.CHANGED, "U0MGR1", 5, (Change("claims.holding_cap", 100, 50),))
    assert "grace" not in text_of(view.settings_changed(caps_only, "en", 3, undo_button=True))
    invalid = SettingsResult(SettingsOutcome.INVALID, errors=(FieldError("claims.holding_cap", "max", 100_000),
                                                FieldError("reminders.days_before", "too_many", 10)))
    assert view.field_errors(invalid, "en") == {"claims.holding_cap": "Must be at most 100,000.",
                                                "reminders.days_before": "At most 10 reminders."}
