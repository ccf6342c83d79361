"""Read-only queries shared by the API and the pages: the lists a person may see, filtered."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Department
from ..committee.calendar import local_date, utcnow
from ..committee.models import Category, CommitteeSession
from ..errors import ValidationError
from ..handling.models import Assignment, Reply
from ..i18n import _, join
from .access import visible_assignments_filter, visible_filter
from .models import Proposal
from .states import AssignmentState as A, ProposalState

TRUE_WORDS, BOOL_WORDS = ("true", "1"), ("true", "false", "1", "0")

PROPOSAL_SORTS = {
    "submitted": Proposal.submitted_at.desc().nulls_first(),
    "submitted_asc": Proposal.submitted_at.asc().nulls_last(),
    "number": Proposal.number.asc().nulls_last(),
    "title": Proposal.title.asc(),
    "state": Proposal.state.asc(),
}


def assignment_children(path=None):
    """Everything a page or an answer shows of an assignment, joined to the statement that
    loads the assignments (each collection holds a handful of rows). ``path``: the loader
    option that reaches the assignments, or None when they are the statement's rows."""
    def joined(attr):
        return path.joinedload(attr) if path is not None else joinedload(attr)
    return (joined(Assignment.opinion), joined(Assignment.contacts),
            joined(Assignment.extension_requests), joined(Assignment.follow_ups),
            joined(Assignment.replies).joinedload(Reply.ratings))


def proposal_detail_options():
    """Eager loading for the proposal page and GET /proposals/{id}: a fixed number of
    statements whatever the number of co-signers, units, replies or history rows; nothing is
    left to lazy loading (issue 7)."""
    assignments = selectinload(Proposal.assignments)
    return (joinedload(Proposal.cosigners), joinedload(Proposal.suggested_departments),
            joinedload(Proposal.supervisor), joinedload(Proposal.not_filed_reason),
            selectinload(Proposal.merged), selectinload(Proposal.history),
            assignments, *assignment_children(assignments))


def assignment_list_options():
    """Eager loading for the assignment lists (page and API): the assignment's own parts
    joined to its row, each row's proposal and that proposal's units (for the visibility of
    internal parts) in one statement each: the same statements for 1 row or 100."""
    proposal = selectinload(Assignment.proposal)
    return (proposal, proposal.selectinload(Proposal.assignments), *assignment_children())


def overdue_condition(today):
    """Assignments past their (extended) reply deadline without a delivered reply."""
    # coalesce, not "extended_to < today OR (extended_to IS NULL AND ...)": that is NULL, not
    # false, for an assignment without an extension, so its negation (overdue=false) lost them
    return (Assignment.state.in_([A.PENDING, A.HANDLING, A.REHANDLING])
            & (Assignment.role != "co")
            & (func.coalesce(Assignment.extended_to, Assignment.reply_due) < today))


