"""The weekly installation check: `claimbot doctor`'s checks, and a DM to each admin when one fails."""

from __future__ import annotations

from datetime import date, datetime

from bot.results.doctor import failed
from bot.rules import weeks
from bot.services import checks as doctor_checks
from bot.services import jobruns
from bot.services.context import ServiceContext
from bot.slack import doctor


def slot(day_local: date) -> str:
    return weeks.label(day_local)


def run(ctx: ServiceContext, now: datetime) -> str:
    week = slot(ctx.today(now))
    with jobruns.slot(ctx, "doctor", week, now) as record:
        checks = doctor.run(ctx, now)
        bad = failed(checks)
        if not bad:
            record.summary = f"doctor {week}: all {len(checks)} checks passed"
        else:
            told = doctor_checks.report_to_admins(ctx, checks, now)
            names = ", ".join(sorted({c.key for c in bad}))
            record.summary = f"doctor {week}: {len(bad)} failed ({names}); {told} admin DMs decided"
    return record.summary
