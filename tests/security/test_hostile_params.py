"""Hostile parameters: every route's every parameter fed values no client should send —
integers past 64 bits, negative and zero numbers, dates at the ends of the calendar, JSON lists
and objects where text, a boolean or a number is expected, JSON nested 5,000 deep, numbers that
are not finite — and the answer is never a server error. The JSON API answers 400 in its error
shape (or the refusal it gives that person anyway: 401/403/404, 409 for a record in the wrong
state), the pages their own form error or a 400 page, and nothing changes in the database (the
security bookkeeping tables aside: access_helpers.BOOKKEEPING_TABLES).

The routes come from app.url_map: a route missing from PARAMS fails the test, so that a new
route cannot escape. Each route is requested by the first principal and scenario that the
access table (access_table.ROUTES) allows, so that the hostile value reaches the code that reads
it; its valid body comes from there too, with each field (and each element of a list field, and
each field of such an element) replaced in turn."""

import json
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import pytest

from proposals.extensions import db
from proposals.workflow.queries import MAX_PAGE

from .access_helpers import (
    BOOKKEEPING_TABLES,
    PRINCIPALS,
    build_world,
    classify,
    diff,
    dump,
    ensure_attachment_files,
    global_targets,
    relevant_writes,
    restore,
    restore_tables,
)
from .access_table import ALLOW, INVALID, REFUSE, ROUTES, Facts, later
from .test_access_matrix import (
    SCENARIOS_OF,
    STATE_CHANGING,
    Runner,
    app_routes,
    build_url,
    has_target,
    limiter_off,
)

pytestmark = pytest.mark.slow
SHOW = int(os.environ.get("HOSTILE_PARAMS_SHOW", "150"))  # problems shown

# ------------------------------------------------------------------ kinds of query parameter


@dataclass(frozen=True)
class Int:
    low: int
    high: int

    def valid(self, raw):
        return re.fullmatch(r"[0-9]{1,19}", raw) is not None and self.low <= int(raw) <= self.high


class Text:
    """Free text (a search, a code looked up, a username): any value is an answer, not an
    error."""

    @staticmethod
    def valid(raw):
        return True


class Enum:
    """One of a few words (a state, a sort, a role …): none of the hostile values is one."""

    def __init__(self, *words):
        self.words = words

    def valid(self, raw):
        return raw in self.words


class Date:
    """YYYY-MM-DD within the years the application counts in."""

    @staticmethod
    def valid(raw):
        try:
            return 1900 <= date.fromisoformat(raw).year <= 9998
        except ValueError:
            return False


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
TEXT = Text()
PAGE, PER_PAGE, LIMIT, ID, YEAR = (
    Int(1, MAX_PAGE),
    Int(1, 100),
    Int(1, 50),
    Int(1, MAX_ID),
    Int(1900, 9998),
)
BOOL_WORD = Enum("true", "false", "1", "0")
DATE = Date()
STATE = Enum("draft", "submitted", "filed", "pending", "handling")  # none is hostile
SORT = Enum("submitted", "submitted_asc", "number", "title", "state")

PROPOSAL_LIST = {
    "state": STATE,
    "session": ID,
    "year": YEAR,
    "category": TEXT,
    "department": TEXT,
    "overdue": BOOL_WORD,
    "key": BOOL_WORD,
    "q": TEXT,
    "sort": SORT,
}
ASSIGNMENT_LIST = {"state": STATE, "overdue": BOOL_WORD, "department": TEXT}
# the list pages' own: an unknown sort is the default order, the form's submit stores the
# person's choice, reset forgets it (proposals/web/list_filters.py)
LIST_PAGE = {"sort": TEXT, "submit": TEXT, "reset": TEXT}
PAGES = {"page": PAGE, "per_page": PER_PAGE}
PERIOD = {"year": YEAR, "session": ID, "as_of": DATE}
KEY_BOARD = {"year": YEAR, "session": ID, "supervisor": TEXT, "overdue": TEXT}

