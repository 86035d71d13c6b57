"""APScheduler 3 inside `claimbot run`/`serve` (unless --no-scheduler) or alone as `claimbot scheduler`.

Every process runs every job; the database decides what is sent (see bot/services/outbox.py), so
several instances post once. A process that starts after a daily job's time (a weekly job's: that
week's day and time) runs the missed slot.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.jobs import Job, registry
from bot.metrics import JOBS, Timer
from bot.services import jobruns
from bot.services.context import ServiceContext
from bot.slack.delivery import Dispatcher

log = logging.getLogger(__name__)


def run_job(ctx: ServiceContext, job: Job, now: datetime | None = None) -> str:
    timer = Timer()
    try:
        summary = job.run(ctx, now or datetime.now(UTC))
        log.info("job %s: %s", job.name, summary)
        JOBS.labels(job.name, "ok").observe(timer.seconds())
        return summary
    except Exception:
        log.exception("job %s failed", job.name)
        JOBS.labels(job.name, "failed").observe(timer.seconds())
        return "failed"


def deliver(ctx: ServiceContext, dispatcher: Dispatcher) -> None:
    """The outbox job: what is due, for at most one interval."""
    timer = Timer()
    outcome = "failed"
    try:
        dispatcher.flush(max_seconds=ctx.settings.schedule.outbox_every_seconds * 0.9, wait_for_retries=False)
        outcome = "ok"
    finally:
        JOBS.labels("outbox", outcome).observe(timer.seconds())


def build(ctx: ServiceContext) -> BackgroundScheduler:
    tz = ZoneInfo(ctx.settings.team.timezone)
    scheduler = BackgroundScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 6 * 3600})
    for job in registry(ctx).values():
        if job.at:
            hour, minute = (int(x) for x in job.at.split(":"))
            trigger = CronTrigger(day_of_week=job.weekday or "*", hour=hour, minute=minute, timezone=tz)
        else:
            trigger = IntervalTrigger(seconds=job.every_seconds or 60, timezone=tz)
        scheduler.add_job(run_job, trigger, args=[ctx, job], id=job.name, name=job.name)
    dispatcher = Dispatcher(ctx)
    scheduler.add_job(deliver, IntervalTrigger(seconds=ctx.settings.schedule.outbox_every_seconds, timezone=tz),
                      args=[ctx, dispatcher], id="outbox", name="outbox")
    return scheduler


def catch_up(ctx: ServiceContext, now: datetime | None = None) -> list[str]:
    """Daily jobs whose time has passed today (weekly ones: this week) with no finished run: run them now."""
    now = now or datetime.now(UTC)
    local = now.astimezone(ZoneInfo(ctx.settings.team.timezone))
    ran = []
    for job in registry(ctx).values():
        if job.time_passed(local) and not jobruns.finished(ctx, job.name, job.slot(local.date())):
            run_job(ctx, job, now)
            ran.append(job.name)
    return ran


def start(ctx: ServiceContext) -> BackgroundScheduler:
    scheduler = build(ctx)
    scheduler.start()
    scheduler.add_job(catch_up, args=[ctx], id="catch_up", name="catch up")  # once, now, in the background
    return scheduler
