"""Result codes (答复结果代码) and their wording as the committee writes them: a D code added
in the settings is offered, reviewed, delivered, shown with its wording on every page and
answer, counted in the figures and laid out in both report files; a code dropped from the
settings after use still shows in the reports."""

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from proposals.committee import service as committee
from proposals.committee import settings as committee_settings
from proposals.documents.service import annual_docx
from proposals.errors import ValidationError
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.stats import annual_figures
from proposals.stats.exports import annual_xlsx, period_proposal_rows
from proposals.workflow.core import loaded

from .. import flows
from ..search.test_similar import WATER, WATER_DRAFT

D_WORDING = "因条件限制暂不能解决"
WITH_D = {
    "result_codes": "A,B,C,D",
    "result_code_labels": f"已解决或采纳,正在解决或列入计划,因条件限制留作参考,{D_WORDING}",
}


def test_the_codes_and_their_wordings_are_settings_of_the_same_length(ctx):
    assert committee_settings.result_labels() == {
        "A": "已解决或采纳",
        "B": "正在解决或列入计划",
        "C": "因条件限制留作参考",
    }
    for key, value in WITH_D.items():  # one alone would leave a code without its wording
        with pytest.raises(ValidationError) as exc:
            committee_settings.set_value(key, value)
        assert key in exc.value.fields
    db.session.rollback()
    committee.update_settings(WITH_D)  # together, in either order
    assert committee_settings.result_labels()["D"] == D_WORDING
    assert list(committee_settings.result_labels()) == ["A", "B", "C", "D"]


@pytest.fixture()
def d_reply(world, web):
    """A D reply drafted (the unit's form offers D with its wording), reviewed (so does the
    secretariat's form) and delivered."""
    committee.update_settings(WITH_D)
    db.session.commit()
    p = flows.handling(world, proposer=world.member2, **WATER)
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    db.session.commit()
    form = web(world.clerk_a).get(f"/assignments/{a.id}/reply").get_data(as_text=True)
    assert f"D · {D_WORDING}" in form
    data = {"result": "D", "text": "答复正文：逐条答复如下。", "signer": "局长", "contact": "赵某"}
    reply = hops.draft_reply(world.clerk_a, a, data)
    hops.signoff_reply(world.head_a, reply, {"approve": True})
    db.session.commit()
    review = web(world.secretariat).get(f"/replies/{reply.id}/review").get_data(as_text=True)
    assert f"D · {D_WORDING}" in review
    hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.commit()
    assert reply.state == "delivered" and reply.result == "D"
    return p, reply


def test_a_d_reply_is_shown_with_its_wording(world, web, api, d_reply):
    p, reply = d_reply
    page = web(world.member2).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f"D · {D_WORDING}" in page
    answer = api(world.member2).get(f"/replies/{reply.id}").get_json()
    assert (answer["result"], answer["result_label"]) == ("D", D_WORDING)
    r = api(world.member2).get("/proposals/similar", query_string=WATER_DRAFT)
    assert r.status_code == 200, r.get_data(as_text=True)
    found = {i["id"]: i for i in r.get_json()["items"]}[p.id]
    assert [(x["result"], x["result_label"]) for x in found["replies"]] == [("D", D_WORDING)]


def report_files(figures):
    xlsx = io.BytesIO()
    annual_xlsx(figures, period_proposal_rows(year=figures["year"]), xlsx)
    return load_workbook(io.BytesIO(xlsx.getvalue())), Document(io.BytesIO(annual_docx(figures)))


def assert_d_in_reports(figures, world, label):
    wb, doc = report_files(figures)
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary[label] == 1
    units = [list(r) for r in wb["承办单位"].iter_rows(values_only=True)]
    header = units[0]
    codes = [h for h in header if isinstance(h, str) and h[:1] in "ABCD" and "类" in h]
    assert [c[0] for c in codes] == ["A", "B", "C", "D"]
    row = next(r for r in units[1:] if r[1] == world.unit_a.name)
    assert row[header.index(codes[3])] == 1
    # the Word section writes official text: "D类（…）"
    results = next(t for t in doc.tables if t.rows[0].cells[0].text == "答复结果")
    official = label.replace(" ", "")
    handling = {r.cells[0].text: r.cells[1].text for r in results.rows}
    assert handling[official] == "1"
    rows = [r.cells[0].text for r in results.rows]
    assert rows.index(official) > max(rows.index(x) for x in rows if x.startswith("C类"))


def test_a_d_reply_is_counted_and_laid_out_in_both_report_files(world, d_reply):
    figures = annual_figures()
    assert figures["results"] == {"A": 0, "B": 0, "C": 0, "D": 1}
    unit = next(u for u in figures["by_department"] if u["code"] == world.unit_a.code)
    assert unit["results"]["D"] == 1
    assert_d_in_reports(figures, world, f"D 类（{D_WORDING}）")


def test_a_code_dropped_from_the_settings_after_use_stays_in_the_reports(world, d_reply):
    committee.update_settings(
        {
            "result_codes": "A,B,C",
            "result_code_labels": "已解决或采纳,正在解决或列入计划,因条件限制留作参考",
        }
    )
    db.session.commit()
    figures = annual_figures()
    assert list(figures["results"]) == ["A", "B", "C", "D"] and figures["results"]["D"] == 1
    assert_d_in_reports(figures, world, "D 类")
