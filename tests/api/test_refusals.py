"""What the API refuses, and that a refusal changes nothing.

Every refusal below is checked against a snapshot of the whole database taken just before the
call (tests/api/snapshot.py): row counts of every table, the state and version of every
proposal, assignment and reply, the history, the counters and every row's content.

Codes (docs/api.md): 401 unauthenticated; 403 forbidden (the role or unit may not do this to a
record it can see); 404 not_found (no such record, or one the caller may not even see); 409
invalid_state; 409 conflict (stale If-Match); 400 validation_error naming the field.
"""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import add_months, local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from .snapshot import assert_refused, assert_unchanged, differences, snapshot


def today():
    return local_date(utcnow())


def iso(days=0):
    return (today() + timedelta(days=days)).isoformat()


class Day:
    """A date ``days`` from today, written into a case's request body when the request is sent:
    the case tables are built when the tests are collected, and a run that crosses midnight
    (Asia/Shanghai) would otherwise send yesterday's "today"."""

    def __init__(self, days):
        self.days = days


def day(days=0):
    return Day(days)


def resolve(body):
    """``body`` with its Day placeholders written as dates."""
    if isinstance(body, Day):
        return iso(body.days)
    if isinstance(body, dict):
        return {k: resolve(v) for k, v in body.items()}
    if isinstance(body, list):
        return [resolve(v) for v in body]
    return body


REPLY = {
    "result": "A",
    "text": "答复正文：逐条答复如下。",
    "signer": "局长 王某",
    "contact": "赵某 0571-88888888",
}


def reply_with(**kw):
    out = dict(REPLY)
    out.update(kw)
    return {k: v for k, v in out.items() if v is not None}


# --- the situations refusals are tried in (each returns the ids the paths need) -------------------


def _commit(**ids):
    db.session.commit()
    return ids


def s_none(w):
    return {}


def s_draft(w):
    return {"p": flows.draft(w).id}


def s_draft_cosigned(w):
    return {"p": flows.draft(w, cosigners=[w.member2]).id}


def s_awaiting(w):
    """Two co-signers invited, none has answered."""
    p = flows.draft(w, cosigners=[w.member2, w.member3])
    ops.submit_proposal(w.member, p)
    return _commit(p=p.id)


def s_awaiting_one(w):
    p = flows.draft(w, cosigners=[w.member2])
    ops.submit_proposal(w.member, p)
    return _commit(p=p.id)


def s_awaiting_answered(w):
    p = flows.draft(w, cosigners=[w.member2, w.member3])
    ops.submit_proposal(w.member, p)
    ops.respond_to_invitation(w.member2, p, True)
    return _commit(p=p.id)


def s_awaiting_expired(w):
    p = flows.draft(w, cosigners=[w.member2, w.member3])
    ops.submit_proposal(w.member, p)
    loaded(p, "cosigners").cosigners[0].expires_on = today() - timedelta(days=1)
    return _commit(p=p.id)


def s_joint_submitted(w):
    return {"p": flows.submitted(w, cosigners=[w.member2]).id}


def s_incomplete_draft(w):
    return {"p": flows.draft(w, suggestions="").id}


def s_short_draft(w):
    return {"p": flows.draft(w, analysis="短", suggestions="建议很短").id}


def s_submitted(w):
    return {"p": flows.submitted(w).id}


def s_two_submitted(w):
    return {"p": flows.submitted(w).id, "other": flows.submitted(w, title="关于另一件事的建议").id}


def s_returned(w):
    p = flows.submitted(w)
    ops.review_proposal(w.secretariat, p, {"decision": "return", "comment": "请修改"})
    return _commit(p=p.id)


def s_withdrawn(w):
    p = flows.submitted(w)
    ops.withdraw_proposal(w.member, p, "撤回")
    return _commit(p=p.id)


def s_filed(w):
    return {"p": flows.filed(w).id}


def s_no_session(w):
    w.session.is_current = False
    return _commit()


def s_assigned(w):
    p = flows.assigned(w)
    return {"p": p.id, "a": loaded(p, "assignments").assignments[0].id}


def s_window_passed(w):
    p = flows.assigned(w)
    loaded(p, "assignments").assignments[0].accept_due = today() - timedelta(days=1)
    return _commit(p=p.id, a=loaded(p, "assignments").assignments[0].id)


def first_reply(proposal_id):
    """The first reply of the proposal's first unit."""
    p = loaded(db.session.get(Proposal, proposal_id), "assignments")
    return loaded(p.assignments[0], "replies").replies[0]


def s_co(w):
    """Lead ZJJ and co-unit CZJ, both pending."""
    p = flows.assigned(w, plan=[(w.unit_a, "lead"), (w.unit_b, "co")])
    lead, co = loaded(p, "assignments").assignments
    return {"p": p.id, "a": lead.id, "co": co.id}


def s_co_handling(w):
    p = flows.handling(w, plan=[(w.unit_a, "lead"), (w.unit_b, "co")])
    lead, co = loaded(p, "assignments").assignments
    hops.record_contact(w.clerk_a, lead, {"mode": "phone", "date": iso(), "summary": "电话沟通"})
    return _commit(p=p.id, a=lead.id, co=co.id)


def s_co_opinion_given(w):
    ids = s_co_handling(w)
    p = db.session.get(Proposal, ids["p"])
    hops.submit_opinion(w.clerk_b, loaded(p, "assignments").assignments[1], "同意")
    db.session.commit()
    return ids


def s_co_lead_reply_drafted(w):
    """Lead + co; the co-unit gave its opinion, the lead's reply awaits sign-off."""
    ids = s_co_opinion_given(w)
    p = db.session.get(Proposal, ids["p"])
    reply = hops.draft_reply(w.clerk_a, loaded(p, "assignments").assignments[0], REPLY)
    return _commit(r=reply.id, **ids)


def s_handling(w):
    p = flows.handling(w)
    return {"p": p.id, "a": loaded(p, "assignments").assignments[0].id}


def s_contacted(w):
    p = flows.handling(w)
    hops.record_contact(
        w.clerk_a,
        loaded(p, "assignments").assignments[0],
        {"mode": "phone", "date": iso(), "summary": "电话沟通"},
    )
    return _commit(p=p.id, a=loaded(p, "assignments").assignments[0].id)


def s_reassign_requested(w):
    p = flows.assigned(w)
    hops.request_reassignment(
        w.clerk_a, loaded(p, "assignments").assignments[0], "不属于本单位职责"
    )
    return _commit(p=p.id, a=loaded(p, "assignments").assignments[0].id)


def s_co_lead_reassign_requested(w):
    ids = s_co(w)
    p = db.session.get(Proposal, ids["p"])
    hops.request_reassignment(w.clerk_a, loaded(p, "assignments").assignments[0], "请调整")
    db.session.commit()
    return ids


def s_reassigned(w):
    ids = s_reassign_requested(w)
    p = db.session.get(Proposal, ids["p"])
    hops.decide_reassignment(
        w.secretariat,
        loaded(p, "assignments").assignments[0],
        {"approve": True, "department": "CZJ"},
    )
    db.session.commit()
    return ids


def s_ext_requested(w):
    p = flows.handling(w)
    hops.request_extension(
        w.clerk_a,
        loaded(p, "assignments").assignments[0],
        {"until": add_months(today(), 5).isoformat(), "reason": "协调中"},
    )
    return _commit(p=p.id, a=loaded(p, "assignments").assignments[0].id)


def s_ext_requested_then_limit_lowered(w):
    ids = s_ext_requested(w)
    committee_settings.set_value("extension_max_months", "4")
    db.session.commit()
    return ids


def s_ext_decided(w):
    ids = s_ext_requested(w)
    p = db.session.get(Proposal, ids["p"])
    hops.decide_extension(w.secretariat, loaded(p, "assignments").assignments[0], {"approve": True})
    db.session.commit()
    return ids


def s_signoff(w):
    ids = s_contacted(w)
    p = db.session.get(Proposal, ids["p"])
    reply = hops.draft_reply(w.clerk_a, loaded(p, "assignments").assignments[0], REPLY)
    return _commit(r=reply.id, **ids)


def s_review(w):
    ids = s_signoff(w)
    reply = first_reply(ids["p"])
    hops.signoff_reply(w.head_a, reply, {"approve": True})
    db.session.commit()
    return ids


