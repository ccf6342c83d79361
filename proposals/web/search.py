"""Search on the pages: the <mark> highlighting of list titles and snippets (template filter
``highlight`` and global ``search_snippet``), and the similar-proposals lookup that similar.js
calls while a member types a draft's title (the session-authenticated twin of
GET /api/v1/proposals/similar)."""

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..committee import settings as committee_settings
from ..inputs import MAX_ID, int_arg_or_400
from ..search.highlight import highlight, snippet
from ..search.similar import find_similar, item_json
from ..workflow.states import Role

bp = Blueprint("search", __name__)

DRAFT_MIN_SCORE = 0.12  # below this a "similar" proposal only shares common words
DRAFT_LIMIT = 5


@bp.app_template_filter("highlight")
def highlight_filter(text, q):
    return highlight(text, q)


@bp.app_template_global("search_snippet")
def search_snippet(proposal, q):
    """Where the query matched in the texts (analysis, suggestions), highlighted; None."""
    if not q or not q.strip():
        return None
    return snippet((proposal.analysis, proposal.suggestions), q.strip())


@bp.get("/search/similar", endpoint="similar")
@login_required
def similar():
    """?title=&text=&exclude=<draft id> → {"items": [...], "html": "..."} for similar.js."""
    if current_user.role != Role.MEMBER:
        abort(403)
    title = request.args.get("title", "").strip()[:200]
    text = request.args.get("text", "").strip()[:20000]
    if len(title) < 4 and len(text) < 10:
        return jsonify({"items": [], "html": ""})
    pairs = find_similar(
        current_user,
        title,
        text,
        exclude_id=int_arg_or_400("exclude", 1, MAX_ID),
        limit=DRAFT_LIMIT,
        min_score=DRAFT_MIN_SCORE,
    )
    labels = committee_settings.result_labels()
    items = [item_json(current_user, p, score, labels) for p, score in pairs]
    html = render_template("search/_similar_items.html", items=items) if items else ""
    return jsonify({"items": items, "html": html, "heading": _("已有相似提案：")})
