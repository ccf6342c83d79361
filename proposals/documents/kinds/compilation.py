"""提案汇编, the year's (or a session's) compilation: three templates, so that a compilation of
hundreds or thousands of proposals is written in constant memory (documents/compilation.py):

- ``compilation``: the cover and the heading of the table of contents, rendered once; its
  styles, page, footers (page numbers) and section properties are the whole file's;
- ``compilation_toc``: lines of the table of contents, rendered for each window of proposals;
- ``compilation_entry``: one proposal with its replies, rendered once per proposal, on a new
  page.

The bodies of the renderings are appended to the cover's. The three share the cover's styles (an
office replacing one should keep the style names), and the last two may hold no pictures or
links (their parts are not carried over).

The table of contents is a plain list (no page numbers): a Word TOC field shows nothing until
it is updated in Word, and a PDF made on the server could not update it.
"""

from ...i18n import N_
from ..layout import official_document, paragraph
from ..templates import register

COMPILATION_FIELDS = {
    "title": N_("标题，如“政协第十届第三次会议提案汇编”"),
    "period": N_("范围，如“第十届第三次会议”或“2026年”"),
    "date": N_("编印日期，如“2026年3月1日”"),
    "count": N_("收录提案件数"),
}

TOC_FIELDS = {
    "entries": N_(
        "目录的若干行，每件提案一项：number（第0001号）、title（案由）、proposer（第一提案人）、"
        "category（类别）"
    ),
}

ENTRY_FIELDS = {
    "number": N_("提案号，如“第0001号”"),
    "title": N_("案由"),
    "proposers": N_("提案人（第一提案人及附议人，以顿号分隔）"),
    "category": N_("类别"),
    "kind": N_("提案类型（个人提案、联名提案、集体提案）"),
    "analysis": N_("情况分析，一段一项"),
    "suggestions": N_("具体建议，一段一项"),
    "replies": N_(
        "已送达的答复，每件一项：unit（承办单位）、role（主办、会办、分办）、result（答复结果）、"
        "date（答复日期）、paragraphs（答复正文，一段一项）"
    ),
}


def build_compilation():
    doc = official_document()
    paragraph(doc, "{{ title }}", "公文标题")
    paragraph(doc, "{{ period }}", "公文居中")
    paragraph(doc, "共收录提案{{ count }}件", "公文居中")
    paragraph(doc, "{{ date }}", "公文居中")
    heading = paragraph(doc, "目　　录", "公文标题")
    heading.paragraph_format.page_break_before = True
    return doc


def build_toc():
    doc = official_document()
    paragraph(doc, "{%p for e in entries %}", "版记")
    paragraph(doc, "{{ e.number }}　{{ e.title }}（{{ e.proposer }}，{{ e.category }}）", "版记")
    paragraph(doc, "{%p endfor %}", "版记")
    return doc


def build_entry():
    doc = official_document()
    paragraph(doc, "{{ number }}", "公文居中")
    paragraph(doc, "{{ title }}", "公文标题")
    paragraph(doc, "提案人：{{ proposers }}", "公文无缩进")
    paragraph(doc, "类别：{{ category }}　　类型：{{ kind }}", "公文无缩进")
    paragraph(doc, "一、情况分析", "一级标题")
    paragraph(doc, "{%p for p in analysis %}", "公文正文")
    paragraph(doc, "{{ p }}", "公文正文")
    paragraph(doc, "{%p endfor %}", "公文正文")
    paragraph(doc, "二、具体建议", "一级标题")
    paragraph(doc, "{%p for p in suggestions %}", "公文正文")
    paragraph(doc, "{{ p }}", "公文正文")
    paragraph(doc, "{%p endfor %}", "公文正文")
    paragraph(doc, "{%p if replies %}", "公文正文")
    paragraph(doc, "三、办理答复", "一级标题")
    paragraph(doc, "{%p for r in replies %}", "公文正文")
    paragraph(doc, "{{ r.unit }}（{{ r.role }}）", "二级标题")
    paragraph(doc, "答复结果：{{ r.result }}　　答复日期：{{ r.date }}", "公文无缩进")
    paragraph(doc, "{%p for p in r.paragraphs %}", "公文正文")
    paragraph(doc, "{{ p }}", "公文正文")
    paragraph(doc, "{%p endfor %}", "公文正文")
    paragraph(doc, "{%p endfor %}", "公文正文")
    paragraph(doc, "{%p endif %}", "公文正文")
    return doc


register("compilation", N_("提案汇编（封面）"), COMPILATION_FIELDS, build_compilation)
register("compilation_toc", N_("提案汇编（目录各行）"), TOC_FIELDS, build_toc)
register("compilation_entry", N_("提案汇编（每件提案）"), ENTRY_FIELDS, build_entry)
