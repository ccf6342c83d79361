"""Attachments in the JSON API: multipart uploads (field ``file``), lists, downloads
and deletions of the files on a proposal or on a reply. The rules are in
proposals/attachments/service.py, shared with the pages."""

from flask import jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..attachments import service, storage
from ..attachments.responses import attachment_json, download
from ..extensions import db
from .common import answer, authenticated, bp, error_response, paginate


@bp.record_once
def _defaults(state):
    storage.configure(state.app)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """Past MAX_CONTENT_LENGTH: the API's error shape, in the reader's language."""
    db.session.rollback()
    return error_response(413, "too_large", storage.too_large_message())


def _upload():
    """The single file of a multipart request (an empty list if there is none)."""
    files = request.files.getlist("file")
    return files[0] if len(files) == 1 else None


def _created(attachment):
    return answer(attachment_json(attachment), 201)


@bp.get("/proposals/<int:proposal_id>/attachments")
@authenticated
def proposal_attachments(user, proposal_id):
    proposal = service.visible_proposal(user, proposal_id)
    return jsonify(paginate(service.attachments_of(proposal), attachment_json))


@bp.post("/proposals/<int:proposal_id>/attachments")
@authenticated
def add_proposal_attachment(user, proposal_id):
    proposal = service.visible_proposal(user, proposal_id)
    return _created(service.add_attachment(user, proposal, _upload()))


@bp.get("/replies/<int:reply_id>/attachments")
@authenticated
def reply_attachments(user, reply_id):
    reply = service.visible_reply(user, reply_id)
    return jsonify(paginate(service.attachments_of(reply), attachment_json))


@bp.post("/replies/<int:reply_id>/attachments")
@authenticated
def add_reply_attachment(user, reply_id):
    reply = service.visible_reply(user, reply_id)
    return _created(service.add_attachment(user, reply, _upload()))


@bp.get("/attachments/<int:attachment_id>")
@authenticated
def download_attachment(user, attachment_id):
    return download(service.visible_attachment(user, attachment_id))


@bp.delete("/attachments/<int:attachment_id>")
@authenticated
def delete_attachment(user, attachment_id):
    service.remove_attachment(user, service.visible_attachment(user, attachment_id))
    db.session.commit()
    return "", 204
