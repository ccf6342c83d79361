"""The publication rule.

A delivered reply is published once ``disclosure_delay_working_days`` (N) working days have
passed since the day (Asia/Shanghai) it was delivered: from the N-th working day after the
delivery date on (the delivery date itself not counted, as for every working-day deadline; see
WorkCalendar.add_working_days). With N = 0 it is public on the day of delivery.

Equivalently, on ``today`` every reply delivered on or before :func:`cutoff` is public. The
cut-off is computed, never stored: changing the setting or the holiday list moves it at once.

A proposal is public when it was filed (filed, assigned or closed: not a draft, not filed,
merged or withdrawn proposal), is not marked not for disclosure (不公开) and has at least one
published reply; its page shows only its published replies.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, exists, select

from ..committee import settings as committee_settings
from ..committee.calendar import LOCAL_TZ, load_calendar
from ..handling.models import Assignment, Reply
from ..workflow.models import Proposal
from ..workflow.states import AssignmentState as A
from ..workflow.states import ProposalState as P
from ..workflow.states import ReplyState as R

PUBLIC_PROPOSAL_STATES = (P.FILED, P.ASSIGNED, P.CLOSED)
DELIVERED_REPLY_STATES = (R.DELIVERED, R.RATED, R.UNRATED)


def cutoff(today, delay, cal):
    """The last delivery date whose replies are public on ``today``: the day before the
    ``delay``-th working day counting back from ``today`` (``today`` included)."""
    if delay <= 0:
        return today
    return cal.subtract_working_days(today + timedelta(days=1), delay) - timedelta(days=1)


def publication_date(delivered_on, delay, cal):
    """The first day a reply delivered on ``delivered_on`` is public."""
    return cal.add_working_days(delivered_on, delay) if delay > 0 else delivered_on


def current_cutoff(today, conf=None):
    """:func:`cutoff` with the committee's setting (from ``conf``, all the settings, when the
    caller has read them) and calendar (two small queries)."""
    delay = (conf or {}).get("disclosure_delay_working_days")
    if delay is None:
        delay = committee_settings.get("disclosure_delay_working_days")
    return cutoff(today, delay, load_calendar())


def _end_of(day):
    """The first moment after ``day`` in Asia/Shanghai (an aware datetime)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


def published_reply(last_day):
    """SQL condition on Reply: delivered on or before ``last_day`` (a cut-off date)."""
    return and_(
        Reply.state.in_(DELIVERED_REPLY_STATES),
        Reply.delivered_at.is_not(None),
        Reply.delivered_at < _end_of(last_day),
    )


def published_proposal(last_day):
    """SQL condition on Proposal: public with the cut-off ``last_day``."""
    has_reply = exists(
        select(Reply.id)
        .join(Assignment, Assignment.id == Reply.assignment_id)
        .where(
            Assignment.proposal_id == Proposal.id,
            Assignment.state != A.REASSIGNED,
            published_reply(last_day),
        )
    )
    return and_(
        Proposal.state.in_(PUBLIC_PROPOSAL_STATES),
        Proposal.not_for_disclosure.is_(False),
        has_reply,
    )


def is_reply_published(reply, last_day):
    """The same rule in Python, for one loaded reply."""
    if reply.state not in DELIVERED_REPLY_STATES or reply.delivered_at is None:
        return False
    moment = reply.delivered_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment < _end_of(last_day)
