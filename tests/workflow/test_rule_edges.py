"""Rules at their edges, each with a test that a one-character change in the rule would fail:
the last day of the acceptance window, and the headline's "全部办复" while a filed proposal
still waits for its assignment."""

from datetime import UTC, datetime, time, timedelta

import pytest

from proposals.committee.calendar import LOCAL_TZ, local_date, utcnow
from proposals.errors import InvalidState
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.stats import annual_figures
from proposals.workflow.core import loaded
from proposals.workflow.states import AssignmentState as A

from .. import flows


def utc_at(day, hour=10):
    """``hour`` o'clock of ``day`` in Beijing time, in UTC as the operations take it."""
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC)


def pending(world):
    p = flows.assigned(world)
    return loaded(p, "assignments").assignments[0]


@pytest.mark.parametrize("hour", [0, 23])
def test_a_unit_may_accept_on_the_last_day_of_its_window(world, hour):
    a = pending(world)
    hops.accept_assignment(world.clerk_a, a, now=utc_at(a.accept_due, hour))
    assert a.state == A.HANDLING
    kinds = [h.action for h in loaded(a.proposal, "history").history]
    assert "accept" in kinds and "auto_accept" not in kinds


@pytest.mark.parametrize("hour", [0, 23])
def test_a_unit_may_ask_for_reassignment_on_the_last_day_of_its_window(world, hour):
    a = pending(world)
    hops.request_reassignment(world.clerk_a, a, "不属于本单位职责", now=utc_at(a.accept_due, hour))
    assert a.state == A.REASSIGNMENT_REQUESTED


def test_the_day_after_the_window_the_item_is_taken_as_accepted(world):
    a = pending(world)
    next_day = utc_at(a.accept_due + timedelta(days=1), 0)
    with pytest.raises(InvalidState):
        hops.request_reassignment(world.clerk_a, a, "不属于本单位职责", now=next_day)
    db.session.rollback()
    with pytest.raises(InvalidState):  # already taken as accepted: nothing left to accept
        hops.accept_assignment(world.clerk_a, a, now=next_day)
    assert a.state == A.HANDLING
    kinds = [h.action for h in loaded(a.proposal, "history").history]
    assert "auto_accept" in kinds and "accept" not in kinds


def test_the_sweep_settles_only_after_the_last_day(world):
    a = pending(world)
    assert hops.settle_acceptances(now=utc_at(a.accept_due, 23)) == []
    assert a.state == A.PENDING
    assert hops.settle_acceptances(now=utc_at(a.accept_due + timedelta(days=1), 0)) == [a]
    assert a.state == A.HANDLING


def test_the_headline_is_not_all_replied_while_a_filed_proposal_waits_for_assignment(world):
    flows.replied(world)
    flows.filed(world, title="关于尚未交办事项的建议")
    figures = annual_figures(year=local_date(utcnow()).year)
    assert figures["filed"] == 2 and figures["replied_proposals"] == 1
    assert "全部办复" not in figures["headline"]
    assert "已办复 1 件" in figures["headline"]
    assert "办复率 50%" in figures["headline"]


def test_the_headline_is_all_replied_once_every_filed_proposal_is(world):
    flows.replied(world)
    figures = annual_figures(year=local_date(utcnow()).year)
    assert figures["filed"] == 1 and "全部办复" in figures["headline"]
