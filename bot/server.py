"""HTTP mode: one Request URL (/slack/events) for commands, interactivity and events, plus /healthz and
/metrics (Prometheus) and POST /leads (bot/intake.py).

Served by waitress, a production WSGI server that needs no compiler and runs anywhere Python does.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

from bot import metrics
from bot.config import ServerSettings
from bot.http_limits import channel_class, waitress_adjustments
from bot.intake import LeadIntake, is_leads_path
from bot.services.context import ServiceContext
from bot.services.health import database_problem

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


def bolt_request(body: str, query: str | None, headers: dict) -> BoltRequest:
    """A BoltRequest whose form body is parsed by its keys.

    slack-bolt 1.30 treats any form body containing the text ``payload`` as an interactivity payload,
    so ``/claim payload systems`` would be lost. Slash commands have no ``payload`` key: parse again —
    only then (Bolt found nothing), not for every button click, whose ``payload`` Bolt parsed right.
    """
    request = BoltRequest(body=body, query=query, headers=headers)
    if not request.body and body and not body.lstrip().startswith("{") and "payload" in body:
        fields = dict(parse_qsl(body, keep_blank_values=True))
        request.body = json.loads(fields["payload"]) if "payload" in fields else fields
        request.context = build_context(request.context, request.body)  # who asked, where to answer
    return request


class Health:
    """What ``GET /healthz`` reports: the database and the scheduler of this instance.

    503 only for what is wrong with this instance itself — its scheduler should run and has stopped — so a
    load balancer takes it out. A database every instance shares being away is reported ("degraded") but
    answered 200: taking every instance out would leave Slack with the balancer's bare 503, while an
    instance tells each user in their language to try again in a moment (docs/decisions/0022)."""

    def __init__(self, ctx: ServiceContext | None = None, scheduler_running: Callable[[], bool] | None = None):
        self.ctx = ctx
        self.scheduler_running = scheduler_running

    def __call__(self) -> tuple[int, dict[str, str]]:
        report = {"status": "ok", "database": "ok" if self.ctx else "not checked", "scheduler": "off"}
        if self.ctx is not None and (problem := database_problem(self.ctx)):
            report |= {"status": "degraded", "database": f"unreachable: {problem}"}
        if self.scheduler_running is not None:
            report["scheduler"] = "running" if self.scheduler_running() else "stopped"
            if report["scheduler"] == "stopped":
                report["status"] = "failing"
        return (503 if report["status"] == "failing" else 200), report


class SlackWsgiApp:
    def __init__(self, app: App, health: Health | None = None, intake: LeadIntake | None = None):
        self.app = app
        self.health = health or Health()
        self.intake = intake  # POST /leads (bot/intake.py); None: not served

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.intake is not None and is_leads_path(str(environ.get("PATH_INFO") or "")):
            return self.intake(environ, start_response)  # its own size check comes before the body is read
        request = WsgiHttpRequest(environ)
        request_id = metrics.new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = metrics.REQUEST_ID.set(request_id)  # on every log line of this request (JSON logs)
        try:
            if request.method == "GET" and request.path == HEALTH_PATH:
                status, report = self.health()
                response = WsgiHttpResponse(status=status, headers={"content-type": ["application/json"]},
                                            body=json.dumps(report))
            elif request.method == "GET" and request.path == METRICS_PATH:
                response = WsgiHttpResponse(status=200, headers={"content-type": [metrics.CONTENT_TYPE]},
                                            body=metrics.exposition().decode())
            elif request.method == "POST" and request.path == EVENTS_PATH:
                response = self._slack(request)
            else:
                response = WsgiHttpResponse(status=404, headers={"content-type": ["text/plain"]}, body="Not Found")
        finally:
            metrics.REQUEST_ID.reset(token)
        headers = [*response.get_headers(), ("X-Request-Id", request_id)]
        start_response(response.status, headers)
        return response.get_body()

    def _slack(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        timer = metrics.Timer()
        bolt_in = bolt_request(request.get_body(), request.query_string, request.get_headers())
        bolt = self.app.dispatch(bolt_in)
        # What a forged request says it is stays out of the labels (unbounded); the status tells it apart.
        kind = metrics.request_kind(bolt_in.body) if bolt.status != 401 else "unverified"
        seconds = timer.seconds()
        metrics.REQUESTS.labels(kind, str(bolt.status)).observe(seconds)
        log.info("%s %s %.1f ms", kind, bolt.status, seconds * 1000)
        return WsgiHttpResponse(status=bolt.status, headers=bolt.headers, body=bolt.body)


def make_server(app: App, host: str, port: int, threads: int = 16, *, limits: ServerSettings | None = None,
                health: Health | None = None, intake: LeadIntake | None = None,
                socket_map: dict[int, Any] | None = None) -> MultiSocketServer | BaseWSGIServer:
    """One server for one address; several (a host name with an IPv4 and an IPv6 address) for more.
    Every connection is parsed under ``limits`` (bot/http_limits.py)."""
    from waitress.server import BaseWSGIServer, create_server

    limits = limits or ServerSettings()
    socket_map = {} if socket_map is None else socket_map
    server = create_server(SlackWsgiApp(app, health, intake), map=socket_map, host=host, port=port, threads=threads,
                           ident="claimbot", **waitress_adjustments(limits))
    for listener in list(socket_map.values()):  # the listening sockets (one per address)
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel_class(limits)  # this server's connections, not waitress's default
    return server


class BackgroundServer:
    """The same server in a thread of this process (for the console), stopped cleanly."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0, threads: int = 4,
                 intake: LeadIntake | None = None):
        from waitress.server import BaseWSGIServer

        self.app = app
        self._map: dict[int, Any] = {}  # waitress's socket map, which the loop in _run serves
        server = make_server(app, host, port, threads=threads, socket_map=self._map, intake=intake)
        if not isinstance(server, BaseWSGIServer):
            raise ValueError(f"{host} is more than one address: give one (127.0.0.1 by default)")
        self.server = server
        self._port = int(server.getsockname()[1])  # what waitress reads as effective_port, bound just now
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="claimbot-http")

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.server.asyncore.loop(timeout=0.1, map=self._map, count=1)
        self.server.close()

    def stop(self) -> None:
        # Worker threads first, while the loop still runs: a worker that has just answered wakes the
        # loop through its trigger, which must not be closed under it.
        self.server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        self._stopping.set()
        self._thread.join(timeout=5)
        from bot.app import lazy_work

        lazy_work(self.app).stop()  # the work after the last answers goes out before the stand-in stops
