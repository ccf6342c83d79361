"""The baseline of the load test: a bare Flask app that runs the same SQL as the proposal list
page and the list API for the secretariat, statement for statement and column for column (see page_of() in
proposals/workflow/queries.py: the page's ids and the exact total in one statement (the total
kept per worker while the data version stands, proposals/list_totals.py), then those
rows with what they show of other tables; for the page also the rows' units), and renders the
same rows: the page with the list's own row template (templates/lists/_proposal_rows.html), the
API with the same JSON fields as proposal_summary(). Who asks is read with the app's own
statement too (the page: the login session with its user and unread count, from a raw session
id in the cookie ``bare_sid``; the API: the token with its user, from the same Bearer token),
so the bare app runs every statement the app's list runs. None of the application around it:
no session cookie, no ORM, no forms, no page chrome.

    gunicorn --workers 2 --bind 127.0.0.1:PORT bench.bare_app:app   # DATABASE_URL as the app
"""
import hashlib
import os
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, jsonify, render_template, request
from sqlalchemy import DateTime, Integer, String, bindparam, create_engine, text

HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
url = os.environ["DATABASE_URL"]
if url.startswith("postgresql://"):
    url = "postgresql+psycopg://" + url[len("postgresql://"):]
engine = create_engine(url, pool_pre_ping=True)
app = Flask(__name__, template_folder=os.path.join(HERE, "..", "proposals", "templates"))

# -- the application's statements (as SQLAlchemy compiles them for the secretariat's list)
VISIBLE = "proposals.state != 'draft' OR proposals.receipt_serial IS NOT NULL"
# the ids, the data version and the total, counted only when the version is no longer the
# one this worker counted under (proposals/list_totals.py)
VERSION = "(SELECT data_version.token FROM data_version WHERE data_version.id = 1)"
IDS_AND_TOTAL = text(f"""
    SELECT proposals.id, {VERSION} AS anon_1,
        CASE WHEN ({VERSION} = :kept_token) THEN :kept_total
             ELSE (SELECT count(*) AS count_1 FROM (SELECT proposals.id AS id
                   FROM proposals WHERE {VISIBLE}) AS anon_3) END AS anon_2
    FROM proposals WHERE {VISIBLE}
    ORDER BY proposals.submitted_at DESC NULLS FIRST, proposals.id DESC
    LIMIT :limit OFFSET :offset""").bindparams(bindparam("kept_token", type_=String),
                                               bindparam("kept_total", type_=Integer))
TOTAL = text(f"SELECT count(*) FROM (SELECT proposals.id AS id FROM proposals WHERE {VISIBLE})"
             " AS anon_1")
# the list API reads its rows as plain columns (workflow/queries.py proposal_summaries)
ROWS = text("""
    SELECT proposals.id, proposals.version, proposals.state, proposals.number,
        proposals.receipt_serial, proposals.title, proposals.kind, proposals.session_id,
        proposals.submitted_at, proposals.is_key, proposals.is_plenary,
        categories.code AS category_code, categories.name AS category_name,
        committee_sessions.term, committee_sessions.meeting, users.username,
        users.name AS proposer_name
    FROM proposals JOIN categories ON categories.id = proposals.category_id
        JOIN committee_sessions ON committee_sessions.id = proposals.session_id
        JOIN users ON users.id = proposals.proposer_id
    WHERE proposals.id IN :ids""").bindparams(bindparam("ids", expanding=True))
# the page reads its rows as plain columns (proposals/web/lists.py proposal_rows): the
# proposals with their proposer's and category's names, their units; the session labels come
# from the sessions the page keeps per worker for its filter form
PAGE_ROWS = text("""
    SELECT proposals.id, proposals.number, proposals.receipt_serial, proposals.title,
        proposals.is_key, proposals.kind, proposals.state, proposals.submitted_at,
        proposals.session_id, users.name AS proposer_name, categories.name AS category_name
    FROM proposals LEFT OUTER JOIN users ON users.id = proposals.proposer_id
        LEFT OUTER JOIN categories ON categories.id = proposals.category_id
    WHERE proposals.id IN :ids""").bindparams(bindparam("ids", expanding=True))
