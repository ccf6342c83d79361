"""The committee's own letterhead: the admin downloads a kind's template, uploads a
replacement (checked: a .docx, at most 2 MB, only the kind's fields), and removes it again; a
refused upload stores nothing, and the next document uses whatever template is in force."""

import io

import pytest
from sqlalchemy import func, select

from proposals.documents.layout import official_document, paragraph
from proposals.documents.models import DocumentTemplate
from proposals.documents.templates import default_template
from proposals.extensions import db

from .helpers import read
from .test_letter import letter_world


def docx(*lines):
    document = official_document()
    for line in lines:
        paragraph(document, line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, kind, data, name="letterhead.docx"):
    return client.post(
        f"/admin/documents/{kind}/template",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored():
    return db.session.scalar(select(func.count()).select_from(DocumentTemplate))


def test_the_page_lists_every_kind_with_its_fields(world, web):
    page = web(world.admin).get("/admin/documents").get_data(as_text=True)
    for label in ("答复函", "交办通知书", "不予立案告知书", "征询意见表", "提案工作情况"):
        assert label in page
    assert "<code>salutation</code>" in page and "<code>paragraphs</code>" in page
    resp = web(world.admin).get("/admin/documents/letter/template.docx")
    assert resp.status_code == 200 and resp.data == default_template("letter")
    assert web(world.admin).get("/admin/documents/nothing/template.docx").status_code == 404
    assert web(world.secretariat).get("/admin/documents").status_code == 403


def test_a_template_with_an_unknown_field_is_refused_naming_it(world, web):
    client = web(world.admin)
    resp = upload(client, "letter", docx("{{ title }}", "{{ nonexistent }}", "{{ other_one }}"))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "模板使用了本类公文没有的字段：nonexistent、other_one。" in page
    assert stored() == 0


@pytest.mark.parametrize(
    "data, name, words",
    [
        (b"PK\x03\x04 not really a zip", "broken.docx", "不是有效的 Word 文档"),
        (b"", "empty.docx", "不是有效的 Word 文档"),
        (docx("{{ title }"), "tags.docx", "标记写法有误"),
        (b"%PDF-1.4", "letter.pdf", "只能上传 Word 文件"),
        (b"0" * (2 * 1024 * 1024 + 1), "big.docx", "文件太大"),
    ],
)
def test_a_broken_file_is_refused_with_a_clear_message(world, web, data, name, words):
    resp = upload(web(world.admin), "letter", data, name)
    assert resp.status_code == 400
    assert words in resp.get_data(as_text=True)
    assert stored() == 0


def test_a_valid_template_is_used_for_the_next_letter_until_removed(world, web, api):
    p, reply = letter_world(world)
    client = web(world.admin)
    own = docx("临江市政协提案委员会（自有版头）", "{{ title }}", "{{ salutation }}", "{{ date }}")
    resp = upload(client, "letter", own)
    assert resp.status_code == 302
    assert stored() == 1
    assert "已上传" in client.get("/admin/documents").get_data(as_text=True)
    assert client.get("/admin/documents/letter/template.docx").data == own
    letter = [
        x.text
        for x in read(api(world.member).get(f"/replies/{reply.id}/letter.docx").data).paragraphs
    ]
    assert letter[0] == "临江市政协提案委员会（自有版头）"
    assert letter[2] == "张委员并李委员、王委员："
    resp = client.post("/admin/documents/letter/template/remove")
    assert resp.status_code == 302 and stored() == 0
    letter = [
        x.text
        for x in read(api(world.member).get(f"/replies/{reply.id}/letter.docx").data).paragraphs
    ]
    assert "临江市政协提案委员会（自有版头）" not in letter and letter[0] == "A类"


def test_every_default_template_uses_only_its_own_fields():
    from proposals.documents.templates import KINDS, all_kinds, unknown_fields

    all_kinds()
    for name in ("letter", "notice", "not_filed_notice", "opinion_form", "annual"):
        assert name in KINDS
        assert unknown_fields(name, default_template(name)) == []
