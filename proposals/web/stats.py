"""The secretariat's statistics dashboard (统计): the figures of docs/domain.md for a year or a
session as of a date, with the headline, charts drawn on the server (no script, no internet),
the per-unit table sorted on the server, the comparison with the previous year, and the
Excel workbook and the Word (or PDF) section 提案工作情况.

The figures come from proposals.stats.figures.annual_figures (the same function as the API's
/stats/annual); who may see them is decided once, by api.stats_files.require_secretariat."""

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField

from ..api.stats import require_figures_reader, scoped
from ..api.stats_files import report_file, require_secretariat
from ..committee.calendar import local_date, utcnow
from ..committee.models import CommitteeSession
from ..documents import service as documents
from ..errors import ValidationError
from ..extensions import db
from ..handling.models import RATINGS
from ..i18n import N_, _
from ..i18n import lazy_gettext as _l
from ..stats import annual_figures, read_period_args
from ..stats.exports import percent, status_label
from ..stats.headline import rated_unit, rating_basis_words
from .charts import bar_chart, line_chart

bp = Blueprint("stats", __name__)

UNIT_SORTS = {
    # key: (msgid of the column, value of a unit row, descending by default)
    "assigned": (N_("交办件次"), lambda u: u.get("assigned") or 0, True),
    "overdue": (N_("逾期未答复（件）"), lambda u: u.get("overdue") or 0, True),
    "on_time": (N_("按时答复率（按件）"), lambda u: u.get("on_time_rate"), True),
    "satisfaction": (N_("满意率"), lambda u: u.get("satisfaction_rate"), True),
}
RATING_COLORS = ("#198754", "#0f766e", "#a4161a", "#adb5bd")
RESULT_COLORS = ("#198754", "#0b5ed7", "#6c757d", "#fd7e14", "#6f42c1")


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET selector changes nothing

    year = SelectField(_l("年度"), validate_choice=False)
    session = SelectField(_l("会次"), validate_choice=False)
    as_of = StringField(_l("截至日期"), render_kw={"type": "date"})
    submit = SubmitField(_l("查看"))


def period_form():
    form = PeriodForm(formdata=request.args)
    sessions = db.session.scalars(
        select(CommitteeSession).order_by(
            CommitteeSession.year.desc(),
            CommitteeSession.term.desc(),
            CommitteeSession.meeting.desc(),
        )
    ).all()
    this_year = local_date(utcnow()).year
    years = sorted({s.year for s in sessions} | {this_year, this_year - 1}, reverse=True)
    form.year.choices = [("", _("今年"))] + [(str(y), str(y)) for y in years]
    form.session.choices = [("", _("按年度统计"))] + [(str(s.id), s.label) for s in sessions]
    return form


def shift_year(day, years=-1):
    """The same day a year earlier (29 February → 28 February)."""
    if day is None:
        return None
    if isinstance(day, str):
        day = date.fromisoformat(day)
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def previous_period(figures, period):
    """The period to compare with: the year before as of the same day a year earlier, or the
    session before this one."""
    as_of = shift_year(figures.get("as_of") or period.get("as_of"))
    described = figures.get("period") or {}
    session_id = period.get("session_id") or (
        described.get("session") if described.get("kind") == "session" else None
    )
    if session_id is not None:
        current = db.session.get(CommitteeSession, session_id)
        if current is None:
            return None
        before = db.session.scalar(
            select(CommitteeSession)
            .where(
                (CommitteeSession.year < current.year)
                | (
                    (CommitteeSession.year == current.year)
                    & (
                        (CommitteeSession.term < current.term)
                        | (
                            (CommitteeSession.term == current.term)
                            & (CommitteeSession.meeting < current.meeting)
                        )
                    )
                )
            )
            .order_by(
                CommitteeSession.year.desc(),
                CommitteeSession.term.desc(),
                CommitteeSession.meeting.desc(),
            )
            .limit(1)
        )
        return {"session_id": before.id, "as_of": as_of} if before else None
    year = figures.get("year") or described.get("year") or local_date(utcnow()).year
    return {"year": year - 1, "as_of": as_of}


def change(current, previous, is_rate):
    """ "+12", "−3", "+2.1 个百分点", or "—" when either side has no value."""
    if current is None or previous is None:
        return "—"
    if is_rate:
        points = round((current - previous) * 100, 1)
        sign = "+" if points > 0 else "−" if points < 0 else "±"
        return _("%(sign)s%(n)s 个百分点", sign=sign, n=f"{abs(points):g}")
    diff = current - previous
    return f"{'+' if diff > 0 else '−' if diff < 0 else '±'}{abs(diff)}"


