"""docs/api.md names exactly the API the app serves: every method and path under /api/v1 of the
app's URL map appears in the doc, and every method and path the doc names is served, so the doc
cannot go stale in either direction.

Both sides are written the same way before they are compared: without the /api/v1 prefix, and
with every path variable (the app's <int:proposal_id>, the doc's {id}) as {id}. The doc names an
endpoint as `METHOD /path` in backticks; any other backticked /api/v1/... path must exist too."""

import os
import re

import pytest

from ..infra import ROOT

pytestmark = pytest.mark.one_database

DOC = os.path.join(ROOT, "docs", "api.md")
PREFIX = "/api/v1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# `POST /proposals/{id}/submit` (a query string, if any, is not part of the path)
ENDPOINT = re.compile(rf"`({'|'.join(METHODS)}) (/[^`\s?]*)[^`]*`")
# `/api/v1/openapi.json` named in the text without a method
BARE_PATH = re.compile(rf"`({re.escape(PREFIX)}/[^`\s?]*)[^`]*`")
VARIABLE = re.compile(r"<[^<>]+>|\{[^{}]+\}")


def normalise(path):
    """/api/v1/proposals/<int:proposal_id>/submit and /proposals/{id}/submit alike become
    /proposals/{id}/submit."""
    if path == PREFIX or path.startswith(PREFIX + "/"):
        path = path[len(PREFIX) :] or "/"
    return VARIABLE.sub("{id}", path)


def served(app):
    """(method, path) of every route of the app under /api/v1."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == PREFIX or rule.rule.startswith(PREFIX + "/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out.add((method, normalise(rule.rule)))
    return out


def documented(text):
    """(method, path) of every endpoint the doc names, and every other /api/v1 path it names."""
    endpoints = {(method, normalise(path)) for method, path in ENDPOINT.findall(text)}
    bare = {normalise(path) for path in BARE_PATH.findall(text)}
    return endpoints, bare


def read_doc():
    with open(DOC, encoding="utf-8") as f:
        return f.read()


def test_the_reading_of_paths_is_the_same_on_both_sides():
    assert normalise("/api/v1/proposals/<int:proposal_id>/submit") == "/proposals/{id}/submit"
    assert normalise("/proposals/{id}/submit") == "/proposals/{id}/submit"
    assert (
        normalise("/api/v1/notifications/<int:notification_id>/read") == "/notifications/{id}/read"
    )
    endpoints, bare = documented(
        "| `GET /proposals` | `POST /replies/{id}/rating` | `GET /stats/annual?year=2026` |"
        " served at `GET /api/v1/openapi.json` and `/api/v1/me`; `flask --app wsgi db upgrade`"
    )
    assert endpoints == {
        ("GET", "/proposals"),
        ("POST", "/replies/{id}/rating"),
        ("GET", "/stats/annual"),
        ("GET", "/openapi.json"),
    }
    assert bare == {"/me"}


def test_every_served_api_path_is_in_the_doc(app):
    routes = served(app)
    assert len(routes) > 20, "no /api/v1 routes found"
    endpoints, _bare = documented(read_doc())
    missing = sorted(routes - endpoints)
    assert not missing, f"served but not in docs/api.md: {missing}"


def test_every_path_the_doc_names_is_served(app):
    routes = served(app)
    endpoints, bare = documented(read_doc())
    assert endpoints, "docs/api.md names no endpoint"
    unknown = sorted(endpoints - routes)
    assert not unknown, f"in docs/api.md but not served: {unknown}"
    paths = {path for _method, path in routes}
    unknown_paths = sorted(bare - paths)
    assert not unknown_paths, f"paths in docs/api.md that are not served: {unknown_paths}"