# The query parameters each route reads (grep -rn "request.args" proposals; the filter forms
# of proposals/web/list_filters.py): {(rule, method): {name: kind}}. Every route of the app is
# here or in NO_QUERY below (test_every_route_has_an_entry).
PARAMS = {
    ("/login", "GET"): {"next": TEXT},
    ("/login", "POST"): {"next": TEXT},
    ("/proposals", "GET"): {**PROPOSAL_LIST, **PAGES, **LIST_PAGE},
    ("/proposals.csv", "GET"): {**PROPOSAL_LIST, "sort": TEXT},
    ("/proposals.xlsx", "GET"): {**PROPOSAL_LIST, "sort": TEXT},
    ("/assignments", "GET"): {**ASSIGNMENT_LIST, **PAGES, **LIST_PAGE},
    ("/assignments.csv", "GET"): {**ASSIGNMENT_LIST, "sort": TEXT},
    ("/assignments.xlsx", "GET"): {**ASSIGNMENT_LIST, "sort": TEXT},
    ("/notifications", "GET"): {"page": PAGE},
    ("/stats", "GET"): {
        **PERIOD,
        "sort": Enum("assigned", "overdue", "on_time", "satisfaction"),
        "order": Enum("asc", "desc"),
    },
    ("/stats/annual.xlsx", "GET"): PERIOD,
    ("/stats/annual.docx", "GET"): PERIOD,
    ("/stats/annual.pdf", "GET"): PERIOD,
    ("/account/audit", "GET"): {"user": TEXT, "kind": TEXT, "before": ID},
    ("/search/similar", "GET"): {"title": TEXT, "text": TEXT, "exclude": ID},
    ("/proposals/merge-candidates", "GET"): {"q": TEXT, "exclude": ID},
    ("/proposals/<int:proposal_id>/review", "GET"): {"q": TEXT},
    ("/proposals/<int:proposal_id>/review", "POST"): {"q": TEXT},
    ("/key-proposals", "GET"): KEY_BOARD,
    ("/key-proposals/print", "GET"): KEY_BOARD,
    ("/admin/users", "GET"): {"q": TEXT, "role": TEXT, "status": TEXT, "page": PAGE},
    ("/public", "GET"): {
        "q": TEXT,
        "year": YEAR,
        "category": TEXT,
        "unit": TEXT,
        "page": PAGE,
    },
    ("/api/v1/proposals", "GET"): {**PROPOSAL_LIST, **PAGES},
    ("/api/v1/assignments", "GET"): {**ASSIGNMENT_LIST, **PAGES},
    ("/api/v1/notifications", "GET"): PAGES,
    ("/api/v1/proposals/<int:proposal_id>/attachments", "GET"): PAGES,
    ("/api/v1/replies/<int:reply_id>/attachments", "GET"): PAGES,
    ("/api/v1/stats/annual", "GET"): PERIOD,
    ("/api/v1/stats/annual.xlsx", "GET"): PERIOD,
    ("/api/v1/stats/annual.docx", "GET"): PERIOD,
    ("/api/v1/stats/annual.pdf", "GET"): PERIOD,
    ("/api/v1/proposals/similar", "GET"): {
        "title": TEXT,
        "text": TEXT,
        "exclude": ID,
        "limit": LIMIT,
    },
    ("/api/v1/proposals/<int:proposal_id>/similar", "GET"): {"limit": LIMIT},
    ("/secretariat/recognition", "GET"): {"year": YEAR},
    ("/api/v1/recognitions", "GET"): {"year": YEAR, **PAGES},
}

