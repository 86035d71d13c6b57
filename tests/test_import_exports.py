"""`claimbot import` of real CRM exports (issue 12): each preset's file as the CRM writes it (CSV in
UTF-8, UTF-8 with BOM or GB18030, and .xlsx), owners by e-mail and by name resolved through the Slack
stand-in over HTTP, unresolvable owners reported, and clocks that go on from the export's dates."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.console.standin import SlackStandIn
from bot.services import sweeps
from bot.services.importer import ImportOptions, import_csv, open_csv
from bot.slack.directory import SlackDirectory, read_owners_file
from storage.engine import read_session
from storage.models import Customer, Outbox, Ownership
from tests.test_import import make_ctx

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = NOW.date()

USERS = {
    "U0ALICE": {"name": "alice", "real_name": "Alice Wang", "email": "alice@acme.cn"},
    "U0BOB": {"name": "bob", "real_name": "王伟", "display_name": "伟哥", "email": "bob@acme.cn"},
    "U0CAROL": {"name": "carol", "real_name": "Carol Li", "email": "carol@acme.cn", "deleted": True},
    "U0LINA1": {"name": "lina", "real_name": "Li Na", "email": "lina@acme.cn"},
    "U0LINA2": {"name": "lina2", "real_name": "Li Na", "email": "lina2@acme.cn"},
    # enough members that users.list takes three pages of 200
    **{f"U1{i:05d}": {"name": f"member{i}", "real_name": f"Member {i}"} for i in range(450)},
}


@pytest.fixture
def slack():
    with SlackStandIn(USERS) as stand_in:
        yield stand_in


@pytest.fixture
def ctx(tmp_path):
    context = make_ctx(f"sqlite:///{tmp_path}/book.db")
    yield context
    context.engine.dispose()


def directory(slack: SlackStandIn, owners: dict[str, str] | None = None) -> SlackDirectory:
    return SlackDirectory(WebClient(token="xoxb-test", base_url=slack.api_url), owners)


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Accounts")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def run(ctx, path, slack, **options):
    outcomes = []
    resolver = directory(slack)
    report = import_csv(ctx, open_csv(path), NOW, ImportOptions(source=path.name, **options),
                        on_row=outcomes.append, resolve_owner=resolver)
    return report, {o.row: o for o in outcomes}, resolver


def owners(ctx) -> dict[str, str]:
    with read_session(ctx.engine) as s:
        return dict(s.exec(select(Customer.name, Ownership.rep_id).join(
            Ownership, col(Ownership.customer_id) == Customer.id).where(col(Ownership.ended_at).is_(None))).all())


ZOHO_HEADER = ["Record Id", "Account Owner", "Account Name", "Phone", "Website", "Account Type", "Industry",
               "Billing City", "Rating", "Created Time", "Modified Time", "Last Activity Time"]


def test_zoho_accounts_csv_with_owners_by_email_and_name(ctx, slack, tmp_path):
    path = write_csv(tmp_path / "Accounts_2026_11_26.csv", ZOHO_HEADER, [
        ["zcrm_4876876000000431001", "alice@acme.cn", "Acme Robotics Ltd", "+86 10 6552 9988", "acme-robotics.cn",
         "Customer", "Manufacturing", "Beijing", "Active", "2025-03-01 09:12:00", "2026-11-20 10:00:00",
         "2026-11-07 14:30:00"],
        ["zcrm_4876876000000431002", "Alice Wang", "Globex Trading", "", "", "Prospect", "", "Shanghai", "", "", "",
         ""],
        ["zcrm_4876876000000431003", "王伟", "北京星河科技有限公司", "", "", "", "", "", "", "", "", ""],
        ["zcrm_4876876000000431004", "nobody@acme.cn", "Initech", "", "", "", "", "", "", "", "", ""],
        ["zcrm_4876876000000431005", "Carol Li", "Hooli", "", "", "", "", "", "", "", "", ""],
        ["zcrm_4876876000000431006", "Li Na", "Vandelay Industries", "", "", "", "", "", "", "", "", ""],
        ["zcrm_4876876000000431007", "alice@acme.cn", "Stark Industries", "", "", "", "", "", "", "", "", ""],
    ])
    report, rows, resolver = run(ctx, path, slack)
    assert report.preset == "Zoho CRM (Accounts)"
    assert dict(report.readings)["Account Owner"] == "owner" and dict(report.readings)["Rating"] is None
    assert dict(report.readings)["Last Activity Time"] == "last_activity"
    assert report.counts["created"] == 7 and report.counts["skipped"] == 0
    assert owners(ctx) == {"Acme Robotics Ltd": "U0ALICE", "Globex Trading": "U0ALICE",
                           "北京星河科技有限公司": "U0BOB", "Stark Industries": "U0ALICE"}
    assert report.unresolved_owners == {"nobody@acme.cn": "not_found", "Carol Li": "deactivated",
                                        "Li Na": "ambiguous"}
    assert [n.code for n in rows[7].notes] == ["owner_ambiguous"]
    assert rows[7].notes[0].params["candidates"] == "U0LINA1, U0LINA2"
    # e-mails: one users.lookupByEmail per distinct address; names: users.list read once, page by page
    assert len(slack.calls_for("users.lookupByEmail")) == 2
    assert [c.params.get("cursor", "") for c in slack.calls_for("users.list")] == ["", "dXNlcjo200", "dXNlcjo400"]
    assert resolver.calls == {"users.lookupByEmail": 2, "users.list": 3}


def test_unmatched_skip_leaves_the_rows_out(ctx, slack, tmp_path):
    path = write_csv(tmp_path / "zoho.csv", ZOHO_HEADER, [
        ["1", "nobody@acme.cn", "Initech", *[""] * 9], ["2", "bob@acme.cn", "Umbrella", *[""] * 9]])
    report, rows, _ = run(ctx, path, slack, unmatched="skip")
    assert (report.counts["skipped"], rows[2].reason) == (1, "owner_not_found")
    assert owners(ctx) == {"Umbrella": "U0BOB"}


def test_salesforce_report_csv_with_a_bom(ctx, slack, tmp_path):
    header = ["Account Name", "Account Owner", "Type", "Billing City", "Phone", "Website", "Industry",
              "Last Activity", "Created Date"]
    path = write_csv(tmp_path / "report1700000000000.csv", header, [
        ["Dunder Mifflin", "Alice Wang", "Customer - Direct", "Scranton", "(570) 555-0100", "www.dundermifflin.com",
         "Paper", "11/07/2026", "3/1/2024"],
        ["Wayne Enterprises", "bob@acme.cn", "Prospect", "Gotham", "", "", "", "", ""],
    ], encoding="utf-8-sig")
    report, _, _ = run(ctx, path, slack)
    assert (report.preset, report.encoding) == ("Salesforce (Accounts)", "utf-8-sig")
    assert owners(ctx) == {"Dunder Mifflin": "U0ALICE", "Wayne Enterprises": "U0BOB"}
    with read_session(ctx.engine) as s:
        dm = s.exec(select(Customer).where(Customer.name == "Dunder Mifflin")).one()
        assert (dm.domain, dm.region, dm.industry) == ("dundermifflin.com", "Scranton", "Paper")


def test_hubspot_companies_xlsx(ctx, slack, tmp_path):
    header = ["Record ID", "Company name", "Company owner", "Company Domain Name", "Phone Number", "City",
              "Industry", "Lifecycle Stage", "Create Date", "Last Activity Date"]
    path = write_xlsx(tmp_path / "hubspot-crm-exports-all-companies-2026-11-26.xlsx", header, [
        [18465214001, "Pied Piper", "Alice Wang", "piedpiper.com", 8613800138000, "Palo Alto", "COMPUTER_SOFTWARE",
         "customer", datetime(2025, 1, 3, 8, 0), datetime(2026, 11, 17, 9, 30)],
        [18465214002, "Hooli", "", "hooli.xyz", None, "", "", "lead", None, None],
    ])
    report, _, _ = run(ctx, path, slack)
    assert (report.preset, report.encoding, report.total) == ("HubSpot (Companies)", "xlsx", 2)
    assert dict(report.readings)["Lifecycle Stage"] is None  # HubSpot's stages are not ours: left unread
    assert owners(ctx) == {"Pied Piper": "U0ALICE"}
    with read_session(ctx.engine) as s:
        pp = s.exec(select(Customer).where(Customer.name == "Pied Piper")).one()
        own = s.exec(select(Ownership).where(Ownership.customer_id == pp.id)).one()
        assert (pp.domain, pp.phone) == ("piedpiper.com", "+8613800138000")
        # last activity 10 days ago, tier B (30 days): protected until 20 days from now
        assert own.protected_until == TODAY + timedelta(days=20)


FXIAOKE_HEADER = ["客户名称", "客户级别", "负责人", "所属部门", "成交状态", "电话", "网址", "地区", "行业", "统一社会信用代码",
                  "最后跟进时间", "创建时间"]


@pytest.mark.parametrize("form", ["gb18030", "xlsx"])
def test_fxiaoke_customers_in_gb18030_and_xlsx(ctx, slack, tmp_path, form):
    rows = [
        ["杭州云栖科技有限公司", "A（重点客户）", "王伟", "华东销售部", "未成交", "0571-88886666", "", "杭州", "软件",
         "", days_ago(20).strftime("%Y-%m-%d %H:%M"), "2025-06-01 10:00"],
        ["深圳前海微众贸易有限公司", "B（普通客户）", "伟哥", "华南销售部", "未成交", "", "", "深圳", "", "", "", ""],
        ["成都天府软件有限公司", "C（非优先客户）", "张三", "西南销售部", "", "", "", "成都", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "客户.csv", FXIAOKE_HEADER, rows, encoding="gb18030") if form == "gb18030" \
        else write_xlsx(tmp_path / "客户.xlsx", FXIAOKE_HEADER, rows)
    report, _, _ = run(ctx, path, slack)
    assert report.preset == "纷享销客（客户）"
    assert report.encoding == form
    assert owners(ctx) == {"杭州云栖科技有限公司": "U0BOB", "深圳前海微众贸易有限公司": "U0BOB"}
    assert report.unresolved_owners == {"张三": "not_found"}
    with read_session(ctx.engine) as s:
        assert dict(s.exec(select(Customer.name, Customer.tier)).all()) == {
            "杭州云栖科技有限公司": "A", "深圳前海微众贸易有限公司": "B", "成都天府软件有限公司": "C"}


def test_map_names_the_columns_of_any_other_export(ctx, slack, tmp_path):
    path = write_csv(tmp_path / "other.csv", ["公司", "销售邮箱", "上次拜访"],
                     [["广州白云制药有限公司", "alice@acme.cn", days_ago(5).date().isoformat()]])
    source = open_csv(path, mapping={"name": "公司", "owner": "销售邮箱", "last_followup": "上次拜访"})
    report = import_csv(ctx, source, NOW, ImportOptions(source="other.csv"), resolve_owner=directory(slack))
    assert report.mapped and report.readings == (("公司", "name"), ("销售邮箱", "owner"), ("上次拜访", "last_followup"))
    assert owners(ctx) == {"广州白云制药有限公司": "U0ALICE"}


def test_clocks_go_on_from_the_export_and_past_ones_get_grace(ctx, slack, tmp_path):
    """Tier B (30-day follow-up clock): 20 days ago → protected 10 more days, not 3; 40 days ago → in
    its owner's grace list, not recycled before the grace ends."""
    path = write_csv(tmp_path / "Accounts.csv", ZOHO_HEADER, [
        ["1", "alice@acme.cn", "Twenty Days Co", *[""] * 8, days_ago(20).strftime("%Y-%m-%d %H:%M:%S")],
        ["2", "alice@acme.cn", "Forty Days Co", *[""] * 8, days_ago(40).strftime("%Y-%m-%d %H:%M:%S")],
        ["3", "bob@acme.cn", "Fresh Co", *[""] * 9],
    ])
    report, _, _ = run(ctx, path, slack)
    with read_session(ctx.engine) as s:
        until = {c.name: (o.protected_until, o.grace_until) for c, o in s.exec(select(Customer, Ownership).join(
            Ownership, col(Ownership.customer_id) == Customer.id))}
        grace_dm = s.exec(select(Outbox).where(Outbox.kind == "import_grace")).one()
    assert until["Twenty Days Co"] == (TODAY + timedelta(days=10), None)
    assert until["Forty Days Co"] == (TODAY + timedelta(days=7), TODAY + timedelta(days=7))
    assert until["Fresh Co"] == (TODAY + timedelta(days=3), None)  # no date in the export: a fresh start
    assert grace_dm.channel == "U0ALICE"
    assert [c["name"] for c in json.loads(grace_dm.data)["customers"]] == ["Forty Days Co"]
    assert report.graced == {"U0ALICE": ["C-1002"]}
    assert report.holdings == {"U0ALICE": 2, "U0BOB": 1}
    assert (report.due_7, report.due_30) == (1, 3)  # Fresh Co (first follow-up in 3 days); all three in 30
    # the nightly recycle: nothing on the first night; the graced one stays through its grace, then goes
    assert sweeps.recycle_due(ctx, NOW + timedelta(days=1)).recycled == 0
    sweeps.recycle_due(ctx, NOW + timedelta(days=7))
    assert set(owners(ctx)) == {"Twenty Days Co", "Forty Days Co"}  # Fresh Co, never followed up, went
    assert sweeps.recycle_due(ctx, NOW + timedelta(days=8)).recycled == 1
    assert set(owners(ctx)) == {"Twenty Days Co"}


