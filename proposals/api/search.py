"""Similar proposals (docs/api.md): GET /proposals/similar (a member drafting) and
GET /proposals/{id}/similar (the secretariat; the proposal's own proposers). The search itself
(GET /proposals?q=) is in workflow/queries.py through proposals.search."""

from flask import jsonify, request

from ..committee import settings as committee_settings
from ..errors import NotPermitted, ValidationError
from ..i18n import _
from ..inputs import MAX_ID, int_arg
from ..search.similar import find_similar, item_json, similar_to
from ..workflow.states import CosignerState, Role
from .common import authenticated, bp
from .proposals import load_proposal

MAX_TEXT = 20000


def limit_arg():
    raw = request.args.get("limit", "10")
    try:
        value = int(raw)
        if not 1 <= value <= 50:
            raise ValueError
    except ValueError:
        raise ValidationError(fields={"limit": _("应为 1–50 的整数")}) from None
    return value


def may_see_similar(user, proposal):
    """The secretariat, the first proposer and co-signers who accepted."""
    if user.role == Role.SECRETARIAT or proposal.is_proposer(user):
        return True
    cosigner = proposal.cosigner_for(user) if user.role == Role.MEMBER else None
    return cosigner is not None and cosigner.state == CosignerState.ACCEPTED


def answer(user, pairs):
    labels = committee_settings.result_labels()
    items = [item_json(user, p, score, labels) for p, score in pairs]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/proposals/similar")
@authenticated
def similar_draft(user):
    if user.role != Role.MEMBER:
        raise NotPermitted(_("只有委员可以在起草时查找相似提案"))
    title = request.args.get("title", "").strip()[:200]
    text = request.args.get("text", "").strip()[:MAX_TEXT]
    if not title and not text:
        raise ValidationError(fields={"title": _("请填写案由或正文")})
    errors = {}
    exclude = int_arg(errors, "exclude", 1, MAX_ID)  # the draft itself, when it is saved
    if errors:
        raise ValidationError(fields=errors)
    return answer(user, find_similar(user, title, text, exclude_id=exclude, limit=limit_arg()))


@bp.get("/proposals/<int:proposal_id>/similar")
@authenticated
def similar_proposal(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    if not may_see_similar(user, proposal):
        raise NotPermitted(_("无权查看该提案的相似提案"))
    return answer(user, similar_to(user, proposal, limit=limit_arg()))
