"""The lists' filter forms and query string: the filters a list understands, the choices the
forms offer, page and per_page, and how a bad value is shown. What each filter means is
decided by workflow/queries.py (the same functions the JSON API lists use)."""

from flask import abort, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField

from ..accounts.models import Department
from ..committee.models import Category, CommitteeSession, session_label
from ..extensions import db
from ..i18n import _
from ..i18n import lazy_gettext as _l
from ..workflow.core import STATE_LABELS
from ..workflow.queries import MAX_PAGE
from ..workflow.states import AssignmentState, ProposalState

PER_PAGE, MAX_PER_PAGE = 20, 100
PROPOSAL_FILTERS = (
    "state",
    "session",
    "year",
    "category",
    "department",
    "overdue",
    "key",
    "q",
    "sort",
)
ASSIGNMENT_FILTERS = ("state", "overdue", "department", "sort")
DEFAULT_SORT = "work"
# what a person's list_preferences keep of each list (the page number and the search are not
# kept): {list: {name: default}}; a value equal to its default is not stored
REMEMBERED = {
    "proposals": {
        "state": "",
        "session": "",
        "year": "",
        "category": "",
        "department": "",
        "overdue": "",
        "key": "",
        "sort": DEFAULT_SORT,
        "per_page": str(PER_PAGE),
    },
    "assignments": {
        "state": "",
        "overdue": "",
        "department": "",
        "sort": DEFAULT_SORT,
        "per_page": str(PER_PAGE),
    },
}
YES_NO = [("", _l("全部")), ("true", _l("是")), ("false", _l("否"))]


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
    sort = SelectField(
        _l("排序"),
        validate_choice=False,
        choices=[
            ("work", _l("工作优先")),
            ("due", _l("期限最近")),
            ("submitted", _l("最新")),
            ("number", _l("编号")),
            ("submitted_asc", _l("提交时间（旧到新）")),
            ("title", _l("案由")),
            ("state", _l("状态")),
        ],
    )
    per_page = SelectField(
        _l("每页"), validate_choice=False, choices=[("20", "20"), ("50", "50"), ("100", "100")]
    )
    submit = SubmitField(_l("筛选"))


class AssignmentFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("状态"), validate_choice=False)
    overdue = SelectField(_l("逾期"), validate_choice=False, choices=YES_NO)
    department = SelectField(_l("承办单位"), validate_choice=False)
    sort = SelectField(
        _l("排序"),
        validate_choice=False,
        choices=[
            ("work", _l("工作优先")),
            ("due", _l("期限最近")),
            ("newest", _l("最新")),
            ("number", _l("编号")),
        ],
    )
    per_page = SelectField(
        _l("每页"), validate_choice=False, choices=[("20", "20"), ("50", "50"), ("100", "100")]
    )
    submit = SubmitField(_l("筛选"))


def state_choices(states):
    return [("", _("全部"))] + [(s.value, _(STATE_LABELS.get(s.value, s.value))) for s in states]


def department_choices():
    units = db.session.execute(
        select(Department.code, Department.name).order_by(Department.active.desc(), Department.name)
    )
    return [("", _("全部"))] + [(code, name) for code, name in units]


def proposal_filter_form():
    """The proposal list's filter form on the query string, with its choices from the
    reference data (units, sessions and their years, categories)."""
    form = ProposalFilterForm(formdata=request.args)
    sessions = db.session.execute(
        select(
            CommitteeSession.id,
            CommitteeSession.term,
            CommitteeSession.meeting,
            CommitteeSession.year,
        ).order_by(
            CommitteeSession.year.desc(),
            CommitteeSession.term.desc(),
            CommitteeSession.meeting.desc(),
        )
    ).all()
    form.state.choices = state_choices(ProposalState)
    form.session.choices = [("", _("全部"))] + [
        (str(s.id), session_label(s.term, s.meeting)) for s in sessions
    ]
    form.year.choices = [("", _("全部"))] + [
        (str(y), str(y)) for y in sorted({s.year for s in sessions}, reverse=True)
    ]
    form.category.choices = [("", _("全部"))] + [
        (code, _(name))
        for code, name in db.session.execute(
            select(Category.code, Category.name).order_by(Category.id)
        )
    ]
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
    return {
        name: request.args[name].strip() for name in names if request.args.get(name, "").strip()
    }


def chosen_sort(form):
    """The list's sort from the query string: one of the form's choices, else the default
    (an unknown value, from an old link, is not an error)."""
    raw = request.args.get("sort", "").strip()
    return raw if raw in {value for value, _label in form.sort.choices} else DEFAULT_SORT


# ---------------------------------------------------------------- remembered per person


def valid_preferences(form, name, values):
    """Of ``values`` (the query string or what was stored, of any shape), those the list
    ``name`` keeps that are one of their field's choices and not the default."""
    if not hasattr(values, "get"):
        return {}
    kept = {}
    for field, default in REMEMBERED[name].items():
        value = values.get(field)
        if not isinstance(value, str) or value.strip() == default:
            continue
        value = value.strip()
        if value in {str(choice) for choice, _label in form[field].choices}:
            kept[field] = value
    return kept


def stored_preferences(name):
    stored = current_user.list_preferences
    return stored.get(name) if isinstance(stored, dict) else None


def store_preferences(name, prefs):
    """Replace the person's preferences of list ``name`` (the whole dict is replaced so that
    the JSON column sees the change); no write when nothing changes."""
    if (stored_preferences(name) or {}) == prefs:
        return
    stored = current_user.list_preferences
    current_user.list_preferences = {**(stored if isinstance(stored, dict) else {}), name: prefs}
    db.session.commit()


def remembered(form, name, endpoint):
    """The person's sort and filters of list ``name`` (REMEMBERED): ``reset`` forgets them;
    a submitted filter form stores its valid values; the list opened with no query string
    is sent to the stored ones (so that its links, page numbers and exports carry them).
    Returns that redirect, or None to show the list as asked."""
    if "reset" in request.args:
        if stored_preferences(name):
            store_preferences(name, {})
        return redirect(url_for(endpoint))
    if not request.args:
        prefs = valid_preferences(form, name, stored_preferences(name))
        return redirect(url_for(endpoint, **prefs)) if prefs else None
    if "submit" in request.args:
        store_preferences(name, valid_preferences(form, name, request.args))
    return None


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
        if value > MAX_PAGE:
            errors[name] = _("不能大于 %(max)d", max=MAX_PAGE)
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


def refuse_bad_filters(errors, form_class):
    """An export has no form to show the messages on: a 400 page names each bad filter."""
    if errors:
        form = form_class(formdata=None)
        abort(
            400,
            _("；").join(
                _(
                    "%(field)s：%(message)s",
                    field=form[name].label.text if name in form else name,
                    message=message,
                )
                for name, message in errors.items()
            ),
        )
