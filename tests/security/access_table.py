"""The access-control expectation table: for every (rule, method) of the app,
who may do it to which record in which state.

Each entry is a ``Route``: the kind of record its URL names (which decides the scenarios it is
tried on), a function ``expect(f) -> ALLOW | REFUSE | INVALID`` over the facts ``f`` of one
principal and one scenario (see ``Facts``), and a VALID body for state-changing requests (so
that a 400 never hides whether access was granted).

The rule that every entry follows (docs/domain.md; docs/api.md):
  REFUSE  — the principal may not see the record, or its role/unit/person may not take the
            action (401/403/404; a redirect to the login page for an anonymous browser);
  INVALID — the principal is entitled but the record's state forbids the action (409);
  ALLOW   — 2xx/3xx that is not a redirect to login.
A route missing from ROUTES makes tests/security/test_access_matrix.py fail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from .access_helpers import PASSWORD, PROPOSAL_SCENARIOS, ROLES, today

ALLOW, REFUSE, INVALID = "allow", "refuse", "invalid"

DELIVERED = ("delivered", "rated", "unrated")


class Facts:
    """One principal in one scenario (``s`` is None for routes not about a record)."""

    def __init__(self, principal, scenario=None, kind="global"):
        self.p, self.s, self.kind = principal, scenario, kind
        self.role = ROLES[principal]

    # who
    @property
    def anon(self):
        return self.p == "anon"

    @property
    def authenticated(self):
        return not self.anon

    @property
    def member(self):
        return self.role == "member"

    @property
    def sec(self):
        return self.p == "sec"

    @property
    def admin(self):
        return self.p == "admin"

    @property
    def office(self):
        return self.p == "office"

    @property
    def lead_unit(self):
        return self.p in ("lead_clerk", "lead_head") and self.s.assignment is not None

    @property
    def co_unit(self):
        return self.p in ("co_clerk", "co_head") and self.s.co_assignment is not None

    @property
    def own_unit(self):
        """The principal's unit is the unit of the assignment the URL names."""
        return self.co_unit if self.kind == "co_assignment" else self.lead_unit

    @property
    def head(self):
        return self.role == "department_head"

    # what the principal may see (docs/domain.md)
    @property
    def sees(self):
        s, p = self.s, self.p
        if p == "owner":
            return True
        if p == "cosigner":
            return s.state != "draft"
        if p == "merged":
            return s.has_merged
        if p in ("lead_clerk", "lead_head", "office"):  # the office supervises the lead unit
            return s.assignment is not None
        if p in ("co_clerk", "co_head"):
            return s.co_assignment is not None
        if p == "sec":
            return s.state != "draft"
        return False  # anon, stranger, org, other_clerk, admin

    @property
    def sees_reply(self):
        """Drafts of replies stay with their unit and the secretariat."""
        return self.sees and (
            self.sec or self.lead_unit or self.office or self.s.rstate in DELIVERED
        )

    @property
    def internal(self):
        """Units' requests and opinions: the secretariat, the units of the proposal and the
        office supervising one of them."""
        return self.sec or self.lead_unit or self.co_unit or (self.office and self.sees)

    # the record's state
    @property
    def state(self):
        return self.s.state

    @property
    def astate(self):
        return self.s.costate if self.kind == "co_assignment" else self.s.astate


# ------------------------------------------------------------------ expectation builders


def anyone(f):
    return ALLOW


def logged_in(f):
    return ALLOW if f.authenticated else REFUSE


def role_only(*principals):
    def expect(f):
        return ALLOW if f.p in principals else REFUSE

    return expect


def submitted_batch():
    """A batch of one submitted proposal of the world (evaluated when the request is sent)."""
    from sqlalchemy import select

    from proposals.extensions import db
    from proposals.workflow.models import Proposal

    first = db.session.scalar(
        select(Proposal.id).where(Proposal.state == "submitted").order_by(Proposal.id).limit(1)
    )
    return {"ids": [first], "decision": "file"}


MEMBERS = ("owner", "cosigner", "merged", "stranger", "org")
secretariat_only = role_only("sec")
admin_only = role_only("admin")
members_only = role_only(*MEMBERS)


def export_file(f):
    """The requester's queued export: 409 until its file is built; 404 for anyone else."""
    return INVALID if f.sec else REFUSE


def acting(who, when, see="sees"):
    """See the record, then be entitled (``who(f)``), then the state (``when(f)``)."""

    def expect(f):
        if not getattr(f, see) or not who(f):
            return REFUSE
        return ALLOW if when(f) else INVALID

    return expect


def viewing(extra=None, see="sees"):
    def expect(f):
        return ALLOW if getattr(f, see) and (extra is None or extra(f)) else REFUSE

    return expect


def is_owner(f):
    return f.p == "owner"


def is_cosigner(f):
    return f.p == "cosigner"


def is_sec(f):
    return f.sec


def is_own_unit(f):
    return f.own_unit


def is_office(f):
    """The office supervising the lead unit (the scenarios' lead assignment)."""
    return f.office and f.kind == "assignment"


def is_lead_head(f):
    return f.lead_unit and f.head


def is_rater(f):
    return f.p in ("owner", "merged")


def state_in(*states):
    return lambda f: f.state in states


