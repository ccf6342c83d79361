"""Working days on the official Chinese calendar (docs/domain.md) and the deadlines computed from
it (§3). The dates below were checked against the State Council's announcements (国务院办公厅关于
2024/2025/2026 年部分节假日安排的通知)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from proposals.committee.calendar import (
    WorkCalendar,
    add_months,
    coverage_note,
    local_date,
    official_years,
)
from proposals.errors import ValidationError
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

D = date.fromisoformat
CAL = WorkCalendar()


def utc(text):
    """An aware UTC moment from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- the official calendar, no database ---------------------------------------------------------

OFFICIAL_HOLIDAYS = {
    # 国庆 2024: 10月1日至7日放假调休
    "2024 national day": ("2024-10-01", "2024-10-07"),
    # 春节 2024: 2月10日至17日
    "2024 spring festival": ("2024-02-10", "2024-02-17"),
    # 春节 2025: 1月28日（除夕）至2月4日
    "2025 spring festival": ("2025-01-28", "2025-02-04"),
    # 国庆、中秋 2025: 10月1日至8日
    "2025 national day": ("2025-10-01", "2025-10-08"),
    # 春节 2026: 2月15日至23日
    "2026 spring festival": ("2026-02-15", "2026-02-23"),
    # 国庆 2026: 10月1日至7日
    "2026 national day": ("2026-10-01", "2026-10-07"),
}

# 调休上班: weekend days that are working days
MAKE_UP_WORKDAYS = [
    "2024-02-04",
    "2024-02-18",
    "2024-09-29",
    "2024-10-12",
    "2025-01-26",
    "2025-02-08",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-09-20",
    "2026-10-10",
]


@pytest.mark.parametrize("name", OFFICIAL_HOLIDAYS)
def test_every_day_of_an_official_holiday_is_not_a_working_day(name):
    first, last = map(D, OFFICIAL_HOLIDAYS[name])
    day = first
    while day <= last:
        assert not CAL.is_workday(day), f"{day} is part of {name}"
        day += timedelta(days=1)
    # the days around the holiday that are ordinary weekdays are working days
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    for d in (before, after):
        if d.weekday() < 5:
            assert CAL.is_workday(d), d


@pytest.mark.parametrize("day", MAKE_UP_WORKDAYS)
def test_make_up_working_days_on_weekends_are_working_days(day):
    d = D(day)
    assert d.weekday() >= 5, "the fixture must name a weekend day"
    assert CAL.is_workday(d)


def test_an_ordinary_weekend_is_not_a_working_day():
    assert not CAL.is_workday(D("2025-10-12"))  # Sunday after the make-up Saturday
    assert not CAL.is_workday(D("2025-03-15"))
    assert CAL.is_workday(D("2025-03-14"))  # a Friday


