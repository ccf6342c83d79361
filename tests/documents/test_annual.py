"""提案工作情况, the section of the annual work report: built from the figures of
/stats/annual, read back from the Word file (the API's, the page's and the CLI's are the same
document)."""

import re
from decimal import Decimal
from urllib.parse import unquote

import pytest

from proposals.documents.kinds import annual
from proposals.extensions import db
from proposals.stats import annual_figures

from .. import flows
from ..stats.test_exports import year  # noqa: F401  (the year with every case a report shows)
from .helpers import assert_official_page, body, leftover_tags, read, spaced, table_with


def section(api, world, query=""):
    resp = api(world.secretariat).get(f"/stats/annual.docx{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp, read(resp.data)


def added(rows, column):
    """The sum of a column of percentages (the header row left out)."""
    return sum(Decimal(r[column].rstrip("%")) for r in rows[1:])


def test_the_section_is_an_official_document_of_the_figures(year, api, world):  # noqa: F811
    resp, doc = section(api, world)
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", resp.headers["Content-Disposition"])[1])
    assert name.startswith("提案工作情况-") and name.endswith("年.docx")
    assert_official_page(doc)
    assert not spaced(doc), spaced(doc)
    assert not leftover_tags(doc), leftover_tags(doc)
    figures = annual_figures()
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "提案工作情况"
    headline = figures["headline"].replace(" ", "")
    assert headline in paragraphs and headline.startswith("一年来，共接受提案")
    text = body(doc)
    assert f"共收到提案{figures['received']}件" in text
    assert f"立案{figures['filed']}件，并案{figures['merged']}件" in text
    assert f"不予立案{figures['not_filed']}件（其中" in text
    # the headings the office writes under, each followed by an empty paragraph
    for heading in ("二、主要做法", "三、存在问题", "四、下一步工作"):
        at = paragraphs.index(heading)
        assert paragraphs[at + 1] == ""
    assert doc.paragraphs[paragraphs.index("二、主要做法")].style.name == "一级标题"
    # every table in 表格文字
    assert {p.style.name for t in doc.tables for c in t.rows[0].cells for p in c.paragraphs} == {
        "表格文字"
    }


def test_shares_of_a_whole_add_up_to_one_hundred(year, api, world):  # noqa: F811
    _resp, doc = section(api, world)
    categories = table_with(doc, "类别")
    kinds = table_with(doc, "提案形式")
    results = table_with(doc, "答复结果")
    for rows, column in ((categories, 3), (kinds, 2), (results, 2)):
        assert all(re.fullmatch(r"\d+\.\d%", r[column]) for r in rows[1:]), rows
        assert added(rows, column) == Decimal("100.0"), rows
    assert [r[0] for r in kinds[1:]] == ["个人提案", "联名提案", "集体提案"]
    assert [r[0][:2] for r in results[1:]] == ["A类", "B类", "C类"]
    assert results[1][0] == "A类（已解决或采纳）"


def test_every_unit_is_in_the_section(world, api, make):
    units = [make.department(f"测试承办单位{n:02d}", f"U{n:02d}") for n in range(12)]
    for unit in units:
        flows.assigned(world, plan=[(unit, "lead")], title=f"关于{unit.name}办理事项的建议")
    db.session.commit()
    _resp, doc = section(api, world)
    rows = table_with(doc, "承办单位")
    assert rows[0] == [
        "承办单位",
        "交办件次",
        "已答复（件）",
        "按时答复（件）",
        "逾期未答复（件）",
        "满意率",
    ]
    assert sorted(r[0] for r in rows[1:]) == sorted(u.name for u in units)


def test_a_session_opens_with_the_session(world, api):
    flows.replied(world)
    _resp, doc = section(api, world, f"?session={world.session.id}")
    paragraphs = [p.text for p in doc.paragraphs]
    assert "（政协第十届第一次会议）" in paragraphs
    assert any(p.startswith("政协第十届第一次会议以来，共接受提案1件") for p in paragraphs)


def test_key_and_excellent_proposals_are_listed(year, api, world):  # noqa: F811
    _resp, doc = section(api, world)
    keys = table_with(doc, "提案号")
    assert keys[0] == ["提案号", "案由", "承办单位", "办理进展"]
    assert keys[1][1] == "关于加快老旧小区改造的建议" and keys[1][3] == "已办复"
    # nothing recognised yet: said in words, no empty table
    text = body(doc)
    assert "优秀提案：尚无评定。" in text and "先进承办单位：尚无评定。" in text


def test_the_figures_reach_the_section_as_the_old_report_had_them(year):  # noqa: F811
    """The satisfaction basis and the result codes with the committee's wording."""
    figures = annual_figures()
    fields = annual.context(figures)
    assert fields["summary"][2].startswith("满意率按第一提案人测评计")
    assert [r["label"] for r in fields["results"]] == [
        "A类（已解决或采纳）",
        "B类（正在解决或列入计划）",
        "C类（因条件限制留作参考）",
    ]


@pytest.mark.parametrize("who", ["member", "clerk_a", "admin"])
def test_only_the_secretariat_gets_the_section(world, api, web, who):
    user = getattr(world, who)
    resp = api(user).get("/stats/annual.docx")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert web(user).get("/stats/annual.pdf").status_code == 403


def test_the_statistics_page_and_the_cli_give_the_same_section(year, web, world, runner, tmp_path):  # noqa: F811,E501
    page = web(world.secretariat).get("/stats").get_data(as_text=True)
    assert "/stats/annual.docx" in page and "/stats/annual.pdf" in page
    resp = web(world.secretariat).get("/stats/annual.docx")
    assert resp.status_code == 200
    assert [p.text for p in read(resp.data).paragraphs][0] == "提案工作情况"
    target = tmp_path / "section.docx"
    result = runner.invoke(args=["stats", "annual", "--format", "docx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "二、主要做法" in [p.text for p in read(target.read_bytes()).paragraphs]
