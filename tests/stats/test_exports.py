"""The annual report as files and as the secretariat's dashboard:
the workbook's five sheets and its streamed list of the period's proposals, the API files and
who may get them, the dashboard with its server-drawn charts, and the CLI."""

import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import event

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.stats import annual_figures
from proposals.stats.exports import (
    annual_xlsx,
    list_header,
    period_proposal_rows,
)
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows

SHEETS = ["汇总", "分类", "承办单位", "重点提案", "提案清单"]
INJECTION = '=HYPERLINK("http://evil.example","点我")关于加强网络安全的建议'


def figures_for(**period):
    return annual_figures(**period)


def overdue_assigned(world, title, unit):
    """Filed now, assigned as if 120 days ago: its 3-month reply deadline has passed."""
    p = flows.filed(world, title=title)
    ops.assign_proposal(
        world.secretariat,
        p,
        [{"code": unit.code, "role": "lead"}],
        now=utcnow() - timedelta(days=120),
    )
    db.session.commit()
    return p


@pytest.fixture()
def year(world, make):
    """A year that holds the cases a report shows: a rated key proposal, a split proposal with
    two replies, a co-handled one, an overdue one, not filed, merged, withdrawn, pending, and a
    title that would be a formula in a spreadsheet."""
    key, reply = flows.replied(world, title="关于加快老旧小区改造的建议")
    make.user("secretariat", username="leader", name="李副市长")
    ops.mark_key(world.secretariat, key, True, "leader")
    hops.rate_reply(world.member, reply, {"rating": "satisfied"})
    split = flows.handling(
        world,
        plan=[(world.unit_a, "lead"), (world.unit_b, "lead")],
        title="关于完善城市排水系统的建议",
        proposer=world.member2,
    )
    flows.delivered_reply(world, loaded(split, "assignments").assignments[0], "B")
    flows.delivered_reply(world, loaded(split, "assignments").assignments[1], "C")
    cohandled = flows.assigned(
        world,
        plan=[(world.unit_b, "lead"), (world.unit_a, "co")],
        title="关于推进义务教育均衡发展的建议",
    )
    overdue = overdue_assigned(world, "关于治理城市噪声扰民的建议", world.unit_c)
    not_filed = flows.submitted(world, title="关于个人住房问题的请求")
    ops.review_proposal(
        world.secretariat,
        not_filed,
        {"decision": "not_file", "reason_code": "personal", "disposition": "letter"},
    )
    merged = flows.submitted(world, proposer=world.member3, title="关于老旧小区加装电梯的建议")
    ops.review_proposal(world.secretariat, merged, {"decision": "merge", "merge_into": key.id})
    withdrawn = flows.submitted(world, title="关于发展夜间经济的建议")
    ops.withdraw_proposal(world.member, withdrawn, "已通过其他渠道反映")
    pending = flows.submitted(world, proposer=world.org, title=INJECTION)
    flows.draft(world, title="关于建设口袋公园的建议")  # a draft never counts
    db.session.commit()
    return {
        "key": key,
        "split": split,
        "cohandled": cohandled,
        "overdue": overdue,
        "not_filed": not_filed,
        "merged": merged,
        "withdrawn": withdrawn,
        "pending": pending,
    }


def read_xlsx(data):
    return load_workbook(io.BytesIO(data))


def sheet_rows(wb, name):
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


# ---------------------------------------------------------------- the list of proposals


def test_period_rows_come_from_one_query_per_batch_with_units_and_ratings_aggregated(year, app):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = list(period_proposal_rows(year=local_date(utcnow()).year, batch=3))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 8  # every received proposal, no draft
    assert len(statements) == 3, statements  # 3 + 3 + 2 rows: three batches, one each
    by_title = {r[3]: r for r in rows}
    split = by_title["关于完善城市排水系统的建议"]
    assert split[-1] == [
        ("split", "市住房和城乡建设局", "B", None),
        ("split", "市财政局", "C", None),
    ]
    key = by_title["关于加快老旧小区改造的建议"]
    assert key[-1] == [("lead", "市住房和城乡建设局", "A", "satisfied")] and key[10] is True
    cohandled = by_title["关于推进义务教育均衡发展的建议"]
    assert [(role, unit) for role, unit, _r, _g in cohandled[-1]] == [
        ("lead", "市财政局"),
        ("co", "市住房和城乡建设局"),
    ]
    assert by_title[INJECTION][5] == "collective" and by_title[INJECTION][6] == "party"


def test_the_list_holds_only_what_was_received_by_the_as_of_date(year, app):
    today = local_date(utcnow())
    rows = {r[3]: r for r in period_proposal_rows(year=today.year, as_of=today - timedelta(days=1))}
    assert rows == {}  # everything was received today: nothing by yesterday's end


