"""Read-only queries shared by the API and the pages: the lists a person may see, filtered."""

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import BigInteger, bindparam, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Department, User
from ..committee.calendar import local_date, utcnow
from ..committee.models import Category, CommitteeSession, session_label
from ..errors import ValidationError
from ..extensions import db
from ..handling.models import Assignment, Reply
from ..i18n import _, join
from ..inputs import MAX_ID, MAX_YEAR, MIN_YEAR, int_arg
from .access import visible_assignments_filter, visible_filter
from .models import Cosigner, Proposal, number_label
from .states import AssignmentState as A
from .states import CosignerState, ProposalState, ReplyState

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

    return (
        joined(Assignment.opinion),
        joined(Assignment.contacts),
        joined(Assignment.extension_requests),
        joined(Assignment.follow_ups),
        joined(Assignment.replies).joinedload(Reply.ratings),
    )


def proposal_detail_options():
    """Eager loading for the proposal page and GET /proposals/{id}: a fixed number of
    statements whatever the number of co-signers, units, replies or history rows; nothing is
    left to lazy loading."""
    assignments = selectinload(Proposal.assignments)
    return (
        joinedload(Proposal.cosigners),
        joinedload(Proposal.suggested_departments),
        joinedload(Proposal.supervisor),
        joinedload(Proposal.not_filed_reason),
        joinedload(Proposal.merged_into),
        selectinload(Proposal.merged),
        selectinload(Proposal.history),
        assignments,
        *assignment_children(assignments),
    )


def assignment_list_options():
    """Eager loading for the assignment lists (page and API): the assignment's own parts
    joined to its row, each row's proposal and that proposal's units (for the visibility of
    internal parts) in one statement each: the same statements for 1 row or 100."""
    proposal = selectinload(Assignment.proposal)
    return (proposal, proposal.selectinload(Proposal.assignments), *assignment_children())


def load_one(model, ident, options, *where):
    """The record ``ident`` of ``model`` loaded with ``options``, or None. Always one SELECT
    (and those of its selectin options), unlike session.get(), which returns a copy already in
    the session as it is, without the options; the relationships that copy has not loaded
    yet are filled in, those it has are left as they are. ``where``: conditions the record
    must meet as well (e.g. visible_filter(user): a record out of sight costs one light
    SELECT, none of the options' loading)."""
    return (
        db.session.scalars(select(model).where(model.id == ident, *where).options(*options))
        .unique()
        .one_or_none()
    )


def visibility_options(path=None):
    """What can_view() and can_view_internal() read of a proposal: its co-signers, the
    proposals merged into it and its units; ``path``: the loader option that reaches the
    proposal, or None when the proposals are the statement's rows."""

    def selectin(attr):
        return path.selectinload(attr) if path is not None else selectinload(attr)

    return (selectin(Proposal.cosigners), selectin(Proposal.merged), selectin(Proposal.assignments))


def reply_visibility_options(path=None):
    """What may_see_reply() reads of a reply: its assignment, the proposal and what
    visibility_options() loads of it."""
    assignment = (
        path.joinedload(Reply.assignment) if path is not None else joinedload(Reply.assignment)
    )
    proposal = assignment.joinedload(Assignment.proposal)
    return (proposal, *visibility_options(proposal))


def proposal_parts_options(path):
    """What the visibility rules (can_view, can_view_internal) and the pages of one assignment
    or reply read of the proposal reached by the loader option ``path``: its co-signers, the
    proposals merged into it, its units (with their opinions), its suggested units and its
    supervisor."""
    return (
        path.selectinload(Proposal.cosigners),
        path.selectinload(Proposal.merged),
        path.selectinload(Proposal.assignments).joinedload(Assignment.opinion),
        path.selectinload(Proposal.suggested_departments),
        path.joinedload(Proposal.supervisor),
    )


def assignment_detail_options():
    """Eager loading for one assignment (its page and forms, GET /assignments/{id}, the
    operations on it): its own parts and its proposal with the proposal's parts."""
    proposal = joinedload(Assignment.proposal)
    return (proposal, *proposal_parts_options(proposal), *assignment_children())


def reply_detail_options():
    """Eager loading for one reply (its pages, GET /replies/{id}, the operations on it): its
    ratings, its assignment with the assignment's parts, and the proposal with its parts."""
    assignment = joinedload(Reply.assignment)
    proposal = assignment.joinedload(Assignment.proposal)
    return (
        selectinload(Reply.ratings),
        assignment,
        *assignment_children(assignment),
        proposal,
        *proposal_parts_options(proposal),
    )


