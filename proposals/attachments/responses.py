"""Answers shared by the API and the pages: the JSON of an attachment and the download."""

import unicodedata
from urllib.parse import quote

from flask import has_request_context, request, send_file

from ..committee.calendar import LOCAL_TZ
from ..handling.models import Reply
from .service import file_path, grouped_for

CACHE = "proposals.attachments"

# a download never renders in the app's origin: no scripts, no framing, no sniffing
DOWNLOAD_CSP = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
)


def attachment_json(a):
    return {
        "id": a.id,
        "filename": a.filename,
        "size": a.size,
        "content_type": a.content_type,
        "kind": a.kind,
        "sha256": a.sha256,
        "proposal_id": a.proposal_id,
        "reply_id": a.reply_id,
        "uploaded_by": a.uploaded_by.username,
        "created_at": a.created_at.astimezone(LOCAL_TZ).isoformat(),
        "download_url": f"/api/v1/attachments/{a.id}",
    }


def files_of(record):
    """The files of a proposal (its own) or of a reply, one query per proposal and request
    (the proposal page and the proposal's JSON show every reply)."""
    is_reply = isinstance(record, Reply)
    proposal_id = record.assignment.proposal_id if is_reply else record.id
    cache = request.environ.setdefault(CACHE, {}) if has_request_context() else {}
    if proposal_id not in cache:
        cache[proposal_id] = grouped_for(proposal_id)
    return cache[proposal_id].get(record.id if is_reply else None, [])


def forget_files():
    """After a change within the same request."""
    if has_request_context():
        request.environ.pop(CACHE, None)


def content_disposition(filename):
    """``attachment`` with an ASCII fallback name and the real one as RFC 5987 filename*."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in ascii_name)
    stem = ascii_name.rsplit(".", 1)[0].strip(" ._")
    if not stem:
        ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        ascii_name = "attachment." + "".join(c for c in ext if c.isascii() and c.isalnum())
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(attachment):
    response = send_file(
        file_path(attachment),
        mimetype=attachment.content_type,
        as_attachment=False,
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Content-Type"] = attachment.content_type
    return response