NO_QUERY = {  # the routes that read nothing of the query string
    "GET /",
    "GET /account/password",
    "POST /account/password",
    "POST /account/text-size",
    "GET /admin/categories",
    "POST /admin/categories",
    "POST /admin/categories/<int:row_id>/active",
    "GET /admin/categories/<int:row_id>/edit",
    "POST /admin/categories/<int:row_id>/edit",
    "GET /admin/departments",
    "POST /admin/departments",
    "POST /admin/departments/<int:department_id>/active",
    "GET /admin/departments/<int:department_id>/edit",
    "POST /admin/departments/<int:department_id>/edit",
    "GET /admin/departments/import",
    "POST /admin/departments/import",
    "GET /archive/import",
    "POST /archive/import",
    "POST /admin/holidays",
    "POST /admin/holidays/<day>/remove",
    "GET /admin/reasons",
    "POST /admin/reasons",
    "POST /admin/reasons/<int:row_id>/active",
    "GET /admin/reasons/<int:row_id>/edit",
    "POST /admin/reasons/<int:row_id>/edit",
    "GET /admin/sessions",
    "POST /admin/sessions",
    "POST /admin/sessions/<int:session_id>/current",
    "GET /admin/settings",
    "POST /admin/settings",
    "POST /admin/users/<int:user_id>/active",
    "GET /admin/users/<int:user_id>/edit",
    "POST /admin/users/<int:user_id>/edit",
    "POST /admin/users/<int:user_id>/password",
    "GET /admin/users/import",
    "POST /admin/users/import",
    "GET /admin/users/new",
    "POST /admin/users/new",
    "GET /api/v1/assignments/<int:assignment_id>",
    "POST /api/v1/assignments/<int:assignment_id>/accept",
    "POST /api/v1/assignments/<int:assignment_id>/contacts",
    "POST /api/v1/assignments/<int:assignment_id>/extension-decision",
    "POST /api/v1/assignments/<int:assignment_id>/extension-request",
    "POST /api/v1/assignments/<int:assignment_id>/follow-up",
    "POST /api/v1/assignments/<int:assignment_id>/opinion",
    "POST /api/v1/assignments/<int:assignment_id>/reassignment-decision",
    "POST /api/v1/assignments/<int:assignment_id>/reassignment-request",
    "POST /api/v1/assignments/<int:assignment_id>/reply",
    "DELETE /api/v1/attachments/<int:attachment_id>",
    "GET /api/v1/attachments/<int:attachment_id>",
    "DELETE /api/v1/auth/token",
    "POST /api/v1/auth/token",
    "GET /api/v1/categories",
    "GET /api/v1/departments",
    "GET /api/v1/me",
    "GET /api/v1/me/notification-preferences",
    "PUT /api/v1/me/notification-preferences",
    "GET /api/v1/not-filed-reasons",
    "POST /api/v1/notifications/<int:notification_id>/read",
    "GET /api/v1/openapi.json",
    "POST /api/v1/exports",
    "GET /api/v1/exports/<int:export_id>",
    "GET /api/v1/exports/<int:export_id>/file",
    "GET /exports",
    "POST /exports",
    "GET /exports/<int:export_id>/status",
    "GET /exports/<int:export_id>/file",
    "POST /api/v1/proposals",
    "GET /api/v1/proposals/<int:proposal_id>",
    "PATCH /api/v1/proposals/<int:proposal_id>",
    "POST /api/v1/proposals/<int:proposal_id>/assign",
    "POST /api/v1/proposals/<int:proposal_id>/attachments",
    "POST /api/v1/proposals/<int:proposal_id>/consultation",
    "POST /api/v1/proposals/<int:proposal_id>/cosign",
    "POST /api/v1/proposals/<int:proposal_id>/key",
    "POST /api/v1/proposals/<int:proposal_id>/review",
    "POST /api/v1/proposals/review-batch",
    "GET /assignments/<int:assignment_id>/confirm",
    "POST /assignments/<int:assignment_id>/confirm",
    "POST /api/v1/assignments/<int:assignment_id>/confirm",
    "POST /secretariat/review-batch",
    "POST /api/v1/proposals/<int:proposal_id>/submit",
    "POST /api/v1/proposals/<int:proposal_id>/withdraw",
    "GET /api/v1/replies/<int:reply_id>",
    "POST /api/v1/replies/<int:reply_id>/attachments",
    "POST /api/v1/replies/<int:reply_id>/rating",
    "POST /api/v1/replies/<int:reply_id>/paper-rating",
    "POST /api/v1/replies/<int:reply_id>/review",
    "POST /api/v1/replies/<int:reply_id>/signoff",
    "GET /api/v1/sessions",
    "GET /assignments/<int:assignment_id>",
    "POST /assignments/<int:assignment_id>/accept",
    "GET /assignments/<int:assignment_id>/contacts",
    "POST /assignments/<int:assignment_id>/contacts",
    "GET /assignments/<int:assignment_id>/extension-decision",
    "POST /assignments/<int:assignment_id>/extension-decision",
    "GET /assignments/<int:assignment_id>/extension-request",
    "POST /assignments/<int:assignment_id>/extension-request",
    "GET /assignments/<int:assignment_id>/follow-up",
    "POST /assignments/<int:assignment_id>/follow-up",
    "GET /assignments/<int:assignment_id>/opinion",
    "POST /assignments/<int:assignment_id>/opinion",
    "GET /assignments/<int:assignment_id>/reassignment-decision",
    "POST /assignments/<int:assignment_id>/reassignment-decision",
    "GET /assignments/<int:assignment_id>/reassignment-request",
    "POST /assignments/<int:assignment_id>/reassignment-request",
    "GET /assignments/<int:assignment_id>/reply",
    "POST /assignments/<int:assignment_id>/reply",
    "GET /attachments/<int:attachment_id>",
    "POST /attachments/<int:attachment_id>/delete",
    "GET /healthz",
    "POST /proposals/autosave",
    "POST /proposals/<int:proposal_id>/autosave",
    "GET /favicon.ico",
    "POST /lang/<code>",
    "POST /logout",
    "POST /notifications/<int:notification_id>/read",
    "POST /notifications/read-all",
    "GET /notifications/preferences",
    "POST /notifications/preferences",
    "GET /proposals/<int:proposal_id>",
    "GET /proposals/<int:proposal_id>/assign",
    "POST /proposals/<int:proposal_id>/assign",
    "GET /proposals/<int:proposal_id>/attachments",
    "POST /proposals/<int:proposal_id>/attachments",
    "GET /proposals/<int:proposal_id>/consultation",
    "POST /proposals/<int:proposal_id>/consultation",
    "POST /proposals/<int:proposal_id>/cosign",
    "GET /proposals/<int:proposal_id>/disclosure",
    "POST /proposals/<int:proposal_id>/disclosure",
    "GET /proposals/<int:proposal_id>/edit",
    "POST /proposals/<int:proposal_id>/edit",
    "GET /proposals/<int:proposal_id>/key",
    "POST /proposals/<int:proposal_id>/key",
    "POST /proposals/<int:proposal_id>/submit",
    "GET /proposals/<int:proposal_id>/withdraw",
    "POST /proposals/<int:proposal_id>/withdraw",
    "GET /proposals/new",
    "POST /proposals/new",
    "GET /public/proposals/<int:proposal_id>",
    "GET /replies/<int:reply_id>/attachments",
    "POST /replies/<int:reply_id>/attachments",
    "GET /replies/<int:reply_id>/rate",
    "POST /replies/<int:reply_id>/rate",
    "GET /replies/<int:reply_id>/paper-rating",
    "POST /replies/<int:reply_id>/paper-rating",
    "GET /replies/<int:reply_id>/review",
    "POST /replies/<int:reply_id>/review",
    "GET /replies/<int:reply_id>/signoff",
    "POST /replies/<int:reply_id>/signoff",
    "GET /secretariat/queues",
    "GET /secretariat/assignment-plans",
    "POST /secretariat/assignment-plans",
    "GET /secretariat/assignment-plans/template.xlsx",
    "GET /secretariat/assignment-plans/<int:plan_id>",
    "POST /secretariat/assignment-plans/<int:plan_id>/apply",
    "GET /api/v1/assignment-plans/template.xlsx",
    "POST /api/v1/assignment-plans",
    "GET /api/v1/assignment-plans/<int:plan_id>",
    "POST /api/v1/assignment-plans/<int:plan_id>/apply",
    "POST /secretariat/recognition",
    "POST /secretariat/recognition/<int:recognition_id>/decision",
    "POST /api/v1/recognitions",
    "POST /api/v1/recognitions/<int:recognition_id>/decision",
    # official documents (公文) and the admin's templates
    *(
        f"GET {prefix}{path}.{fmt}"
        for prefix in ("", "/api/v1")
        for path in (
            "/replies/<int:reply_id>/letter",
            "/replies/<int:reply_id>/opinion-form",
            "/assignments/<int:assignment_id>/notice",
            "/proposals/<int:proposal_id>/not-filed-notice",
        )
        for fmt in ("docx", "pdf")
    ),
    "GET /admin/documents",
    "GET /admin/documents/<kind>/template.docx",
    "POST /admin/documents/<kind>/template",
    "POST /admin/documents/<kind>/template/remove",
}


