from flask import jsonify, request

from ..committee import settings as committee_settings
from ..errors import NotFound
from ..handling import operations as ops
from ..handling import ratings
from ..handling.models import Assignment, Reply
from ..i18n import _
from ..inputs import boolean, day, text
from ..workflow.access import can_view, can_view_reply
from ..workflow.core import expect_version
from ..workflow.queries import (
    assignment_detail_options,
    assignment_query,
    load_one,
    reply_detail_options,
)
from .common import answer, authenticated, bp, if_match, json_body, paginate, read_again
from .serializers import assignment_json, reply_json


def load_assignment(user, assignment_id):
    assignment = load_one(Assignment, assignment_id, assignment_detail_options())
    if assignment is None or not can_view(user, assignment.proposal):
        raise NotFound(_("交办记录不存在"))
    if request.method != "GET":
        expect_version(assignment, if_match())
    return assignment


def load_reply(user, reply_id):
    reply = load_one(Reply, reply_id, reply_detail_options())
    if (
        reply is None
        or not can_view(user, reply.assignment.proposal)
        or not can_view_reply(user, reply)
    ):
        raise NotFound(_("答复不存在"))
    if request.method != "GET":
        expect_version(reply, if_match())
    return reply


def done_assignment(user, assignment, status=200):
    read_again()
    assignment = load_one(Assignment, assignment.id, assignment_detail_options())
    return answer(assignment_json(assignment, user), status)


def done_reply(user, reply, status=200):
    read_again()
    reply = load_one(Reply, reply.id, reply_detail_options())
    return answer(reply_json(reply, user), status)


@bp.get("/assignments")
@authenticated
def assignments(user):
    query = assignment_query(user, request.args)
    labels = committee_settings.result_labels()  # once for the page
    return jsonify(paginate(query, lambda a: assignment_json(a, user, labels=labels)))


@bp.get("/assignments/<int:assignment_id>")
@authenticated
def assignment(user, assignment_id):
    return jsonify(assignment_json(load_assignment(user, assignment_id), user))


@bp.post("/assignments/<int:assignment_id>/accept")
@authenticated
def accept(user, assignment_id):
    a = load_assignment(user, assignment_id)
    return done_assignment(user, ops.accept_assignment(user, a))


@bp.post("/assignments/<int:assignment_id>/confirm")
@authenticated
def confirm(user, assignment_id):
    a = load_assignment(user, assignment_id)
    data = json_body(approve=boolean, comment=text)
    return done_assignment(user, ops.confirm_assignment(user, a, data))


@bp.post("/assignments/<int:assignment_id>/reassignment-request")
@authenticated
def reassignment_request(user, assignment_id):
    a = load_assignment(user, assignment_id)
    reason = json_body(reason=text).get("reason")
    return done_assignment(user, ops.request_reassignment(user, a, reason))


@bp.post("/assignments/<int:assignment_id>/reassignment-decision")
@authenticated
def reassignment_decision(user, assignment_id):
    a = load_assignment(user, assignment_id)
    data = json_body(approve=boolean, department=text, comment=text)
    return done_assignment(user, ops.decide_reassignment(user, a, data))


@bp.post("/assignments/<int:assignment_id>/contacts")
@authenticated
def contacts(user, assignment_id):
    a = load_assignment(user, assignment_id)
    ops.record_contact(user, a, json_body(mode=text, date=day, summary=text))
    return done_assignment(user, a, 201)


@bp.post("/assignments/<int:assignment_id>/opinion")
@authenticated
def opinion(user, assignment_id):
    a = load_assignment(user, assignment_id)
    written = json_body(text=text).get("text")
    return done_assignment(user, ops.submit_opinion(user, a, written), 201)


@bp.post("/assignments/<int:assignment_id>/extension-request")
@authenticated
def extension_request(user, assignment_id):
    a = load_assignment(user, assignment_id)
    data = json_body(until=day, reason=text)
    return done_assignment(user, ops.request_extension(user, a, data), 201)


@bp.post("/assignments/<int:assignment_id>/extension-decision")
@authenticated
def extension_decision(user, assignment_id):
    a = load_assignment(user, assignment_id)
    data = json_body(approve=boolean, comment=text)
    return done_assignment(user, ops.decide_extension(user, a, data))


@bp.post("/assignments/<int:assignment_id>/reply")
@authenticated
def reply(user, assignment_id):
    a = load_assignment(user, assignment_id)
    data = json_body(result=text, text=text, signer=text, contact=text, promised_date=day)
    return done_reply(user, ops.draft_reply(user, a, data), 201)


@bp.post("/assignments/<int:assignment_id>/follow-up")
@authenticated
def follow_up(user, assignment_id):
    a = load_assignment(user, assignment_id)
    data = json_body(text=text, done=boolean)
    return done_assignment(user, ops.follow_up(user, a, data), 201)


@bp.get("/replies/<int:reply_id>")
@authenticated
def show_reply(user, reply_id):
    return jsonify(reply_json(load_reply(user, reply_id), user))


@bp.post("/replies/<int:reply_id>/signoff")
@authenticated
def signoff(user, reply_id):
    r = load_reply(user, reply_id)
    data = json_body(approve=boolean, comment=text)
    return done_reply(user, ops.signoff_reply(user, r, data))


@bp.post("/replies/<int:reply_id>/review")
@authenticated
def review_reply(user, reply_id):
    r = load_reply(user, reply_id)
    data = json_body(approve=boolean, comment=text, result=text)
    return done_reply(user, ops.review_reply(user, r, data))


@bp.post("/replies/<int:reply_id>/rating")
@authenticated
def rating(user, reply_id):
    r = load_reply(user, reply_id)
    data = json_body(rating=text, comment=text)
    return done_reply(user, ops.rate_reply(user, r, data))


@bp.post("/replies/<int:reply_id>/paper-rating")
@authenticated
def paper_rating(user, reply_id):
    """纸质测评: the secretariat enters a rating returned on the paper opinion form."""
    r = load_reply(user, reply_id)
    data = json_body(rater=text, rating=text, comment=text)
    return done_reply(user, ratings.paper_rating(user, r, data))
