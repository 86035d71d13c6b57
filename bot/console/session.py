"""`claimbot console`: the real app — same listeners, signed requests, same database — in a terminal.

A local stand-in answers the Web API; the app is served over HTTP on loopback exactly as in production.
Type ``@alice /claim 北京字节跳动科技有限公司``; press a numbered button with ``@carol 1``; submit an open
modal with ``@alice submit name=Acme uscc=…``; open Alice's App Home tab with ``@alice home``; post a lead
to ``/leads`` as a website form would with ``lead website name=Acme region=北京`` (the rules offer it to a
rep, who sees *Accept* · *Pass*).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import shlex
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.config import AllocationRule, Settings
from bot.console import wire
from bot.console.standin import ApiCall, SlackStandIn

DEMO_SCRIPT = Path(__file__).with_name("demo.txt")
CHANNEL = "C0SALES"
USERS: dict[str, dict[str, Any]] = {
    "U0ALICE": {"name": "alice", "real_name": "Alice Wang 王丽", "locale": "zh-CN", "tz": "Asia/Shanghai"},
    "U0BOB": {"name": "bob", "real_name": "Bob Li", "locale": "en-US", "tz": "Asia/Shanghai"},
    "U0MGR1": {"name": "carol", "real_name": "Carol Chen 陈静", "locale": "zh-CN", "tz": "Asia/Shanghai"},
    "U0MGR2": {"name": "dave", "real_name": "Dave Zhang", "locale": "en-US", "tz": "Asia/Shanghai"},
    "U0ADMIN": {"name": "admin", "real_name": "Admin", "locale": "en-US", "tz": "Asia/Shanghai"},
}
ALIASES = {"mgr": "U0MGR1", "manager": "U0MGR1"}
QUIET_METHODS = {"auth.test", "users.info", "conversations.open"}


@dataclass
class Button:
    user_id: str  # who was shown it
    action: dict[str, Any]
    block_id: str
    channel: str
    message_ts: str | None
    response_token: str


class Console:
    def __init__(self, settings: Settings, out: TextIO = sys.stdout):
        self.out = out
        self.secret = secrets.token_hex(16)
        self.standin = SlackStandIn(USERS).start()
        team = settings.team
        allocation = settings.allocation
        self.settings = settings.model_copy(update={
            "slack_bot_token": "xoxb-console", "slack_signing_secret": self.secret,
            "slack_api_url": self.standin.api_url,
            "team": team.model_copy(update={
                "managers": team.managers or ["U0MGR1", "U0MGR2"], "admins": team.admins or ["U0ADMIN"],
                "digest_channel": team.digest_channel or CHANNEL,
            }),
            # Leads need a rule to be offered by; without one of yours, Alice and Bob take turns.
            "allocation": allocation if allocation.rules else allocation.model_copy(update={
                "rules": [AllocationRule(name="console", reps=["U0ALICE", "U0BOB"])]}),
        })
        self.lead_tokens: dict[str, str] = {}  # source → the token this console posts leads with
        self.buttons: dict[int, Button] = {}
        self.counter = itertools.count(1)
        self.views: dict[str, dict[str, Any]] = {}  # user → last opened modal
        self._server: Any = None
        self._ctx: Any = None
        self._dispatcher: Any = None  # delivers what each request left in the outbox
        self._app: Any = None
        self._home_shown = False  # print a published Home tab whole (opened, paged), not just "updated"
        self.line = ""  # the line being played
        self.answer_times: list[tuple[str, float]] = []  # (line, seconds until its HTTP answer), every request

    # -- lifecycle
    def start(self) -> Console:
        from bot.app import create_app
        from bot.bootstrap import context, ensure_schema
        from bot.intake import LeadIntake
        from bot.server import BackgroundServer

        ctx = context(self.settings)
        ensure_schema(ctx)
        self._ctx = ctx
        self._app = create_app(ctx)
        self._intake = LeadIntake(ctx, self.lead_tokens)
        self._server = BackgroundServer(self._app, intake=self._intake).start()
        self.base_url = f"http://127.0.0.1:{self._server.port}"
        self.url = f"{self.base_url}/slack/events"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self.standin.stop()

    # -- one line of input
    def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line.startswith("#"):
            self.say(f"\n{line}")
            return True
        if line in ("quit", "exit"):
            return False
        if line in ("help", "?"):
            self.say(__doc__ or "")
            return True
        if line.startswith("lead "):
            self.line = line
            self.post_lead(line[len("lead "):].strip())
            return True
        m = re.match(r"^@(\w+)\s+(.*)$", line, re.S)
        if not m:
            self.say("⚠ start with a user, e.g. `@alice /claim Acme`. Users: "
                     + ", ".join("@" + u["name"] for u in USERS.values()))
            return True
        user_id = self.user_id(m.group(1))
        if user_id is None:
            self.say(f"⚠ unknown user @{m.group(1)}")
            return True
        rest = m.group(2).strip()
        self.line = line
        self.say(f"\n▶ @{USERS[user_id]['name']}: {rest}")
        if rest.startswith("/"):
            command, _, text = rest.partition(" ")
            self.command(user_id, command, text.strip())
        elif re.fullmatch(r"(press\s+)?\d+", rest):
            self.press(user_id, int(rest.split()[-1]))
        elif rest.startswith("submit"):
            self.submit(user_id, rest[len("submit"):].strip())
        elif rest == "home":
            self.open_home(user_id)
        else:
            self.say("⚠ type a /command, a button number, `submit field=value …` or `home`")
        return True

    def user_id(self, name: str) -> str | None:
        name = name.lower()
        if name in ALIASES:
            return ALIASES[name]
        return next((uid for uid, u in USERS.items() if u["name"] == name or uid.lower() == name.lower()), None)

    # -- what a user does
    def command(self, user_id: str, command: str, text: str) -> None:
        body = wire.slash_command_body(
            command, text, user_id=user_id, user_name=USERS[user_id]["name"], channel_id=CHANNEL,
            response_url=self.standin.response_url(uuid.uuid4().hex), trigger_id=uuid.uuid4().hex)
        self._send(user_id, body, CHANNEL)

    def press(self, user_id: str, number: int) -> None:
        button = self.buttons.get(number)
        if button is None:
            self.say(f"⚠ no button [{number}]")
            return
        payload = {
            "type": "block_actions", "user": {"id": user_id, "name": USERS[user_id]["name"], "team_id": wire.TEAM_ID},
            "api_app_id": wire.APP_ID, "team": {"id": wire.TEAM_ID}, "trigger_id": uuid.uuid4().hex,
            "channel": {"id": button.channel}, "response_url": self.standin.response_url(button.response_token),
            "container": {"type": "message", "channel_id": button.channel, "message_ts": button.message_ts,
                          "is_ephemeral": button.message_ts is None},
            "message": {"ts": button.message_ts} if button.message_ts else None,
            "actions": [{**button.action, "block_id": button.block_id, "type": "button",
                         "action_ts": "1764201600.000200"}],
        }
        self._home_shown = str(button.action.get("action_id") or "").startswith("home_")
        try:
            self._send(user_id, wire.interactive_body(payload), button.channel)
        finally:
            self._home_shown = False

    def submit(self, user_id: str, fields_text: str) -> None:
        view = self.views.get(user_id)
        if view is None:
            self.say("⚠ no open form")
            return
        given = dict(part.split("=", 1) for part in shlex.split(fields_text) if "=" in part)
        values: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            values[block["block_id"]] = {element["action_id"]: self._state_of(element, given.get(block["block_id"]))}
        payload = {
            "type": "view_submission", "user": {"id": user_id, "name": USERS[user_id]["name"]},
            "api_app_id": wire.APP_ID, "team": {"id": wire.TEAM_ID}, "trigger_id": uuid.uuid4().hex,
            "view": {**view, "state": {"values": values}},
        }
        _, answer = self._send(user_id, wire.interactive_body(payload), CHANNEL, show_reply=False)
        if answer.strip().startswith("{"):
            errors = json.loads(answer).get("errors") or {}
            for field, message in errors.items():
                self.say(f"  ✗ {field}: {self.plain(message)}")
            if errors:
                return
        self.views.pop(user_id, None)

    def _state_of(self, element: dict[str, Any], raw: str | None) -> dict[str, Any]:
        """What Slack sends for one input: the typed value, else what the form was opened with (a field
        the user does not touch keeps its prefilled value, as in Slack)."""
        kind = element["type"]
        if kind == "static_select":  # tier=A
            option = ({"value": raw, "text": {"type": "plain_text", "text": raw}} if raw
                      else element.get("initial_option"))
            return {"type": kind, "selected_option": option}
        if kind == "datepicker":  # next_contact=2026-12-01
            return {"type": kind, "selected_date": raw or element.get("initial_date")}
        if kind == "users_select":  # to=@bob
            return {"type": kind, "selected_user": self.user_id(raw.lstrip("@")) if raw else element.get("initial_user")}
        return {"type": kind, "value": raw if raw is not None else element.get("initial_value")}
    def post_lead(self, text: str) -> None:
        """``website name=Acme region=北京``: POST /leads/website with that source's token, as a form would."""
        source, _, fields_text = text.partition(" ")
        source = source.lower()
        fields = dict(part.split("=", 1) for part in shlex.split(fields_text) if "=" in part)
        token = self._intake.tokens.setdefault(source, secrets.token_urlsafe(24))
        self.say(f"\n▶ POST /leads/{source} {json.dumps(fields, ensure_ascii=False)}")
        seen = len(self.standin.calls)
        status, answer = wire.post(f"{self.base_url}/leads/{source}", json.dumps(fields, ensure_ascii=False),
                                   {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        self.say(f"  HTTP {status}: {answer}")
        if self._dispatcher is None:
            from bot.slack.delivery import Dispatcher

            self._dispatcher = Dispatcher(self._ctx)
        self._dispatcher.flush(max_seconds=5)
        for call in self.standin.calls[seen:]:
            self.show_call("", call)

    def open_home(self, user_id: str) -> None:
        """Open the user's App Home tab, as Slack does: an ``app_home_opened`` event."""
        event = {"type": "app_home_opened", "user": user_id, "channel": "D" + user_id[1:], "tab": "home",
                 "event_ts": f"{uuid.uuid4().int % 10**10}.000100"}
        self._home_shown = True  # this time print the whole tab, not just that it was refreshed
        try:
            self._send(user_id, wire.event_body(event, event_id="Ev" + uuid.uuid4().hex[:12]), CHANNEL,
                       show_reply=False)
        finally:
            self._home_shown = False

    # -- the wire
    def _send(self, user_id: str, body: str, channel: str, *, show_reply: bool = True) -> tuple[int, str]:
        seen = len(self.standin.calls)
        started = time.monotonic()
        status, answer = wire.post(self.url, body, wire.sign(body, self.secret))
        self.answer_times.append((self.line, time.monotonic() - started))
        from bot.app import lazy_work
        from bot.slack.delivery import Dispatcher

        # What the request does after its answer (lazy listeners: modals, replies, Home tabs), shown with it.
        lazy_work(self._app).wait_idle()
        # No scheduler here: deliver what the request left in the outbox (complaint notices) right away.
        if self._dispatcher is None:
            self._dispatcher = Dispatcher(self._ctx)
        self._dispatcher.flush(max_seconds=5)
        if status != 200:
            self.say(f"  ✗ HTTP {status}: {answer[:200]}")
        elif show_reply and answer.strip().startswith("{"):
            self.show_message(user_id, json.loads(answer), "(only you)", channel, None)
        for call in self.standin.calls[seen:]:
            self.show_call(user_id, call)
        return status, answer

    def show_call(self, user_id: str, call: ApiCall) -> None:
        p = call.params
        if call.method in QUIET_METHODS:
            return
        if call.method == "response_url":
            token = call.params.get("token") or ""
            label = "(only you, updated)" if p.get("replace_original") not in (False, "false") else "(only you)"
            self.show_message(user_id, p, label, CHANNEL, None, token)
        elif call.method in ("chat.postMessage", "chat.update"):
            channel = str(p.get("channel"))
            where = self.where(channel)
            verb = "updated" if call.method == "chat.update" else "→"
            ts = (call.response.get("ts") or p.get("ts")) if call.response else p.get("ts")
            self.show_message(self.owner_of(channel) or user_id, p, f"{verb} {where}", channel, ts)
        elif call.method == "chat.postEphemeral":
            self.show_message(str(p.get("user")), p, f"(only @{self.name(str(p.get('user')))})", str(p.get("channel")),
                              None)
        elif call.method in ("views.open", "views.push"):
            view = p.get("view") or {}
            self.views[user_id] = {**view, "id": (call.response.get("view") or {}).get("id")}
            self.show_view(view)
        elif call.method == "views.publish":
            self.say(f"  🏠 Home tab of @{self.name(str(p.get('user_id')))} updated")
            if not self._home_shown:
                return
            self.show_blocks(str(p.get("user_id")), (p.get("view") or {}).get("blocks") or [], "    ", CHANNEL, None,
                             uuid.uuid4().hex)
        else:
            self.say(f"  · {call.method}")

    def show_message(self, user_id: str, message: dict[str, Any], label: str, channel: str, ts: str | None,
                     token: str | None = None) -> None:
        blocks = message.get("blocks") or []
        self.say(f"  {label}")
        if not blocks:
            self.say("    " + self.plain(str(message.get("text", ""))).replace("\n", "\n    "))
            return
        self.show_blocks(user_id, blocks, "    ", channel, ts, token or uuid.uuid4().hex)

    def show_blocks(self, user_id: str, blocks: list[dict[str, Any]], indent: str, channel: str, ts: str | None,
                    token: str) -> None:
        for block in blocks:
            kind = block.get("type")
            if kind in ("section", "header"):
                if block.get("text"):
                    self.say(indent + self.plain(block["text"]["text"]).replace("\n", "\n" + indent))
                fields = [self.plain(f.get("text", "")).replace("\n", " ") for f in block.get("fields") or []]
                for left, right in zip(fields[::2], [*fields[1::2], ""], strict=False):  # two columns, as Slack
                    self.say(indent + (f"{left:<38}  {right}" if right else left))
                accessory = block.get("accessory")
                if accessory and accessory.get("type") == "button":
                    self.show_blocks(user_id, [{"type": "actions", "block_id": block.get("block_id", ""),
                                                "elements": [accessory]}], indent, channel, ts, token)
            elif kind == "context":
                parts = [self.plain(e.get("text", "")) if "text" in e else f"[{e.get('alt_text', 'image')}]"
                         for e in block.get("elements", [])]
                self.say(indent + " ".join(parts).replace("\n", "\n" + indent))
            elif kind == "image":
                self.say(indent + f"[image: {block.get('alt_text', '')}]")
            elif kind == "input":
                self.say(indent + f"{block.get('label', {}).get('text', '')}: …")
            elif kind == "actions":
                labels = []
                for element in block.get("elements", []):
                    if element.get("type") != "button":  # a menu: the console keeps its first choice
                        chosen = element.get("initial_option") or (element.get("options") or [{}])[0]
                        labels.append("▾ " + ((chosen.get("text") or {}).get("text") or ""))
                        continue
                    number = next(self.counter)
                    self.buttons[number] = Button(user_id, {k: element.get(k) for k in ("action_id", "value", "text")},
                                                  block.get("block_id", ""), channel, ts, token)
                    labels.append(f"[{number}] {element['text']['text']}")
                self.say(indent + "   ".join(labels))
            elif kind == "divider":
                self.say(indent + "─" * 20)

    def show_view(self, view: dict[str, Any]) -> None:
        self.say(f"  ▤ form “{view.get('title', {}).get('text', '')}” opened:")
        if not any(block.get("type") == "input" for block in view.get("blocks", [])):  # nothing to fill in
            self.show_blocks("", view.get("blocks", []), "    ", CHANNEL, None, uuid.uuid4().hex)
            return
        fields = [block for block in view.get("blocks", []) if block.get("type") == "input"]
        for block in fields:
            optional = "" if not block.get("optional") else " (optional)"
            self.say(f"    {block['block_id']}: {block['label']['text']}{optional}")
        example = " ".join(f"{block['block_id']}=…" for block in fields[:3])
        self.say(f"    fill it in with: @user submit {example}")

    # -- text
    def plain(self, text: str) -> str:
        text = re.sub(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + self.name(m.group(1)), text)
        text = re.sub(r"<#(C[A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "#" + m.group(1), text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def name(self, user_id: str) -> str:
        return USERS.get(user_id, {}).get("name", user_id)

    def owner_of(self, channel: str) -> str | None:
        if channel.startswith(("U", "W")):
            return channel
        if channel.startswith("D"):
            return "U" + channel[1:]
        return None

    def where(self, channel: str) -> str:
        owner = self.owner_of(channel)
        return f"DM to @{self.name(owner)}" if owner else f"#{channel}"

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def run_console(script: str | None = None, settings: Settings | None = None, out: TextIO = sys.stdout) -> int:
    console = Console(settings or Settings(), out).start()
    try:
        if script:
            lines = sys.stdin if script == "-" else Path(script).read_text(encoding="utf-8").splitlines()
            for line in lines:
                if not console.handle(line):
                    break
            return 0
        console.say("ClaimBot console — type `help`; users: "
                    + ", ".join("@" + u["name"] for u in USERS.values()) + "; `quit` to leave.")
        while True:
            try:
                line = input("> ")
            except EOFError:
                break
            if not console.handle(line):
                break
        return 0
    finally:
        console.stop()
