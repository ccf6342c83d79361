"""The page and the styles of an official document (GB/T 9704 党政机关公文格式), built with
python-docx: the shipped default templates start from :func:`official_document`.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right, which leave the 156 × 225 mm
版心; the body in 仿宋_GB2312 三号 (16 pt) at 22 lines a page and 28 characters a line; the title
in 小标宋 二号 (22 pt); the first-level headings in 黑体, the second-level ones in 楷体_GB2312; page
numbers in 宋体 四号 as "— 1 —", on the right of odd pages and on the left of even ones.

The fonts are named as an office's Windows machine names them, so that a .docx opened there
looks right; the PDF converter maps each name to an open font when the official one is missing
(proposals/documents/fonts.conf).
"""

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四, for tables that must fit the 版心 width
# 225 mm of 版心 for 22 lines: 28.95 pt a line (579 twentieths of a point)
LINE_PITCH = Pt(28.95)
LINE_PITCH_TWIPS = 579
# 156 mm for 28 characters: a pitch of 15.79 pt for characters of 16 pt, so the body's characters
# are condensed by a quarter point (in twentieths of a point)
CONDENSED = -5

TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)

# style names used by the templates: (name, font, size, bold, alignment, first-line indent)
STYLES = {
    "公文标题": (XIAOBIAOSONG, TITLE_SIZE, False, WD_ALIGN_PARAGRAPH.CENTER, None),
    "公文正文": (FANGSONG, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "公文无缩进": (FANGSONG, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, None),
    "公文右对齐": (FANGSONG, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.RIGHT, None),
    "公文居中": (FANGSONG, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.CENTER, None),
    "一级标题": (HEITI, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "二级标题": (KAITI, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "三级标题": (FANGSONG, BODY_SIZE, True, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "表格文字": (FANGSONG, TABLE_SIZE, False, WD_ALIGN_PARAGRAPH.CENTER, None),
    "版记": (FANGSONG, Pt(14), False, WD_ALIGN_PARAGRAPH.LEFT, None),
}


def set_fonts(target, name):
    """Name ``name`` as the font of every script of a style or run (Latin digits included, so
    that numbers sit in the same face as the Chinese around them)."""
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _page(document):
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    # python-docx has no API for the line and character grid: the element is written directly
    sect = document.element.body.find(qn("w:sectPr"))
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def _styles(document):
    normal = document.styles["Normal"]
    set_fonts(normal, FANGSONG)
    normal.font.size = BODY_SIZE
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    for name, (font, size, bold, alignment, indent) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        set_fonts(style, font)
        style.font.size = size
        style.font.bold = bold
        style.paragraph_format.alignment = alignment
        if indent:
            style.paragraph_format.first_line_indent = size * indent
        if size == BODY_SIZE:
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(CONDENSED))
            style.element.get_or_add_rPr().append(spacing)
        if name == "公文标题":
            # a title of two lines sits closer than the body's grid
            style.paragraph_format.line_spacing = Pt(35)
            style.paragraph_format.space_after = LINE_PITCH
        if name == "表格文字":
            style.paragraph_format.line_spacing = Pt(20)


def _page_number_field(paragraph):
    """ "— PAGE —" as Word's PAGE field, so the number is the page's own wherever it falls."""

    def run(text=None, field=None, instruction=None):
        r = paragraph.add_run(text)
        set_fonts(r, SONGTI)
        r.font.size = PAGE_NUMBER_SIZE
        if field:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), field)
            r.element.append(element)
        if instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
            r.element.append(element)
        return r

    run("— ")
    run(field="begin")
    run(instruction=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def _footers(document):
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = alignment
        # 单页码居右空一字，双页码居左空一字
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        _page_number_field(paragraph)


def official_document():
    """A new python-docx Document with the GB/T 9704 page, styles and page numbers; add the
    paragraphs with the style names of STYLES."""
    document = Document()
    _page(document)
    _styles(document)
    _footers(document)
    table_style = document.styles["Table Grid"]
    set_fonts(table_style, FANGSONG)
    table_style.font.size = TABLE_SIZE
    return document


def paragraph(document, text="", style="公文正文"):
    """Add one paragraph of ``style``; ``text`` may hold docxtpl tags."""
    return document.add_paragraph(text, style=style)
