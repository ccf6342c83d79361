"""Shared machinery of the access-control matrix, the GET-safety test and the CSRF test.

- ``build_world``: one database holding a proposal in every state (and the assignments and
  replies of the handling states), each with the same cast of principals around it; built
  through the operations, as tests/flows.py does.
- ``dump``/``restore``: every row of every table, and putting exactly those rows back (same
  ids), portable to SQLite and PostgreSQL; cheap because the world is small.
- ``WriteWatch``: notices whether a request issued any INSERT/UPDATE/DELETE at all, so that the
  full dump is only compared when something may have changed.
- ``classify``: the answer's class: allow, refuse, invalid (409), bad (400), error.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import event, select

from proposals.accounts.models import User
from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.notifications.models import Notification
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows

# Tables whose rows may legitimately change on a read or a refusal: the security bookkeeping
# written by another area (login-session "last seen" times, audit records of logins and of
# refusals, which the audit requires). Excluded from the "nothing changed" comparisons,
# explicitly and only these.
BOOKKEEPING_TABLES = frozenset({"audit_events", "login_sessions"})

PASSWORD = "Matrix-test-pw-2024!"  # m1's password, for the login routes

# --------------------------------------------------------------------------- principals

PRINCIPALS = (
    "anon",
    "owner",
    "cosigner",
    "merged",
    "stranger",
    "org",
    "lead_clerk",
    "lead_head",
    "co_clerk",
    "co_head",
    "other_clerk",
    "office",
    "sec",
    "admin",
)
USERNAMES = {
    "owner": "m1",
    "cosigner": "m2",
    "merged": "m3",
    "stranger": "m4",
    "org": "org1",
    "lead_clerk": "clerk_a",
    "lead_head": "head_a",
    "co_clerk": "clerk_b",
    "co_head": "head_b",
    "other_clerk": "clerk_c",
    "office": "dcs",
    "sec": "sec",
    "admin": "admin",
}
ROLES = {
    "anon": None,
    "owner": "member",
    "cosigner": "member",
    "merged": "member",
    "stranger": "member",
    "org": "member",
    "lead_clerk": "clerk",
    "lead_head": "department_head",
    "co_clerk": "clerk",
    "co_head": "department_head",
    "other_clerk": "clerk",
    "office": "office",
    "sec": "secretariat",
    "admin": "admin",
}

# --------------------------------------------------------------------------- scenarios
# Each scenario: the main proposal (first proposer m1, co-signer m2) in one state, with its
# lead assignment (unit ZJJ: clerk_a, head_a), co assignment (unit CZJ: clerk_b, head_b) and
# the lead's latest reply where the state has them. From ``filed`` on, a proposal of m3 has
# been merged into it (m3 is then the "merged" principal); before that m3 is a stranger.

PROPOSAL_SCENARIOS = (
    "draft",
    "awaiting_cosigners",
    "submitted",
    "filed",
    "not_filed",
    "merged",
    "withdrawn",
    "assigned",
    "closed",
)
ASSIGNMENT_SCENARIOS = (
    "assigned",
    "handling",
    "reassignment_requested",
    "extension_requested",
    "reply_signoff",
    "replied",
    "closed",
)
REPLY_SCENARIOS = ("reply_signoff", "reply_review", "replied", "closed")
ALL_SCENARIOS = tuple(
    dict.fromkeys(("invited",) + PROPOSAL_SCENARIOS + ASSIGNMENT_SCENARIOS + REPLY_SCENARIOS)
)


@dataclass
class Scenario:
    name: str
    proposal: int
    state: str = ""  # the proposal's state
    assignment: int = None  # lead (ZJJ)
    co_assignment: int = None  # co (CZJ)
    reply: int = None
    astate: str = None  # the lead assignment's state
    costate: str = None
    rstate: str = None
    has_merged: bool = False  # m3's proposal was merged into this one
    extra: dict = field(default_factory=dict)


def today():
    return local_date(utcnow())


def _contact(clerk, a):
    hops.record_contact(
        clerk, a, {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通，听取意见。"}
    )


def _reply_data(result="B"):
    data = {
        "result": result,
        "text": "答复正文：逐条答复如下。",
        "signer": "局长 王某",
        "contact": "赵某 0571-88888888",
    }
    if result == "B":
        data["promised_date"] = "2099-12-31"
    return data


def build_world(w):
    """Every scenario in one database; returns ({name: Scenario}, {principal: User|None})."""
    w.make.user("member", username="m4", name="赵委员")  # the stranger
    m5 = w.make.user("member", username="m5", name="钱委员")
    # the supervising office of the lead unit (ZJJ), under the default settings: it sees
    # its unit's items and decides nothing
    w.make.user("office", username="dcs", name="督查室", office_departments=[w.unit_a])
    users = {"anon": None}
    for principal, username in USERNAMES.items():
        users[principal] = db.session.scalar(select(User).where(User.username == username))
        users[principal].set_password(PASSWORD)  # for the login and password-change routes
    db.session.commit()
    m1, m2, m3, sec = w.member, w.member2, w.member3, w.secretariat
    plan = [(w.unit_a, "lead"), (w.unit_b, "co")]
    out = {}

    def merge_m3_into(p):
        q = flows.submitted(w, proposer=m3, title="关于老旧小区加装电梯的建议")
        ops.review_proposal(sec, q, {"decision": "merge", "merge_into": p.id})
        db.session.commit()

    def record(name, p, has_merged=False):
        s = Scenario(name, p.id, p.state, has_merged=has_merged)
        lead = next((a for a in loaded(p, "assignments").assignments if a.role == "lead"), None)
        co = next((a for a in p.assignments if a.role == "co"), None)
        if lead is not None:
            s.assignment, s.astate = lead.id, lead.state
            if loaded(lead, "replies").replies:
                s.reply, s.rstate = lead.replies[-1].id, lead.replies[-1].state
        if co is not None:
            s.co_assignment, s.costate = co.id, co.state
        out[name] = s
        return s

    record("draft", flows.draft(w, cosigners=(m2,)))
    p = flows.draft(w, cosigners=(m2, m5))
    ops.submit_proposal(m1, p)
    ops.respond_to_invitation(m5, p, True)
    db.session.commit()
    record("invited", p)  # m2 still invited: may accept
    p = flows.draft(w, cosigners=(m2, m5))
    ops.submit_proposal(m1, p)
    ops.respond_to_invitation(m2, p, True)
    db.session.commit()
    record("awaiting_cosigners", p)  # m2 accepted, m5 still invited
    record("submitted", flows.submitted(w, cosigners=(m2,)))
    p = flows.filed(w, cosigners=(m2,))
    merge_m3_into(p)
    record("filed", p, True)
    p = flows.submitted(w, cosigners=(m2,))
    ops.review_proposal(
        sec, p, {"decision": "not_file", "reason_code": "other", "disposition": "letter"}
    )
    db.session.commit()
    record("not_filed", p)
    target = flows.filed(w, proposer=m5, title="关于老旧小区改造资金的建议")
    p = flows.submitted(w, cosigners=(m2,))
    ops.review_proposal(sec, p, {"decision": "merge", "merge_into": target.id})
    db.session.commit()
    record("merged", p)
    p = flows.submitted(w, cosigners=(m2,))
    ops.withdraw_proposal(m1, p, "情况已变化")
    db.session.commit()
    record("withdrawn", p)

    def assigned():
        p = flows.filed(w, cosigners=(m2,))
        merge_m3_into(p)
        ops.assign_proposal(sec, p, [{"code": d.code, "role": r} for d, r in plan])
        db.session.commit()
        return (
            p,
            next(a for a in loaded(p, "assignments").assignments if a.role == "lead"),
            next(a for a in p.assignments if a.role == "co"),
        )

    p, lead, co = assigned()
    record("assigned", p, True)

    def handling():
        p, lead, co = assigned()
        hops.accept_assignment(w.clerk_a, lead)
        hops.accept_assignment(w.clerk_b, co)
        _contact(w.clerk_a, lead)
        db.session.commit()
        return p, lead, co

    p, lead, co = handling()
    record("handling", p, True)

    p, lead, co = assigned()
    hops.request_reassignment(w.clerk_a, lead, "不属于本单位职责范围")
    db.session.commit()
    record("reassignment_requested", p, True)

    p, lead, co = handling()
    hops.submit_opinion(w.clerk_b, co, "会办意见：同意主办单位意见。")  # the lead may reply
    hops.request_extension(
        w.clerk_a,
        lead,
        {"until": (today() + timedelta(days=120)).isoformat(), "reason": "需要协调多个部门"},
    )
    db.session.commit()
    record("extension_requested", p, True)

    def with_reply():
        p, lead, co = handling()
        hops.submit_opinion(w.clerk_b, co, "会办意见：同意主办单位意见。")
        reply = hops.draft_reply(w.clerk_a, lead, _reply_data())
        db.session.commit()
        return p, lead, reply

    p, lead, reply = with_reply()
    record("reply_signoff", p, True)
    p, lead, reply = with_reply()
    hops.signoff_reply(w.head_a, reply, {"approve": True})
    db.session.commit()
    record("reply_review", p, True)
    p, lead, reply = with_reply()
    hops.signoff_reply(w.head_a, reply, {"approve": True})
    hops.review_reply(sec, reply, {"approve": True})
    db.session.commit()
    record("replied", p, True)
    p, lead, reply = with_reply()
    hops.signoff_reply(w.head_a, reply, {"approve": True})
    hops.review_reply(sec, reply, {"approve": True})
    hops.rate_reply(m1, reply, {"rating": "satisfied", "comment": "满意"})
    db.session.commit()
    record("closed", p, True)

    expected = {
        "draft": "draft",
        "invited": "awaiting_cosigners",
        "awaiting_cosigners": "awaiting_cosigners",
        "submitted": "submitted",
        "filed": "filed",
        "not_filed": "not_filed",
        "merged": "merged",
        "withdrawn": "withdrawn",
        "assigned": "assigned",
        "handling": "assigned",
        "reassignment_requested": "assigned",
        "extension_requested": "assigned",
        "reply_signoff": "assigned",
        "reply_review": "assigned",
        "replied": "assigned",
        "closed": "closed",
    }
    got = {name: s.state for name, s in out.items()}
    assert got == expected, got
    assert out["assigned"].astate == "pending" and out["handling"].astate == "handling"
    assert out["reassignment_requested"].astate == "reassignment_requested"
    assert out["reply_signoff"].rstate == "awaiting_signoff"
    assert out["reply_review"].rstate == "awaiting_review"
    assert out["replied"].rstate == "delivered" and out["replied"].astate == "replied"
    assert out["closed"].rstate == "rated" and out["closed"].astate == "closed"
    add_attachments(out, users)
    return out, users


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def add_attachments(scenarios, users):
    """One file on every scenario's proposal and one on its reply where it has one, written
    straight into the store (uploads are only possible in some states; the upload routes
    themselves are in the matrix): scenario.extra['attachment'] is the reply's file where the
    scenario has a reply, else the proposal's."""
    import hashlib
    import secrets

    from proposals.attachments.models import Attachment

    digest = hashlib.sha256(PDF).hexdigest()
    for s in scenarios.values():
        rows = [(None, users["owner"].id)]
        if s.reply is not None:
            rows.append((s.reply, users["lead_clerk"].id))
        for reply_id, uploader in rows:
            row = Attachment(
                proposal_id=s.proposal,
                reply_id=reply_id,
                filename="材料.pdf",
                kind="pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=digest,
                storage_key=secrets.token_hex(16),
                uploaded_by_id=uploader,
            )
            db.session.add(row)
            db.session.flush()
            s.extra["attachment"] = row.id
    db.session.commit()
    ensure_attachment_files()