# ---------------------------------------------------------------- the workbook


def test_the_workbook_has_five_sheets_and_the_periods_proposals(year, app):
    figures = figures_for()
    out = io.BytesIO()
    annual_xlsx(figures, period_proposal_rows(year=figures["year"]), out)
    wb = read_xlsx(out.getvalue())
    assert wb.sheetnames == SHEETS

    summary = sheet_rows(wb, "汇总")
    assert summary[2][0] == figures["headline"]
    labels = {r[0]: r[1] for r in summary if r and r[0]}
    assert labels["收到提案"] == figures["received"] == 8
    assert labels["立案"] == figures["filed"] == 4
    assert labels["并案"] == 1 and labels["撤案"] == 1 and labels["待审查"] == 1
    assert labels["其中：转为委员来信"] == 1
    assert labels["立案率"] == pytest.approx(figures["filing_rate"])
    assert labels["已测评件次（分母）"] == figures["satisfaction"]["rated"]
    assert "未测评件次" in labels and "满意率（满意与基本满意）" in labels
    rate_cell = next(c for row in wb["汇总"].iter_rows() for c in row if c.value == "立案率")
    assert wb["汇总"].cell(rate_cell.row, 2).number_format == "0.00%"

    assert sheet_rows(wb, "分类")[0] == ["代码", "类别", "收到", "立案", "立案率"]
    units = sheet_rows(wb, "承办单位")
    assert units[0][:7] == [
        "代码",
        "承办单位",
        "交办件次",
        "已签收（件）",
        "已答复（件）",
        "按时答复（件）",
        "送达答复（份）",
    ]
    assert {r[1] for r in units[1:]} >= {"市住房和城乡建设局", "市财政局", "市教育局"}
    keys = sheet_rows(wb, "重点提案")
    assert keys[0][:4] == ["提案号", "案由", "督办领导", "承办单位"]
    assert [r[1] for r in keys[1:]] == ["关于加快老旧小区改造的建议"]

    listing = sheet_rows(wb, "提案清单")
    assert tuple(listing[0]) == list_header()
    assert len(listing) - 1 == figures["received"]
    row = {r[2]: r for r in listing[1:]}
    split = row["关于完善城市排水系统的建议"]
    assert split[10] == "市住房和城乡建设局（分办）、市财政局（分办）"
    assert split[11] == "市住房和城乡建设局：B、市财政局：C"
    assert row["关于加快老旧小区改造的建议"][12] == "市住房和城乡建设局：满意"
    assert row["关于加快老旧小区改造的建议"][0].startswith("第0")
    assert row["关于个人住房问题的请求"][6:8] == ["不予立案", "不予立案"]
    assert row["'" + INJECTION][6:8] == ["待审查", "待审查"]
    assert row["关于完善城市排水系统的建议"][6:8] == ["已立案", "已交办"]


def test_text_cells_that_start_like_a_formula_are_neutralised(year, app):
    figures = figures_for()
    figures = dict(
        figures,
        headline="=1+1",
        key_proposals=[
            {
                "id": 1,
                "number_label": "-1",
                "title": "@SUM(A1)",
                "supervisor": "+2",
                "units": ["=A1"],
                "state": "assigned",
                "replied": False,
                "overdue": True,
                "rating": None,
            }
        ],
    )
    out = io.BytesIO()
    annual_xlsx(figures, period_proposal_rows(year=figures["year"]), out)
    wb = read_xlsx(out.getvalue())
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t[0] in "=+-@"]
    assert "'" + INJECTION in texts and "'=1+1" in texts and "'@SUM(A1)" in texts


# the Word section (提案工作情况) is an official document: tests/documents/test_annual.py


# ---------------------------------------------------------------- the API files


