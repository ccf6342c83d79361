"""Reading the generated files: every text of a .docx (paragraphs, table cells, headers and
footers), the page of its section, the fonts its styles name; a PDF's page boxes, text and
fonts."""

import io
import re

from docx import Document
from docx.oxml.ns import qn

# a digit or a Latin letter next to a Chinese character across a space (official text has none)
SPACED = re.compile(
    r"[0-9A-Za-z%][ \u00a0]+[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
    r"|[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef][ \u00a0]+[0-9A-Za-z]"
)
TAG = re.compile(r"\{[{%]")


def read(data):
    return Document(io.BytesIO(data))


def cells(document):
    for table in document.tables:
        for row in table.rows:
            yield from row.cells


def texts(document):
    """Every paragraph's text, those inside table cells included, in order."""
    out = [p.text for p in document.paragraphs]
    for cell in cells(document):
        out += [p.text for p in cell.paragraphs]
    return out


def body(document):
    return "\n".join(texts(document))


def spaced(document):
    """The texts with a space between a digit (or Latin letter) and a Chinese character."""
    return [t for t in texts(document) if SPACED.search(t)]


def leftover_tags(document):
    return [t for t in texts(document) if TAG.search(t)]


def assert_official_page(document):
    """A4, the GB/T 9704 margins, and the official fonts in the styles."""
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37, 35, 28, 26]
    fonts = {name: east_asian_font(document.styles[name]) for name in ("公文正文", "公文标题")}
    assert fonts == {"公文正文": "仿宋_GB2312", "公文标题": "方正小标宋简体"}, fonts


def east_asian_font(style):
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def table_with(document, first_header):
    """The table whose first header cell is ``first_header``, as lists of cell texts."""
    for table in document.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table headed {first_header}")


def pdf_facts(data):
    """(page sizes in points, text, font names) of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
            for descendant in font.get("/DescendantFonts") or []:
                fonts.add(str(descendant.get_object().get("/BaseFont")))
    return sizes, text, fonts
