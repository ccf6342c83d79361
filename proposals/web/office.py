"""The supervising office's pages (督查室): confirming a joint assignment. Its other decisions
(reassignment and extension requests, reply review) use the secretariat's pages, which the
operations open to it for its own units where the settings say so."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField

from ..handling import operations as hops
from .actions import perform
from .secretariat import APPROVE, choice, failed, load_assignment, may, to_proposal

bp = Blueprint("office", __name__)


class ConfirmForm(FlaskForm):
    approve = RadioField(
        _l("意见"),
        validate_choice=False,
        choices=[("approve", _l("同意交办")), ("refuse", _l("不同意，退回提案委重新交办"))],
    )
    comment = TextAreaField(
        _l("说明"), render_kw={"rows": 3}, description=_l("不同意时必填，提案委员会办公室会看到。")
    )
    submit = SubmitField(_l("提交"))


@bp.route("/assignments/<int:assignment_id>/confirm", methods=["GET", "POST"])
@login_required
def confirm(assignment_id):
    assignment = load_assignment(assignment_id)
    proposal = assignment.proposal  # kept: the commit expires the assignment's relationships
    may("assignment", "confirm", assignment)
    form = ConfirmForm()
    if request.method == "POST":
        approve = choice(form.approve.data, APPROVE)
        done = perform(
            hops.confirm_assignment,
            current_user,
            assignment,
            {"approve": approve, "comment": form.comment.data},
            form=form,
            success=_("已确认交办。") if approve else _("已退回提案委员会办公室重新交办。"),
        )
        if done:
            return to_proposal(proposal, f"assignment-{assignment.id}")
        return failed("office/confirm.html", a=assignment, form=form)
    return render_template("office/confirm.html", a=assignment, form=form)
