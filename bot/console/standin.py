"""A local stand-in for Slack's Web API, for `claimbot console` and the tests.

It answers the methods ClaimBot calls the way Slack does (same envelope, same error names),
records every call, and can be told to fail the next calls (429 with Retry-After, or 5xx), to answer them
late (the call takes effect, the answer misses the client's time-out), or to answer slowly (``latency``:
every Web API method and response URL post waits that long, as Slack on a bad day).
Standard library only, so it runs anywhere the bot runs.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEAM_ID = "T0001"
TEAM_NAME = "Example"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0001"
APP_ID = "A123456"

# Fields that Slack accepts as JSON-encoded strings in form bodies.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "user_auth_blocks", "unfurls"})

# Users for manual runs (`python -m bot.console.standin` without --users).
SAMPLE_USERS: dict[str, dict[str, Any]] = {
    "U0ALICE": {"name": "alice", "real_name": "Alice Wang", "locale": "zh-CN", "tz": "Asia/Shanghai"},
    "U0BOB": {"name": "bob", "real_name": "Bob Li", "locale": "en-US", "tz": "Asia/Shanghai"},
    "U0MGR1": {"name": "carol", "real_name": "Carol Chen", "locale": "zh-CN", "tz": "Asia/Shanghai"},
    "U0MGR2": {"name": "dave", "real_name": "Dave Zhang", "locale": "en-US", "tz": "Asia/Shanghai"},
    "U0ADMIN": {"name": "admin", "real_name": "Admin", "locale": "en-US", "tz": "Asia/Shanghai"},
}

# The bot scopes of manifest.yml (tests/test_manifest.py keeps this equal to bot/slack/doctor.py's and the
# manifest's): a workspace where the app was installed from the manifest.
DEFAULT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "channels:history", "groups:history",
                  "im:history", "files:write", "channels:read", "groups:read", "users:read.email")

_STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 502: "bad_gateway", 503: "service_unavailable"}


@dataclass(frozen=True)
class ApiCall:
    """One recorded request. `method` is "response_url" for posts to a response URL."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    ok: bool = True
    response: dict[str, Any] = field(default_factory=dict)
    token: str | None = None