@pytest.mark.parametrize(
    "start, n, expected, why",
    [
        ("2025-03-14", 1, "2025-03-17", "Friday + 1 is the next Monday"),
        ("2025-03-14", 5, "2025-03-21", "Friday + 5 is the next Friday"),
        ("2025-03-14", 0, "2025-03-14", "zero working days is the same day"),
        ("2025-03-15", 1, "2025-03-17", "from a Saturday the first working day is Monday"),
        # 2025 National Day: Sunday 28 Sep is a make-up working day, 1–8 Oct off, Sat 11 Oct works
        ("2025-09-26", 1, "2025-09-28", "Friday before National Day: the make-up Sunday counts"),
        ("2025-09-26", 5, "2025-10-10", "28, 29, 30 Sep then 9, 10 Oct"),
        ("2025-09-30", 1, "2025-10-09", "the day before the holiday jumps the whole holiday"),
        ("2025-09-30", 5, "2025-10-14", "9, 10, 11 (make-up Saturday), 13, 14 Oct"),
        ("2025-09-30", 15, "2025-10-28", "the 15-working-day contact window"),
        ("2025-10-10", 1, "2025-10-11", "Friday + 1 is the make-up Saturday"),
        # 2024 National Day: Sunday 29 Sep and Saturday 12 Oct work, 1–7 Oct off
        ("2024-09-27", 1, "2024-09-29", "Friday + 1 is the make-up Sunday"),
        ("2024-09-30", 1, "2024-10-08", "Monday before National Day + 1 is 8 Oct"),
        ("2024-09-30", 5, "2024-10-12", "8, 9, 10, 11, 12 (make-up Saturday) Oct"),
        # Spring Festivals
        (
            "2024-02-08",
            2,
            "2024-02-18",
            "9 Feb (除夕 is a working day in 2024), then Sunday 18 Feb",
        ),
        ("2025-01-24", 1, "2025-01-26", "Friday + 1 is the make-up Sunday 26 Jan"),
        ("2025-01-27", 1, "2025-02-05", "27 Jan + 1 jumps 28 Jan–4 Feb"),
        ("2025-01-27", 4, "2025-02-08", "5, 6, 7 Feb and the make-up Saturday 8 Feb"),
        ("2026-02-13", 1, "2026-02-14", "Friday + 1 is the make-up Saturday 14 Feb"),
        ("2026-02-13", 2, "2026-02-24", "then 15–23 Feb off"),
        ("2026-09-30", 1, "2026-10-08", "2026 National Day is 1–7 Oct"),
    ],
)
def test_add_working_days_follows_the_official_calendar(start, n, expected, why):
    assert CAL.add_working_days(D(start), n) == D(expected), why


def test_working_days_between_and_subtract_agree_with_add():
    start = D("2025-09-26")
    end = CAL.add_working_days(start, 10)
    assert CAL.working_days_between(start, end) == 10
    assert CAL.subtract_working_days(end, 10) == start
    # the whole 2025 National Day holiday counts for nothing
    assert CAL.working_days_between(D("2025-09-30"), D("2025-10-08")) == 0


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(D("2025-03-14"), -1)


@pytest.mark.parametrize(
    "start, months, expected, why",
    [
        ("2025-01-31", 1, "2025-02-28", "31 Jan + 1 month is the last day of February"),
        ("2024-01-31", 1, "2024-02-29", "in a leap year that is 29 Feb"),
        ("2025-11-30", 3, "2026-02-28", "30 Nov + 3 months is the end of February"),
        ("2023-11-30", 3, "2024-02-29", "… 29 Feb in a leap year"),
        ("2025-08-31", 1, "2025-09-30", "31 Aug + 1 month is 30 Sep"),
        ("2025-09-30", 3, "2025-12-30", "an ordinary 3-month reply deadline"),
        ("2025-09-30", 6, "2026-03-30", "the 6-month extension limit"),
        ("2025-10-15", 3, "2026-01-15", "calendar months ignore holidays and weekends"),
    ],
)
def test_add_months_is_calendar_months_clamped_to_the_month_end(start, months, expected, why):
    assert add_months(D(start), months) == D(expected), why


def test_local_date_is_asia_shanghai():
    # 16:30 UTC on 30 Sep is 00:30 on 1 Oct in Beijing
    assert local_date(utc("2025-09-30T16:30")) == D("2025-10-01")
    assert local_date(utc("2025-09-30T15:59")) == D("2025-09-30")
    # a naive datetime is taken as UTC
    assert local_date(datetime(2025, 9, 30, 16, 30)) == D("2025-10-01")


# --- beyond the official calendar: weekends plus the admin's override list ---------------------


def _beyond():
    """The first year the calendar package does not know, with one of its Mondays and the
    Saturday before it."""
    year = official_years()[1] + 1
    monday = date(year, 10, 1) + timedelta(days=(7 - date(year, 10, 1).weekday()) % 7)
    return year, monday, monday - timedelta(days=2)


