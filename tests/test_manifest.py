"""manifest.yml is valid against Slack's own schema and declares exactly what the app handles."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from bot.app import create_app
from bot.config import Settings
from bot.services.context import ServiceContext
from storage.engine import make_engine

ROOT = Path(__file__).resolve().parents[1]


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def test_manifest_validates_against_slacks_schema():
    schema = json.loads((ROOT / "docs/slack/manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(manifest())
    assert (ROOT / "docs/slack/manifest.schema.LICENSE").exists()


def test_manifest_commands_are_exactly_the_apps_commands(tmp_path):
    settings = Settings(slack_bot_token="xoxb-test", slack_signing_secret="secret",
                        database_url=f"sqlite:///{tmp_path}/m.db")
    app = create_app(ServiceContext(make_engine(settings.database_url), settings), token_verification=False)
    handled = set()
    for listener in app._listeners:
        for matcher in listener.matchers:
            closure = getattr(matcher, "func", None)
            cells = getattr(closure, "__closure__", None) or ()
            for cell in cells:
                value = cell.cell_contents
                if isinstance(value, str) and value.startswith("/"):
                    handled.add(value)
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert declared == handled
    assert all(c["should_escape"] for c in manifest()["features"]["slash_commands"])
    assert manifest()["settings"]["interactivity"]["is_enabled"] is True
    events = {_event_type(m) for listener in app._listeners for m in listener.matchers if hasattr(m, "func")}
    assert set(manifest()["settings"]["event_subscriptions"]["bot_events"]) == events - {None}
    assert manifest()["features"]["app_home"]["home_tab_enabled"] is True  # app_home_opened publishes it


def _event_type(matcher) -> str | None:
    """The event type a Bolt listener matcher was built for (``app.event("app_home_opened")``)."""
    if not matcher.func.__qualname__.startswith("event."):
        return None
    return next((c.cell_contents for c in matcher.func.__closure__ or () if isinstance(c.cell_contents, str)), None)


def test_doctor_checks_exactly_the_scopes_the_manifest_asks_for():
    from bot.slack.doctor import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(manifest()["oauth_config"]["scopes"]["bot"])
    from bot.console.standin import DEFAULT_SCOPES

    assert sorted(DEFAULT_SCOPES) == sorted(BOT_SCOPES)  # the stand-in is a workspace installed from the manifest
