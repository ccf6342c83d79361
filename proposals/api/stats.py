"""GET /stats/annual: the figures of docs/domain.md, for the secretariat, and for a supervising
office with the per-unit rows of its own units only."""

from flask import jsonify, request
from sqlalchemy import select

from ..accounts.models import Department
from ..errors import NotPermitted
from ..extensions import db
from ..i18n import _
from ..stats import annual_figures, read_period_args
from ..workflow.states import Role
from .common import authenticated, bp


def require_secretariat(user):
    if user.role != Role.SECRETARIAT:
        raise NotPermitted(_("您的角色不能执行此操作"))


def require_figures_reader(user):
    """The figures are the secretariat's, and a supervising office's for its units."""
    if user.role not in (Role.SECRETARIAT, Role.OFFICE):
        raise NotPermitted(_("您的角色不能执行此操作"))


def scoped(user, figures):
    """The figures as ``user`` may read them: an office sees the committee's totals (the
    published report's) and the per-unit rows of the units it supervises, not the others'."""
    if user.role == Role.OFFICE and figures is not None:
        codes = set(
            db.session.scalars(
                select(Department.code).where(Department.id.in_(user.office_department_ids or {0}))
            )
        )
        figures["by_department"] = [
            u for u in figures.get("by_department") or [] if u.get("code") in codes
        ]
    return figures


@bp.get("/stats/annual")
@authenticated
def annual(user):
    """Query: year (default this year) or session (an id), as_of (YYYY-MM-DD, default today)."""
    require_figures_reader(user)
    return jsonify(scoped(user, annual_figures(**read_period_args(request.args))))
