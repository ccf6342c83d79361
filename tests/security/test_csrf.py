"""Every state-changing HTML route refuses a request without a CSRF token (400)
and changes nothing. A second app instance with CSRF protection on (the shared ``app`` has it
off) runs on the same database; each POST/PUT/PATCH/DELETE route outside /api/v1 (token
authenticated, no cookies, exempt) is sent by a logged-in principal whom the access table
entitles to it, with a valid body, but no csrf_token."""

import re

import pytest
from flask import g

from proposals import create_app
from proposals.extensions import db

from ..conftest import log_in
from .access_helpers import BOOKKEEPING_TABLES, PRINCIPALS, build_world, diff, dump, global_targets
from .access_table import ALLOW, INVALID, ROUTES, Facts
from .test_access_matrix import SCENARIOS_OF, app_routes, build_url, has_target

# CSRF is checked before any database work: the SQLite pass only (conftest.py)
pytestmark = pytest.mark.one_database

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def csrf_app(app):
    """The same configuration as the shared app, CSRF protection on."""
    config = {
        k: app.config[k]
        for k in ("ENV", "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "PASSWORD_HASH_METHOD")
    }
    config.update({"WTF_CSRF_ENABLED": True, "LOGIN_RATE_LIMIT_ENABLED": False})
    return create_app(config)


def client_for(csrf_app, user):
    client = csrf_app.test_client()
    return log_in(client, user) if user is not None else client


def send(client, method, url, body):
    db.session.commit()  # the other app's request sees committed data only
    g.pop("_login_user", None)
    try:
        return client.open(url, method=method, data=body or {})
    finally:
        g.pop("_login_user", None)
        db.session.expire_all()


def pick(route, scenarios):
    """A (principal, scenario) the table entitles to the route: allowed if possible, else one
    refused only for the record's state, else any logged-in principal."""
    for wanted in (ALLOW, INVALID):
        for name in route.scenarios or SCENARIOS_OF[route.kind]:
            scenario = scenarios[name] if name else None
            if scenario is not None and not has_target(route.kind, scenario):
                continue
            for principal in PRINCIPALS:
                if (
                    principal != "anon"
                    and route.expect(Facts(principal, scenario, route.kind)) == wanted
                ):
                    return principal, scenario
    return "owner", None


def html_state_changing(app):
    return sorted(
        (r, m) for r, m in app_routes(app) if m in STATE_CHANGING and not r.startswith("/api/")
    )


def test_state_changing_html_routes_refuse_a_missing_csrf_token(app, csrf_app, world):
    scenarios, users = build_world(world)
    targets = global_targets(world)
    base = dump(exclude=BOOKKEEPING_TABLES)
    routes = html_state_changing(app)
    assert len(routes) >= 40, routes
    failures = []
    for rule, method in routes:
        route = ROUTES.get((rule, method))
        if route is None:  # a route not in the table yet (the matrix fails on it)
            principal, scenario, kind, body = "owner", scenarios["closed"], "proposal", {}
        else:
            principal, scenario = pick(route, scenarios)
            kind, body = route.kind, route.body
        if scenario is None and route is None:
            continue
        url = build_url(rule, kind, scenario or scenarios["closed"], targets)
        url = re.sub(r"<(?:\w+:)?\w+>", "1", url)  # ids only the new areas know
        if callable(body):
            body = body()
        resp = send(client_for(csrf_app, users[principal]), method, url, body)
        db.session.rollback()
        now = dump(exclude=BOOKKEEPING_TABLES)
        refused_for_csrf = resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
        if not refused_for_csrf or now != base:
            failures.append(
                f"{method} {url} as {principal}: {resp.status_code} {diff(base, now) or ''}"
            )
            base = now
    assert not failures, "state-changing HTML routes without CSRF protection:\n" + "\n".join(
        failures
    )


def test_the_same_request_with_a_token_passes(app, csrf_app, world):
    """The control: the 400 above is the missing token, not the request."""
    build_world(world)
    client = client_for(csrf_app, world.member)
    page = send(client, "GET", "/notifications", None)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert token, "the page carries a CSRF token"
    without = send(client, "POST", "/notifications/read-all", {})
    assert without.status_code == 400
    with_token = send(client, "POST", "/notifications/read-all", {"csrf_token": token.group(1)})
    assert with_token.status_code == 302
