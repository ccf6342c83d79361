"""Every response (pages, JSON, redirects, errors 401/403/404/429/500,
file downloads, static files) carries the security headers; the CSP allows no inline script or
style, and no template or page needs them; HSTS only in production."""

import os
import re

import pytest

from proposals import create_app
from proposals.extensions import db

from .. import flows

TEMPLATES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "proposals",
    "templates",
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style[\s>]", re.I)


def check_headers(resp, what):
    h = resp.headers
    csp = h.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives.get("script-src") == "'self'", (what, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (what, csp)
    assert directives.get("frame-ancestors") == "'none'", (what, csp)
    assert directives.get("object-src") == "'none'" and directives.get("base-uri") == "'none'"
    assert h.get("X-Content-Type-Options") == "nosniff", what
    assert h.get("X-Frame-Options") == "DENY", what
    assert h.get("Referrer-Policy") == "same-origin", what
    assert "Strict-Transport-Security" not in h, what  # not outside production


def no_inline_code(html, what):
    assert not INLINE_SCRIPT.search(html), (what, INLINE_SCRIPT.search(html).group(0))
    assert not INLINE_HANDLER.search(html), (what, INLINE_HANDLER.search(html).group(0))
    assert not INLINE_STYLE.search(html), (what, INLINE_STYLE.search(html).group(0))


def test_every_kind_of_response_carries_the_headers(world, web, api, app, monkeypatch):
    p = flows.assigned(world)
    member, sec, admin, clerk = (
        web(world.member),
        web(world.secretariat),
        web(world.admin),
        web(world.clerk_a),
    )
    anon = web()
    samples = [
        ("login page", anon.get("/login"), 200),
        ("anonymous redirect", anon.get("/"), 302),
        ("member home", member.get("/"), 200),
        ("proposal page", member.get(f"/proposals/{p.id}"), 200),
        ("secretariat list", sec.get("/proposals"), 200),
        ("stats dashboard (SVG charts)", sec.get("/stats"), 200),
        ("admin users", admin.get("/admin/users"), 200),
        ("unit list", clerk.get("/assignments"), 200),
        ("CSV download", sec.get("/proposals.csv"), 200),
        ("XLSX download", sec.get("/stats/annual.xlsx"), 200),
        ("403 page", member.get("/admin/users"), 403),
        ("404 page", member.get("/no/such/page"), 404),
        ("404 record", web(world.member2).get(f"/proposals/{p.id}"), 404),
        ("POST redirect", member.post("/lang/en", data={"next": "/"}), 302),
        ("static CSS", anon.get("/static/css/app.css"), 200),
        ("static JS", anon.get("/static/js/app.js"), 200),
        ("bootstrap JS", anon.get("/bootstrap/static/js/bootstrap.min.js"), 200),
        ("API JSON", api(world.member).get("/me"), 200),
        ("API 401", api().get("/me"), 401),
        ("API 404", api(world.member).get("/no-such-thing"), 404),
        ("API XLSX", api(world.secretariat).get("/stats/annual.xlsx"), 200),
        ("health", anon.get("/healthz"), 200),
    ]
    for what, resp, status in samples:
        assert resp.status_code == status, (what, resp.status_code)
        check_headers(resp, what)
        if resp.mimetype == "text/html" and resp.status_code == 200:
            no_inline_code(resp.get_data(as_text=True), what)

    def boom():
        raise RuntimeError("a bug")

    monkeypatch.setitem(app.view_functions, "healthz", boom)
    resp = anon.get("/healthz")
    assert resp.status_code == 500
    check_headers(resp, "500 page")


def test_no_template_needs_unsafe_inline():
    for folder, _dirs, files in os.walk(TEMPLATES):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as fh:
                    no_inline_code(fh.read(), path)


def test_hsts_and_the_headers_in_production(tmp_path):
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "p.db"),
        }
    )
    client = app.test_client()
    for path in ("/healthz", "/static/css/app.css"):
        resp = client.get(path)
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert resp.headers["X-Frame-Options"] == "DENY"
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "pattern, sample",
    [
        (INLINE_SCRIPT, "<script>alert(1)</script>"),
        (INLINE_HANDLER, '<a href="#" onclick="x()">'),
        (INLINE_STYLE, '<div style="color:red">'),
    ],
)
def test_the_inline_code_detectors_detect(pattern, sample):
    assert pattern.search(sample)
    assert not pattern.search('<script src="/static/js/app.js"></script><div class="x">')
