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
from bot.i18n import t
from bot.metrics import configure_logging
from bot.rules.importing import COLUMNS, BadMapping, parse_mapping
from bot.services.context import ServiceContext
from storage import migrate

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from bot.results.importer import RowOutcome

log = logging.getLogger("claimbot")


def cmd_serve(args: argparse.Namespace) -> int:
    from bot import metrics
    from bot.app import create_app, lazy_work
    from bot.intake import LeadIntake
    from bot.server import Health, make_server
    from bot.services.health import StateCollector

    ctx = context()
    start_up(ctx)
    _doctor_at_start(ctx)
    load_name_index(ctx)
    app = create_app(ctx)
    jobs = None
    if not args.no_scheduler:
        from bot import scheduler

        jobs = scheduler.start(ctx)
    health = Health(ctx, (lambda: jobs.running) if jobs is not None else None)
    metrics.watch(StateCollector(ctx))
    server = make_server(app, args.host, args.port, threads=args.threads, limits=ctx.settings.server, health=health,
                         intake=LeadIntake(ctx))
    log.info("ClaimBot listening on http://%s:%s/slack/events", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    lazy_work(app).stop()  # the work after the last answers (modals, replies, Home tabs) goes out first
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """`claimbot doctor`: every check with its fix; exit status 1 when one failed."""
    from pydantic import ValidationError

    from bot.results.doctor import Check, CheckStatus, failed
    from bot.slack import doctor
    from bot.views.doctor import terminal_lines

    try:
        settings = Settings()
    except ValidationError as bad:
        checks = [Check("config", CheckStatus.FAIL, {"error": str(bad)}, problem="invalid")]
        print("\n".join(terminal_lines(checks, args.lang or "en")))
        return 1
    checks = doctor.run(context(settings))
    print("\n".join(terminal_lines(checks, args.lang or settings.team.language)))
    return 1 if failed(checks) else 0


def _doctor_at_start(ctx: ServiceContext) -> None:
    from bot.slack import doctor

    doctor.log_at_start(ctx)


def cmd_run(args: argparse.Namespace) -> int:
    ctx = context()
    if not ctx.settings.slack_app_token:
        return cmd_serve(args)
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    start_up(ctx)
    _doctor_at_start(ctx)
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
    """`claimbot export`: customers, follow-ups, the audit trail, the allocation ledger or the decisions,
    streamed page by page (bot/services/exports.py) as CSV, JSON or .xlsx (openpyxl's write-only mode)."""
    from datetime import datetime

    from bot.services import exports

    settings = Settings()
    ctx = context(settings)
    ensure_schema(ctx)
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            print(f"--since: not a date: {args.since} (write 2026-11-01 or 2026-11-01T09:00)", file=sys.stderr)
            return 2
        if since.tzinfo is None:
            from zoneinfo import ZoneInfo

            since = since.replace(tzinfo=ZoneInfo(ctx.tz))
    if args.format == "xlsx" and not args.output:
        print("--format xlsx needs --output FILE.xlsx", file=sys.stderr)
        return 2
    owner_email = None
    if args.layout != "claimbot" and settings.slack_bot_token:
        from bot.slack.client import make_client
        from bot.slack.directory import SlackDirectory

        owner_email = SlackDirectory(make_client(ctx)).email_of
    elif args.layout != "claimbot":
        print("without SLACK_BOT_TOKEN the Account Owner column holds Slack user ids, not e-mails", file=sys.stderr)
    fields = exports.fields(args.what, args.layout)
    rows = exports.rows(ctx, args.what, since, layout=args.layout, owner_email=owner_email)
    if args.format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(args.what)
        sheet.append(list(fields))
        for row in rows:
            sheet.append([_xlsx_cell(row[f]) for f in fields])
        workbook.save(args.output)
        return 0
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "json":
            out.write(f'{{"{args.what}": [')
            for i, row in enumerate(rows):
                out.write(("," if i else "") + "\n  " + json.dumps(row, ensure_ascii=False, default=str))
            out.write("\n]}\n")
        else:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """`claimbot backup FILE`: every table, one consistent snapshot (storage/backup.py)."""
    from storage import backup

    ctx = context()
    ensure_schema(ctx)
    summary = backup.backup(ctx.engine, args.file)
    print(f"backed up {summary.total} rows of {len(summary.rows)} tables (schema {summary.revision}) to {args.file}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """`claimbot restore FILE`: into an empty database only (storage/backup.py)."""
    from storage import backup

    settings = Settings()
    ctx = context(settings)
    try:
        summary = backup.restore(ctx.engine, settings.database_url, args.file)
    except backup.BackupError as bad:
        print(f"nothing restored: {bad}", file=sys.stderr)
        return 2
    print(f"restored {summary.total} rows of {len(summary.rows)} tables (backup of schema {summary.revision}) "
          f"from {args.file}")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    """`claimbot forget`: erase a contact's personal data on request (bot/services/erasure.py)."""
    from datetime import UTC, datetime

    from bot.results.erasure import ErasureOutcome
    from bot.services import erasure

    ctx = context()
    ensure_schema(ctx)
    result = erasure.forget(ctx, actor=args.by, reason=args.reason, now=datetime.now(UTC), customer_ref=args.customer,
                            values=args.value or [], dry_run=args.dry_run)
    if result.outcome in (ErasureOutcome.BAD_REQUEST, ErasureOutcome.NO_SUCH_CUSTOMER):
        what = "no such customer: " if result.outcome is ErasureOutcome.NO_SUCH_CUSTOMER else ""
        print(f"nothing erased: {what}{result.detail}", file=sys.stderr)
        return 2
    fields = ", ".join(f"{name} {n}" for name, n in sorted(result.fields.items())) or "nothing matched"
    if result.dry_run:
        print(f"dry run, nothing changed; would erase: {fields}")
    else:
        print(f"erased: {fields}; recorded as erasure #{result.erasure_id} (who and why, without the values)")
    return 0


def _xlsx_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula is written as text (a note starting with '=')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


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
    _doctor_at_start(ctx)
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
    if args.followups:
        return _import_followups(ctx, args, lang)
    if not args.file:
        print(t("import.no_file", lang), file=sys.stderr)
        return 2
    try:
        mapping = parse_mapping(args.map) if args.map else None
    except BadMapping as bad:
        print(t("import.file.bad_map", lang, part=str(bad), columns=", ".join(COLUMNS)), file=sys.stderr)
        return 2
    try:
        source = importer.open_csv(args.file, args.encoding, mapping)
    except importer.ImportFileError as bad:
        print(import_report.problem(bad.problem, lang), file=sys.stderr)
        return 2
    resolver = None
    if settings.slack_bot_token:  # owners by e-mail or name: the workspace's members (bot/slack/directory.py)
        from bot.slack.client import make_client
        from bot.slack.directory import SlackDirectory, read_owners_file

        try:
            owners = read_owners_file(args.owners) if args.owners else None
        except (OSError, UnicodeDecodeError, csv.Error):
            print(t("import.file.owners", lang, path=args.owners), file=sys.stderr)
            return 2
        resolver = SlackDirectory(make_client(ctx), owners)
    elif args.owners:
        print(t("import.no_token", lang), file=sys.stderr)
        return 2
    options = importer.ImportOptions(dry_run=args.dry_run, assign_auto=args.assign == "auto",
                                     probable=args.probable, batch_size=args.batch_size, actor=args.actor,
                                     source=Path(args.file).name, unmatched=args.unmatched)
    progress = _ImportProgress(lang, quiet=args.quiet)
    with contextlib.ExitStack() as stack:
        report_file = stack.enter_context(_ImportReportFile(args.report, lang)) if args.report else None
        if args.dry_run and is_sqlite_file(settings.database_url):  # never hold the live file's write lock
            url = stack.enter_context(sqlite_copy(settings.database_url))
            ctx = ServiceContext(engine=make_engine(url), settings=settings.model_copy(update={"database_url": url}))
            stack.callback(ctx.engine.dispose)
        try:
            report = importer.import_csv(ctx, source, datetime.now(UTC), options, progress=progress,
                                         on_row=report_file.write if report_file else None, resolve_owner=resolver)
        finally:
            progress.finish()
        if report_file:
            report_file.summary(report)
    print(import_report.summary(report, lang, args.report, unmatched=args.unmatched,
                                grace_days=settings.imports.grace_days))
    if resolver is None and report.invalid_owners:
        print(t("import.no_token_note", lang))
    return 0


def _import_followups(ctx: ServiceContext, args: argparse.Namespace, lang: str) -> int:
    """`claimbot import --followups FILE`: activities and notes (bot/services/import_followups.py)."""
    from datetime import UTC, datetime

    from bot.rules.importing import FOLLOWUP_COLUMNS, parse_followup_mapping
    from bot.services.import_file import ImportFileError
    from bot.services.import_followups import import_followups, open_followups
    from bot.views import import_report

    try:
        mapping = parse_followup_mapping(args.map) if args.map else None
    except BadMapping as bad:
        print(t("import.file.bad_map", lang, part=str(bad), columns=", ".join(FOLLOWUP_COLUMNS)), file=sys.stderr)
        return 2
    try:
        source = open_followups(args.followups, args.encoding, mapping)
    except ImportFileError as bad:
        print(import_report.problem(bad.problem, lang), file=sys.stderr)
        return 2
    resolver = None
    if ctx.settings.slack_bot_token:
        from bot.slack.client import make_client
        from bot.slack.directory import SlackDirectory

        resolver = SlackDirectory(make_client(ctx))
    skipped: list[str] = []

    def note(outcome: object) -> None:
        from bot.services.import_followups import FollowupOutcome

        if isinstance(outcome, FollowupOutcome) and outcome.status == "skipped":
            skipped.append(t("import.followups.skipped", lang, row=outcome.row,
                             why=t(f"import.followups.{outcome.reason}", lang,
                                   detail=outcome.detail or outcome.customer or "")))

    report = import_followups(ctx, source, datetime.now(UTC), dry_run=args.dry_run, resolve_rep=resolver, on_row=note)
    print("\n".join([*import_report.columns_of(report.readings, None, bool(mapping), lang),
                     t("import.followups.summary", lang, source=report.source, total=f"{report.total:,}",
                       attached=f"{report.counts['attached']:,}", moved=f"{report.clocks_moved:,}",
                       unchanged=f"{report.counts['unchanged']:,}", skipped=f"{report.counts['skipped']:,}"),
                     *skipped[:200], *([t("import.summary.dry_run", lang)] if args.dry_run else [])]))
    return 0


class _ImportProgress:
    """On a terminal, a progress bar with the rate and the time left (rich) on standard error; in a pipe
    (or with --quiet), nothing: the summary on standard output is the product."""

    def __init__(self, lang: str, *, quiet: bool = False):
        self.lang = lang
        self.bar = None if quiet or not sys.stderr.isatty() else self._bar()
        self.task: TaskID | None = None

    @staticmethod
    def _bar() -> Progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]} /s"), TimeRemainingColumn(), TextColumn("{task.fields[counts]}"),
                        console=Console(stderr=True), transient=False)

    def __call__(self, done: int, total: int, counts: dict[str, int]) -> None:
        from bot.views.import_report import progress_counts

        if self.bar is None:
            return
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task(t("import.progress.label", self.lang), total=total, rate="-", counts="")
        speed = self.bar.tasks[0].speed
        self.bar.update(self.task, completed=done, rate=f"{speed:,.0f}" if speed else "-",
                        counts=progress_counts(counts, self.lang))

    def finish(self) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.stop()


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
                    "encoding", "seconds", "preset", "readings", "unresolved_owners", "holdings", "due_7", "due_30",
                    "graced")
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

    doc = sub.add_parser("doctor", help="check the installation: token, scopes, channels, config, database, clock, "
                         "calendar; each with its fix (exit 1 on a failure)")
    doc.add_argument("--lang", choices=("zh", "en"), help="language of the report (default: the team's)")
    doc.set_defaults(func=cmd_doctor)

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

    bk = sub.add_parser("backup", help="write every table to FILE (gzip JSON lines), one consistent snapshot")
    bk.add_argument("file", metavar="FILE")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="load a backup FILE into an empty database (DATABASE_URL)")
    rs.add_argument("file", metavar="FILE")
    rs.set_defaults(func=cmd_restore)

    fg = sub.add_parser("forget", help="erase a contact's personal data on request (PIPL/GDPR): a customer's contact "
                        "phone and free texts, or given values wherever they appear; the audit trail stays")
    fg.add_argument("--customer", metavar="C-1042", help="this customer's contact phone and every note, complaint "
                    "and reason about it")
    fg.add_argument("--value", action="append", metavar="TEXT", help="a name, phone, e-mail or WeChat id to erase "
                    "wherever it appears (repeatable)")
    fg.add_argument("--by", required=True, help="who carries out the request (recorded)")
    fg.add_argument("--reason", required=True, help="the request, e.g. its ticket (recorded; no personal data)")
    fg.add_argument("--dry-run", action="store_true", help="count what would be erased, change nothing")
    fg.set_defaults(func=cmd_forget)

    e = sub.add_parser("export", help="customers, follow-ups, the audit trail, the allocation ledger or decisions")
    e.add_argument("--what", choices=("customers", "followups", "audit", "ledger", "decisions"), default="customers")
    e.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    e.add_argument("--since", help="only rows of this day or later (ISO date or date and time; the team's zone)")
    e.add_argument("--layout", choices=("claimbot", "zoho", "salesforce"), default="claimbot",
                   help="customers only: the columns Zoho CRM or Salesforce import (Account Owner as e-mail)")
    e.add_argument("--output", "-o", help="write to FILE instead of standard output (needed for xlsx)")
    e.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="import customers from a CSV file (name, owner, tier, region, …)")
    imp.add_argument("file", metavar="FILE", nargs="?", help=".csv (UTF-8, UTF-8 with BOM, GB18030) or .xlsx")
    imp.add_argument("--followups", metavar="FILE", help="instead of customers: an activities or notes export "
                     "(customer, date, note or subject, rep, type) to attach to the customers with their own dates")
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
    imp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    imp.add_argument("--map", metavar="COLUMN=HEADER,…", help="which header holds which column, for exports no "
                     "preset knows: name=公司名称,owner=负责人邮箱,tier=…,last_followup=… (columns: "
                     + ", ".join(COLUMNS) + ")")
    imp.add_argument("--owners", metavar="FILE.csv", help="owner cells the workspace cannot resolve: two columns, "
                     "what the export says and a Slack user id or e-mail")
    imp.add_argument("--unmatched", choices=("pool", "skip"), default="pool", help="a row whose owner resolves to "
                     "nobody, a deactivated account or several people: import it to the pool (default) or skip it")
    imp.set_defaults(func=cmd_import)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    quiet = args.verb in ("console", "export", "db", "jobs", "import", "outbox", "doctor", "backup", "restore", "forget")  # their output is the product, not the log
    log_format = os.environ.get("CLAIMBOT_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise SystemExit(f"CLAIMBOT_LOG_FORMAT must be text or json, not {log_format!r}")
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO, log_format,
                      sys.stderr)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
