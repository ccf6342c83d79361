"""Lists for every role (提案列表, 交办列表): filters, sorting, pagination and CSV export.

What each person may see and what each filter means is decided by workflow/queries.py (the same
functions the JSON API lists use); a bad filter value comes back as a ValidationError naming the
filter, shown on the filter form."""
import csv
import functools
import hashlib
import io
import os
import tempfile
import threading
import time
from datetime import datetime
from types import SimpleNamespace

from cachetools import LRUCache
from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup, escape
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from openpyxl import Workbook
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload
from wtforms import SelectField as _SelectField, StringField, SubmitField
from wtforms.widgets import Select

from ..accounts.models import Department, User
from ..committee.calendar import LOCAL_TZ, local_date, utcnow
from ..committee.models import Category, CommitteeSession
from ..errors import ValidationError
from ..extensions import db, read_rows
from ..handling.models import Assignment
from ..i18n import N_, _, current_language, join, lazy_gettext as _l
from ..workflow.core import STATE_LABELS
from ..workflow.models import Proposal, number_label
from ..workflow.queries import assignment_query, proposal_list, proposal_query
from ..workflow.states import AssignmentState, ProposalState
from .filters import days_left
from .shell import kept_page
from .urls import pagination

bp = Blueprint("lists", __name__)

PER_PAGE, MAX_PER_PAGE = 20, 100
PROPOSAL_FILTERS = ("state", "session", "year", "category", "department", "overdue", "key",
                    "q", "sort")
ASSIGNMENT_FILTERS = ("state", "overdue", "department")
KIND_LABELS = {"individual": N_("个人提案"), "joint": N_("联名提案"), "collective": N_("集体提案")}
ROLE_LABELS = {"lead": N_("主办"), "co": N_("会办"), "split": N_("分办")}
YES_NO = [("", _l("全部")), ("true", _l("是")), ("false", _l("否"))]


# ---------------------------------------------------------------- filter forms (GET)

