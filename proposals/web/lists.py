"""Lists for every role (提案列表, 交办列表): filters, sorting, pagination and CSV export.

What each person may see and what each filter means is decided by workflow/queries.py (the same
functions the JSON API lists use); a bad filter value comes back as a ValidationError naming the
filter, shown on the filter form."""
import csv
import io
import os
import tempfile
from datetime import datetime
from types import SimpleNamespace

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField, SubmitField

from ..accounts.models import Department, User
from ..committee.calendar import LOCAL_TZ, local_date, utcnow
from ..committee.models import Category, CommitteeSession, session_label
from ..errors import ValidationError
from ..extensions import db
from ..handling.models import Assignment
from ..i18n import N_, _, join, lazy_gettext as _l
from ..workflow.core import STATE_LABELS
from ..workflow.models import Proposal, number_label
from ..workflow.queries import assignment_query, page_ids, page_of, proposal_query
from ..workflow.states import AssignmentState, ProposalState
from .filters import days_left

bp = Blueprint("lists", __name__)

PER_PAGE, MAX_PER_PAGE = 20, 100
PROPOSAL_FILTERS = ("state", "session", "year", "category", "department", "overdue", "key",
                    "q", "sort")
ASSIGNMENT_FILTERS = ("state", "overdue", "department")
KIND_LABELS = {"individual": N_("个人提案"), "joint": N_("联名提案"), "collective": N_("集体提案")}
ROLE_LABELS = {"lead": N_("主办"), "co": N_("会办"), "split": N_("分办")}
YES_NO = [("", _l("全部")), ("true", _l("是")), ("false", _l("否"))]


# ---------------------------------------------------------------- filter forms (GET)

class ProposalFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("关键词"), render_kw={"type": "search", "maxlength": 100})
    state = SelectField(_l("状态"), validate_choice=False)
    session = SelectField(_l("会次"), validate_choice=False)
    year = SelectField(_l("年度"), validate_choice=False)
    category = SelectField(_l("类别"), validate_choice=False)
    department = SelectField(_l("承办单位"), validate_choice=False)
    overdue = SelectField(_l("逾期"), validate_choice=False, choices=YES_NO)
    key = SelectField(_l("重点提案"), validate_choice=False, choices=YES_NO)
    sort = SelectField(_l("排序"), validate_choice=False, choices=[
        ("submitted", _l("提交时间（新到旧）")), ("submitted_asc", _l("提交时间（旧到新）")),
        ("number", _l("提案号")), ("title", _l("案由")), ("state", _l("状态"))])
    per_page = SelectField(_l("每页"), validate_choice=False,
                           choices=[("20", "20"), ("50", "50"), ("100", "100")])
    submit = SubmitField(_l("筛选"))


class AssignmentFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("状态"), validate_choice=False)
    overdue = SelectField(_l("逾期"), validate_choice=False, choices=YES_NO)
    department = SelectField(_l("承办单位"), validate_choice=False)
    per_page = SelectField(_l("每页"), validate_choice=False,
                           choices=[("20", "20"), ("50", "50"), ("100", "100")])
    submit = SubmitField(_l("筛选"))


def state_choices(states):
    return [("", _("全部"))] + [(s.value, _(STATE_LABELS.get(s.value, s.value))) for s in states]


def department_choices():
    units = db.session.execute(select(Department.code, Department.name).order_by(
        Department.active.desc(), Department.name))
    return [("", _("全部"))] + [(code, name) for code, name in units]


def proposal_filter_form():
    """The proposal list's filter form on the query string, with its choices from the
    reference data (units, sessions and their years, categories)."""
    form = ProposalFilterForm(formdata=request.args)
    sessions = db.session.execute(select(
        CommitteeSession.id, CommitteeSession.term, CommitteeSession.meeting,
        CommitteeSession.year).order_by(CommitteeSession.year.desc(),
                                        CommitteeSession.term.desc(),
                                        CommitteeSession.meeting.desc())).all()
    form.state.choices = state_choices(ProposalState)
    form.session.choices = [("", _("全部"))] + [(str(s.id), session_label(s.term, s.meeting))
                                                for s in sessions]
    form.year.choices = [("", _("全部"))] + [
        (str(y), str(y)) for y in sorted({s.year for s in sessions}, reverse=True)]
    form.category.choices = [("", _("全部"))] + [
        (code, _(name)) for code, name in db.session.execute(
            select(Category.code, Category.name).order_by(Category.id))]
    form.department.choices = department_choices()
    return form


def assignment_filter_form():
    form = AssignmentFilterForm(formdata=request.args)
    form.state.choices = state_choices(AssignmentState)
    form.department.choices = department_choices()
    return form


# ---------------------------------------------------------------- reading the query string

def filters(names):
    """The non-empty filters of the query string (text values, as the API receives them)."""
    return {name: request.args[name].strip() for name in names
            if request.args.get(name, "").strip()}


