"""Leads that arrive by themselves, end to end (issue 11): `claimbot serve` in its own process, leads posted to
`/leads` over HTTP with bearer tokens, Accept and Pass clicked as signed Slack requests, the time-outs run by
`claimbot jobs run deadlines --at`, and the Slack stand-in receiving what the reps and managers see."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from storage.models import AllocationEntry, Customer, Lead, LeadOffer, Outbox, Ownership, OwnershipEvent
from tests.e2e import query, served, text_of, write_config
from tests.support.server import REPO_ROOT
from tests.support.signing import post

TOKENS = {"website": "tok-website-0123456789", "zoho": "tok-zoho-9876543210"}
LEADS_CONFIG = """
[intake]
per_minute = {per_minute}

[intake.sources.zoho]
fields = {{ name = "Company", phone = "Mobile", external_id = "id" }}

[leads]
accept_minutes = 60
hours = "09:00-18:00"
max_offers = 3

[allocation]
seed = 1

[[allocation.rules]]
name = "inbound"
reps = ["U0ALICE", "U0BOB", "U0CAROL"]
strategy = "round_robin"
"""


def start(engine_url, standin, tmp_path, per_minute=120):
    config = write_config(tmp_path, language="en")
    config.write_text(config.read_text(encoding="utf-8") + LEADS_CONFIG.format(per_minute=per_minute), encoding="utf-8")
    env = {f"CLAIMBOT_LEAD_TOKEN_{source.upper()}": token for source, token in TOKENS.items()}
    return served(engine_url, standin, config, extra_env=env)


def leads_url(bot, source=None):
    return f"{bot.server.base_url}/leads" + (f"/{source}" if source else "")


def post_lead(bot, body, *, token=TOKENS["website"], source=None, content_type=None, headers=None):
    sent = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    all_headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    if content_type:
        all_headers["Content-Type"] = content_type
    status, answer = post(leads_url(bot, source), sent, all_headers, timeout=30)
    return status, json.loads(answer) if answer.startswith("{") else answer


def offer_dm(bot, user, name, timeout=10.0):
    call = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == user
                                and name in text_of(c.params) and "lead_accept" in json.dumps(c.params), timeout)
    return call.params


def run_deadlines(bot, at):
    done = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines", "--at", at.isoformat()],
                          cwd=REPO_ROOT, env={**bot.env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_leads_are_offered_in_turn_accepted_passed_timed_out_and_explained(engine_url, standin, tmp_path):
    with start(engine_url, standin, tmp_path) as bot:
        status, answer = post_lead(bot, {"name": "Northwind Traders", "email": "ann@northwind.com", "contact": "Ann"})
        assert status == 201, answer
        assert (answer["status"], answer["offered_to"], answer["rule"], answer["customer"]) == (
            "offered", "U0ALICE", "inbound", "C-1001")
        form = urlencode({"Company": "Contoso Pharma", "Mobile": "13800138000", "id": "zoho-77"})
        status, second = post_lead(bot, form, token=TOKENS["zoho"], source="zoho",
                                   content_type="application/x-www-form-urlencoded")
        assert status == 201 and second["offered_to"] == "U0BOB"  # in turn
        [lead] = query(bot.url, select(Lead).where(Lead.source == "zoho"))
        assert json.loads(lead.fields)["phone"] == "+8613800138000" and lead.idempotency_key == "zoho-77"

        alice_dm = offer_dm(bot, "U0ALICE", "Northwind Traders")
        assert "ann@northwind.com" in text_of(alice_dm) and "website" in text_of(alice_dm)
        bob_dm = offer_dm(bot, "U0BOB", "Contoso Pharma")

        # while offered, nobody else can claim it: the answer says to whom and until when
        _, reply, _ = bot.command("U0CAROL", "/claim", "Contoso Pharma")
        assert "offered to <@U0BOB> until" in text_of(reply)

        token = bot.click("U0ALICE", alice_dm, "lead_accept", channel="U0ALICE")
        [accepted] = bot.wait_replies(token)
        assert "你已接受 *Northwind Traders*（C-1001）" in text_of(accepted) and accepted["replace_original"]  # Alice reads zh
        [owned] = query(bot.url, select(Ownership).where(Ownership.customer_id == 1))
        assert owned.rep_id == "U0ALICE"
        [event] = query(bot.url, select(OwnershipEvent).where(OwnershipEvent.customer_id == 1))
        assert (event.to_rep, event.rule) == ("U0ALICE", "allocation")

        token = bot.click("U0BOB", bob_dm, "lead_pass", channel="U0BOB")
        assert "offered to <@U0CAROL> now" in text_of(bot.wait_replies(token)[0])
        carol_dm = offer_dm(bot, "U0CAROL", "Contoso Pharma")
        carol_offer = query(bot.url, select(LeadOffer).where(LeadOffer.rep_id == "U0CAROL"))[0]
        run_deadlines(bot, carol_offer.deadline.replace(tzinfo=carol_offer.offered_at.tzinfo) + timedelta(minutes=1))
        alice_again = offer_dm(bot, "U0ALICE", "Contoso Pharma")  # Bob passed, Carol timed out: Alice's turn
        assert "第 3/3 位" in text_of(alice_again)
        last = query(bot.url, select(LeadOffer).where(LeadOffer.attempt == 3))[0]
        out = run_deadlines(bot, last.deadline + timedelta(minutes=1))
        assert "1 lead offers timed out" in out
        told = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == "U0MGR2"
                                    and "Contoso Pharma" in text_of(c.params), 10).params
        assert "offered to 3 reps and nobody accepted" in text_of(told)
        # the timed-out offer's DM loses its buttons
        carol_ts = next(c.response["ts"] for c in bot.standin.calls_for("chat.postMessage")
                        if c.params.get("channel") == "U0CAROL" and "Contoso" in text_of(c.params))
        bot.standin.wait_for(lambda c: c.method == "chat.update" and c.params.get("ts") == carol_ts, 10)
        assert carol_dm is not None

        _, why, _ = bot.command("U0CAROL", "/claimbot", "why C-1002")
        lines = text_of(why)
        for needle in ("offered to <@U0BOB>", "<@U0BOB> passed", "offered to <@U0CAROL>",
                       "<@U0CAROL> did not answer in time", "offered to <@U0ALICE>", "nobody accepted after 3 offers",
                       "lead from zoho"):
            assert needle in lines, needle
        _, why_first, _ = bot.command("U0BOB", "/claimbot", "why Northwind Traders")
        assert "<@U0ALICE> accepted" in text_of(why_first)

        _, fair, _ = bot.command("U0MGR2", "/claimbot", "fairness week")
        assert "“inbound” round robin: 1 lead" in text_of(fair)
        # the time-outs ran at their deadlines, after now: the week up to now holds the first offer of each
        assert "offered <@U0ALICE> 1, <@U0BOB> 1, <@U0CAROL> 1 · accepted <@U0ALICE> 1 · passed <@U0BOB> 1" \
            in text_of(fair)
        assert "2 leads · speed to lead" in text_of(fair)
        _, refused, _ = bot.command("U0BOB", "/claimbot", "fairness")
        assert "managers" in text_of(refused).lower()
        _, sources, _ = bot.command("U0MGR2", "/claimbot", "sources month")
        assert "*website*: 1 lead (1 new · 0 existing) · accepted 1" in text_of(sources)
        assert "*zoho*: 1 lead" in text_of(sources)


def test_an_existing_company_tells_its_owner_and_creates_nothing(engine_url, standin, tmp_path):
    with start(engine_url, standin, tmp_path) as bot:
        bot.command("U0BOB", "/claim", "北京字节跳动科技有限公司")
        status, answer = post_lead(bot, {"name": "字节跳动", "note": "想了解企业版价格"})
        assert status == 201 and (answer["status"], answer["owner"]) == ("existing", "U0BOB")
        dm = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == "U0BOB"
                                  and "new enquiry" in text_of(c.params), 10).params
        assert "想了解企业版价格" in text_of(dm)
        assert len(query(bot.url, select(Customer))) == 1
        assert query(bot.url, select(LeadOffer)) == []


def test_refusals_write_nothing_and_offer_nothing(engine_url, standin, tmp_path):
    with start(engine_url, standin, tmp_path, per_minute=5) as bot:
        good = {"name": "Refusal Matrix Ltd"}
        cases = [
            ("wrong token", dict(token="nope"), good, 401),
            ("no token", dict(token=None), good, 401),
            ("another source's token", dict(token=TOKENS["zoho"], source="website"), good, 401),
            ("invalid JSON", {}, '{"name": "Broken', 400),
            ("missing name", {}, {"region": "北京"}, 400),
            ("70 KiB", {}, {"name": "Big", "note": "x" * (70 * 1024)}, 413),
        ]
        for label, kw, body, expected in cases:
            status, answer = post_lead(bot, body, **kw)
            assert status == expected, (label, status, answer)
        status, answer = post_lead(bot, {"region": "北京"})
        assert answer == {"error": "missing", "field": "name"}
        status, answer = post_lead(bot, '{"name": ', content_type="application/json")
        assert answer["field"] == "body"
        # the rate counts authenticated requests: four above (401 and 413 don't count), this fifth, then refused
        assert post_lead(bot, {"name": ""})[0] == 400
        status, answer = post_lead(bot, good)
        assert status == 429 and answer["per_minute"] == 5
        assert post_lead(bot, good, token=TOKENS["zoho"], source="zoho")[0] == 201  # another source's own rate
        assert [r.source for r in query(bot.url, select(Lead))] == ["zoho"]
        assert len(query(bot.url, select(Customer))) == 1
        assert len(query(bot.url, select(Outbox).where(Outbox.kind == "lead_offer"))) == 1
        assert len(query(bot.url, select(AllocationEntry))) == 1
        log = bot.server.stderr() + bot.server.stdout()
        assert "source=website status=401" in log or "source=- status=401" in log
        assert "source=website status=429" in log and "source=zoho status=201" in log


@pytest.mark.parametrize("header", [False, True])
def test_twenty_concurrent_posts_of_one_lead_make_one_customer_and_one_offer(engine_url, standin, tmp_path, header):
    with start(engine_url, standin, tmp_path) as bot:
        answers, barrier = [], threading.Barrier(20)
        body = {"name": "Twenty Times Inc"} if header else {"name": "Twenty Times Inc", "external_id": "form-42"}

        def send():
            barrier.wait()
            answers.append(post_lead(bot, body, headers={"Idempotency-Key": "k-42"} if header else None))

        threads = [threading.Thread(target=send) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(status for status, _ in answers) == [200] * 19 + [201]
        assert len({json.dumps(answer, sort_keys=True) for _, answer in answers}) == 1
        assert len(query(bot.url, select(Customer))) == 1
        assert len(query(bot.url, select(LeadOffer))) == 1
        offer_dm(bot, "U0ALICE", "Twenty Times Inc")
        assert len([c for c in bot.standin.calls_for("chat.postMessage") if "Twenty Times" in text_of(c.params)]) == 1


def test_managers_enter_leads_with_slash_lead_and_its_form(engine_url, standin, tmp_path):
    with start(engine_url, standin, tmp_path) as bot:
        _, reply, _ = bot.command("U0MGR2", "/lead", "Fabrikam Robotics | 上海 | 制造 | A | expo")
        assert "Lead *Fabrikam Robotics* (C-1001) offered to <@U0ALICE> by rule “inbound”" in text_of(reply)
        [lead] = query(bot.url, select(Lead))
        assert (lead.source, lead.entered_by) == ("expo", "U0MGR2")
        assert query(bot.url, select(Customer))[0].tier == "A"
        offer_dm(bot, "U0ALICE", "Fabrikam Robotics")
        _, refused, _ = bot.command("U0BOB", "/lead", "Bob's Own Lead")
        assert "managers" in text_of(refused).lower() and len(query(bot.url, select(Customer))) == 1
        _, usage, _ = bot.command("U0MGR2", "/lead", "| 上海")
        assert "Usage: `/lead company | region | industry | tier | source`" in text_of(usage)

        status, _, _ = bot.command("U0MGR2", "/lead", "")
        assert status == 200
        view = bot.standin.wait_for("views.open", 10).params["view"]
        assert view["callback_id"] == "lead_form"
        values = {"name": {"value": {"type": "plain_text_input", "value": "Tailspin Toys"}},
                  "phone": {"value": {"type": "plain_text_input", "value": "not a phone"}}}
        submit = {"type": "view_submission", "user": {"id": "U0MGR2", "name": "dave"}, "api_app_id": "A123456",
                  "team": {"id": "T0001"}, "trigger_id": "t", "view": {**view, "state": {"values": values}}}
        status, answer = bot.interact(submit)
        assert status == 200 and json.loads(answer)["errors"]["phone"].startswith("⛔ Invalid phone")
        values["phone"]["value"]["value"] = "021 6888 0000"
        status, answer = bot.interact({**submit, "view": {**view, "state": {"values": values}}})
        assert status == 200 and answer == ""
        reply = bot.standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params.get("channel") == "U0MGR2"
                                     and "Tailspin Toys" in text_of(c.params), 10).params
        assert "offered to <@U0BOB>" in text_of(reply)
        assert query(bot.url, select(Lead).where(Lead.source == "slack"))[0].entered_by == "U0MGR2"