def s_signoff_returned(w):
    ids = s_signoff(w)
    reply = first_reply(ids["p"])
    hops.signoff_reply(w.head_a, reply, {"approve": False, "comment": "重写"})
    db.session.commit()
    return ids


def s_delivered(w):
    p, reply = flows.replied(w)
    return {"p": p.id, "a": loaded(p, "assignments").assignments[0].id, "r": reply.id}


def s_delivered_b(w):
    p, reply = flows.replied(w, result="B")
    return {"p": p.id, "a": loaded(p, "assignments").assignments[0].id, "r": reply.id}


def s_delivered_joint(w):
    p, reply = flows.replied(w, cosigners=[w.member2])
    return {"p": p.id, "a": loaded(p, "assignments").assignments[0].id, "r": reply.id}


def s_rated(w):
    ids = s_delivered(w)
    reply = first_reply(ids["p"])
    hops.rate_reply(w.member, reply, {"rating": "satisfied"})
    db.session.commit()
    return ids


def s_merged_delivered(w):
    """m3's proposal merged into m1's; m1's reply delivered."""
    p = flows.handling(w)
    merged = flows.submitted(w, proposer=w.member3, title="关于同一事项的建议")
    ops.review_proposal(w.secretariat, merged, {"decision": "merge", "merge_into": p.id})
    db.session.commit()
    lead = loaded(p, "assignments").assignments[0]
    reply = flows.delivered_reply(w, lead)
    return {"p": p.id, "a": lead.id, "r": reply.id, "m": merged.id}


def s_merged_rated(w):
    ids = s_merged_delivered(w)
    reply = first_reply(ids["p"])
    hops.rate_reply(w.member3, reply, {"rating": "satisfied"})
    db.session.commit()
    return ids


def s_consultation_due(w):
    ids = s_delivered(w)
    a = loaded(db.session.get(Proposal, ids["p"]), "assignments").assignments[0]
    hops.rate_reply(
        w.member, loaded(a, "replies").replies[0], {"rating": "unsatisfied", "comment": "不满意"}
    )
    db.session.commit()
    second = flows.delivered_reply(w, a)
    hops.rate_reply(w.member, second, {"rating": "unsatisfied", "comment": "仍不满意"})
    return _commit(r2=second.id, **ids)


# --- the refusals ---------------------------------------------------------------------------------


def content(**kw):
    def body(w, ids):
        data = w.content(**kw)
        return {k: v for k, v in data.items() if v is not None}

    return body


P, A, R = "/proposals/{p}", "/assignments/{a}", "/replies/{r}"
F, NF, CONFLICT_CODE = "forbidden", "not_found", "conflict"
V, S = "validation_error", "invalid_state"

