"""Read-only queries of the public portal: the published proposals, filtered and searched, and
one published proposal with its published replies. Everything here is public: no contact
record, no unit staff, no e-mail or phone is ever loaded for display."""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Department
from ..committee.models import Category, CommitteeSession
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..handling.models import Assignment, Reply
from ..i18n import _
from ..inputs import MAX_YEAR, MIN_YEAR, int_arg
from ..workflow.models import Proposal
from ..workflow.states import AssignmentState as A
from ..workflow.states import CosignerState
from .redact import redact
from .rules import is_reply_published, published_proposal, published_reply

MAX_QUERY = 100


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    pages: int
    replies: dict = field(default_factory=dict)  # proposal id -> its published replies


def _like(text):
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(last_day, args):
    """Ids of the published proposals matching the year, category and unit filters."""
    query = select(Proposal.id).where(published_proposal(last_day))
    errors = {}
    year = int_arg(errors, "year", MIN_YEAR, MAX_YEAR, args=args)
    if year is not None:
        query = query.where(
            Proposal.session_id.in_(
                select(CommitteeSession.id).where(CommitteeSession.year == year)
            )
        )
    if args.get("category"):
        query = query.where(
            Proposal.category_id.in_(select(Category.id).where(Category.code == args["category"]))
        )
    if args.get("unit"):
        query = query.where(
            Proposal.id.in_(
                select(Assignment.proposal_id)
                .join(Department)
                .where(Department.code == args["unit"], Assignment.state != A.REASSIGNED)
            )
        )
    if len(args.get("q") or "") > MAX_QUERY:
        errors["q"] = _("关键词不能超过 %(n)d 个字", n=MAX_QUERY)
    if errors:
        raise ValidationError(fields=errors)
    return query


def _order(query):
    return query.join(CommitteeSession, CommitteeSession.id == Proposal.session_id).order_by(
        CommitteeSession.year.desc(),
        CommitteeSession.id.desc(),
        Proposal.number.asc(),
        Proposal.id.asc(),
    )


def _search(ids_query, last_day, q):
    """The ids among ``ids_query`` whose title, text or published reply contains every word of
    ``q`` (words split by spaces) once contact details are removed: a search must not reveal
    what the page hides (typing a phone number would otherwise find the proposal that contains
    it). A plain LIKE per word narrows the candidates in SQL; the redacted texts decide."""
    words = list(dict.fromkeys(w for w in q.split() if w))[:6] or [q]
    candidates = ids_query
    for word in words:
        like = _like(word)
        reply_match = (
            select(Assignment.proposal_id)
            .join(Reply, Reply.assignment_id == Assignment.id)
            .where(
                Assignment.state != A.REASSIGNED,
                published_reply(last_day),
                Reply.text.like(like, escape="\\"),
            )
        )
        candidates = candidates.where(
            or_(
                Proposal.title.like(like, escape="\\"),
                Proposal.analysis.like(like, escape="\\"),
                Proposal.suggestions.like(like, escape="\\"),
                Proposal.id.in_(reply_match),
            )
        )
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.analysis, Proposal.suggestions).where(
            Proposal.id.in_(candidates)
        )
    ).all()
    texts = {pid: [title, analysis, suggestions] for pid, title, analysis, suggestions in rows}
    if not texts:
        return set()
    for pid, text in db.session.execute(
        select(Assignment.proposal_id, Reply.text)
        .join(Reply, Reply.assignment_id == Assignment.id)
        .where(
            Assignment.proposal_id.in_(list(texts)),
            Assignment.state != A.REASSIGNED,
            published_reply(last_day),
        )
    ):
        texts[pid].append(text)

    def readable_match(parts):
        public = "\n".join(redact(t or "") for t in parts)
        return all(word in public for word in words)

    return {pid for pid, parts in texts.items() if readable_match(parts)}


def published_page(last_day, args, page=1, per_page=20):
    """One page of the published proposals (newest session first, then by number) with their
    published replies. ``args``: year, category (code), unit (code), q. Raises ValidationError
    naming a bad filter. A fixed number of queries whatever the page size."""
    ids_query = _filtered(last_day, args)
    q = (args.get("q") or "").strip()
    if q:
        matching = _search(ids_query, last_day, q)
        ids_query = ids_query.where(Proposal.id.in_(sorted(matching))) if matching else None
    if ids_query is None:
        total = 0
    else:
        total = db.session.scalar(select(func.count()).select_from(ids_query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = []
    if total:
        ids = db.session.scalars(
            _order(ids_query).limit(per_page).offset((page - 1) * per_page)
        ).all()
        loaded = {
            p.id: p
            for p in db.session.scalars(
                select(Proposal).where(Proposal.id.in_(ids)).options(*_public_loads())
            )
        }
        items = [loaded[i] for i in ids]
    return Page(
        items, total, page, per_page, pages, {p.id: published_replies(p, last_day) for p in items}
    )


def _public_loads():
    """What a public page shows of a proposal: its co-signers' names and its units."""
    return (
        selectinload(Proposal.cosigners),
        selectinload(Proposal.assignments).joinedload(Assignment.replies),
    )


def published(proposal_id, last_day):
    """A published proposal, or NotFound (unknown, not filed, withdrawn, merged, not for
    disclosure, or no reply published yet: the public cannot tell these apart)."""
    proposal = db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, published_proposal(last_day))
        .options(*_public_loads())
    )
    if proposal is None:
        raise NotFound(_("没有这件公开的提案"))
    return proposal


def published_replies(proposal, last_day):
    """(assignment, reply) pairs of the proposal's published replies, in order."""
    return [
        (a, r)
        for a in proposal.assignments
        if a.state != A.REASSIGNED
        for r in a.replies
        if is_reply_published(r, last_day)
    ]


def public_proposers(proposal):
    """The proposers' names as published: the first proposer (a member or an organisation)
    and the co-signers who confirmed. Names only."""
    names = [proposal.proposer.name]
    names += [c.user.name for c in proposal.cosigners if c.state == CosignerState.ACCEPTED]
    return names


def public_units(proposal):
    """(unit name, role) of the units handling it (a reassigned part is not shown)."""
    return [(a.department.name, a.role) for a in proposal.assignments if a.state != A.REASSIGNED]


def filter_choices(last_day):
    """Years, categories and units that occur among the published proposals (three queries)."""
    public = select(Proposal.id).where(published_proposal(last_day))
    years = db.session.scalars(
        select(CommitteeSession.year)
        .distinct()
        .join(Proposal, Proposal.session_id == CommitteeSession.id)
        .where(Proposal.id.in_(public))
        .order_by(CommitteeSession.year.desc())
    ).all()
    categories = db.session.execute(
        select(Category.code, Category.name)
        .where(Category.id.in_(select(Proposal.category_id).where(Proposal.id.in_(public))))
        .order_by(Category.id)
    ).all()
    units = db.session.execute(
        select(Department.code, Department.name)
        .where(
            Department.id.in_(
                select(Assignment.department_id).where(
                    Assignment.proposal_id.in_(public), Assignment.state != A.REASSIGNED
                )
            )
        )
        .order_by(Department.name)
    ).all()
    return years, categories, units
