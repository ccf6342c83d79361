"""Files on disk: outside the static folder (``ATTACHMENTS_DIR``, default
``<instance>/attachments``), named by random hex; the original name is only in the database.

An upload is streamed to a temporary file in that folder (hashing and counting as it goes, and
stopping past the limit), then renamed to its random name before the row is flushed. The rename
is undone if the transaction does not commit, and a deleted attachment's file is removed only
once the deletion has committed: the disk follows the database (session hooks below)."""

import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..errors import DomainError
from ..i18n import _
from .checks import HEAD_BYTES

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_PER_RECORD = 10
REQUEST_OVERHEAD = 1024 * 1024  # multipart framing and the form's other fields
CHUNK = 64 * 1024
KEY = re.compile(r"[0-9a-f]{32}")
WRITTEN, DOOMED = "attachments.written", "attachments.doomed"


class TooLarge(DomainError):
    """The upload is over the size limit (413 too_large); nothing was stored."""

    status = 413
    code = "too_large"


def configure(app):
    """Defaults, unless the deployment set them: the per-file limit, the count per record and a
    request limit a little above the file limit (MAX_CONTENT_LENGTH applies to every route)."""
    app.config.setdefault("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)
    app.config.setdefault("ATTACHMENTS_PER_RECORD", DEFAULT_PER_RECORD)
    app.config.setdefault("ATTACHMENTS_DIR", None)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["ATTACHMENT_MAX_BYTES"] + REQUEST_OVERHEAD


def max_bytes():
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def per_record():
    return int(current_app.config.get("ATTACHMENTS_PER_RECORD") or DEFAULT_PER_RECORD)


def size_label(limit=None):
    """20 MB, 1.5 MB, 800 KB: for messages."""
    limit = max_bytes() if limit is None else limit
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{max(limit // 1024, 1)} KB"


def too_large_message(limit=None):
    return _("文件超过 %(limit)s 的上限，未保存。请压缩或拆分后重新上传。", limit=size_label(limit))


def folder():
    path = current_app.config.get("ATTACHMENTS_DIR") or os.path.join(
        current_app.instance_path, "attachments"
    )
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def path_for(key):
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError("not a storage key")
    return os.path.join(folder(), key)


@dataclass
class Received:
    temp_path: str
    size: int
    sha256: str
    head: bytes


def receive(stream, limit):
    """Copy ``stream`` to a temporary file in the attachments folder; TooLarge past ``limit``
    bytes (the partial file is removed, as on any failure)."""
    fd, temp_path = tempfile.mkstemp(prefix=".upload-", dir=folder())
    digest, size, head = hashlib.sha256(), 0, bytearray()
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLarge(too_large_message(limit))
                digest.update(chunk)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        discard(temp_path)
        raise
    return Received(temp_path, size, digest.hexdigest(), bytes(head))


def discard(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def keep(session, received):
    """Give the received file its random name; it is removed again unless ``session``
    commits."""
    key = secrets.token_hex(16)
    final = path_for(key)
    os.replace(received.temp_path, final)
    session.info.setdefault(WRITTEN, []).append(final)
    return key


def remove_after_commit(session, key):
    session.info.setdefault(DOOMED, []).append(path_for(key))


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop(WRITTEN, None)  # now backed by committed rows
    for path in session.info.pop(DOOMED, ()):
        discard(path)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    if transaction.parent is not None:
        return
    # the outermost transaction ended without a commit: its new files go, deletions are off
    for path in session.info.pop(WRITTEN, ()):
        discard(path)
    session.info.pop(DOOMED, None)
