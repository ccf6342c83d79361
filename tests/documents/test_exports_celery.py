"""An export built by a real Celery worker: a redis-server and a worker started here on
loopback (tests/infra.py), the request made through the API with REDIS_URL set, as the web app
makes it; the worker claims the export, builds the file and the API then serves it."""

import io
import shutil

import pytest
from docx import Document
from sqlalchemy import select

from proposals.documents.models import Export
from proposals.extensions import db

from .. import infra
from ..infra import wait_until
from ..reminders.test_redis_celery_smtp import celery_bound, configured
from .year import REPLY_TEXT, Year

pytestmark = [
    pytest.mark.services,
    pytest.mark.one_database("postgresql"),
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="redis-server is not installed (scripts/test.sh installs it)",
    ),
]


def state(export_id):
    try:
        return db.session.execute(
            select(Export.state, Export.progress, Export.error).where(Export.id == export_id)
        ).one()
    finally:
        db.session.commit()


def test_a_worker_builds_the_requested_compilation(app, api, world, tmp_path):
    year = Year(world)
    log_dir = str(tmp_path)
    redis = infra.Redis(log_dir).start()
    env = infra.child_env(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis.url,
        EXPORTS_DIR=app.config["EXPORTS_DIR"],
    )
    try:
        worker = infra.celery_worker(log_dir, env, "exports-worker", 2).start()
        worker.wait_for_log(" ready.", 60)
        with configured(app, REDIS_URL=redis.url), celery_bound(app):
            resp = api(world.secretariat).post(
                "/exports", json={"kind": "compilation", "session": world.session.id}
            )
            assert resp.status_code == 202
            export_id = resp.get_json()["id"]
            wait_until(
                lambda: state(export_id)[0] in ("done", "failed"),
                60,
                0.2,
                "the worker to build the export",
                worker.diagnostics,
            )
        done, progress, error = state(export_id)
        assert (done, progress, error) == ("done", 1.0, None), worker.diagnostics()
        assert "proposals.documents.build_export" in worker.log(tail=0)
        resp = api(world.secretariat).get(f"/exports/{export_id}/file")
        assert resp.status_code == 200
        text = "\n".join(p.text for p in Document(io.BytesIO(resp.data)).paragraphs)
        assert year.replied.title in text and REPLY_TEXT in text
    finally:
        infra.Service.stop_all()
