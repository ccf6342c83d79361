"""The baseline of the load test: a bare Flask app that runs the same SQL as the proposal list
page and the list API for the secretariat, statement for statement and column for column, and
shows the same rows. None of the application around it: no ORM, no forms, no login manager,
no page layout; plain SQL text, a small template and a JSON list. The ratio app/bare tells how
much the application adds around its SQL (for information: there is no target on it).

The statements are those the app runs for ``GET /proposals`` and ``GET /api/v1/proposals``,
in the same order:

- the page: the login session with its user and unit (security/sessions.py load_user), the
  filter form's choices (sessions, categories, units: proposal_filter_form), the page's ids
  with the total (workflow/queries.py page_ids), the rows and their units (web/lists.py
  proposal_rows), the unread notifications (web/__init__.py unread_notifications);
- the API: the token with its user and unit (api/common.py current_user_or_401), the ids with
  the total, the rows (workflow/queries.py proposal_summaries).

bench/run.py records both apps' statements and checks they are the same (``bare_same_sql``).
Who asks is read from a raw login-session id in the cookie ``bare_sid`` (the app's signed
session cookie holds it) or from the same Bearer token as the app's.

    gunicorn --workers 2 --bind 127.0.0.1:PORT 'bench.bare_app:make_app()'  # DATABASE_URL
"""

import hashlib
import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, abort, jsonify, request
from jinja2 import Environment
from sqlalchemy import BigInteger, Date, DateTime, Integer, String, bindparam, create_engine, text

# the app's engine-wide SQLite settings (its PRAGMAs, and BEGIN before a read): the same
# connections as the app's
import proposals.extensions  # noqa: F401
from proposals.config import load_config
from proposals.workflow.core import STATE_LABELS  # msgids: the Chinese text shown

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
TOKEN_LIFETIME = timedelta(days=30)  # API_TOKEN_LIFETIME's default


def ids(name):
    """A list of ids bound as the app's IN (…) is: one typed parameter per id."""
    return bindparam(name, expanding=True, type_=Integer)


# -- who asks
USER = """users.id AS id_1, users.username, users.name, users.role, users.department_id,
    users.email, users.phone, users.wecom_userid, users.org_type, users.sector,
    users.password_hash, users.active,
    users.created_at AS created_at_1, users.text_size, users.list_preferences,
    departments_1.id AS id_2, departments_1.code,
    departments_1.name AS name_1, departments_1.active AS active_1"""
LOGIN_SESSION = text(f"""
    SELECT login_sessions.id, login_sessions.token_hash, login_sessions.user_id,
        login_sessions.created_at, login_sessions.last_seen_at, login_sessions.revoked_at,
        login_sessions.address, {USER}
    FROM login_sessions JOIN users ON users.id = login_sessions.user_id
        LEFT OUTER JOIN departments AS departments_1 ON departments_1.id = users.department_id
    WHERE login_sessions.token_hash = :token_hash""").bindparams(
    bindparam("token_hash", type_=String)
)
API_TOKEN = text("""
    SELECT api_tokens.id, api_tokens.user_id, api_tokens.token_hash, api_tokens.created_at,
        api_tokens.revoked_at, departments_1.id AS id_1, departments_1.code, departments_1.name,
        departments_1.active, users_1.id AS id_2, users_1.username, users_1.name AS name_1,
        users_1.role, users_1.department_id, users_1.email, users_1.phone,
        users_1.wecom_userid, users_1.org_type, users_1.sector, users_1.password_hash,
        users_1.active AS active_1,
        users_1.created_at AS created_at_1, users_1.text_size, users_1.list_preferences
    FROM api_tokens LEFT OUTER JOIN users AS users_1 ON users_1.id = api_tokens.user_id
        LEFT OUTER JOIN departments AS departments_1 ON departments_1.id = users_1.department_id
    WHERE api_tokens.token_hash = :token_hash AND api_tokens.revoked_at IS NULL
        AND api_tokens.created_at > :valid_since""").bindparams(
    bindparam("token_hash", type_=String), bindparam("valid_since", type_=DateTime())
)  # naive UTC, as the app stores times

# -- the filter form's choices
SESSIONS = text("""
    SELECT committee_sessions.id, committee_sessions.term, committee_sessions.meeting,
        committee_sessions.year
    FROM committee_sessions ORDER BY committee_sessions.year DESC,
        committee_sessions.term DESC, committee_sessions.meeting DESC""")