def test_a_second_import_of_an_xlsx_changes_nothing(ctx, slack, tmp_path):
    header = ["Record ID", "Company name", "Company owner", "Last Activity Date"]
    names = [f"{a} {b}" for a in ("Amber", "Birch", "Cobalt", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Indigo",
                                   "Juniper", "Kestrel", "Lumen")
             for b in ("Robotics", "Pharma", "Logistics", "Textiles", "Foods", "Optics", "Mining", "Media", "Aviation",
                       "Ceramics")]
    path = write_xlsx(tmp_path / "companies.xlsx", header,
                      [[i, name, "bob@acme.cn", days_ago(i % 60).replace(tzinfo=None)] for i, name in enumerate(names)])
    first, _, _ = run(ctx, path, slack)
    assert first.counts["created"] + first.counts["flagged"] == 120 and first.owners_assigned == 120
    second, _, _ = run(ctx, path, slack)
    assert second.changed == 0 and second.counts["unchanged"] == 120 and second.owners_assigned == 0


def test_cli_dry_run_says_how_every_column_was_read(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    path = write_csv(tmp_path / "客户.csv", FXIAOKE_HEADER, [["杭州云栖科技有限公司", "A", "U0ALICE", *[""] * 7,
                                                          days_ago(40).strftime("%Y-%m-%d"), ""]],
                     encoding="gb18030")
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CLAIMBOT_TEAM__LANGUAGE": "en"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "import", str(path), "--dry-run"], capture_output=True,
                          text=True, env=env, cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Recognised as an export of 纷享销客（客户）" in out
    assert "  负责人 → owner" in out and "  所属部门 → (ignored)" in out
    assert "  最后跟进时间 → last follow-up" in out
    assert "Held by each owner after the import: U0ALICE 1" in out
    assert "1 customer was already past their protection" in out and "U0ALICE 1: C-1001" in out
    assert done.stderr == ""  # a pipe: no progress bar
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "import", str(path), "--map", "nme=客户名称"],
                         capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert bad.returncode == 2 and "--map not understood: nme=客户名称" in bad.stderr


def test_owners_file_maps_what_the_workspace_cannot_resolve(ctx, slack, tmp_path):
    owners_file = write_csv(tmp_path / "owners.csv", ["export", "slack"],
                            [["王总", "bob@acme.cn"], ["Li Na (East)", "U0LINA2"], ["nonsense", "not an id"]])
    mapping = read_owners_file(owners_file)
    assert mapping == {"王总": "bob@acme.cn", "li na (east)": "U0LINA2"}
    path = write_csv(tmp_path / "zoho.csv", ZOHO_HEADER, [
        ["1", "王总", "Initech", *[""] * 9], ["2", "Li Na (East)", "Umbrella", *[""] * 9]])
    report = import_csv(ctx, open_csv(path), NOW, ImportOptions(source="zoho.csv"),
                        resolve_owner=directory(slack, mapping))
    assert report.unresolved_owners == {}
    assert owners(ctx) == {"Initech": "U0BOB", "Umbrella": "U0LINA2"}