def comparison(figures, previous):
    s, ps = figures.get("satisfaction") or {}, previous.get("satisfaction") or {}
    rows = [
        (_("收到提案"), figures.get("received"), previous.get("received"), False),
        (_("立案"), figures.get("filed"), previous.get("filed"), False),
        (_("立案率"), figures.get("filing_rate"), previous.get("filing_rate"), True),
        (_("承办件次"), figures.get("assignment_items"), previous.get("assignment_items"), False),
        (_("办复率"), figures.get("reply_rate"), previous.get("reply_rate"), True),
        (
            _("按时答复率（按答复份数）"),
            figures.get("on_time_rate"),
            previous.get("on_time_rate"),
            True,
        ),
        (_("满意率"), s.get("rate"), ps.get("rate"), True),
        (_("已测评（%(unit)s）", unit=rated_unit(figures)), s.get("rated"), ps.get("rated"), False),
    ]
    return [
        {
            "label": label,
            "current": percent(c) if rate else c,
            "previous": percent(p) if rate else p,
            "change": change(c, p, rate),
        }
        for label, c, p, rate in rows
    ]


def sorted_units(units, sort, order):
    _label, value, _default = UNIT_SORTS[sort]
    present = [u for u in units if value(u) is not None]
    missing = [u for u in units if value(u) is None]  # no denominator: always last
    present.sort(key=lambda u: (value(u), u.get("code") or ""), reverse=order == "desc")
    return present + missing


def charts(figures):
    s = figures.get("satisfaction") or {}
    results = figures.get("results") or {}
    units = sorted(figures.get("by_department") or [], key=lambda u: -(u.get("assigned") or 0))
    monthly = figures.get("monthly") or []
    return {
        "category": bar_chart(
            [
                (_(c.get("name") or ""), c.get("received") or 0)
                for c in figures.get("by_category") or []
            ],
            title=_("按类别：收到提案"),
            testid="chart-category",
        ),
        "unit": bar_chart(
            [(u.get("name"), u.get("assigned") or 0) for u in units[:12]],
            title=_("按承办单位：交办件次"),
            testid="chart-unit",
        ),
        "results": bar_chart(
            [(_("%(code)s 类", code=k), v or 0) for k, v in results.items()],
            title=_("答复结果（件）：%(codes)s", codes=" / ".join(results)),
            colors=RESULT_COLORS,
            testid="chart-results",
        ),
        "satisfaction": bar_chart(
            [(_(RATINGS[k]), s.get(k) or 0) for k in RATINGS]
            + [(_("未测评"), s.get("unrated") or 0)],
            title=_("满意度测评（按承办件次）"),
            colors=RATING_COLORS,
            testid="chart-satisfaction",
        ),
        "monthly": line_chart(
            [_("%(m)d月", m=int(str(m.get("month"))[-2:])) for m in monthly],
            [
                (_("收到提案"), [m.get("received") or 0 for m in monthly]),
                (_("送达答复"), [m.get("replies_delivered") or 0 for m in monthly]),
            ],
            title=_("逐月收到提案和送达答复"),
            testid="chart-monthly",
        ),
    }


@bp.get("/stats")
@login_required
def dashboard():
    require_figures_reader(current_user)
    form = period_form()
    errors, figures, previous = {}, None, None
    chosen = {k: v for k, v in request.args.items() if k in ("year", "session", "as_of") and v}
    if chosen.get("session"):
        chosen.pop("year", None)  # the selector offers both: a session is its own period
    try:
        period = read_period_args(chosen)
    except ValidationError as exc:
        errors, period = exc.fields, None
    sort = request.args.get("sort") if request.args.get("sort") in UNIT_SORTS else "overdue"
    order = request.args.get("order") if request.args.get("order") in ("asc", "desc") else "desc"
    if period is not None:
        try:
            figures = scoped(current_user, annual_figures(**period))
        except ValidationError as exc:
            errors, figures = exc.fields, None
    if figures is not None:
        before = previous_period(figures, period)
        try:
            previous = scoped(current_user, annual_figures(**before)) if before else None
        except ValidationError:  # the year before the earliest one counted: no comparison
            previous = None
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
    args = chosen
    return render_template(
        "stats/dashboard.html",
        form=form,
        errors=errors,
        f=figures,
        previous=previous,
        comparison=comparison(figures, previous) if figures and previous else None,
        charts=charts(figures) if figures else None,
        units=sorted_units(figures.get("by_department") or [], sort, order) if figures else [],
        sort=sort,
        order=order,
        unit_sorts=UNIT_SORTS,
        args=args,
        percent=percent,
        status_label=status_label,
        rating_basis_words=rating_basis_words,
        rated_unit=rated_unit,
        ratings=RATINGS,
        sort_url=lambda key: url_for(
            "stats.dashboard",
            **args,
            sort=key,
            order=("asc" if key == sort and order == "desc" else "desc"),
        ),
    ), 400 if errors else 200


@bp.get("/stats/annual.xlsx")
@login_required
def annual_xlsx():
    require_secretariat(current_user)
    return report_file("xlsx", read_period_args(request.args))


@bp.get("/stats/annual.docx", defaults={"fmt": "docx"})
@bp.get("/stats/annual.pdf", defaults={"fmt": "pdf"}, endpoint="annual_pdf")
@login_required
def annual_docx(fmt):
    """The section 提案工作情况 (documents/kinds/annual.py), as the API serves it."""
    return documents.annual_file(current_user, read_period_args(request.args), fmt)