CATEGORIES = text("SELECT categories.code, categories.name FROM categories ORDER BY categories.id")
UNITS = text(
    "SELECT departments.code, departments.name FROM departments "
    "ORDER BY departments.active DESC, departments.name"
)

# -- one page: the ids with the total, then the rows
VISIBLE = "proposals.state != :draft OR proposals.receipt_serial IS NOT NULL"
COUNT = f"""SELECT count(*) AS count_1 FROM (SELECT proposals.id AS id FROM proposals
    WHERE {VISIBLE}) AS anon_2"""
# the secretariat's work-first order (workflow/queries.py proposal_order): waiting for review,
# waiting for assignment, with an overdue unit, the other open ones, the finished ones; then
# the nearest unit deadline, the longest waiting, the latest finished
OPEN_UNIT = """assignments.state IN (:a_pending, :a_handling, :a_rehandling)
    AND assignments.role != :co"""
FINAL = "proposals.state IN (:closed, :not_filed, :merged, :withdrawn)"
WAITING = "coalesce(proposals.submitted_at, proposals.created_at)"
WORK_FIRST = f"""CASE WHEN (proposals.state IN (:submitted, :pre_reviewed)) THEN :g0
    WHEN (proposals.state = :filed) THEN :g1
    WHEN (proposals.id IN (SELECT assignments.proposal_id FROM assignments WHERE {OPEN_UNIT}
        AND coalesce(assignments.extended_to, assignments.reply_due) < :today)) THEN :g2
    WHEN ({FINAL}) THEN :g4 ELSE :g3 END,
    (SELECT min(coalesce(assignments.extended_to, assignments.reply_due)) AS min_1
        FROM assignments WHERE assignments.proposal_id = proposals.id AND {OPEN_UNIT})
        ASC NULLS LAST,
    CASE WHEN (CASE WHEN ({FINAL}) THEN :final ELSE :not_final END = :is_open)
        THEN {WAITING} END ASC,
    coalesce(proposals.closed_at, {WAITING}) DESC, proposals.id DESC"""
WORK_FIRST_VALUES = {
    "submitted": "submitted",
    "pre_reviewed": "pre_reviewed",
    "filed": "filed",
    "a_pending": "pending",
    "a_handling": "handling",
    "a_rehandling": "rehandling",
    "co": "co",
    "closed": "closed",
    "not_filed": "not_filed",
    "merged": "merged",
    "withdrawn": "withdrawn",
    **{f"g{n}": n for n in range(5)},
    "final": 1,
    "not_final": 0,
    "is_open": 0,
}


def ids_and_total(order, *typed):
    """The page's ids and the total in one statement, in ``order``."""
    return text(f"""
    SELECT proposals.id, ({COUNT}) AS anon_1 FROM proposals WHERE {VISIBLE}
    ORDER BY {order}
    LIMIT :page_limit OFFSET :page_offset""").bindparams(
        bindparam("draft", type_=String),
        *typed,
        bindparam("page_limit", type_=BigInteger),
        bindparam("page_offset", type_=BigInteger),
    )


# the page opens on the work first; the API keeps the newest first
PAGE_IDS = ids_and_total(WORK_FIRST, bindparam("today", type_=Date))
API_IDS = ids_and_total("proposals.submitted_at DESC NULLS FIRST, proposals.id DESC")
TOTAL = text(COUNT.replace("AS anon_2", "AS anon_1")).bindparams(
    bindparam("draft", type_=String)
)  # a page past the end
PAGE_ROWS = text("""
    SELECT proposals.id, proposals.number, proposals.receipt_serial, proposals.title,
        proposals.is_key, proposals.kind, proposals.state, proposals.submitted_at,
        users.name AS proposer_name, categories.name AS category_name,
        committee_sessions.term, committee_sessions.meeting
    FROM proposals JOIN users ON users.id = proposals.proposer_id
        JOIN categories ON categories.id = proposals.category_id
        JOIN committee_sessions ON committee_sessions.id = proposals.session_id
    WHERE proposals.id IN :ids""").bindparams(ids("ids"))
