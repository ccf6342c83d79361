"""At most ``cosigners_max`` co-signers (联名人) on one proposal (default 20): inviting more,
by creating or by editing, is a 400 naming the field, and nothing is written or sent."""

from sqlalchemy import func, select

from proposals.committee import settings as committee_settings
from proposals.extensions import db
from proposals.notifications.models import Notification
from proposals.workflow.models import Cosigner, Proposal

from .. import flows


def members(make, n):
    users = [make.user("member", username=f"cs{i:03d}") for i in range(n)]
    db.session.commit()
    return [u.username for u in users]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_default_cap_is_twenty(app, ctx):
    assert committee_settings.get("cosigners_max") == 20


def test_inviting_more_than_the_cap_is_refused_and_writes_nothing(world, make, api):
    names = members(make, 21)
    before = (count(Proposal), count(Cosigner), count(Notification))
    resp = api(world.member).post("/proposals", world.content(cosigners=names))
    assert resp.status_code == 400
    assert "20" in resp.get_json()["error"]["fields"]["cosigners"]
    assert (count(Proposal), count(Cosigner), count(Notification)) == before
    # the same names twice are one co-signer each
    resp = api(world.member).post("/proposals", world.content(cosigners=names[:20] * 2))
    assert resp.status_code == 201
    assert len(resp.get_json()["proposers"]["cosigners"]) == 20


def test_editing_beyond_the_cap_is_refused_and_the_setting_moves_it(world, make, api):
    names = members(make, 6)
    p = flows.draft(world, cosigners=[world.member2])
    committee_settings.set_value("cosigners_max", "5")
    db.session.commit()
    resp = api(world.member).patch(f"/proposals/{p.id}", {"cosigners": names})
    assert resp.status_code == 400 and "5" in resp.get_json()["error"]["fields"]["cosigners"]
    kept = db.session.scalars(select(Cosigner.user_id).where(Cosigner.proposal_id == p.id))
    assert list(kept) == [world.member2.id]
    resp = api(world.member).patch(f"/proposals/{p.id}", {"cosigners": names[:5]})
    assert resp.status_code == 200