class SlackError(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": ...}`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class SlackStandIn:
    """Slack's Web API on 127.0.0.1, in a daemon thread. See the module docstring."""

    def __init__(
        self,
        users: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        port: int = 0,
        token: str | None = None,
        strict_messages: bool = False,
        on_call: Callable[[ApiCall], None] | None = None,
        latency: float = 0.0,
        scopes: list[str] | tuple[str, ...] | None = DEFAULT_SCOPES,
    ) -> None:
        """`token`: if given, other bearer tokens get `invalid_auth`. `strict_messages`: chat.update
        and chat.delete of a message the stand-in never posted answer `message_not_found`
        (off by default so tests may act on messages from sample payloads). `latency`: seconds every
        Web API call and response URL post takes before it is answered (see `set_latency`). `scopes`: the
        token's granted scopes, sent as Slack does in every Web API answer's ``x-oauth-scopes`` header
        (default: those manifest.yml asks for; None: no header)."""
        self.latency = latency
        self.scopes: list[str] | None = list(scopes) if scopes is not None else None
        self.clock_offset = 0.0  # seconds added to the Date header: a machine whose clock is off Slack's
        self._channels: dict[str, dict[str, Any]] = {}  # conversations.info: id → name, is_member, is_private
        self.users = {uid: dict(info) for uid, info in (users or {}).items()}
        self._port = port
        self._token = token
        self._strict_messages = strict_messages
        self._listeners: list[Callable[[ApiCall], None]] = [on_call] if on_call else []
        self._cond = threading.Condition(threading.RLock())
        self._calls: list[ApiCall] = []
        self._failures: dict[str, deque[tuple[int, int | None]]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._slow: dict[str, deque[float]] = {}
        self._refusing: dict[str, str] = {}  # channel → the error every post and update there gets
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._open_dms: set[str] = set()
        self._last_ts_us = 0
        self._view_ids = itertools.count(1)
        self._files: dict[str, dict[str, Any]] = {}  # file id → name, length, bytes, completed, channels
        self._file_ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.list": self._users_list,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.publish": self._views_publish,
            "views.update": self._views_update,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _RequestHandler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running; call start() first")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, in the form slack_sdk's `WebClient(base_url=...)` takes."""
        return f"{self.base_url}/api/"

    def response_url(self, token: str) -> str:
        """A loopback response URL; POSTs to it are recorded as method "response_url"."""
        return f"{self.base_url}/response/{token}"

    # -- recorded calls --------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        with self._cond:
            return list(self._calls)

    def calls_for(self, method: str, *, ok_only: bool = False) -> list[ApiCall]:
        with self._cond:
            return [c for c in self._calls if c.method == method and (c.ok or not ok_only)]

    def wait_for(self, predicate: Callable[[ApiCall], bool] | str, timeout: float = 5.0) -> ApiCall:
        """The first recorded call matching `predicate` (a callable, or a method name), waiting up to
        `timeout` seconds for it; TimeoutError lists what was recorded instead."""
        match = (lambda c: c.method == predicate) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self._calls:
                    if match(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = ", ".join(c.method for c in self._calls) or "nothing"
                    raise TimeoutError(f"no matching call within {timeout}s; recorded: {seen}")
                self._cond.wait(remaining)

    def clear(self) -> None:
        with self._cond:
            self._calls.clear()

    def subscribe(self, listener: Callable[[ApiCall], None]) -> None:
        """Call `listener(call)` for every call recorded from now on (from the server's threads)."""
        with self._cond:
            self._listeners.append(listener)

    # -- state a console or a test can look at ---------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages currently in `channel` (posted and not deleted, as last updated), oldest first."""
        with self._cond:
            stored = self._messages.get(channel, {})
            return [json.loads(json.dumps(stored[ts])) for ts in sorted(stored)]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._messages.get(channel, {}).get(ts)
            return json.loads(json.dumps(found)) if found is not None else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._views.get(view_id)
            return json.loads(json.dumps(found)) if found is not None else None

    def files(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Uploaded files (``data`` holds the bytes POSTed to the upload URL), oldest first; with
        ``channel``, only the completed ones shared there."""
        with self._cond:
            found = [dict(f, channels=list(f["channels"])) for f in self._files.values()]
        return [f for f in found if channel is None or channel in f["channels"]]

    def upload_url(self, file_id: str) -> str:
        """Where the bytes of a file go (files.getUploadURLExternal's upload_url): the stand-in itself."""
        return f"{self.base_url}/upload/{file_id}"

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The id conversations.open gives for a DM with `user_id` (U0ALICE -> D0ALICE)."""
        return "D" + user_id[1:]

    # -- extension and failure injection ---------------------------------------------------------

    def handle(self, method: str, handler: Handler) -> None:
        """Answer `method` with `handler(params) -> response fields` (raise SlackError to fail)."""
        with self._cond:
            self._handlers[method] = handler

    def set_latency(self, seconds: float) -> None:
        """From now on every Web API call and response URL post is answered after ``seconds`` (0: at once).
        The call is recorded when it is answered; a client that gave up earlier finds the line closed."""
        self.latency = max(0.0, float(seconds))

    def fail_next(self, method: str, status: int, retry_after: int | None = None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` ("*" for any, "response_url" for response URLs,
        "upload" for file bytes POSTed to an upload URL)
        with HTTP `status`: 429 carries Retry-After (default 1 s), 5xx carries it only if given."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend([(status, retry_after)] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` calls of `method` ("*" for any) that `fail_next` does not fail `seconds`
        late. The call takes effect first, as when Slack did the work and the answer is lost to a client's
        time-out."""
        with self._cond:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` take effect only after `seconds`, then answer: a send Slack is
        still completing when the client has given up on it."""
        with self._cond:
            self._slow.setdefault(method, deque()).extend([seconds] * times)

    def refuse_channel(self, channel: str, error: str = "not_in_channel") -> None:
        """From now on chat.postMessage and chat.update in `channel` answer `{"ok": false, "error": error}`
        (HTTP 200, as Slack does), e.g. a channel ClaimBot was never invited to. conversations.info of a refused
        channel says the bot is not a member."""
        with self._cond:
            self._refusing[channel] = error

    def add_channel(self, channel: str, name: str, *, member: bool = True, private: bool = False) -> None:
        """A channel conversations.info knows (others answer ``channel_not_found``), with or without the bot."""
        with self._cond:
            self._channels[channel] = {"id": channel, "name": name, "is_member": member, "is_private": private,
                                       "is_channel": not private, "is_group": private}

    def accept_channel(self, channel: str) -> None:
        """`channel` takes posts again (ClaimBot was invited)."""
        with self._cond:
            self._refusing.pop(channel, None)

    def _refused(self, params: dict[str, Any]) -> None:
        with self._cond:
            error = self._refusing.get(_str(params.get("channel")))
        if error:
            raise SlackError(error)

    def _take_delay(self, method: str, queues: dict[str, deque[float]] | None = None) -> float:
        queues = self._delays if queues is None else queues
        with self._cond:
            for key in (method, "*"):
                queue = queues.get(key)
                if queue:
                    return queue.popleft()
        return 0.0

    # -- request handling (called from the server threads) ---------------------------------------

    def _dispatch(
        self, method: str, params: dict[str, Any], auth_header: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        token = _bearer(auth_header) or _str(params.pop("token", None)) or None
        pause = self._take_delay(method, self._slow)
        if pause:
            time.sleep(pause)  # Slack still at work on it
        status, body, headers = 200, {}, {}
        failure = self._take_failure(method)
        if failure is not None:
            status, retry_after = failure
            body = {"ok": False, "error": _STATUS_ERRORS.get(status, "internal_error")}
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
        elif token is None:
            body = {"ok": False, "error": "not_authed"}
        elif self._token is not None and token != self._token:
            body = {"ok": False, "error": "invalid_auth"}
        else:
            with self._cond:
                handler = self._handlers.get(method)
            try:
                if handler is None:
                    raise SlackError("unknown_method")
                body = {"ok": True, **handler(params)}
            except SlackError as e:
                body = {"ok": False, "error": e.error}
        self._record(ApiCall(method, params, time.time(), status, bool(body.get("ok")), body, token))
        delay = self._take_delay(method) if failure is None else 0.0  # a failure answers at once
        if delay:
            time.sleep(delay)
        return status, body, headers

    def _dispatch_upload(self, file_id: str, data: bytes) -> tuple[int, bytes]:
        """The upload URL: Slack answers 200 with plain text; bytes for an unknown file get a 404."""
        failure = self._take_failure("upload")
        with self._cond:
            known = file_id in self._files and not self._files[file_id]["completed"]
            if failure is None and known:
                self._files[file_id]["data"] = data
        status = failure[0] if failure else 200 if known else 404
        self._record(ApiCall("upload", {"file_id": file_id, "length": len(data)}, time.time(), status, status == 200))
        return status, (f"OK - {len(data)}" if status == 200 else "error").encode()

    def _dispatch_response_url(self, token: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict]:
        params = {**params, "token": token}
        status = 200
        body: dict[str, Any] = {"ok": True}
        headers: dict[str, str] = {}
        failure = self._take_failure("response_url")
        if failure is not None:
            status, retry_after = failure
            body = {"ok": False, "error": _STATUS_ERRORS.get(status, "internal_error")}
            if retry_after is not None:
                headers["Retry-After"] = str(retry_after)
        self._record(ApiCall("response_url", params, time.time(), status, status == 200, body, token))
        return status, body, headers

    def _take_failure(self, method: str) -> tuple[int, int | None] | None:
        with self._cond:
            for key in (method, "*"):
                queue = self._failures.get(key)
                if queue:
                    return queue.popleft()
        return None

    def _record(self, call: ApiCall) -> None:
        with self._cond:
            self._calls.append(call)
            listeners = list(self._listeners)
            self._cond.notify_all()
        for listener in listeners:
            listener(call)

    def _next_ts(self) -> str:
        with self._cond:
            now_us = int(time.time() * 1_000_000)
            self._last_ts_us = max(now_us, self._last_ts_us + 1)
            return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    # -- methods ----------------------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://example.slack.com/",
            "team": TEAM_NAME,
            "user": "claimbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel given to ``add_channel`` as it was given; any other C…/G… id is a channel the bot is in
        (as posts to it succeed) unless ``refuse_channel`` refused it; anything else is not found."""
        channel = _str(params.get("channel"))
        with self._cond:
            found = self._channels.get(channel)
            refused = channel in self._refusing
        if found is None:
            if channel[:1] not in ("C", "G") or not channel[1:].isalnum():
                raise SlackError("channel_not_found")
            found = {"id": channel, "name": channel.lower(), "is_member": True, "is_private": channel[0] == "G",
                     "is_channel": channel[0] == "C", "is_group": channel[0] == "G"}
        return {"channel": {**found, "is_member": found["is_member"] and not refused}}
    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: ``users_not_found`` for an address nobody has; a deactivated user is returned (deleted)."""
        email = _str(params.get("email")).strip().casefold()
        if not email:
            raise SlackError("invalid_arguments")
        for user_id, info in self.users.items():
            if self._user(user_id, info)["profile"]["email"].casefold() == email:
                return {"user": self._user(user_id, info)}
        raise SlackError("users_not_found")

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Paged like Slack: ``limit`` members a page, ``response_metadata.next_cursor`` empty on the last."""
        limit = max(1, min(int(_str(params.get("limit")) or 0) or 1000, 1000))
        start = int(_str(params.get("cursor")).removeprefix("dXNlcjo") or 0)
        ids = sorted(self.users)
        page = ids[start:start + limit]
        more = start + limit < len(ids)
        return {"members": [self._user(uid, self.users[uid]) for uid in page], "cache_ts": 0,
                "response_metadata": {"next_cursor": f"dXNlcjo{start + limit}" if more else ""}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _str(params.get("user"))
        info = self.users.get(user_id)
        if info is None:
            raise SlackError("user_not_found")
        user = self._user(user_id, info)
        # Like Slack: the locale comes back only when asked for.
        if _truthy(params.get("include_locale")):
            user["locale"] = info.get("locale", "en-US")
        return {"user": user}

    def _user(self, user_id: str, info: Mapping[str, Any]) -> dict[str, Any]:
        tz_name = info.get("tz", "Asia/Shanghai")
        tz_label, tz_offset = _tz_details(tz_name)
        name = info.get("name", user_id.lower())
        real_name = info.get("real_name", name)
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": bool(info.get("deleted", False)),
            "real_name": real_name,
            "tz": tz_name,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_admin": bool(info.get("is_admin", False)),
            "is_bot": bool(info.get("is_bot", False)),
            "profile": {
                "real_name": real_name,
                "display_name": info.get("display_name", name),
                "email": info.get("email", f"{name}@example.com"),
                "status_text": "",
                "status_emoji": "",
                "status_expiration": 0,
            },
        }
        return user

    def _resolve_channel(self, channel: Any) -> str:
        channel = _str(channel)
        if not channel:
            raise SlackError("channel_not_found")
        # Posting to a user id posts to the DM with that user.
        return self.dm_channel(channel) if channel[0] in "UW" else channel

    def _message_fields(self, params: dict[str, Any]) -> dict[str, Any]:
        return {k: params[k] for k in ("text", "blocks", "attachments", "metadata") if k in params}

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self._refused(params)
        channel = self._resolve_channel(params.get("channel"))
        fields = self._message_fields(params)
        if not any(fields.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": fields.pop("text", ""),
            "ts": ts,
            **fields,
        }
        if params.get("thread_ts"):
            message["thread_ts"] = _str(params["thread_ts"])
        with self._cond:
            self._messages.setdefault(channel, {})[ts] = message
        return {"channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        if not params.get("user"):
            raise SlackError("user_not_found")
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        return {"message_ts": self._next_ts(), "channel": channel}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        self._refused(params)
        channel = self._resolve_channel(params.get("channel"))
        ts = _str(params.get("ts"))
        if not ts:
            raise SlackError("message_not_found")
        fields = self._message_fields(params)
        with self._cond:
            stored = self._messages.setdefault(channel, {})
            message = stored.get(ts)
            if message is None:
                if self._strict_messages:
                    raise SlackError("message_not_found")
                message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
                stored[ts] = message
            message.update(fields, edited={"user": BOT_USER_ID, "ts": self._next_ts()})
            message.setdefault("text", "")
            snapshot = json.loads(json.dumps(message))
        return {"channel": channel, "ts": ts, "text": snapshot["text"], "message": snapshot}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        ts = _str(params.get("ts"))
        with self._cond:
            removed = self._messages.get(channel, {}).pop(ts, None)
        if removed is None and (self._strict_messages or not ts):
            raise SlackError("message_not_found")
        return {"channel": channel, "ts": ts}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": _str(params["channel"])}, "no_op": True, "already_open": True}
        users = [u.strip() for u in _str(params.get("users")).split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) == 1:
            channel_id = self.dm_channel(users[0])
        else:
            channel_id = "G" + hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:10].upper()
        with self._cond:
            already = channel_id in self._open_dms
            self._open_dms.add(channel_id)
        result: dict[str, Any] = {"channel": {"id": channel_id}}
        if already:
            result.update(no_op=True, already_open=True)
        return result

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, like Slack; `metadata` only with include_all_metadata, `oldest` exclusive."""
        channel = self._resolve_channel(params.get("channel"))
        oldest = float(_str(params.get("oldest")) or 0)
        limit = int(_str(params.get("limit")) or 100)
        with_metadata = _truthy(params.get("include_all_metadata"))
        with self._cond:
            stored = self._messages.get(channel, {})
            found = [json.loads(json.dumps(stored[ts])) for ts in sorted(stored, reverse=True) if float(ts) > oldest]
        if not with_metadata:
            for message in found:
                message.pop("metadata", None)
        return {"messages": found[:limit], "has_more": len(found) > limit}

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent and replies, oldest first, like Slack; `metadata` only with include_all_metadata."""
        channel = self._resolve_channel(params.get("channel"))
        ts = _str(params.get("ts"))
        with self._cond:
            stored = self._messages.get(channel, {})
            if ts not in stored:
                raise SlackError("thread_not_found")
            found = [json.loads(json.dumps(stored[t])) for t in sorted(stored)
                     if t == ts or stored[t].get("thread_ts") == ts]
        if not _truthy(params.get("include_all_metadata")):
            for message in found:
                message.pop("metadata", None)
        return {"messages": found, "has_more": False}

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = _str(params.get("filename")), _str(params.get("length"))
        if not filename or not length.isdigit():
            raise SlackError("invalid_arguments")
        with self._cond:
            file_id = f"F{next(self._file_ids):010d}"
            self._files[file_id] = {"id": file_id, "name": filename, "length": int(length), "data": None,
                                    "alt_txt": _str(params.get("alt_txt")), "title": filename,
                                    "completed": False, "channels": []}
        return {"upload_url": self.upload_url(file_id), "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        """Shares the files into ``channel_id`` (or ``channels``) as one message with ``initial_comment``,
        the way Slack shows an upload in conversations.history. A file whose bytes never arrived, or that
        was completed before, answers ``file_not_found``."""
        try:
            wanted = json.loads(_str(params.get("files")))
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not isinstance(wanted, list) or not wanted or not all(isinstance(f, dict) and f.get("id") for f in wanted):
            raise SlackError("invalid_arguments")
        channels = [c.strip() for c in (_str(params.get("channel_id")) or _str(params.get("channels"))).split(",")
                    if c.strip()]
        with self._cond:
            stored = [self._files.get(_str(f["id"])) for f in wanted]
            if any(f is None or f["completed"] or f["data"] is None for f in stored):
                raise SlackError("file_not_found")
            shared = []
            for entry, file in zip(wanted, stored, strict=True):
                assert file is not None
                file.update(completed=True, channels=[self._resolve_channel(c) for c in channels],
                            title=_str(entry.get("title")) or file["name"])
                shared.append({"id": file["id"], "name": file["name"], "title": file["title"],
                               "mimetype": _mimetype(file["name"]), "size": len(file["data"]),
                               "alt_txt": file["alt_txt"]})
            for channel in channels:
                ts = self._next_ts()
                message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID,
                           "team": TEAM_ID, "text": _str(params.get("initial_comment")), "ts": ts,
                           "files": shared, "upload": True, "display_as_bot": False}
                if params.get("thread_ts"):
                    message["thread_ts"] = _str(params["thread_ts"])
                self._messages.setdefault(self._resolve_channel(channel), {})[ts] = message
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shared]}

    def _store_view(self, view: Any, view_id: str | None = None, **extra: Any) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        with self._cond:
            view_id = view_id or f"V{next(self._view_ids):08d}"
            previous = self._views.get(view_id, {})
            stored = {
                "id": view_id,
                "team_id": TEAM_ID,
                "type": view.get("type", "modal"),
                "blocks": view.get("blocks", []),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "state": {"values": {}},
                "hash": f"{self._next_ts()}.standin",
                "title": view.get("title"),
                "close": view.get("close"),
                "submit": view.get("submit"),
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "external_id": view.get("external_id", previous.get("external_id", "")),
                "previous_view_id": previous.get("previous_view_id"),
                "root_view_id": previous.get("root_view_id", view_id),
                "app_id": APP_ID,
                "app_installed_team_id": TEAM_ID,
                "bot_id": BOT_ID,
                **extra,
            }
            self._views[view_id] = stored
            return json.loads(json.dumps(stored))

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            raise SlackError("invalid_arguments")
        return {"view": self._store_view(params.get("view"))}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _str(params.get("user_id"))
        if not user_id:
            raise SlackError("invalid_arguments")
        view = params.get("view")
        if isinstance(view, dict) and view.get("type") != "home":
            raise SlackError("invalid_arguments")
        with self._cond:
            view_id = self._home_views.setdefault(user_id, f"V{next(self._view_ids):08d}")
        return {"view": self._store_view(view, view_id)}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = _str(params.get("view_id"))
        external_id = _str(params.get("external_id"))
        with self._cond:
            if not view_id and external_id:
                view_id = next((v for v, s in self._views.items() if s["external_id"] == external_id), "")
            if view_id not in self._views:
                raise SlackError("not_found")
            current_hash = self._views[view_id]["hash"]
        if params.get("hash") and _str(params["hash"]) != current_hash:
            raise SlackError("hash_conflict")
        return {"view": self._store_view(params.get("view"), view_id)}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent calls must not overflow the listen backlog
    standin: SlackStandIn


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SlackStandIn/1"

    def do_GET(self) -> None:
        self._serve(body=b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(body=self.rfile.read(length) if length else b"")

    def _serve(self, body: bytes) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/upload/") and self.command == "POST":  # raw file bytes, not a form
            status, text = self.server.standin._dispatch_upload(url.path[len("/upload/"):], body)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        params.update(_parse_body(body, self.headers.get("Content-Type", "")))
        params = _decode_json_fields(params)
        standin = self.server.standin
        if standin.latency > 0 and (url.path.startswith("/api/") or url.path.startswith("/response/")):
            time.sleep(standin.latency)
        if url.path.startswith("/api/") and len(url.path) > len("/api/"):
            method = url.path[len("/api/") :]
            status, response, headers = standin._dispatch(method, params, self.headers.get("Authorization"))
            if standin.scopes is not None:
                headers = {**headers, "x-oauth-scopes": ",".join(standin.scopes)}
        elif url.path.startswith("/response/") and self.command == "POST":
            token = url.path[len("/response/") :]
            status, response, headers = standin._dispatch_response_url(token, params)
        else:
            status, response, headers = 404, {"ok": False, "error": "not_found"}, {}
        payload = json.dumps(response, ensure_ascii=False).encode("utf-8")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client timed out meanwhile
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    def date_time_string(self, timestamp: float | None = None) -> str:  # the Date header, off by clock_offset
        return super().date_time_string((time.time() if timestamp is None else timestamp)
                                        + self.server.standin.clock_offset)

    def log_message(self, format: str, *args: Any) -> None:  # the recorded calls are the log
        pass


def _parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type.lower() or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"_raw": text}
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    if "multipart/" in content_type.lower():
        return {"_raw": text}
    form = dict(parse_qsl(text, keep_blank_values=True))
    # Interactive-style bodies (`payload=<json>`), e.g. a response URL used like a webhook.
    if set(form) == {"payload"}:
        try:
            parsed = json.loads(form["payload"])
        except ValueError:
            return form
        if isinstance(parsed, dict):
            return parsed
    return form


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(params)
    for key in JSON_FIELDS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(value)
    return decoded


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[len("bearer ") :].strip() or None
    return None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _mimetype(filename: str) -> str:
    return {"png": "image/png", "jpg": "image/jpeg", "csv": "text/csv"}.get(filename.rsplit(".", 1)[-1].lower(),
                                                                          "application/octet-stream")


def _truthy(value: Any) -> bool:
    return value is True or _str(value).lower() in ("1", "true", "yes")


def _tz_details(tz_name: str) -> tuple[str, int]:
    try:
        now = datetime.now(ZoneInfo(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        return tz_name, 0
    offset = now.utcoffset()
    return now.tzname() or tz_name, int(offset.total_seconds()) if offset else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.console.standin",
        description="Run the local Slack Web API stand-in; prints its API URL, then one JSON line per call.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--users", help="JSON file {user_id: {name, real_name, locale, tz}} (default: samples)"
    )
    parser.add_argument("--token", help="the only bot token to accept (default: any)")
    args = parser.parse_args(argv)

    users = SAMPLE_USERS
    if args.users:
        with open(args.users, encoding="utf-8") as f:
            users = json.load(f)
    lock = threading.Lock()

    def print_call(call: ApiCall) -> None:
        line = {
            "method": call.method,
            "params": call.params,
            "at": call.at,
            "status": call.status,
            "ok": call.ok,
        }
        with lock:
            print(json.dumps(line, ensure_ascii=False, default=str), flush=True)

    standin = SlackStandIn(users, port=args.port, token=args.token, on_call=print_call).start()
    print(standin.api_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