PAGE_UNITS = text("""
    SELECT assignments.proposal_id, departments.name
    FROM assignments JOIN departments ON departments.id = assignments.department_id
    WHERE assignments.proposal_id IN :ids AND assignments.state != :reassigned
    ORDER BY assignments.id""").bindparams(ids("ids"), bindparam("reassigned", type_=String))
LATEST_STEP = text("""
    SELECT history.proposal_id, max(history.created_at) AS max_1 FROM history
    WHERE history.proposal_id IN :ids AND history.to_state IS NOT NULL
    GROUP BY history.proposal_id""").bindparams(ids("ids"))
UNREAD = text("""
    SELECT count(*) AS count_1 FROM notifications
    WHERE notifications.recipient_id = :user_id AND notifications.read_at IS NULL""").bindparams(
    bindparam("user_id", type_=Integer)
)
API_ROWS = text("""
    SELECT proposals.id, proposals.version, proposals.state, proposals.number,
        proposals.receipt_serial, proposals.title, proposals.kind, proposals.session_id,
        proposals.submitted_at, proposals.is_key, proposals.is_plenary,
        categories.code AS category_code, categories.name AS category_name,
        committee_sessions.term, committee_sessions.meeting, users.username,
        users.name AS proposer_name
    FROM proposals JOIN categories ON categories.id = proposals.category_id
        JOIN committee_sessions ON committee_sessions.id = proposals.session_id
        JOIN users ON users.id = proposals.proposer_id
    WHERE proposals.id IN :ids""").bindparams(ids("ids"))

