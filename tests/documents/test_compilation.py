"""The compilation (提案汇编) and the assignment list (交办清单) as Word files, read back with
python-docx: what they hold, in which order, on which page layout."""

import io
import re
import zipfile

import pytest
from docx import Document

from proposals.documents import layout
from proposals.documents.compilation import (
    first_paragraph_on_new_page,
    write_assignment_list,
    write_compilation,
)
from proposals.documents.templates import default_template

from .year import REPLY_TEXT, Year

SPACED = re.compile(r"[\u4e00-\u9fff][ \t]+[0-9]|[0-9][ \t]+[\u4e00-\u9fff]")


@pytest.fixture()
def year(world):
    return Year(world)


def texts(doc):
    return [p.text for p in doc.paragraphs]


def test_the_compilation_holds_every_filed_proposal_in_number_order(world, year, tmp_path):
    path = tmp_path / "c.docx"
    seen = []
    write_compilation({"session": world.session.id}, path, seen.append)
    doc = Document(path)
    lines = texts(doc)
    # the cover
    assert lines[0] == f"政协{world.session.label}提案汇编"
    assert "共收录提案3件" in lines
    # the table of contents: one line per filed proposal, in number order
    toc = [line for line in lines if "（" in line and line.startswith("第") and "号　" in line]
    assert [line.split("　")[0] for line in toc] == [p.number_label for p in year.filed]
    assert toc[0].startswith(f"{year.filed[0].number_label}　{year.filed[0].title}")
    assert world.member.name in toc[[p.id for p in year.filed].index(year.replied.id)]
    # each proposal: its number, title, proposers, category, text; then the replies delivered
    for p in year.filed:
        start = lines.index(p.number_label, len(toc) + 5)
        assert lines[start + 1] == p.title
        assert lines[start + 2].startswith("提案人：")
    body = "\n".join(lines)
    assert body.count(REPLY_TEXT) == 1
    assert "市住房和城乡建设局（主办）" in body
    assert "答复结果：A类" in body
    assert "草稿不应收录" not in body and "不予立案不应收录" not in body
    # progress told as the entries are written, ending at 1
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_each_proposal_starts_a_page_on_the_template_layout(world, year, tmp_path):
    path = tmp_path / "c.docx"
    write_compilation({"year": world.session.year}, path)
    doc = Document(path)
    numbers = {p.number_label for p in year.filed}
    starts = [p for p in doc.paragraphs if p.text in numbers]
    assert len(starts) == 3
    assert all(p.paragraph_format.page_break_before for p in starts)
    assert doc.paragraphs[0].style.name == "公文标题"
    titles = [p for p in doc.paragraphs if p.text == year.replied.title]
    assert titles and titles[-1].style.name == "公文标题"
    # the page (A4, GB/T 9704 margins), the styles and the page numbers come from the template
    section = doc.sections[-1]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == round(layout.TOP.mm) == 37
    assert round(section.left_margin.mm) == round(layout.LEFT.mm) == 28
    assert set(layout.STYLES) <= {s.name for s in doc.styles}
    assert "PAGE" in section.footer._element.xml
    # official text: no space between digits and Chinese, even where the member typed one
    assert "我市有120个老旧小区。" in texts(doc)
    assert not [t for t in texts(doc) if SPACED.search(t)]


def test_the_file_is_the_cover_package_with_the_entries_inside(world, year, tmp_path):
    path = tmp_path / "c.docx"
    write_compilation({"session": world.session.id}, path)
    cover = tmp_path / "cover.docx"
    cover.write_bytes(default_template("compilation"))
    with zipfile.ZipFile(path) as built, zipfile.ZipFile(cover) as template:
        assert built.testzip() is None
        assert built.namelist() == template.namelist()
        xml = built.read("word/document.xml").decode()
    assert xml.count("<w:sectPr") == 1 and xml.rstrip().endswith("</w:document>")
    assert xml.rindex("<w:sectPr") > xml.rindex(year.filed[-1].title)


def test_an_empty_year_gives_a_cover_and_nothing_else(world, tmp_path):
    path = tmp_path / "c.docx"
    write_compilation({"year": 2001}, path)
    lines = texts(Document(path))
    assert lines[0] == "2001年提案汇编"
    assert "共收录提案0件" in lines


def test_a_page_break_is_added_once_and_in_the_schema_order():
    doc = Document(io.BytesIO(default_template("compilation_entry")))
    children = list(doc.element.body)
    first_paragraph_on_new_page(children)
    first_paragraph_on_new_page(children)
    ppr = children[0].find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pPr")
    tags = [child.tag.rsplit("}", 1)[1] for child in ppr]
    assert tags.count("pageBreakBefore") == 1
    assert tags.index("pStyle") < tags.index("pageBreakBefore")


def test_the_assignment_list_has_one_row_per_assigned_proposal(world, year, tmp_path):
    path = tmp_path / "a.docx"
    write_assignment_list({"session": world.session.id}, path)
    doc = Document(path)
    assert texts(doc)[0] == f"政协{world.session.label}提案交办清单"
    table = doc.tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "提案号", "案由", "提案人", "主办单位", "协办单位", "办理期限"]
    assigned = sorted((year.replied, year.joint), key=lambda p: p.number)
    assert [r[1] for r in rows[1:]] == [p.number_label for p in assigned]
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    joint = rows[1 + assigned.index(year.joint)]
    assert joint[2:6] == ["关于完善社区养老服务的建议", "李委员", "市住房和城乡建设局", "市财政局"]
    due = year.assignments(year.joint)[0].reply_due
    assert joint[6] == f"{due.year}年{due.month}月{due.day}日"