# id, situation, actor, method, path, body, status, code, field
CASES = [
    # POST /proposals
    (
        "create: secretariat may not draft",
        s_none,
        "secretariat",
        "POST",
        "/proposals",
        content(),
        403,
        F,
        None,
    ),
    (
        "create: clerk may not draft",
        s_none,
        "clerk_a",
        "POST",
        "/proposals",
        content(),
        403,
        F,
        None,
    ),
    ("create: admin may not draft", s_none, "admin", "POST", "/proposals", content(), 403, F, None),
    (
        "create: title required",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(title=None),
        400,
        V,
        "title",
    ),
    (
        "create: title at most 200 chars",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(title="长" * 201),
        400,
        V,
        "title",
    ),
    (
        "create: category must exist",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(category="nonsense"),
        400,
        V,
        "category",
    ),
    (
        "create: category required",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(category=None),
        400,
        V,
        "category",
    ),
    (
        "create: unknown co-signer",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(cosigners=["ghost"]),
        400,
        V,
        "cosigners",
    ),
    (
        "create: oneself as co-signer",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(cosigners=["m1"]),
        400,
        V,
        "cosigners",
    ),
    (
        "create: a clerk as co-signer",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(cosigners=["clerk_a"]),
        400,
        V,
        "cosigners",
    ),
    (
        "create: co-signers must be a list",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(cosigners="m2"),
        400,
        V,
        "cosigners",
    ),
    (
        "create: a collective proposal has no co-signers",
        s_none,
        "org",
        "POST",
        "/proposals",
        content(cosigners=["m2"]),
        400,
        V,
        "cosigners",
    ),
    (
        "create: unknown suggested unit",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(suggested_departments=["XXX"]),
        400,
        V,
        "suggested_departments",
    ),
    (
        "create: unknown field named",
        s_none,
        "member",
        "POST",
        "/proposals",
        content(number=5),
        400,
        V,
        "number",
    ),
    (
        "create: body must be an object",
        s_none,
        "member",
        "POST",
        "/proposals",
        [1, 2],
        400,
        V,
        "body",
    ),
    (
        "create: no current session",
        s_no_session,
        "member",
        "POST",
        "/proposals",
        content(),
        409,
        S,
        None,
    ),
    # PATCH /proposals/{id}
    (
        "edit: another member's draft is not found",
        s_draft,
        "member2",
        "PATCH",
        P,
        {"title": "改"},
        404,
        NF,
        None,
    ),
    (
        "edit: secretariat cannot see a never-submitted draft",
        s_draft,
        "secretariat",
        "PATCH",
        P,
        {"title": "改"},
        404,
        NF,
        None,
    ),
    (
        "edit: an invited co-signer may not edit",
        s_awaiting,
        "member2",
        "PATCH",
        P,
        {"title": "改"},
        403,
        F,
        None,
    ),
    (
        "edit: a clerk cannot see a draft",
        s_draft,
        "clerk_a",
        "PATCH",
        P,
        {"title": "改"},
        404,
        NF,
        None,
    ),
    (
        "edit: not after submission",
        s_submitted,
        "member",
        "PATCH",
        P,
        {"title": "改"},
        409,
        S,
        None,
    ),
    (
        "edit: category must exist",
        s_draft,
        "member",
        "PATCH",
        P,
        {"category": "nope"},
        400,
        V,
        "category",
    ),
    (
        "edit: title may not be emptied",
        s_draft,
        "member",
        "PATCH",
        P,
        {"title": " "},
        400,
        V,
        "title",
    ),
    (
        "edit: unknown co-signer",
        s_draft,
        "member",
        "PATCH",
        P,
        {"cosigners": ["ghost"]},
        400,
        V,
        "cosigners",
    ),
    # POST /proposals/{id}/submit
    (
        "submit: another member's draft is not found",
        s_draft,
        "member2",
        "POST",
        P + "/submit",
        {},
        404,
        NF,
        None,
    ),
    (
        "submit: an invited co-signer may not submit",
        s_awaiting,
        "member2",
        "POST",
        P + "/submit",
        {},
        403,
        F,
        None,
    ),
    ("submit: not twice", s_submitted, "member", "POST", P + "/submit", {}, 409, S, None),
    (
        "submit: not while awaiting co-signers",
        s_awaiting,
        "member",
        "POST",
        P + "/submit",
        {},
        409,
        S,
        None,
    ),
    (
        "submit: concrete suggestions required",
        s_incomplete_draft,
        "member",
        "POST",
        P + "/submit",
        {},
        400,
        V,
        "suggestions",
    ),
    (
        "submit: minimum length",
        s_short_draft,
        "member",
        "POST",
        P + "/submit",
        {},
        400,
        V,
        "suggestions",
    ),
    # POST /proposals/{id}/cosign
    (
        "cosign: an uninvited member cannot see it",
        s_awaiting_one,
        "member3",
        "POST",
        P + "/cosign",
        {"accept": True},
        404,
        NF,
        None,
    ),
    (
        "cosign: the proposer is not invited",
        s_awaiting,
        "member",
        "POST",
        P + "/cosign",
        {"accept": True},
        403,
        F,
        None,
    ),
    (
        "cosign: the secretariat is not invited",
        s_awaiting,
        "secretariat",
        "POST",
        P + "/cosign",
        {"accept": True},
        403,
        F,
        None,
    ),
    (
        "cosign: accept must be a boolean",
        s_awaiting,
        "member2",
        "POST",
        P + "/cosign",
        {"accept": "yes"},
        400,
        V,
        "accept",
    ),
    (
        "cosign: accept is required",
        s_awaiting,
        "member2",
        "POST",
        P + "/cosign",
        {},
        400,
        V,
        "accept",
    ),
    (
        "cosign: only one answer",
        s_awaiting_answered,
        "member2",
        "POST",
        P + "/cosign",
        {"accept": False},
        409,
        S,
        None,
    ),
    (
        "cosign: not once submitted",
        s_joint_submitted,
        "member2",
        "POST",
        P + "/cosign",
        {"accept": True},
        409,
        S,
        None,
    ),
    (
        "cosign: not after the invitation expired",
        s_awaiting_expired,
        "member2",
        "POST",
        P + "/cosign",
        {"accept": True},
        409,
        S,
        None,
    ),
    # POST /proposals/{id}/withdraw
    (
        "withdraw: another member's proposal is not found",
        s_submitted,
        "member2",
        "POST",
        P + "/withdraw",
        {"reason": "x"},
        404,
        NF,
        None,
    ),
    (
        "withdraw: the secretariat may not withdraw",
        s_submitted,
        "secretariat",
        "POST",
        P + "/withdraw",
        {"reason": "x"},
        403,
        F,
        None,
    ),
    (
        "withdraw: a co-signer may not withdraw",
        s_awaiting,
        "member2",
        "POST",
        P + "/withdraw",
        {"reason": "x"},
        403,
        F,
        None,
    ),
    (
        "withdraw: not after filing",
        s_filed,
        "member",
        "POST",
        P + "/withdraw",
        {"reason": "x"},
        409,
        S,
        None,
    ),
    (
        "withdraw: not a draft",
        s_draft,
        "member",
        "POST",
        P + "/withdraw",
        {"reason": "x"},
        409,
        S,
        None,
    ),
    (
        "withdraw: reason required",
        s_submitted,
        "member",
        "POST",
        P + "/withdraw",
        {},
        400,
        V,
        "reason",
    ),
    # POST /proposals/{id}/review
    (
        "review: the proposer may not review",
        s_submitted,
        "member",
        "POST",
        P + "/review",
        {"decision": "file"},
        403,
        F,
        None,
    ),
    (
        "review: a clerk cannot see a submitted proposal",
        s_submitted,
        "clerk_a",
        "POST",
        P + "/review",
        {"decision": "file"},
        404,
        NF,
        None,
    ),
    (
        "review: admin sees nothing",
        s_submitted,
        "admin",
        "POST",
        P + "/review",
        {"decision": "file"},
        404,
        NF,
        None,
    ),
    (
        "review: a never-submitted draft is not found",
        s_draft,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "file"},
        404,
        NF,
        None,
    ),
    (
        "review: not twice",
        s_filed,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "file"},
        409,
        S,
        None,
    ),
    (
        "review: not a returned draft",
        s_returned,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "file"},
        409,
        S,
        None,
    ),
    (
        "review: not a withdrawn proposal",
        s_withdrawn,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "not_file", "reason_code": "other"},
        409,
        S,
        None,
    ),
    (
        "review: not while awaiting co-signers",
        s_awaiting,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "file"},
        409,
        S,
        None,
    ),
    (
        "review: decision must be known",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "maybe"},
        400,
        V,
        "decision",
    ),
    (
        "review: not_file needs a reason code",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "not_file", "disposition": "letter"},
        400,
        V,
        "reason_code",
    ),
    (
        "review: not_file reason code must exist",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "not_file", "reason_code": "whim"},
        400,
        V,
        "reason_code",
    ),
    (
        "review: not_file disposition must be known",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "not_file", "reason_code": "other", "disposition": "bin"},
        400,
        V,
        "disposition",
    ),
    (
        "review: merge needs a target",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "merge"},
        400,
        V,
        "merge_into",
    ),
    (
        "review: merge only into a filed proposal",
        s_two_submitted,
        "secretariat",
        "POST",
        P + "/review",
        lambda w, ids: {"decision": "merge", "merge_into": ids["other"]},
        400,
        V,
        "merge_into",
    ),
    (
        "review: merge not into itself",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        lambda w, ids: {"decision": "merge", "merge_into": ids["p"]},
        400,
        V,
        "merge_into",
    ),
    (
        "review: merge target must exist",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "merge", "merge_into": 999999},
        400,
        V,
        "merge_into",
    ),
    (
        "review: return needs a comment",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "return"},
        400,
        V,
        "comment",
    ),
    (
        "review: a corrected category must exist",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "file", "category": "nope"},
        400,
        V,
        "category",
    ),
    # POST /proposals/{id}/assign
    (
        "assign: the proposer may not assign",
        s_filed,
        "member",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}]},
        403,
        F,
        None,
    ),
    (
        "assign: a clerk cannot see an unassigned proposal",
        s_filed,
        "clerk_a",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}]},
        404,
        NF,
        None,
    ),
    (
        "assign: not before filing",
        s_submitted,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}]},
        409,
        S,
        None,
    ),
    (
        "assign: not twice",
        s_assigned,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "CZJ", "role": "lead"}]},
        409,
        S,
        None,
    ),
    (
        "assign: departments required",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {},
        400,
        V,
        "departments",
    ),
    (
        "assign: at least one unit",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": []},
        400,
        V,
        "departments",
    ),
    (
        "assign: one lead needed",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "co"}]},
        400,
        V,
        "departments",
    ),
    (
        "assign: split has no co-units",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {
            "departments": [
                {"code": "ZJJ", "role": "lead"},
                {"code": "CZJ", "role": "lead"},
                {"code": "JYJ", "role": "co"},
            ]
        },
        400,
        V,
        "departments",
    ),
    (
        "assign: unknown unit",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "XXX", "role": "lead"}]},
        400,
        V,
        "departments",
    ),
    (
        "assign: a unit only once",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}, {"code": "ZJJ", "role": "co"}]},
        400,
        V,
        "departments",
    ),
    (
        "assign: role must be lead or co",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "boss"}]},
        400,
        V,
        "departments",
    ),
    (
        "assign: due date not in the past",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}], "due_date": day(-1)},
        400,
        V,
        "due_date",
    ),
    (
        "assign: due date not beyond 6 months",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        lambda w, ids: {
            "departments": [{"code": "ZJJ", "role": "lead"}],
            "due_date": (add_months(today(), 6) + timedelta(days=1)).isoformat(),
        },
        400,
        V,
        "due_date",
    ),
    (
        "assign: due date must be a date",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}], "due_date": "next week"},
        400,
        V,
        "due_date",
    ),
    # POST /proposals/{id}/key
    (
        "key: the proposer may not mark",
        s_filed,
        "member",
        "POST",
        P + "/key",
        {"key": True, "supervisor": "sec"},
        403,
        F,
        None,
    ),
    (
        "key: a clerk may not mark",
        s_assigned,
        "clerk_a",
        "POST",
        P + "/key",
        {"key": True, "supervisor": "sec"},
        403,
        F,
        None,
    ),
    (
        "key: a never-submitted draft is not found",
        s_draft,
        "secretariat",
        "POST",
        P + "/key",
        {"key": True, "supervisor": "sec"},
        404,
        NF,
        None,
    ),
    (
        "key: not a withdrawn proposal",
        s_withdrawn,
        "secretariat",
        "POST",
        P + "/key",
        {"key": True, "supervisor": "sec"},
        409,
        S,
        None,
    ),
    (
        "key: a supervisor is required",
        s_filed,
        "secretariat",
        "POST",
        P + "/key",
        {"key": True},
        400,
        V,
        "supervisor",
    ),
    (
        "key: the supervisor must exist",
        s_filed,
        "secretariat",
        "POST",
        P + "/key",
        {"key": True, "supervisor": "ghost"},
        400,
        V,
        "supervisor",
    ),
    (
        "key: key must be a boolean",
        s_filed,
        "secretariat",
        "POST",
        P + "/key",
        {"key": "yes", "supervisor": "sec"},
        400,
        V,
        "key",
    ),
    # POST /proposals/{id}/consultation
    (
        "consultation: only when one is due",
        s_assigned,
        "secretariat",
        "POST",
        P + "/consultation",
        {"note": "协商"},
        409,
        S,
        None,
    ),
    (
        "consultation: not before assignment",
        s_filed,
        "secretariat",
        "POST",
        P + "/consultation",
        {"note": "协商"},
        409,
        S,
        None,
    ),
    (
        "consultation: the proposer may not record it",
        s_consultation_due,
        "member",
        "POST",
        P + "/consultation",
        {"note": "协商"},
        403,
        F,
        None,
    ),
    (
        "consultation: a note is required",
        s_consultation_due,
        "secretariat",
        "POST",
        P + "/consultation",
        {},
        400,
        V,
        "note",
    ),
    # POST /assignments/{id}/accept
    (
        "accept: a unit without the proposal cannot see it",
        s_assigned,
        "clerk_c",
        "POST",
        A + "/accept",
        {},
        404,
        NF,
        None,
    ),
    (
        "accept: a co-unit may not accept the lead's assignment",
        s_co,
        "clerk_b",
        "POST",
        A + "/accept",
        {},
        403,
        F,
        None,
    ),
    (
        "accept: a co-unit head may not either",
        s_co,
        "head_b",
        "POST",
        A + "/accept",
        {},
        403,
        F,
        None,
    ),
    (
        "accept: the secretariat does not accept",
        s_assigned,
        "secretariat",
        "POST",
        A + "/accept",
        {},
        403,
        F,
        None,
    ),
    (
        "accept: the proposer does not accept",
        s_assigned,
        "member",
        "POST",
        A + "/accept",
        {},
        403,
        F,
        None,
    ),
    ("accept: admin sees nothing", s_assigned, "admin", "POST", A + "/accept", {}, 404, NF, None),
    (
        "accept: another member cannot see it",
        s_assigned,
        "member2",
        "POST",
        A + "/accept",
        {},
        404,
        NF,
        None,
    ),
    ("accept: not twice", s_handling, "clerk_a", "POST", A + "/accept", {}, 409, S, None),
    (
        "accept: after the window it already counts as accepted",
        s_window_passed,
        "clerk_a",
        "POST",
        A + "/accept",
        {},
        409,
        S,
        None,
    ),
    (
        "accept: not while reassignment is requested",
        s_reassign_requested,
        "clerk_a",
        "POST",
        A + "/accept",
        {},
        409,
        S,
        None,
    ),
    (
        "accept: no such assignment",
        s_assigned,
        "clerk_a",
        "POST",
        "/assignments/999999/accept",
        {},
        404,
        NF,
        None,
    ),
    # POST /assignments/{id}/reassignment-request
    (
        "reassignment-request: another unit cannot see it",
        s_assigned,
        "clerk_c",
        "POST",
        A + "/reassignment-request",
        {"reason": "x"},
        404,
        NF,
        None,
    ),
    (
        "reassignment-request: a co-unit may not ask for the lead",
        s_co,
        "clerk_b",
        "POST",
        A + "/reassignment-request",
        {"reason": "x"},
        403,
        F,
        None,
    ),
    (
        "reassignment-request: the secretariat does not ask",
        s_assigned,
        "secretariat",
        "POST",
        A + "/reassignment-request",
        {"reason": "x"},
        403,
        F,
        None,
    ),
    (
        "reassignment-request: not after accepting",
        s_handling,
        "clerk_a",
        "POST",
        A + "/reassignment-request",
        {"reason": "x"},
        409,
        S,
        None,
    ),
    (
        "reassignment-request: not after the window",
        s_window_passed,
        "clerk_a",
        "POST",
        A + "/reassignment-request",
        {"reason": "x"},
        409,
        S,
        None,
    ),
    (
        "reassignment-request: a reason is required",
        s_assigned,
        "clerk_a",
        "POST",
        A + "/reassignment-request",
        {},
        400,
        V,
        "reason",
    ),
    # POST /assignments/{id}/reassignment-decision
    (
        "reassignment-decision: the unit may not decide",
        s_reassign_requested,
        "clerk_a",
        "POST",
        A + "/reassignment-decision",
        {"approve": True, "department": "CZJ"},
        403,
        F,
        None,
    ),
    (
        "reassignment-decision: the proposer may not decide",
        s_reassign_requested,
        "member",
        "POST",
        A + "/reassignment-decision",
        {"approve": False},
        403,
        F,
        None,
    ),
    (
        "reassignment-decision: only on a request",
        s_assigned,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": True, "department": "CZJ"},
        409,
        S,
        None,
    ),
    (
        "reassignment-decision: approve names the new unit",
        s_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": True},
        400,
        V,
        "department",
    ),
    (
        "reassignment-decision: not to the same unit",
        s_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": True, "department": "ZJJ"},
        400,
        V,
        "department",
    ),
    (
        "reassignment-decision: not to a unit already handling it",
        s_co_lead_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": True, "department": "CZJ"},
        400,
        V,
        "department",
    ),
    (
        "reassignment-decision: the new unit must exist",
        s_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": True, "department": "XXX"},
        400,
        V,
        "department",
    ),
    (
        "reassignment-decision: approve is required",
        s_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"department": "CZJ"},
        400,
        V,
        "approve",
    ),
    (
        "reassignment-decision: approve must be a boolean",
        s_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": "yes", "department": "CZJ"},
        400,
        V,
        "approve",
    ),
    # POST /assignments/{id}/contacts
    (
        "contacts: another unit cannot see it",
        s_handling,
        "clerk_c",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "x"},
        404,
        NF,
        None,
    ),
    (
        "contacts: a co-unit may not record the lead's",
        s_co_handling,
        "clerk_b",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "x"},
        403,
        F,
        None,
    ),
    (
        "contacts: the secretariat does not record",
        s_handling,
        "secretariat",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "x"},
        403,
        F,
        None,
    ),
    (
        "contacts: the proposer does not record",
        s_handling,
        "member",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "x"},
        403,
        F,
        None,
    ),
    (
        "contacts: not before accepting",
        s_assigned,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "x"},
        409,
        S,
        None,
    ),
    (
        "contacts: not on a reassigned assignment",
        s_reassigned,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "x"},
        409,
        S,
        None,
    ),
    (
        "contacts: mode must be known",
        s_handling,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "wechat", "date": day(), "summary": "x"},
        400,
        V,
        "mode",
    ),
    (
        "contacts: not in the future",
        s_handling,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(1), "summary": "x"},
        400,
        V,
        "date",
    ),
    (
        "contacts: not before the assignment",
        s_handling,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(-30), "summary": "x"},
        400,
        V,
        "date",
    ),
    (
        "contacts: date must be a date",
        s_handling,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": "yesterday", "summary": "x"},
        400,
        V,
        "date",
    ),
    (
        "contacts: summary required",
        s_handling,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day()},
        400,
        V,
        "summary",
    ),
    # POST /assignments/{id}/opinion
    (
        "opinion: the lead unit gives no opinion",
        s_co_handling,
        "clerk_a",
        "POST",
        A + "/opinion",
        {"text": "x"},
        403,
        F,
        None,
    ),
    (
        "opinion: the lead may not write the co-unit's",
        s_co_handling,
        "clerk_a",
        "POST",
        "/assignments/{co}/opinion",
        {"text": "x"},
        403,
        F,
        None,
    ),
    (
        "opinion: the secretariat does not write one",
        s_co_handling,
        "secretariat",
        "POST",
        "/assignments/{co}/opinion",
        {"text": "x"},
        403,
        F,
        None,
    ),
    (
        "opinion: not before accepting",
        s_co,
        "clerk_b",
        "POST",
        "/assignments/{co}/opinion",
        {"text": "x"},
        409,
        S,
        None,
    ),
    (
        "opinion: text required",
        s_co_handling,
        "clerk_b",
        "POST",
        "/assignments/{co}/opinion",
        {},
        400,
        V,
        "text",
    ),
    (
        "opinion: only once",
        s_co_opinion_given,
        "clerk_b",
        "POST",
        "/assignments/{co}/opinion",
        {"text": "再补充"},
        409,
        S,
        None,
    ),
    # POST /assignments/{id}/extension-request
    (
        "extension-request: a co-unit does not ask",
        s_co_handling,
        "clerk_b",
        "POST",
        "/assignments/{co}/extension-request",
        {"until": day(120), "reason": "x"},
        403,
        F,
        None,
    ),
    (
        "extension-request: a co-unit may not ask for the lead",
        s_co_handling,
        "clerk_b",
        "POST",
        A + "/extension-request",
        {"until": day(120), "reason": "x"},
        403,
        F,
        None,
    ),
    (
        "extension-request: the secretariat does not ask",
        s_handling,
        "secretariat",
        "POST",
        A + "/extension-request",
        {"until": day(120), "reason": "x"},
        403,
        F,
        None,
    ),
    (
        "extension-request: not before accepting",
        s_assigned,
        "clerk_a",
        "POST",
        A + "/extension-request",
        {"until": day(120), "reason": "x"},
        409,
        S,
        None,
    ),
    (
        "extension-request: never beyond 6 months after assignment",
        s_handling,
        "clerk_a",
        "POST",
        A + "/extension-request",
        lambda w, ids: {
            "until": (add_months(today(), 6) + timedelta(days=1)).isoformat(),
            "reason": "x",
        },
        400,
        V,
        "until",
    ),
    (
        "extension-request: later than the current deadline",
        s_handling,
        "clerk_a",
        "POST",
        A + "/extension-request",
        {"until": day(10), "reason": "x"},
        400,
        V,
        "until",
    ),
    (
        "extension-request: until required",
        s_handling,
        "clerk_a",
        "POST",
        A + "/extension-request",
        {"reason": "x"},
        400,
        V,
        "until",
    ),
    (
        "extension-request: reason required",
        s_handling,
        "clerk_a",
        "POST",
        A + "/extension-request",
        {"until": day(120)},
        400,
        V,
        "reason",
    ),
    (
        "extension-request: once per round",
        s_ext_requested,
        "clerk_a",
        "POST",
        A + "/extension-request",
        {"until": day(150), "reason": "再延"},
        409,
        S,
        None,
    ),
    # POST /assignments/{id}/extension-decision
    (
        "extension-decision: the unit may not decide",
        s_ext_requested,
        "clerk_a",
        "POST",
        A + "/extension-decision",
        {"approve": True},
        403,
        F,
        None,
    ),
    (
        "extension-decision: the unit head may not decide",
        s_ext_requested,
        "head_a",
        "POST",
        A + "/extension-decision",
        {"approve": True},
        403,
        F,
        None,
    ),
    (
        "extension-decision: only on a pending request",
        s_handling,
        "secretariat",
        "POST",
        A + "/extension-decision",
        {"approve": True},
        409,
        S,
        None,
    ),
    (
        "extension-decision: not twice",
        s_ext_decided,
        "secretariat",
        "POST",
        A + "/extension-decision",
        {"approve": False},
        409,
        S,
        None,
    ),
    (
        "extension-decision: approve is required",
        s_ext_requested,
        "secretariat",
        "POST",
        A + "/extension-decision",
        {},
        400,
        V,
        "approve",
    ),
    (
        "extension-decision: never beyond the limit",
        s_ext_requested_then_limit_lowered,
        "secretariat",
        "POST",
        A + "/extension-decision",
        {"approve": True},
        400,
        V,
        "approve",
    ),
    # POST /assignments/{id}/reply
    (
        "reply: a co-unit may not reply for the lead",
        s_co_handling,
        "clerk_b",
        "POST",
        A + "/reply",
        REPLY,
        403,
        F,
        None,
    ),
    (
        "reply: a co-unit gives an opinion, not a reply",
        s_co_handling,
        "clerk_b",
        "POST",
        "/assignments/{co}/reply",
        REPLY,
        403,
        F,
        None,
    ),
    (
        "reply: another unit cannot see it",
        s_contacted,
        "clerk_c",
        "POST",
        A + "/reply",
        REPLY,
        404,
        NF,
        None,
    ),
    (
        "reply: the secretariat does not draft",
        s_contacted,
        "secretariat",
        "POST",
        A + "/reply",
        REPLY,
        403,
        F,
        None,
    ),
    (
        "reply: the proposer does not draft",
        s_contacted,
        "member",
        "POST",
        A + "/reply",
        REPLY,
        403,
        F,
        None,
    ),
    (
        "reply: not before accepting",
        s_assigned,
        "clerk_a",
        "POST",
        A + "/reply",
        REPLY,
        409,
        S,
        None,
    ),
    (
        "reply: not before a contact is recorded",
        s_handling,
        "clerk_a",
        "POST",
        A + "/reply",
        REPLY,
        409,
        S,
        None,
    ),
    (
        "reply: not before the co-units' opinions",
        s_co_handling,
        "clerk_a",
        "POST",
        A + "/reply",
        REPLY,
        409,
        S,
        None,
    ),
    (
        "reply: not while another awaits sign-off",
        s_signoff,
        "clerk_a",
        "POST",
        A + "/reply",
        REPLY,
        409,
        S,
        None,
    ),
    (
        "reply: not after delivery",
        s_delivered,
        "clerk_a",
        "POST",
        A + "/reply",
        REPLY,
        409,
        S,
        None,
    ),
    (
        "reply: B needs a promised date",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/reply",
        reply_with(result="B"),
        400,
        V,
        "promised_date",
    ),
    (
        "reply: promised date not in the past",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/reply",
        reply_with(result="B", promised_date=day(-1)),
        400,
        V,
        "promised_date",
    ),
    (
        "reply: result must be A, B or C",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/reply",
        reply_with(result="D"),
        400,
        V,
        "result",
    ),
    (
        "reply: text required",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/reply",
        reply_with(text=None),
        400,
        V,
        "text",
    ),
    (
        "reply: signer required",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/reply",
        reply_with(signer=None),
        400,
        V,
        "signer",
    ),
    (
        "reply: contact required",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/reply",
        reply_with(contact=""),
        400,
        V,
        "contact",
    ),
    # POST /assignments/{id}/follow-up
    (
        "follow-up: only for a B reply",
        s_delivered,
        "clerk_a",
        "POST",
        A + "/follow-up",
        {"text": "x", "done": True},
        409,
        S,
        None,
    ),
    (
        "follow-up: not before a reply",
        s_contacted,
        "clerk_a",
        "POST",
        A + "/follow-up",
        {"text": "x", "done": True},
        409,
        S,
        None,
    ),
    (
        "follow-up: another unit cannot see it",
        s_delivered_b,
        "clerk_b",
        "POST",
        A + "/follow-up",
        {"text": "x", "done": True},
        404,
        NF,
        None,
    ),
    (
        "follow-up: the secretariat does not report",
        s_delivered_b,
        "secretariat",
        "POST",
        A + "/follow-up",
        {"text": "x", "done": True},
        403,
        F,
        None,
    ),
    (
        "follow-up: the proposer does not report",
        s_delivered_b,
        "member",
        "POST",
        A + "/follow-up",
        {"text": "x", "done": True},
        403,
        F,
        None,
    ),
    (
        "follow-up: text required",
        s_delivered_b,
        "clerk_a",
        "POST",
        A + "/follow-up",
        {"done": True},
        400,
        V,
        "text",
    ),
    (
        "follow-up: done required",
        s_delivered_b,
        "clerk_a",
        "POST",
        A + "/follow-up",
        {"text": "x"},
        400,
        V,
        "done",
    ),
    # POST /replies/{id}/signoff
    (
        "signoff: a clerk may not sign off",
        s_signoff,
        "clerk_a",
        "POST",
        R + "/signoff",
        {"approve": True},
        403,
        F,
        None,
    ),
    (
        "signoff: another unit's head cannot see the draft",
        s_signoff,
        "head_b",
        "POST",
        R + "/signoff",
        {"approve": True},
        404,
        NF,
        None,
    ),
    (
        "signoff: a co-unit's head cannot see the lead's draft",
        s_co_lead_reply_drafted,
        "head_b",
        "POST",
        R + "/signoff",
        {"approve": True},
        404,
        NF,
        None,
    ),
    (
        "signoff: the secretariat does not sign off",
        s_signoff,
        "secretariat",
        "POST",
        R + "/signoff",
        {"approve": True},
        403,
        F,
        None,
    ),
    (
        "signoff: the proposer cannot see a draft",
        s_signoff,
        "member",
        "POST",
        R + "/signoff",
        {"approve": True},
        404,
        NF,
        None,
    ),
    (
        "signoff: not twice",
        s_review,
        "head_a",
        "POST",
        R + "/signoff",
        {"approve": True},
        409,
        S,
        None,
    ),
    (
        "signoff: not a returned reply",
        s_signoff_returned,
        "head_a",
        "POST",
        R + "/signoff",
        {"approve": True},
        409,
        S,
        None,
    ),
    (
        "signoff: returning needs a comment",
        s_signoff,
        "head_a",
        "POST",
        R + "/signoff",
        {"approve": False},
        400,
        V,
        "comment",
    ),
    (
        "signoff: approve is required",
        s_signoff,
        "head_a",
        "POST",
        R + "/signoff",
        {},
        400,
        V,
        "approve",
    ),
    # POST /replies/{id}/review
    (
        "reply review: a clerk may not review",
        s_review,
        "clerk_a",
        "POST",
        R + "/review",
        {"approve": True},
        403,
        F,
        None,
    ),
    (
        "reply review: the unit head may not review",
        s_review,
        "head_a",
        "POST",
        R + "/review",
        {"approve": True},
        403,
        F,
        None,
    ),
    (
        "reply review: the proposer cannot see it yet",
        s_review,
        "member",
        "POST",
        R + "/review",
        {"approve": True},
        404,
        NF,
        None,
    ),
    (
        "reply review: not before sign-off",
        s_signoff,
        "secretariat",
        "POST",
        R + "/review",
        {"approve": True},
        409,
        S,
        None,
    ),
    (
        "reply review: not twice",
        s_delivered,
        "secretariat",
        "POST",
        R + "/review",
        {"approve": True},
        409,
        S,
        None,
    ),
    (
        "reply review: returning needs a comment",
        s_review,
        "secretariat",
        "POST",
        R + "/review",
        {"approve": False},
        400,
        V,
        "comment",
    ),
    (
        "reply review: result must be A, B or C",
        s_review,
        "secretariat",
        "POST",
        R + "/review",
        {"approve": True, "result": "Z"},
        400,
        V,
        "result",
    ),
    (
        "reply review: B needs the unit's promised date",
        s_review,
        "secretariat",
        "POST",
        R + "/review",
        {"approve": True, "result": "B"},
        400,
        V,
        "result",
    ),
    (
        "reply review: approve is required",
        s_review,
        "secretariat",
        "POST",
        R + "/review",
        {},
        400,
        V,
        "approve",
    ),
    # POST /replies/{id}/rating
    (
        "rating: a co-signer may not rate",
        s_delivered_joint,
        "member2",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        403,
        F,
        None,
    ),
    (
        "rating: another member cannot see it",
        s_delivered,
        "member3",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        404,
        NF,
        None,
    ),
    (
        "rating: the unit may not rate",
        s_delivered,
        "clerk_a",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        403,
        F,
        None,
    ),
    (
        "rating: the secretariat may not rate",
        s_delivered,
        "secretariat",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        403,
        F,
        None,
    ),
    ("rating: rating required", s_delivered, "member", "POST", R + "/rating", {}, 400, V, "rating"),
    (
        "rating: rating must be known",
        s_delivered,
        "member",
        "POST",
        R + "/rating",
        {"rating": "great"},
        400,
        V,
        "rating",
    ),
    (
        "rating: unsatisfied needs a comment",
        s_delivered,
        "member",
        "POST",
        R + "/rating",
        {"rating": "unsatisfied"},
        400,
        V,
        "comment",
    ),
    (
        "rating: once per reply",
        s_rated,
        "member",
        "POST",
        R + "/rating",
        {"rating": "unsatisfied", "comment": "改主意"},
        409,
        S,
        None,
    ),
    (
        "rating: not before delivery",
        s_review,
        "member",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        404,
        NF,
        None,
    ),
    (
        "rating: a merged proposer rates once",
        s_merged_rated,
        "member3",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        409,
        S,
        None,
    ),
    (
        "rating: a merged proposer's unsatisfied needs a comment",
        s_merged_delivered,
        "member3",
        "POST",
        R + "/rating",
        {"rating": "unsatisfied"},
        400,
        V,
        "comment",
    ),
    # reads
    (
        "detail: another member's proposal is not found",
        s_submitted,
        "member2",
        "GET",
        P,
        None,
        404,
        NF,
        None,
    ),
    ("detail: admin sees nothing", s_submitted, "admin", "GET", P, None, 404, NF, None),
    (
        "detail: a unit without an assignment cannot see it",
        s_assigned,
        "clerk_c",
        "GET",
        P,
        None,
        404,
        NF,
        None,
    ),
    (
        "detail: no such proposal",
        s_none,
        "secretariat",
        "GET",
        "/proposals/999999",
        None,
        404,
        NF,
        None,
    ),
    (
        "assignment: another unit cannot see it",
        s_assigned,
        "clerk_c",
        "GET",
        A,
        None,
        404,
        NF,
        None,
    ),
    (
        "assignment: another member cannot see it",
        s_assigned,
        "member2",
        "GET",
        A,
        None,
        404,
        NF,
        None,
    ),
    ("reply: the proposer cannot see a draft", s_signoff, "member", "GET", R, None, 404, NF, None),
    ("reply: a co-signer cannot see a draft", s_review, "member2", "GET", R, None, 404, NF, None),
    (
        "list: per_page at most 100",
        s_none,
        "secretariat",
        "GET",
        "/proposals?per_page=101",
        None,
        400,
        V,
        "per_page",
    ),
    ("list: page from 1", s_none, "secretariat", "GET", "/proposals?page=0", None, 400, V, "page"),
    (
        "list: a page beyond 64 bits",
        s_none,
        "secretariat",
        "GET",
        f"/proposals?page={2**80}",
        None,
        400,
        V,
        "page",
    ),
    (
        "assignment list: a page beyond 64 bits",
        s_none,
        "secretariat",
        "GET",
        f"/assignments?page={2**80}",
        None,
        400,
        V,
        "page",
    ),
    (
        "list: per_page a number",
        s_none,
        "secretariat",
        "GET",
        "/proposals?per_page=all",
        None,
        400,
        V,
        "per_page",
    ),
    (
        "list: state must be known",
        s_none,
        "secretariat",
        "GET",
        "/proposals?state=lost",
        None,
        400,
        V,
        "state",
    ),
    (
        "list: key a boolean",
        s_none,
        "secretariat",
        "GET",
        "/proposals?key=maybe",
        None,
        400,
        V,
        "key",
    ),
    (
        "list: year a number",
        s_none,
        "secretariat",
        "GET",
        "/proposals?year=this",
        None,
        400,
        V,
        "year",
    ),
    (
        "assignments: overdue a boolean",
        s_none,
        "secretariat",
        "GET",
        "/assignments?overdue=maybe",
        None,
        400,
        V,
        "overdue",
    ),
    (
        "assignments: state must be known",
        s_none,
        "clerk_a",
        "GET",
        "/assignments?state=lost",
        None,
        400,
        V,
        "state",
    ),
    (
        "assignments: per_page at most 100",
        s_none,
        "clerk_a",
        "GET",
        "/assignments?per_page=500",
        None,
        400,
        V,
        "per_page",
    ),
    # auth
    (
        "token: username required",
        s_none,
        "anon",
        "POST",
        "/auth/token",
        {"password": "x"},
        400,
        V,
        "username",
    ),
    (
        "token: password required",
        s_none,
        "anon",
        "POST",
        "/auth/token",
        {"username": "m1"},
        400,
        V,
        "password",
    ),
    (
        "token: wrong password",
        s_none,
        "anon",
        "POST",
        "/auth/token",
        {"username": "m1", "password": "wrong"},
        401,
        "unauthenticated",
        None,
    ),
]


