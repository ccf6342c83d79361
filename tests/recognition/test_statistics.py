"""The year's recognition in the statistics (docs/domain.md §6, §9): the figures, the JSON, the
text report, the Excel workbook, the Word document and the statistics page list the awarded
excellent proposals and outstanding units, with who decided and when, and never a nomination
declined, still open, or decided after the as-of date."""

import io
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from proposals.committee.calendar import local_date, utcnow
from proposals.stats import annual_figures

from .helpers import Year

AWARDED = "关于加快老旧小区改造的建议"
DECLINED = "关于推进垃圾分类的建议"
PENDING = "关于完善社区养老服务的建议"


@pytest.fixture()
def year(world):
    """Awarded: the first proposal and ZJJ; declined: the second and JYJ; open: the third and
    CZJ."""
    y = Year(world)
    y.decide(y.nominate(y.handled), True, "同意")
    y.decide(y.nominate(y.second), False, "暂不评定")
    y.nominate(y.filed)
    y.decide(y.nominate(world.unit_a), True)
    y.decide(y.nominate(world.unit_c), False)
    y.nominate(world.unit_b)
    return y


def test_the_figures_list_the_awarded_ones_only(year, world):
    found = annual_figures(year=year.year)["recognitions"]
    assert [
        (p["number_label"], p["title"], p["proposer"], p["decided_by"]) for p in found["proposals"]
    ] == [("第0001号", AWARDED, "张委员", world.secretariat.name)]
    assert found["proposals"][0]["id"] == year.handled.id
    assert found["proposals"][0]["decided_at"].endswith("+08:00")
    assert [(d["code"], d["name"]) for d in found["departments"]] == [("ZJJ", "市住房和城乡建设局")]
    assert annual_figures(year=year.year - 1)["recognitions"] == {
        "proposals": [],
        "departments": [],
    }


def test_a_decision_after_the_as_of_date_is_not_yet_counted(world):
    y = Year(world)
    earlier = utcnow() - timedelta(days=3)
    y.decide(y.nominate(y.handled), True, now=earlier)
    on_the_day = annual_figures(year=y.year, as_of=local_date(earlier))["recognitions"]
    before = annual_figures(year=y.year, as_of=local_date(earlier) - timedelta(days=1))
    assert [p["title"] for p in on_the_day["proposals"]] == [AWARDED]
    assert before["recognitions"]["proposals"] == []


def test_a_sessions_figures_list_its_own_proposals(year, world):
    from proposals.cli.committee import create_session

    from .. import flows

    other = create_session(
        10, 98, year.year, world.session.plenary_start, world.session.plenary_end, True
    )
    late = flows.filed(world, title="关于另一会次的优秀提案")
    year.decide(year.nominate(late), True)
    by_year = annual_figures(year=year.year)["recognitions"]
    assert [p["title"] for p in by_year["proposals"]] == [AWARDED, "关于另一会次的优秀提案"]
    by_session = annual_figures(session_id=other.id)["recognitions"]
    assert [p["title"] for p in by_session["proposals"]] == ["关于另一会次的优秀提案"]
    assert [d["code"] for d in by_session["departments"]] == ["ZJJ"]  # units: the whole year


def test_the_api_answers_them_in_the_figures(year, world, api):
    body = api(world.secretariat).get(f"/stats/annual?year={year.year}").get_json()
    assert [p["title"] for p in body["recognitions"]["proposals"]] == [AWARDED]
    assert [d["name"] for d in body["recognitions"]["departments"]] == ["市住房和城乡建设局"]


def section_after(lines, heading):
    """The indented lines under ``heading`` in the text report."""
    start = lines.index(heading) + 1
    out = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out


def test_the_text_report_lists_them(year, app):
    result = app.test_cli_runner().invoke(
        args=["stats", "annual", "--year", str(year.year), "--format", "text"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    excellent = section_after(lines, "优秀提案（已评定）：")
    assert len(excellent) == 1 and excellent[0].startswith(
        f"第0001号 {AWARDED}（第一提案人：张委员"
    )
    (unit,) = section_after(lines, "先进承办单位（已评定）：")
    assert unit.startswith("市住房和城乡建设局（ZJJ；")
    text = "\n".join([*excellent, unit])
    for absent in (DECLINED, PENDING, "市教育局", "市财政局"):
        assert absent not in text


def test_the_text_report_says_when_nothing_is_decided(world, app):
    Year(world)
    result = app.test_cli_runner().invoke(args=["stats", "annual", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "优秀提案和先进承办单位：尚无评定" in result.output.splitlines()


def test_the_workbook_lists_them_at_the_end_of_the_summary(year, world, api):
    resp = api(world.secretariat).get(f"/stats/annual.xlsx?year={year.year}")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    rows = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "优秀提案和先进承办单位（已评定）")
    header, *listed = rows[start + 1 :]
    assert header[:6] == ["类别", "提案号", "案由或单位", "第一提案人", "评定人", "评定日期"]
    today = local_date(utcnow()).isoformat()
    assert [r[:6] for r in listed] == [
        ["优秀提案", "第0001号", AWARDED, "张委员", world.secretariat.name, today],
        ["先进承办单位", None, "市住房和城乡建设局", None, world.secretariat.name, today],
    ]
    everything = {c for r in rows for c in r if isinstance(c, str)}
    assert not everything & {DECLINED, PENDING, "市教育局"}


def test_the_word_section_lists_them(year, world, api):
    """提案工作情况 (the annual section): the awarded proposals in a table, the units named."""
    resp = api(world.secretariat).get(f"/stats/annual.docx?year={year.year}")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.data))
    assert "（六）优秀提案和先进承办单位" in [p.text for p in doc.paragraphs]
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "第一提案人")
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [["提案号", "案由", "第一提案人"], ["第0001号", AWARDED, "张委员"]]
    assert "先进承办单位：市住房和城乡建设局。" in [p.text for p in doc.paragraphs]
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(c for row in cells for c in row)
    assert DECLINED not in text and PENDING not in text and "市财政局。" not in text


def test_the_word_section_has_no_empty_table_before_any_award(world, api):
    y = Year(world)
    y.nominate(y.handled)  # open: nothing to list
    resp = api(world.secretariat).get(f"/stats/annual.docx?year={y.year}")
    doc = Document(io.BytesIO(resp.data))
    assert not [t for t in doc.tables if t.rows[0].cells[-1].text == "第一提案人"]
    paragraphs = [p.text for p in doc.paragraphs]
    assert "优秀提案：尚无评定。" in paragraphs and "先进承办单位：尚无评定。" in paragraphs


def test_the_statistics_page_shows_them(year, world, web):
    html = web(world.secretariat).get(f"/stats?year={year.year}").get_data(as_text=True)
    start = html.index('data-testid="recognitions"')
    block = html[start : html.index("提名和评定", start)]
    assert AWARDED in block and "市住房和城乡建设局" in block
    assert DECLINED not in block and PENDING not in block and "市财政局" not in block
