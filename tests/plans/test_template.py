"""GET /api/v1/assignment-plans/template.xlsx: the filed proposals waiting for assignment, one a
line under the header, with their session, number, title and suggested units; the unit columns
left to fill; and the sheet, filled in, reads back as a plan."""

from io import BytesIO

from openpyxl import load_workbook

from proposals.extensions import db

from .. import flows
from .helpers import HEADER, read_xlsx, states, upload


def test_the_template_lists_the_filed_proposals_waiting_for_assignment(world, api):
    first = flows.filed(
        world, title="关于完善社区养老服务的建议", suggested_departments=["CZJ", "JYJ"]
    )
    second = flows.filed(world, title="关于加强校园周边交通管理的建议")
    flows.submitted(world, title="关于尚未审查的建议")
    flows.assigned(world, title="关于已经交办的建议")
    world.unit_c.active = False  # an inactive unit is not offered
    db.session.commit()

    resp = api(world.secretariat).get("/assignment-plans/template.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in resp.headers["Content-Disposition"]
    sheets = read_xlsx(resp.data)
    titles = list(sheets)
    assert titles[0] == "交办方案", titles  # the plan is the first sheet
    lines = sheets["交办方案"]
    assert list(lines[0]) == HEADER
    label = world.session.label
    assert lines[1:] == [
        (label, f"{first.number:04d}", first.title, "市财政局、市教育局", None, None, None, None),
        (label, f"{second.number:04d}", second.title, None, None, None, None, None),
    ]
    units = sheets["承办单位"]
    assert units[0] == ("单位代码", "单位名称")
    assert sorted(units[1:]) == [("CZJ", "市财政局"), ("ZJJ", "市住房和城乡建设局")]


def test_the_template_filled_in_reads_back_and_applies(world, api):
    one = flows.filed(world)
    two = flows.filed(world, title="关于加强校园周边交通管理的建议")
    sec = api(world.secretariat)
    book = load_workbook(BytesIO(sec.get("/assignment-plans/template.xlsx").data))
    sheet = book["交办方案"]
    sheet["E2"] = "ZJJ"  # 主办单位 of the first
    sheet["F2"] = "市财政局"  # 会办单位
    sheet["G3"] = "CZJ、JYJ"  # 分办单位 of the second
    book.active = 2  # saved while looking at the instructions: the plan is still found
    out = BytesIO()
    book.save(out)

    resp = upload(sec, out.getvalue())
    assert resp.status_code == 201, resp.get_json()
    plan = resp.get_json()
    assert plan["errors"] == []
    assert [(r["row"], r["proposal_id"], r["lead"], r["co"], r["split"]) for r in plan["rows"]] == [
        (2, one.id, "ZJJ", ["CZJ"], []),
        (3, two.id, None, [], ["CZJ", "JYJ"]),
    ]
    assert sec.post(f"/assignment-plans/{plan['id']}/apply").status_code == 200
    assert states(one, two) == ["assigned", "assigned"]