# ------------------------------------------------------------------ bodies
# The fields a route's body may carry beyond the valid body of access_table.ROUTES (optional
# fields, the optimistic-concurrency version), each with a valid value of its type; and further
# valid bodies where a field is only read for one choice (a merge names its target).
FILED = "<the id of the filed proposal>"  # replaced by the world's id


CONTENT_EXTRA = {
    "analysis": "情况分析：情况如此。",
    "suggestions": "具体建议：建议如此。",
    "cosigners": ["m2"],
    "suggested_departments": ["JYJ"],
}
BODY_EXTRA = {
    ("/api/v1/proposals", "POST"): CONTENT_EXTRA,
    ("/api/v1/proposals/<int:proposal_id>", "PATCH"): {
        **CONTENT_EXTRA,
        "category": "society",
    },
    ("/api/v1/proposals/<int:proposal_id>/review", "POST"): {
        "category": "society",
        "reason_code": "other",
        "disposition": "letter",
        "merge_into": 1,
        "comment": "同意",
    },
    ("/api/v1/proposals/<int:proposal_id>/assign", "POST"): {"due_date": later(30)},
    ("/api/v1/assignments/<int:assignment_id>/reassignment-decision", "POST"): {
        "department": "JYJ",
    },
    ("/api/v1/assignments/<int:assignment_id>/reply", "POST"): {
        "promised_date": later(30),
    },
    ("/api/v1/replies/<int:reply_id>/signoff", "POST"): {"comment": "同意"},
    ("/api/v1/replies/<int:reply_id>/review", "POST"): {
        "comment": "同意",
        "result": "A",
    },
    ("/proposals/new", "POST"): {"cosigners": "m2"},
    ("/proposals/<int:proposal_id>/review", "POST"): {
        "category": "society",
        "reason_code": "other",
        "disposition": "letter",
        "comment": "同意",
    },
    ("/proposals/<int:proposal_id>/assign", "POST"): {"due_date": later(30)},
    ("/assignments/<int:assignment_id>/reassignment-decision", "POST"): {"department": "JYJ"},
    ("/replies/<int:reply_id>/review", "POST"): {"result": "A", "comment": "同意"},
    ("/replies/<int:reply_id>/signoff", "POST"): {"comment": "同意"},
    ("/api/v1/replies/<int:reply_id>/paper-rating", "POST"): {"rater": "m1"},
    ("/replies/<int:reply_id>/paper-rating", "POST"): {"rater": "m1"},
}
# every action on a record may carry the version it read (valid: an integer), tried only with
# hostile values (the base body leaves it out: the records' versions differ)
VERSION = (("version",), 1)


