"""The lists' filter forms and query string: the filters a list understands, the choices the
forms offer, page and per_page, and how a bad value is shown. What each filter means is
decided by workflow/queries.py (the same functions the JSON API lists use)."""

from flask import abort, request
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
ASSIGNMENT_FILTERS = ("state", "overdue", "department")
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
            ("submitted", _l("提交时间（新到旧）")),
            ("submitted_asc", _l("提交时间（旧到新）")),
            ("number", _l("提案号")),
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
