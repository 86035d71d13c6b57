"""The floor of bench/bench_claim_http.py: ClaimBot's HTTP stack whose `/claim` listener only acks.

    .venv/bin/python bench/ack_app.py --port 3001

Everything a `/claim` request goes through in `claimbot serve` except ClaimBot itself: waitress via
``bot.server.make_server`` (same thread count), ``SlackWsgiApp``, and a Bolt ``App`` built the way
``bot.app.create_app`` builds it (same Web API client settings, signing secret, token verification,
``process_before_response=True``). Reads SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.config import Settings
from bot.server import make_server
from bot.slack.client import WEB_API_TIMEOUT_S


def create_ack_app(settings: Settings) -> App:
    client = WebClient(  # as bot.slack.client.make_client
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_S,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        token_verification_enabled=True,
        process_before_response=True,
    )

    @app.command("/claim")
    def claim_command(ack: Ack) -> None:
        ack()

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--threads", type=int, default=16)  # claimbot serve's default
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    settings = Settings()
    if not settings.slack_signing_secret or not settings.slack_bot_token:
        raise SystemExit("SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN must be set.")
    server = make_server(create_ack_app(settings), args.host, args.port, threads=args.threads)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
