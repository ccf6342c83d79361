"""The home page of each role: what is waiting for this person."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..committee.calendar import local_date, utcnow
from ..workflow import queues

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    today = local_date(utcnow())
    role = current_user.role
    if role == "member":
        data = queues.member_queues(current_user, today)
    elif role == "secretariat":
        data = queues.secretariat_queues(current_user, today)
    elif role == "office":
        data = queues.office_queues(current_user, today)
    elif role in ("clerk", "department_head"):
        data = queues.unit_queues(current_user, today)
    else:
        from ..extensions import db
        from ..notifications.models import JobRun
        from ..notifications.service import failed_deliveries
        from ..reminders.sweep import sweep_overdue

        data = {
            "sweep_late": sweep_overdue(),
            "sweep": db.session.get(JobRun, "sweep"),
            "failed": failed_deliveries(),
        }
    template = {"clerk": "unit", "department_head": "unit"}.get(role, role)
    return render_template(f"home/{template}.html", q=data, today=today)