def versioned(rule, method):
    """The actions on a proposal, an assignment or a reply (not on their files)."""
    return (
        re.match(r"/api/v1/(proposals|assignments|replies)/<int:", rule) is not None
        and method in STATE_CHANGING
        and "/attachments" not in rule
    )


VARIANTS = {
    ("/api/v1/proposals/<int:proposal_id>/review", "POST"): [
        {"decision": "merge", "merge_into": FILED},
        {"decision": "not_file", "reason_code": "other", "disposition": "letter"},
    ],
    ("/proposals/<int:proposal_id>/review", "POST"): [
        {"decision": "merge", "merge_into": FILED},
        {"decision": "not_file", "reason_code": "other", "disposition": "letter"},
    ],
    ("/api/v1/assignments/<int:assignment_id>/reassignment-decision", "POST"): [
        {"approve": True, "department": "JYJ"},
    ],
}

# ------------------------------------------------------------------ hostile values

HUGE = 10**23  # past 64 bits
DEEP = 5000


class Raw:
    """JSON text sent as it is (what json.dumps cannot write or would refuse)."""

    def __init__(self, text, name):
        self.text, self.name = text, name

    def __repr__(self):
        return self.name


DEEP_LIST = Raw("[" * DEEP + "]" * DEEP, "[[[…]]] 5,000 deep")
DEEP_OBJECT = Raw('{"a":' * DEEP + "1" + "}" * DEEP, '{"a":{"a":…}} 5,000 deep')
INFINITE = Raw("1e400", "1e400")
NOT_A_NUMBER = Raw("NaN", "NaN")
JSON_VALUES = (
    [],
    {"a": 1},
    DEEP_LIST,
    DEEP_OBJECT,
    HUGE,
    -HUGE,
    True,
    None,
    "not-a-number",
    12345,
    1.5,
    INFINITE,
    NOT_A_NUMBER,
)
# values of a query string or a form field (text)
TEXT_VALUES = (
    str(HUGE),
    str(-HUGE),
    "-1",
    "0",
    "1e400",
    "0001-01-01",
    "9999-12-31",
    "[" * DEEP,
)
# a form's fields are text: what may overflow is what a view turns into a number or a date
FORM_VALUES = (str(HUGE), str(-HUGE), "0001-01-01", "9999-12-31")


def encode(value):
    """``value`` as JSON text, Raw parts written as they are."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def well_typed(hostile, valid):
    """Whether ``hostile`` has the type the field's valid value has (then the route may accept
    it, or refuse it for what it says); None is left to the route (an optional field)."""
    if hostile is None:
        return True
    if isinstance(hostile, Raw):
        return False  # nested too deep, or not a finite number
    if isinstance(valid, bool) or isinstance(hostile, bool):
        return isinstance(valid, bool) and isinstance(hostile, bool)
    if isinstance(valid, int):
        return isinstance(hostile, int) and 0 <= hostile <= MAX_ID
    return isinstance(hostile, type(valid))


def paths(value, prefix=()):
    """Each field of a body, and each element of a list field and each field of such an
    element: (path, valid value)."""
    out = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = list(enumerate(value))[:1]
    else:
        return out
    for key, item in items:
        out.append((prefix + (key,), item))
        out.extend(paths(item, prefix + (key,)))
    return out


def replaced(body, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(body, dict):
        if head not in body:
            return {**body, head: replaced(None, rest, new)}
        return {k: (replaced(v, rest, new) if k == head else v) for k, v in body.items()}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(body)]


def resolve(body, scenarios):
    if isinstance(body, dict):
        return {k: resolve(v, scenarios) for k, v in body.items()}
    if body == FILED:
        return scenarios["filed"].proposal
    return body


# ------------------------------------------------------------------ the runner


@dataclass
class Sent:
    """One request's body: JSON (with Raw parts), raw JSON text, or form data."""

    json: object = None
    form: object = None
    headers: dict | None = None


