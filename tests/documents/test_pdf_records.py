"""The single-record documents and the annual section as PDF (LibreOffice), read back with
pypdf: A4 pages, the title in the text, a 仿宋 embedded. One test converts them all (each
conversion takes a second or two); without LibreOffice the answer is 503 in the API's shape."""

import shutil

import pytest

from proposals.documents import pdf
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows
from .helpers import pdf_facts

A4 = (595.3, 841.9)  # points
FANGSONG = ("FandolFang", "FangSong", "Fangsong", "仿宋")


@pytest.mark.one_database("postgresql")
@pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) is not installed: scripts/test.sh installs "
    "libreoffice-writer-nogui",
)
def test_every_record_document_converts_to_an_a4_pdf_in_fangsong(world, api):
    p, reply = flows.replied(world, cosigners=(world.member2,))
    assignment = loaded(p, "assignments").assignments[0]
    refused = flows.submitted(world, title="关于个人住房问题的请求")
    ops.review_proposal(
        world.secretariat,
        refused,
        {"decision": "not_file", "reason_code": "personal", "disposition": "letter"},
    )
    db.session.commit()
    client = api(world.secretariat)
    documents = {
        f"/replies/{reply.id}/letter.pdf": "提案的答复",
        f"/replies/{reply.id}/opinion-form.pdf": "征询意见表",
        f"/assignments/{assignment.id}/notice.pdf": "提案交办通知书",
        f"/proposals/{refused.id}/not-filed-notice.pdf": "不予立案告知书",
        "/stats/annual.pdf": "提案工作情况",
    }
    for path, title in documents.items():
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.get_data(as_text=True)[:500])
        assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
        assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
        sizes, text, fonts = pdf_facts(resp.data)
        assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes), (path, sizes)
        assert title in text.replace(" ", "").replace("\n", ""), (path, text[:300])
        assert any(any(f in font for f in FANGSONG) for font in fonts), (path, fonts)


def test_without_libreoffice_a_pdf_is_a_503_in_the_api_shape(world, api, web, monkeypatch):
    def missing(data):
        raise pdf.PdfUnavailable("no soffice")

    monkeypatch.setattr(pdf, "to_pdf", missing)
    p, reply = flows.replied(world)
    resp = api(world.member).get(f"/replies/{reply.id}/letter.pdf")
    assert resp.status_code == 503
    error = resp.get_json()["error"]
    assert error["code"] == "unavailable" and "LibreOffice" in error["message"]
    page = web(world.member).get(f"/replies/{reply.id}/letter.pdf")
    assert page.status_code == 503 and "请下载 Word 文件" in page.get_data(as_text=True)
    # the Word file is still there
    assert api(world.member).get(f"/replies/{reply.id}/letter.docx").status_code == 200
