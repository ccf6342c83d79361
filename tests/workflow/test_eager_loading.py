"""No hidden lazy loading: every relationship is either eager (loaded with its row in
a fixed number of statements) or raises when touched unloaded, so that a page, an answer or an
operation that forgot to load something fails in the tests instead of issuing one query per
row in production. Code loads what it needs with loader options at the query that fetches the
rows, or with proposals.workflow.core.loaded() for one record of one operation."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError

from proposals.accounts.models import User
from proposals.extensions import db
from proposals.handling.models import Assignment, Contact
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from ..conftest import recorded

# joined/selectin/subquery: eager, a fixed number of statements for any number of rows;
# raise/raise_on_sql: never loads implicitly (raise_on_sql still answers a many-to-one from
# the identity map, without SQL). Not allowed: "select" (the default, one query per object),
# "immediate" (the same, at load time), "dynamic" (a query per access), "noload" (silently
# empty: a page would show nothing instead of failing) and "write_only".
ALLOWED = {"joined", "selectin", "subquery", "raise", "raise_on_sql"}


def fresh_assignment(world):
    """An assigned proposal's id and its assignment, read in a session that holds nothing
    else (as in a real request)."""
    pid = flows.assigned(world).id
    db.session.commit()
    db.session.expunge_all()
    return pid, db.session.scalars(select(Assignment).where(Assignment.proposal_id == pid)).one()


def test_every_relationship_is_eager_or_raises(app):  # the app imports every model
    relationships = [
        (mapper.class_.__name__, rel.key, rel.lazy)
        for mapper in db.Model.registry.mappers
        for rel in mapper.relationships
    ]
    assert len(relationships) >= 39  # the guard looks at the real models
    wrong = [
        f"{cls}.{key}: lazy={lazy!r}" for cls, key, lazy in relationships if lazy not in ALLOWED
    ]
    assert not wrong, "relationships that load lazily: " + ", ".join(wrong)


def test_an_unloaded_collection_raises_instead_of_loading(world):
    pid = flows.assigned(world).id
    db.session.commit()
    db.session.expunge_all()
    proposal = db.session.get(Proposal, pid)
    for name in ("assignments", "cosigners", "history", "merged", "suggested_departments"):
        with pytest.raises(InvalidRequestError, match="raise_on_sql"):
            getattr(proposal, name)
    assignment = db.session.scalars(select(Assignment).where(Assignment.proposal_id == pid)).one()
    with pytest.raises(InvalidRequestError, match="raise_on_sql"):
        assignment.replies
    # raise_on_sql, not raise: a many-to-one whose target is in the session needs no SQL
    same, seen = recorded(lambda: assignment.proposal)
    assert same is proposal and seen == []


def test_a_many_to_one_outside_the_session_raises(world):
    _pid, assignment = fresh_assignment(world)
    with pytest.raises(InvalidRequestError, match="raise_on_sql"):
        assignment.proposal


def test_loaded_loads_explicitly_what_is_missing_once(world):
    pid, assignment = fresh_assignment(world)
    _, seen = recorded(lambda: loaded(assignment, "proposal", "contacts"))
    assert assignment.proposal.id == pid and assignment.contacts == []
    assert len(seen) == 3  # the proposal's row, the assignment's row, its contacts
    _, again = recorded(lambda: loaded(assignment, "proposal", "contacts"))
    assert again == []  # already loaded: nothing
    # a child added through its many-to-one while the collection was not loaded is kept
    clerk_id = db.session.scalar(select(User.id).where(User.username == "clerk_a"))
    db.session.commit()
    db.session.add(
        Contact(
            assignment=assignment,
            mode="phone",
            day=assignment.contact_due,
            summary="电话沟通",
            recorded_by_id=clerk_id,
        )
    )
    assert [c.summary for c in loaded(assignment, "contacts").contacts] == ["电话沟通"]


def test_the_proposal_page_and_answer_load_everything_they_show(world, api, web):
    pid = flows.replied(world)[0].id
    member, browser = api(world.member), web(world.member)
    db.session.expunge_all()  # as in a real request: nothing already in the session
    r = member.get(f"/proposals/{pid}")
    assert r.status_code == 200 and r.json["replies"], r.json
    db.session.expunge_all()
    assert browser.get(f"/proposals/{pid}").status_code == 200