def client(world, api, who):
    if who == "anon":
        return api()
    return api(getattr(world, who))


@pytest.mark.parametrize(
    "situation,who,method,path,body,status,code,field",
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_refusal_changes_nothing(
    world, api, situation, who, method, path, body, status, code, field
):
    ids = situation(world)
    caller = client(world, api, who)
    body = resolve(body(world, ids) if callable(body) else body)
    before = snapshot()
    resp = caller.call(method, path.format(**ids), json=body)
    assert_refused(resp, status, code, before, field)


# --- unauthenticated -----------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/me"),
    ("DELETE", "/auth/token"),
    ("GET", "/departments"),
    ("GET", "/categories"),
    ("GET", "/sessions"),
    ("GET", "/not-filed-reasons"),
    ("POST", "/proposals"),
    ("GET", "/proposals"),
    ("GET", P),
    ("PATCH", P),
    ("POST", P + "/submit"),
    ("POST", P + "/cosign"),
    ("POST", P + "/withdraw"),
    ("POST", P + "/review"),
    ("POST", P + "/assign"),
    ("POST", P + "/key"),
    ("POST", P + "/consultation"),
    ("GET", "/assignments"),
    ("GET", A),
    ("POST", A + "/accept"),
    ("POST", A + "/reassignment-request"),
    ("POST", A + "/reassignment-decision"),
    ("POST", A + "/contacts"),
    ("POST", A + "/opinion"),
    ("POST", A + "/extension-request"),
    ("POST", A + "/extension-decision"),
    ("POST", A + "/reply"),
    ("POST", A + "/follow-up"),
    ("GET", R),
    ("POST", R + "/signoff"),
    ("POST", R + "/review"),
    ("POST", R + "/rating"),
]