def ensure_attachment_files():
    """The stored file of every attachment row (a restore brings back rows whose file an
    allowed delete removed)."""
    import os

    from proposals.attachments.models import Attachment
    from proposals.attachments.storage import path_for

    for key in db.session.scalars(select(Attachment.storage_key)):
        path = path_for(key)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(PDF)


def global_targets(w):
    """Ids for the routes that are not about the scenario records (admin pages, notifications).
    The admin's targets are harmless rows of their own (a spare unit, user, category …)."""
    from proposals.accounts.models import Department
    from proposals.committee.models import Category, CommitteeSession, NotFiledReason

    m1 = w.member
    any_proposal = db.session.scalar(select(Proposal.id).where(Proposal.proposer_id == m1.id))
    note = Notification(
        recipient_id=m1.id,
        kind="rating_due",
        record_type="proposal",
        record_id=any_proposal,
        deadline=today(),
        proposal_id=any_proposal,
        text="请测评答复",
        link=f"/proposals/{any_proposal}",
    )
    db.session.add(note)
    spare_unit = Department(code="SPARE", name="备用单位")
    db.session.add(spare_unit)
    spare_user = User(username="spare", name="备用用户", role="member")
    spare_user.password_hash = "!"
    db.session.add(spare_user)
    db.session.flush()
    from proposals.committee.models import Holiday

    holiday = Holiday(
        day=today().replace(month=12, day=31) + timedelta(days=365 * 3),
        is_workday=False,
        name="测试假日",
    )
    db.session.add(holiday)
    db.session.commit()
    # a 交办方案 plan without errors for a filed proposal, and a nomination to decide
    from proposals.plans import service as plans
    from proposals.recognition import service as recognition

    number = db.session.scalar(
        select(Proposal.number).where(Proposal.state == "filed").order_by(Proposal.id).limit(1)
    )
    plan = plans.create_plan(
        w.secretariat, "plan.csv", f"提案号,主办单位\n{number:04d},JYJ\n".encode()
    )
    assert not plan.errors, plan.errors
    nomination = recognition.nominate(
        w.secretariat,
        {"year": w.session.year, "kind": "department", "department": "ZJJ", "reason": "成效明显"},
    )
    # an export the secretariat requested, still queued: its requester's alone
    from proposals.documents.models import Export

    export = Export(
        kind="compilation",
        format="docx",
        params={"year": w.session.year},
        requested_by_id=w.secretariat.id,
    )
    db.session.add(export)
    db.session.commit()
    return {
        "plan_id": plan.id,
        "recognition_id": nomination.id,
        "notification_id": note.id,
        "export_id": export.id,
        "department_id": spare_unit.id,
        "user_id": spare_user.id,
        "row_id_category": db.session.scalar(select(Category.id).where(Category.code == "ecology")),
        "row_id_reason": db.session.scalar(
            select(NotFiledReason.id).where(NotFiledReason.code == "academic")
        ),
        "session_id": db.session.scalar(select(CommitteeSession.id)),
        "day": holiday.day.isoformat(),
        "code": "en",
        "kind": "letter",  # a kind of official document (the admin's templates)
    }


