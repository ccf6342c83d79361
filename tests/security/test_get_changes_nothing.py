"""No GET changes anything. Every GET route of the app is requested by every
principal the access table lets see it, over a world with records in every state, and the whole
database (every row of every table, but the security bookkeeping tables: see
access_helpers.BOOKKEEPING_TABLES) is the same after as before."""

import pytest

from proposals.extensions import db

from .access_helpers import (
    BOOKKEEPING_TABLES,
    PRINCIPALS,
    WriteWatch,
    build_world,
    classify,
    diff,
    dump,
    global_targets,
    relevant_writes,
)
from .access_table import ALLOW, ROUTES, Facts
from .test_access_matrix import SCENARIOS_OF, app_routes, build_url, has_target

# the same code on both databases: the SQLite pass only (conftest.py)
pytestmark = [pytest.mark.slow, pytest.mark.one_database]


def test_no_get_changes_anything(app, world, web, api):
    scenarios, users = build_world(world)
    targets = global_targets(world)
    webs = {p: web(users[p]) for p in PRINCIPALS}
    apis = {p: api(users[p]) for p in PRINCIPALS}
    db.session.commit()
    first = base = dump(exclude=BOOKKEEPING_TABLES)
    gets = sorted(r for r, m in app_routes(app) if m == "GET")
    changed, allowed = [], 0
    watch = WriteWatch(db.engine)
    try:
        for rule in gets:
            route = ROUTES.get((rule, "GET"))
            if route is None:
                continue  # the access matrix fails on it; nothing to request it with
            for name in route.scenarios or SCENARIOS_OF[route.kind]:
                scenario = scenarios[name] if name else None
                if scenario is not None and not has_target(route.kind, scenario):
                    continue
                url = build_url(rule, route.kind, scenario, targets) + route.query
                for principal in PRINCIPALS:
                    if route.expect(Facts(principal, scenario, route.kind)) != ALLOW:
                        continue  # refusals: the matrix checks that they change nothing
                    with watch:
                        if url.startswith("/api/v1"):
                            resp = apis[principal].get(url[len("/api/v1") :])
                        else:
                            resp = webs[principal].get(url)
                    assert classify(resp) == "allow", (rule, principal, name, resp.status_code)
                    allowed += 1
                    if relevant_writes(watch.writes):
                        db.session.rollback()
                        now = dump(exclude=BOOKKEEPING_TABLES)
                        if now != base:
                            changed.append((url, principal, diff(base, now)))
                            base = now
    finally:
        watch.close()
    assert allowed > 300, allowed  # the world really was walked
    assert not changed, "GET requests that changed the database:\n" + "\n".join(
        f"  GET {u} as {p}: {d}" for u, p, d in changed
    )
    # and a full comparison at the end, whatever the statement watch saw
    db.session.rollback()
    assert dump(exclude=BOOKKEEPING_TABLES) == first
