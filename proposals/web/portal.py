"""The public disclosure portal (办理结果公开, docs/domain.md): no login. Filed proposals and
their delivered replies, once the publication delay has passed (proposals/disclosure/rules.py),
with contact details removed from every text. Nothing else of a proposal is shown: no contact
record, no unit staff, no signing leader, no rating, no e-mail or phone.

Proposers' names are shown: a CPPCC committee publishes its members' proposals under their
names (and organisations' under the organisation's name); their contact details never.

Also here, for the secretariat: marking a proposal not for disclosure (不公开) with a reason.
"""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from ..committee import settings as committee_settings
from ..committee.calendar import local_date, utcnow
from ..disclosure import queries
from ..disclosure.operations import set_disclosure
from ..disclosure.redact import redact
from ..disclosure.rules import current_cutoff
from ..errors import NotFound, ValidationError
from ..handling.models import ROLE_LABELS
from ..inputs import int_arg
from ..workflow.queries import MAX_PAGE
from ..workflow.states import Role
from .actions import perform

bp = Blueprint("portal", __name__)

PER_PAGE = 20
PUBLIC_FILTERS = ("q", "year", "category", "unit")
CACHE_SECONDS = 300


def _cutoff(conf):
    return current_cutoff(local_date(utcnow()), conf)


@bp.after_request
def _cache(response):
    """Public pages may be kept by browsers and proxies for a few minutes; the error pages and
    the secretariat's form are not."""
    if request.endpoint in ("portal.index", "portal.show") and response.status_code == 200:
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_SECONDS
    elif request.endpoint in ("portal.index", "portal.show"):
        response.cache_control.no_store = True
    return response


@bp.get("/public")
def index():
    args = {
        name: request.args[name].strip()
        for name in PUBLIC_FILTERS
        if request.args.get(name, "").strip()
    }
    conf = committee_settings.all_settings()  # the cut-off and the result codes' wording
    last_day = _cutoff(conf)
    errors = {}
    page = int_arg(errors, "page", 1, MAX_PAGE, default=1)
    try:
        result = queries.published_page(last_day, args, page, PER_PAGE)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        result = None
    years, categories, units = queries.filter_choices(last_day)
    return render_template(
        "portal/index.html",
        result=result,
        errors=errors,
        args=args,
        years=years,
        categories=categories,
        units=units,
        proposers=queries.public_proposers,
        public_units=queries.public_units,
        redact=redact,  # the titles
        role_labels=ROLE_LABELS,
        result_labels=committee_settings.result_labels(conf),
    ), 400 if errors else 200


@bp.get("/public/proposals/<int:proposal_id>")
def show(proposal_id):
    conf = committee_settings.all_settings()  # the cut-off and the result codes' wording
    last_day = _cutoff(conf)
    try:
        proposal = queries.published(proposal_id, last_day)
    except NotFound:
        abort(404)
    replies = [(a, r, redact(r.text)) for a, r in queries.published_replies(proposal, last_day)]
    return render_template(
        "portal/show.html",
        p=proposal,
        title=redact(proposal.title),
        proposers=queries.public_proposers(proposal),
        units=queries.public_units(proposal),
        replies=replies,
        analysis=redact(proposal.analysis),
        suggestions=redact(proposal.suggestions),
        role_labels=ROLE_LABELS,
        result_labels=committee_settings.result_labels(conf),
    )


# ---------------------------------------------------------------- the secretariat: 不公开


class DisclosureForm(FlaskForm):
    reason = TextAreaField(
        _l("不公开理由"),
        render_kw={"rows": 3, "maxlength": 500},
        description=_l("例如：涉及个人隐私、尚在决策过程中。公开门户不显示此提案。"),
    )
    withhold = SubmitField(_l("设为不公开"))
    allow = SubmitField(_l("恢复公开"))


@bp.route("/proposals/<int:proposal_id>/disclosure", methods=["GET", "POST"])
@login_required
def disclosure(proposal_id):
    from .proposal import load_visible

    if current_user.role != Role.SECRETARIAT:
        abort(403)
    proposal = load_visible(proposal_id)
    form = DisclosureForm()
    if request.method == "POST":
        disclose = bool(form.allow.data)
        done = perform(
            set_disclosure,
            current_user,
            proposal,
            disclose,
            form.reason.data,
            form=form,
            success=_("已恢复公开。") if disclose else _("已设为不公开。"),
        )
        if done:
            return redirect(url_for("proposal.show", proposal_id=proposal.id))
        return render_template("portal/disclosure.html", p=proposal, form=form), 400
    return render_template("portal/disclosure.html", p=proposal, form=form)
