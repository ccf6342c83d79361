"""Attachments: who may add, remove and read the files of a proposal or a
reply, the size and count limits (413), the type judged by content and name together, storage
outside the static folder under random names, downloads that never render, and a disk that
follows the database."""

import hashlib
import io
import os
import struct
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from proposals.attachments import checks, service, storage
from proposals.attachments.models import Attachment
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.workflow.core import loaded

from .. import flows

# --- sample files ---------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def ooxml(main_part, extra=()):
    """A minimal Word (word/) or Excel (xl/) package, [Content_Types].xml first."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr(main_part, '<?xml version="1.0"?><document/>')
        for name in extra:
            z.writestr(name, b"x")
    return buf.getvalue()


def real_docx():
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("答复附件：调研报告")
    document.save(buf)
    return buf.getvalue()


def real_xlsx():
    import openpyxl

    buf = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "数据"
    book.save(buf)
    return buf.getvalue()


def cfb(stream_name, first_sector=b""):
    """A minimal OLE2 compound file (512-byte sectors): sector 0 holds the stream's data,
    sector 1 the FAT, sector 2 the directory (Root Entry and one stream)."""
    header = bytearray(512)
    header[:8] = checks.CFB_MAGIC
    struct.pack_into("<HHH", header, 0x18, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 0x1E, 9)  # 512-byte sectors
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 2)  # directory starts at sector 2
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<I", header, 0x3C, 0xFFFFFFFE)
    struct.pack_into("<I", header, 0x44, 0xFFFFFFFE)
    difat = [1] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    data = (first_sector + b"\x00" * 512)[:512]
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<4I", fat, 0, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF)

    def entry(name, kind, start, size):
        e = bytearray(128)
        raw = (name + "\x00").encode("utf-16-le")
        e[: len(raw)] = raw
        struct.pack_into("<H", e, 64, len(raw))
        e[66] = kind
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        struct.pack_into("<I", e, 116, start)
        struct.pack_into("<I", e, 120, size)
        return bytes(e)

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0) + entry(stream_name, 2, 0, 4096)
    directory += b"\x00" * (512 - len(directory))
    return bytes(header) + data + bytes(fat) + directory


DOC = cfb("WordDocument", b"\xec\xa5\xc1\x00")  # filetype: doc
DOC_PLAIN = cfb("WordDocument")  # filetype does not know it: the directory says
XLS = cfb("Workbook", b"\x09\x08\x10\x00\x00\x06\x05\x00")

GOOD = [
    ("报告.pdf", PDF),
    ("photo.PNG", PNG),
    ("现场.jpeg", JPG),
    ("scan.jpg", JPG),
    ("答复.docx", ooxml("word/document.xml")),
    ("data.xlsx", ooxml("xl/workbook.xml")),
    ("real.docx", "real_docx"),
    ("real.xlsx", "real_xlsx"),
    ("old.doc", DOC),
    ("plain.doc", DOC_PLAIN),
    ("old.xls", XLS),
]
BAD = [
    ("setup.pdf", EXE),
    ("page.pdf", HTML),
    ("page.html", HTML),
    ("setup.exe", EXE),
    ("png.jpg", PNG),
    ("pdf.docx", PDF),
    ("archive.docx", ooxml("other/readme.xml")),
    ("sheet.docx", ooxml("xl/workbook.xml")),
    ("doc.xlsx", ooxml("word/document.xml")),
    ("macro.docx", ooxml("word/document.xml", ["word/vbaProject.bin"])),
    ("book.doc", XLS),
    ("word.xls", DOC),
    ("noext", PDF),
    ("报告.pdf.exe", PDF),
]


def content(raw):
    return {"real_docx": real_docx, "real_xlsx": real_xlsx}[raw]() if isinstance(raw, str) else raw


def sniff(name, raw, tmp_path):
    data = content(raw)
    path = tmp_path / "sample"
    path.write_bytes(data)
    kind = checks.kind_from_name(name)
    return kind is not None and checks.content_matches(kind, str(path), data[: checks.HEAD_BYTES])


@pytest.mark.parametrize("name,raw", GOOD, ids=[g[0] for g in GOOD])
def test_allowed_types_are_recognised_by_content_and_name(name, raw, tmp_path):
    assert sniff(name, raw, tmp_path)


@pytest.mark.parametrize("name,raw", BAD, ids=[b[0] for b in BAD])
def test_content_and_name_must_agree_on_an_allowed_type(name, raw, tmp_path):
    assert not sniff(name, raw, tmp_path)


def test_display_names_lose_folders_controls_and_bidi_tricks():
    assert checks.clean_filename("C:\\Users\\x\\..\\报告.pdf") == "报告.pdf"
    assert checks.clean_filename("../../etc/passwd") == "passwd"
    assert checks.clean_filename("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert checks.clean_filename("a\x00b\r\n  c.pdf") == "ab c.pdf"
    assert checks.clean_filename("x" * 300 + ".pdf").endswith(".pdf")
    assert len(checks.clean_filename("x" * 300 + ".pdf")) == 200


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def files_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(folder))
    return folder


def on_disk(folder):
    return sorted(os.listdir(folder)) if folder.exists() else []


def rows():
    return db.session.scalar(select(func.count()).select_from(Attachment))


def upload(client, path, name, data, field="file"):
    return client.call(
        "POST", path, data={field: (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def drafted_reply(world):
    """A sole lead unit (ZJJ) with a reply awaiting sign-off."""
    p = flows.handling(world)
    a = loaded(p, "assignments").assignments[0]
    hops.record_contact(
        world.clerk_a, a, {"mode": "phone", "date": flows._today(), "summary": "电话沟通"}
    )
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {"result": "A", "text": "答复正文", "signer": "局长", "contact": "赵某 0571-88888888"},
    )
    db.session.commit()
    return p, reply


# --- API: proposals ---------------------------------------------------------------------------


def test_first_proposer_uploads_to_a_draft_stored_under_a_random_name(world, api, app, files_dir):
    p = flows.draft(world)
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", "调研报告.pdf", PDF)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["filename"] == "调研报告.pdf"
    assert body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf"
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["created_at"] and body["id"]
    row = db.session.get(Attachment, body["id"])
    assert row.proposal_id == p.id and row.reply_id is None
    # on disk: outside the static folder, named by random hex only, the exact bytes
    assert on_disk(files_dir) == [row.storage_key]
    assert len(row.storage_key) == 32 and "调研" not in row.storage_key
    stored = files_dir / row.storage_key
    assert stored.read_bytes() == PDF
    assert not str(stored.resolve()).startswith(os.path.realpath(app.static_folder))
    listed = api(world.member).get(f"/proposals/{p.id}/attachments").get_json()
    assert [i["id"] for i in listed["items"]] == [row.id] and listed["total"] == 1
    detail = api(world.member).get(f"/proposals/{p.id}").get_json()
    assert [f["sha256"] for f in detail["attachments"]] == [body["sha256"]]


def test_download_is_an_attachment_with_nosniff_and_no_caching(world, api):
    p = flows.draft(world)
    aid = upload(
        api(world.member), f"/proposals/{p.id}/attachments", "调研 报告.pdf", PDF
    ).get_json()["id"]
    resp = api(world.member).get(f"/attachments/{aid}")
    assert resp.status_code == 200
    assert resp.data == PDF
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "private, no-store"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('调研 报告.pdf', safe='')}" in disposition
    ascii_aid = upload(
        api(world.member), f"/proposals/{p.id}/attachments", "plan.png", PNG
    ).get_json()["id"]
    resp = api(world.member).get(f"/attachments/{ascii_aid}")
    assert resp.headers["Content-Type"] == "image/png"
    assert "filename*=UTF-8''plan.png" in resp.headers["Content-Disposition"]
    assert resp.headers["Content-Disposition"].startswith("attachment;")


def test_downloads_keep_their_sandbox_policy_on_the_api_and_the_page(world, api, web):
    """An uploaded file must never run as a page of the app's origin, even if a browser
    ignores the attachment disposition: its own CSP (sandbox, nothing allowed) survives the
    site-wide headers."""
    p = flows.draft(world)
    aid = upload(api(world.member), f"/proposals/{p.id}/attachments", "a.pdf", PDF).get_json()
    for resp in (
        api(world.member).get(f"/attachments/{aid['id']}"),
        web(world.member).get(f"/attachments/{aid['id']}"),
    ):
        assert resp.status_code == 200
        csp = resp.headers["Content-Security-Policy"]
        directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
        assert directives["sandbox"] == "sandbox", csp
        assert directives["default-src"] == "default-src 'none'", csp
        assert "script-src" not in directives, csp
        assert directives["frame-ancestors"] == "frame-ancestors 'none'", csp
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name,raw", [("setup.pdf", EXE), ("page.pdf", HTML), ("book.docx", ooxml("other/x.xml"))]
)
def test_a_disguised_file_is_refused_and_nothing_is_stored(world, api, files_dir, name, raw):
    p = flows.draft(world)
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", name, raw)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and "file" in error["fields"]
    assert rows() == 0 and on_disk(files_dir) == []


def test_missing_file_part_is_a_validation_error(world, api):
    p = flows.draft(world)
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", "a.pdf", PDF, field="other")
    assert resp.status_code == 400 and "file" in resp.get_json()["error"]["fields"]


def test_per_file_limit_answers_413_too_large(world, api, app, files_dir, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1000)
    p = flows.draft(world)
    over = PDF + b"0" * (1001 - len(PDF))
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", "big.pdf", over)
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"
    assert rows() == 0 and on_disk(files_dir) == []
    exact = PDF + b"0" * (1000 - len(PDF))
    assert (
        upload(api(world.member), f"/proposals/{p.id}/attachments", "ok.pdf", exact).status_code
        == 201
    )


def test_request_limit_answers_413_in_the_api_shape(world, api, app, files_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    p = flows.draft(world)
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", "big.pdf", PDF + b"0" * 5000)
    assert resp.status_code == 413
    error = resp.get_json()["error"]
    assert error["code"] == "too_large" and "上限" in error["message"]
    assert rows() == 0 and on_disk(files_dir) == []


def test_the_defaults_are_20_mb_a_file_and_a_request_limit_a_little_above(app):
    assert app.config["ATTACHMENT_MAX_BYTES"] == 20 * 1024 * 1024
    assert 20 * 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"] <= 22 * 1024 * 1024


def test_at_most_n_attachments_per_record(world, api, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_PER_RECORD", 2)
    p = flows.draft(world)
    for n in range(2):
        assert (
            upload(api(world.member), f"/proposals/{p.id}/attachments", f"{n}.pdf", PDF).status_code
            == 201
        )
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", "3.pdf", PDF)
    assert resp.status_code == 400 and "file" in resp.get_json()["error"]["fields"]
    assert rows() == 2


def test_only_the_first_proposer_of_a_draft_may_upload_or_delete(world, api, files_dir):
    p = flows.draft(world, cosigners=[world.member2])
    path = f"/proposals/{p.id}/attachments"
    aid = upload(api(world.member), path, "a.pdf", PDF).get_json()["id"]
    # the draft is invisible to everyone else: 404, never a hint that it exists
    for other in (world.member2, world.member3, world.secretariat, world.clerk_a):
        assert upload(api(other), path, "b.pdf", PDF).status_code == 404
        assert api(other).get(f"/attachments/{aid}").status_code == 404
        assert api(other).delete(f"/attachments/{aid}").status_code == 404
        assert api(other).get(path).status_code == 404
    assert api().get(f"/attachments/{aid}").status_code == 401
    # once submitted the co-signer sees it but may not change it; the proposer may not either
    from proposals.workflow import operations as ops

    ops.submit_proposal(world.member, db.session.get(type(p), p.id))
    db.session.commit()
    assert api(world.member2).get(f"/attachments/{aid}").status_code == 200
    assert upload(api(world.member2), path, "b.pdf", PDF).status_code == 403
    assert api(world.member2).delete(f"/attachments/{aid}").status_code == 403
    assert upload(api(world.member), path, "b.pdf", PDF).status_code == 409
    assert api(world.member).delete(f"/attachments/{aid}").status_code == 409
    assert rows() == 1 and len(on_disk(files_dir)) == 1


def test_a_proposal_returned_for_revision_takes_attachments_again(world, api):
    from proposals.workflow import operations as ops

    p = flows.submitted(world)
    ops.review_proposal(world.secretariat, p, {"decision": "return", "comment": "请补充材料"})
    db.session.commit()
    resp = upload(api(world.member), f"/proposals/{p.id}/attachments", "补充.pdf", PDF)
    assert resp.status_code == 201
    # the secretariat sees a returned draft (it has a receipt number), so it may read the file
    assert api(world.secretariat).get(f"/attachments/{resp.get_json()['id']}").status_code == 200


def test_delete_removes_the_row_and_the_file(world, api, files_dir):
    p = flows.draft(world)
    aid = upload(api(world.member), f"/proposals/{p.id}/attachments", "a.pdf", PDF).get_json()["id"]
    assert len(on_disk(files_dir)) == 1
    assert api(world.member).delete(f"/attachments/{aid}").status_code == 204
    assert rows() == 0 and on_disk(files_dir) == []
    assert api(world.member).get(f"/attachments/{aid}").status_code == 404


# --- API: replies -------------------------------------------------------------------------------


def test_reply_attachments_belong_to_the_unit_until_delivered(world, api, files_dir):
    p, reply = drafted_reply(world)
    path = f"/replies/{reply.id}/attachments"
    sheet = real_xlsx()
    resp = upload(api(world.clerk_a), path, "办理情况.xlsx", sheet)
    assert resp.status_code == 201, resp.get_json()
    aid = resp.get_json()["id"]
    assert resp.get_json()["content_type"].endswith("spreadsheetml.sheet")
    assert db.session.get(Attachment, aid).reply_id == reply.id
    # the head of the unit too; another unit and the proposer cannot even see the draft reply
    extra = upload(api(world.head_a), path, "照片.jpg", JPG).get_json()["id"]
    assert api(world.head_a).delete(f"/attachments/{extra}").status_code == 204
    for outsider in (world.clerk_b, world.member, world.member3):
        assert upload(api(outsider), path, "x.pdf", PDF).status_code == 404
        assert api(outsider).get(f"/attachments/{aid}").status_code == 404
        assert api(outsider).get(path).status_code == 404
    # the secretariat sees the draft but does not write the unit's reply
    assert api(world.secretariat).get(f"/attachments/{aid}").status_code == 200
    assert upload(api(world.secretariat), path, "x.pdf", PDF).status_code == 403
    # the proposal's own list does not include the reply's files
    assert api(world.secretariat).get(f"/proposals/{p.id}/attachments").get_json()["total"] == 0
    hops.signoff_reply(world.head_a, reply, {"approve": True})
    hops.review_reply(world.secretariat, reply, {"approve": True})
    db.session.commit()
    # delivered: the proposer reads it, nobody changes it any more
    got = api(world.member).get(f"/attachments/{aid}")
    assert got.status_code == 200 and got.data == sheet
    assert upload(api(world.clerk_a), path, "late.pdf", PDF).status_code == 409
    assert api(world.clerk_a).delete(f"/attachments/{aid}").status_code == 409
    assert api(world.member).delete(f"/attachments/{aid}").status_code == 403
    assert rows() == 1 and len(on_disk(files_dir)) == 1


# --- the disk follows the database ---------------------------------------------------------------


class FailingStream:
    def __init__(self):
        self.calls = 0

    def read(self, n):
        self.calls += 1
        if self.calls > 1:
            raise OSError("disk full")
        return PDF


class Upload:
    def __init__(self, name, stream):
        self.filename, self.stream = name, stream


def test_a_failed_write_leaves_no_row_and_no_file(world, files_dir):
    p = flows.draft(world)
    with pytest.raises(OSError):
        service.add_attachment(world.member, p, Upload("a.pdf", FailingStream()))
    db.session.rollback()
    assert rows() == 0 and on_disk(files_dir) == []


def test_an_upload_not_committed_leaves_no_file(world, files_dir):
    p = flows.draft(world)
    service.add_attachment(world.member, p, Upload("a.pdf", io.BytesIO(PDF)))
    assert len(on_disk(files_dir)) == 1
    db.session.rollback()
    assert rows() == 0 and on_disk(files_dir) == []


def test_a_deletion_not_committed_keeps_the_file(world, files_dir):
    p = flows.draft(world)
    a = service.add_attachment(world.member, p, Upload("a.pdf", io.BytesIO(PDF)))
    db.session.commit()
    service.remove_attachment(world.member, a)
    db.session.rollback()
    assert rows() == 1 and len(on_disk(files_dir)) == 1


def test_storage_keys_cannot_name_another_path(app):
    with app.app_context():
        for key in ("../x", "a" * 31, "/etc/passwd", None):
            with pytest.raises(ValueError):
                storage.path_for(key)


# --- web pages ----------------------------------------------------------------------------------


def test_the_proposal_page_offers_a_multipart_upload_form_to_the_proposer(world, web):
    p = flows.draft(world)
    html = web(world.member).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrf_token"' in html and 'accept=".pdf,' in html
    assert f'action="/proposals/{p.id}/attachments"' in html


def test_web_upload_download_and_delete(world, web, files_dir):
    p = flows.draft(world)
    client = web(world.member)
    resp = client.post(
        f"/proposals/{p.id}/attachments",
        data={"file": (io.BytesIO(PNG), "现场照片.png")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    a = db.session.scalars(select(Attachment)).one()
    html = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "现场照片.png" in html and f"/attachments/{a.id}" in html
    got = client.get(f"/attachments/{a.id}")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert web(world.member3).get(f"/attachments/{a.id}").status_code == 404
    assert web(world.member3).post(f"/attachments/{a.id}/delete").status_code == 404
    assert rows() == 1
    assert client.post(f"/attachments/{a.id}/delete").status_code == 302
    assert rows() == 0 and on_disk(files_dir) == []


def test_web_refusals_are_explained_in_chinese(world, web, app, files_dir, monkeypatch):
    p = flows.draft(world)
    client = web(world.member)
    resp = client.post(
        f"/proposals/{p.id}/attachments",
        data={"file": (io.BytesIO(EXE), "合同.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert "文件内容与扩展名不符" in resp.get_data(as_text=True)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1000)
    resp = client.post(
        f"/proposals/{p.id}/attachments",
        data={"file": (io.BytesIO(PDF + b"0" * 2000), "大.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413 and "上限" in resp.get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1500)
    resp = client.post(
        f"/proposals/{p.id}/attachments",
        data={"file": (io.BytesIO(PDF + b"0" * 5000), "大.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413 and "上限" in resp.get_data(as_text=True)
    assert rows() == 0 and on_disk(files_dir) == []


def test_web_upload_needs_the_csrf_token(world, web, app, files_dir, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    p = flows.draft(world)
    resp = web(world.member).post(
        f"/proposals/{p.id}/attachments",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert rows() == 0 and on_disk(files_dir) == []
    # an oversized body is refused while the CSRF check reads the form: still the 413 page
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1500)
    resp = web(world.member).post(
        f"/proposals/{p.id}/attachments",
        data={"file": (io.BytesIO(PDF + b"0" * 5000), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413 and "上限" in resp.get_data(as_text=True)


def test_reply_files_on_the_proposal_page_follow_the_reply(world, web):
    p, reply = drafted_reply(world)
    a = service.add_attachment(world.clerk_a, reply, Upload("核查.docx", io.BytesIO(real_docx())))
    db.session.commit()
    unit_page = web(world.clerk_a).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "核查.docx" in unit_page and f"/replies/{reply.id}/attachments" in unit_page
    signoff = web(world.head_a).get(f"/replies/{reply.id}/signoff").get_data(as_text=True)
    assert "核查.docx" in signoff
    member_page = web(world.member).get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "核查.docx" not in member_page  # the draft reply is not the proposer's yet
    assert web(world.member).get(f"/attachments/{a.id}").status_code == 404
    assert web(world.clerk_a).get(f"/replies/{reply.id}/attachments").status_code == 200


def test_proposal_and_reply_json_list_their_attachments(world, api):
    p, reply = drafted_reply(world)
    r_file = service.add_attachment(world.clerk_a, reply, Upload("r.pdf", io.BytesIO(PDF)))
    db.session.commit()
    body = api(world.clerk_a).get(f"/proposals/{p.id}").get_json()
    assert body["attachments"] == []
    assert [f["id"] for f in body["replies"][0]["attachments"]] == [r_file.id]
    assert (
        api(world.clerk_a).get(f"/replies/{reply.id}").get_json()["attachments"][0]["filename"]
        == "r.pdf"
    )
    # the proposer does not see the draft reply, so neither its files
    body = api(world.member).get(f"/proposals/{p.id}").get_json()
    assert body["replies"] == [] and "r.pdf" not in str(body)


SCROLL_TO = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"


@pytest.mark.browser
def test_a_phone_uploads_through_the_proposal_page(world, app, tmp_path, files_dir):
    """Headless Chromium at 375 px: the form works in a browser and the page fits the width."""
    from selenium.webdriver.common.by import By

    from ..chromium import PHONE, LiveServer, make_driver, quit_driver, require_browser, shot

    require_browser()
    proposal_id = flows.draft(world).id
    world.member.set_password("correct-horse-9")
    db.session.commit()
    db.session.close()
    sample = tmp_path / "现场照片.png"
    sample.write_bytes(PNG)
    with LiveServer(app) as server:
        driver = make_driver(PHONE)
        try:
            driver.get(server.url + "/login")
            driver.find_element(By.ID, "username").send_keys("m1")
            driver.find_element(By.ID, "password").send_keys("correct-horse-9")
            driver.find_element(By.ID, "submit").click()
            driver.find_element(By.CSS_SELECTOR, "[data-testid=current-user]")
            driver.get(f"{server.url}/proposals/{proposal_id}")
            form = driver.find_element(By.CSS_SELECTOR, "[data-testid=attachment-upload]")
            form.find_element(By.NAME, "file").send_keys(str(sample))
            button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
            driver.execute_script(SCROLL_TO, button)
            button.click()
            panel = driver.find_element(By.CSS_SELECTOR, "[data-testid=attachments] a[download]")
            assert "现场照片.png" in panel.get_attribute("textContent")
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= PHONE[0], "the page must not scroll sideways"
            driver.execute_script(SCROLL_TO, panel)
            shot(driver, "attachments-phone")
        finally:
            quit_driver(driver)
    db.session.expire_all()
    assert rows() == 1 and len(on_disk(files_dir)) == 1
