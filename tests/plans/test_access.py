"""Only the secretariat prepares and applies assignment plans: everyone else is refused on the
API (401 without a token, 403 otherwise) and on the pages (the login page for an anonymous
browser, 403 otherwise), and nothing changes."""

import io

import pytest

from proposals.extensions import db
from proposals.plans.models import AssignmentPlan

from .. import flows
from .helpers import plans_count, row, states, upload, xlsx

OTHERS = ("member", "clerk_a", "head_a", "admin")


@pytest.fixture()
def plan(world, api):
    p = flows.filed(world)
    resp = upload(api(world.secretariat), xlsx([row(p, lead="ZJJ")]))
    assert resp.status_code == 201
    return p, resp.get_json()["id"]


def test_the_api_is_the_secretariats_alone(world, api, plan):
    proposal, plan_id = plan
    content = xlsx([row(proposal, lead="CZJ")])
    for who in (None, *OTHERS):
        client = api(getattr(world, who) if who else None)
        expected = 401 if who is None else 403
        answers = [
            client.get("/assignment-plans/template.xlsx"),
            upload(client, content),
            client.get(f"/assignment-plans/{plan_id}"),
            client.post(f"/assignment-plans/{plan_id}/apply"),
        ]
        assert [a.status_code for a in answers] == [expected] * 4, who
    assert plans_count() == 1
    assert states(proposal) == ["filed"]
    assert db.session.get(AssignmentPlan, plan_id).applied_at is None
    # and the secretariat may
    sec = api(world.secretariat)
    assert sec.get("/assignment-plans/template.xlsx").status_code == 200
    assert sec.post(f"/assignment-plans/{plan_id}/apply").status_code == 200


def test_the_pages_are_the_secretariats_alone(world, web, plan):
    proposal, plan_id = plan
    base = "/secretariat/assignment-plans"
    for who in (None, *OTHERS):
        client = web(getattr(world, who) if who else None)
        answers = [
            client.get(base),
            client.get(f"{base}/template.xlsx"),
            client.post(
                base, data={"file": (io.BytesIO(xlsx([row(proposal, lead="CZJ")])), "p.xlsx")}
            ),
            client.get(f"{base}/{plan_id}"),
            client.post(f"{base}/{plan_id}/apply"),
        ]
        for answer in answers:
            if who is None:
                assert answer.status_code == 302 and "/login" in answer.headers["Location"]
            else:
                assert answer.status_code == 403, (who, answer.request.path)
    assert plans_count() == 1 and states(proposal) == ["filed"]
    sec = web(world.secretariat)
    assert sec.get(base).status_code == 200
    assert sec.get(f"{base}/{plan_id}").status_code == 200
