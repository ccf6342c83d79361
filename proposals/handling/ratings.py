"""Ratings (满意度测评) beside the online rating of operations.rate_reply: who may still rate a
reply, and the paper opinion form (征询意见表) that the secretariat enters on a proposer's
behalf. Same contract as the other operations: check, change, log, flush, never commit.

Kept out of operations.py, which it builds on: the paper rating is rate_reply itself, run for
the proposer named, so that it has exactly the checks and effects of an online rating."""

from sqlalchemy import select

from ..accounts.models import User
from ..committee import settings as committee_settings
from ..errors import InvalidState, NotPermitted, ValidationError
from ..extensions import db
from ..i18n import N_, _
from ..workflow.core import STATE_LABELS, loaded, raise_if, text_field
from ..workflow.states import CosignerState, Role
from ..workflow.states import ReplyState as R
from .operations import may_rate, rate_reply, rating_refusal

# The reply states in which a rating is taken: the first proposer's only while delivered (it
# moves the reply on), the others' (merged proposers, co-signers) also once it is rated.
OPEN_STATES = {True: (R.DELIVERED,), False: (R.DELIVERED, R.RATED)}


def raters_left(reply, *, rating_by=None):
    """[(user, standing)] of the people who may still rate ``reply`` (may_rate's standings),
    the first proposer first: each once, while the reply is in a state their standing allows,
    unless they have rated it. ``rating_by``: as for may_rate."""
    proposal = loaded(loaded(reply, "assignment").assignment, "proposal").proposal
    candidates = [proposal.proposer]
    candidates += [m.proposer for m in loaded(proposal, "merged").merged]
    candidates += [
        c.user for c in loaded(proposal, "cosigners").cosigners if c.state == CosignerState.ACCEPTED
    ]
    rated = {r.rater_id for r in loaded(reply, "ratings").ratings}
    out, seen = [], set()
    for user in candidates:
        if user.id in seen or user.id in rated:
            continue
        seen.add(user.id)
        standing = may_rate(user, reply, rating_by=rating_by)
        if standing is not None and reply.state in OPEN_STATES[standing == "primary"]:
            out.append((user, standing))
    return out


def paper_rating(actor, reply, data, *, now=None):
    """纸质测评: the secretariat enters the rating a proposer returned on the paper opinion form.
    ``data``: ``rater`` (a username; the first proposer when left out), ``rating``, ``comment``.
    The rating is that proposer's (rater), marked source 'paper' with ``actor`` as the one who
    entered it; refused, changing nothing, when the reply awaits no rating, the person may not
    rate it or has rated it already."""
    if actor is None or actor.role != Role.SECRETARIAT:
        raise NotPermitted(_("只有提案委员会办公室可以录入纸质测评"))
    if reply.state not in (R.DELIVERED, R.RATED):
        label = _(STATE_LABELS.get(reply.state, reply.state))
        raise InvalidState(
            _("此答复当前状态（%(state)s）下不能录入测评（答复 %(id)d）", state=label, id=reply.id)
        )
    errors = {}
    username = text_field(errors, data, "rater", N_("测评人"), required=False, max_len=64)
    raise_if(errors)
    proposal = loaded(loaded(reply, "assignment").assignment, "proposal").proposal
    if username is None:
        rater = proposal.proposer
    else:
        rater = db.session.scalar(select(User).where(User.username == username))
        if rater is None:
            raise ValidationError(
                fields={"rater": _("没有用户名为 %(name)s 的用户", name=username)}
            )
    rating_by = committee_settings.get("rating_by")
    if may_rate(rater, reply, rating_by=rating_by) is None:
        raise ValidationError(
            fields={
                "rater": _(
                    "%(name)s（%(username)s）不能测评此答复：%(why)s",
                    name=rater.name,
                    username=rater.username,
                    why=rating_refusal(rating_by),
                )
            }
        )
    if any(r.rater_id == rater.id for r in loaded(reply, "ratings").ratings):
        raise InvalidState(
            _(
                "%(name)s（%(username)s）已测评过此答复（答复 %(id)d）",
                name=rater.name,
                username=rater.username,
                id=reply.id,
            )
        )
    return rate_reply(rater, reply, data, now=now, entered_by=actor)


def enterers(ratings, cache=None):
    """{user id: (username, name)} of the secretariat users who entered the paper ratings among
    ``ratings``: one statement for those not yet in ``cache`` (a dict kept by the caller for a
    page or an answer, so that many replies cost one statement), none without paper ratings."""
    cache = {} if cache is None else cache
    missing = {r.entered_by_id for r in ratings if r.entered_by_id} - cache.keys()
    if missing:
        rows = db.session.execute(
            select(User.id, User.username, User.name).where(User.id.in_(missing))
        )
        for row in rows:
            cache[row.id] = (row.username, row.name)
    return cache