class HostileRunner(Runner):
    """The access matrix's runner (the world at its snapshot, writes watched, put back after a
    change), sending JSON text and headers as given, and telling what changed."""

    def send(self, principal, method, url, body):
        if url.startswith("/api/v1"):
            path = url[len("/api/v1") :]
            headers = body.headers if body is not None else None
            if body is None or body.json is None:
                return self.apis[principal].call(method, path, headers=headers)
            return self.apis[principal].call(
                method,
                path,
                data=encode(body.json).encode("utf-8"),
                content_type="application/json",
                headers=headers,
            )
        client = self.webs[principal]
        if method == "GET":
            return client.get(url)
        form = body.form if body is not None else None
        return client.open(url, method=method, data=(form() if callable(form) else form) or {})

    def request(self, principal, method, url, body):
        """(answer, class, the tables that changed); the world put back after a change."""
        with self.watch:
            resp = self.send(principal, method, url, body)
        got = classify(resp, logout=url == "/logout")
        changed = {}
        if relevant_writes(self.watch.writes):
            self.dumps += 1
            db.session.rollback()
            changed = diff(self.base, dump(exclude=BOOKKEEPING_TABLES))
        if changed:
            # the changed tables only: the login sessions (bookkeeping, never compared) stay,
            # and with them the browsers' logins, unless a user's row changed (a password)
            restore_tables(self.snap, set(changed))
            if dump(exclude=BOOKKEEPING_TABLES) != self.base:  # never expected
                restore(self.snap)
                self.full_restores += 1
                changed = {**changed, "users": "restored"}
            self.restores += 1
            ensure_attachment_files()
            if "users" in changed:
                self.webs = {p: self.web(self.users[p]) for p in PRINCIPALS}
            else:
                self.webs[principal] = self.web(self.users[principal])
        elif got == "allow" and method in STATE_CHANGING:
            # the browser's session may have changed (logout, language): start afresh
            self.webs[principal] = self.web(self.users[principal])
        return resp, got, changed


def chosen(route, scenarios):
    """The (principal, scenario name, expectation) the route is tried with: the first the
    access table allows, else the first it calls invalid (409), else the first refusal by a
    logged-in person."""
    tried = []
    for name in route.scenarios or SCENARIOS_OF[route.kind]:
        scenario = scenarios[name] if name else None
        if scenario is not None and not has_target(route.kind, scenario):
            continue
        for principal in PRINCIPALS:
            tried.append((principal, name, route.expect(Facts(principal, scenario, route.kind))))
    for wanted in (ALLOW, INVALID, REFUSE):
        for principal, name, expected in tried:
            if expected == wanted and (wanted != REFUSE or principal != "anon"):
                return principal, name, expected
    raise AssertionError(route)


ANYWAY = {ALLOW: set(), INVALID: {409}, REFUSE: {401, 403, 404}}


def api_shape_problem(resp):
    """What is wrong with an API error answer's shape, or None."""
    try:
        body = resp.get_json()
    except Exception:  # noqa: BLE001
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"}:
        return f"not the API's error shape: {resp.get_data(as_text=True)[:200]!r}"
    if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
        return f"error without code and message: {error!r}"
    if set(error) - {"code", "message", "fields"}:
        return f"unknown keys in the error: {sorted(error)}"
    if "fields" in error and not (
        isinstance(error["fields"], dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in error["fields"].items())
    ):
        return f"fields not a mapping of names to messages: {error['fields']!r}"
    if resp.status_code == 400 and error["code"] != "validation_error":
        return f"400 with code {error['code']!r}"
    return None