# --------------------------------------------------------------------------- database state


def _tables(exclude=()):
    return [t for t in db.metadata.sorted_tables if t.name not in exclude]


def dump(exclude=()):
    """Every row of every table (ordered by primary key): the database's fingerprint."""
    out = {}
    conn = db.session.connection()
    for table in _tables(exclude):
        order = list(table.primary_key.columns) or list(table.columns)
        rows = conn.execute(table.select().order_by(*order)).all()
        out[table.name] = [tuple(r) for r in rows]
    return out


def diff(before, after):
    """The tables that differ, with a short account of how."""
    changed = {}
    for name in before.keys() | after.keys():
        a, b = before.get(name, []), after.get(name, [])
        if a != b:
            sa, sb = set(map(repr, a)), set(map(repr, b))  # rows may hold JSON (dicts)
            changed[name] = {"removed": len(sa - sb), "added": len(sb - sa)}
    return changed


def snapshot():
    """All rows as dicts, to put back with restore()."""
    conn = db.session.connection()
    out = {}
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        out[table.name] = [dict(r._mapping) for r in conn.execute(table.select().order_by(*order))]
    return out


def _referenced_first(table, rows, self_cols):
    """Rows ordered so that a row comes after the rows of the same table it refers to."""
    pk = list(table.primary_key.columns)[0].name
    done, out, pending = set(), [], list(rows)
    while pending:
        rest = [r for r in pending if any(r[c] is not None and r[c] not in done for c in self_cols)]
        ready = [r for r in pending if r not in rest] or rest  # a cycle: let the DB judge
        out.extend(ready)
        done.update(r[pk] for r in ready)
        pending = [r for r in pending if r not in ready]
    return out


