"""How listeners answer (bot/slack/listening.py), with the real app in this process and the stand-in:
the answer goes before the Web API work, which the app's LazyWork runs and can be waited on; a listener
that fails is answered with a clear message, before or after its ack."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from bot.app import create_app, lazy_work
from bot.config import Settings, TeamSettings
from bot.server import bolt_request
from bot.services import claims, pool
from bot.services.context import ServiceContext
from bot.views.pool import CLAIM_ACTION
from storage import migrate
from storage.engine import make_engine
from tests.support.signing import interactive_body, sign, slash_command_body

SECRET = "listening-secret"
SORRY = "Sorry, something went wrong"


@pytest.fixture
def app(sqlite_url, standin):
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    settings = Settings(database_url=sqlite_url, slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                        slack_api_url=standin.api_url, team=TeamSettings(language="en"))
    app = create_app(ServiceContext(engine, settings), token_verification=False)
    yield app
    lazy_work(app).stop()
    engine.dispose()


def dispatch(app, body: str) -> tuple[int, str]:
    headers = {k: [v] for k, v in sign(body, SECRET).items()}
    headers["content-type"] = ["application/json" if body.startswith("{") else "application/x-www-form-urlencoded"]
    response = app.dispatch(bolt_request(body, None, headers))
    return response.status, response.body


def test_a_command_answers_before_its_modal_opens_and_the_work_can_be_waited_on(app, standin):
    standin.set_latency(0.5)
    trigger = uuid.uuid4().hex
    started = time.monotonic()
    status, _ = dispatch(app, slash_command_body("/claim", "", user_id="U0ALICE", trigger_id=trigger))
    assert status == 200 and time.monotonic() - started < 0.5 + 2.1  # at most the users.info time-out
    assert not standin.calls_for("views.open")  # not yet: it follows the answer
    assert lazy_work(app).wait_idle(timeout=10)
    assert [c.params["trigger_id"] for c in standin.calls_for("views.open")] == [trigger]


def test_a_failing_command_is_answered_in_its_ack(app, standin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(claims, "claim", broken)
    status, answer = dispatch(app, slash_command_body("/claim", "Acme", user_id="U0BOB"))
    assert status == 200 and SORRY in json.loads(answer)["text"]


def test_a_failing_button_is_answered_at_its_response_url(app, standin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(pool, "claim", broken)
    token = uuid.uuid4().hex
    status, _ = dispatch(app, interactive_body({
        "type": "block_actions", "user": {"id": "U0BOB"}, "api_app_id": "A123456", "team": {"id": "T0001"},
        "trigger_id": "t", "response_url": standin.response_url(token), "container": {"type": "message"},
        "actions": [{"action_id": CLAIM_ACTION, "block_id": "b", "type": "button", "action_ts": "1.1",
                     "value": json.dumps({"c": 7, "f": "", "n": 1})}]}))
    assert status == 200
    assert lazy_work(app).wait_idle(timeout=10)
    [reply] = [c.params for c in standin.calls_for("response_url") if c.params.get("token") == token]
    assert SORRY in reply["text"]


def test_a_failing_form_stays_open_and_says_so(app, standin, monkeypatch):
    """The dispute form's service fails: the form is not closed on a silent 200, it shows the error under
    its field (Slack's ``response_action: errors``), and nothing was opened."""
    from bot.actions.decisions import DISPUTE_FORM
    from bot.services import disputes

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(disputes, "open_dispute", broken)
    status, answer = dispatch(app, interactive_body({
        "type": "view_submission", "user": {"id": "U0BOB"}, "api_app_id": "A123456", "team": {"id": "T0001"},
        "view": {"id": "V1", "type": "modal", "callback_id": DISPUTE_FORM, "private_metadata": json.dumps({"c": 7}),
                 "state": {"values": {"reason": {"value": {"type": "plain_text_input", "value": "mine first"}}}}}}))
    assert status == 200
    body = json.loads(answer)
    assert body["response_action"] == "errors" and SORRY in body["errors"]["reason"]
