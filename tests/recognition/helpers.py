"""What the recognition tests share: a year with proposals in several states and units that did
or did not handle an assignment, and the database's fingerprint for "nothing changed"."""

from sqlalchemy import func, select

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.recognition import service
from proposals.recognition.models import Recognition
from proposals.workflow.models import HistoryEntry

from .. import flows
from ..security.access_helpers import BOOKKEEPING_TABLES, diff, dump


def this_year():
    return local_date(utcnow()).year


class Year:
    """The world's current session with two proposals being handled (ZJJ as lead with CZJ as
    co-unit; JYJ alone: the three units accepted an assignment of the year), one filed and not
    assigned, one submitted, and an active unit without any assignment (WGLJ)."""

    def __init__(self, world):
        self.world = world
        self.year = world.session.year
        self.handled = flows.handling(
            world,
            title="关于加快老旧小区改造的建议",
            plan=[(world.unit_a, "lead"), (world.unit_b, "co")],
        )
        self.second = flows.handling(
            world, title="关于推进垃圾分类的建议", plan=[(world.unit_c, "lead")]
        )
        self.filed = flows.filed(world, title="关于完善社区养老服务的建议")
        self.submitted = flows.submitted(world, title="关于增加公交线路的建议")
        self.idle = world.make.department("市文化广电旅游局", "WGLJ")  # active, no assignment
        db.session.commit()

    def nominate(self, subject, reason="建议切实可行，成效明显", **kw):
        """Nominate a proposal (by id) or a unit (by code) as the secretariat, committed."""
        data = {"year": self.year, "reason": reason, **kw}
        if hasattr(subject, "title"):
            data.update(kind="proposal", proposal_id=subject.id)
        else:
            data.update(kind="department", department=subject.code)
        r = service.nominate(self.world.secretariat, data)
        db.session.commit()
        return r

    def decide(self, recognition, award, comment=None, **kw):
        data = {"award": award} if comment is None else {"award": award, "comment": comment}
        r = service.decide(self.world.secretariat, recognition, data, **kw)
        db.session.commit()
        return r


def fingerprint():
    """Every row of every table but the security bookkeeping (login times, audit records)."""
    db.session.commit()
    return dump(exclude=BOOKKEEPING_TABLES)


def changes(before):
    db.session.rollback()
    return diff(before, dump(exclude=BOOKKEEPING_TABLES))


def nominations():
    return db.session.scalar(select(func.count()).select_from(Recognition))


def history_of(proposal):
    return db.session.scalars(
        select(HistoryEntry.action)
        .where(HistoryEntry.proposal_id == proposal.id)
        .order_by(HistoryEntry.id)
    ).all()