def page_args(errors):
    """page and per_page (at most 100); a bad value is a message, not a 500."""
    def number(name, default):
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            errors[name] = _("应为正整数")
            return default
        if value < 1:
            errors[name] = _("应为正整数")
            return default
        return value
    page = number("page", 1)
    per_page = min(number("per_page", PER_PAGE), MAX_PER_PAGE)
    return page, per_page


def show_errors(form, fields):
    """Put each message (already in the page's language) on its filter's field."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]


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
    proposer's, category's and session's names, one for their units. The long texts only
    ``with_texts`` (a search's snippets)."""
    columns = [Proposal.id, Proposal.number, Proposal.receipt_serial, Proposal.title,
               Proposal.is_key, Proposal.kind, Proposal.state, Proposal.submitted_at,
               User.name.label("proposer_name"), Category.name.label("category_name"),
               CommitteeSession.term, CommitteeSession.meeting]
    if with_texts:
        columns += [Proposal.analysis, Proposal.suggestions]
    found = {r.id: r for r in db.session.execute(
        select(*columns).join(User, User.id == Proposal.proposer_id)
        .join(Category, Category.id == Proposal.category_id)
        .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
        .where(Proposal.id.in_(ids)))}
    units = {}  # the names of each proposal's units, a reassigned assignment's left out
    for pid, name in db.session.execute(
            select(Assignment.proposal_id, Department.name)
            .join(Department, Department.id == Assignment.department_id)
            .where(Assignment.proposal_id.in_(ids),
                   Assignment.state != AssignmentState.REASSIGNED)
            .order_by(Assignment.id)):
        units.setdefault(pid, []).append(name)
    rows = []
    for pid in ids:
        r = found.get(pid)
        if r is not None:
            rows.append(SimpleNamespace(
                **r._asdict(), number_label=number_label(r.number), unit_names=units.get(pid, []),
                session_label=session_label(r.term, r.meeting),
                **({} if with_texts else {"analysis": None, "suggestions": None})))
    return rows


# ---------------------------------------------------------------- proposals

@bp.get("/proposals")
@login_required
def proposals():
    form = proposal_filter_form()
    errors = {}
    page, per_page = page_args(errors)
    result = None
    search_q = request.args.get("q", "").strip()
    try:
        query = proposal_query(current_user, filters(PROPOSAL_FILTERS))
    except ValidationError as exc:
        errors.update(exc.fields)
    if not errors:
        result = paginate(query, page, per_page,
                          lambda ids: proposal_rows(ids, with_texts=bool(search_q)))
    show_errors(form, errors)
    return render_template("lists/proposals.html", form=form, errors=errors, result=result,
                           search_q=search_q, kind_labels=KIND_LABELS,
                           sort=request.args.get("sort") or "submitted"), \
        400 if errors else 200


# ---------------------------------------------------------------- assignments

@bp.get("/assignments")
@login_required
def assignments():
    form = assignment_filter_form()
    errors = {}
    page, per_page = page_args(errors)
    result = None
    try:
        # the page shows each assignment's own columns, its unit (joined) and its proposal's
        # title, number and key mark: not the contacts, opinions, extensions, replies and
        # ratings the API's list loads
        query = assignment_query(current_user, filters(ASSIGNMENT_FILTERS),
                                 options=(selectinload(Assignment.proposal),))
    except ValidationError as exc:
        errors.update(exc.fields)
    if not errors:
        result = paginate(query, page, per_page)
    show_errors(form, errors)
    return render_template("lists/assignments.html", form=form, result=result, errors=errors,
                           today=local_date(utcnow()), role_labels_unit=ROLE_LABELS), \
        400 if errors else 200


# ---------------------------------------------------------------- CSV export

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
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"',
                             "Content-Type": "text/csv; charset=utf-8"})


def localtime(value):
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def refuse_bad_filters(errors, form_class):
    """An export has no form to show the messages on: a 400 page names each bad filter."""
    if errors:
        form = form_class(formdata=None)
        abort(400, _("；").join(_("%(field)s：%(message)s", field=form[name].label.text
                                  if name in form else name, message=message)
                                for name, message in errors.items()))


@bp.get("/proposals.csv")
@login_required
def proposals_csv():
    errors = {}
    try:
        query = proposal_query(current_user, filters(PROPOSAL_FILTERS)).options(
            selectinload(Proposal.assignments))
    except ValidationError as exc:
        errors.update(exc.fields)
    refuse_bad_filters(errors, ProposalFilterForm)
    header = [_("编号"), _("提案号"), _("收件号"), _("案由"), _("第一提案人"), _("提案形式"),
              _("类别"), _("会次"), _("状态"), _("重点提案"), _("提交时间"), _("承办单位")]
    rows = []
    for p in db.session.scalars(query).unique():
        units = join(_("%(unit)s（%(role)s）", unit=a.department.name,
                       role=_(ROLE_LABELS[a.role]))
                     for a in p.assignments if a.state != AssignmentState.REASSIGNED)
        rows.append([p.id, p.number_label, p.receipt_serial, p.title, p.proposer.name,
                     _(KIND_LABELS.get(p.kind, p.kind)), _(p.category.name), p.session.label,
                     _(STATE_LABELS.get(p.state, p.state)), _("是") if p.is_key else _("否"),
                     localtime(p.submitted_at), units])
    return csv_response(header, rows, "proposals")


