"""The periodic sweep over stored deadlines. It moves the records whose deadline has passed
(expired co-signing invitations, acceptance windows, rating windows); each step is safe to run
twice and catches up with whatever was missed."""
from ..committee.calendar import utcnow
from ..extensions import db
from ..handling.operations import expire_ratings, settle_acceptances
from ..workflow.operations import expire_invitations


def run_sweep(now=None):
    now = now or utcnow()
    counts = {
        "invitations_expired": len(expire_invitations(now=now)),
        "assignments_auto_accepted": len(settle_acceptances(now=now)),
        "replies_unrated": len(expire_ratings(now=now)),
    }
    db.session.commit()
    return counts