def proposal_summaries(ids):
    """What a list of proposals shows (api.serializers.proposal_summary reads it) for ``ids``,
    in that order, as plain columns in one statement: the proposal's short columns, its
    category's code and name, its session's term and meeting, its proposer's user name and
    name (not whole rows with the long texts and the proposer's unit)."""
    rows = db.session.execute(
        select(
            Proposal.id,
            Proposal.version,
            Proposal.state,
            Proposal.number,
            Proposal.receipt_serial,
            Proposal.title,
            Proposal.kind,
            Proposal.session_id,
            Proposal.submitted_at,
            Proposal.is_key,
            Proposal.is_plenary,
            Category.code.label("category_code"),
            Category.name.label("category_name"),
            CommitteeSession.term,
            CommitteeSession.meeting,
            User.username,
            User.name.label("proposer_name"),
        )
        .join(Category, Category.id == Proposal.category_id)
        .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
        .join(User, User.id == Proposal.proposer_id)
        .where(Proposal.id.in_(ids))
    )
    found = {r.id: r for r in rows}
    out = []
    for pid in ids:
        r = found.get(pid)
        if r is not None:
            out.append(
                SimpleNamespace(
                    id=r.id,
                    version=r.version,
                    state=r.state,
                    number=r.number,
                    number_label=number_label(r.number),
                    receipt_serial=r.receipt_serial,
                    title=r.title,
                    kind=r.kind,
                    session_id=r.session_id,
                    session=SimpleNamespace(label=session_label(r.term, r.meeting)),
                    category=SimpleNamespace(code=r.category_code, name=r.category_name),
                    proposer=SimpleNamespace(username=r.username, name=r.proposer_name),
                    submitted_at=r.submitted_at,
                    is_key=r.is_key,
                    is_plenary=r.is_plenary,
                )
            )
    return out


def overdue_condition(today):
    """Assignments past their (extended) reply deadline without a delivered reply."""
    # coalesce, not "extended_to < today OR (extended_to IS NULL AND ...)": that is NULL, not
    # false, for an assignment without an extension, so its negation (overdue=false) lost them
    return (
        Assignment.state.in_([A.PENDING, A.HANDLING, A.REHANDLING])
        & (Assignment.role != "co")
        & (func.coalesce(Assignment.extended_to, Assignment.reply_due) < today)
    )


def proposal_query(user, args, *, today=None, order=None):
    """The proposals ``user`` may see, filtered by ``args`` (a mapping of text values):
    state, year, session, category, department, key, overdue, q, sort. Raises
    ValidationError naming a bad filter. ``order``: one of PAGE_PROPOSAL_SORTS, already
    checked (the pages); None: the ``sort`` of ``args`` (the API). A search without an
    explicit ``sort`` in ``args`` puts the best matches first either way."""
    today = today or local_date(utcnow())
    query = select(Proposal).where(visible_filter(user))
    errors = {}
    if args.get("state"):
        if args["state"] not in {s.value for s in ProposalState}:
            errors["state"] = _("未知的状态")
        query = query.where(Proposal.state == args["state"])
    for name, column, low, high in (
        ("year", CommitteeSession.year, MIN_YEAR, MAX_YEAR),
        ("session", CommitteeSession.id, 1, MAX_ID),
    ):
        number = int_arg(errors, name, low, high, args=args)  # bounded: no database error
        if number is not None:
            query = query.where(
                Proposal.session_id.in_(select(CommitteeSession.id).where(column == number))
            )
    if args.get("category"):
        query = query.where(
            Proposal.category_id.in_(select(Category.id).where(Category.code == args["category"]))
        )
    if args.get("department"):
        query = query.where(
            Proposal.id.in_(
                select(Assignment.proposal_id)
                .join(Department)
                .where(Department.code == args["department"])
            )
        )
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
    if order is None and sort not in PROPOSAL_SORTS:
        errors["sort"] = _("排序方式应为 %(sorts)s", sorts=join(PROPOSAL_SORTS))
        sort = "submitted"
    if errors:
        raise ValidationError(fields=errors)
    if order is None:
        clauses = [PROPOSAL_SORTS[sort], Proposal.id.desc()]
    else:
        clauses = proposal_order(user, order, today)
    if relevance and not args.get("sort"):  # with q and no explicit sort: best match first
        return query.order_by(*relevance, *clauses)
    return query.order_by(*clauses)


