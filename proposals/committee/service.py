"""Managing the committee's reference data: sessions (届次/会次), categories, not-filed reasons,
settings and the admin's holiday list.

One implementation of each rule for both the command line (cli/committee.py, cli/calendar.py)
and the admin's pages (web/admin.py). Functions only flush; the caller commits. Bad input raises
ValidationError whose ``fields`` name the input field, and nothing changes.
"""

import re
from datetime import date

from sqlalchemy import func, select, update

from ..errors import ValidationError
from ..extensions import db
from ..i18n import N_, _
from ..inputs import MAX_ID
from . import settings as committee_settings
from .calendar import WorkCalendar, add_months
from .models import (
    Category,
    CommitteeSession,
    Counter,
    Holiday,
    NotFiledReason,
)

DATE_FORMAT_MESSAGE = N_("日期应为 YYYY-MM-DD")  # a msgid: show it as _(DATE_FORMAT_MESSAGE)


def _refuse(problems):
    if problems:
        raise ValidationError(_("；").join(problems.values()), fields=problems)


def parse_day(text, field="day"):
    """A date from YYYY-MM-DD text."""
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        message = _(DATE_FORMAT_MESSAGE)
        raise ValidationError(message, fields={field: message}) from None


# --- sessions ----------------------------------------------------------------------------------

COLLECTION_MONTHS_BEFORE = 3  # the default collection window opens this long before the plenary


def default_collection_window(plenary_start, plenary_end):
    """(start, end) of the default collection window (征集期): from three calendar months before
    the plenary opens to the plenary's last day."""
    return add_months(plenary_start, -COLLECTION_MONTHS_BEFORE), plenary_end


