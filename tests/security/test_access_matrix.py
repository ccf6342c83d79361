"""The access-control matrix. Every route of the app (HTML and API, every
method) is requested by every kind of principal over records in every state, and each answer is
compared with tests/security/access_table.py: 0 unexpected allows, 0 unexpected refusals, the
database unchanged after every refusal, and after every GET, allowed or not (no GET changes
anything: every row of every table but the security bookkeeping, access_helpers.
BOOKKEEPING_TABLES). A route missing from the table fails the test."""

import os
import re
import time

import pytest

from proposals.extensions import db

from .access_helpers import (
    ALL_SCENARIOS,
    ASSIGNMENT_SCENARIOS,
    BOOKKEEPING_TABLES,
    PRINCIPALS,
    PROPOSAL_SCENARIOS,
    REPLY_SCENARIOS,
    WriteWatch,
    build_world,
    classify,
    diff,
    dump,
    ensure_attachment_files,
    global_targets,
    relevant_writes,
    restore,
    restore_tables,
    snapshot,
)
from .access_table import KNOWN_DEVIATIONS, ROUTES, SKIPPED_ENDPOINTS, Facts

# the access decisions are the same code on both databases; the PostgreSQL SQL of the visibility
# filters is covered by test_visibility and test_api_refusals: the SQLite pass only (conftest.py)
pytestmark = [pytest.mark.slow, pytest.mark.one_database]

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
LIMIT = int(os.environ.get("ACCESS_MATRIX_SHOW", "60"))  # mismatches shown per kind
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def app_routes(app):
    """Every (rule, method) the app answers, static files left out."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.endswith(".static"):
            continue
        for method in rule.methods - SKIPPED_METHODS:
            out.add((rule.rule, method))
    return out


def test_every_route_has_an_expectation(app):
    routes = app_routes(app)
    missing = sorted(routes - ROUTES.keys())
    stale = sorted(ROUTES.keys() - routes)
    assert not missing, "routes without an entry in tests/security/access_table.py:\n" + "\n".join(
        f"  {m} {r}" for r, m in missing
    )
    assert not stale, (
        "entries of tests/security/access_table.py for routes that no longer exist:\n"
        + "\n".join(f"  {m} {r}" for r, m in stale)
    )


SCENARIOS_OF = {
    "global": (None,),
    "proposal": PROPOSAL_SCENARIOS,
    "assignment": ASSIGNMENT_SCENARIOS,
    "co_assignment": ASSIGNMENT_SCENARIOS,
    "reply": REPLY_SCENARIOS,
    "attachment": tuple(dict.fromkeys(PROPOSAL_SCENARIOS + REPLY_SCENARIOS)),
}
assert set(ALL_SCENARIOS) >= set(PROPOSAL_SCENARIOS + ASSIGNMENT_SCENARIOS)


def build_url(rule, kind, scenario, targets):
    def value(match):
        name = match.group(2)
        if name == "proposal_id":
            return str(scenario.proposal)
        if name == "assignment_id":
            return str(scenario.co_assignment if kind == "co_assignment" else scenario.assignment)
        if name == "reply_id":
            return str(scenario.reply)
        if name == "attachment_id":
            return str(scenario.extra["attachment"])
        if name == "row_id":
            return str(targets["row_id_category" if "/categories/" in rule else "row_id_reason"])
        return str(targets[name]) if name in targets else match.group(0)

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule)


def has_target(kind, scenario):
    if kind == "assignment":
        return scenario.assignment is not None
    if kind == "co_assignment":
        return scenario.co_assignment is not None
    if kind == "reply":
        return scenario.reply is not None
    return True


def limiter_off(app):
    """Login routes are requested many times here; the rate limiter has its own tests."""
    found = app.extensions.get("limiter")
    limiters = found if isinstance(found, (set, list, tuple)) else [found] if found else []
    states = [(lim, getattr(lim, "enabled", None)) for lim in limiters]
    for lim, _state in states:
        lim.enabled = False
    return states


class Runner:
    """Sends the requests, keeps the database at the base snapshot, records every answer."""

    def __init__(self, app, web, api, users):
        self.app, self.web, self.api, self.users = app, web, api, users
        self.webs = {p: web(users[p]) for p in PRINCIPALS}
        self.apis = {p: api(users[p]) for p in PRINCIPALS}  # tokens issued before the snapshot
        db.session.commit()
        self.snap = snapshot()
        self.base = dump(exclude=BOOKKEEPING_TABLES)
        self.watch = WriteWatch(db.engine)
        self.results = []
        self.changed_on_refusal = []
        self.changed_by_get = []
        self.restores = self.full_restores = self.dumps = 0
        self.written = set()

    def send(self, principal, method, url, body):
        if callable(body):
            body = body()
        if url.startswith("/api/v1"):
            if isinstance(body, dict) and "file" in body:  # an upload: multipart
                return self.apis[principal].call(method, url[len("/api/v1") :], data=body)
            return self.apis[principal].call(
                method, url[len("/api/v1") :], json=body if method != "GET" else None
            )
        client = self.webs[principal]
        if method == "GET":
            return client.get(url)
        return client.open(url, method=method, data=body or {})

    def request(self, principal, method, url, body):
        with self.watch:
            resp = self.send(principal, method, url, body)
        got = classify(resp, logout=url == "/logout")
        writes = relevant_writes(self.watch.writes)
        changed = {}
        if writes:
            self.dumps += 1
            self.written.update(w[:60] for w in writes)
            db.session.rollback()
            changed = diff(self.base, dump(exclude=BOOKKEEPING_TABLES))
        if changed and got != "allow":
            self.changed_on_refusal.append((method, url, principal, resp.status_code, changed))
        elif changed and method == "GET":
            self.changed_by_get.append((url, principal, changed))
        if changed or (got == "allow" and method in STATE_CHANGING):
            if changed:
                restore_tables(self.snap, set(changed) | BOOKKEEPING_TABLES)
                if dump(exclude=BOOKKEEPING_TABLES) != self.base:  # never expected
                    restore(self.snap)
                    self.full_restores += 1
                self.restores += 1
                ensure_attachment_files()
                self.webs = {p: self.web(self.users[p]) for p in PRINCIPALS}
            else:  # the browser's session may have changed (logout, language): start afresh
                self.webs[principal] = self.web(self.users[principal])
        return resp, got


@pytest.fixture()
def matrix_world(app, world, web, api):
    scenarios, users = build_world(world)
    targets = global_targets(world)
    return scenarios, users, targets


# one test per kind of record, each well inside the per-test timeout on PostgreSQL
PARTS = {
    "global": ("global",),
    "proposal": ("proposal",),
    "assignment": ("assignment", "co_assignment"),
    "reply": ("reply",),
    "attachment": ("attachment",),
}


@pytest.mark.parametrize("part", list(PARTS))
def test_access_matrix(app, matrix_world, web, api, capsys, part):
    started, cpu = time.perf_counter(), time.process_time()
    scenarios, users, targets = matrix_world
    saved = limiter_off(app)
    runner = None
    try:
        runner = Runner(app, web, api, users)
        built = time.perf_counter()
        mismatches, seen_known, counts, per_route = [], set(), {}, {}
        for (rule, method), route in sorted(ROUTES.items()):
            if route.kind not in PARTS[part]:
                continue
            for name in route.scenarios or SCENARIOS_OF[route.kind]:
                scenario = scenarios[name] if name else None
                if scenario is not None and not has_target(route.kind, scenario):
                    continue
                url = build_url(rule, route.kind, scenario, targets) + route.query
                for principal in PRINCIPALS:
                    expected = route.expect(Facts(principal, scenario, route.kind))
                    t0 = time.perf_counter()
                    resp, got = runner.request(principal, method, url, route.body)
                    per_route[(method, rule)] = (
                        per_route.get((method, rule), 0) + time.perf_counter() - t0
                    )
                    counts[got] = counts.get(got, 0) + 1
                    key = (rule, method, principal, name)
                    if got == expected:
                        continue
                    if KNOWN_DEVIATIONS.get(key) == got:
                        seen_known.add(key)
                        continue
                    mismatches.append(
                        (key, expected, got, resp.status_code, resp.headers.get("Location", ""))
                    )
    finally:
        if runner is not None:
            runner.watch.close()
        for lim, state in saved:
            lim.enabled = state
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\naccess matrix ({part}): {len(ROUTES)} routes in the table, "
            f"{sum(counts.values())} requests "
            f"{counts}, {runner.dumps} dumps, {runner.restores} restores ({runner.full_restores} "
            f"full), world {built - started:.1f}s, "
            f"total {elapsed:.1f}s (cpu {time.process_time() - cpu:.1f}s)"
        )

        if os.environ.get("ACCESS_MATRIX_TIMES"):
            for (m, r), t in sorted(per_route.items(), key=lambda x: -x[1])[:25]:
                print(f"  {t:6.2f}s {m} {r}")
            for w in sorted(runner.written):
                print("  wrote:", w)

    def show(rows):
        return "\n".join(
            f"  {m} {r} as {p} on {s}: expected {e}, got {g} ({code} {loc})"
            for (r, m, p, s), e, g, code, loc in rows[:LIMIT]
        )

    unexpected_allows = [m for m in mismatches if m[2] == "allow"]
    unexpected_refusals = [m for m in mismatches if m[2] == "refuse"]
    others = [m for m in mismatches if m[2] not in ("allow", "refuse")]
    stale_known = sorted(
        k for k in set(KNOWN_DEVIATIONS) - seen_known if ROUTES[k[0], k[1]].kind in PARTS[part]
    )
    problems = []
    if unexpected_allows:
        problems.append(f"{len(unexpected_allows)} unexpected allows:\n" + show(unexpected_allows))
    if unexpected_refusals:
        problems.append(
            f"{len(unexpected_refusals)} unexpected refusals:\n" + show(unexpected_refusals)
        )
    if others:
        problems.append(
            f"{len(others)} other unexpected answers (409 to someone not "
            f"entitled, 400 to a valid body, 5xx):\n" + show(others)
        )
    if runner.changed_on_refusal:
        problems.append(
            "the database changed on a refusal:\n"
            + "\n".join(
                f"  {m} {u} as {p}: {code} {changed}"
                for m, u, p, code, changed in runner.changed_on_refusal[:40]
            )
        )
    if runner.changed_by_get:
        problems.append(
            "GET requests that changed the database:\n"
            + "\n".join(f"  GET {u} as {p}: {changed}" for u, p, changed in runner.changed_by_get)
        )
    if stale_known:
        problems.append(
            "known deviations no longer seen (fixed? remove them):\n"
            + "\n".join(f"  {k}" for k in stale_known)
        )
    assert not problems, "\n".join(problems)