@pytest.mark.parametrize(
    "credentials",
    [
        "no header",
        "unknown token",
        "not a bearer token",
        "revoked token",
        "token of a deactivated user",
    ],
)
def test_unauthenticated_calls_get_401_and_change_nothing(world, api, credentials):
    ids = s_delivered(world)
    headers = {}
    if credentials == "no header":
        caller = api()
    elif credentials == "unknown token":
        caller = api()
        caller.token = "not-a-real-token"
    elif credentials == "not a bearer token":
        caller = api()
        headers["Authorization"] = "Basic bTE6cGFzcw=="
    elif credentials == "revoked token":
        caller = api(world.secretariat)
        assert caller.delete("/auth/token").status_code == 204
    else:
        caller = api(world.secretariat)
        world.secretariat.active = False
        db.session.commit()
    before = snapshot()
    for method, path in ENDPOINTS:
        resp = caller.call(
            method, path.format(**ids), json={"accept": True, "approve": True}, headers=headers
        )
        assert resp.status_code == 401, (method, path, resp.status_code)
        assert resp.get_json()["error"]["code"] == "unauthenticated", (method, path)
        assert_unchanged(before)


# --- the snapshot itself can see a change ---------------------------------------------------------


def test_snapshot_sees_a_state_change_a_new_row_and_a_version_bump(world, api):
    ids = s_assigned(world)
    before = snapshot()
    assert api(world.clerk_a).post(f"/assignments/{ids['a']}/accept").status_code == 200
    diff = differences(before, snapshot())
    assert any(d.startswith("assignments:") for d in diff)
    assert any(d.startswith("history:") for d in diff)
    assert any(d.startswith("counts:") for d in diff)
    with pytest.raises(AssertionError):
        assert_unchanged(before)
    before = snapshot()
    db.session.execute(text("UPDATE proposals SET title = '改' WHERE id = :id"), {"id": ids["p"]})
    db.session.commit()
    assert differences(before, snapshot()) == ["rows of proposals changed"]


