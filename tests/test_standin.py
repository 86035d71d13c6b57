"""The Slack stand-in answers the real slack_sdk clients the way Slack does."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.console.standin import BOT_ID, BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.support.signing import interactive_body, post, sign, slash_command_body

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*北京字节跳动科技有限公司* → <@U0ALICE>"}}]


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url)


def test_auth_test_names_the_bot(client: WebClient) -> None:
    response = client.auth_test()
    assert (response["user_id"], response["bot_id"], response["team_id"]) == (BOT_USER_ID, BOT_ID, TEAM_ID)


def test_post_message_is_recorded_with_blocks_decoded(client: WebClient, standin: SlackStandIn) -> None:
    response = client.chat_postMessage(channel="C0SALES", text="claimed", blocks=BLOCKS)

    assert response["channel"] == "C0SALES"
    assert response["message"]["blocks"] == BLOCKS
    [call] = standin.calls_for("chat.postMessage")
    assert call.params["blocks"] == BLOCKS
    assert call.params["channel"] == "C0SALES"
    assert call.token == "xoxb-test"
    assert call.ok and call.status == 200
    assert standin.messages("C0SALES")[0]["ts"] == response["ts"]


def test_form_encoded_json_fields_are_decoded(client: WebClient, standin: SlackStandIn) -> None:
    client.api_call("chat.postMessage", data={"channel": "C0SALES", "blocks": json.dumps(BLOCKS)})
    client.api_call(
        "views.open", data={"trigger_id": "1.2.3", "view": json.dumps({"type": "modal", "blocks": []})}
    )

    assert standin.calls_for("chat.postMessage")[0].params["blocks"] == BLOCKS
    assert standin.calls_for("views.open")[0].params["view"] == {"type": "modal", "blocks": []}


def test_ts_values_are_unique_and_increasing(client: WebClient) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def post_some() -> None:
        for _ in range(10):
            ts = client.chat_postMessage(channel="C0SALES", text="x")["ts"]
            with lock:
                results.append(ts)

    threads = [threading.Thread(target=post_some) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 40
    sequential = [client.chat_postMessage(channel="C0SALES", text="y")["ts"] for _ in range(5)]
    assert sequential == sorted(sequential, key=float)
    assert float(sequential[0]) > max(float(ts) for ts in results)


def test_users_info_known_user_with_locale(client: WebClient) -> None:
    user = client.users_info(user="U0ALICE", include_locale=True)["user"]
    assert (user["name"], user["real_name"], user["locale"], user["tz"]) == (
        "alice",
        "Alice Wang",
        "zh-CN",
        "Asia/Shanghai",
    )
    assert user["tz_offset"] == 8 * 3600
    # Like Slack: no locale unless asked for.
    assert "locale" not in client.users_info(user="U0BOB")["user"]


def test_users_info_unknown_user(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as e:
        client.users_info(user="U0NOBODY")
    assert e.value.response["error"] == "user_not_found"


def test_missing_token_is_not_authed(standin: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as e:
        WebClient(base_url=standin.api_url).chat_postMessage(channel="C0SALES", text="x")
    assert e.value.response["error"] == "not_authed"
    assert standin.calls_for("chat.postMessage", ok_only=True) == []


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as e:
        client.api_call("reactions.add", json={"channel": "C0SALES", "name": "tada"})
    assert e.value.response["error"] == "unknown_method"


def test_rate_limit_injection_raises_with_retry_after(client: WebClient, standin: SlackStandIn) -> None:
    standin.fail_next("chat.postMessage", 429, retry_after=7)

    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C0SALES", text="x")

    assert e.value.response.status_code == 429
    assert e.value.response["error"] == "ratelimited"
    assert e.value.response.headers["Retry-After"] in ("7", ["7"])
    assert client.chat_postMessage(channel="C0SALES", text="x")["ok"]  # only the next call fails
    assert [c.status for c in standin.calls_for("chat.postMessage")] == [429, 200]


def test_rate_limit_retry_handler_retries(standin: SlackStandIn) -> None:
    client = WebClient(
        token="xoxb-test",
        base_url=standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    standin.fail_next("chat.postMessage", 429, retry_after=0)

    assert client.chat_postMessage(channel="C0SALES", text="x")["ok"]
    assert [c.status for c in standin.calls_for("chat.postMessage")] == [429, 200]


def test_server_error_injection(client: WebClient, standin: SlackStandIn) -> None:
    standin.fail_next("*", 503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as e:
            client.auth_test()
        assert e.value.response.status_code == 503
    assert client.auth_test()["ok"]


def test_a_late_answer_comes_after_the_call_took_effect(standin: SlackStandIn) -> None:
    impatient = WebClient(token="xoxb-test", base_url=standin.api_url, timeout=0.5, retry_handlers=[])
    standin.delay_next("chat.postMessage", 1.5)
    started = time.monotonic()
    with pytest.raises(OSError):  # the client's time-out
        impatient.chat_postMessage(channel="C0SALES", text="late")
    assert time.monotonic() - started < 1.4
    assert [m["text"] for m in standin.messages("C0SALES")] == ["late"]  # Slack has it all the same
    assert impatient.chat_postMessage(channel="C0SALES", text="on time")["ok"]  # only the next call was late


def test_a_refusing_channel_and_a_thread(client: WebClient, standin: SlackStandIn) -> None:
    standin.refuse_channel("C0GONE")
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C0GONE", text="hello")
    assert (e.value.response.status_code, e.value.response["error"]) == (200, "not_in_channel")
    parent = client.chat_postMessage(channel="C0SALES", text="parent")["ts"]
    client.chat_postMessage(channel="C0SALES", text="reply", thread_ts=parent)
    client.chat_postMessage(channel="C0SALES", text="elsewhere")
    thread = client.conversations_replies(channel="C0SALES", ts=parent)["messages"]
    assert [m["text"] for m in thread] == ["parent", "reply"]


def test_dm_post_update_delete(client: WebClient, standin: SlackStandIn) -> None:
    channel = client.conversations_open(users="U0MGR1")["channel"]["id"]
    assert channel == "D0MGR1" == standin.dm_channel("U0MGR1")
    again = client.conversations_open(users="U0MGR1")
    assert again["channel"]["id"] == channel and again["already_open"]

    posted = client.chat_postMessage(channel="U0MGR1", text="approve?", blocks=BLOCKS)
    assert posted["channel"] == channel
    updated = client.chat_update(channel=channel, ts=posted["ts"], text="approved", blocks=[])
    assert updated["ts"] == posted["ts"]
    assert standin.message(channel, posted["ts"])["text"] == "approved"
    assert standin.message(channel, posted["ts"])["blocks"] == []
    client.chat_delete(channel=channel, ts=posted["ts"])
    assert standin.messages(channel) == []


def test_strict_messages(slack_users) -> None:
    with SlackStandIn(slack_users, strict_messages=True) as strict:
        client = WebClient(token="xoxb-test", base_url=strict.api_url)
        with pytest.raises(SlackApiError) as e:
            client.chat_update(channel="C0SALES", ts="1764201600.000100", text="x")
        assert e.value.response["error"] == "message_not_found"


def test_ephemeral(client: WebClient, standin: SlackStandIn) -> None:
    response = client.chat_postEphemeral(channel="C0SALES", user="U0ALICE", text="only you")
    assert response["message_ts"]
    assert standin.calls_for("chat.postEphemeral")[0].params["user"] == "U0ALICE"


def test_views(client: WebClient, standin: SlackStandIn) -> None:
    modal = {
        "type": "modal",
        "callback_id": "claim_modal",
        "title": {"type": "plain_text", "text": "Claim"},
        "blocks": BLOCKS,
    }
    opened = client.views_open(trigger_id="1.2.3", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "claim_modal"
    updated = client.views_update(view_id=opened["id"], view={**modal, "blocks": []})["view"]
    assert updated["id"] == opened["id"] and updated["blocks"] == []
    pushed = client.views_push(trigger_id="1.2.4", view=modal)["view"]
    assert pushed["id"] != opened["id"]

    home = {"type": "home", "blocks": BLOCKS}
    first = client.views_publish(user_id="U0ALICE", view=home)["view"]
    second = client.views_publish(user_id="U0ALICE", view=home)["view"]
    assert first["id"] == second["id"]
    assert standin.view(first["id"])["blocks"] == BLOCKS

    with pytest.raises(SlackApiError) as e:
        client.views_update(view_id="V404", view=modal)
    assert e.value.response["error"] == "not_found"


def test_response_url_records_posts(standin: SlackStandIn) -> None:
    url = standin.response_url("abc123")
    assert url == f"http://127.0.0.1:{standin.port}/response/abc123"

    assert WebhookClient(url).send(text="done", replace_original=True).status_code == 200
    status, _ = post(url, json.dumps({"text": "again", "blocks": BLOCKS}))

    assert status == 200
    first, second = standin.calls_for("response_url")
    assert first.params["token"] == "abc123" and first.params["replace_original"] is True
    assert second.params["blocks"] == BLOCKS


def test_wait_for(client: WebClient, standin: SlackStandIn) -> None:
    timer = threading.Timer(0.2, lambda: client.chat_postMessage(channel="C0SALES", text="later"))
    timer.start()
    call = standin.wait_for(lambda c: c.method == "chat.postMessage" and c.params["text"] == "later", 5)
    assert call.params["channel"] == "C0SALES"
    assert standin.wait_for("chat.postMessage", 0.1) is call

    standin.clear()
    assert standin.calls == []
    with pytest.raises(TimeoutError):
        standin.wait_for("chat.postMessage", timeout=0.2)


def test_expected_token(slack_users) -> None:
    with SlackStandIn(slack_users, token="xoxb-right") as strict:
        assert WebClient(token="xoxb-right", base_url=strict.api_url).auth_test()["ok"]
        with pytest.raises(SlackApiError) as e:
            WebClient(token="xoxb-wrong", base_url=strict.api_url).auth_test()
        assert e.value.response["error"] == "invalid_auth"


def test_runs_as_a_module() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.console.standin", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        api_url = process.stdout.readline().strip()
        assert api_url.startswith("http://127.0.0.1:") and api_url.endswith("/api/")
        WebClient(token="xoxb-test", base_url=api_url).chat_postMessage(
            channel="C0SALES", text="hi", blocks=BLOCKS
        )
        line = json.loads(process.stdout.readline())
        assert line["method"] == "chat.postMessage" and line["params"]["blocks"] == BLOCKS
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_signed_requests_verify_like_slack() -> None:
    from urllib.parse import parse_qs

    from slack_sdk.signature import SignatureVerifier

    body = slash_command_body(
        "/claim", "北京字节跳动科技有限公司 | 老客户", response_url="http://x/response/r1"
    )
    headers = sign(body, "sekrit")
    verifier = SignatureVerifier("sekrit")
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body, sign(body, "sekrit", timestamp=int(time.time()) - 600))
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/claim" and fields["text"] == "北京字节跳动科技有限公司 | 老客户"
    assert fields["response_url"] == "http://x/response/r1" and fields["user_id"] == "U0ALICE"

    payload = {"type": "block_actions", "actions": [{"action_id": "claim", "value": '{"c": 1}'}]}
    form = parse_qs(interactive_body(payload))
    assert json.loads(form["payload"][0]) == payload


def test_latency_slows_every_web_api_call_and_response_url_post(client: WebClient, standin: SlackStandIn) -> None:
    standin.set_latency(0.4)
    started = time.monotonic()
    client.chat_postMessage(channel="C0SALES", text="slow")
    WebhookClient(standin.response_url("tok")).send(text="slow too")
    assert time.monotonic() - started >= 0.8
    with pytest.raises(TimeoutError):  # a client that gives up first: its call is still recorded, later
        WebClient(token="xoxb-test", base_url=standin.api_url, timeout=0.1).auth_test()
    standin.set_latency(0)
    started = time.monotonic()
    client.chat_postMessage(channel="C0SALES", text="quick again")
    assert time.monotonic() - started < 0.4
    assert [c.method for c in standin.calls][:2] == ["chat.postMessage", "response_url"]
