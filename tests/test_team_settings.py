"""Settings changed in Slack (PRODUCT 5): the service against real SQLite and PostgreSQL.

A change counts at once in the process that made it, other processes see it after their re-check
interval, bad values are refused per field with nothing written, only managers change anything, an
undo restores what was before, and of two simultaneous changes exactly one wins.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import ClaimSettings, Settings, TeamSettings
from bot.results.settings import FieldError
from bot.services import claims, context, rule_versions, team_settings
from bot.services.claims import ClaimRequest
from bot.services.context import ServiceContext
from storage import migrate
from storage.engine import make_engine, read_session
from storage.models import ClockRuleVersion, ProtectionRefresh, Refusal, SettingChange

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
MGR, MGR2, REP = "U0MGR1", "U0MGR2", "U0ALICE"


def settings_for(url: str, **claim_overrides) -> Settings:
    return Settings(database_url=url, team=TeamSettings(managers=[MGR, MGR2], timezone="Asia/Shanghai"),
                    claims=ClaimSettings(**claim_overrides))


@pytest.fixture
def url(engine_url):
    migrate.upgrade(engine_url)
    return engine_url


@pytest.fixture
def ctx(url):
    c = ServiceContext(engine=make_engine(url), settings=settings_for(url))
    yield c
    c.engine.dispose()


def rows(ctx, model):
    with read_session(ctx.engine) as s:
        return list(s.exec(select(model)).all())


def test_a_change_counts_for_the_next_claim_in_this_process(ctx):
    assert team_settings.current(ctx)["claims.daily_claim_cap"] == 10
    same_engine = ServiceContext(ctx.engine, ctx.base_settings)  # e.g. the scheduler's context
    assert same_engine.settings.claims.daily_claim_cap == 10
    assert claims.claim(ctx, REP, ClaimRequest(name="Acme Corp"), NOW).outcome == "created"

    result = team_settings.change(ctx, MGR, {"claims.daily_claim_cap": "1"}, NOW + timedelta(minutes=1))
    assert (result.outcome, result.version) == ("changed", 1)
    assert [(c.key, c.old, c.new) for c in result.changes] == [("claims.daily_claim_cap", 10, 1)]
    assert ctx.settings.claims.daily_claim_cap == 1 and same_engine.settings.claims.daily_claim_cap == 1
    assert ctx.base_settings.claims.daily_claim_cap == 10  # the configured value is kept underneath

    refused = claims.claim(ctx, REP, ClaimRequest(name="Globex Ltd"), NOW + timedelta(minutes=2))
    assert (refused.outcome, refused.rule, refused.limit, refused.count) == ("refused", "daily_claim_cap", 1, 1)
    [row] = rows(ctx, SettingChange)
    assert (row.actor, json.loads(row.overrides), json.loads(row.changed), row.undoes) == (
        MGR, {"claims.daily_claim_cap": 1}, {"claims.daily_claim_cap": [10, 1]}, None)


def test_form_values_and_what_a_form_may_send(ctx):
    form = team_settings.form(ctx, MGR, NOW)
    assert form.outcome == "ok" and form.version == 0
    assert form.values["reminders.days_before"] == [7, 1]
    assert form.values["claims.followup_timeout_days.B"] == 30 and len(form.values) == 12
    # full-width digits, Chinese commas; reminder days de-duplicated, latest first
    result = team_settings.change(ctx, MGR, {"claims.holding_cap": "８０", "reminders.days_before": "1，3、 7 3",
                                             "claims.progress_timeout_days.C": "45"}, NOW, based_on=0)
    assert result.outcome == "changed"
    assert ctx.settings.claims.holding_cap == 80 and ctx.settings.reminders.days_before == [7, 3, 1]
    assert ctx.settings.claims.progress_timeout_days == {"A": 180, "B": 90, "C": 45}
    # sending the whole form again with nothing edited writes nothing
    again = team_settings.change(ctx, MGR, {k: str(v) if not isinstance(v, list) else ", ".join(map(str, v))
                                            for k, v in team_settings.form(ctx, MGR, NOW).values.items()}, NOW)
    assert again.outcome == "unchanged" and len(rows(ctx, SettingChange)) == 1
    # back to the configured value: the override goes, the file governs the key again
    back = team_settings.change(ctx, MGR, {"claims.holding_cap": 100}, NOW)
    assert back.outcome == "changed"
    assert "claims.holding_cap" not in json.loads(max(rows(ctx, SettingChange), key=lambda r: r.version).overrides)


@pytest.mark.parametrize("values, errors", [
    ({"claims.daily_claim_cap": "ten"}, [FieldError("claims.daily_claim_cap", "number")]),
    ({"claims.daily_claim_cap": "-1"}, [FieldError("claims.daily_claim_cap", "min", 0)]),
    ({"claims.first_followup_days": "0"}, [FieldError("claims.first_followup_days", "min", 1)]),
    ({"claims.followup_timeout_days.B": "0"}, [FieldError("claims.followup_timeout_days.B", "min", 1)]),
    ({"claims.max_protection_days": "99999"}, [FieldError("claims.max_protection_days", "max", 3650)]),
    ({"reminders.days_before": "7, soon"}, [FieldError("reminders.days_before", "list")]),
    ({"reminders.days_before": "7, -1"}, [FieldError("reminders.days_before", "list")]),
    ({"claims.holding_cap": "50", "claims.daily_claim_cap": "x", "claims.reclaim_cooldown_days": "-2"},
     [FieldError("claims.daily_claim_cap", "number"), FieldError("claims.reclaim_cooldown_days", "min", 0)]),
])
def test_bad_values_are_refused_per_field_and_nothing_is_written(ctx, values, errors):
    result = team_settings.change(ctx, MGR, values, NOW)
    assert result.outcome == "invalid" and list(result.errors) == errors
    assert rows(ctx, SettingChange) == [] and ctx.settings.claims.holding_cap == 100


def test_two_bad_numbers_are_both_named(ctx):
    result = team_settings.change(ctx, MGR, {"claims.holding_cap": "-5", "claims.reclaim_cooldown_days": "-2",
                                             "claims.daily_claim_cap": "3"}, NOW)
    assert result.outcome == "invalid"
    assert {e.key for e in result.errors} == {"claims.holding_cap", "claims.reclaim_cooldown_days"}
    assert ctx.settings.claims.daily_claim_cap == 10  # the good value was not applied either


def test_a_rep_can_neither_open_nor_change_nor_undo(ctx):
    assert team_settings.form(ctx, REP, NOW).outcome == "refused"
    assert team_settings.change(ctx, REP, {"claims.daily_claim_cap": "99"}, NOW).outcome == "refused"
    done = team_settings.change(ctx, MGR, {"claims.daily_claim_cap": "5"}, NOW)
    assert team_settings.undo(ctx, REP, done.version, NOW).outcome == "refused"
    assert ctx.settings.claims.daily_claim_cap == 5
    assert [(r.actor, r.action, r.reason) for r in rows(ctx, Refusal)] == [(REP, "settings", "not_manager")] * 3


def test_undo_restores_and_only_the_latest_change_can_be_undone(ctx):
    first = team_settings.change(ctx, MGR, {"claims.daily_claim_cap": "5", "reminders.days_before": "3"}, NOW)
    second = team_settings.change(ctx, MGR2, {"claims.daily_claim_cap": "2"}, NOW + timedelta(hours=1))
    stale = team_settings.undo(ctx, MGR, first.version, NOW + timedelta(hours=2))
    assert (stale.outcome, stale.latest) == ("stale", 2) and ctx.settings.claims.daily_claim_cap == 2
    assert team_settings.undo(ctx, MGR, 99, NOW).outcome == "missing"

    undone = team_settings.undo(ctx, MGR, second.version, NOW + timedelta(hours=2))
    assert (undone.outcome, undone.version, undone.undoes) == ("undone", 3, 2)
    assert [(c.key, c.old, c.new) for c in undone.changes] == [("claims.daily_claim_cap", 2, 5)]
    assert ctx.settings.claims.daily_claim_cap == 5 and ctx.settings.reminders.days_before == [3]
    redo = team_settings.undo(ctx, MGR2, undone.version, NOW + timedelta(hours=3))  # undoing the undo
    assert redo.outcome == "undone" and ctx.settings.claims.daily_claim_cap == 2
    with read_session(ctx.engine) as s:
        items = team_settings.changes_between(s, NOW, NOW + timedelta(hours=3))  # [first, last)
    assert [(i.version, i.actor, i.undoes) for i in items] == [(1, MGR, None), (2, MGR2, None), (3, MGR, 2)]
    assert items[0].changes == (("claims.daily_claim_cap", 10, 5), ("reminders.days_before", [7, 1], [3]))


def test_simultaneous_changes_from_the_same_form_one_wins(ctx):
    contexts = [ServiceContext(make_engine(ctx.base_settings.database_url), ctx.base_settings) for _ in range(6)]
    barrier = threading.Barrier(len(contexts))
    outcomes: list[str] = []

    def submit(c: ServiceContext, cap: int) -> None:
        barrier.wait()
        outcomes.append(team_settings.change(c, MGR, {"claims.daily_claim_cap": str(cap)}, NOW, based_on=0).outcome)

    threads = [threading.Thread(target=submit, args=(c, i + 1)) for i, c in enumerate(contexts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["changed"] + ["conflict"] * 5
    [row] = rows(ctx, SettingChange)
    assert ctx.settings.claims.daily_claim_cap == json.loads(row.overrides)["claims.daily_claim_cap"]
    for c in contexts:
        c.engine.dispose()


def test_another_process_sees_a_change_after_its_recheck_interval(ctx, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(context, "monotonic", lambda: clock[0])
    other = ServiceContext(make_engine(ctx.base_settings.database_url), ctx.base_settings, recheck_seconds=5)
    assert other.settings.claims.daily_claim_cap == 10  # read now, trusted for 5 s
    team_settings.change(ctx, MGR, {"claims.daily_claim_cap": "1"}, NOW)
    assert ctx.settings.claims.daily_claim_cap == 1
    clock[0] += 4.9
    assert other.settings.claims.daily_claim_cap == 10
    clock[0] += 0.2
    assert other.settings.claims.daily_claim_cap == 1 and other.settings_version == 1
    other.engine.dispose()


def test_a_clock_change_is_recorded_as_a_rule_version_and_refreshes_deadlines(ctx):
    rule_versions.record(ctx, NOW)  # what `claimbot serve` does at start
    team_settings.change(ctx, MGR, {"claims.daily_claim_cap": "3"}, NOW)
    assert len(rows(ctx, ClockRuleVersion)) == 1  # a cap is not a clock rule
    team_settings.change(ctx, MGR, {"claims.followup_timeout_days.B": "20"}, NOW + timedelta(minutes=5))
    versions = sorted(rows(ctx, ClockRuleVersion), key=lambda v: v.version)
    assert [(v.version, v.source) for v in versions] == [(1, "config"), (2, f"slack:{MGR}")]
    assert json.loads(versions[1].settings)["followup_timeout_days"]["B"] == 20
    assert 2 in [r.version for r in rows(ctx, ProtectionRefresh) if r.finished_at is None]
    rule_versions.refresh_pending(ctx, NOW + timedelta(minutes=6))  # the next sweep's pass
    assert [r.finished_at is not None for r in rows(ctx, ProtectionRefresh)] == [True, True]
    assert len(rule_versions.in_force(ctx, fresh=True)) == 2  # this process's settings are the newest version
    # a process started later with the file's settings takes the Slack change, so records nothing new
    later = ServiceContext(make_engine(ctx.base_settings.database_url), ctx.base_settings)
    rule_versions.prepare(later, NOW + timedelta(hours=1))
    assert len(rows(ctx, ClockRuleVersion)) == 2
    later.engine.dispose()


def test_without_an_engine_the_base_settings_are_used():
    plain = ServiceContext(engine=None, settings=Settings(claims=ClaimSettings(holding_cap=7)))  # type: ignore[arg-type]
    assert plain.settings.claims.holding_cap == 7 and plain.holding_cap("U1") == 7
    with pytest.raises(AttributeError):
        plain.engine = None  # type: ignore[misc]