def test_the_package_covers_2024_to_2026_and_no_further_than_it_says():
    first, last = official_years()
    assert first <= 2024 and last >= 2026
    assert not CAL.is_official(date(last + 1, 1, 5))
    assert CAL.is_official(date(last, 12, 31))


def test_unannounced_year_falls_back_to_weekends():
    year, monday, saturday = _beyond()
    cal = WorkCalendar()
    assert cal.is_workday(monday)
    assert not cal.is_workday(saturday)
    assert not cal.is_workday(saturday + timedelta(days=1))
    # 1 Jan of an unannounced year is not known to be a holiday: only weekends are off
    friday = saturday - timedelta(days=1)
    assert cal.add_working_days(friday, 1) == monday


def test_unannounced_year_uses_the_override_list():
    year, monday, saturday = _beyond()
    friday = saturday - timedelta(days=1)
    cal = WorkCalendar({monday: False, saturday: True})  # a holiday on a weekday; 调休 Saturday
    assert not cal.is_workday(monday)
    assert cal.is_workday(saturday)
    assert cal.add_working_days(friday, 1) == saturday
    assert cal.add_working_days(friday, 2) == monday + timedelta(days=1)  # Sunday off, Monday off
    assert cal.working_days_between(friday, monday + timedelta(days=1)) == 2


def test_counting_across_the_last_announced_year_end_switches_to_the_fallback():
    last = official_years()[1]
    new_year = date(last + 1, 1, 1)
    cal = WorkCalendar({new_year: False})  # the admin entered 元旦 of the unannounced year
    expected = new_year + timedelta(days=1)
    while expected.weekday() >= 5:
        expected += timedelta(days=1)
    assert cal.add_working_days(date(last, 12, 31), 1) == expected
    # without the admin's entry, 1 January would count as a working day if it is a weekday
    if new_year.weekday() < 5:
        assert WorkCalendar().add_working_days(date(last, 12, 31), 1) == new_year


def test_overrides_never_change_an_announced_year():
    cal = WorkCalendar({D("2025-10-01"): True, D("2025-09-28"): False})
    assert not cal.is_workday(D("2025-10-01"))
    assert cal.is_workday(D("2025-09-28"))


def test_coverage_note_says_when_the_fallback_is_in_use():
    first, last = official_years()
    covered = coverage_note(today=date(last - 1, 6, 1))
    assert f"{first}–{last}" in covered and "周末" not in covered
    # in the package's last year the next year's deadlines need the fallback
    note = coverage_note(today=date(last, 6, 1))
    assert str(last + 1) in note and "周末" in note and "holidays add" in note


# --- deadlines stored on assignments (database) -------------------------------------------------


def _assigned_at(world, moment, plan=None):
    """A proposal drafted, submitted, filed and assigned, every step at ``moment`` (UTC)."""
    p = ops.create_proposal(world.member, world.content(), now=moment)
    ops.submit_proposal(world.member, p, now=moment)
    ops.review_proposal(world.secretariat, p, {"decision": "file"}, now=moment)
    plan = plan or [(world.unit_a, "lead")]
    ops.assign_proposal(
        world.secretariat, p, [{"code": d.code, "role": r} for d, r in plan], now=moment
    )
    db.session.commit()
    return p


def test_assignment_deadlines_skip_national_day_in_working_days(world):
    """DOMAIN §3: accept within 5 working days, first contact within 15 working days (official
    calendar); co-unit opinion 1 month and reply 3 months (calendar months)."""
    # 10:00 Beijing time on Tuesday 30 Sep 2025, the last working day before 1–8 Oct
    p = _assigned_at(world, utc("2025-09-30T02:00"), [(world.unit_a, "lead"), (world.unit_b, "co")])
    lead = next(a for a in loaded(p, "assignments").assignments if a.role == "lead")
    co = next(a for a in loaded(p, "assignments").assignments if a.role == "co")
    assert lead.round_started_on == D("2025-09-30")
    assert lead.accept_due == D("2025-10-14")  # 9, 10, 11 (调休), 13, 14 Oct
    assert lead.contact_due == D("2025-10-28")
    assert lead.reply_due == D("2025-12-30")  # 3 calendar months
    assert lead.opinion_due is None
    assert co.opinion_due == D("2025-10-30")  # 1 calendar month
    assert co.accept_due == D("2025-10-14")