class FastSelect(Select):
    """wtforms' Select writing each plain option's markup directly, the same HTML as
    html_params() (attributes sorted: selected, value): the filter forms hold about a hundred
    options (units, sessions) and html_params per option was a fifth of the list page's time
    under load (issue 7)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        value = choice.value
        if kwargs or choice.render_kw or not isinstance(value, str):
            return super().render_option(choice, **kwargs)
        # Markup.format escapes every argument: only the literal tags are markup
        return Markup('<option {}value="{}">{}</option>').format(
            Markup("selected ") if choice.selected else "", value, choice.label or value)


class SelectField(_SelectField):
    widget = FastSelect()


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


# ---------------------------------------------------------------- reference data, per worker

REFERENCE_TTL = 30.0  # seconds: how late another worker's change to the choices may show
REFERENCE_MODELS = (Department, Category, CommitteeSession)
_reference = {"generation": 0}  # bumped by every ORM write of reference data in this process


@event.listens_for(OrmSession, "after_flush")
def _reference_changed(session, _flush_context):
    """A unit, category or session written through the ORM in this process: the cached
    choices are read again at once (other processes within REFERENCE_TTL)."""
    if any(isinstance(obj, REFERENCE_MODELS)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        _reference["generation"] += 1


def reference(name, build):
    """``build()`` (the filter forms' choices: units, categories, sessions), kept per worker
    for REFERENCE_TTL seconds, per app (in app.extensions) and language (issue 7: three
    statements and their objects on every list page, for data that changes a few times a
    year)."""
    cache = current_app.extensions.setdefault("lists.reference", {})
    if cache.get("generation") != _reference["generation"]:
        cache.clear()
        cache["generation"] = _reference["generation"]
    key = (current_language(), name)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < REFERENCE_TTL:
        return hit[1]
    value = build()
    cache[key] = (now, value)
    return value


def _departments():
    units = db.session.execute(select(Department.code, Department.name).order_by(
        Department.active.desc(), Department.name)).all()  # columns, not entities
    return [("", _("全部"))] + [(code, name) for code, name in units]


def _sessions():
    sessions = db.session.scalars(select(CommitteeSession).order_by(
        CommitteeSession.year.desc(), CommitteeSession.term.desc(),
        CommitteeSession.meeting.desc())).all()
    years = sorted({s.year for s in sessions}, reverse=True)
    return ([("", _("全部"))] + [(str(s.id), s.label) for s in sessions],
            [("", _("全部"))] + [(str(y), str(y)) for y in years])


def _categories():
    return [("", _("全部"))] + [
        (code, _(name)) for code, name in db.session.execute(
            select(Category.code, Category.name).order_by(Category.id))]


class FilterChoices(dict):
    """A filter form's choices by field name (read-only: kept), with ``digest`` (what they
    are: part of the kept filter form's key) and, for the proposals, ``session_labels`` (the
    rows' session labels by id)."""
    __slots__ = ("digest", "session_labels")

    def __init__(self, **choices):
        super().__init__(**choices)
        self.digest = hashlib.sha256(repr(sorted(self.items())).encode()).hexdigest()


def proposal_filter_choices():
    """The proposal filter form's choices, kept per worker as one object (reference()):
    reading and copying five kept lists, and hashing them into the filter form's key, on
    every list page cost more than the rest of the filter form (issue 7)."""
    def build():
        sessions, years = _sessions()
        choices = FilterChoices(state=state_choices(ProposalState), session=sessions,
                                year=years, category=_categories(), department=_departments())
        choices.session_labels = {int(v): label for v, label in sessions if v}
        return choices
    return reference("proposal_filters", build)


def proposal_filter_form(choices=None):
    form = ProposalFilterForm(formdata=request.args)
    for name, values in (choices or proposal_filter_choices()).items():
        getattr(form, name).choices = list(values)
    return form


FILTER_HTML_CACHE = 256  # rendered filter forms kept per worker (least recently used out)
_filter_html_lock = threading.Lock()  # the development server answers in threads


def filter_form_html(template, choices, errors, make_form):
    """A list's filter form (``template``) as HTML. Without errors the HTML is a function of
    the query string, the language, the role and the choices (see reference(): a unit,
    category or session written in this worker shows at once): it is kept per worker and
    reused, and the form object is then not even built (the form's bootstrap fields and
    hundred options took a third of the page's time; issue 7). ``make_form()``: the form."""
    def render():
        # a template rendered with autoescape on: its output is markup already
        return Markup(render_template(  # nosec B704  # autoescaped template output
            template, form=make_form(), errors=errors))
    if errors:
        return render()
    key = (template, current_language(), current_user.role,
           tuple(request.args.items(multi=True)), choices.digest)
    cache = current_app.extensions.setdefault("lists.filter_form_html",
                                              LRUCache(maxsize=FILTER_HTML_CACHE))
    with _filter_html_lock:
        html = cache.get(key)
    if html is None:
        html = render()
        with _filter_html_lock:
            cache[key] = html
    return html


def assignment_filter_choices():
    """The assignment filter form's choices, kept per worker as one object (reference())."""
    return reference("assignment_filters", lambda: FilterChoices(
        state=state_choices(AssignmentState), department=_departments()))


def assignment_filter_form(choices=None):
    form = AssignmentFilterForm(formdata=request.args)
    for name, values in (choices or assignment_filter_choices()).items():
        getattr(form, name).choices = list(values)
    return form


# ---------------------------------------------------------------- reading the query string

def filters(names):
    """The non-empty filters of the query string (text values, as the API receives them)."""
    args = request.args  # (``in`` first: werkzeug's get raises and catches for a missing name)
    return {name: args[name].strip() for name in names if name in args and args[name].strip()}


def page_args(errors):
    """page and per_page (at most 100); a bad value is a message, not a 500."""
    def number(name, default):
        raw = request.args[name].strip() if name in request.args else ""
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
    """The page (past the last: the last) and the total: see workflow.queries.page_of.
    ``load``: makes the page's rows from its ids (default: the query's own entities)."""
    from ..workflow.queries import page_ids, page_of

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


@functools.cache
def _row_statements(with_texts):
    # built once each: the ids are a parameter (see workflow.queries._summaries_statement)
    ids = bindparam("ids", expanding=True)
    columns = [Proposal.id, Proposal.number, Proposal.receipt_serial, Proposal.title,
               Proposal.is_key, Proposal.kind, Proposal.state, Proposal.submitted_at,
               Proposal.session_id, User.name.label("proposer_name"),
               Category.name.label("category_name")]
    if with_texts:
        columns += [Proposal.analysis, Proposal.suggestions]
    rows = (select(*columns).outerjoin(User, User.id == Proposal.proposer_id)
            .outerjoin(Category, Category.id == Proposal.category_id)
            .where(Proposal.id.in_(ids)))
    units = (select(Assignment.proposal_id, Assignment.state, Department.name)
             .join(Department, Department.id == Assignment.department_id)
             .where(Assignment.proposal_id.in_(ids)).order_by(Assignment.id))
    return rows, units


def proposal_rows(ids, session_labels, with_texts=False):
    """The proposal list's rows for ``ids`` (in that order) as plain columns, not ORM objects:
    one statement for the proposals with their proposer's and category's names, one for their
    units (issue 7: loading 20 proposals with all their columns and related objects was a
    third of the page's time). Each row has what templates/lists/_proposal_rows.html reads;
    the long texts only ``with_texts`` (a search's snippets)."""
    rows_statement, units_statement = _row_statements(with_texts)
    found = {r.id: r for r in read_rows(rows_statement, {"ids": list(ids)})}
    units = {}  # the names of each proposal's units, a reassigned assignment's left out
    for pid, state, name in read_rows(units_statement, {"ids": list(ids)}):
        names = units.setdefault(pid, [])
        if state != "reassigned":
            names.append(name)
    # the state's and category's labels, translated once per page (web/filters.py state_label
    # and label: the same texts)
    labels = {}

    def label(msgid):
        text = labels.get(msgid)
        if text is None:
            text = labels[msgid] = _(msgid) if msgid else ""
        return text
    rows = []
    for pid in ids:
        r = found.get(pid)
        if r is None:
            continue
        rows.append(SimpleNamespace(
            id=r.id, number=r.number, receipt_serial=r.receipt_serial, title=r.title,
            number_label=number_label(r.number),
            is_key=r.is_key, kind=r.kind, state=r.state, submitted_at=r.submitted_at,
            state_label=label(STATE_LABELS.get(r.state, r.state)),
            category_label=label(r.category_name),
            session=SimpleNamespace(label=session_labels.get(r.session_id, "")),
            proposer=SimpleNamespace(name=r.proposer_name),
            category=SimpleNamespace(name=r.category_name), unit_names=units.get(pid, []),
            analysis=r.analysis if with_texts else None,
            suggestions=r.suggestions if with_texts else None))
    return rows


# ---------------------------------------------------------------- proposals

def _proposal_query(errors):
    try:
        query = proposal_query(current_user, filters(PROPOSAL_FILTERS))
    except ValidationError as exc:
        errors.update(exc.fields)
        return None
    return query.options(selectinload(Proposal.assignments))


@bp.get("/proposals")
@login_required
def proposals():
    choices = proposal_filter_choices()
    form = None
    errors = {}
    page, per_page = page_args(errors)
    try:
        query = proposal_list(current_user, filters(PROPOSAL_FILTERS))
    except ValidationError as exc:
        errors.update(exc.fields)
        query = None
    result = None
    search_q = request.args["q"].strip() if "q" in request.args else ""
    if query is not None and not errors:
        session_labels = choices.session_labels
        result = paginate(query, page, per_page,
                          lambda ids: proposal_rows(ids, session_labels, bool(search_q)))
    if errors:
        form = proposal_filter_form(choices)
        show_errors(form, errors)
    html = filter_form_html("lists/_proposal_filters.html", choices, errors,
                            lambda: form or proposal_filter_form(choices))
    kind_labels = {k: _(v) for k, v in KIND_LABELS.items()}
    parts = {"total": Markup(""), "rows": Markup(""), "pagination": Markup("")}
    if result is not None:
        parts["total"] = escape(_("共 %(n)d 件，第 %(page)d/%(pages)d 页", n=result["total"],
                                  page=result["page"], pages=result["pages"]))
        if result["items"]:
            parts["rows"] = Markup(current_app.jinja_env.get_template(  # nosec B704  # autoescaped
                "lists/_proposal_rows.html").render(rows=result["items"], search_q=search_q,
                                                    kind_labels=kind_labels))
        parts["pagination"] = pagination(result["page"], result["pages"], "lists.proposals")
    listed = result is not None
    has_rows = bool(listed and result["items"])

    def render(parts):
        return render_template("lists/proposals.html", form=form, errors=errors,
                               listed=listed, has_rows=has_rows, parts=parts,
                               filter_form_html=html,
                               sort=request.args.get("sort") or "submitted")
    if errors:
        return render(parts), 400
    # the page around its parts is kept (web/shell.py): the choices and whether there are rows
    # are what it shows besides the query string and the navigation bar
    return kept_page(("lists.proposals", choices.digest, listed, has_rows), render, parts)


# ---------------------------------------------------------------- assignments

@bp.get("/assignments")
@login_required
def assignments():
    choices = assignment_filter_choices()
    form = None
    errors = {}
    page, per_page = page_args(errors)
    try:
        # the page shows each assignment's own columns, its unit (joined) and its proposal's
        # title, number and key mark: not the contacts, opinions, extensions, replies and
        # ratings the API's list loads (most of the page's time went into loading them)
        query = assignment_query(current_user, filters(ASSIGNMENT_FILTERS),
                                 options=(selectinload(Assignment.proposal),))
    except ValidationError as exc:
        errors.update(exc.fields)
        query = None
    result = paginate(query, page, per_page) if query is not None and not errors else None
    if errors:
        form = assignment_filter_form(choices)
        show_errors(form, errors)
    html = filter_form_html("lists/_assignment_filters.html", choices, errors,
                            lambda: form or assignment_filter_form(choices))
    return render_template("lists/assignments.html", form=form, result=result, errors=errors,
                           filter_form_html=html, today=local_date(utcnow()),
                           role_labels_unit=ROLE_LABELS), 400 if errors else 200


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


def refuse_bad_filters(errors, form):
    """The CSV has no form to show the messages on: a 400 page names each bad filter."""
    if errors:
        abort(400, _("；").join(_("%(field)s：%(message)s", field=form[name].label.text
                                  if name in form else name, message=message)
                                for name, message in errors.items()))


@bp.get("/proposals.csv")
@login_required
def proposals_csv():
    errors = {}
    query = _proposal_query(errors)
    refuse_bad_filters(errors, proposal_filter_form())
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
    refuse_bad_filters(errors, assignment_filter_form())
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
    refuse_bad_filters(errors, proposal_filter_form())
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
