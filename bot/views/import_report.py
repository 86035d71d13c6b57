"""What `claimbot import` prints and writes: the summary, the progress line, each row's reason. Pure text."""

from __future__ import annotations

from bot.i18n import CATALOG, t
from bot.results.importer import ImportFileProblem, ImportReport, Note, RowOutcome

REPORT_FIELDS = ("row", "status", "reason", "customer", "name", "detail")
GRACED_SHOWN = 5  # short ids per owner in the summary; the owner's DM and the JSON report list them all


def problem(p: ImportFileProblem, lang: str) -> str:
    return t(p.code, lang, **p.params)


def columns(report: ImportReport, lang: str) -> list[str]:
    """Which preset or mapping was used, and how every column of the header was read."""
    return columns_of(report.readings, report.preset, report.mapped, lang)


def columns_of(readings: tuple[tuple[str, str | None], ...], preset: str | None, mapped: bool, lang: str) -> list[str]:
    if not readings:
        return []
    head = t("import.summary.preset", lang, preset=preset) if preset else \
        t("import.summary.mapped", lang) if mapped else t("import.summary.columns", lang)
    return [head] + [t("import.summary.column", lang, header=header,
                       field=t(f"import.field.{column}", lang) if column else t("import.summary.ignored", lang))
                     for header, column in readings]


def _owner_problem(problem: str, lang: str) -> str:
    key = f"import.owner.{problem}"
    return t(key, lang, candidates="") if key in CATALOG else problem


def summary(report: ImportReport, lang: str, report_path: str | None = None, *, unmatched: str = "pool",
            grace_days: int = 7) -> str:
    c = report.counts
    lines = [*columns(report, lang), t("import.summary", lang, source=report.source, total=f"{report.total:,}",
               seconds=f"{report.seconds:.1f}", created=f"{c['created'] + c['flagged']:,}",
               flagged=f"{c['flagged']:,}", merged=f"{c['merged']:,}", unchanged=f"{c['unchanged']:,}",
               skipped=f"{c['skipped']:,}")]
    if report.owners_assigned or report.auto_assigned:
        lines.append(t("import.summary.owners", lang, owners=f"{report.owners_assigned:,}",
                       auto=f"{report.auto_assigned:,}"))
    if report.unknown_columns:
        lines.append(t("import.summary.unknown_columns", lang, columns=", ".join(report.unknown_columns)))
    if report.unresolved_owners:
        lines.append(t("import.summary.unresolved", lang, what=t(f"import.summary.unresolved.{unmatched}", lang)))
        lines += [t("import.summary.unresolved_one", lang, value=value, why=_owner_problem(why, lang))
                  for value, why in sorted(report.unresolved_owners.items())]
    if report.holdings:
        held = ", ".join(f"{rep} {n:,}" for rep, n in sorted(report.holdings.items()))
        lines.append(t("import.summary.holdings", lang, holdings=held))
        lines.append(t("import.summary.due", lang, due7=f"{report.due_7:,}", due30=f"{report.due_30:,}"))
    if report.graced:
        count = sum(len(v) for v in report.graced.values())
        owners = "; ".join(f"{rep} {len(sids):,}: {', '.join(sids[:GRACED_SHOWN])}"
                           + (f" (+{len(sids) - GRACED_SHOWN:,})" if len(sids) > GRACED_SHOWN else "")
                           for rep, sids in sorted(report.graced.items()))
        lines.append(t("import.summary.graced", lang, count=count, days=grace_days, owners=owners))
    if report.dry_run:
        lines.append(t("import.summary.dry_run", lang))
    if report_path:
        lines.append(t("import.summary.report", lang, path=report_path))
    return "\n".join(lines)


def progress_line(done: int, total: int, rate: float, counts: dict[str, int], lang: str) -> str:
    percent = 100 if not total else min(100, done * 100 // total)
    return t("import.progress", lang, done=f"{done:,}", total=f"{total:,}", percent=percent, rate=f"{rate:,.0f}",
             created=f"{counts.get('created', 0) + counts.get('flagged', 0):,}",
             merged=f"{counts.get('merged', 0):,}", skipped=f"{counts.get('skipped', 0):,}")


def progress_counts(counts: dict[str, int], lang: str) -> str:
    return t("import.progress.counts", lang, created=f"{counts.get('created', 0) + counts.get('flagged', 0):,}",
             merged=f"{counts.get('merged', 0):,}", skipped=f"{counts.get('skipped', 0):,}")


def status_label(status: str, lang: str) -> str:
    return t(f"import.status.{status}", lang)


def detail(o: RowOutcome, lang: str) -> str:
    """Why the row went the way it did, and the notes, in one line."""
    parts = [reason(o, lang)] + [note(n, lang) for n in o.notes]
    return "; ".join(p for p in parts if p)


def reason(o: RowOutcome, lang: str) -> str:
    key = f"import.reason.{o.reason}"
    if o.reason == "probable_duplicate":
        candidates = o.params.get("candidates")
        listed = ", ".join(_candidate(c, lang) for c in candidates if isinstance(c, dict)) \
            if isinstance(candidates, list | tuple) else ""
        return t(key, lang, candidates=listed)
    if o.reason.startswith("same_"):
        text = t(key, lang, customer=o.customer or "")
        if "row" in o.params:
            text += t("import.reason.in_file", lang, row=o.params["row"])
        return text
    if key not in CATALOG:
        return o.reason
    return t(key, lang, **{k: v for k, v in o.params.items() if isinstance(v, str | int | float)})


def _candidate(c: dict[str, object], lang: str) -> str:
    why = t(f"why.{c.get('why')}", lang, score=c.get("score", "")) if f"why.{c.get('why')}" in CATALOG \
        else str(c.get("why"))
    who = str(c.get("customer") or "")
    if c.get("row") is not None:
        who += f" [{t('import.reason.candidate_row', lang, row=c['row'])}]"
    return t("import.reason.candidate", lang, customer=who, name=c.get("name", ""), why=why)


def note(n: Note, lang: str) -> str:
    params = dict(n.params)
    if n.code == "filled":
        fields = params.get("fields")
        params["fields"] = ", ".join(t(f"import.field.{f}", lang) for f in fields) \
            if isinstance(fields, list | tuple) else ""
    elif n.code == "conflict":
        params["field"] = t(f"import.field.{params['field']}", lang)
    elif n.code == "stage_reset":
        params["stage"] = t(f"stage.{params['stage']}", lang)
    elif n.code == "auto_unassigned":
        key = f"import.alloc.{params.get('reason')}"
        params["why"] = t(key, lang, rule=params.get("rule", "")) if key in CATALOG else str(params.get("reason"))
    key = f"import.note.{n.code}"
    return t(key, lang, **params) if key in CATALOG else n.code


def report_row(o: RowOutcome, lang: str) -> dict[str, object]:
    """One line of the CSV report (the JSON report also carries ``params`` and ``notes``)."""
    return {"row": o.row, "status": o.status, "reason": o.reason, "customer": o.customer or "", "name": o.name,
            "detail": detail(o, lang)}
