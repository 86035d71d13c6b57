"""End to end: `claimbot serve` as its own process, signed HTTP requests in, the Slack stand-in out."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from sqlmodel import select

from bot.i18n import formatting as fmt
from storage.models import Customer, Ownership, OwnershipEvent
from tests.e2e import SECRET, query, served, text_of, write_config
from tests.support.signing import signed_post, slash_command_body


@pytest.fixture
def bot(engine_url, standin, tmp_path):
    with served(engine_url, standin, write_config(tmp_path)) as bot:
        yield bot


def rows(url, model):
    return query(url, select(model))


def test_claim_replies_in_the_users_language_and_asks_slack_once(bot, engine_url):
    status, reply, _ = bot.command("U0BOB", "/claim", "Acme Corporation")
    assert status == 200 and reply["response_type"] == "ephemeral"
    assert "New customer *Acme Corporation* (C-1001) created and claimed by you" in text_of(reply)
    status, reply, _ = bot.command("U0ALICE", "/claim", "ACME Corp.")
    assert "已归 <@U0BOB> 所有" in text_of(reply) and "/dispute C-1001" in text_of(reply)
    bot.command("U0ALICE", "/mine", "")
    asked = [c.params["user"] for c in bot.standin.calls_for("users.info")]
    assert sorted(asked) == ["U0ALICE", "U0BOB"]  # remembered after the first time
    [owner] = [o.rep_id for o in rows(engine_url, Ownership)]
    assert owner == "U0BOB"


def test_forged_and_stale_signatures_get_401_and_change_nothing(bot, engine_url):
    body = slash_command_body("/claim", "Globex Ltd", user_id="U0BOB")
    status, _ = signed_post(bot.server.url, body, "not-the-secret")
    assert status == 401
    status, _ = signed_post(bot.server.url, body, SECRET, timestamp=int(time.time()) - 301)
    assert status == 401
    assert rows(engine_url, Customer) == []
    assert bot.standin.calls_for("users.info") == []


def test_healthz_reports_the_database_and_the_scheduler(bot):
    from tests.support.signing import get

    status, report = get(bot.server.base_url + "/healthz")
    assert (status, json.loads(report)) == (200, {"status": "ok", "database": "ok", "scheduler": "running"})


def test_a_customer_called_payload_systems_can_be_claimed(bot, engine_url):
    status, reply, _ = bot.command("U0BOB", "/claim", "payload systems")
    assert status == 200
    assert "*payload systems*" in text_of(reply)
    assert [c.name for c in rows(engine_url, Customer)] == ["payload systems"]


def test_same_company_prompt_answered_with_buttons(bot, engine_url):
    bot.command("U0ALICE", "/claim", "深圳市腾讯计算机系统有限公司")
    _, prompt, _ = bot.command("U0BOB", "/claim", "腾讯计算机系统有限公司")
    assert "Is it the same company?" in text_of(prompt)
    assert "same name without the region" in text_of(prompt) and "<@U0ALICE>" in text_of(prompt)
    token = bot.click("U0BOB", prompt, "claim_same")
    answer = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
    assert answer.params["replace_original"] is True
    assert "is owned by <@U0ALICE>" in text_of(answer.params)
    token = bot.click("U0BOB", prompt, "claim_different")
    answer = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
    assert "flagged for a manager" in text_of(answer.params)
    owners = {o.customer_id: o.rep_id for o in rows(engine_url, Ownership)}
    assert sorted(owners.values()) == ["U0ALICE", "U0BOB"]


def test_claim_without_text_opens_the_modal_and_a_submission_claims(bot, engine_url):
    status, _, _ = bot.command("U0BOB", "/claim", "  ")
    assert status == 200
    opened = bot.standin.wait_for("views.open")
    view = opened.params["view"]
    assert {b["block_id"] for b in view["blocks"]} == {"name", "uscc", "domain", "phone", "region", "industry", "tier"}

    def submit(**fields):
        values = {b: {"value": {"type": "plain_text_input", "value": fields.get(b)}}
                  for b in ("name", "uscc", "domain", "phone", "region", "industry")}
        values["tier"] = {"value": {"type": "static_select",
                                    "selected_option": {"value": fields["tier"]} if "tier" in fields else None}}
        return bot.interact({"type": "view_submission", "user": {"id": "U0BOB"}, "api_app_id": "A123456",
                             "team": {"id": "T0001"}, "view": {**view, "id": "V1", "state": {"values": values}}})

    status, answer = submit(name="Globex Ltd", uscc="91350100M000100Y44")
    assert status == 200 and json.loads(answer)["response_action"] == "errors"
    assert "uscc" in json.loads(answer)["errors"]
    assert rows(engine_url, Customer) == []
    status, answer = submit(name="Globex Ltd", uscc="91350100M000100Y43", phone="010 6552 9988", tier="A")
    assert status == 200
    dm = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == "U0BOB")
    assert "Globex Ltd" in text_of(dm.params)
    [customer] = rows(engine_url, Customer)
    assert (customer.uscc, customer.phone, customer.tier) == ("91350100M000100Y43", "+861065529988", "A")


def test_owner_commands_and_release_over_http(bot, engine_url):
    bot.command("U0BOB", "/claim", "Initech LLC")
    _, reply, _ = bot.command("U0BOB", "/followup", "Initech LLC | call: talked to Peter about the TPS reports")
    assert "Logged a call follow-up on *Initech LLC*" in text_of(reply)
    _, reply, _ = bot.command("U0BOB", "/stage", "Initech LLC | proposal")
    assert "lead → *proposal*" in text_of(reply)
    _, reply, _ = bot.command("U0ALICE", "/release", "Initech LLC | 不想要了")
    assert "只有负责人" in text_of(reply)
    _, reply, _ = bot.command("U0BOB", "/release", "Initech LLC | budget frozen until Q3 <!channel>")
    assert "back in the pool" in text_of(reply) and "&lt;!channel&gt;" in text_of(reply)
    _, reply, _ = bot.command("U0ALICE", "/customer", "initech")
    text = text_of(reply)
    assert "公海" in text and "budget frozen" in text and "<!channel>" not in text
    kinds = [e.kind for e in rows(engine_url, OwnershipEvent)]
    assert kinds == ["claim", "release"]


def test_32_concurrent_claims_one_owner_every_time(bot, engine_url):
    """Done-when: 32 users claim one new customer at once, 20 times: one owner, all 200 within 3 s,
    every loser told who owns it and until when."""
    users = [f"U{i:03d}X" for i in range(32)]
    slowest: list[float] = []
    for round_no in range(20):
        name = f"{uuid.uuid4().hex[:10]} Payload Systems 有限公司 {round_no}"
        results: list[tuple[str, int, object, float]] = []
        barrier = threading.Barrier(len(users))

        def worker(user_id: str, name: str = name, barrier=barrier, results=results) -> None:
            barrier.wait()
            status, reply, elapsed = bot.command(user_id, "/claim", name)
            results.append((user_id, status, reply, elapsed))

        threads = [threading.Thread(target=worker, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(status == 200 for _, status, _, _ in results)
        assert max(elapsed for *_, elapsed in results) < 3.0
        winners = [u for u, _, reply, _ in results if "已建档并归你所有" in text_of(reply)]
        assert len(winners) == 1, [text_of(r)[:80] for _, _, r, _ in results]
        until = next(o for o in rows(engine_url, Ownership) if o.rep_id == winners[0]).protected_until
        for user_id, _, reply, _ in results:
            if user_id != winners[0]:
                assert f"已归 <@{winners[0]}> 所有，保护至 *{fmt.day(until, 'zh')}*" in text_of(reply)
        slowest.append(max(elapsed for *_, elapsed in results))
    owners = rows(engine_url, Ownership)
    assert len(owners) == 20 and len({o.customer_id for o in owners}) == 20
    print(f"32 concurrent claims x 20 rounds: slowest reply per round {min(slowest):.2f}-{max(slowest):.2f} s")


def test_slack_escaped_text_is_stored_as_typed_and_shown_escaped_once(bot, engine_url):
    """Slack sends a typed "AT&T <Labs>" as "AT&amp;T &lt;Labs&gt;" in a slash command."""
    status, reply, _ = bot.command("U0BOB", "/claim", "AT&amp;T &lt;Labs&gt;")
    assert status == 200 and "*AT&amp;T &lt;Labs&gt;*" in text_of(reply)
    assert [c.name for c in rows(engine_url, Customer)] == ["AT&T <Labs>"]
    _, reply, _ = bot.command("U0ALICE", "/claim", "AT&amp;T &lt;Labs&gt;")  # the same name key
    assert "AT&amp;T &lt;Labs&gt;" in text_of(reply) and "<@U0BOB>" in text_of(reply)
