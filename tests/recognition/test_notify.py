"""Proposers hear when their proposal is awarded as excellent, and not before."""

from sqlalchemy import select

from proposals.extensions import db
from proposals.notifications.models import Notification

from .helpers import Year


def told_of_awards():
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "proposal_excellent")
    )
    return [n.recipient.username for n in notes]


def test_the_proposers_are_told_of_an_award_only(world):
    year = Year(world)
    nominated = year.nominate(year.handled)
    assert told_of_awards() == []
    declined = year.nominate(year.second)
    year.decide(declined, False)
    assert told_of_awards() == []
    year.decide(nominated, True)
    assert told_of_awards() == [world.member.username]
