"""The notifications page (提醒) and the unread count in the page header."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..inputs import int_arg_or_400
from ..notifications import service
from ..web.actions import perform
from ..workflow.queries import MAX_PAGE

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    page = int_arg_or_400("page", 1, MAX_PAGE, default=1)
    query = service.own_notifications(current_user)
    items = db.session.scalars(query.limit(50).offset((page - 1) * 50)).all()
    return render_template(
        "notifications/index.html", items=items, page=page, more=len(items) == 50
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id):
    n = perform(service.mark_read, current_user, notification_id)
    if request.form.get("go") and n:
        return redirect(n.link)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    perform(service.mark_all_read, current_user, success=_("已全部标为已读。"))
    return redirect(url_for("notifications.index"))

