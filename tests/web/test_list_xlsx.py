"""The list pages' Excel exports: the same columns and rows as their CSV, per person, with the
filters, and text that a spreadsheet cannot run as a formula."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from proposals.committee.calendar import utcnow
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_xlsx(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == XLSX
    assert ".xlsx" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    sheet = book.worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def read_csv(resp):
    return list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))


def as_text(value):
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)


def overdue_assigned(world, title, unit=None):
    p = flows.filed(world, title=title)
    ops.assign_proposal(
        world.secretariat,
        p,
        [{"code": (unit or world.unit_a).code, "role": "lead"}],
        now=utcnow() - timedelta(days=120),
    )
    db.session.commit()
    return p


def test_assignment_xlsx_has_the_csv_columns_and_rows_for_a_unit(world, web):
    late = overdue_assigned(world, "关于治理噪声扰民的建议")
    flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于发展夜间经济的建议")
    client = web(world.clerk_a)
    rows = read_xlsx(client.get("/assignments.xlsx"))
    assert rows[0][:4] == ["交办编号", "提案号", "案由", "承办单位"]
    assert len(rows) == 2, rows
    a = loaded(late, "assignments").assignments[0]
    assert rows[1][0] == a.id and rows[1][2] == late.title and rows[1][3] == "市住房和城乡建设局"
    assert as_text(rows[1][9]) == a.reply_due.isoformat() and rows[1][-1].startswith("逾期")
    # one source of the columns: the CSV holds the same header and cells
    csv_rows = read_csv(client.get("/assignments.csv"))
    assert csv_rows[0] == rows[0]
    assert [as_text(v) for v in rows[1]] == csv_rows[1]


def test_assignment_xlsx_keeps_the_filters_and_the_secretariats_scope(world, web):
    overdue_assigned(world, "关于治理噪声扰民的建议")
    flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于发展夜间经济的建议")
    sec = web(world.secretariat)
    assert [r[3] for r in read_xlsx(sec.get("/assignments.xlsx?overdue=false"))[1:]] == ["市财政局"]
    assert len(read_xlsx(sec.get("/assignments.xlsx"))) == 3
    assert read_xlsx(web(world.member).get("/assignments.xlsx"))[1:] == []
    bad = sec.get("/assignments.xlsx?state=bogus")
    assert bad.status_code == 400 and "未知的状态" in bad.get_data(as_text=True)


def test_assignment_xlsx_neutralises_formula_cells(world, web):
    flows.assigned(world, title='=HYPERLINK("http://evil")关于')
    rows = read_xlsx(web(world.secretariat).get("/assignments.xlsx"))
    assert rows[1][2] == '\'=HYPERLINK("http://evil")关于'


def test_proposal_xlsx_matches_its_csv(world, web):
    flows.submitted(world, title="关于发展夜间经济的建议")
    filed = flows.assigned(world, title="关于治理噪声扰民的建议")
    client = web(world.secretariat)
    rows = read_xlsx(client.get("/proposals.xlsx?state=assigned"))
    assert rows[0][:4] == ["编号", "提案号", "收件号", "案由"]
    assert len(rows) == 2 and rows[1][0] == filed.id and rows[1][3] == filed.title
    assert [as_text(v) for v in rows[1]] == read_csv(client.get("/proposals.csv?state=assigned"))[1]


def test_the_list_pages_offer_the_excel_button_beside_the_csv(world, web):
    flows.assigned(world, title="关于治理噪声扰民的建议")
    clerk = web(world.clerk_a).get("/assignments?state=pending").get_data(as_text=True)
    assert 'data-testid="xlsx-export"' in clerk and "/assignments.xlsx?state=pending" in clerk
    sec = web(world.secretariat).get("/proposals?state=assigned").get_data(as_text=True)
    assert 'data-testid="xlsx-export"' in sec and "/proposals.xlsx?state=assigned" in sec
