"""Exports (long documents as background jobs): the API's contract, the embedded run (the
function the loop calls), claims, failures, upkeep, and the secretariat's page."""

import io
import os
from datetime import timedelta
from urllib.parse import quote

import pytest
from docx import Document
from sqlalchemy import create_engine, func, select, update

from proposals.committee.calendar import local_date, utcnow
from proposals.documents import jobs, pdf
from proposals.documents.models import Export
from proposals.extensions import db

from .year import REPLY_TEXT, Year


@pytest.fixture()
def year(world):
    return Year(world)


def exports_count():
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Export))


def start(api, user, **body):
    body.setdefault("kind", "compilation")
    resp = api(user).post("/exports", json=body)
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()["id"]


# --- the API ---------------------------------------------------------------------------------


def test_a_request_is_accepted_then_built_by_the_loop_and_downloaded(api, world, year):
    sec = api(world.secretariat)
    resp = sec.post("/exports", json={"kind": "compilation", "session": world.session.id})
    assert resp.status_code == 202
    export_id = resp.get_json()["id"]
    body = sec.get(f"/exports/{export_id}").get_json()
    assert body["state"] == "queued" and body["progress"] == 0 and "download" not in body
    assert body["params"] == {"session": world.session.id} and body["format"] == "docx"
    assert sec.get(f"/exports/{export_id}/file").status_code == 409

    assert jobs.run_pass() == 1  # what `flask reminders loop` does at each pass
    body = sec.get(f"/exports/{export_id}").get_json()
    assert body["state"] == "done" and body["progress"] == 1
    assert body["download"] == f"/api/v1/exports/{export_id}/file"
    resp = sec.get(body["download"].removeprefix("/api/v1"))
    assert resp.status_code == 200
    assert resp.mimetype == jobs.FORMATS["docx"]
    name = f"提案汇编-{world.session.label}.docx"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in resp.headers["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.data)).paragraphs)
    assert year.replied.title in text and REPLY_TEXT in text
    assert jobs.run_pass() == 0  # nothing left to build


def test_the_assignment_list_by_year(api, world, year):
    export_id = start(api, world.secretariat, kind="assignment_list", year=world.session.year)
    jobs.run_pass()
    resp = api(world.secretariat).get(f"/exports/{export_id}/file")
    assert resp.status_code == 200
    rows = Document(io.BytesIO(resp.data)).tables[0].rows
    assert len(rows) == 3  # the header and the two assigned proposals
    name = quote(f"提案交办清单-{world.session.year}年.docx", safe="")
    assert name in resp.headers["Content-Disposition"]


def test_an_export_is_its_requesters_alone(api, world, make):
    export_id = start(api, world.secretariat)
    other_sec = make.user("secretariat", username="sec2")
    for user in (other_sec, world.member, world.clerk_a, world.admin):
        for path in (f"/exports/{export_id}", f"/exports/{export_id}/file"):
            resp = api(user).get(path)
            assert resp.status_code == 404, (user.username, path)
            assert resp.get_json()["error"]["code"] == "not_found"
    assert api().get(f"/exports/{export_id}").status_code == 401
    assert api(world.secretariat).get("/exports/999999").status_code == 404


@pytest.mark.parametrize("role", ["member", "clerk", "office", "admin"])
def test_only_the_secretariat_may_request(api, world, make, role):
    user = make.user(role, world.unit_a if role == "clerk" else None)
    resp = api(user).post("/exports", json={"kind": "compilation"})
    assert resp.status_code == 403
    assert exports_count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "poem"}, "kind"),
        ({}, "kind"),
        ({"kind": ["compilation"]}, "kind"),
        ({"kind": "compilation", "format": "odt"}, "format"),
        ({"kind": "compilation", "format": 1}, "format"),
        ({"kind": "compilation", "year": "2026"}, "year"),
        ({"kind": "compilation", "year": 2026.5}, "year"),
        ({"kind": "compilation", "year": True}, "year"),
        ({"kind": "compilation", "year": 10**30}, "year"),
        ({"kind": "compilation", "year": 1800}, "year"),
        ({"kind": "compilation", "session": "1"}, "session"),
        ({"kind": "compilation", "session": 2**31}, "session"),
        ({"kind": "compilation", "session": 0}, "session"),
        ({"kind": "compilation", "session": 999999}, "session"),
        ({"kind": "compilation", "session": {"id": 1}}, "session"),
    ],
)
def test_bad_requests_are_refused_naming_the_field_and_create_nothing(api, world, body, field):
    resp = api(world.secretariat).post("/exports", json=body)
    assert resp.status_code == 400, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    assert exports_count() == 0


def test_year_and_session_together_are_refused(api, world):
    resp = api(world.secretariat).post(
        "/exports", json={"kind": "compilation", "year": 2026, "session": world.session.id}
    )
    assert resp.status_code == 400 and "session" in resp.get_json()["error"]["fields"]
    resp = api(world.secretariat).call(
        "POST", "/exports", data="[1]", content_type="application/json"
    )
    assert resp.status_code == 400
    assert exports_count() == 0


def test_without_a_period_the_export_covers_this_year(api, world):
    export_id = start(api, world.secretariat, format="pdf")
    export = db.session.get(Export, export_id)
    assert export.params == {"year": local_date(utcnow()).year}
    assert export.format == "pdf" and export.requested_by_id == world.secretariat.id


# --- running ---------------------------------------------------------------------------------


def test_an_export_is_claimed_once(api, world):
    export_id = start(api, world.secretariat)
    assert jobs.claim(export_id) is True
    assert jobs.claim(export_id) is False  # a second worker given the same export
    assert jobs.build_export(export_id) is False
    assert db.session.get(Export, export_id).state == "running"


