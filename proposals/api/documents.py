"""The official documents of one record, and the annual section, as Word or PDF (docs/api.md,
documents): the checks and the files are documents/service.py's, shared with the pages."""

from flask import request

from ..documents import service
from ..stats import read_period_args
from .common import authenticated, bp


def _both(rule, endpoint):
    return service.route_both(bp, rule, endpoint, authenticated)


@_both("/replies/<int:reply_id>/letter", "reply_letter")
def reply_letter(user, reply_id, fmt):
    return service.letter_file(user, reply_id, fmt)


@_both("/replies/<int:reply_id>/opinion-form", "reply_opinion_form")
def reply_opinion_form(user, reply_id, fmt):
    return service.opinion_form_file(user, reply_id, fmt)


@_both("/assignments/<int:assignment_id>/notice", "assignment_notice")
def assignment_notice(user, assignment_id, fmt):
    return service.notice_file(user, assignment_id, fmt)


@_both("/proposals/<int:proposal_id>/not-filed-notice", "not_filed_notice")
def not_filed_notice(user, proposal_id, fmt):
    return service.not_filed_notice_file(user, proposal_id, fmt)


@_both("/stats/annual", "annual_section")
def annual_section(user, fmt):
    return service.annual_file(user, read_period_args(request.args), fmt)
