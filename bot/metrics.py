"""What this process counts and logs (docs/decisions/0022): Prometheus metrics served at ``GET /metrics``,
and log lines as JSON with the id of the request they belong to (``CLAIMBOT_LOG_FORMAT=json``).

Every instance counts its own: Prometheus scrapes each instance's port, not the load balancer. The gauges
read from the database (outbox backlog, pool use, the name index) are collected at scrape time by
bot/services/health.py's ``StateCollector``. This module imports nothing of ClaimBot's, so every layer
may count.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # resident memory, CPU seconds, open files of this process
CONTENT_TYPE = CONTENT_TYPE_LATEST

_SLACK_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)  # Slack's limit: 3 s

REQUESTS = Histogram("claimbot_request_seconds", "HTTP requests to /slack/events by kind (a command, "
                     "block_actions, an event type …) and outcome (the HTTP status), and how long they took",
                     ["kind", "outcome"], buckets=_SLACK_LATENCY, registry=REGISTRY)
REFUSED = Counter("claimbot_requests_refused", "Requests refused before they were read (413: body over the "
                  "path's limit, 408: too slow)", ["status"], registry=REGISTRY)
CLAIMS = Counter("claimbot_claims", "/claim and the claim form, by outcome", ["outcome"], registry=REGISTRY)
DELIVERIES = Counter("claimbot_deliveries", "Outbox notices handled by delivery, by outcome",
                     ["outcome"], registry=REGISTRY)
DELIVERY_FAILURES = Counter("claimbot_delivery_failures", "Failed Slack Web API sends, by Slack's error "
                            "(or the exception's type)", ["error"], registry=REGISTRY)
JOBS = Histogram("claimbot_job_seconds", "Scheduled job runs by job and outcome, and how long they took",
                 ["job", "outcome"], buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800), registry=REGISTRY)

_watched: list[Collector] = []


def watch(collector: Collector) -> None:
    """Add a collector read at every scrape (once per process: a second one replaces the first)."""
    for old in _watched:
        REGISTRY.unregister(old)
    _watched[:] = [collector]
    REGISTRY.register(collector)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


def request_kind(body: Any) -> str:
    """A bounded label for what a Slack request is: ``/claim``, ``block_actions``, ``event:app_home_opened``."""
    if not isinstance(body, dict):
        return "other"
    if body.get("command"):
        return str(body["command"])[:32]
    if body.get("type") == "event_callback":
        return "event:" + str((body.get("event") or {}).get("type"))[:32]
    return str(body.get("type") or "other")[:32]


class Timer:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.started


# --- logs
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("claimbot_request_id", default=None)


def new_request_id(given: str | None) -> str:
    """The load balancer's X-Request-Id when it sent one (its log and ours then match), else a new one."""
    return (given or "")[:64] or uuid.uuid4().hex[:16]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id when in a request, and the
    traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int, log_format: str, stream: Any) -> None:
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