class Sweep:
    """The world, the runner, the findings."""

    def __init__(self, app, world, web, api):
        self.scenarios, users = build_world(world)
        self.targets = global_targets(world)
        self.saved = limiter_off(app)
        self.runner = HostileRunner(app, web, api, users)
        self.problems, self.requests, self.started = [], 0, time.perf_counter()
        self.times = {}

    def close(self):
        self.runner.watch.close()
        for lim, state in self.saved:
            lim.enabled = state

    def target(self, rule, method):
        route = ROUTES[(rule, method)]
        principal, name, expected = chosen(route, self.scenarios)
        scenario = self.scenarios[name] if name else None
        return route, principal, build_url(rule, route.kind, scenario, self.targets), expected

    def valid_body(self, rule, method):
        body = ROUTES[(rule, method)].body
        return body() if callable(body) else body

    def request(self, what, principal, method, url, sent, expected, must_refuse):
        """Send one request and record what is wrong with its answer."""
        self.requests += 1
        started = time.perf_counter()
        resp, got, changed = self.runner.request(principal, method, url, sent)
        key = f"{method} {url.split('?')[0]}"
        self.times[key] = self.times.get(key, 0) + time.perf_counter() - started
        code = resp.status_code
        problem = None
        if code >= 500:
            problem = f"{code}"
        elif url.startswith("/api/v1"):
            if must_refuse and code != 400 and code not in ANYWAY[expected]:
                problem = f"{code}, expected 400 or {sorted(ANYWAY[expected]) or 'nothing else'}"
            elif code >= 400:
                problem = api_shape_problem(resp)
        if problem is None and changed and (method == "GET" or got != "allow"):
            problem = f"{code} and the database changed: {changed}"
        if problem:
            self.problems.append(f"  {what} as {principal}: {problem}")
        return resp

    def report(self, capsys, part):
        with capsys.disabled():
            print(
                f"\nhostile parameters ({part}): {self.requests} requests, "
                f"{len(self.problems)} problems, {self.runner.restores} restores, "
                f"{time.perf_counter() - self.started:.1f}s"
            )
        problems = self.problems
        if os.environ.get("HOSTILE_PARAMS_TIMES"):
            with capsys.disabled():
                for key, spent in sorted(self.times.items(), key=lambda x: -x[1])[:15]:
                    print(f"  {spent:6.2f}s {key}")
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:SHOW])


@pytest.fixture()
def sweep(app, world, web, api):
    s = Sweep(app, world, web, api)
    yield s
    s.close()


def test_every_route_has_an_entry(app):
    routes = app_routes(app)
    no_query = {(rule, method) for method, rule in (e.split(" ", 1) for e in NO_QUERY)}
    assert not PARAMS.keys() & no_query, "in both PARAMS and NO_QUERY"
    listed = PARAMS.keys() | no_query
    missing = sorted(routes - listed)
    stale = sorted(listed - routes)
    assert not missing, "routes in neither PARAMS nor NO_QUERY:\n" + "\n".join(
        f"  {m} {r}" for r, m in missing
    )
    assert not stale, "entries for routes that no longer exist:\n" + "\n".join(
        f"  {m} {r}" for r, m in stale
    )
    unknown = sorted(BODY_EXTRA.keys() - routes) + sorted(VARIANTS.keys() - routes)
    assert not unknown, unknown


def test_query_parameters(app, sweep, capsys):
    """Each query parameter of each route set to each hostile text."""
    for (rule, method), params in sorted(PARAMS.items()):
        if not params:
            continue
        route, principal, url, expected = sweep.target(rule, method)
        for name, kind in params.items():
            for value in TEXT_VALUES:
                query = (route.query + "&" if route.query else "?") + urlencode({name: value})
                sent = None
                if method != "GET":
                    body = sweep.valid_body(rule, method)
                    sent = Sent(json=body) if rule.startswith("/api/") else Sent(form=body)
                sweep.request(
                    f"{method} {rule} ?{name}={value[:30]!r}",
                    principal,
                    method,
                    url + query,
                    sent,
                    expected,
                    must_refuse=not kind.valid(value),
                )
    sweep.report(capsys, "query strings")


