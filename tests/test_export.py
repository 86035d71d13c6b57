"""`claimbot export --what …` (issue 12): every kind in CSV, JSON and .xlsx, --since, the CRM import
layouts, and the exported audit trail replayed from empty gives every customer's current owner."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from openpyxl import load_workbook
from sqlmodel import col, select

from bot.services import activity, claims, sweeps
from bot.services.claims import ClaimRequest
from bot.services.importer import ImportOptions, import_csv, open_csv
from storage.engine import read_session
from storage.models import Customer, Ownership
from tests.test_audit_replay import replay
from tests.test_import import make_ctx, write_csv

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC) - timedelta(days=60)


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CLAIMBOT_TEAM__LANGUAGE": "en"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "export", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def book(tmp_path: Path):
    """Imported owners, claims from the pool, a release and a night's recycling: several kinds of audit record."""
    url = f"sqlite:///{tmp_path}/book.db"
    ctx = make_ctx(url)
    path = write_csv(tmp_path / "crm.csv", [
        {"name": "北京星河科技有限公司", "owner": "U0ALICE", "tier": "A"},
        {"name": "上海云帆物流有限公司", "owner": "U0BOB"},
        {"name": "Globex Corporation"},
        {"name": "Initech LLC", "owner": "U0ALICE"},
        {"name": "Umbrella Pharmaceuticals"},
    ])
    import_csv(ctx, open_csv(path), NOW, ImportOptions(source="crm.csv"))
    claims.claim(ctx, "U0CAROL", ClaimRequest(name="Globex Corporation"), NOW + timedelta(hours=1))
    claims.claim(ctx, "U0BOB", ClaimRequest(name="Umbrella Pharmaceuticals"), NOW + timedelta(hours=2))
    assert activity.release(ctx, "U0BOB", "Umbrella Pharmaceuticals | 预算取消", NOW + timedelta(hours=3)).outcome \
        == "released"
    claims.claim(ctx, "U0CAROL", ClaimRequest(name="Umbrella Pharmaceuticals"), NOW + timedelta(days=20))
    sweeps.recycle_due(ctx, NOW + timedelta(days=21))  # the never followed-up imports and claims of day 0 go
    return url, ctx


def test_exported_audit_trail_replays_to_every_current_owner(tmp_path):
    url, ctx = book(tmp_path)
    try:
        with read_session(ctx.engine) as s:
            active = {c.short_id: o.rep_id for c, o in s.exec(select(Customer, Ownership).join(
                Ownership, col(Ownership.customer_id) == Customer.id).where(col(Ownership.ended_at).is_(None)))}
    finally:
        ctx.engine.dispose()
    assert active == {"C-1005": "U0CAROL"}  # what the book did, so the replay below has something to find
    out = tmp_path / "audit.csv"
    cli(url, "--what", "audit", "--format", "csv", "--output", str(out))
    with out.open(encoding="utf-8") as f:
        exported = [SimpleNamespace(**{**row, "id": int(row["id"]), "customer_id": row["customer"],
                                       "from_rep": row["from_rep"] or None, "to_rep": row["to_rep"] or None})
                    for row in csv.DictReader(f)]
    assert {e.kind for e in exported} >= {"import", "claim", "release", "recycle"}
    replayed = {customer: owner for customer, owner in replay(exported).owners().items() if owner is not None}
    assert {customer: rep for customer, (rep, _) in replayed.items()} == active


def test_every_kind_in_every_format(tmp_path):
    url, ctx = book(tmp_path)
    ctx.engine.dispose()
    customers = json.loads(cli(url, "--what", "customers", "--format", "json").stdout)["customers"]
    assert [c["name"] for c in customers][:2] == ["北京星河科技有限公司", "上海云帆物流有限公司"]
    assert {c["id"]: c["owner"] for c in customers}["C-1005"] == "U0CAROL"
    audit = list(csv.DictReader(io.StringIO(cli(url, "--what", "audit", "--format", "csv").stdout)))
    since = list(csv.DictReader(io.StringIO(cli(url, "--what", "audit", "--format", "csv", "--since",
                                                (NOW + timedelta(days=1)).date().isoformat()).stdout)))
    assert 0 < len(since) < len(audit) and all(r["at"] >= (NOW + timedelta(days=1)).date().isoformat() for r in since)
    decisions = json.loads(cli(url, "--what", "decisions", "--format", "json").stdout)
    assert decisions == {"decisions": []}
    xlsx = tmp_path / "audit.xlsx"
    cli(url, "--what", "audit", "--format", "xlsx", "--output", str(xlsx))
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:5] == ("id", "at", "customer", "customer_name", "kind") and len(table) == len(audit) + 1
    zoho = list(csv.DictReader(io.StringIO(cli(url, "--what", "customers", "--format", "csv", "--layout",
                                                "zoho").stdout)))
    assert list(zoho[0])[:2] == ["Account Name", "Account Owner"]
    assert {r["Account Name"]: r["Account Owner"] for r in zoho}["Umbrella Pharmaceuticals"] == "U0CAROL"
