"""The compilation as PDF through LibreOffice, read back with pypdf: the page, the fonts, the
text. Each conversion takes a second or two, so there are few of them, in one database pass."""

import io
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader

from proposals.documents import jobs
from proposals.documents.layout import official_document, paragraph
from proposals.documents.models import Export
from proposals.documents.pdf import to_pdf
from proposals.extensions import db

from .year import Year

pytestmark = [
    pytest.mark.one_database("postgresql"),
    pytest.mark.skipif(
        shutil.which("soffice") is None and shutil.which("libreoffice") is None,
        reason="LibreOffice (soffice) is not installed: scripts/test.sh installs "
        "libreoffice-writer-nogui",
    ),
]
A4 = (595.3, 841.9)  # points
OFFICIAL_FANGSONG = ("FandolFang", "FangSong", "仿宋")


def fonts(reader):
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_a_small_compilation_as_pdf(api, world):
    year = Year(world)
    resp = api(world.secretariat).post(
        "/exports", json={"kind": "compilation", "session": world.session.id, "format": "pdf"}
    )
    export_id = resp.get_json()["id"]
    assert jobs.run_pass() == 1
    export = db.session.get(Export, export_id)
    assert export.state == "done", export.error
    resp = api(world.secretariat).get(f"/exports/{export_id}/file")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(resp.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == A4
    # the cover and its table of contents, then each proposal on pages of its own
    assert len(reader.pages) > len(year.filed) + 1
    assert any(name.startswith(OFFICIAL_FANGSONG) for name in fonts(reader)), fonts(reader)
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    assert f"政协{world.session.label}提案汇编" in text
    assert year.replied.title in text


def test_conversions_at_once_do_not_share_a_profile():
    def one(title):
        doc = official_document()
        paragraph(doc, title, "公文标题")
        out = io.BytesIO()
        doc.save(out)
        return PdfReader(io.BytesIO(to_pdf(out.getvalue()))).pages[0].extract_text()

    titles = ["关于甲的建议", "关于乙的建议"]
    with ThreadPoolExecutor(2) as pool:
        texts = list(pool.map(one, titles))
    assert all(title in text.replace(" ", "") for title, text in zip(titles, texts, strict=True))
