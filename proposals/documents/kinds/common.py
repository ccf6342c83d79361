"""What the default templates of several kinds share: the document's head (分类标识, 文号),
a paragraph per item of a list, a table with a row per item, the closing (sender and date)
and the 版记 (抄送). Each writes docxtpl tags into a python-docx Document (layout.py)."""

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from ..layout import paragraph

COMMITTEE = "政协提案委员会"  # the sender; a committee names itself in its own template


def loop(document, items, text, style="公文正文"):
    """One paragraph of ``style`` per item of the list ``items`` (a context field), each
    ``text`` (a tag such as "{{ p }}" naming the loop variable)."""
    variable = text.strip("{} ").split(".")[0]
    paragraph(document, f"{{%p for {variable} in {items} %}}", style)
    paragraph(document, text, style)
    paragraph(document, "{%p endfor %}", style)


def table(document, header, items, cells, widths=None):
    """A table in 表格文字: the header row, then a row per item of the list ``items`` with the
    tags ``cells`` (e.g. "{{ u.name }}")."""
    variable = cells[0].strip("{} ").split(".")[0]
    grid = document.add_table(rows=4, cols=len(header))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = grid.rows
    for cell, label in zip(rows[0].cells, header):
        cell.paragraphs[0].text = label
        cell.paragraphs[0].style = document.styles["表格文字"]
    rows[1].cells[0].paragraphs[0].text = f"{{%tr for {variable} in {items} %}}"
    for cell, tag in zip(rows[2].cells, cells):
        cell.paragraphs[0].text = tag
        cell.paragraphs[0].style = document.styles["表格文字"]
    rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    if widths:
        for row in rows:
            for cell, width in zip(row.cells, widths):
                cell.width = Mm(width)
    return grid


def form(document, rows, widths=(40, 116)):
    """A two-column form (label, value) in 表格文字, one row per (label, tag)."""
    grid = document.add_table(rows=len(rows), cols=2)
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(grid.rows, rows):
        for cell, text, width in zip(row.cells, (label, value), widths):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = document.styles["表格文字"]
            cell.width = Mm(width)
    return grid


def head(document, *, result=False, reference=True):
    """分类标识 (top right) and 文号 (centred), then a blank line before the title."""
    if result:
        paragraph(document, "{{ result_label }}", "公文右对齐")
    if reference:
        paragraph(document, "{{ reference }}", "公文居中")
    paragraph(document, "", "公文无缩进")


def closing(document, sender="{{ unit_name }}"):
    """The sender and the date, right-aligned under a blank line (成文日期 in Chinese)."""
    paragraph(document, "", "公文无缩进")
    paragraph(document, sender, "公文右对齐")
    paragraph(document, "{{ date }}", "公文右对齐")
