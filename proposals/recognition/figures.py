"""The year's recognition in the annual figures (stats/figures.py): the awarded excellent
proposals and outstanding units, with who decided and when, as one more branch of the single
statement of annual_figures. Nominations still open or declined are not recognised, nor
decisions taken after the as-of date."""

from datetime import UTC, datetime

from sqlalchemy import String, and_, cast, func, or_
from sqlalchemy.orm import aliased

from ..accounts.models import Department, User
from ..committee.calendar import LOCAL_TZ
from ..workflow.models import Proposal, number_label
from .models import Recognition

SECTION = "recognition"


def awarded_section(window):
    """The awarded nominations of the window's year decided by the end of its as-of date; for
    a session, its own proposals (the units of the whole year). One row each: kind, the title
    or the unit's name, the first proposer's name or the unit's code, who decided, when (as
    text: the branches of the statement share their columns' types), and the number and id of
    the proposal."""
    # stats/__init__ imports the figures, which import this module: Section is read when the
    # statement is built, after both are loaded
    from ..stats.sql import Section

    proposer = aliased(User, name="recognised_proposer")
    decider = aliased(User, name="recognition_decider")
    conditions = [
        Recognition.year == window.year,
        Recognition.state == "awarded",
        Recognition.decided_at < window.end,
    ]
    if window.session_id is not None:
        conditions.append(
            or_(Recognition.kind == "department", Proposal.session_id == window.session_id)
        )
    return Section(
        SECTION,
        key=Recognition.id,
        texts=[
            Recognition.kind,
            func.coalesce(Proposal.title, Department.name),
            func.coalesce(proposer.name, Department.code),
            decider.name,
            cast(Recognition.decided_at, String),
        ],
        ints=[Proposal.number, Proposal.id],
        shape=lambda s: (
            s.select_from(Recognition)
            .outerjoin(Proposal, Proposal.id == Recognition.proposal_id)
            .outerjoin(proposer, proposer.id == Proposal.proposer_id)
            .outerjoin(Department, Department.id == Recognition.department_id)
            .join(decider, decider.id == Recognition.decided_by_id)
            .where(and_(*conditions))
        ),
    )


def decided_time(text):
    """The decision time as the statement gives it (naive UTC text, as SQLite stores it or as
    PostgreSQL casts it) in Asia/Shanghai, ISO 8601."""
    if not text:
        return None
    moment = datetime.fromisoformat(str(text).replace(" ", "T"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).isoformat()


def awarded(rows):
    """{"proposals": [...], "departments": [...]}: the excellent proposals by number (id,
    number, number_label, title, proposer, decided_by, decided_at) and the outstanding units
    by code (code, name, decided_by, decided_at)."""
    proposals, departments = [], []
    for r in rows:
        kind, name, other, decided_by, decided_at = r.texts[:5]
        number, proposal_id = r.ints[:2]
        when = decided_time(decided_at)
        if kind == "proposal":
            number = None if number is None else int(number)
            proposals.append(
                {
                    "id": None if proposal_id is None else int(proposal_id),
                    "number": number,
                    "number_label": number_label(number),
                    "title": name,
                    "proposer": other,
                    "decided_by": decided_by,
                    "decided_at": when,
                }
            )
        else:
            departments.append(
                {"code": other, "name": name, "decided_by": decided_by, "decided_at": when}
            )
    proposals.sort(key=lambda p: (p["number"] is None, p["number"] or 0, p["id"] or 0))
    departments.sort(key=lambda d: d["code"] or "")
    return {"proposals": proposals, "departments": departments}
