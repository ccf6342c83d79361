"""The attachment operations: who may add or remove a file on which record in which state, and
who may read it. The API and the web pages both call these; like the other operations they only
flush, the caller commits (storage.py keeps the disk in step with that commit).

- On a proposal: its first proposer, while it is a draft (which is also where a proposal
  returned for revision goes back to).
- On a reply: the staff (clerk or head) of the reply's unit while the reply is not yet
  delivered (awaiting sign-off or review).
- Reading: whoever may see the proposal (workflow.access.can_view), and for a reply's files
  whoever may also see that reply (can_view_reply), exactly as on the proposal page."""

import os

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..errors import InvalidState, NotFound, NotPermitted, ValidationError
from ..extensions import db
from ..handling.models import Reply
from ..handling.operations import IN_PROGRESS
from ..i18n import _
from ..workflow.access import can_view, can_view_reply
from ..workflow.core import loaded
from ..workflow.models import Proposal
from ..workflow.queries import load_one, reply_visibility_options, visibility_options
from ..workflow.states import ProposalState as P
from . import storage
from .checks import CONTENT_TYPES, FORMATS_LABEL, clean_filename, content_matches, kind_from_name
from .models import Attachment

# --- reading ----------------------------------------------------------------------------------


def may_see_proposal(user, proposal):
    return user is not None and can_view(user, proposal)


def may_see_reply(user, reply):
    return (
        user is not None
        and can_view(user, reply.assignment.proposal)
        and can_view_reply(user, reply)
    )


def may_see(user, attachment):
    if attachment.reply_id is not None:
        return may_see_reply(user, attachment.reply)
    return may_see_proposal(user, attachment.proposal)


def visible_proposal(user, proposal_id):
    proposal = load_one(Proposal, proposal_id, visibility_options())
    if proposal is None or not may_see_proposal(user, proposal):
        raise NotFound(_("提案不存在"))
    return proposal


def visible_reply(user, reply_id):
    reply = load_one(Reply, reply_id, reply_visibility_options())
    if reply is None or not may_see_reply(user, reply):
        raise NotFound(_("答复不存在"))
    return reply


def visible_attachment(user, attachment_id):
    proposal = joinedload(Attachment.proposal)
    attachment = load_one(
        Attachment,
        attachment_id,
        (
            proposal,
            *visibility_options(proposal),
            joinedload(Attachment.reply).joinedload(Reply.assignment),
        ),
    )
    if attachment is None or not may_see(user, attachment):
        raise NotFound(_("附件不存在"))
    return attachment


def attachments_of(record):
    """A proposal's own files (not its replies'), or a reply's files, oldest first."""
    query = select(Attachment).order_by(Attachment.id)
    if isinstance(record, Reply):
        query = query.where(Attachment.reply_id == record.id)
    else:
        query = query.where(Attachment.proposal_id == record.id, Attachment.reply_id.is_(None))
    return query


def list_for(record):
    return db.session.scalars(attachments_of(record)).all()


def grouped_for(proposal_id):
    """All files of a proposal and its replies in one query: {None: the proposal's own,
    reply_id: that reply's}. Callers show a reply's files only where they show the reply."""
    return grouped_for_many([proposal_id])[proposal_id]


def grouped_for_many(proposal_ids):
    """grouped_for of several proposals in one query (a page of a list): {proposal_id:
    {None: its own files, reply_id: that reply's}}, every asked proposal present. Loading
    only: who may read them is still decided where they are shown."""
    out = {pid: {} for pid in proposal_ids}
    if not out:
        return out
    query = select(Attachment).where(Attachment.proposal_id.in_(list(out))).order_by(Attachment.id)
    for attachment in db.session.scalars(query):
        out[attachment.proposal_id].setdefault(attachment.reply_id, []).append(attachment)
    return out


# --- who may change ---------------------------------------------------------------------------


def check_may_change(actor, record):
    """Raise NotPermitted or InvalidState unless ``actor`` may add or remove files on
    ``record`` (a Proposal or a Reply) now."""
    if isinstance(record, Reply):
        assignment = loaded(record, "assignment").assignment
        if actor is None or not actor.is_unit_staff or not assignment.belongs_to(actor):
            raise NotPermitted(_("只有本单位的经办人或负责人可以管理答复附件"))
        if record.state not in IN_PROGRESS:
            raise InvalidState(_("答复已送达或已退回，不能再增删附件"))
        return
    if not record.is_proposer(actor):
        raise NotPermitted(_("只有第一提案人可以管理提案附件"))
    if record.state != P.DRAFT:
        raise InvalidState(_("提案提交后不能再增删附件"))


def may_change(actor, record):
    """For pages: show the upload form and delete buttons (the operations still decide)."""
    try:
        check_may_change(actor, record)
    except (NotPermitted, InvalidState):
        return False
    return True


# --- operations ---------------------------------------------------------------------------------


def add_attachment(actor, record, upload):
    """Store ``upload`` (a werkzeug FileStorage) on ``record``: checks rights and state, the
    count, the name, the size and the content; returns the flushed Attachment."""
    check_may_change(actor, record)
    if upload is None or not getattr(upload, "filename", None):
        raise ValidationError(fields={"file": _("请选择要上传的文件")})
    count = db.session.scalar(
        select(func.count()).select_from(attachments_of(record).order_by(None).subquery())
    )
    if count >= storage.per_record():
        raise ValidationError(
            fields={
                "file": _("每项最多 %(n)d 个附件，请先删除不需要的附件", n=storage.per_record())
            }
        )
    filename = clean_filename(upload.filename)
    kind = kind_from_name(filename)
    if not filename or kind is None:
        raise ValidationError(
            fields={"file": _("只能上传 %(formats)s 文件", formats=_(FORMATS_LABEL))}
        )
    received = storage.receive(upload.stream, storage.max_bytes())
    try:
        if received.size == 0:
            raise ValidationError(fields={"file": _("文件是空的")})
        if not content_matches(kind, received.temp_path, received.head):
            raise ValidationError(
                fields={
                    "file": _(
                        "文件内容与扩展名不符，或不是允许的格式（%(formats)s）",
                        formats=_(FORMATS_LABEL),
                    )
                }
            )
        key = storage.keep(db.session, received)
    except BaseException:
        storage.discard(received.temp_path)
        raise
    proposal = (
        loaded(record.assignment, "proposal").proposal if isinstance(record, Reply) else record
    )
    attachment = Attachment(
        proposal=proposal,
        reply=record if isinstance(record, Reply) else None,
        filename=filename,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=received.size,
        sha256=received.sha256,
        storage_key=key,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(actor, attachment):
    """Delete the row; its file goes once the deletion is committed."""
    check_may_change(actor, attachment.reply if attachment.reply_id else attachment.proposal)
    storage.remove_after_commit(db.session, attachment.storage_key)
    db.session.delete(attachment)
    db.session.flush()
    return attachment


def file_path(attachment):
    """The file on disk; NotFound when it has gone missing."""
    path = storage.path_for(attachment.storage_key)
    if not os.path.isfile(path):
        raise NotFound(_("附件文件不存在"))
    return path