def create_session(
    term,
    meeting,
    year,
    plenary_start,
    plenary_end,
    current=False,
    collection_start=None,
    collection_end=None,
):
    """A session with its plenary window, its collection window (征集期: by default from three
    calendar months before the plenary opens to its last day; it must contain the plenary) and
    its two counters (numbers, receipts); ``current`` makes it the one current session."""
    problems = {}
    for name, day in (("plenary_start", plenary_start), ("plenary_end", plenary_end)):
        if not date(1900, 1, 1) <= day <= date(2999, 12, 31):  # and a window that can be counted
            problems[name] = _("日期应在 1900 年至 2999 年之间")
    _refuse(problems)
    default_start, default_end = default_collection_window(plenary_start, plenary_end)
    collection_start = collection_start or default_start
    collection_end = collection_end or default_end
    if term < 1 or meeting < 1:
        problems["term" if term < 1 else "meeting"] = _("届次和会次应为正整数")
    elif term > MAX_ID or meeting > MAX_ID:  # past the integer columns: a database error
        problems["term" if term > MAX_ID else "meeting"] = _(
            "届次和会次不能大于 %(max)d", max=MAX_ID
        )
    if not 1900 <= year <= 2999:
        problems["year"] = _("年份无效")
    if plenary_end < plenary_start:
        problems["plenary_end"] = _("大会结束日期不能早于开始日期")
    if collection_end < collection_start:
        problems["collection_end"] = _("征集截止日期不能早于征集开始日期")
    elif "plenary_end" not in problems:
        if collection_start > plenary_start:
            problems["collection_start"] = _("征集开始日期不能晚于大会开始日期")
        if collection_end < plenary_end:
            problems["collection_end"] = _("征集截止日期不能早于大会结束日期")
    if not problems.keys() & {"term", "meeting"} and db.session.scalar(
        select(CommitteeSession).where(
            CommitteeSession.term == term, CommitteeSession.meeting == meeting
        )
    ):
        problems["meeting"] = _("该会次已存在")
    _refuse(problems)
    if current:
        db.session.execute(update(CommitteeSession).values(is_current=False))
    session = CommitteeSession(
        term=term,
        meeting=meeting,
        year=year,
        plenary_start=plenary_start,
        plenary_end=plenary_end,
        collection_start=collection_start,
        collection_end=collection_end,
        is_current=current,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(
        [
            Counter(session_id=session.id, kind="number"),
            Counter(session_id=session.id, kind="receipt"),
        ]
    )
    db.session.flush()
    return session


def set_current_session(session):
    """Make ``session`` the one current session (new proposals go to it)."""
    db.session.execute(
        update(CommitteeSession).where(CommitteeSession.id != session.id).values(is_current=False)
    )
    session.is_current = True
    db.session.flush()
    return session


# --- categories and not-filed reasons (managed lists, never deleted: records refer to them) ----

REFERENCE_LISTS = {
    # model, code length, name length, unique names, the refusal to deactivate the last one
    "category": (Category, 32, 60, True, N_("至少保留一个启用的类别")),
    "reason": (NotFiledReason, 40, 120, False, N_("至少保留一个启用的不予立案理由")),
}


def _name_problem(kind, name, exclude_id=None):
    model, _code_len, max_name, unique_names, _last_one = REFERENCE_LISTS[kind]
    if not name or len(name) > max_name:
        return _("名称不能为空，且不超过 %(n)d 字", n=max_name)
    if unique_names:
        query = select(model.id).where(model.name == name)
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if db.session.scalar(query):
            return _("名称“%(name)s”已存在", name=name)
    return None


def create_reference(kind, code, name):
    """A new category (kind ``category``) or not-filed reason (``reason``), active."""
    model, max_code, _name_len, _unique, _last_one = REFERENCE_LISTS[kind]
    code, name = (code or "").strip(), (name or "").strip()
    problems = {}
    if not re.fullmatch(rf"[A-Za-z0-9_-]{{1,{max_code}}}", code):
        problems["code"] = _(
            "代码“%(code)s”无效（1–%(n)d 位字母、数字、_ 或 -）", code=code, n=max_code
        )
    elif db.session.scalar(select(model.id).where(model.code == code)):
        problems["code"] = _("代码“%(code)s”已存在", code=code)
    problem = _name_problem(kind, name)
    if problem:
        problems["name"] = problem
    _refuse(problems)
    row = model(code=code, name=name, active=True)
    db.session.add(row)
    db.session.flush()
    return row


def rename_reference(kind, row, name):
    name = (name or "").strip()
    problem = _name_problem(kind, name, exclude_id=row.id)
    if problem:
        _refuse({"name": problem})
    row.name = name
    db.session.flush()
    return row


def set_reference_active(kind, row, active):
    """Deactivate (no longer offered for new records) or reactivate; at least one stays active,
    since a proposal needs a category and a not-filed decision a reason."""
    model, _max_code, _max_name, _unique, last_one = REFERENCE_LISTS[kind]
    if not active and row.active:
        others = db.session.scalar(
            select(func.count()).select_from(model).where(model.active, model.id != row.id)
        )
        if not others:
            _refuse({"active": _(last_one)})
    row.active = bool(active)
    db.session.flush()
    return row


# --- settings ----------------------------------------------------------------------------------


def update_settings(changes):
    """Set several settings at once through committee_settings.set_values (its parsing and
    cross-checks on the values they will all have): related settings may be changed together
    in any order; if any value is refused, raise ValidationError with every message on its key
    (the caller rolls back)."""
    problems = {}
    for key, raw in changes.items():
        try:
            committee_settings.parse(key, raw)
        except ValidationError as exc:
            problems.update(exc.fields or {key: exc.message})
    _refuse(problems)
    return committee_settings.set_values(changes)


# --- holidays beyond the official calendar -----------------------------------------------------


def add_holiday(day, is_workday=False, name=""):
    """Add (or replace) a holiday or a make-up working day (调休上班) in a year the official
    calendar does not cover yet; a covered year is refused."""
    day = parse_day(day)
    name = (name or "").strip()
    problems = {}
    if WorkCalendar().is_official(day):
        problems["day"] = _("%(year)d 年已由官方节假日数据覆盖，无需手工维护", year=day.year)
    if len(name) > 60:
        problems["name"] = _("名称不超过 %(n)d 字", n=60)
    _refuse(problems)
    row = db.session.get(Holiday, day) or Holiday(day=day)
    row.is_workday, row.name = bool(is_workday), name
    db.session.add(row)
    db.session.flush()
    return row


def remove_holiday(day):
    day = parse_day(day)
    row = db.session.get(Holiday, day)
    if row is None:
        _refuse({"day": _("该日期不在节假日表中")})
    db.session.delete(row)
    db.session.flush()
    return day
