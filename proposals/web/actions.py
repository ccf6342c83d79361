"""Run one operation for a page: commit on success, form errors or an error page otherwise."""

from flask import abort, flash
from sqlalchemy import inspect
from sqlalchemy.orm.exc import StaleDataError

from ..errors import DomainError, ValidationError
from ..extensions import db
from ..i18n import _


def perform(operation, *args, form=None, success=None, **kwargs):
    """Call ``operation``; on success commit, flash ``success`` and return its result.

    A ValidationError puts each message on the form's field of the same name (or flashes it)
    and returns None; a refusal (403/404/409) rolls back and shows the error page."""
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        read_again(args)
        unplaced = []
        for name, message in exc.fields.items():
            field = getattr(form, name, None) if form is not None else None
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
            else:
                unplaced.append(message)
        flash(_("请修改标出的内容后再提交。") if not unplaced else _("；").join(unplaced), "danger")
        return None
    except DomainError as exc:
        db.session.rollback()
        abort(exc.status, exc.message)
    except StaleDataError:
        db.session.rollback()
        abort(409, _("此项已被他人修改，请刷新后重试。"))
    if success:
        flash(success, "success")
    return result if result is not None else True


def read_again(records):
    """The form is shown again after a rollback, which expired the records the operation was
    given: read each proposal, assignment or reply again with what its pages show (their
    relationships raise instead of loading lazily)."""
    from ..handling.models import Assignment, Reply
    from ..workflow.models import Proposal
    from ..workflow.queries import (
        assignment_detail_options,
        load_one,
        proposal_detail_options,
        reply_detail_options,
    )

    options = {
        Proposal: proposal_detail_options,
        Assignment: assignment_detail_options,
        Reply: reply_detail_options,
    }
    for record in records:
        if type(record) in options and inspect(record).persistent:
            load_one(type(record), inspect(record).identity[0], options[type(record)]())