def proposal_query(user, args, *, today=None):
    """The proposals ``user`` may see, filtered by ``args`` (a mapping of text values):
    state, year, session, category, department, key, overdue, q, sort. Raises
    ValidationError naming a bad filter."""
    today = today or local_date(utcnow())
    query = select(Proposal).where(visible_filter(user))
    errors = {}
    if args.get("state"):
        if args["state"] not in {s.value for s in ProposalState}:
            errors["state"] = _("未知的状态")
        query = query.where(Proposal.state == args["state"])
    for name, column in (("year", CommitteeSession.year), ("session", CommitteeSession.id)):
        if args.get(name):
            try:
                number = int(args[name])
                if not -2**31 < number < 2**31:  # no row holds it: no database error either
                    raise ValueError(number)
                query = query.where(Proposal.session_id.in_(
                    select(CommitteeSession.id).where(column == number)))
            except ValueError:
                errors[name] = _("应为整数")
    if args.get("category"):
        query = query.where(Proposal.category_id.in_(
            select(Category.id).where(Category.code == args["category"])))
    if args.get("department"):
        query = query.where(Proposal.id.in_(
            select(Assignment.proposal_id).join(Department).where(
                Department.code == args["department"])))
    if args.get("key"):
        if args["key"] not in BOOL_WORDS:
            errors["key"] = _("应为 true 或 false")
        query = query.where(Proposal.is_key.is_(args["key"] in TRUE_WORDS))
    if args.get("overdue"):
        if args["overdue"] not in BOOL_WORDS:
            errors["overdue"] = _("应为 true 或 false")
        late = Proposal.id.in_(select(Assignment.proposal_id).where(overdue_condition(today)))
        query = query.where(late if args["overdue"] in TRUE_WORDS else ~late)
    relevance = []
    if args.get("q") and args["q"].strip():
        from ..search import apply_search  # the search only narrows and orders this list
        query, relevance = apply_search(query, args["q"].strip()[:100])
    sort = args.get("sort") or "submitted"
    if sort not in PROPOSAL_SORTS:
        errors["sort"] = _("排序方式应为 %(sorts)s", sorts=join(PROPOSAL_SORTS))
        sort = "submitted"
    if errors:
        raise ValidationError(fields=errors)
    if relevance and not args.get("sort"):  # with q and no explicit sort: best match first
        return query.order_by(*relevance, PROPOSAL_SORTS[sort], Proposal.id.desc())
    return query.order_by(PROPOSAL_SORTS[sort], Proposal.id.desc())


def assignment_query(user, args, *, today=None):
    """The assignments ``user`` may see: state, overdue, department filters."""
    today = today or local_date(utcnow())
    query = select(Assignment).where(visible_assignments_filter(user))
    errors = {}
    if args.get("state"):
        if args["state"] not in {s.value for s in A}:
            errors["state"] = _("未知的状态")
        query = query.where(Assignment.state == args["state"])
    if args.get("overdue"):
        if args["overdue"] not in BOOL_WORDS:
            errors["overdue"] = _("应为 true 或 false")
        late = overdue_condition(today)
        query = query.where(late if args["overdue"] in TRUE_WORDS else ~late)
    if args.get("department"):
        query = query.where(Assignment.department_id.in_(
            select(Department.id).where(Department.code == args["department"])))
    if errors:
        raise ValidationError(fields=errors)
    return query.order_by(Assignment.reply_due, Assignment.id).options(
        *assignment_list_options())



def page_of(query, limit, offset):
    """One page of ``query`` (a select of one entity) and the number of all its rows, in two
    narrow statements (issue 7): the page's ids, sorted and cut with the filters but without
    the columns and joins that eager loading adds (a large visible set is sorted as bare ids,
    not as joined rows), with the total as an uncorrelated scalar subquery of the same
    statement (computed once, over the ids only); then those rows with everything they load,
    back in the ids' order. Returns (rows, total). A page past the end costs one more count."""
    from ..extensions import db
    ids, total = page_ids(query, limit, offset)
    if not ids:
        return [], total
    entity = query.column_descriptions[0]["entity"]
    found = {row.id: row for row in db.session.scalars(
        query.order_by(None).where(entity.id.in_(ids))).unique()}
    return [found[i] for i in ids if i in found], total


def page_ids(query, limit, offset):
    """The first statement of page_of(): the ids of one page of ``query`` in its order and the
    number of all its rows. Returns (ids, total)."""
    from ..extensions import db
    entity = query.column_descriptions[0]["entity"]
    ids_only = query.with_only_columns(entity.id)
    counted = select(func.count()).select_from(ids_only.order_by(None).subquery())
    pairs = db.session.execute(query.with_only_columns(entity.id, counted.scalar_subquery())
                               .limit(limit).offset(offset)).all()
    if not pairs:
        return [], (db.session.scalar(counted) if offset else 0)
    return [pid for pid, _total in pairs], pairs[0][1]