# --- visibility -----------------------------------------------------------------------------------


def listed(client, path="/proposals"):
    body = client.get(path + ("&" if "?" in path else "?") + "per_page=100").get_json()
    assert body["total"] == len(body["items"])
    return sorted(i["id"] for i in body["items"])


def test_a_member_sees_own_cosigned_and_merged_into_proposals_only(world, api):
    own_draft = flows.draft(world, title="关于本人草稿的建议")
    cosigned = flows.submitted(
        world, proposer=world.member2, cosigners=[world.member], title="关于联名的建议"
    )
    invited_draft = flows.draft(
        world, proposer=world.member2, cosigners=[world.member], title="关于尚未提交的联名建议"
    )
    host = flows.filed(world, proposer=world.member3, title="关于主提案的建议")
    mine_merged = flows.submitted(world, title="关于同一事项的建议")
    ops.review_proposal(
        world.secretariat, mine_merged, {"decision": "merge", "merge_into": host.id}
    )
    db.session.commit()
    others = flows.assigned(world, proposer=world.member3, title="关于他人的建议")
    m1 = api(world.member)
    assert listed(m1) == sorted([own_draft.id, cosigned.id, host.id, mine_merged.id])
    for p in (own_draft, cosigned, host, mine_merged):
        assert m1.get(f"/proposals/{p.id}").status_code == 200
    for p in (invited_draft, others):
        assert m1.get(f"/proposals/{p.id}").status_code == 404
    assert listed(m1, "/assignments") == []
    assert listed(api(world.member3)) == sorted([host.id, others.id])