def astate_in(*states):
    return lambda f: f.astate in states


def scenario_in(*names):
    return lambda f: f.s.name in names


def rstate_in(*states):
    return lambda f: f.s.rstate in states


def may_rate(f):
    """The first proposer rates a delivered reply once; a merged proposer also a rated one."""
    if f.p == "owner":
        return f.s.rstate == "delivered"
    return f.s.rstate in ("delivered", "rated")


def may_enter_paper_rating(f):
    """Someone may still rate: the first proposer a delivered reply, the merged proposer (every
    scenario with a reply has one) a rated one too."""
    return f.s.rstate in ("delivered", "rated")


# ------------------------------------------------------------------ valid bodies


def content(**kw):
    data = {
        "title": "关于完善社区养老服务的建议",
        "category": "society",
        "analysis": "情况分析：" + "我市老龄人口增长较快，社区养老服务供给不足。" * 3,
        "suggestions": "具体建议：" + "增加社区养老服务中心，完善运营补贴政策。" * 6,
    }
    data.update(kw)
    return data


def form_content():
    return {**content(), "save": "保存草稿"}


def later(days):
    return (today() + timedelta(days=days)).isoformat()


def reply_body():
    return {
        "result": "A",
        "text": "答复正文：逐条答复如下。",
        "signer": "局长 王某",
        "contact": "赵某 0571-88888888",
    }


# the secretariat enters the first proposer's paper opinion form (rater left out: the first
# proposer); refused once that proposer has rated
PAPER_RATING = {"rating": "satisfied", "comment": "纸质测评"}


def csv_upload(text):
    return lambda: {"file": (BytesIO(text.encode("utf-8")), "import.csv")}


def archive_upload():
    """A sheet of one earlier proposal of the current session (evaluated when sent)."""
    from sqlalchemy import select

    from proposals.committee.models import CommitteeSession
    from proposals.extensions import db

    label = db.session.scalar(select(CommitteeSession).where(CommitteeSession.is_current)).label
    day = today().isoformat()
    return csv_upload(
        "会次,提案号,案由,提案人,类别,主办单位,答复结果,答复内容,满意度,提交日期,答复日期\n"
        f"{label},9000,关于往年城市更新的建议,张委员,社会建设,ZJJ,A,答复正文,满意,{day},{day}\n"
    )()


def settings_body():
    from proposals.committee import settings as committee_settings

    values = committee_settings.all_settings()
    body = {key: committee_settings.format_value(values[key]) for key in committee_settings.SPECS}
    body["cosign_window_working_days"] = str(int(values["cosign_window_working_days"]) + 1)
    return body


@dataclass
class Route:
    kind: str  # global | proposal | assignment | co_assignment
    #                                         | reply (decides the targets and the scenarios)
    expect: Callable  # Facts -> ALLOW | REFUSE | INVALID
    body: object | None = None  # dict, or a callable returning one
    note: str = ""
    scenarios: tuple = ()  # instead of the kind's usual scenarios
    query: str = ""  # a query string the request needs


G, P_, A_, CO, R_ = "global", "proposal", "assignment", "co_assignment", "reply"
# 'invited' differs from 'awaiting_cosigners' only for the co-signer's answer
COSIGN_SCENARIOS = PROPOSAL_SCENARIOS + ("invited",)

# ------------------------------------------------------------------ the table
# Keys: (rule as app.url_map spells it, method).