PAGE_UNITS = text("""
    SELECT assignments.proposal_id, assignments.state, departments.name
    FROM assignments JOIN departments ON departments.id = assignments.department_id
    WHERE assignments.proposal_id IN :ids ORDER BY assignments.id"""
                  ).bindparams(bindparam("ids", expanding=True))
SESSIONS = text("SELECT id, term, meeting FROM committee_sessions")
# who asks, as the app reads it: a page's login session with its user, their unit and
# unread notifications (security/sessions.py _session_statement), an API call's token with
# its user and their unit (api/__init__.py _token_statement)
WHO = """users.id AS u_id, users.username AS u_username, users.name AS u_name,
    users.role AS u_role, users.department_id AS u_department_id, users.email AS u_email,
    users.phone AS u_phone, users.org_type AS u_org_type, users.sector AS u_sector,
    users.password_hash AS u_password_hash, users.active AS u_active,
    users.created_at AS u_created_at, departments.id AS d_id, departments.code AS d_code,
    departments.name AS d_name, departments.active AS d_active"""
UNIT = "LEFT OUTER JOIN departments ON departments.id = users.department_id"
LOGIN_SESSION = text(f"""
    SELECT login_sessions.id, login_sessions.user_id, login_sessions.revoked_at,
        login_sessions.last_seen_at, login_sessions.created_at,
        (SELECT count(*) AS count_1 FROM notifications
         WHERE notifications.recipient_id = login_sessions.user_id
           AND notifications.read_at IS NULL) AS unread, {WHO}
    FROM login_sessions JOIN users ON users.id = login_sessions.user_id {UNIT}
    WHERE login_sessions.token_hash = :token_hash""")
API_TOKEN = text(f"""
    SELECT api_tokens.id AS token_id, {WHO}
    FROM users JOIN api_tokens ON api_tokens.user_id = users.id {UNIT}
    WHERE api_tokens.token_hash = :token_hash AND api_tokens.revoked_at IS NULL
        AND api_tokens.created_at > :valid_since""").bindparams(
    bindparam("valid_since", type_=DateTime()))  # naive UTC, as the app stores times
TOKEN_LIFETIME = timedelta(days=30)  # API_TOKEN_LIFETIME's default

DIGITS = "零一二三四五六七八九十"
# the label tables are plain constants (msgid = the Chinese text shown)
from proposals.workflow.core import STATE_LABELS  # noqa: E402
KIND_LABELS = {"individual": "个人提案", "joint": "联名提案", "collective": "集体提案"}