def test_a_unit_sees_only_proposals_and_assignments_it_handles(world, api):
    a_only = flows.assigned(world, title="关于住建的建议")
    both = flows.assigned(
        world, plan=[(world.unit_b, "lead"), (world.unit_a, "co")], title="关于财政与住建的建议"
    )
    b_only = flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于财政的建议")
    flows.filed(world, title="关于未交办的建议")
    clerk_a, head_b, clerk_c = api(world.clerk_a), api(world.head_b), api(world.clerk_c)
    assert listed(clerk_a) == sorted([a_only.id, both.id])
    assert listed(head_b) == sorted([both.id, b_only.id])
    assert listed(clerk_c) == []
    assert clerk_a.get(f"/proposals/{b_only.id}").status_code == 404
    a_assignments = [x.id for x in loaded(a_only, "assignments").assignments] + [
        loaded(both, "assignments").assignments[1].id
    ]
    assert listed(clerk_a, "/assignments") == sorted(a_assignments)
    assert listed(clerk_c, "/assignments") == []
    b_id = loaded(b_only, "assignments").assignments[0].id
    assert clerk_a.get(f"/assignments/{b_id}").status_code == 404


def test_the_secretariat_sees_everything_but_never_submitted_drafts(world, api):
    never = flows.draft(world, title="关于从未提交的建议")
    awaiting = s_awaiting(world)["p"]
    submitted = flows.submitted(world, title="关于已提交的建议").id
    returned = s_returned(world)["p"]
    withdrawn = s_withdrawn(world)["p"]
    assigned = flows.assigned(world, title="关于已交办的建议").id
    sec = api(world.secretariat)
    assert listed(sec) == sorted([awaiting, submitted, returned, withdrawn, assigned])
    assert sec.get(f"/proposals/{never.id}").status_code == 404
    assert sec.get(f"/proposals/{returned}").json["state"] == "draft"
    assert listed(sec, "/assignments") == [
        loaded(db.session.get(Proposal, assigned), "assignments").assignments[0].id
    ]


def test_admin_sees_no_proposal_and_no_assignment(world, api):
    p = flows.assigned(world)
    admin = api(world.admin)
    assert listed(admin) == [] and listed(admin, "/assignments") == []
    assert admin.get(f"/proposals/{p.id}").status_code == 404
    a_id = loaded(p, "assignments").assignments[0].id
    assert admin.get(f"/assignments/{a_id}").status_code == 404


@pytest.mark.parametrize("situation", [s_signoff, s_review, s_signoff_returned])
def test_reply_drafts_are_not_visible_to_proposers(world, api, situation):
    ids = situation(world)
    proposer = api(world.member)
    body = proposer.get(f"/proposals/{ids['p']}").get_json()
    assert body["replies"] == [] and body["assignments"][0]["replies"] == []
    assert proposer.get(f"/replies/{ids['r']}").status_code == 404
    for staff in (world.clerk_a, world.head_a, world.secretariat):
        assert [r["id"] for r in api(staff).get(f"/proposals/{ids['p']}").json["replies"]] == [
            ids["r"]
        ]


def test_internal_comments_in_the_history_are_not_shown_to_proposers(world, api):
    """Return comments, the draft's result code and the units' requests stay with the units and
    the secretariat, in the timeline too (the serializer hides them elsewhere)."""
    p = flows.handling(world, cosigners=[world.member2])
    a = loaded(p, "assignments").assignments[0]
    secrets = ["内部：标题不当", "内部：答复过于简单", "内部：需协调三个部门"]
    hops.record_contact(world.clerk_a, a, {"mode": "phone", "date": iso(), "summary": "电话"})
    first = hops.draft_reply(world.clerk_a, a, REPLY)
    hops.signoff_reply(world.head_a, first, {"approve": False, "comment": secrets[0]})
    second = hops.draft_reply(world.clerk_a, a, REPLY)
    hops.signoff_reply(world.head_a, second, {"approve": True})
    hops.review_reply(world.secretariat, second, {"approve": False, "comment": secrets[1]})
    hops.request_extension(
        world.clerk_a, a, {"until": add_months(today(), 5).isoformat(), "reason": secrets[2]}
    )
    db.session.commit()
    for who in (world.member, world.member2):
        dumped = json.dumps(api(who).get(f"/proposals/{p.id}").get_json(), ensure_ascii=False)
        for secret in secrets:
            assert secret not in dumped, (who.username, secret)
        assert "答复结果" not in dumped
    staff_view = json.dumps(
        api(world.secretariat).get(f"/proposals/{p.id}").get_json(), ensure_ascii=False
    )
    assert all(secret in staff_view for secret in secrets)


