"""The notifications page (提醒) and the unread count in the page header."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..committee import settings as committee_settings
from ..extensions import db
from ..inputs import int_arg_or_400
from ..notifications import preferences, service
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


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences_page():
    """提醒设置: per kind, the channels that reach this person; the SMS quiet period; the daily
    digest. Channels the deployment has not set up are shown but cannot reach anyone."""
    status = 200
    if request.method == "POST":
        chosen = {
            kind: [c for c in preferences.CHANNEL_NAMES if request.form.get(f"{kind}.{c}")]
            for kind in preferences.KINDS
        }
        data = {
            "kinds": chosen,
            "sms_quiet": [request.form.get("quiet_start", ""), request.form.get("quiet_end", "")],
            "digest": bool(request.form.get("digest")),
        }
        if perform(preferences.save, current_user, data, success=_("提醒设置已保存。")):
            return redirect(url_for("notifications.preferences_page"))
        status = 400
        current = data
    else:
        current = preferences.as_json(current_user)
    conf = committee_settings.all_settings()
    return render_template(
        "notifications/preferences.html",
        current=current,
        kinds=preferences.KINDS,
        channels=preferences.CHANNEL_LABELS,
        available={
            name: name == preferences.IN_APP or preferences.available(name, conf)
            for name in preferences.CHANNEL_NAMES
        },
    ), status