# -- what the rows show (in Chinese, the app's default language)
KIND_LABELS = {"individual": "个人提案", "joint": "联名提案", "collective": "集体提案"}
DIGITS = "零一二三四五六七八九十"
PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>提案</title></head><body>
<p>提醒 {{ unread }}</p>
<form method="get" action="/bare/proposals">
{% for name, choices in filters %}<select name="{{ name }}"><option value="">全部</option>
{% for value, label in choices %}<option value="{{ value }}">{{ label }}</option>{% endfor %}
</select>{% endfor %}</form>
<p>共 {{ total }} 件，第 {{ page }}/{{ pages }} 页</p>
<table class="table table-hover align-middle"><tbody>
{% for p in rows %}
  <tr>
    <td class="text-nowrap">{{ p.number_label or (("收件号 %s" % p.receipt_serial)
                                                   if p.receipt_serial else "—") }}</td>
    <td><a href="/proposals/{{ p.id }}">{{ p.title }}</a>
      {% if p.is_key %}<span class="badge bg-danger">重点</span>{% endif %}
      <div class="small text-muted">{{ p.session_label }} · {{ p.kind_label }}</div></td>
    <td>{{ p.proposer_name }}</td>
    <td class="text-nowrap">{{ p.category_name or "" }}</td>
    <td><span class="badge state state-{{ p.state }}">{{ p.state_label }}</span></td>
    <td class="text-nowrap small">{{ p.submitted }}</td>
    <td class="small">{{ p.units | join("、") }}</td>
  </tr>
{% endfor %}
</tbody></table></body></html>""")


def chinese(n):
    return (
        DIGITS[n]
        if n <= 10
        else (DIGITS[n // 10] if n >= 20 else "") + "十" + (DIGITS[n % 10] if n % 10 else "")
    )


def session_label(term, meeting):
    return f"第{chinese(term)}届第{chinese(meeting)}次会议"


def number_label(number):
    return f"第{number:04d}号" if number else None


def local_time(value):
    """A stored moment (naive UTC; text on SQLite, read without the app's column types) in
    Asia/Shanghai."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def page_args():
    page_no = max(int(request.args.get("page", 1)), 1)
    per_page = min(max(int(request.args.get("per_page", 20)), 1), 100)
    return page_no, per_page


def page_ids(conn, per_page, offset, work_first=False):
    """The page's ids and the total in one statement; past the end, one more count."""
    values = {"draft": "draft", "page_limit": per_page, "page_offset": offset}
    if work_first:
        values.update(WORK_FIRST_VALUES, today=datetime.now(LOCAL_TZ).date())
    found = conn.execute(PAGE_IDS if work_first else API_IDS, values).all()
    if not found:
        return [], (conn.execute(TOTAL, {"draft": "draft"}).scalar() if offset else 0)
    return [pid for pid, _total in found], found[0][1]


def in_order(rows, wanted):
    found = {r.id: r for r in rows}
    return [found[i] for i in wanted if i in found]


def make_app(url=None):
    app = Flask(__name__)
    load_config(app, {"SQLALCHEMY_DATABASE_URI": url or os.environ["DATABASE_URL"]})
    # the app's engine options too (pool_pre_ping; PostgreSQL's JIT off)
    engine = create_engine(
        app.config["SQLALCHEMY_DATABASE_URI"], **app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )

    @app.get("/bare/proposals")
    def proposals_page():
        page_no, per_page = page_args()
        raw = request.cookies.get("bare_sid")
        with engine.connect() as conn:
            who = conn.execute(LOGIN_SESSION, {"token_hash": digest(raw)}).first() if raw else None
            if who is None:
                abort(401)
            sessions = conn.execute(SESSIONS).all()
            filters = [
                ("session", [(s.id, session_label(s.term, s.meeting)) for s in sessions]),
                ("year", [(y, y) for y in sorted({s.year for s in sessions}, reverse=True)]),
                ("category", conn.execute(CATEGORIES).all()),
                ("department", conn.execute(UNITS).all()),
            ]
            # past the last page: the last (as the app's paginate)
            wanted, total = page_ids(conn, per_page, (page_no - 1) * per_page, work_first=True)
            pages = max(1, -(-total // per_page))
            if page_no > pages:
                page_no = pages
                wanted, total = page_ids(conn, per_page, (page_no - 1) * per_page, work_first=True)
            rows, units, stepped = [], {}, {}
            if wanted:
                rows = in_order(conn.execute(PAGE_ROWS, {"ids": wanted}), wanted)
                for pid, name in conn.execute(
                    PAGE_UNITS, {"ids": wanted, "reassigned": "reassigned"}
                ):
                    units.setdefault(pid, []).append(name)
                stepped = dict(conn.execute(LATEST_STEP, {"ids": wanted}).all())
            unread = conn.execute(UNREAD, {"user_id": who.user_id}).scalar()
        items = [
            {
                "id": r.id,
                "title": r.title,
                "is_key": r.is_key,
                "state": r.state,
                "state_label": STATE_LABELS.get(r.state, r.state),
                "number_label": number_label(r.number),
                "receipt_serial": r.receipt_serial,
                "session_label": session_label(r.term, r.meeting),
                "kind_label": KIND_LABELS[r.kind],
                "proposer_name": r.proposer_name,
                "category_name": r.category_name,
                "units": units.get(r.id, []),
                "submitted": (
                    local_time(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else ""
                ),
                "latest_step": stepped.get(r.id) or r.submitted_at,
            }
            for r in rows
        ]
        return PAGE.render(
            rows=items, total=total, page=page_no, pages=pages, filters=filters, unread=unread
        )

    @app.get("/bare/api/proposals")
    def proposals_api():
        page_no, per_page = page_args()
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        valid_since = datetime.now(UTC).replace(tzinfo=None) - TOKEN_LIFETIME
        with engine.connect() as conn:
            if (
                scheme.lower() != "bearer"
                or not token.strip()
                or conn.execute(
                    API_TOKEN, {"token_hash": digest(token.strip()), "valid_since": valid_since}
                ).first()
                is None
            ):
                abort(401)
            wanted, total = page_ids(conn, per_page, (page_no - 1) * per_page)
            # (the app reads the rows even for no ids: an empty IN)
            rows = in_order(conn.execute(API_ROWS, {"ids": wanted}), wanted)
        items = [
            {
                "id": r.id,
                "version": r.version,
                "state": r.state,
                "state_label": STATE_LABELS.get(r.state, r.state),
                "number": r.number,
                "number_label": number_label(r.number),
                "receipt_serial": r.receipt_serial,
                "title": r.title,
                "category": r.category_code,
                "category_name": r.category_name,
                "kind": r.kind,
                "session": r.session_id,
                "session_label": session_label(r.term, r.meeting),
                "proposer": r.username,
                "proposer_name": r.proposer_name,
                "submitted_at": (
                    local_time(r.submitted_at).isoformat() if r.submitted_at else None
                ),
                "is_key": bool(r.is_key),
                "is_plenary": None if r.is_plenary is None else bool(r.is_plenary),
            }
            for r in rows
        ]
        return jsonify({"items": items, "total": total, "page": page_no, "per_page": per_page})

    return app
