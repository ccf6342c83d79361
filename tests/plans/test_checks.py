"""POST /api/v1/assignment-plans: every row of the uploaded sheet is checked and each problem is
named with the sheet's own line number (the header is line 1); the plan is kept, errors and
all, and nothing is assigned. A file that cannot be read at all gets one clear error and keeps
nothing."""

import io

import pytest
from openpyxl import Workbook

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import add_months
from proposals.extensions import db
from proposals.plans.models import AssignmentPlan
from proposals.plans.service import MAX_BYTES

from .. import flows
from .helpers import later, plans_count, row, states, today, upload, xlsx


def errors_by_row(body):
    out = {}
    for error in body["errors"]:
        out.setdefault(error["row"], []).append(error["message"])
    return out


def test_each_check_names_its_row(world, api, make):
    ps = [flows.filed(world, title=f"关于交办方案检查的建议（{i}）") for i in range(14)]
    taken = flows.assigned(world, title="关于已经交办的建议")
    old = make.department("市撤销局", "OLD")
    old.active = False
    db.session.commit()
    limit = add_months(today(), committee_settings.get("extension_max_months"))
    lines = [
        row(ps[0], lead="ZJJ"),  # 2: fine
        row(ps[1], lead="XYZ"),  # 3: unknown unit
        row(ps[2], lead="OLD"),  # 4: inactive unit
        row(number="0999", lead="ZJJ"),  # 5: no such number
        row(taken, lead="ZJJ"),  # 6: already assigned
        row(ps[0], lead="CZJ"),  # 7: the same proposal as line 2
        row(ps[3], lead="ZJJ", co="市住房和城乡建设局"),  # 8: a unit twice (code, then name)
        row(ps[4], lead="ZJJ", split="CZJ、JYJ"),  # 9: lead and split
        row(ps[5], co="CZJ"),  # 10: co without lead
        row(ps[6]),  # 11: no unit at all
        row(ps[7], lead="ZJJ", due="下个月"),  # 12: not a date
        row(ps[8], lead="ZJJ", due=today().isoformat()),  # 13: not after today
        [None] * 8,  # 14: empty, skipped
        row(ps[9], lead="ZJJ", due=limit.isoformat()),  # 15: due on the last day allowed
        row(ps[10], lead="ZJJ", due=later(400)),  # 16: beyond the extension limit
        row(ps[11], lead="ZJJ；CZJ"),  # 17: two leads
        row(ps[12], split="CZJ"),  # 18: one split unit
        row(ps[13], lead="ZJJ", co="CZJ", number="第12a号"),  # 19: not a number
    ]
    resp = upload(api(world.secretariat), xlsx(lines))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    got = errors_by_row(body)

    def only(line, *phrases):
        assert len(got.get(line, [])) == 1, (line, got.get(line))
        for phrase in phrases:
            assert phrase in got[line][0], (line, got[line])

    assert 2 not in got and 15 not in got  # line 15 is due exactly at the limit: allowed
    only(3, "单位“XYZ”不存在")
    only(4, "单位“市撤销局”已停用")
    only(5, "没有第0999号提案")
    only(6, f"第{taken.number:04d}号提案当前为“已交办”")
    only(7, "已在第 2 行出现")
    only(8, "单位“市住房和城乡建设局”在本行出现了不止一次")
    only(9, "不能同时填写主办单位和分办单位")
    only(10, "填写会办单位时须有一个主办单位")
    only(11, "没有填写承办单位")
    only(12, "答复期限“下个月”不是日期")
    only(13, f"答复期限 {today().isoformat()} 应在今天")
    only(16, f"晚于 {limit.isoformat()}")
    only(17, "主办单位只能填一个")
    only(18, "分办须有两个或以上单位")
    only(19, "提案号“第12a号”无效")
    assert set(got) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19}
    assert 14 not in [r["row"] for r in body["rows"]]  # the empty line is skipped
    assert [r["row"] for r in body["rows"]] == [*range(2, 14), *range(15, 20)]
    assert body["applicable"] is False
    # the plan is kept as checked; nothing is assigned
    plan = db.session.get(AssignmentPlan, body["id"])
    assert plan.errors == body["errors"] and plan.applied_at is None
    assert set(states(*ps)) == {"filed"}


