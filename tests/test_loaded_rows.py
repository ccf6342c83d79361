"""Who asks is read as plain columns and made the session's User (extensions.as_loaded,
security/sessions.py user_from_row; issue 7): the object behaves as if the ORM had loaded it:
persistent, unchanged, its unit there without a statement, changes flushed, and the session's
own object (its expired attributes filled from the row) when it already holds that user."""
from sqlalchemy import select

from proposals.accounts.models import Department, User
from proposals.extensions import db, read_rows
from proposals.security.sessions import user_columns, user_from_row

from .conftest import recorded


def read_user(user_id):
    statement = (select(*user_columns()).select_from(User)
                 .outerjoin(Department, Department.id == User.department_id)
                 .where(User.id == user_id))
    return user_from_row(read_rows(statement).one())


def test_a_user_read_as_columns_is_as_loaded(world):
    clerk_id, unit_id = world.clerk_a.id, world.unit_a.id
    db.session.commit()
    db.session.expunge_all()  # as at the start of a request
    user, statements = recorded(lambda: read_user(clerk_id))
    assert len(statements) == 1
    (name, unit_name, created), none = recorded(
        lambda: (user.name, user.department.name, user.created_at))
    assert none == [] and user.department.id == unit_id and created.tzinfo is not None
    assert not db.session.dirty and not db.session.new and user in db.session
    assert db.session.get(User, clerk_id) is user  # in the identity map
    assert db.session.get(Department, unit_id) is user.department
    _nothing, flushed = recorded(db.session.flush)
    assert flushed == []  # nothing pending
    user.phone = "13800000000"
    _done, flushed = recorded(db.session.commit)
    assert any(s.startswith("UPDATE users") for s in flushed)
    db.session.expunge_all()
    assert db.session.get(User, clerk_id).phone == "13800000000"


def test_a_member_without_a_unit(world):
    member_id = world.member.id
    db.session.commit()
    db.session.expunge_all()
    user = read_user(member_id)
    assert user.department is None and user.role == "member"


def test_the_sessions_own_user_comes_back_with_its_expired_attributes_from_the_row(world):
    clerk = world.clerk_a
    db.session.execute(User.__table__.update().where(User.__table__.c.id == clerk.id)
                       .values(name="改过的名字"))
    db.session.expire(clerk)  # (as a commit does)
    user, _statements = recorded(lambda: read_user(clerk.id))
    assert user is clerk
    name, none = recorded(lambda: clerk.name)
    assert name == "改过的名字" and none == []  # set from the row, not loaded again
    assert not db.session.dirty
