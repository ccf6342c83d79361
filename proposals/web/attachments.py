"""Attachments on the pages: the list and upload form on a proposal and on its replies
(partials included by proposal/show.html), a page of its own for phones and for refused
uploads, downloads, and deletion. Every decision is the service's (attachments/service.py),
the same as for the JSON API."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..attachments import service, storage
from ..attachments.checks import ACCEPT, FORMATS_LABEL
from ..attachments.responses import download as download_response
from ..attachments.responses import files_of, forget_files
from ..errors import DomainError
from ..handling.models import Reply
from .actions import perform
from .errors import render_error

bp = Blueprint("attachments", __name__)


@bp.record_once
def _defaults(state):
    storage.configure(state.app)


def _or_404(loader, *args):
    """The service's NotFound as the page's 404 (the same for a record one may not see)."""
    try:
        return loader(current_user, *args)
    except DomainError as exc:
        abort(exc.status, exc.message)


def _size(n):
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(n // 1024, 1)} KB"


@bp.app_context_processor
def _helpers():
    return {
        "attachments_of": files_of,
        "may_change_attachments": lambda record: service.may_change(current_user, record),
        "attachment_size": _size,
        "attachment_accept": ACCEPT,
        "attachment_hint": lambda: _(
            "可上传 %(formats)s，每个文件不超过 %(limit)s，最多 %(n)d 个。",
            formats=_(FORMATS_LABEL),
            limit=storage.size_label(),
            n=storage.per_record(),
        ),
    }


@bp.errorhandler(413)
def _too_large(exc):
    """Past MAX_CONTENT_LENGTH (raised while the form is read, even by the CSRF check) or past
    the per-file limit (the service's TooLarge, through perform)."""
    own = getattr(exc, "description", None) != RequestEntityTooLarge.description
    return render_error(413, exc.description if own else storage.too_large_message())


def _page_of(record):
    if isinstance(record, Reply):
        return url_for(
            "proposal.show", proposal_id=record.assignment.proposal_id, _anchor=f"reply-{record.id}"
        )
    return url_for("proposal.show", proposal_id=record.id, _anchor="attachments")


def _manage(record, status=200):
    proposal = record.assignment.proposal if isinstance(record, Reply) else record
    upload_url = (
        url_for(".reply_files", reply_id=record.id)
        if isinstance(record, Reply)
        else url_for(".proposal_files", proposal_id=record.id)
    )
    return render_template(
        "attachments/manage.html",
        record=record,
        p=proposal,
        reply=record if isinstance(record, Reply) else None,
        upload_url=upload_url,
        back_url=_page_of(record),
    ), status


def _upload(record):
    """POST: store the file or show the page again with the reason (400/413)."""
    files = request.files.getlist("file")
    upload = files[0] if len(files) == 1 else None
    back = _page_of(record)  # before the commit expires the record's relationships
    if perform(service.add_attachment, current_user, record, upload, success=_("附件已上传。")):
        return redirect(back)
    forget_files()
    return _manage(record, 400)


@bp.route("/proposals/<int:proposal_id>/attachments", methods=["GET", "POST"])
@login_required
def proposal_files(proposal_id):
    proposal = _or_404(service.visible_proposal, proposal_id)
    if request.method == "POST":
        return _upload(proposal)
    return _manage(proposal)


@bp.route("/replies/<int:reply_id>/attachments", methods=["GET", "POST"])
@login_required
def reply_files(reply_id):
    reply = _or_404(service.visible_reply, reply_id)
    if request.method == "POST":
        return _upload(reply)
    return _manage(reply)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id):
    return download_response(_or_404(service.visible_attachment, attachment_id))


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def delete(attachment_id):
    attachment = _or_404(service.visible_attachment, attachment_id)
    record = attachment.reply if attachment.reply_id else attachment.proposal
    back = _page_of(record)  # before the commit expires the record's relationships
    perform(service.remove_attachment, current_user, attachment, success=_("附件已删除。"))
    return redirect(back)