def restore(snap):
    """Put the database back to ``snap``: delete everything, insert the same rows (same ids),
    rows a self-reference points at (merged_into_id, reassigned_to_id) first."""
    db.session.rollback()
    conn = db.session.connection()
    tables = _tables()
    for table in reversed(tables):
        conn.execute(table.delete())
    for table in tables:
        rows = snap.get(table.name) or []
        if not rows:
            continue
        self_cols = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        if self_cols:
            rows = _referenced_first(table, rows, self_cols)
        conn.execute(table.insert(), rows)
    db.session.commit()
    db.session.expire_all()


def _pk(table):
    return list(table.primary_key.columns) or list(table.columns)


def restore_tables(snap, names):
    """Put only the tables ``names`` back to ``snap``, row by row: re-insert rows that went,
    reset rows that changed, delete rows that came. Much cheaper than restore() after one
    action; falls back to restore() when the database objects (a unique key, a reference)."""
    tables = [t for t in _tables() if t.name in names]
    db.session.rollback()
    conn = db.session.connection()
    try:
        plans = []
        for table in tables:
            pk = _pk(table)
            key = lambda row: tuple(row[c.name] for c in pk)  # noqa: E731
            want = {key(r): r for r in snap.get(table.name) or []}
            have = {key(dict(r._mapping)): dict(r._mapping) for r in conn.execute(table.select())}
            plans.append(
                (
                    table,
                    pk,
                    [r for k, r in want.items() if k not in have],
                    [r for k, r in want.items() if k in have and have[k] != r],
                    [k for k in have if k not in want],
                )
            )
        for table, _key, missing, _changed, _added in plans:
            if missing:
                conn.execute(table.insert(), missing)
        for table, pk, _missing, changed, _added in plans:
            for row in changed:
                conn.execute(
                    table.update()
                    .where(*[c == row[c.name] for c in pk])
                    .values(**{k: v for k, v in row.items() if k not in {c.name for c in pk}})
                )
        for table, pk, _missing, _changed, added in reversed(plans):
            for k in added:
                conn.execute(table.delete().where(*[c == v for c, v in zip(pk, k)]))
        db.session.commit()
    except Exception:  # noqa: BLE001 — the full restore is always right
        db.session.rollback()
        restore(snap)
        return
    db.session.expire_all()