@pytest.mark.parametrize(
    "fmt, mimetype, magic",
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
    ],
)
def test_the_secretariat_downloads_the_report_files(year, api, world, fmt, mimetype, magic):
    resp = api(world.secretariat).get(f"/stats/annual.{fmt}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == mimetype
    assert resp.data.startswith(magic)
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    stem = "提案工作统计" if fmt == "xlsx" else "提案工作情况"  # the Word file: the section
    assert name.startswith(stem) and name.endswith(f".{fmt}")
    if fmt == "xlsx":
        listing = sheet_rows(read_xlsx(resp.data), "提案清单")
        assert len(listing) - 1 == 8


def test_the_report_files_take_the_period_parameters(year, api, world):
    client = api(world.secretariat)
    last_year = local_date(utcnow()).year - 1
    resp = client.get(f"/stats/annual.xlsx?year={last_year}")
    assert resp.status_code == 200
    assert len(sheet_rows(read_xlsx(resp.data), "提案清单")) == 1  # the header alone
    resp = client.get(f"/stats/annual.xlsx?session={world.session.id}")
    assert resp.status_code == 200
    assert len(sheet_rows(read_xlsx(resp.data), "提案清单")) - 1 == 8
    bad = client.get("/stats/annual.docx?as_of=yesterday")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "validation_error"
    assert "as_of" in bad.get_json()["error"]["fields"]


@pytest.mark.parametrize("who", ["member", "clerk_a", "head_b", "admin", "org"])
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_no_one_else_gets_the_report_files(world, api, who, fmt):
    resp = api(getattr(world, who)).get(f"/stats/annual.{fmt}")
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"


def test_the_report_files_need_a_token(world, api):
    resp = api().get("/stats/annual.xlsx")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthenticated"


# ---------------------------------------------------------------- the dashboard


def unit_order(page):
    table = page.split('data-testid="unit-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-unit="([^"]+)"', table)


def test_the_dashboard_shows_the_headline_figures_and_charts_without_scripts(year, web, world):
    resp = web(world.secretariat).get("/stats")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page
    figures = figures_for()
    assert figures["headline"] in page
    assert 'data-testid="card-received"' in page
    for chart in ("category", "unit", "results", "satisfaction", "monthly"):
        assert '<svg class="chart' in page and f'data-testid="chart-{chart}"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script"
    assert not re.search(r"\son[a-z]+=", page), "no inline event handler"
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched from outside
    assert 'data-testid="comparison"' in page  # the previous year beside this one
    assert "/stats/annual.xlsx" in page and "/stats/annual.docx" in page
    assert "关于加快老旧小区改造的建议" in page  # the key proposal
    assert 'href="/stats"' in page  # the nav entry


def test_the_dashboard_sorts_the_unit_table_on_the_server(year, web, world):
    client = web(world.secretariat)
    units = {u["code"]: u for u in figures_for()["by_department"]}
    assert len({u["overdue"] for u in units.values()}) > 1  # the sort has something to do
    page = client.get("/stats?sort=overdue").get_data(as_text=True)
    order = unit_order(page)
    assert [units[c]["overdue"] for c in order] == sorted(
        (units[c]["overdue"] for c in order), reverse=True
    )
    assert order[0] == "JYJ"  # the overdue unit first
    ascending = unit_order(client.get("/stats?sort=overdue&order=asc").get_data(as_text=True))
    assert ascending[-1] == "JYJ"
    rated = [c for c in units if units[c]["on_time_rate"] is not None]
    by_rate = unit_order(client.get("/stats?sort=on_time").get_data(as_text=True))
    assert by_rate[: len(rated)] == sorted(
        rated, key=lambda c: (units[c]["on_time_rate"], c), reverse=True
    )
    assert set(by_rate) == set(units)


def test_the_dashboard_takes_a_year_a_session_and_a_date(year, web, world):
    client = web(world.secretariat)
    this_year = local_date(utcnow()).year
    assert client.get(f"/stats?year={this_year - 1}").status_code == 200
    assert client.get(f"/stats?session={world.session.id}").status_code == 200
    page = client.get(f"/stats?as_of={local_date(utcnow()).isoformat()}")
    assert page.status_code == 200
    bad = client.get("/stats?as_of=31.12.2025")
    assert bad.status_code == 400 and "日期应为 YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_dashboard_downloads_the_files_in_a_browser(year, web, world):
    client = web(world.secretariat)
    resp = client.get("/stats/annual.docx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]


@pytest.mark.parametrize("who", ["member", "clerk_a", "head_a", "admin"])
@pytest.mark.parametrize("path", ["/stats", "/stats/annual.xlsx", "/stats/annual.docx"])
def test_only_the_secretariat_sees_the_dashboard(world, web, who, path):
    resp = web(getattr(world, who)).get(path)
    assert resp.status_code == 403
    assert 'href="/stats"' not in web(getattr(world, who)).get("/").get_data(as_text=True)


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("fmt, magic", [("xlsx", b"PK"), ("docx", b"PK")])
def test_the_cli_writes_the_report_files(year, runner, tmp_path, fmt, magic):
    target = tmp_path / f"report.{fmt}"
    result = runner.invoke(args=["stats", "annual", "--format", fmt, "--output", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(magic)
    if fmt == "xlsx":
        assert len(sheet_rows(read_xlsx(data), "提案清单")) - 1 == 8
    else:
        assert len(Document(io.BytesIO(data)).tables) == 5
