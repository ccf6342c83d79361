"""The lists as files: CSV and streamed XLSX (proposals, assignments), with the same filters
and visibility as the pages (list_filters.py, workflow/queries.py)."""

import csv
import io
import os
import tempfile
from datetime import datetime

from flask import Blueprint, Response
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Department, User
from ..committee.calendar import LOCAL_TZ, local_date, utcnow
from ..committee.models import Category, CommitteeSession
from ..errors import ValidationError
from ..extensions import db
from ..handling.models import ROLE_LABELS, Assignment
from ..i18n import _, join
from ..workflow.core import STATE_LABELS
from ..workflow.models import KIND_LABELS, Proposal, number_label
from ..workflow.queries import assignment_query, proposal_query
from ..workflow.states import AssignmentState
from .filters import days_left, localtime
from .list_filters import (
    ASSIGNMENT_FILTERS,
    PROPOSAL_FILTERS,
    AssignmentFilterForm,
    ProposalFilterForm,
    chosen_sort,
    filters,
    refuse_bad_filters,
)

bp = Blueprint("exports", __name__)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(header, rows, name):
    out = io.StringIO()
    out.write("\ufeff")  # the BOM: Excel then reads the file as UTF-8 (Chinese text)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


def proposal_header():
    return [
        _("编号"),
        _("提案号"),
        _("收件号"),
        _("案由"),
        _("第一提案人"),
        _("提案形式"),
        _("类别"),
        _("会次"),
        _("状态"),
        _("重点提案"),
        _("提交时间"),
        _("承办单位"),
    ]


def visible_proposals():
    """The proposals the person may see with the list's filters; a bad filter is a 400."""
    errors, query = {}, None
    try:
        query = proposal_query(
            current_user,
            filters(PROPOSAL_FILTERS),
            order=chosen_sort(ProposalFilterForm(formdata=None)),
        )
    except ValidationError as exc:
        errors.update(exc.fields)
    refuse_bad_filters(errors, ProposalFilterForm)
    return query


@bp.get("/proposals.csv")
@login_required
def proposals_csv():
    return csv_response(proposal_header(), export_rows(visible_proposals()), "proposals")


def assignment_header():
    return [
        _("交办编号"),
        _("提案号"),
        _("案由"),
        _("承办单位"),
        _("承办方式"),
        _("状态"),
        _("交办时间"),
        _("签收期限"),
        _("会办意见期限"),
        _("答复期限"),
        _("延期至"),
        _("剩余或逾期"),
    ]


def visible_assignments():
    """The assignments the person may see with the list's filters; a bad filter is a 400."""
    errors, query = {}, None
    try:
        query = assignment_query(
            current_user,
            filters(ASSIGNMENT_FILTERS),
            order=chosen_sort(AssignmentFilterForm(formdata=None)),
        )
    except ValidationError as exc:
        errors.update(exc.fields)
    refuse_bad_filters(errors, AssignmentFilterForm)
    return query


def assignment_rows(query):
    """The rows of an assignment export (CSV or XLSX): one source of the columns."""
    today = local_date(utcnow())
    query = query.options(selectinload(Assignment.proposal))
    for a in db.session.scalars(query).unique():
        live = a.state in (
            AssignmentState.PENDING,
            AssignmentState.HANDLING,
            AssignmentState.REHANDLING,
        )
        due = a.opinion_due if a.role == "co" else a.effective_due
        yield [
            a.id,
            a.proposal.number_label,
            a.proposal.title,
            a.department.name,
            _(ROLE_LABELS[a.role]),
            _(STATE_LABELS.get(a.state, a.state)),
            localtime(a.assigned_at),
            a.accept_due,
            a.opinion_due,
            a.reply_due,
            a.extended_to,
            days_left(due, today) if live and due else "",
        ]


@bp.get("/assignments.csv")
@login_required
def assignments_csv():
    return csv_response(assignment_header(), assignment_rows(visible_assignments()), "assignments")


@bp.get("/assignments.xlsx")
@login_required
def assignments_xlsx():
    """The filtered assignment list as an XLSX file, with the CSV's columns and rows."""
    query = visible_assignments()
    return xlsx_response(_("交办"), assignment_header(), assignment_rows(query), "assignments")


# ---------------------------------------------------------------- XLSX export (streamed)

XLSX_BATCH = 1000


def export_rows(query):
    """The rows of a proposal export (CSV or XLSX), read in batches of XLSX_BATCH (a
    server-side cursor on PostgreSQL) as plain columns (no ORM objects kept in the session),
    with each batch's units fetched in one more query: memory stays constant whatever the
    number of rows."""
    sessions = {s.id: s.label for s in db.session.scalars(select(CommitteeSession))}
    categories = {c.id: _(c.name) for c in db.session.scalars(select(Category))}
    columns = query.with_only_columns(
        Proposal.id,
        Proposal.number,
        Proposal.receipt_serial,
        Proposal.title,
        User.name.label("proposer_name"),
        Proposal.kind,
        Proposal.category_id,
        Proposal.session_id,
        Proposal.state,
        Proposal.is_key,
        Proposal.submitted_at,
    ).join(User, User.id == Proposal.proposer_id)
    result = db.session.execute(columns.execution_options(yield_per=XLSX_BATCH))
    for batch in result.partitions():
        units = {}
        for pid, name, role in db.session.execute(
            select(Assignment.proposal_id, Department.name, Assignment.role)
            .join(Department, Department.id == Assignment.department_id)
            .where(
                Assignment.proposal_id.in_([r.id for r in batch]),
                Assignment.state != AssignmentState.REASSIGNED,
            )
            .order_by(Assignment.proposal_id, Assignment.id)
        ):
            units.setdefault(pid, []).append(
                _("%(unit)s（%(role)s）", unit=name, role=_(ROLE_LABELS[role]))
            )
        for r in batch:
            yield [
                r.id,
                number_label(r.number),
                r.receipt_serial,
                cell(r.title),
                cell(r.proposer_name),
                _(KIND_LABELS.get(r.kind, r.kind)),
                categories.get(r.category_id),
                sessions.get(r.session_id),
                _(STATE_LABELS.get(r.state, r.state)),
                _("是") if r.is_key else _("否"),
                localtime(r.submitted_at),
                join(units.get(r.id, [])),
            ]


def _stream_file(path, chunk=64 * 1024):
    try:
        with open(path, "rb") as f:
            while True:
                data = f.read(chunk)
                if not data:
                    break
                yield data
    finally:
        os.unlink(path)


@bp.get("/proposals.xlsx")
@login_required
def proposals_xlsx():
    """The filtered proposal list as an XLSX file in constant memory (see xlsx_response)."""
    query = visible_proposals()
    return xlsx_response(_("提案"), proposal_header(), export_rows(query), "proposals")


def xlsx_response(title, header, rows, name):
    """A list as an XLSX file in constant memory: openpyxl's write-only workbook spools its
    rows to disk, the rows come from a generator, and the finished file is streamed back in
    chunks and deleted. Text cells are neutralised as in the CSV (a leading "=" would
    otherwise be stored as a formula)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([cell(h) for h in header])
    count = 0
    for row in rows:
        sheet.append([cell(v) if isinstance(v, str) else v for v in row])
        count += 1
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix=f"{name}-export-")
    os.close(handle)
    try:
        book.save(path)
    except BaseException:
        os.unlink(path)
        raise
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return Response(
        _stream_file(path),
        direct_passthrough=True,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"',
            "Content-Length": str(os.path.getsize(path)),
            "X-Rows": str(count),
        },
    )