def assignment_query(user, args, *, today=None, options=None, order=None):
    """The assignments ``user`` may see: state, overdue, department filters; loaded with
    ``options`` (default: assignment_list_options(), what the API's list shows). ``order``:
    one of ASSIGNMENT_SORTS, already checked (the pages); None: by reply deadline (the
    API)."""
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
        query = query.where(
            Assignment.department_id.in_(
                select(Department.id).where(Department.code == args["department"])
            )
        )
    if errors:
        raise ValidationError(fields=errors)
    clauses = (
        [Assignment.reply_due, Assignment.id] if order is None else assignment_order(order, today)
    )
    return query.order_by(*clauses).options(
        *(assignment_list_options() if options is None else options)
    )


# ---------------------------------------------------------------- "work first" (工作优先)
# The order the lists and the home pages open on (docs/domain.md): what waits for the person
# first, the closed items last. Each is one SQL CASE expression, so the database sorts and
# pages; the list page, its exports and the home pages all take it from here.

OPEN_ASSIGNMENT = (A.PROPOSED, A.PENDING, A.REASSIGNMENT_REQUESTED, A.HANDLING, A.REHANDLING)
NEW_ASSIGNMENT = (A.PROPOSED, A.PENDING)
FINAL_PROPOSAL = (
    ProposalState.CLOSED,
    ProposalState.NOT_FILED,
    ProposalState.MERGED,
    ProposalState.WITHDRAWN,
)
# the assignment groups of the work-first order, in that order (the value of work_group())
WORK_GROUPS = ("rehandling", "overdue", "due_soon", "new", "open", "closed")
ASSIGNMENT_SORTS = ("work", "due", "newest", "number")
PAGE_PROPOSAL_SORTS = ("work", "due", "submitted", "number", "submitted_asc", "title", "state")


def due_soon_days():
    """How many days before its deadline an item is "due soon" (临近期限): the earliest reply
    reminder of the settings (reminder_reply_before_days), 30 days when there is none."""
    from ..committee import settings  # the settings read the notification channels

    return max(settings.get("reminder_reply_before_days") or [30])


def assignment_due():
    """The deadline an assignment waits on: accepting it while new, the co-handling opinion
    for a co-handling unit, else the (extended) reply deadline."""
    return case(
        (Assignment.state.in_(NEW_ASSIGNMENT), Assignment.accept_due),
        (Assignment.role == "co", func.coalesce(Assignment.opinion_due, Assignment.reply_due)),
        else_=func.coalesce(Assignment.extended_to, Assignment.reply_due),
    )


def work_group(today, soon_days=None):
    """The index in WORK_GROUPS of an assignment's group: re-handling, overdue, due within
    ``soon_days`` (default due_soon_days()), new, the other open ones, closed."""
    soon = today + timedelta(days=due_soon_days() if soon_days is None else soon_days)
    return case(
        (Assignment.state == A.REHANDLING, 0),
        (overdue_condition(today), 1),
        ((Assignment.state == A.HANDLING) & (assignment_due() <= soon), 2),
        (Assignment.state.in_(NEW_ASSIGNMENT), 3),
        (Assignment.state.in_(OPEN_ASSIGNMENT), 4),
        else_=5,
    )


def assignment_order(sort, today, soon_days=None):
    """The ORDER BY of an assignment list for ``sort`` (ASSIGNMENT_SORTS): work first; the
    nearest deadline (open ones first); the newest assignment; the proposal number."""
    still_open = case((Assignment.state.in_(OPEN_ASSIGNMENT), 0), else_=1)
    if sort == "due":
        return [still_open, assignment_due(), Assignment.id]
    if sort == "newest":
        return [Assignment.assigned_at.desc(), Assignment.id.desc()]
    if sort == "number":
        number = (
            select(Proposal.number).where(Proposal.id == Assignment.proposal_id).scalar_subquery()
        )
        return [number.asc().nulls_last(), Assignment.id]
    group = work_group(today, soon_days)
    return [
        group,
        case((group == 5, None), else_=assignment_due()),  # open: the nearest deadline first
        func.coalesce(Assignment.closed_at, Assignment.assigned_at).desc(),  # closed: latest
        Assignment.id.desc(),
    ]


