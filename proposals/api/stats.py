"""GET /stats/annual: the figures of docs/domain.md, for the secretariat only."""

from flask import jsonify, request

from ..errors import NotPermitted
from ..i18n import _
from ..stats import annual_figures, read_period_args
from ..workflow.states import Role
from .common import authenticated, bp


def require_secretariat(user):
    if user.role != Role.SECRETARIAT:
        raise NotPermitted(_("您的角色不能执行此操作"))


@bp.get("/stats/annual")
@authenticated
def annual(user):
    """Query: year (default this year) or session (an id), as_of (YYYY-MM-DD, default today)."""
    require_secretariat(user)
    return jsonify(annual_figures(**read_period_args(request.args)))