def test_assignment_dates_are_counted_from_the_beijing_date(world):
    """Time is UTC in the database, deadlines count from the local (Asia/Shanghai) date: 17:00
    UTC on Thursday 13 Mar 2025 is already Friday 14 Mar in Beijing."""
    p = _assigned_at(world, utc("2025-03-13T17:00"))
    a = loaded(p, "assignments").assignments[0]
    assert a.round_started_on == D("2025-03-14")
    assert a.accept_due == D("2025-03-21")  # Friday + 5 working days, not Thursday + 5
    assert a.reply_due == D("2025-06-14")


def test_extension_beyond_six_months_after_assignment_is_refused(world):
    """DOMAIN §3: an extension is never beyond 6 months after assignment."""
    moment = utc("2025-09-30T02:00")
    p = _assigned_at(world, moment)
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=moment)
    db.session.commit()
    later = utc("2025-12-01T02:00")
    with pytest.raises(ValidationError) as err:
        hops.request_extension(
            world.clerk_a, a, {"until": "2026-03-31", "reason": "需要调研"}, now=later
        )
    assert "until" in err.value.fields and "2026-03-30" in err.value.fields["until"]
    db.session.rollback()
    assert loaded(a, "extension_requests").extension_requests == []
    # exactly 6 months is allowed, and approving it moves the effective deadline
    hops.request_extension(
        world.clerk_a, a, {"until": "2026-03-30", "reason": "需要调研"}, now=later
    )
    hops.decide_extension(world.secretariat, a, {"approve": True}, now=later)
    db.session.commit()
    assert a.extended_to == D("2026-03-30") and a.effective_due == D("2026-03-30")


def test_unsatisfied_rating_restarts_a_three_month_reply_deadline_from_the_rating_date(world):
    """DOMAIN §3.4: unsatisfied sends the item back for re-handling with a new 3-month deadline,
    counted from the rating (not from the original assignment)."""
    assigned = utc("2025-08-29T02:00")
    p = _assigned_at(world, assigned)
    a = loaded(p, "assignments").assignments[0]
    hops.accept_assignment(world.clerk_a, a, now=assigned)
    hops.record_contact(
        world.clerk_a,
        a,
        {"mode": "phone", "date": "2025-09-01", "summary": "电话沟通"},
        now=utc("2025-09-01T02:00"),
    )
    replied_at = utc("2025-11-20T02:00")
    reply = hops.draft_reply(
        world.clerk_a,
        a,
        {
            "result": "B",
            "text": "答复正文",
            "signer": "局长 王某",
            "contact": "赵某 0571-88888888",
            "promised_date": "2026-06-30",
        },
        now=replied_at,
    )
    hops.signoff_reply(world.head_a, reply, {"approve": True}, now=replied_at)
    hops.review_reply(world.secretariat, reply, {"approve": True}, now=replied_at)
    db.session.commit()
    assert reply.rating_due == CAL.add_working_days(D("2025-11-20"), 15)
    hops.rate_reply(
        world.member,
        reply,
        {"rating": "unsatisfied", "comment": "未解决实际问题"},
        now=utc("2025-11-30T03:00"),
    )
    db.session.commit()
    assert a.state == "rehandling" and a.round == 2
    assert a.round_started_on == D("2025-11-30")
    assert a.reply_due == D("2026-02-28")  # 30 Nov + 3 months, clamped to the month end
    assert a.effective_due == D("2026-02-28")