def number(n):
    return DIGITS[n] if n <= 10 else (DIGITS[n // 10] if n >= 20 else "") + "十" + (
        DIGITS[n % 10] if n % 10 else "")


def as_utc(value):
    if value is None:
        return None
    if isinstance(value, str):  # SQLite through text(): no type information
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def row_object(r, sessions, units=()):
    """What the row template reads of a proposal."""
    return Obj(id=r.id, title=r.title, state=r.state, kind=r.kind, is_key=bool(r.is_key),
               receipt_serial=r.receipt_serial,
               number_label=f"第{r.number:04d}号" if r.number else None,
               submitted_at=as_utc(r.submitted_at), session=Obj(label=sessions[r.session_id]),
               state_label=STATE_LABELS.get(r.state, r.state), category_label=r.category_name or "",
               proposer=Obj(name=r.proposer_name), category=Obj(name=r.category_name),
               unit_names=units)


# -- the template's helpers, without translation machinery (the text is the Chinese msgid)
def gettext(msgid, **kw):
    return msgid % kw if kw else msgid


# (highlight and search_snippet only for a search, which the bare list never is)
app.jinja_env.globals.update(_=gettext, search_snippet=lambda p, q: None)
app.jinja_env.filters.update(
    highlight=lambda value, q: value,
    localtime=lambda value: value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    if value else "")
proposal = Blueprint("proposal", __name__)


@proposal.get("/proposals/<int:proposal_id>", endpoint="show")
def show(proposal_id):  # only for url_for in the row template
    return ""


app.register_blueprint(proposal)


def page_args():
    per_page = min(int(request.args.get("per_page", 20)), 100)
    page_no = max(int(request.args.get("page", 1)), 1)
    return page_no, per_page


_kept = {"token": None, "total": None, "at": -1e9}


def page_of(conn, page_no, per_page, rows_statement=ROWS):
    fresh = time.monotonic() - _kept["at"] < 60  # list_totals.KEPT_SECONDS
    rows = conn.execute(IDS_AND_TOTAL, {
        "limit": per_page, "offset": (page_no - 1) * per_page,
        "kept_token": _kept["token"] if fresh else None,
        "kept_total": _kept["total"] if fresh else None}).all()
    if not rows:
        return [], [], (conn.execute(TOTAL).scalar() if page_no > 1 else 0)
    if rows[0][1] != _kept["token"] or not fresh:
        _kept.update(token=rows[0][1], total=rows[0][2], at=time.monotonic())
    ids = [pid for pid, _token, _total in rows]
    found = {r.id: r for r in conn.execute(rows_statement, {"ids": ids})}
    return ids, [found[i] for i in ids if i in found], rows[0][2]


_sessions = {"at": -1e9, "labels": {}}


def session_labels(conn):
    """The session labels, read again every 30 s as the app's filter choices are
    (proposals/web/lists.py REFERENCE_TTL)."""
    if time.monotonic() - _sessions["at"] >= 30:
        _sessions["labels"] = {sid: f"第{number(term)}届第{number(meeting)}次会议"
                               for sid, term, meeting in conn.execute(SESSIONS)}
        _sessions["at"] = time.monotonic()
    return _sessions["labels"]


def who_asks(conn, statement, raw, **params):
    """The app's statement for who asks (401 without a known session or token; the app checks
    its times and flags in Python)."""
    if not raw or conn.execute(statement, dict(
            params, token_hash=hashlib.sha256(raw.encode()).hexdigest())).first() is None:
        abort(401)


@app.get("/bare/proposals")
def proposals_page():
    page_no, per_page = page_args()
    with engine.connect() as conn:
        who_asks(conn, LOGIN_SESSION, request.cookies.get("bare_sid"))
        sessions = session_labels(conn)
        ids, rows, total = page_of(conn, page_no, per_page, PAGE_ROWS)
        units = {}
        if ids:
            for pid, state, name in conn.execute(PAGE_UNITS, {"ids": ids}):
                names = units.setdefault(pid, [])
                if state != "reassigned":
                    names.append(name)
    items = [row_object(r, sessions, units.get(r.id, [])) for r in rows]
    body = render_template("lists/_proposal_rows.html", rows=items, search_q="",
                           kind_labels=KIND_LABELS)
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>提案</title>'
            f'</head><body><p>共 {total} 件</p><table><tbody>{body}</tbody></table>'
            f'</body></html>')


@app.get("/bare/api/proposals")
def proposals_api():
    page_no, per_page = page_args()
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    with engine.connect() as conn:
        who_asks(conn, API_TOKEN, token.strip() if scheme.lower() == "bearer" else None,
                 valid_since=datetime.now(timezone.utc).replace(tzinfo=None) - TOKEN_LIFETIME)
        _ids, rows, total = page_of(conn, page_no, per_page)
    items = [{"id": r.id, "version": r.version, "state": r.state,
              "state_label": STATE_LABELS.get(r.state, r.state), "number": r.number,
              "number_label": f"第{r.number:04d}号" if r.number else None,
              "receipt_serial": r.receipt_serial, "title": r.title,
              "category": r.category_code, "category_name": r.category_name, "kind": r.kind,
              "session": r.session_id,
              "session_label": f"第{number(r.term)}届第{number(r.meeting)}次会议",
              "proposer": r.username, "proposer_name": r.proposer_name,
              "submitted_at": (as_utc(r.submitted_at).astimezone(LOCAL_TZ).isoformat()
                               if r.submitted_at else None),
              "is_key": bool(r.is_key),
              "is_plenary": None if r.is_plenary is None else bool(r.is_plenary)} for r in rows]
    return jsonify({"items": items, "total": total, "page": page_no, "per_page": per_page})
