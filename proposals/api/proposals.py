from flask import jsonify, request

from ..errors import NotFound
from ..i18n import _
from ..inputs import boolean, day, identifier, object_list, text, text_list
from ..workflow import operations as ops
from ..workflow.access import can_view, visible_filter
from ..workflow.core import expect_version
from ..workflow.models import Proposal
from ..workflow.queries import (
    load_one,
    page_ids,
    proposal_detail_options,
    proposal_query,
    proposal_summaries,
)
from .common import answer, authenticated, bp, if_match, json_body, page_args, read_again
from .serializers import proposal_detail, proposal_summary

# the fields of a proposal's content (POST /proposals, PATCH /proposals/{id}) and their types
CONTENT = {
    "title": text,
    "category": text,
    "analysis": text,
    "suggestions": text,
    "cosigners": text_list,
    "suggested_departments": text_list,
}


def load_proposal(user, proposal_id):
    """The proposal with everything proposal_detail() and the operations read, or 404 (the
    SQL visibility filter spares loading one out of sight; can_view() stays the rule)."""
    proposal = load_one(Proposal, proposal_id, proposal_detail_options(), visible_filter(user))
    if proposal is None or not can_view(user, proposal):
        raise NotFound(_("提案不存在"))
    return proposal


def done(user, proposal, status=200):
    read_again()
    proposal = load_one(Proposal, proposal.id, proposal_detail_options())
    return answer(proposal_detail(proposal, user), status)


@bp.post("/proposals")
@authenticated
def create(user):
    proposal = ops.create_proposal(user, json_body(**CONTENT))
    return done(user, proposal, 201)


@bp.get("/proposals")
@authenticated
def index(user):
    page, per_page = page_args()
    ids, total = page_ids(proposal_query(user, request.args), per_page, (page - 1) * per_page)
    return jsonify(
        {
            "items": [proposal_summary(p) for p in proposal_summaries(ids)],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


@bp.get("/proposals/<int:proposal_id>")
@authenticated
def show(user, proposal_id):
    return jsonify(proposal_detail(load_proposal(user, proposal_id), user))


@bp.patch("/proposals/<int:proposal_id>")
@authenticated
def edit(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.edit_proposal(user, proposal, json_body(**CONTENT)))


@bp.post("/proposals/<int:proposal_id>/submit")
@authenticated
def submit(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.submit_proposal(user, proposal))


@bp.post("/proposals/<int:proposal_id>/cosign")
@authenticated
def cosign(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    accept = json_body(accept=boolean).get("accept")
    return done(user, ops.respond_to_invitation(user, proposal, accept))


@bp.post("/proposals/<int:proposal_id>/withdraw")
@authenticated
def withdraw(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.withdraw_proposal(user, proposal, json_body(reason=text).get("reason")))


@bp.post("/proposals/<int:proposal_id>/review")
@authenticated
def review(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    data = json_body(
        decision=text,
        category=text,
        reason_code=text,
        disposition=text,
        merge_into=identifier,
        comment=text,
        title=text,
    )
    return done(user, ops.review_proposal(user, proposal, data))


@bp.post("/proposals/review-batch")
@authenticated
def review_batch(user):
    """批量立案: all or nothing; the answer lists the filed proposals in the order numbered."""
    data = json_body(decision=text, category=text)
    filed = ops.review_batch(user, data.get("ids"), data)
    read_again()
    items = [proposal_summary(p) for p in proposal_summaries([p.id for p in filed])]
    return answer({"items": items, "total": len(items)})


@bp.post("/proposals/<int:proposal_id>/assign")
@authenticated
def assign(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    data = json_body(departments=object_list(code=text, role=text), due_date=day)
    return done(
        user, ops.assign_proposal(user, proposal, data.get("departments"), data.get("due_date"))
    )


@bp.post("/proposals/<int:proposal_id>/key")
@authenticated
def key(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    data = json_body(key=boolean, supervisor=text)
    return done(user, ops.mark_key(user, proposal, data.get("key"), data.get("supervisor")))


@bp.post("/proposals/<int:proposal_id>/consultation")
@authenticated
def consultation(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    note = json_body(note=text).get("note")
    return done(user, ops.record_consultation(user, proposal, note))
