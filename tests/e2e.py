"""Shared set-up for end-to-end tests: `claimbot serve` in its own process, the Slack stand-in, a config."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.console.standin import SlackStandIn
from storage.engine import make_engine, read_session
from tests.support.server import ServeProcess
from tests.support.signing import event_body, interactive_body, signed_post, slash_command_body

SECRET = "e2e-signing-secret"
TOKEN = "xoxb-e2e"
CONFIG = """
[team]
timezone = "Asia/Shanghai"
language = "{language}"
admins = ["U0ADMIN"]
managers = ["U0MGR1", "U0MGR2"]
digest_channel = "C0SALES"
{approvals}
{team}

[claims]
holding_cap = {holding_cap}
daily_claim_cap = {daily_claim_cap}

[schedule]
outbox_every_seconds = 1
{schedule}
"""


@dataclass
class Bot:
    server: ServeProcess
    standin: SlackStandIn
    env: dict[str, str] = field(default_factory=dict)  # the server's environment (for CLI runs alike)
    url: str = ""  # its database

    def command(self, user_id: str, command: str, text: str, **kw: Any) -> tuple[int, dict[str, Any] | str, float]:
        token = uuid.uuid4().hex
        body = slash_command_body(command, text, user_id=user_id, user_name=user_id.lower(),
                                  response_url=self.standin.response_url(token), **kw)
        started = time.monotonic()
        status, answer = signed_post(self.server.url, body, SECRET, timeout=30)
        elapsed = time.monotonic() - started
        return status, (json.loads(answer) if answer.startswith("{") else answer), elapsed

    def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = interactive_body(payload)
        return signed_post(self.server.url, body, SECRET, timeout=30)

    def click(self, user_id: str, message: dict[str, Any], action_id: str, index: int = 0, *,
              channel: str = "C0SALES", ts: str | None = None, state: dict[str, Any] | None = None) -> str:
        """Press the `index`-th button with `action_id` in `message`; returns the response-url token."""
        buttons = [(block, el) for block in message["blocks"] if block["type"] == "actions"
                   for el in block["elements"] if el.get("action_id") == action_id]
        block, element = buttons[index]
        token = uuid.uuid4().hex
        status, _ = self.interact({
            "type": "block_actions", "user": {"id": user_id, "name": user_id.lower(), "team_id": "T0001"},
            "api_app_id": "A123456", "team": {"id": "T0001"}, "trigger_id": uuid.uuid4().hex,
            "container": {"type": "message", "is_ephemeral": ts is None, "channel_id": channel, "message_ts": ts},
            "channel": {"id": channel}, "response_url": self.standin.response_url(token),
            "message": {"ts": ts, "blocks": message["blocks"]} if ts else None,
            "state": {"values": state or {}},
            "actions": [{"action_id": action_id, "block_id": block["block_id"], "value": element["value"],
                         "type": "button", "action_ts": "1.1"}],
        })
        assert status == 200
        return token

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int = 0) -> tuple[int, str]:
        """An Events API callback (``event_callback``) wrapping ``event``, signed; ``retry`` > 0 sends it as
        Slack's retry number ``retry`` of ``event_id``."""
        body = event_body(event, event_id=event_id or f"Ev{uuid.uuid4().hex[:10]}")
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return signed_post(self.server.url, body, SECRET, headers=headers, timeout=30)

    def replies(self, token: str) -> list[dict[str, Any]]:
        """What was posted to a response URL (ephemeral answers, replaced messages)."""
        return [c.params for c in self.standin.calls_for("response_url") if c.params.get("token") == token]

    def wait_replies(self, token: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The response-URL posts of a click, once there are ``count`` (a button is answered after its
        HTTP answer, by a lazy listener)."""
        deadline = time.monotonic() + timeout
        while len(found := self.replies(token)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def posts(self, channel: str) -> list[Any]:
        return [c for c in self.standin.calls_for("chat.postMessage") if c.params.get("channel") == channel]

    def updates(self, channel: str, ts: str) -> list[dict[str, Any]]:
        return [c.params for c in self.standin.calls_for("chat.update")
                if c.params.get("channel") == channel and c.params.get("ts") == ts]


def write_config(directory: Path, *, language: str = "zh", holding_cap: int = 100, daily_claim_cap: int = 10,
                 approvals_channel: str | None = None, schedule: str = "", team: str = "") -> Path:
    """``schedule``, ``team``: more lines of the ``[schedule]`` and ``[team]`` tables (delivery runs every
    second in every test)."""
    path = directory / "claimbot.toml"
    approvals = f'approvals_channel = "{approvals_channel}"' if approvals_channel else ""
    path.write_text(CONFIG.format(language=language, holding_cap=holding_cap, daily_claim_cap=daily_claim_cap,
                                  approvals=approvals, schedule=schedule, team=team), encoding="utf-8")
    return path


def migrate_with_cli(url: str) -> None:
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], check=True, capture_output=True,
                   env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"})


@contextmanager
def served(database_url: str, standin: SlackStandIn, config: Path, *, scheduler: bool = True,
           extra_env: dict[str, str] | None = None) -> Iterator[Bot]:
    """`claimbot serve` on that database with that config (``extra_env``: more of its environment, such as
    lead tokens). A shared PostgreSQL database is migrated first, on purpose, with the CLI; a SQLite file is
    left for the server to migrate itself."""
    if not database_url.startswith("sqlite"):
        migrate_with_cli(database_url)
    env = {**serve_env(database_url, standin, config), **(extra_env or {})}
    with ServeProcess(env, extra_args=[] if scheduler else ["--no-scheduler"]) as server:
        yield Bot(server, standin, env=env, url=database_url)


def query(url: str, stmt: Any) -> list[Any]:
    """The rows of one statement, read in a process of the test's own."""
    engine = make_engine(url)
    try:
        with read_session(engine) as s:
            return list(s.exec(stmt).all())
    finally:
        engine.dispose()


def serve_env(database_url: str, standin: SlackStandIn, config: Path) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SLACK_API_URL": standin.api_url, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": TOKEN, "CLAIMBOT_CONFIG": str(config)}


def buttons(message: dict[str, Any]) -> list[str]:
    return [el["action_id"] for block in message.get("blocks", []) if block["type"] == "actions"
            for el in block["elements"] if el.get("type") == "button"]


def text_of(message: dict[str, Any] | str) -> str:
    """Everything a user reads in a message: fallback text and every block's text."""
    if isinstance(message, str):
        return message
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", []) if isinstance(f, dict)]  # section fields
        for el in block.get("elements", []):
            if isinstance(el, dict) and isinstance(el.get("text"), (str, dict)):
                parts.append(el["text"] if isinstance(el["text"], str) else el["text"]["text"])
    return "\n".join(parts)