def proposal_work_group(user, today):
    """The group of a proposal in the work-first order of ``user``'s list, 0 first. A member:
    a reply to rate or a co-signature to confirm, then drafts, the others open, the finished
    ones. The secretariat: waiting for review, for assignment, with an overdue unit, the
    others open, the finished ones. Everyone else: with an overdue unit, open, finished."""
    final = Proposal.state.in_(FINAL_PROPOSAL)
    overdue = Proposal.id.in_(select(Assignment.proposal_id).where(overdue_condition(today)))
    if user.role == "member":
        to_rate = (Proposal.proposer_id == user.id) & Proposal.id.in_(
            select(Assignment.proposal_id)
            .join(Reply, Reply.assignment_id == Assignment.id)
            .where(Reply.state == ReplyState.DELIVERED)
        )
        to_cosign = (Proposal.state == ProposalState.AWAITING_COSIGNERS) & Proposal.id.in_(
            select(Cosigner.proposal_id).where(
                Cosigner.user_id == user.id, Cosigner.state == CosignerState.INVITED
            )
        )
        return case(
            (to_rate | to_cosign, 0),
            (Proposal.state == ProposalState.DRAFT, 1),
            (final, 3),
            else_=2,
        )
    if user.role == "secretariat":
        return case(
            (Proposal.state.in_((ProposalState.SUBMITTED, ProposalState.PRE_REVIEWED)), 0),
            (Proposal.state == ProposalState.FILED, 1),
            (overdue, 2),
            (final, 4),
            else_=3,
        )
    return case((overdue, 0), (final, 2), else_=1)


def proposal_next_due():
    """The nearest (extended) reply deadline of a proposal's units still to reply."""
    return (
        select(func.min(func.coalesce(Assignment.extended_to, Assignment.reply_due)))
        .where(
            Assignment.proposal_id == Proposal.id,
            Assignment.state.in_((A.PENDING, A.HANDLING, A.REHANDLING)),
            Assignment.role != "co",
        )
        .scalar_subquery()
    )


def proposal_order(user, sort, today=None):
    """The ORDER BY of ``user``'s proposal list for ``sort`` (PAGE_PROPOSAL_SORTS): work
    first; the nearest unit deadline (open ones first); or one of PROPOSAL_SORTS."""
    today = today or local_date(utcnow())
    final = case((Proposal.state.in_(FINAL_PROPOSAL), 1), else_=0)
    if sort == "due":
        return [final, proposal_next_due().asc().nulls_last(), Proposal.id.desc()]
    if sort in PROPOSAL_SORTS:
        return [PROPOSAL_SORTS[sort], Proposal.id.desc()]
    waiting_since = func.coalesce(Proposal.submitted_at, Proposal.created_at)
    return [
        proposal_work_group(user, today),
        proposal_next_due().asc().nulls_last(),
        case((final == 0, waiting_since)).asc(),  # open: the longest waiting first
        func.coalesce(Proposal.closed_at, waiting_since).desc(),  # finished: latest first
        Proposal.id.desc(),
    ]


# the largest page number a list accepts: any larger asks for rows past every list, and its
# offset would not fit the databases' 64-bit integers
MAX_PAGE = 2**31 - 1


def page_of(query, limit, offset):
    """One page of ``query`` (a select of one entity) and the number of all its rows, in two
    narrow statements: the page's ids with the total (page_ids), then those rows with
    everything they load, back in the ids' order. Returns (rows, total)."""
    ids, total = page_ids(query, limit, offset)
    if not ids:
        return [], total
    entity = query.column_descriptions[0]["entity"]
    found = {
        row.id: row
        for row in db.session.scalars(query.order_by(None).where(entity.id.in_(ids))).unique()
    }
    return [found[i] for i in ids if i in found], total


def page_ids(query, limit, offset):
    """The ids of one page of ``query`` (a select of one entity) in its order, and the number
    of all its rows, in one statement: the filters sort bare ids, not the joined rows eager
    loading adds, and the total is an uncorrelated scalar subquery over the ids (computed
    once). A page past the end costs one more count. Returns (ids, total)."""
    entity = query.column_descriptions[0]["entity"]
    counted = select(func.count()).select_from(
        query.with_only_columns(entity.id).order_by(None).subquery()
    )
    # BigInteger: a plain Integer parameter is an int4 on PostgreSQL, and a page far past the
    # end (any page number is allowed) would overflow it
    rows = db.session.execute(
        query.with_only_columns(entity.id, counted.scalar_subquery())
        .limit(bindparam("page_limit", limit, type_=BigInteger))
        .offset(bindparam("page_offset", offset, type_=BigInteger))
    ).all()
    if not rows:
        return [], (db.session.scalar(counted) if offset else 0)
    return [pid for pid, _total in rows], rows[0][1]
