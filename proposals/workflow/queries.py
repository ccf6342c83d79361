"""Read-only queries shared by the API and the pages: the lists a person may see, filtered."""
from sqlalchemy import func, or_, select

from ..accounts.models import Department
from ..committee.calendar import local_date, utcnow
from ..committee.models import Category, CommitteeSession
from ..errors import ValidationError
from ..handling.models import Assignment
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
                query = query.where(Proposal.session_id.in_(
                    select(CommitteeSession.id).where(column == int(args[name]))))
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
    if args.get("q"):
        like = "%" + args["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Proposal.title.like(like, escape="\\"),
                                Proposal.analysis.like(like, escape="\\"),
                                Proposal.suggestions.like(like, escape="\\")))
    sort = args.get("sort") or "submitted"
    if sort not in PROPOSAL_SORTS:
        errors["sort"] = _("排序方式应为 %(sorts)s", sorts=join(PROPOSAL_SORTS))
        sort = "submitted"
    if errors:
        raise ValidationError(fields=errors)
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
    return query.order_by(Assignment.reply_due, Assignment.id)