def test_units_by_code_or_name_with_any_separator_and_sessions_by_label(world, api, make):
    previous = make.session(year=today().year - 1, current=False)
    p = flows.filed(world)
    q = flows.filed(world, title="关于加强校园周边交通管理的建议")
    r = flows.filed(world, title="关于发展夜间经济的建议")
    extra = make.department("市民政局", "MZJ")
    db.session.commit()
    label = world.session.label
    lines = [
        row(p, lead="zjj", co="市财政局；JYJ;MZJ", session=label),
        row(q, split="CZJ，市教育局,MZJ、ZJJ", due=later(30), session="十届一次"),
        row(r, lead="ＪＹＪ", session=f"第10届第{world.session.meeting}次会议"),
        row(number=f"第{p.number:04d}号", lead="ZJJ", session=previous.label),
    ]
    body = upload(api(world.secretariat), xlsx(lines)).get_json()
    assert errors_by_row(body) == {5: [f"{previous.label}没有第{p.number:04d}号提案"]}
    rows = {r_["row"]: r_ for r_ in body["rows"]}
    assert (rows[2]["lead"], rows[2]["co"]) == ("ZJJ", ["CZJ", "JYJ", extra.code])
    assert rows[3]["split"] == ["CZJ", "JYJ", "MZJ", "ZJJ"]
    assert rows[3]["due_date"] == later(30)
    assert (rows[4]["proposal_id"], rows[4]["lead"]) == (r.id, "JYJ")


def test_dates_as_excel_dates_and_in_chinese_writing(world, api):
    from datetime import date as day

    p, q = flows.filed(world), flows.filed(world, title="关于加强校园周边交通管理的建议")
    due = day.fromisoformat(later(20))
    lines = [
        row(p, lead="ZJJ", due=due),  # an Excel date cell
        row(q, lead="CZJ", due=f"{due.year}年{due.month}月{due.day}日"),
    ]
    body = upload(api(world.secretariat), xlsx(lines)).get_json()
    assert body["errors"] == []
    assert [r["due_date"] for r in body["rows"]] == [due.isoformat(), due.isoformat()]


def test_a_csv_sheet_in_utf8_or_gbk(world, api):
    p = flows.filed(world)
    text = f"提案号,主办单位,会办单位\n{p.number:04d},市住房和城乡建设局,CZJ\n,,\n0999,ZJJ,\n"
    for encoding in ("utf-8-sig", "gb18030"):
        resp = upload(api(world.secretariat), text.encode(encoding), "方案.csv")
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert [r["row"] for r in body["rows"]] == [2, 4]
        assert errors_by_row(body) == {4: [f"{world.session.label}没有第0999号提案"]}


def unreadable_cases():
    book = Workbook()
    book.active.append(["提案号", "会办单位"])
    book.active.append(["0001", "ZJJ"])
    no_lead = io.BytesIO()
    book.save(no_lead)
    twice = Workbook()
    twice.active.append(["提案号", "主办单位", "主办单位"])
    twice.active.append(["0001", "ZJJ", "CZJ"])
    twice_out = io.BytesIO()
    twice.save(twice_out)
    return [
        ("plan.xlsx", b"this is not a spreadsheet", "不是有效的 .xlsx 文件"),
        ("plan.xls", b"\xd0\xcf\x11\xe0old excel", "另存为 .xlsx"),
        ("plan.pdf", b"%PDF-1.4", "只支持 .xlsx 或 .csv 文件"),
        ("plan.xlsx", b"", "文件是空的"),
        ("plan.xlsx", no_lead.getvalue(), "缺少列：主办单位"),
        ("plan.xlsx", twice_out.getvalue(), "列“主办单位”出现了两次"),
        ("plan.xlsx", xlsx([]), "没有要交办的提案"),
        ("plan.csv", "提案号,主办单位\n".encode() + b"\xff\xfe\x00bad", "无法读取 CSV 文件"),
    ]


@pytest.mark.parametrize("case", range(len(unreadable_cases())))
def test_a_file_that_cannot_be_read_gets_one_clear_error_and_keeps_nothing(world, api, case):
    name, content, phrase = unreadable_cases()[case]
    resp = upload(api(world.secretariat), content, name)
    assert resp.status_code == 400, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and list(error["fields"]) == ["file"]
    assert phrase in error["message"], error["message"]
    assert plans_count() == 0


def test_too_large_a_file_or_no_file_at_all(world, api):
    sec = api(world.secretariat)
    resp = upload(sec, b"x" * (MAX_BYTES + 1), "plan.csv")
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"
    resp = sec.post("/assignment-plans", {"file": "plan.xlsx"})  # JSON, not an upload
    assert resp.status_code == 400 and "file" in resp.get_json()["error"]["fields"]
    assert plans_count() == 0


def test_the_header_may_be_in_english_keys(world, api):
    p = flows.filed(world)
    content = xlsx([[f"{p.number:04d}", "ZJJ"]], header=["number", "lead"])
    body = upload(api(world.secretariat), content).get_json()
    assert body["errors"] == [] and body["rows"][0]["proposal_id"] == p.id
