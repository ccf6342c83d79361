"""交办清单, the list of a year's (or a session's) assignments handed to the units at the 交办会:
one row per assigned proposal, with its lead and co-handling units and its reply deadline."""

from docx.shared import Mm

from ...i18n import N_
from ..layout import official_document, paragraph
from ..templates import register

FIELDS = {
    "title": N_("标题，如“政协第十届第三次会议提案交办清单”"),
    "period": N_("范围，如“第十届第三次会议”或“2026年”"),
    "date": N_("编印日期，如“2026年3月1日”"),
    "count": N_("提案件数"),
    "rows": N_(
        "清单，每件提案一行：index（序号）、number（提案号）、title（案由）、proposers（提案人）、"
        "lead（主办单位）、co（协办单位）、due（办理期限）"
    ),
}
COLUMNS = (
    (N_("序号"), "index", 12),
    (N_("提案号"), "number", 18),
    (N_("案由"), "title", 40),
    (N_("提案人"), "proposers", 22),
    (N_("主办单位"), "lead", 24),
    (N_("协办单位"), "co", 22),
    (N_("办理期限"), "due", 18),
)


def build():
    doc = official_document()
    paragraph(doc, "{{ title }}", "公文标题")
    paragraph(doc, "{{ period }}　共{{ count }}件　{{ date }}", "公文居中")
    table = doc.add_table(rows=4, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    for i, (label, key, width) in enumerate(COLUMNS):
        for row in table.rows:
            row.cells[i].width = Mm(width)
        header = table.rows[0].cells[i].paragraphs[0]
        header.text, header.style = label, doc.styles["表格文字"]
        header.runs[0].bold = True
        cell = table.rows[2].cells[i].paragraphs[0]
        cell.text, cell.style = "{{ r." + key + " }}", doc.styles["表格文字"]
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    return doc


register("assignment_list", N_("交办清单"), FIELDS, build)