def test_progress_is_committed_for_other_readers(app, api, world):
    export_id = start(api, world.secretariat)
    jobs.claim(export_id)
    report = jobs.progress_reporter(export_id)
    report(0.01)  # less than a step: not written
    report(0.42)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as conn:
            seen = conn.scalar(select(Export.progress).where(Export.id == export_id))
    finally:
        other.dispose()
    assert seen == pytest.approx(0.42)


def test_a_failure_is_stored_and_leaves_no_file(api, world, monkeypatch):
    export_id = start(api, world.secretariat)

    def broken(params, path, progress):
        with open(path, "wb") as fh:
            fh.write(b"half")
        raise RuntimeError("模板有误：缺少字段 title")

    monkeypatch.setitem(jobs.WRITERS, "compilation", (broken, "提案汇编"))
    assert jobs.run_pass() == 1
    body = api(world.secretariat).get(f"/exports/{export_id}").get_json()
    assert body["state"] == "failed" and "缺少字段 title" in body["error"]
    assert "download" not in body
    assert api(world.secretariat).get(f"/exports/{export_id}/file").status_code == 404
    assert db.session.get(Export, export_id).file_path is None
    temporary = f".export-{export_id}-"
    assert not [name for name in os.listdir(jobs.exports_dir()) if name.startswith(temporary)]


def test_a_pdf_without_libreoffice_fails_with_a_clear_message(api, world, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfUnavailable, match="LibreOffice"):
        pdf.to_pdf(b"")
    export_id = start(api, world.secretariat, format="pdf")
    jobs.run_pass()
    body = api(world.secretariat).get(f"/exports/{export_id}").get_json()
    assert body["state"] == "failed" and "LibreOffice" in body["error"]


def test_upkeep_fails_crashed_builds_and_removes_old_files(api, world):
    crashed = start(api, world.secretariat)
    jobs.claim(crashed)
    old = start(api, world.secretariat)
    recent = start(api, world.secretariat)
    jobs.run_pass()
    jobs.run_pass()
    files = {i: db.session.get(Export, i).file_path for i in (old, recent)}
    assert all(os.path.exists(f) for f in files.values())
    now = utcnow()
    db.session.execute(
        update(Export).where(Export.id == crashed).values(started_at=now - timedelta(hours=2))
    )
    db.session.execute(
        update(Export).where(Export.id == old).values(finished_at=now - timedelta(days=8))
    )
    db.session.commit()
    assert jobs.maintain(now) == {"crashed": 1, "removed": 1, "requeued": 0}
    assert db.session.get(Export, crashed).state == "failed"
    assert "重新生成" in db.session.get(Export, crashed).error
    assert db.session.get(Export, old) is None and not os.path.exists(files[old])
    assert os.path.exists(files[recent])


def test_with_redis_a_request_becomes_a_celery_task(app, api, world, monkeypatch):
    sent = []
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.extensions, "celery", object())  # bound: nothing to configure
    monkeypatch.setattr(
        jobs.build_export_task, "apply_async", lambda args, retry: sent.append(args)
    )
    export_id = start(api, world.secretariat)
    assert sent == [[export_id]]
    assert jobs.run_pass() == 0  # the loop leaves it to the worker
    # a message the broker lost is handed out again by the upkeep
    db.session.execute(
        update(Export)
        .where(Export.id == export_id)
        .values(created_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    assert jobs.maintain()["requeued"] == 1 and sent[-1] == [export_id]


# --- the page --------------------------------------------------------------------------------


def test_the_page_starts_an_export_and_offers_it_when_done(web, world, year):
    browser = web(world.secretariat)
    page = browser.get("/exports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/exports"' in html and world.session.label in html
    resp = browser.post(
        "/exports",
        data={"kind": "compilation", "period": f"session:{world.session.id}", "format": "docx"},
    )
    assert resp.status_code == 302
    export = db.session.scalar(select(Export))
    assert export.requested_by_id == world.secretariat.id
    html = browser.get("/exports").get_data(as_text=True)
    assert "<progress" in html and f"/exports/{export.id}/status" in html
    assert "js/exports.js" in html and "<script>" not in html
    status = browser.get(f"/exports/{export.id}/status").get_json()
    assert status["state"] == "queued" and status["id"] == export.id
    jobs.run_pass()
    status = browser.get(f"/exports/{export.id}/status").get_json()
    assert status["download"] == f"/exports/{export.id}/file"
    assert f'href="/exports/{export.id}/file"' in browser.get("/exports").get_data(as_text=True)
    resp = browser.get(f"/exports/{export.id}/file")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"


@pytest.mark.parametrize(
    "period", ["", "session:999999", "year:abc", "year:1", "month:3", "session:١"]
)
def test_the_page_refuses_a_bad_period_and_creates_nothing(web, world, period):
    resp = web(world.secretariat).post(
        "/exports", data={"kind": "compilation", "period": period, "format": "docx"}
    )
    assert resp.status_code == 400
    assert exports_count() == 0


def test_the_page_is_the_secretariats(web, world):
    for user in (world.member, world.clerk_a, world.admin):
        assert web(user).get("/exports").status_code == 403
    assert web().get("/exports").status_code == 302  # to the login page
    nav = web(world.secretariat).get("/").get_data(as_text=True)
    assert 'href="/exports"' in nav


def test_the_page_hides_other_peoples_exports(api, web, world, make):
    export_id = start(api, world.secretariat)
    other = make.user("secretariat", username="sec2")
    browser = web(other)
    assert browser.get(f"/exports/{export_id}/status").status_code == 404
    assert browser.get(f"/exports/{export_id}/file").status_code == 404
    assert f"/exports/{export_id}/" not in browser.get("/exports").get_data(as_text=True)
