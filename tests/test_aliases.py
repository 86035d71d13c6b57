"""Aliases (issue 12): `/claimbot alias 腾讯 = Tencent` makes /claim, the lookup's exact and strong tiers
and the import find 腾讯 by the other name, across scripts; only managers add them; a name that is
another customer is refused. Against SQLite and PostgreSQL, and once over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.results.aliases import AliasOutcome
from bot.results.claims import ClaimOutcome
from bot.rules.names import name_keys
from bot.services import aliases, claims
from bot.services.claims import ClaimRequest
from bot.services.importer import ImportOptions, import_csv, open_csv
from storage.engine import read_session
from storage.lookup import find_matches, near_matches
from tests.e2e import served, text_of, write_config
from tests.test_import import make_ctx, write_csv

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.fixture
def ctx(engine_url):
    context = make_ctx(engine_url)
    yield context
    context.engine.dispose()


def test_an_alias_is_the_same_company_for_claim_lookup_and_import(ctx, tmp_path):
    created = claims.claim(ctx, "U0ALICE", ClaimRequest(name="腾讯"), NOW)
    assert created.outcome == ClaimOutcome.CREATED and created.customer is not None
    tencent = created.customer.id
    assert claims.claim(ctx, "U0BOB", ClaimRequest(name="Globex"), NOW).outcome == ClaimOutcome.CREATED

    assert aliases.add_alias(ctx, "U0BOB", "腾讯 = Tencent", NOW).outcome == AliasOutcome.NOT_MANAGER
    assert aliases.add_alias(ctx, "U0MGR1", "腾讯 Tencent", NOW).outcome == AliasOutcome.USAGE
    assert aliases.add_alias(ctx, "U0MGR1", "Initech = 英尼泰克", NOW).outcome == AliasOutcome.NOT_FOUND
    taken = aliases.add_alias(ctx, "U0MGR1", "腾讯 = Globex", NOW)
    assert (taken.outcome, taken.other) == (AliasOutcome.TAKEN, "C-1002")
    added = aliases.add_alias(ctx, "U0MGR1", "Tencent ＝ 腾讯", NOW)  # either order; full-width equals
    assert (added.outcome, added.customer, added.alias) == (AliasOutcome.ADDED, "C-1001", "Tencent")
    assert aliases.add_alias(ctx, "U0MGR1", "腾讯 = TENCENT", NOW).outcome == AliasOutcome.ALREADY

    # /claim by the alias finds 腾讯 (owned by Alice), in any case and with a legal form
    for typed in ("Tencent", "tencent", "Tencent Ltd."):
        found = claims.claim(ctx, "U0BOB", ClaimRequest(name=typed), NOW + timedelta(minutes=1))
        assert found.outcome == ClaimOutcome.OWNED_BY_OTHER and found.customer is not None
        assert found.customer.id == tencent, typed
    # the lookup: exact by the alias; across scripts (an alias in simplified Chinese finds the traditional)
    aliases.add_alias(ctx, "U0MGR1", "腾讯 = 深圳市腾讯计算机系统有限公司", NOW)
    with read_session(ctx.engine) as s:
        match = find_matches(s, name_keys("Tencent"))
        assert [(m.customer_id, m.tier, m.why) for m in match] == [(tencent, "exact", "alias")]
        assert [m.customer_id for m in find_matches(s, name_keys("深圳市騰訊計算機系統有限公司"))] == [tencent]
        # strong tier: the alias's core key (the region dropped) is the customer's too
        assert [(m.customer_id, m.why) for m in near_matches(s, name_keys("腾讯计算机系统有限公司（广州）"))] \
            == [(tencent, "core")]

    # an import row named by the alias merges into 腾讯 instead of creating a second customer
    outcomes = []
    report = import_csv(ctx, open_csv(write_csv(tmp_path / "crm.csv", [{"name": "TENCENT", "region": "深圳"}])), NOW,
                        ImportOptions(), on_row=outcomes.append)
    assert report.counts["merged"] == 1 and report.counts["created"] == 0
    assert (outcomes[0].reason, outcomes[0].customer) == ("same_alias", "C-1001")


def test_alias_over_http(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path, language="en"), scheduler=False) as bot:
        bot.command("U0ALICE", "/claim", "腾讯")
        _, reply, _ = bot.command("U0MGR1", "/claimbot", "alias 腾讯 = Tencent")
        assert "Tencent" in text_of(reply) and "C-1001 腾讯" in text_of(reply) and "✅" in text_of(reply)
        _, refused, _ = bot.command("U0BOB", "/claimbot", "alias 腾讯 = Tencent Holdings")
        assert text_of(refused).startswith("⛔")
        _, claimed, _ = bot.command("U0BOB", "/claim", "Tencent")
        assert "腾讯" in text_of(claimed) and "C-1001" in text_of(claimed)