@bp.get("/assignments.csv")
@login_required
def assignments_csv():
    errors = {}
    try:
        query = assignment_query(current_user, filters(ASSIGNMENT_FILTERS))
    except ValidationError as exc:
        errors.update(exc.fields)
    refuse_bad_filters(errors, AssignmentFilterForm)
    today = local_date(utcnow())
    header = [_("交办编号"), _("提案号"), _("案由"), _("承办单位"), _("承办方式"), _("状态"),
              _("交办时间"), _("签收期限"), _("会办意见期限"), _("答复期限"), _("延期至"),
              _("剩余或逾期")]
    rows = []
    query = query.options(selectinload(Assignment.proposal))
    for a in db.session.scalars(query).unique():
        live = a.state in (AssignmentState.PENDING, AssignmentState.HANDLING,
                           AssignmentState.REHANDLING)
        due = a.opinion_due if a.role == "co" else a.effective_due
        rows.append([a.id, a.proposal.number_label, a.proposal.title, a.department.name,
                     _(ROLE_LABELS[a.role]), _(STATE_LABELS.get(a.state, a.state)),
                     localtime(a.assigned_at), a.accept_due, a.opinion_due, a.reply_due,
                     a.extended_to, days_left(due, today) if live and due else ""])
    return csv_response(header, rows, "assignments")


# ---------------------------------------------------------------- XLSX export (streamed)

XLSX_BATCH = 1000


def _xlsx_rows(query):
    """The export's rows, read in batches of XLSX_BATCH (a server-side cursor on PostgreSQL)
    as plain columns (no ORM objects kept in the session), with each batch's units fetched in
    one more query: memory stays constant whatever the number of rows."""
    sessions = {s.id: s.label for s in db.session.scalars(select(CommitteeSession))}
    categories = {c.id: _(c.name) for c in db.session.scalars(select(Category))}
    columns = (query.with_only_columns(
        Proposal.id, Proposal.number, Proposal.receipt_serial, Proposal.title,
        User.name.label("proposer_name"), Proposal.kind, Proposal.category_id,
        Proposal.session_id, Proposal.state, Proposal.is_key, Proposal.submitted_at)
        .join(User, User.id == Proposal.proposer_id))
    result = db.session.execute(columns.execution_options(yield_per=XLSX_BATCH))
    for batch in result.partitions():
        units = {}
        for pid, name, role in db.session.execute(
                select(Assignment.proposal_id, Department.name, Assignment.role)
                .join(Department, Department.id == Assignment.department_id)
                .where(Assignment.proposal_id.in_([r.id for r in batch]),
                       Assignment.state != AssignmentState.REASSIGNED)
                .order_by(Assignment.proposal_id, Assignment.id)):
            units.setdefault(pid, []).append(_("%(unit)s（%(role)s）", unit=name,
                                               role=_(ROLE_LABELS[role])))
        for r in batch:
            yield [r.id, number_label(r.number),
                   r.receipt_serial, cell(r.title), cell(r.proposer_name),
                   _(KIND_LABELS.get(r.kind, r.kind)), categories.get(r.category_id),
                   sessions.get(r.session_id), _(STATE_LABELS.get(r.state, r.state)),
                   _("是") if r.is_key else _("否"), localtime(r.submitted_at),
                   join(units.get(r.id, []))]


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
    """The filtered proposal list as an XLSX file in constant memory: openpyxl's write-only
    workbook spools its rows to disk, the rows come from the database in batches, and the
    finished file is streamed back in chunks and deleted."""
    errors = {}
    try:
        query = proposal_query(current_user, filters(PROPOSAL_FILTERS))
    except ValidationError as exc:
        errors.update(exc.fields)
    refuse_bad_filters(errors, ProposalFilterForm)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("提案"))
    sheet.append([_("编号"), _("提案号"), _("收件号"), _("案由"), _("第一提案人"), _("提案形式"),
                  _("类别"), _("会次"), _("状态"), _("重点提案"), _("提交时间"), _("承办单位")])
    rows = 0
    for row in _xlsx_rows(query):
        sheet.append(row)
        rows += 1
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="proposals-export-")
    os.close(handle)
    try:
        book.save(path)
    except BaseException:
        os.unlink(path)
        raise
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return Response(
        _stream_file(path), direct_passthrough=True,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="proposals-{stamp}.xlsx"',
                 "Content-Length": str(os.path.getsize(path)), "X-Rows": str(rows)})