def test_proposer_phone_and_email_are_not_shown_to_other_members(world, api):
    p = flows.assigned(world, cosigners=[world.member2])
    world.member2.phone, world.member2.email = "13900000002", "m2@example.org"
    db.session.commit()
    contact = ["13800000001", "m1@example.org", "13900000002", "m2@example.org"]
    for who in (world.member, world.member2):
        for path in (f"/proposals/{p.id}", "/proposals"):
            dumped = json.dumps(api(who).get(path).get_json(), ensure_ascii=False)
            assert not any(c in dumped for c in contact), (who.username, path)
    for staff in (world.secretariat, world.clerk_a):
        first = api(staff).get(f"/proposals/{p.id}").get_json()["proposers"]["first"]
        assert (first["phone"], first["email"]) == ("13800000001", "m1@example.org")


# --- numbers --------------------------------------------------------------------------------------


def test_numbers_stay_consecutive_whatever_is_refused_not_filed_merged_or_withdrawn(world, api):
    ps = [flows.submitted(world, title=f"关于第{i}件事的建议") for i in range(7)]
    sec, member = api(world.secretariat), api(world.member)

    def review(p, body, status=200):
        r = sec.post(f"/proposals/{p.id}/review", body)
        assert r.status_code == status, r.get_json()
        return r.get_json()

    assert review(ps[0], {"decision": "file"})["number"] == 1
    before = snapshot()
    assert_refused(
        sec.post(f"/proposals/{ps[1].id}/review", {"decision": "file", "category": "nope"}),
        400,
        V,
        before,
    )
    assert_refused(
        member.post(f"/proposals/{ps[1].id}/review", {"decision": "file"}), 403, F, before
    )
    assert_refused(
        sec.post(f"/proposals/{ps[1].id}/review", {"decision": "file"}, headers={"If-Match": "99"}),
        409,
        CONFLICT_CODE,
        before,
    )
    assert review(ps[2], {"decision": "not_file", "reason_code": "other"})["number"] is None
    assert review(ps[3], {"decision": "merge", "merge_into": ps[0].id})["number"] is None
    assert member.post(f"/proposals/{ps[4].id}/withdraw", {"reason": "撤"}).status_code == 200
    assert review(ps[1], {"decision": "file"})["number"] == 2
    assert review(ps[5], {"decision": "return", "comment": "修改"})["number"] is None
    assert review(ps[6], {"decision": "file"})["number"] == 3
    assert review(ps[0], {"decision": "file"}, 409)["error"]["code"] == S
    numbers = db.session.scalars(
        db.select(Proposal.number).where(Proposal.number.is_not(None)).order_by(Proposal.filed_at)
    ).all()
    assert numbers == [1, 2, 3]
    serials = db.session.scalars(
        db.select(Proposal.receipt_serial).order_by(Proposal.receipt_serial)
    ).all()
    assert serials == list(range(1, 8))


# --- optimistic locking: a stale If-Match loses ---------------------------------------------------

# id, situation, actor, path, body, table, id key
LOCKED = [
    ("edit", s_draft, "member", "PATCH", P, {"title": "关于改过标题的建议"}, "proposals", "p"),
    ("submit", s_draft, "member", "POST", P + "/submit", {}, "proposals", "p"),
    (
        "cosign",
        s_awaiting_one,
        "member2",
        "POST",
        P + "/cosign",
        {"accept": True},
        "proposals",
        "p",
    ),
    (
        "withdraw",
        s_submitted,
        "member",
        "POST",
        P + "/withdraw",
        {"reason": "撤"},
        "proposals",
        "p",
    ),
    (
        "review",
        s_submitted,
        "secretariat",
        "POST",
        P + "/review",
        {"decision": "file"},
        "proposals",
        "p",
    ),
    (
        "assign",
        s_filed,
        "secretariat",
        "POST",
        P + "/assign",
        {"departments": [{"code": "ZJJ", "role": "lead"}]},
        "proposals",
        "p",
    ),
    (
        "key",
        s_filed,
        "secretariat",
        "POST",
        P + "/key",
        {"key": True, "supervisor": "sec"},
        "proposals",
        "p",
    ),
    (
        "consultation",
        s_consultation_due,
        "secretariat",
        "POST",
        P + "/consultation",
        {"note": "已协商"},
        "proposals",
        "p",
    ),
    ("accept", s_assigned, "clerk_a", "POST", A + "/accept", {}, "assignments", "a"),
    (
        "reassignment-request",
        s_assigned,
        "clerk_a",
        "POST",
        A + "/reassignment-request",
        {"reason": "调整"},
        "assignments",
        "a",
    ),
    (
        "reassignment-decision",
        s_reassign_requested,
        "secretariat",
        "POST",
        A + "/reassignment-decision",
        {"approve": False},
        "assignments",
        "a",
    ),
    (
        "contacts",
        s_handling,
        "clerk_a",
        "POST",
        A + "/contacts",
        {"mode": "phone", "date": day(), "summary": "电话"},
        "assignments",
        "a",
    ),
    (
        "opinion",
        s_co_handling,
        "clerk_b",
        "POST",
        "/assignments/{co}/opinion",
        {"text": "同意"},
        "assignments",
        "co",
    ),
    (
        "extension-request",
        s_handling,
        "clerk_a",
        "POST",
        A + "/extension-request",
        {"until": day(120), "reason": "协调"},
        "assignments",
        "a",
    ),
    (
        "extension-decision",
        s_ext_requested,
        "secretariat",
        "POST",
        A + "/extension-decision",
        {"approve": True},
        "assignments",
        "a",
    ),
    ("reply", s_contacted, "clerk_a", "POST", A + "/reply", REPLY, "assignments", "a"),
    (
        "follow-up",
        s_delivered_b,
        "clerk_a",
        "POST",
        A + "/follow-up",
        {"text": "进展", "done": True},
        "assignments",
        "a",
    ),
    ("signoff", s_signoff, "head_a", "POST", R + "/signoff", {"approve": True}, "replies", "r"),
    (
        "reply review",
        s_review,
        "secretariat",
        "POST",
        R + "/review",
        {"approve": True},
        "replies",
        "r",
    ),
    (
        "rating",
        s_delivered,
        "member",
        "POST",
        R + "/rating",
        {"rating": "satisfied"},
        "replies",
        "r",
    ),
]


def bump_version(table, record_id):
    """Someone else changed the record: its version moves on."""
    old = db.session.scalar(text(f"SELECT version FROM {table} WHERE id = :id"), {"id": record_id})
    db.session.execute(
        text(f"UPDATE {table} SET version = version + 1 WHERE id = :id"), {"id": record_id}
    )
    db.session.commit()
    db.session.expire_all()
    return old


@pytest.mark.parametrize(
    "situation,who,method,path,body,table,key", [pytest.param(*c[1:], id=c[0]) for c in LOCKED]
)
def test_stale_if_match_gets_409_conflict_and_changes_nothing(
    world, api, situation, who, method, path, body, table, key
):
    ids = situation(world)
    caller = client(world, api, who)
    body = resolve(body)
    stale = bump_version(table, ids[key])
    before = snapshot()
    resp = caller.call(method, path.format(**ids), json=body, headers={"If-Match": f'"{stale}"'})
    assert_refused(resp, 409, CONFLICT_CODE, before)
    # the same call with the current version goes through
    current = stale + 1
    resp = caller.call(
        method, path.format(**ids), json=body, headers={"If-Match": f'W/"{current}"'}
    )
    assert resp.status_code in (200, 201), resp.get_json()


def test_stale_version_in_the_body_gets_409_conflict(world, api):
    ids = s_draft(world)
    stale = bump_version("proposals", ids["p"])
    member = api(world.member)
    before = snapshot()
    resp = member.patch(f"/proposals/{ids['p']}", {"title": "改", "version": stale})
    assert_refused(resp, 409, CONFLICT_CODE, before)


def test_a_version_that_is_not_a_number_is_a_validation_error(world, api):
    ids = s_submitted(world)
    sec = api(world.secretariat)
    before = snapshot()
    resp = sec.post(
        f"/proposals/{ids['p']}/review", {"decision": "file"}, headers={"If-Match": "abc"}
    )
    assert_refused(resp, 400, V, before, "version")
