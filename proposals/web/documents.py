"""The official documents of a record for a signed-in browser (the Word and PDF buttons of the
proposal page): the same checks and files as the API (documents/service.py)."""

from flask import Blueprint
from flask_login import current_user, login_required

from ..documents import service

bp = Blueprint("documents", __name__)


def _both(rule, endpoint):
    return service.route_both(bp, rule, endpoint, login_required)


@_both("/replies/<int:reply_id>/letter", "letter")
def letter(reply_id, fmt):
    return service.letter_file(current_user, reply_id, fmt)


@_both("/replies/<int:reply_id>/opinion-form", "opinion_form")
def opinion_form(reply_id, fmt):
    return service.opinion_form_file(current_user, reply_id, fmt)


@_both("/assignments/<int:assignment_id>/notice", "notice")
def notice(assignment_id, fmt):
    return service.notice_file(current_user, assignment_id, fmt)


@_both("/proposals/<int:proposal_id>/not-filed-notice", "not_filed_notice")
def not_filed_notice(proposal_id, fmt):
    return service.not_filed_notice_file(current_user, proposal_id, fmt)


@bp.app_context_processor
def _document_buttons():
    """``documents_offered``: which document buttons the signed-in person gets on a record."""

    def documents_offered():
        if not current_user.is_authenticated:
            return {}
        return service.offered(current_user)

    return {"documents_offered": documents_offered}
