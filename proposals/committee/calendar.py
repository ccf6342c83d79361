"""Working days on the official Chinese calendar, and calendar months.

The ``chinese-calendar`` package knows the public holidays and make-up working days (调休) of the
years the State Council has announced. For a later year we fall back to weekends plus the
admin's own list (the ``holidays`` table) and say so (see :func:`coverage_note`).
"""

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from dateutil.relativedelta import relativedelta

from ..i18n import _

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow():
    return datetime.now(UTC)


def local_date(moment):
    """The date in Asia/Shanghai of an aware (or naive UTC) datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


@functools.cache
def official_years():
    """The years the calendar package knows."""
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


class WorkCalendar:
    """Decides working days; ``overrides`` maps dates to True (workday) / False (holiday) for
    years beyond the official calendar."""

    def __init__(self, overrides=None):
        self.overrides = dict(overrides or {})
        self.first_year, self.last_year = official_years()
        self._workdays = {}  # day -> bool: a calendar lives for one request or one sweep

    def is_official(self, day):
        return self.first_year <= day.year <= self.last_year

    def is_workday(self, day):
        known = self._workdays.get(day)
        if known is None:
            known = self._workdays[day] = self._is_workday(day)
        return known

    def _is_workday(self, day):
        if self.is_official(day):
            return chinese_calendar.is_workday(day)
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def add_working_days(self, start, n):
        """The n-th working day after ``start`` (``start`` itself not counted)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def working_days_between(self, start, end):
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def subtract_working_days(self, end, n):
        """The date n working days before ``end``."""
        day = end
        while n:
            day -= timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day


def add_months(start, months):
    """Calendar months: 31 Jan + 1 month is the last day of February."""
    return start + relativedelta(months=months)


def load_calendar():
    """The calendar with the admin's holiday list (one small query)."""
    from ..extensions import db
    from .models import Holiday

    rows = db.session.execute(db.select(Holiday.day, Holiday.is_workday)).all()
    return WorkCalendar({d: w for d, w in rows})


def coverage_note(today=None, *, page=False):
    """A sentence for the admin about the years the official calendar covers: for the command
    line (``holidays add``), or with ``page`` for the settings page, whose holiday table is
    right below the note. In the request's language (Chinese outside a request)."""
    today = today or local_date(utcnow())
    first, last = official_years()
    if today.year + 1 <= last:
        return _("官方节假日数据覆盖 %(first)d–%(last)d 年。", first=first, last=last)
    if page:
        return _(
            "官方节假日数据仅覆盖至 %(last)d 年；%(next)d 年起按周末加下方节假日表计算工作日，"
            "请在国务院公布 %(next)d 年的放假安排后补充。",
            last=last,
            next=last + 1,
        )
    return _(
        "官方节假日数据仅覆盖至 %(last)d 年；%(next)d 年起按周末加管理员维护的节假日表计算工作日，"
        "请在国务院公布安排后用 `holidays add` 补充。",
        last=last,
        next=last + 1,
    )