class WriteWatch:
    """Records the INSERT/UPDATE/DELETE statements sent to the database inside ``with watch:``.
    One listener for the watch's whole life (adding and removing a listener per request makes
    SQLAlchemy's dispatch slower and slower); close() removes it."""

    WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|ALTER|DROP|CREATE|TRUNCATE)\b", re.I)

    def __init__(self, engine):
        self.engine, self.writes, self.recording = engine, [], False
        event.listen(self.engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        if self.recording and self.WRITE.match(statement):
            self.writes.append(statement.split("\n", 1)[0][:120])

    def __enter__(self):
        self.writes, self.recording = [], True
        return self

    def __exit__(self, *exc):
        self.recording = False

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._hook)


def relevant_writes(writes):
    """Writes to tables other than the security bookkeeping ones."""
    return [w for w in writes if not any(t in w for t in BOOKKEEPING_TABLES)]


# --------------------------------------------------------------------------- answers


def is_login_redirect(resp):
    if resp.status_code not in (301, 302, 303, 307, 308):
        return False
    location = resp.headers.get("Location", "")
    return re.match(r"^(https?://[^/]+)?/login(\?|$)", location) is not None


def classify(resp, logout=False):
    """``logout``: the route's own success is a redirect to the plain login page (no next=)."""
    code = resp.status_code
    if logout and is_login_redirect(resp) and "next=" not in resp.headers["Location"]:
        return "allow"
    if is_login_redirect(resp) or code in (401, 403, 404):
        return "refuse"
    if code == 409:
        return "invalid"
    if 200 <= code < 400:
        return "allow"
    if code == 400:
        return "bad"
    if code == 405:
        return "method"
    return f"error{code}"
