"""`claimbot`: the one command-line entry point (PRODUCT 5)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.bootstrap import context, ensure_schema, load_name_index, start_up
from bot.config import Settings
from bot.metrics import configure_logging
from bot.services.context import ServiceContext
from storage import migrate

if TYPE_CHECKING:
    from bot.results.importer import RowOutcome

log = logging.getLogger("claimbot")
EXPORT_FIELDS = ("id", "name", "owner", "status", "tier", "stage", "protected_until", "followups", "uscc",
                 "domain", "phone", "region", "industry", "amount", "created_at")


def cmd_serve(args: argparse.Namespace) -> int:
    from bot import metrics
    from bot.app import create_app, lazy_work
    from bot.server import Health, make_server
    from bot.services.health import StateCollector

    ctx = context()
    start_up(ctx)
    load_name_index(ctx)
    app = create_app(ctx)
    jobs = None
    if not args.no_scheduler:
        from bot import scheduler

        jobs = scheduler.start(ctx)
    health = Health(ctx, (lambda: jobs.running) if jobs is not None else None)
    metrics.watch(StateCollector(ctx))
    server = make_server(app, args.host, args.port, threads=args.threads, limits=ctx.settings.server, health=health)
    log.info("ClaimBot listening on http://%s:%s/slack/events", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    lazy_work(app).stop()  # the work after the last answers (modals, replies, Home tabs) goes out first
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    ctx = context()
    if not ctx.settings.slack_app_token:
        return cmd_serve(args)
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    start_up(ctx)
    load_name_index(ctx)
    if not args.no_scheduler:
        from bot import scheduler

        scheduler.start(ctx)
    SocketModeHandler(create_app(ctx), ctx.settings.slack_app_token).start()
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from bot.console.session import run_console

    return run_console(script=args.script)


def cmd_db(args: argparse.Namespace) -> int:
    settings = Settings()
    migrate.upgrade(settings.database_url)
    print(f"database is at revision {migrate.head_revision(settings.database_url)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.services.customers import export_rows

    ctx = context()
    ensure_schema(ctx)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "json":
            out.write('{"customers": [')
            for i, row in enumerate(export_rows(ctx)):
                out.write(("," if i else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            out.write("\n]}\n")
        else:
            writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for row in export_rows(ctx):
                writer.writerow(row)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from bot.jobs import registry

    for job in registry(context()).values():
        print(f"{job.name:12} {job.describe()}")
    print(f"{'outbox':12} every {Settings().schedule.outbox_every_seconds} seconds (delivery)")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.jobs import registry
    from bot.slack.delivery import Dispatcher

    ctx = context()
    ensure_schema(ctx)
    jobs = registry(ctx)
    if args.name not in jobs and args.name != "outbox":
        raise SystemExit(f"unknown job {args.name!r}; jobs: {', '.join([*jobs, 'outbox'])}")
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(ctx.settings.team.timezone))
    if args.name != "outbox":
        print(f"{args.name} at {at.isoformat()}: {jobs[args.name].run(ctx, at)}")
    if not args.no_deliver:
        stats = Dispatcher(ctx).flush(max_seconds=args.deliver_seconds)
        print(f"delivered: {stats.sent} sent, {stats.already_sent} found already sent, {stats.retried} retries, "
              f"{stats.failed} refused for good (admins told), {stats.dropped} dropped")
    return 0


def cmd_outbox_resend(args: argparse.Namespace) -> int:
    """`claimbot outbox resend`: once the cause of a delivery problem is fixed, send what it stopped."""
    from datetime import UTC, datetime, timedelta

    from bot.services import outbox

    ctx = context()
    ensure_schema(ctx)
    n = outbox.resend_failed(ctx, datetime.now(UTC), channel=args.channel, since=timedelta(days=args.days))
    where = f" to {args.channel}" if args.channel else ""
    print(f"{n} failed notices{where} from the last {args.days} days will be sent again "
          "(by the running server's delivery, or `claimbot jobs run outbox`)")
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    import time

    from bot import scheduler

    ctx = context()
    start_up(ctx)
    running = scheduler.start(ctx)
    log.info("scheduler running: %s", ", ".join(job.id for job in running.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)
    running.shutdown(wait=False)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """`claimbot import FILE.csv`: the customer list of the old CRM (bot/services/importer.py)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from bot.services import importer
    from bot.views import import_report
    from storage.engine import make_engine
    from storage.sqlite_copy import is_sqlite_file, sqlite_copy

    settings = Settings()
    ctx = context(settings)
    ensure_schema(ctx)
    lang = args.lang or settings.team.language
    try:
        source = importer.open_csv(args.file, args.encoding)
    except importer.ImportFileError as bad:
        print(import_report.problem(bad.problem, lang), file=sys.stderr)
        return 2
    options = importer.ImportOptions(dry_run=args.dry_run, assign_auto=args.assign == "auto",
                                     probable=args.probable, batch_size=args.batch_size, actor=args.actor,
                                     source=Path(args.file).name)
    progress = _ImportProgress(lang, quiet=args.quiet)
    with contextlib.ExitStack() as stack:
        report_file = stack.enter_context(_ImportReportFile(args.report, lang)) if args.report else None
        if args.dry_run and is_sqlite_file(settings.database_url):  # never hold the live file's write lock
            url = stack.enter_context(sqlite_copy(settings.database_url))
            ctx = ServiceContext(engine=make_engine(url), settings=settings.model_copy(update={"database_url": url}))
            stack.callback(ctx.engine.dispose)
        report = importer.import_csv(ctx, source, datetime.now(UTC), options, progress=progress,
                                     on_row=report_file.write if report_file else None)
        progress.finish()
        if report_file:
            report_file.summary(report)
    print(import_report.summary(report, lang, args.report))
    return 0


