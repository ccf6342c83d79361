"""What a count covers: a year or a session, as of the end of a day (Asia/Shanghai), and the
query arguments that choose it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..committee.calendar import LOCAL_TZ, local_date, utcnow
from ..committee.models import CommitteeSession
from ..errors import ValidationError
from ..extensions import db
from ..i18n import _
from ..inputs import MAX_YEAR, MIN_YEAR


@dataclass(frozen=True)
class Window:
    """What is counted: the period (a year or a session) and the moment of the count."""

    kind: str
    year: int
    session_id: int | None
    label: str
    as_of: date
    end: datetime  # the end of ``as_of`` in UTC: events strictly before it count
    year_end: datetime  # the end of 31 December of ``year`` in UTC

    @property
    def year_start(self):
        """The start of 1 January of ``year`` in UTC."""
        return local_midnight(date(self.year, 1, 1))

    def months(self):
        """The 12 (label, start, end) UTC bounds of the months of ``year``."""
        out = []
        for m in range(1, 13):
            first = date(self.year, m, 1)
            after = date(self.year + (m == 12), m % 12 + 1, 1)
            out.append((first.strftime("%Y-%m"), local_midnight(first), local_midnight(after)))
        return out


def local_midnight(day):
    """The start of a local date, in UTC."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def make_window(year, session_id, as_of):
    """The Window of a year (default this year) or a session, as of a date (default today; a
    later date is taken as today). Raises ValidationError for a bad year or session."""
    today = local_date(utcnow())
    as_of = min(as_of or today, today)
    if session_id is not None:
        if year is not None:
            raise ValidationError(fields={"session": _("按年度或按会次统计，只能指定其一")})
        session = db.session.scalar(
            select(CommitteeSession).where(CommitteeSession.id == session_id)
        )
        if session is None:
            raise ValidationError(fields={"session": _("会次不存在")})
        kind, year, label = "session", session.year, session.label
    else:
        year = today.year if year is None else year
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(fields={"year": _("年份无效")})
        kind, label = "year", _("%(year)s 年", year=year)
    return Window(
        kind,
        year,
        session_id,
        label,
        as_of,
        end=local_midnight(as_of + timedelta(days=1)),
        year_end=local_midnight(date(year + 1, 1, 1)),
    )


def read_period_args(args):
    """``year``, ``session`` and ``as_of`` from request arguments (text), for annual_figures.
    Raises ValidationError naming each bad one."""
    errors, out = {}, {}
    for name, key in (("year", "year"), ("session", "session_id")):
        value = (args.get(name) or "").strip()
        if value:
            try:
                out[key] = int(value)
            except ValueError:
                errors[name] = _("应为整数")
    if "year" in out and not MIN_YEAR <= out["year"] <= MAX_YEAR:
        errors["year"] = _("年份无效")
    if "session_id" in out and not 0 < out["session_id"] < 2**31:  # not a database error
        errors["session"] = _("会次不存在")
    if "year" in out and "session_id" in out:
        errors["session"] = _("按年度或按会次统计，只能指定其一")
    value = (args.get("as_of") or "").strip()
    if value:
        try:
            out["as_of"] = date.fromisoformat(value)
        except ValueError:
            errors["as_of"] = _("日期应为 YYYY-MM-DD")
        else:  # the end of the day and a year earlier must be dates too
            if not date(MIN_YEAR, 1, 1) <= out["as_of"] <= date(MAX_YEAR, 12, 31):
                errors["as_of"] = _(
                    "日期应在 %(low)s 到 %(high)s 之间",
                    low=date(MIN_YEAR, 1, 1).isoformat(),
                    high=date(MAX_YEAR, 12, 31).isoformat(),
                )
    if errors:
        raise ValidationError(fields=errors)
    return out
