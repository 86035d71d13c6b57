"""Bad and arbitrary input through the real app over signed HTTP: always 200, a clear message or a
correct claim, nothing half-written, user text escaped."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from bot.console.standin import SlackStandIn
from storage.engine import make_engine, read_session
from storage.models import Customer, Ownership, OwnershipEvent
from tests.conftest import SLACK_USERS
from tests.e2e import Bot, serve_env, text_of, write_config
from tests.support.server import ServeProcess

OUR_MENTION = re.compile(r"<@U[A-Z0-9]+>")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    directory = tmp_path_factory.mktemp("input")
    url = f"sqlite:///{directory}/claimbot.db"
    standin = SlackStandIn(SLACK_USERS).start()
    with ServeProcess(serve_env(url, standin, write_config(directory, language="en"))) as server:
        yield Bot(server, standin), url
    standin.stop()


def assert_escaped(message: str) -> None:
    """The only markup in a reply is ours: user mentions we rendered. No raw <, > or & from users."""
    rest = OUR_MENTION.sub("", message)
    assert "<" not in rest and ">" not in rest, rest
    assert not re.search(r"&(?!amp;|lt;|gt;)", rest), rest


def assert_consistent(url: str) -> None:
    """Nothing half-written: every customer was claimed by an audited event, at most one owner each."""
    engine = make_engine(url)
    try:
        with read_session(engine) as s:
            customers = s.exec(select(func.count()).select_from(Customer)).one()
            claims = s.exec(select(func.count()).select_from(OwnershipEvent).where(OwnershipEvent.kind == "claim")).one()
            ownerships = s.exec(select(func.count()).select_from(Ownership)).one()
            active = s.exec(select(Ownership.customer_id, func.count()).where(Ownership.ended_at.is_(None))
                            .group_by(Ownership.customer_id)).all()
    finally:
        engine.dispose()
    assert claims == ownerships >= customers or customers == 0
    assert all(n == 1 for _, n in active)


BAD_INPUT = [
    ("", "Usage: `/claim customer name`"),
    ("     ", "Usage"),
    ("\u200b\u200c\u200d\ufeff", "Usage"),
    ("\x00\x07\x1b[31m", "Usage"),
    ("Ａ" * 4100, "too long"),
    ("<!channel> Acme", "&lt;!channel&gt; Acme"),
    ("<@U0ALICE|alice> Globex", "&lt;@U0ALICE&gt; Globex"),  # a mention stays one (commands read <@U…>), shown inert
    ("<http://globex.example|globex.example> Ltd", "globex.example Ltd"),  # a typed domain Slack made a link
    ("Robert'); DROP TABLE customer;--", "Robert'); DROP TABLE customer;--"),
    ("🚀🚀 Rocket 火箭 科技 Ltd", "Rocket 火箭 科技 Ltd"),
    ("Ünïcödé & Söhne GmbH", "Ünïcödé &amp; Söhne GmbH"),
    ("payload systems", "payload systems"),
    ("!!!", "is not a customer name"),
]


@pytest.mark.parametrize("text,expected", BAD_INPUT)
def test_bad_input_is_answered_clearly(served, text, expected):
    bot, url = served
    status, reply, _ = bot.command("U0BOB", "/claim", text)
    assert status == 200
    message = text_of(reply)
    if text.strip() and "\u200b" not in text and "\x00" not in text:
        assert expected in message
    else:  # nothing to claim: the claim form opens (a modal), nothing is written
        assert status == 200
    assert_escaped(message)
    assert_consistent(url)


@pytest.mark.parametrize("command", ["/customer", "/followup", "/stage", "/release", "/mine", "/claimbot"])
def test_every_command_answers_junk_with_a_message(served, command):
    bot, url = served
    for text in ("", "|", "｜｜｜", "<!here> | <!channel>", "x" * 5000, "C-99999999 | won -5"):
        status, reply, _ = bot.command("U0BOB", command, text)
        assert status == 200 and text_of(reply).strip()
        assert_escaped(text_of(reply))
    assert_consistent(url)


command_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc", "Cf"]), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["/claim", "/customer", "/followup", "/stage", "/release"]), text=command_text)
def test_arbitrary_text_never_breaks_the_app(served, command, text):
    bot, url = served
    status, reply, elapsed = bot.command("U0BOB", command, text)
    assert status == 200
    if isinstance(reply, dict):
        assert_escaped(text_of(reply))
    assert elapsed < 3.0
    assert_consistent(url)


@pytest.mark.parametrize("action_id,value", [
    ("dispute_keep", '{"case": 1e20}'), ("dispute_transfer", '{"case": "x"}'), ("handover_approve", "not json"),
    ("claim_same", '{"c": 1e20, "r": {"name": "Acme"}}'), ("pool_claim", '{"c": 1e400}'),
    ("handover_decline", '{"handover": -1}'), ("appeal_open", "{}"),
])
def test_forged_button_values_get_an_answer_and_change_nothing(served, action_id, value):
    bot, url = served
    message = {"blocks": [{"type": "actions", "block_id": "b", "elements": [
        {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": "x"}}]}]}
    token = bot.click("U0BOB", message, action_id)
    if action_id != "appeal_open":  # opening a form with no case answers nothing
        answer = bot.standin.wait_for(lambda c: c.method == "response_url" and c.params.get("token") == token)
        assert text_of(answer.params).strip()
    assert_consistent(url)


def test_a_typed_domain_finds_the_customer_made_from_the_form(served):
    """Slack sends a domain typed in a command as a link, ``<http://JD.com|JD.com>``: it is the same
    customer as the "JD.com" claimed from the form, for the claim, the follow-up and the card."""
    bot, url = served
    rep, trigger = "U0JDREP", uuid.uuid4().hex  # a rep of their own: the module's others are at their daily cap
    status, _, _ = bot.command(rep, "/claim", "", trigger_id=trigger)
    assert status == 200
    view = bot.standin.wait_for(lambda c: c.method == "views.open" and c.params.get("trigger_id") == trigger,
                                timeout=10).params["view"]
    values = {b: {"value": {"type": "plain_text_input", "value": v}}
              for b, v in (("name", "JD.com"), ("domain", "<http://jd.com|jd.com>"), ("uscc", None), ("phone", None),
                           ("region", None), ("industry", None))}
    values["tier"] = {"value": {"type": "static_select", "selected_option": None}}
    status, answer = bot.interact({"type": "view_submission", "user": {"id": rep}, "api_app_id": "A123456",
                                   "team": {"id": "T0001"}, "view": {**view, "id": "V1", "state": {"values": values}}})
    assert status == 200 and not answer.strip(), answer  # accepted: no field errors

    _, reply, _ = bot.command("U0ALICE", "/claim", "<http://JD.com|JD.com>")  # as Slack sends `/claim JD.com`
    assert "JD.com" in text_of(reply) and f"<@{rep}>" in text_of(reply)  # the rep's already
    _, reply, _ = bot.command(rep, "/followup", "<http://JD.com|JD.com> | call: 客户要报价，下周发方案")
    assert "Logged a call follow-up on *JD.com*" in text_of(reply)
    engine = make_engine(url)
    try:
        with read_session(engine) as s:
            found = s.exec(select(Customer).where(func.lower(Customer.name).like("%jd%"))).all()
    finally:
        engine.dispose()
    assert [(c.name, c.domain) for c in found] == [("JD.com", "jd.com")]