class _ImportProgress:
    """A progress line on standard error (rewritten in place on a terminal), stdlib only."""

    def __init__(self, lang: str, *, quiet: bool = False, every_s: float = 0.5):
        import time

        self.lang, self.quiet, self.clock = lang, quiet, time.monotonic
        self.tty = sys.stderr.isatty()
        self.every_s = every_s if self.tty else 5.0
        self.started = self.last = self.clock()
        self.line = ""

    def __call__(self, done: int, total: int, counts: dict[str, int]) -> None:
        from bot.views.import_report import progress_line

        now = self.clock()
        if self.quiet or (now - self.last < self.every_s and done < total):
            return
        self.last = now
        self.line = progress_line(done, total, done / max(now - self.started, 1e-6), counts, self.lang)
        print(("\r" + self.line) if self.tty else self.line, end="" if self.tty else "\n", file=sys.stderr,
              flush=True)

    def finish(self) -> None:
        if self.tty and self.line and not self.quiet:
            print(file=sys.stderr)


class _ImportReportFile:
    """Every row that was not plainly created, with its reason: CSV, or JSON when FILE ends in .json."""

    def __init__(self, path: str, lang: str):
        from bot.views.import_report import REPORT_FIELDS

        self.lang, self.json = lang, path.lower().endswith(".json")
        self.out = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.rows = 0
        if self.json:
            self.out.write('{"rows": [')
        else:
            self.csv = csv.DictWriter(self.out, fieldnames=REPORT_FIELDS)
            self.csv.writeheader()

    def __enter__(self) -> _ImportReportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.out.close()

    def write(self, outcome: RowOutcome) -> None:
        from dataclasses import asdict

        from bot.views.import_report import report_row

        row = report_row(outcome, self.lang)
        if self.json:
            row |= {"params": outcome.params, "notes": [asdict(n) for n in outcome.notes]}
            self.out.write(("," if self.rows else "") + "\n  " + json.dumps(row, ensure_ascii=False, default=str))
        else:
            self.csv.writerow(row)
        self.rows += 1

    def summary(self, report: object) -> None:
        if self.json:
            keys = ("source", "total", "dry_run", "counts", "owners_assigned", "auto_assigned", "unknown_columns",
                    "encoding", "seconds")
            summary = {k: getattr(report, k) for k in keys}
            self.out.write("\n], " + json.dumps(summary, ensure_ascii=False, default=str)[1:] + "\n")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="claimbot", description="ClaimBot: fair customer ownership in Slack.")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="verb", required=True)

    for name, func, help_text in (("serve", cmd_serve, "HTTP mode: /slack/events, /healthz and /metrics"),
                                  ("run", cmd_run, "Socket Mode when SLACK_APP_TOKEN is set, else HTTP")):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("--host", default="0.0.0.0")
        s.add_argument("--port", type=int, default=3000)
        s.add_argument("--threads", type=int, default=16)
        s.add_argument("--no-scheduler", action="store_true", help="don't run the scheduled jobs in this process")
        s.set_defaults(func=func)

    sch = sub.add_parser("scheduler", help="run the scheduled jobs (and delivery) without serving HTTP")
    sch.set_defaults(func=cmd_scheduler)

    c = sub.add_parser("console", help="try everything without a Slack workspace")
    c.add_argument("--script", help="play a scripted session from FILE ('-' for standard input)")
    c.set_defaults(func=cmd_console)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_verb", required=True)
    db_sub.add_parser("upgrade", help="migrate to the newest schema").set_defaults(func=cmd_db)

    jobs = sub.add_parser("jobs", help="scheduled jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_verb", required=True)
    jobs_sub.add_parser("list", help="the jobs and when they run").set_defaults(func=cmd_jobs_list)
    run_job = jobs_sub.add_parser("run", help="run one job once")
    run_job.add_argument("name")
    run_job.add_argument("--at", help="ISO-8601 time to run it as (default: now; no zone: the team's)")
    run_job.add_argument("--no-deliver", action="store_true", help="only decide; leave sending to the scheduler")
    run_job.add_argument("--deliver-seconds", type=float, default=60.0, help="how long to keep delivering")
    run_job.set_defaults(func=cmd_jobs_run)

    ob = sub.add_parser("outbox", help="notices ClaimBot sends on its own")
    ob_sub = ob.add_subparsers(dest="outbox_verb", required=True)
    resend = ob_sub.add_parser("resend", help="send again what Slack refused (after inviting ClaimBot, say)")
    resend.add_argument("--channel", help="only what was for this channel or user id")
    resend.add_argument("--days", type=int, default=7, help="failed within this many days (7)")
    resend.set_defaults(func=cmd_outbox_resend)

    e = sub.add_parser("export", help="print every customer")
    e.add_argument("--format", choices=("json", "csv"), default="json")
    e.add_argument("--output", "-o", help="write to FILE instead of standard output")
    e.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="import customers from a CSV file (name, owner, tier, region, …)")
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument("--dry-run", action="store_true", help="decide every row and report, but write nothing")
    imp.add_argument("--assign", choices=("auto",), help="auto: new customers without an owner go through the "
                     "allocation rules")
    imp.add_argument("--report", metavar="FILE", help="write every row that was not plainly created, with its "
                     "reason, to FILE (.csv, or .json)")
    imp.add_argument("--probable", choices=("flag", "skip"), default="flag",
                     help="a row that probably is an existing customer (same name without the region, or a similar "
                     "name): create it flagged for a manager's review (default), or skip it")
    imp.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    imp.add_argument("--encoding", help="the file's encoding (default: UTF-8, else GB18030)")
    imp.add_argument("--actor", default="import", help="who the audit trail names for the ownerships it starts")
    imp.add_argument("--lang", choices=("zh", "en"), help="language of the summary and report (default: the team's)")
    imp.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    imp.set_defaults(func=cmd_import)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    quiet = args.verb in ("console", "export", "db", "jobs", "import", "outbox")  # their output is the product, not the log
    log_format = os.environ.get("CLAIMBOT_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise SystemExit(f"CLAIMBOT_LOG_FORMAT must be text or json, not {log_format!r}")
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO, log_format,
                      sys.stderr)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
