"""Per-unit figures that read right: a unit's items replied on time never exceed its items
replied (a re-handled item has two reply letters but is one item), and the Word report lists
every unit, not the first ten."""

import io
from datetime import date, datetime, time

from docx import Document
from openpyxl import load_workbook

from proposals.committee.calendar import LOCAL_TZ
from proposals.documents.service import annual_docx
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.stats import annual_figures
from proposals.stats.exports import annual_xlsx, period_proposal_rows
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

YEAR = 2025


def at(day, hour=10):
    return datetime.combine(date.fromisoformat(f"{YEAR}-{day}"), time(hour), tzinfo=LOCAL_TZ)


def filed_and_assigned(world, title, day, plan):
    p = ops.create_proposal(world.member, world.content(title=title), now=at(day, 8))
    ops.submit_proposal(world.member, p, now=at(day, 9))
    ops.review_proposal(world.secretariat, p, {"decision": "file"}, now=at(day, 10))
    ops.assign_proposal(
        world.secretariat, p, [{"code": d.code, "role": r} for d, r in plan], now=at(day, 11)
    )
    return p


def reply(world, a, day, result="A"):
    data = {"result": result, "text": "答复正文。", "signer": "局长", "contact": "赵某"}
    r = hops.draft_reply(world.clerk_a, a, data, now=at(day, 9))
    hops.signoff_reply(world.head_a, r, {"approve": True}, now=at(day, 11))
    hops.review_reply(world.secretariat, r, {"approve": True}, now=at(day, 15))
    return r


def rehandled(world, title, first_day, second_day):
    """Assigned to unit A on 02-03 (due 05-03), replied on ``first_day``, rated unsatisfied
    three days later (re-handling due three months on), replied again on ``second_day``."""
    p = filed_and_assigned(world, title, "02-03", [(world.unit_a, "lead")])
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=at("02-04"))
    hops.record_contact(
        world.clerk_a,
        a,
        {"mode": "phone", "date": f"{YEAR}-02-05", "summary": "沟通"},
        now=at("02-05"),
    )
    first = reply(world, a, first_day, "C")
    rate_day = f"{first_day[:3]}{int(first_day[3:]) + 2:02d}"
    hops.rate_reply(
        world.member, first, {"rating": "unsatisfied", "comment": "不满意"}, now=at(rate_day, 16)
    )
    reply(world, a, second_day, "A")
    return p


def test_a_units_on_time_items_never_exceed_its_replied_items(world):
    rehandled(world, "关于按时两次答复的建议", "04-10", "06-10")  # both letters on time
    rehandled(world, "关于先迟后按时答复的建议", "05-20", "07-10")  # the first late (due 05-03)
    db.session.commit()
    figures = annual_figures(year=YEAR, as_of=date(YEAR, 12, 31))
    unit = next(u for u in figures["by_department"] if u["code"] == world.unit_a.code)
    assert (unit["replied"], unit["replies_delivered"]) == (2, 4)
    assert unit["on_time"] <= unit["replied"]
    # an item is on time when each of its replies was: the one with a late first reply is not
    assert (unit["on_time"], unit["on_time_rate"]) == (1, 0.5)
    # the letters, in total: four delivered, three of them on time
    assert (figures["replies_delivered"], figures["replies_on_time"]) == (4, 3)
    assert figures["on_time_rate"] == 0.75

    out = io.BytesIO()
    annual_xlsx(figures, period_proposal_rows(year=YEAR, as_of=date(YEAR, 12, 31)), out)
    rows = [list(r) for r in load_workbook(io.BytesIO(out.getvalue()))["承办单位"].values]
    header, row = rows[0], next(r for r in rows[1:] if r[0] == world.unit_a.code)
    assert row[header.index("已答复（件）")] == 2
    assert row[header.index("按时答复（件）")] == 1
    assert row[header.index("送达答复（份）")] == 4


def test_the_word_report_lists_every_unit(world, make):
    units = [make.department(f"测试承办单位{n:02d}", f"U{n:02d}") for n in range(12)]
    filed_and_assigned(world, "关于十二个单位办理的建议", "03-03", [(u, "lead") for u in units])
    db.session.commit()
    figures = annual_figures(year=YEAR, as_of=date(YEAR, 12, 31))
    assert figures["units_involved"] == 12
    tables = Document(io.BytesIO(annual_docx(figures))).tables
    table = next(t for t in tables if t.rows[0].cells[0].text == "承办单位")
    header = [c.text for c in table.rows[0].cells]
    assert "按时答复（件）" in header and "已答复（件）" in header
    names = [r.cells[0].text for r in table.rows[1:]]
    assert sorted(names) == sorted(u.name for u in units)