# The bodies and the forms reach the same readers (proposals/inputs.py, the operations): the
# JSON bodies are tried on PostgreSQL, the stricter store, the forms on SQLite; the query
# strings on both.
@pytest.mark.one_database("postgresql")
def test_json_bodies(app, sweep, capsys):
    """Each field of each JSON body (and each element of a list, each field of an element) set
    to each hostile JSON value; the whole body nested 5,000 deep; a hostile If-Match."""
    for rule, method in sorted(ROUTES):
        if not rule.startswith("/api/v1") or method not in STATE_CHANGING:
            continue
        _route, principal, url, expected = sweep.target(rule, method)
        for whole in (DEEP_LIST, DEEP_OBJECT):
            sweep.request(
                f"{method} {rule} body {whole!r}",
                principal,
                method,
                url,
                Sent(json=whole),
                expected,
                must_refuse=True,
            )
        valid = sweep.valid_body(rule, method)
        if not isinstance(valid, dict) or "file" in valid:
            continue  # no JSON body (a logout, an upload)
        if versioned(rule, method):
            for header in (str(HUGE), "-1", "abc", str(2**63)):
                sweep.request(
                    f"{method} {rule} If-Match: {header}",
                    principal,
                    method,
                    url,
                    Sent(json=valid, headers={"If-Match": header}),
                    expected,
                    must_refuse=True,
                )
        bodies = [{**valid, **BODY_EXTRA.get((rule, method), {})}]
        bodies += [{**valid, **v} for v in VARIANTS.get((rule, method), [])]
        for body in bodies:
            body = resolve(body, sweep.scenarios)
            fields = paths(body) + ([VERSION] if versioned(rule, method) else [])
            for path, field_value in fields:
                for value in JSON_VALUES:
                    sweep.request(
                        f"{method} {rule} {'.'.join(map(str, path))}={value!r}"[:160],
                        principal,
                        method,
                        url,
                        Sent(json=replaced(body, path, value)),
                        expected,
                        must_refuse=not well_typed(value, field_value),
                    )
    sweep.report(capsys, "JSON bodies")


@pytest.mark.one_database("sqlite")
def test_form_fields(app, sweep, capsys):
    """Each field of each page's form set to each hostile text."""
    for rule, method in sorted(ROUTES):
        if rule.startswith("/api/v1") or method not in STATE_CHANGING:
            continue
        _route, principal, url, expected = sweep.target(rule, method)
        valid = sweep.valid_body(rule, method)
        if not isinstance(valid, dict):
            continue
        bodies = [{**valid, **BODY_EXTRA.get((rule, method), {})}]
        bodies += [{**valid, **v} for v in VARIANTS.get((rule, method), [])]
        for body in bodies:
            body = {k: (str(v) if not isinstance(v, tuple) else v) for k, v in body.items()}
            body = {
                k: (str(sweep.scenarios["filed"].proposal) if v == FILED else v)
                for k, v in body.items()
            }
            for name in body:
                for value in FORM_VALUES:
                    sweep.request(
                        f"{method} {rule} {name}={value!r}",
                        principal,
                        method,
                        url,
                        Sent(form=dict(body, **{name: value})),
                        expected,
                        must_refuse=False,
                    )
    sweep.report(capsys, "form fields")


# ------------------------------------------------------------------ the answers themselves


def test_the_refusals_name_the_parameter(app, world, web, api):
    """A few of the answers, read: the field named, the form's own error shown."""
    sec = api(world.secretariat)
    for query, field in (
        ("as_of=0001-01-01", "as_of"),
        ("as_of=9999-12-31", "as_of"),
        ("year=0", "year"),
        ("year=99999", "year"),
        (f"session={HUGE}", "session"),
    ):
        resp = sec.get(f"/stats/annual?{query}")
        assert resp.status_code == 400, (query, resp.status_code)
        assert field in resp.get_json()["error"]["fields"], (query, resp.get_json())
    for query, field in (
        (f"page={HUGE}", "page"),
        (f"year={HUGE}", "year"),
        ("session=-1", "session"),
        (f"per_page={-HUGE}", "per_page"),
    ):
        resp = sec.get(f"/proposals?{query}")
        assert resp.status_code == 400, (query, resp.status_code)
        assert field in resp.get_json()["error"]["fields"], (query, resp.get_json())
    resp = api(world.member).get(f"/proposals/similar?title=老旧小区改造&exclude={HUGE}")
    assert resp.status_code == 400 and "exclude" in resp.get_json()["error"]["fields"]
    deep = api().call(
        "POST", "/auth/token", data="[" * DEEP + "]" * DEEP, content_type="application/json"
    )
    assert deep.status_code == 400 and deep.get_json()["error"]["code"] == "validation_error"
    page = web(world.secretariat).get("/stats?as_of=0001-01-01")
    assert page.status_code == 400 and 'data-testid="period-errors"' in page.get_data(as_text=True)
    page = web().get(f"/public?year={HUGE}")
    assert page.status_code == 400 and 'data-testid="filter-errors"' in page.get_data(as_text=True)
    page = web(world.secretariat).get(f"/proposals?year={HUGE}")
    assert page.status_code == 400 and 'data-testid="filter-errors"' in page.get_data(as_text=True)
