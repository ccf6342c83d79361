"""The lists of every role (提案列表, 交办列表): filters, sorting and pagination.

What each person may see and what each filter means is decided by workflow/queries.py (the same
functions the JSON API lists use); a bad filter value comes back as a ValidationError naming the
filter, shown on the filter form (list_filters.py). The exports are in exports.py."""

from types import SimpleNamespace

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Department, User
from ..committee.calendar import local_date, utcnow
from ..committee.models import Category, CommitteeSession, session_label
from ..errors import ValidationError
from ..extensions import db
from ..handling.models import ROLE_LABELS, Assignment
from ..workflow.models import KIND_LABELS, HistoryEntry, Proposal, number_label
from ..workflow.queries import assignment_query, page_ids, page_of, proposal_query
from ..workflow.states import AssignmentState
from .list_filters import (
    ASSIGNMENT_FILTERS,
    PROPOSAL_FILTERS,
    assignment_filter_form,
    chosen_sort,
    filters,
    page_args,
    proposal_filter_form,
    remembered,
    show_errors,
)

bp = Blueprint("lists", __name__)


def paginate(query, page, per_page, load=None):
    """The page (past the last: the last) and the total (workflow.queries.page_of).
    ``load``: makes the page's rows from its ids (default: the query's own entities)."""

    def one(page):
        if load is None:
            return page_of(query, per_page, (page - 1) * per_page)
        ids, total = page_ids(query, per_page, (page - 1) * per_page)
        return (load(ids) if ids else []), total

    rows, total = one(page)
    pages = max(1, -(-total // per_page))
    if page > pages:
        page = pages
        rows, total = one(page)
    return {"items": rows, "total": total, "page": page, "per_page": per_page, "pages": pages}


def proposal_rows(ids, with_texts=False):
    """The proposal list's rows for ``ids`` (in that order) as plain columns, not ORM objects
    with all their columns and relationships: one statement for the proposals with their
    proposer's, category's and session's names, one for their units, one for the time of
    their latest step (the phone card's 最新进展). The long texts only ``with_texts`` (a
    search's snippets)."""
    columns = [
        Proposal.id,
        Proposal.number,
        Proposal.receipt_serial,
        Proposal.title,
        Proposal.is_key,
        Proposal.kind,
        Proposal.state,
        Proposal.submitted_at,
        User.name.label("proposer_name"),
        Category.name.label("category_name"),
        CommitteeSession.term,
        CommitteeSession.meeting,
    ]
    if with_texts:
        columns += [Proposal.analysis, Proposal.suggestions]
    found = {
        r.id: r
        for r in db.session.execute(
            select(*columns)
            .join(User, User.id == Proposal.proposer_id)
            .join(Category, Category.id == Proposal.category_id)
            .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
            .where(Proposal.id.in_(ids))
        )
    }
    units = {}  # the names of each proposal's units, a reassigned assignment's left out
    for pid, name in db.session.execute(
        select(Assignment.proposal_id, Department.name)
        .join(Department, Department.id == Assignment.department_id)
        .where(Assignment.proposal_id.in_(ids), Assignment.state != AssignmentState.REASSIGNED)
        .order_by(Assignment.id)
    ):
        units.setdefault(pid, []).append(name)
    stepped = dict(
        db.session.execute(
            select(HistoryEntry.proposal_id, func.max(HistoryEntry.created_at))
            .where(HistoryEntry.proposal_id.in_(ids), HistoryEntry.to_state.is_not(None))
            .group_by(HistoryEntry.proposal_id)
        ).all()
    )
    rows = []
    for pid in ids:
        r = found.get(pid)
        if r is not None:
            rows.append(
                SimpleNamespace(
                    **r._asdict(),
                    number_label=number_label(r.number),
                    unit_names=units.get(pid, []),
                    latest_step_at=stepped.get(pid) or r.submitted_at,
                    session_label=session_label(r.term, r.meeting),
                    **({} if with_texts else {"analysis": None, "suggestions": None}),
                )
            )
    return rows


# ---------------------------------------------------------------- proposals


@bp.get("/proposals")
@login_required
def proposals():
    form = proposal_filter_form()
    back = remembered(form, "proposals", "lists.proposals")
    if back is not None:
        return back
    errors = {}
    page, per_page = page_args(errors)
    result = None
    search_q = request.args.get("q", "").strip()
    sort = chosen_sort(form)
    form.sort.data = sort
    try:
        query = proposal_query(current_user, filters(PROPOSAL_FILTERS), order=sort)
    except ValidationError as exc:
        errors.update(exc.fields)
    if not errors:
        result = paginate(
            query, page, per_page, lambda ids: proposal_rows(ids, with_texts=bool(search_q))
        )
    show_errors(form, errors)
    return render_template(
        "lists/proposals.html",
        form=form,
        errors=errors,
        result=result,
        search_q=search_q,
        kind_labels=KIND_LABELS,
        sort=sort,
    ), 400 if errors else 200


# ---------------------------------------------------------------- assignments


@bp.get("/assignments")
@login_required
def assignments():
    form = assignment_filter_form()
    back = remembered(form, "assignments", "lists.assignments")
    if back is not None:
        return back
    errors = {}
    page, per_page = page_args(errors)
    result = None
    form.sort.data = chosen_sort(form)
    try:
        # the page shows each assignment's own columns, its unit (joined) and its proposal's
        # title, number and key mark: not the contacts, opinions, extensions, replies and
        # ratings the API's list loads
        query = assignment_query(
            current_user,
            filters(ASSIGNMENT_FILTERS),
            options=(selectinload(Assignment.proposal),),
            order=form.sort.data,
        )
    except ValidationError as exc:
        errors.update(exc.fields)
    if not errors:
        result = paginate(query, page, per_page)
    show_errors(form, errors)
    return render_template(
        "lists/assignments.html",
        form=form,
        result=result,
        errors=errors,
        today=local_date(utcnow()),
        role_labels_unit=ROLE_LABELS,
    ), 400 if errors else 200