ROUTES = {
    # --- public and session -------------------------------------------------------------
    ("/healthz", "GET"): Route(G, anyone),
    ("/favicon.ico", "GET"): Route(G, anyone, note="the committee favicon, public"),
    ("/login", "GET"): Route(G, anyone, note="a logged-in user is sent home"),
    ("/login", "POST"): Route(G, anyone, {"username": "m1", "password": PASSWORD}),
    ("/logout", "POST"): Route(G, logged_in),
    ("/lang/<code>", "POST"): Route(G, anyone, {"next": "/"}),
    ("/", "GET"): Route(G, logged_in),
    # --- lists, exports, notifications, statistics (scoped to the caller) ------------------
    ("/proposals", "GET"): Route(G, logged_in),
    ("/proposals.csv", "GET"): Route(G, logged_in),
    ("/assignments", "GET"): Route(G, logged_in, note="members see an empty, scoped list"),
    ("/assignments.csv", "GET"): Route(G, logged_in),
    ("/notifications", "GET"): Route(G, logged_in),
    ("/notifications/<int:notification_id>/read", "POST"): Route(G, role_only("owner"), {}),
    ("/notifications/read-all", "POST"): Route(G, logged_in, {}),
    ("/notifications/preferences", "GET"): Route(G, logged_in),
    ("/notifications/preferences", "POST"): Route(
        G, logged_in, {"quiet_start": "22:00", "quiet_end": "07:30", "digest": "1"}
    ),
    ("/secretariat/queues", "GET"): Route(G, secretariat_only),
    ("/proposals/merge-candidates", "GET"): Route(G, secretariat_only),
    ("/stats", "GET"): Route(G, role_only("sec", "office")),
    ("/stats/annual.xlsx", "GET"): Route(G, secretariat_only),
    ("/stats/annual.docx", "GET"): Route(G, secretariat_only),
    # long documents (documents/jobs.py): the secretariat starts them; an export is its
    # requester's alone; the one of the table is still queued, so its file is not there yet
    ("/exports", "GET"): Route(G, secretariat_only),
    ("/exports", "POST"): Route(
        G,
        secretariat_only,
        lambda: {"kind": "compilation", "period": f"year:{today().year}", "format": "docx"},
    ),
    ("/exports/<int:export_id>/status", "GET"): Route(G, secretariat_only),
    ("/exports/<int:export_id>/file", "GET"): Route(G, export_file),
    ("/stats/annual.pdf", "GET"): Route(G, secretariat_only),
    ("/proposals/new", "GET"): Route(G, members_only),
    ("/proposals/new", "POST"): Route(G, members_only, form_content),
    # --- the proposal pages -----------------------------------------------------------------
    ("/proposals/<int:proposal_id>", "GET"): Route(P_, viewing()),
    ("/proposals/<int:proposal_id>/edit", "GET"): Route(P_, acting(is_owner, state_in("draft"))),
    ("/proposals/<int:proposal_id>/edit", "POST"): Route(
        P_, acting(is_owner, state_in("draft")), form_content
    ),
    ("/proposals/<int:proposal_id>/submit", "POST"): Route(
        P_, acting(is_owner, state_in("draft")), {}
    ),
    ("/proposals/autosave", "POST"): Route(
        G, members_only, content, note="the first autosave of a new proposal makes a draft"
    ),
    ("/proposals/<int:proposal_id>/autosave", "POST"): Route(
        P_, acting(is_owner, state_in("draft")), content, note="as editing: owner, draft only"
    ),
    ("/proposals/<int:proposal_id>/cosign", "POST"): Route(
        P_,
        acting(is_cosigner, scenario_in("invited")),
        {"accept": "1"},
        note="m2 answers only while invited (scenario 'invited'); once answered: 409",
        scenarios=COSIGN_SCENARIOS,
    ),
    ("/proposals/<int:proposal_id>/withdraw", "GET"): Route(
        P_, acting(is_owner, state_in("awaiting_cosigners", "submitted"))
    ),
    ("/proposals/<int:proposal_id>/withdraw", "POST"): Route(
        P_,
        acting(is_owner, state_in("awaiting_cosigners", "submitted")),
        {"reason": "情况已经变化"},
    ),
    ("/secretariat/review-batch", "POST"): Route(
        G, secretariat_only, lambda: {"ids": submitted_batch()["ids"]}
    ),
    ("/proposals/<int:proposal_id>/review", "GET"): Route(
        P_, acting(is_sec, state_in("submitted"))
    ),
    ("/proposals/<int:proposal_id>/review", "POST"): Route(
        P_, acting(is_sec, state_in("submitted")), {"decision": "file"}
    ),
    ("/proposals/<int:proposal_id>/assign", "GET"): Route(P_, acting(is_sec, state_in("filed"))),
    ("/proposals/<int:proposal_id>/assign", "POST"): Route(
        P_, acting(is_sec, state_in("filed")), {"units-0-code": "JYJ", "units-0-role": "lead"}
    ),
    ("/proposals/<int:proposal_id>/key", "GET"): Route(
        P_, acting(is_sec, state_in("submitted", "filed", "assigned", "closed"))
    ),
    ("/proposals/<int:proposal_id>/key", "POST"): Route(
        P_,
        acting(is_sec, state_in("submitted", "filed", "assigned", "closed")),
        {"key": "true", "supervisor": "sec"},
    ),
    ("/proposals/<int:proposal_id>/consultation", "GET"): Route(
        P_, acting(is_sec, state_in("assigned", "closed"))
    ),
    ("/proposals/<int:proposal_id>/consultation", "POST"): Route(
        P_,
        acting(is_sec, lambda f: False),
        {"note": "当面协商：双方交换意见。"},
        note="no scenario has a consultation due (second 'unsatisfied'): always 409",
    ),
    # --- the units' pages (the lead assignment, ZJJ; the opinion on the co one, CZJ) -----
    ("/assignments/<int:assignment_id>", "GET"): Route(A_, viewing(lambda f: f.internal)),
    ("/assignments/<int:assignment_id>/accept", "POST"): Route(
        A_, acting(is_own_unit, astate_in("pending")), {}
    ),
    ("/assignments/<int:assignment_id>/reassignment-request", "GET"): Route(
        A_, viewing(is_own_unit), note="the unit's form pages do not check the state"
    ),
    ("/assignments/<int:assignment_id>/reassignment-request", "POST"): Route(
        A_, acting(is_own_unit, astate_in("pending")), {"reason": "不属于本单位职责范围"}
    ),
    ("/assignments/<int:assignment_id>/contacts", "GET"): Route(A_, viewing(is_own_unit)),
    ("/assignments/<int:assignment_id>/contacts", "POST"): Route(
        A_,
        acting(is_own_unit, astate_in("handling", "rehandling")),
        lambda: {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通。"},
    ),
    ("/assignments/<int:assignment_id>/opinion", "GET"): Route(CO, viewing(is_own_unit)),
    ("/assignments/<int:assignment_id>/opinion", "POST"): Route(
        CO, acting(is_own_unit, astate_in("handling")), {"text": "会办意见：同意。"}
    ),
    ("/assignments/<int:assignment_id>/reply", "GET"): Route(A_, viewing(is_own_unit)),
    ("/assignments/<int:assignment_id>/reply", "POST"): Route(
        A_,
        acting(is_own_unit, scenario_in("extension_requested")),
        reply_body,
        note="only there: handling, a contact recorded, the co-unit's opinion in, no draft",
    ),
    ("/assignments/<int:assignment_id>/extension-request", "GET"): Route(A_, viewing(is_own_unit)),
    ("/assignments/<int:assignment_id>/extension-request", "POST"): Route(
        A_,
        acting(is_own_unit, scenario_in("handling", "reply_signoff")),
        lambda: {"until": later(120), "reason": "需要协调多个部门"},
    ),
    ("/assignments/<int:assignment_id>/follow-up", "GET"): Route(A_, viewing(is_own_unit)),
    ("/assignments/<int:assignment_id>/follow-up", "POST"): Route(
        A_, acting(is_own_unit, scenario_in("replied", "closed")), {"text": "正在推进。"}
    ),
    ("/assignments/<int:assignment_id>/confirm", "GET"): Route(
        A_, acting(is_office, astate_in("proposed"))
    ),
    ("/assignments/<int:assignment_id>/confirm", "POST"): Route(
        A_, acting(is_office, astate_in("proposed")), {"approve": "approve", "comment": ""}
    ),
    ("/assignments/<int:assignment_id>/reassignment-decision", "GET"): Route(
        A_, acting(is_sec, astate_in("reassignment_requested"))
    ),
    ("/assignments/<int:assignment_id>/reassignment-decision", "POST"): Route(
        A_,
        acting(is_sec, astate_in("reassignment_requested")),
        {"approve": "refuse", "comment": "由原单位办理"},
    ),
    ("/assignments/<int:assignment_id>/extension-decision", "GET"): Route(
        A_, acting(is_sec, scenario_in("extension_requested"))
    ),
    ("/assignments/<int:assignment_id>/extension-decision", "POST"): Route(
        A_,
        acting(is_sec, scenario_in("extension_requested")),
        {"approve": "approve", "comment": "同意"},
    ),
    # --- replies --------------------------------------------------------------------------
    ("/replies/<int:reply_id>/signoff", "GET"): Route(
        R_, acting(is_lead_head, rstate_in("awaiting_signoff"), see="sees_reply")
    ),
    ("/replies/<int:reply_id>/signoff", "POST"): Route(
        R_,
        acting(is_lead_head, rstate_in("awaiting_signoff"), see="sees_reply"),
        {"approve": "yes"},
    ),
    ("/replies/<int:reply_id>/review", "GET"): Route(
        R_, acting(is_sec, rstate_in("awaiting_review"), see="sees_reply")
    ),
    ("/replies/<int:reply_id>/review", "POST"): Route(
        R_, acting(is_sec, rstate_in("awaiting_review"), see="sees_reply"), {"approve": "approve"}
    ),
    ("/replies/<int:reply_id>/rate", "GET"): Route(
        R_, acting(is_rater, may_rate, see="sees_reply")
    ),
    ("/replies/<int:reply_id>/rate", "POST"): Route(
        R_, acting(is_rater, may_rate, see="sees_reply"), {"rating": "satisfied", "comment": "满意"}
    ),
    ("/replies/<int:reply_id>/paper-rating", "GET"): Route(
        R_,
        acting(is_sec, may_enter_paper_rating, see="sees_reply"),
        note="open while someone may still rate: the merged proposer once the reply is rated",
    ),
    ("/replies/<int:reply_id>/paper-rating", "POST"): Route(
        R_, acting(is_sec, rstate_in("delivered"), see="sees_reply"), PAPER_RATING
    ),
    # --- administration: the admin alone ----------------------------------------------------
    ("/admin/users", "GET"): Route(G, admin_only),
    ("/admin/users/new", "GET"): Route(G, admin_only),
    ("/admin/users/new", "POST"): Route(
        G,
        admin_only,
        {
            "username": "newuser",
            "password": "Long-enough-pw-2024",
            "name": "新用户",
            "role": "member",
            "department": "",
            "org_type": "",
            "email": "",
            "phone": "",
            "sector": "",
        },
    ),
    ("/admin/users/<int:user_id>/edit", "GET"): Route(G, admin_only),
    ("/admin/users/<int:user_id>/edit", "POST"): Route(
        G,
        admin_only,
        {
            "name": "备用用户（改）",
            "role": "member",
            "department": "",
            "org_type": "",
            "email": "",
            "phone": "",
            "sector": "",
            "active": "y",
        },
    ),
    ("/admin/users/<int:user_id>/password", "POST"): Route(
        G, admin_only, {"password": "Another-long-pw-2024"}
    ),
    ("/admin/users/<int:user_id>/active", "POST"): Route(G, admin_only, {"active": "0"}),
    ("/admin/users/import", "GET"): Route(G, admin_only),
    ("/admin/users/import", "POST"): Route(
        G,
        admin_only,
        csv_upload("username,name,role,password\nimp1,导入用户,member,Imported-long-pw-2024\n"),
    ),
    ("/admin/departments", "GET"): Route(G, admin_only),
    ("/admin/departments", "POST"): Route(G, admin_only, {"code": "NEW1", "name": "新单位"}),
    ("/admin/departments/<int:department_id>/edit", "GET"): Route(G, admin_only),
    ("/admin/departments/<int:department_id>/edit", "POST"): Route(
        G, admin_only, {"name": "备用单位（改）"}
    ),
    ("/admin/departments/<int:department_id>/active", "POST"): Route(
        G, admin_only, {"active": "0"}
    ),
    ("/archive/import", "GET"): Route(G, secretariat_only),
    ("/archive/import", "POST"): Route(G, secretariat_only, archive_upload),
    ("/admin/departments/import", "GET"): Route(G, admin_only),
    ("/admin/departments/import", "POST"): Route(
        G, admin_only, csv_upload("code,name\nIMP1,导入单位\n")
    ),
    ("/admin/sessions", "GET"): Route(G, admin_only),
    ("/admin/sessions", "POST"): Route(
        G,
        admin_only,
        lambda: {
            "term": "11",
            "meeting": "1",
            "year": str(today().year),
            "plenary_start": today().isoformat(),
            "plenary_end": later(3),
        },
    ),
    ("/admin/sessions/<int:session_id>/current", "POST"): Route(G, admin_only, {}),
    ("/admin/categories", "GET"): Route(G, admin_only),
    ("/admin/categories", "POST"): Route(G, admin_only, {"code": "newcat", "name": "新类别"}),
    ("/admin/categories/<int:row_id>/edit", "GET"): Route(G, admin_only),
    ("/admin/categories/<int:row_id>/edit", "POST"): Route(
        G, admin_only, {"name": "生态文明建设（改）"}
    ),
    ("/admin/categories/<int:row_id>/active", "POST"): Route(G, admin_only, {"active": "0"}),
    ("/admin/reasons", "GET"): Route(G, admin_only),
    ("/admin/reasons", "POST"): Route(G, admin_only, {"code": "newreason", "name": "新理由"}),
    ("/admin/reasons/<int:row_id>/edit", "GET"): Route(G, admin_only),
    ("/admin/reasons/<int:row_id>/edit", "POST"): Route(G, admin_only, {"name": "学术讨论（改）"}),
    ("/admin/reasons/<int:row_id>/active", "POST"): Route(G, admin_only, {"active": "0"}),
    ("/admin/settings", "GET"): Route(G, admin_only),
    ("/admin/settings", "POST"): Route(G, admin_only, settings_body),
    ("/admin/holidays", "POST"): Route(
        G, admin_only, {"day": "2040-05-07", "kind": "holiday", "name": "测试假日"}
    ),
    ("/admin/holidays/<day>/remove", "POST"): Route(G, admin_only, {}),
    # --- the JSON API ---------------------------------------------------------------------
    ("/api/v1/auth/token", "POST"): Route(G, anyone, {"username": "m1", "password": PASSWORD}),
    ("/api/v1/auth/token", "DELETE"): Route(G, logged_in, None),
    ("/api/v1/me", "GET"): Route(G, logged_in),
    ("/api/v1/departments", "GET"): Route(G, logged_in),
    ("/api/v1/categories", "GET"): Route(G, logged_in),
    ("/api/v1/sessions", "GET"): Route(G, logged_in),
    ("/api/v1/not-filed-reasons", "GET"): Route(G, logged_in),
    ("/api/v1/notifications", "GET"): Route(G, logged_in),
    ("/api/v1/notifications/<int:notification_id>/read", "POST"): Route(G, role_only("owner"), {}),
    ("/api/v1/me/notification-preferences", "GET"): Route(G, logged_in),
    ("/api/v1/me/notification-preferences", "PUT"): Route(G, logged_in, {"digest": True}),
    ("/api/v1/stats/annual", "GET"): Route(G, role_only("sec", "office")),
    ("/api/v1/stats/annual.xlsx", "GET"): Route(G, secretariat_only),
    ("/api/v1/stats/annual.docx", "GET"): Route(G, secretariat_only),
    ("/api/v1/exports", "POST"): Route(G, secretariat_only, {"kind": "compilation"}),
    ("/api/v1/exports/<int:export_id>", "GET"): Route(G, secretariat_only),
    ("/api/v1/exports/<int:export_id>/file", "GET"): Route(G, export_file),
    ("/api/v1/stats/annual.pdf", "GET"): Route(G, secretariat_only),
    ("/api/v1/proposals", "GET"): Route(G, logged_in),
    ("/api/v1/proposals", "POST"): Route(G, members_only, content),
    ("/api/v1/assignments", "GET"): Route(G, logged_in, note="members get an empty, scoped list"),
    ("/api/v1/proposals/<int:proposal_id>", "GET"): Route(P_, viewing()),
    ("/api/v1/proposals/<int:proposal_id>", "PATCH"): Route(
        P_, acting(is_owner, state_in("draft")), {"title": "关于完善社区养老服务的建议（修改）"}
    ),
    ("/api/v1/proposals/<int:proposal_id>/submit", "POST"): Route(
        P_, acting(is_owner, state_in("draft")), {}
    ),
    ("/api/v1/proposals/<int:proposal_id>/cosign", "POST"): Route(
        P_,
        acting(is_cosigner, scenario_in("invited")),
        {"accept": True},
        scenarios=COSIGN_SCENARIOS,
    ),
    ("/api/v1/proposals/<int:proposal_id>/withdraw", "POST"): Route(
        P_,
        acting(is_owner, state_in("awaiting_cosigners", "submitted")),
        {"reason": "情况已经变化"},
    ),
    ("/api/v1/proposals/review-batch", "POST"): Route(G, secretariat_only, submitted_batch),
    ("/api/v1/proposals/<int:proposal_id>/review", "POST"): Route(
        P_, acting(is_sec, state_in("submitted")), {"decision": "file"}
    ),
    ("/api/v1/proposals/<int:proposal_id>/assign", "POST"): Route(
        P_, acting(is_sec, state_in("filed")), {"departments": [{"code": "JYJ", "role": "lead"}]}
    ),
    ("/api/v1/proposals/<int:proposal_id>/key", "POST"): Route(
        P_,
        acting(is_sec, state_in("submitted", "filed", "assigned", "closed")),
        {"key": True, "supervisor": "sec"},
    ),
    ("/api/v1/proposals/<int:proposal_id>/consultation", "POST"): Route(
        P_, acting(is_sec, lambda f: False), {"note": "当面协商：双方交换意见。"}
    ),
    ("/api/v1/assignments/<int:assignment_id>", "GET"): Route(A_, viewing()),
    ("/api/v1/assignments/<int:assignment_id>/accept", "POST"): Route(
        A_, acting(is_own_unit, astate_in("pending")), {}
    ),
    ("/api/v1/assignments/<int:assignment_id>/reassignment-request", "POST"): Route(
        A_, acting(is_own_unit, astate_in("pending")), {"reason": "不属于本单位职责范围"}
    ),
    ("/api/v1/assignments/<int:assignment_id>/confirm", "POST"): Route(
        A_, acting(is_office, astate_in("proposed")), {"approve": True}
    ),
    ("/api/v1/assignments/<int:assignment_id>/reassignment-decision", "POST"): Route(
        A_,
        acting(is_sec, astate_in("reassignment_requested")),
        {"approve": False, "comment": "由原单位办理"},
    ),
    ("/api/v1/assignments/<int:assignment_id>/contacts", "POST"): Route(
        A_,
        acting(is_own_unit, astate_in("handling", "rehandling")),
        lambda: {"mode": "phone", "date": today().isoformat(), "summary": "电话沟通。"},
    ),
    ("/api/v1/assignments/<int:assignment_id>/opinion", "POST"): Route(
        CO, acting(is_own_unit, astate_in("handling")), {"text": "会办意见：同意。"}
    ),
    ("/api/v1/assignments/<int:assignment_id>/extension-request", "POST"): Route(
        A_,
        acting(is_own_unit, scenario_in("handling", "reply_signoff")),
        lambda: {"until": later(120), "reason": "需要协调多个部门"},
    ),
    ("/api/v1/assignments/<int:assignment_id>/extension-decision", "POST"): Route(
        A_, acting(is_sec, scenario_in("extension_requested")), {"approve": True, "comment": "同意"}
    ),
    ("/api/v1/assignments/<int:assignment_id>/reply", "POST"): Route(
        A_, acting(is_own_unit, scenario_in("extension_requested")), reply_body
    ),
    ("/api/v1/assignments/<int:assignment_id>/follow-up", "POST"): Route(
        A_,
        acting(is_own_unit, scenario_in("replied", "closed")),
        {"text": "正在推进。", "done": False},
    ),
    ("/api/v1/replies/<int:reply_id>", "GET"): Route(R_, viewing(see="sees_reply")),
    ("/api/v1/replies/<int:reply_id>/signoff", "POST"): Route(
        R_, acting(is_lead_head, rstate_in("awaiting_signoff"), see="sees_reply"), {"approve": True}
    ),
    ("/api/v1/replies/<int:reply_id>/review", "POST"): Route(
        R_, acting(is_sec, rstate_in("awaiting_review"), see="sees_reply"), {"approve": True}
    ),
    ("/api/v1/replies/<int:reply_id>/rating", "POST"): Route(
        R_, acting(is_rater, may_rate, see="sees_reply"), {"rating": "satisfied", "comment": "满意"}
    ),
    ("/api/v1/replies/<int:reply_id>/paper-rating", "POST"): Route(
        R_, acting(is_sec, rstate_in("delivered"), see="sees_reply"), PAPER_RATING
    ),
}

# ------------------------------------------------------------------ routes added while this
# table was written (attachments, search, portal, account, key board, OpenAPI): the lead
# completes the entries whose semantics were not settled yet.
ROUTES.update(
    {
        ("/api/v1/openapi.json", "GET"): Route(G, anyone, note="public description of the API"),
        ("/proposals.xlsx", "GET"): Route(G, logged_in, note="the scoped list, as the CSV"),
        ("/assignments.xlsx", "GET"): Route(G, logged_in, note="the scoped list, as the CSV"),
        ("/account/password", "GET"): Route(G, logged_in),
        ("/account/password", "POST"): Route(
            G,
            logged_in,
            {
                "current_password": PASSWORD,
                "new_password": "Brand-new-Passw0rd-2024",
                "confirm": "Brand-new-Passw0rd-2024",
            },
            note="every principal has PASSWORD",
        ),
        ("/account/audit", "GET"): Route(G, admin_only),
        ("/account/text-size", "POST"): Route(
            G, logged_in, {"size": "larger", "next": "/proposals"}, note="one's own A / A+ / A++"
        ),
        ("/key-proposals", "GET"): Route(
            G, secretariat_only, note="and a key proposal's supervisor: none here"
        ),
        ("/key-proposals/print", "GET"): Route(G, secretariat_only),
        ("/search/similar", "GET"): Route(
            G, members_only, query="?title=老旧小区改造&text=加快改造"
        ),
        ("/api/v1/proposals/similar", "GET"): Route(
            G, members_only, query="?title=老旧小区改造&text=加快改造"
        ),
        ("/api/v1/proposals/<int:proposal_id>/similar", "GET"): Route(
            P_,
            viewing(lambda f: f.sec or f.p in ("owner", "cosigner")),
            note="the secretariat, the first proposer, co-signers who accepted",
        ),
        # the public portal: nothing is published yet (replies delivered today, docs/domain.md
        # publishes 20 working days after delivery), so every record page is a 404 for everyone
        ("/public", "GET"): Route(G, anyone),
        ("/public/proposals/<int:proposal_id>", "GET"): Route(P_, lambda f: REFUSE),
        ("/proposals/<int:proposal_id>/disclosure", "GET"): Route(P_, viewing(is_sec)),
        ("/proposals/<int:proposal_id>/disclosure", "POST"): Route(
            P_,
            acting(is_sec, state_in("filed", "assigned", "closed")),
            {"reason": "涉及个人隐私", "withhold": "设为不公开"},
        ),
    }
)


# ------------------------------------------------------------------ attachments
# Proposal files: seen by whoever sees the proposal, added and removed by the first proposer
# while it is a draft. Reply files: seen by whoever sees the reply, added and removed by the
# clerk or head of the reply's unit until the reply is delivered. An ``attachment`` target is
# the reply's file where the scenario has a reply, else the proposal's (access_helpers).
def pdf_upload():
    from .access_helpers import PDF

    return {"file": (BytesIO(PDF), "材料.pdf")}


def file_expect(change=False):
    def expect(f):
        if f.s.reply is not None:  # the reply's file
            rule = acting(
                lambda g: g.lead_unit,
                rstate_in("awaiting_signoff", "awaiting_review"),
                see="sees_reply",
            )
            return rule(f) if change else viewing(see="sees_reply")(f)
        rule = acting(is_owner, state_in("draft"))
        return rule(f) if change else viewing()(f)

    return expect


ADD_REPLY_FILE = acting(
    lambda f: f.lead_unit, rstate_in("awaiting_signoff", "awaiting_review"), see="sees_reply"
)
ROUTES.update(
    {
        ("/api/v1/proposals/<int:proposal_id>/attachments", "GET"): Route(P_, viewing()),
        ("/api/v1/proposals/<int:proposal_id>/attachments", "POST"): Route(
            P_, acting(is_owner, state_in("draft")), pdf_upload
        ),
        ("/proposals/<int:proposal_id>/attachments", "GET"): Route(P_, viewing()),
        ("/proposals/<int:proposal_id>/attachments", "POST"): Route(
            P_, acting(is_owner, state_in("draft")), pdf_upload
        ),
        ("/api/v1/replies/<int:reply_id>/attachments", "GET"): Route(R_, viewing(see="sees_reply")),
        ("/api/v1/replies/<int:reply_id>/attachments", "POST"): Route(
            R_, ADD_REPLY_FILE, pdf_upload
        ),
        ("/replies/<int:reply_id>/attachments", "GET"): Route(R_, viewing(see="sees_reply")),
        ("/replies/<int:reply_id>/attachments", "POST"): Route(R_, ADD_REPLY_FILE, pdf_upload),
        ("/api/v1/attachments/<int:attachment_id>", "GET"): Route("attachment", file_expect()),
        ("/attachments/<int:attachment_id>", "GET"): Route("attachment", file_expect()),
        ("/api/v1/attachments/<int:attachment_id>", "DELETE"): Route(
            "attachment", file_expect(change=True)
        ),
        ("/attachments/<int:attachment_id>/delete", "POST"): Route(
            "attachment", file_expect(change=True), {}
        ),
    }
)


# ------------------------------------------------------------------ year-end recognition
# The secretariat alone reads, nominates and decides (docs/domain.md §9). The world holds no
# nomination, so a decision's URL names none: a 404, a refusal, for everyone (who may decide
# is tried in tests/recognition/).
def nomination_body(form=False):
    """A valid nomination of the world's filed proposal (evaluated when the request is sent)."""

    def body():
        from sqlalchemy import select

        from proposals.committee.models import CommitteeSession
        from proposals.extensions import db
        from proposals.workflow.models import Proposal

        number, year = db.session.execute(
            select(Proposal.number, CommitteeSession.year)
            .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
            .where(Proposal.state == "filed")
            .order_by(Proposal.id)
            .limit(1)
        ).one()
        if form:
            return {"year": str(year), "kind": "proposal", "number": str(number), "reason": "理由"}
        return {"year": year, "kind": "proposal", "number": number, "reason": "建议切实可行"}

    return body


ROUTES.update(
    {
        ("/secretariat/recognition", "GET"): Route(G, secretariat_only),
        ("/secretariat/recognition", "POST"): Route(G, secretariat_only, nomination_body(True)),
        ("/secretariat/recognition/<int:recognition_id>/decision", "POST"): Route(
            G, secretariat_only, {"decision": "award"}
        ),
        ("/api/v1/recognitions", "GET"): Route(G, secretariat_only),
        ("/api/v1/recognitions", "POST"): Route(G, secretariat_only, nomination_body()),
        ("/api/v1/recognitions/<int:recognition_id>/decision", "POST"): Route(
            G, secretariat_only, {"award": True}
        ),
    }
)

# ------------------------------------------------------------------ assignment plans (交办方案)
# The secretariat alone downloads the template, uploads, reads and applies a plan. An upload is
# kept as a plan even with errors (the page then shows them): allowed. The world holds one plan
# without errors (access_helpers.global_targets), which the secretariat may read and apply.
PLAN_SHEET = "提案号,主办单位,会办单位\n0001,JYJ,CZJ\n"
ROUTES.update(
    {
        ("/secretariat/assignment-plans", "GET"): Route(G, secretariat_only),
        ("/secretariat/assignment-plans", "POST"): Route(
            G, secretariat_only, csv_upload(PLAN_SHEET), note="302 to the plan's page"
        ),
        ("/secretariat/assignment-plans/template.xlsx", "GET"): Route(G, secretariat_only),
        ("/secretariat/assignment-plans/<int:plan_id>", "GET"): Route(G, secretariat_only),
        ("/secretariat/assignment-plans/<int:plan_id>/apply", "POST"): Route(
            G, secretariat_only, {}
        ),
        ("/api/v1/assignment-plans/template.xlsx", "GET"): Route(G, secretariat_only),
        ("/api/v1/assignment-plans", "POST"): Route(G, secretariat_only, csv_upload(PLAN_SHEET)),
        ("/api/v1/assignment-plans/<int:plan_id>", "GET"): Route(G, secretariat_only),
        ("/api/v1/assignment-plans/<int:plan_id>/apply", "POST"): Route(G, secretariat_only, {}),
    }
)

# Observed answers that differ from the table and are known findings (reported, not yet
# fixed): {(rule, method, principal, scenario): observed class}. The matrix fails when one
# of them stops happening, so that the entry is removed with the fix.
KNOWN_DEVIATIONS = {}

# Routes the matrix never requests: static files only.
SKIPPED_ENDPOINTS = ("static", "bootstrap.static")


# ------------------------------------------------------------------ official documents (公文)
# the letter (答复函): whoever sees the delivered reply; the opinion form (征询意见表): the
# secretariat and the proposers; the notice (交办通知书): the secretariat, the unit, its office;
# the not-filed notice (不予立案告知书): the secretariat and the proposers of a not-filed proposal.
# Visible but not entitled: 403; entitled but not in that state: 409.


def document_routes():
    def is_opinion_form_reader(f):
        return f.sec or f.p in ("owner", "cosigner", "merged")

    def is_notice_reader(f):
        return f.sec or f.own_unit or is_office(f)

    def is_not_filed_reader(f):
        return f.sec or f.p in ("owner", "cosigner")

    letter = acting(lambda f: True, rstate_in(*DELIVERED), see="sees_reply")
    opinion_form = acting(is_opinion_form_reader, rstate_in(*DELIVERED), see="sees_reply")
    notice = acting(is_notice_reader, lambda f: True)
    not_filed = acting(is_not_filed_reader, state_in("not_filed"))
    routes = {}
    for prefix in ("", "/api/v1"):
        for fmt in ("docx", "pdf"):
            routes.update(
                {
                    (f"{prefix}/replies/<int:reply_id>/letter.{fmt}", "GET"): Route(R_, letter),
                    (f"{prefix}/replies/<int:reply_id>/opinion-form.{fmt}", "GET"): Route(
                        R_, opinion_form
                    ),
                    (f"{prefix}/assignments/<int:assignment_id>/notice.{fmt}", "GET"): Route(
                        A_, notice
                    ),
                    (f"{prefix}/proposals/<int:proposal_id>/not-filed-notice.{fmt}", "GET"): Route(
                        P_, not_filed
                    ),
                }
            )
    return routes


def template_upload():
    """A valid template for the letter: its own default (evaluated when the request is sent)."""
    from proposals.documents.templates import default_template

    return {"file": (BytesIO(default_template("letter")), "letter.docx")}


ROUTES.update(document_routes())
ROUTES.update(
    {
        ("/admin/documents", "GET"): Route(G, admin_only),
        ("/admin/documents/<kind>/template.docx", "GET"): Route(G, admin_only),
        ("/admin/documents/<kind>/template", "POST"): Route(G, admin_only, template_upload),
        ("/admin/documents/<kind>/template/remove", "POST"): Route(G, admin_only, {}),
    }
)
