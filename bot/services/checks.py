"""The checks of `claimbot doctor` that need no Slack: the config, the database's schema, the calendar
(docs/decisions/0021). ``bot/slack/doctor.py`` adds the Slack checks; the weekly report goes through the
outbox from here."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.calendars import needed_uncovered_years
from bot.results.doctor import Check, CheckStatus
from bot.rules import weeks
from bot.services import outbox
from bot.services.context import ServiceContext, team_calendar
from storage import migrate
from storage.engine import write_session


def config_checks(ctx: ServiceContext) -> list[Check]:
    s = ctx.settings
    file = os.environ.get("CLAIMBOT_CONFIG")
    if file and not Path(file).is_file():  # the settings loader would go on without it, silently
        checks = [Check("config", CheckStatus.FAIL, {"file": file}, problem="missing_file")]
    else:
        checks = [Check("config", CheckStatus.OK, {"source": file or "defaults and the environment (no CLAIMBOT_CONFIG)"})]
    if not s.slack_bot_token:
        checks.append(Check("token", CheckStatus.FAIL, problem="unset"))
    if not s.slack_signing_secret and not s.slack_app_token:
        checks.append(Check("signing", CheckStatus.FAIL, problem="unset"))
    if not s.team.admins:
        checks.append(Check("admins", CheckStatus.WARN, problem="none"))
    return checks


def database_check(ctx: ServiceContext) -> Check:
    url = ctx.engine.url.render_as_string(hide_password=True)
    try:
        current = migrate.current_revision(ctx.engine)
    except SQLAlchemyError as bad:
        return Check("database", CheckStatus.FAIL, {"url": url, "error": str(bad).splitlines()[0]}, problem="unreachable")
    head = migrate.head_revision(ctx.settings.database_url)
    if current != head:
        return Check("database", CheckStatus.FAIL, {"url": url, "current": current or "none", "head": head},
                     problem="behind")
    return Check("database", CheckStatus.OK, {"url": url, "head": head})


def calendar_check(ctx: ServiceContext, today: date) -> Check:
    """This year's and next year's working days: where they come from; a needed year no source has fails."""
    if ctx.settings.claims.count != "working_days":
        return Check("calendar", CheckStatus.OK, problem="calendar_days")
    calendar = team_calendar(ctx.settings)
    sources = {str(y): calendar.source(y) or "—" for y in (today.year, today.year + 1)}
    missing = needed_uncovered_years(calendar, today)
    if missing:
        return Check("calendar", CheckStatus.FAIL, {"years": ", ".join(map(str, missing)), "sources": sources},
                     problem="uncovered")
    return Check("calendar", CheckStatus.OK, {"sources": sources})


def local_checks(ctx: ServiceContext, now: datetime) -> list[Check]:
    return [*config_checks(ctx), database_check(ctx), calendar_check(ctx, ctx.today(now))]


def report_to_admins(ctx: ServiceContext, checks: list[Check], now: datetime) -> int:
    """The weekly doctor DM: each admin once per ISO week, only when a check failed. How many were added."""
    bad = [c.to_data() for c in checks if c.status is CheckStatus.FAIL]
    if not bad:
        return 0
    week = weeks.label(ctx.today(now))
    data: dict[str, Any] = {"week": week, "checks": bad}
    with write_session(ctx.engine) as session:
        return sum(outbox.enqueue(session, key=f"doctor:{week}:{admin}", channel=admin, kind="doctor", data=data,
                                  now=now) for admin in ctx.settings.team.admins)
