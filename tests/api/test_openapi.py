"""The OpenAPI description (/api/v1/openapi.json) describes every API route, and schemathesis,
run in-process against the app over a small populated world as a member, the secretariat and a
unit clerk, finds no server error, no response outside the schema and no undeclared status."""

import time
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from proposals.accounts.models import ApiToken
from proposals.api.openapi import api_rules, build_spec
from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.notifications.models import Notification
from proposals.workflow.core import loaded

from .. import flows

MAX_EXAMPLES = 5  # per operation, per mode (positive and negative), per principal
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def test_every_api_route_is_described(app):
    spec = build_spec(app)
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    routes = api_rules(app)
    assert routes, "no /api/v1 routes found"
    assert sorted(routes - described) == [], "API routes without an OpenAPI description"
    assert sorted(described - routes) == [], "described operations the app does not have"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert codes & {"200", "201", "202", "204"}, (path, method)  # 202: queued
            assert {"400", "413", "429"} <= codes, (path, method)
            if operation.get("security") != []:
                assert {"401", "403", "404", "409"} <= codes, (path, method)


def test_description_is_served_without_login(app, ctx):
    resp = app.test_client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/proposals/{proposal_id}/review" in spec["paths"]
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    # a valid OpenAPI document that schemathesis can load
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded = {(r.ok().path, r.ok().method) for r in schema.get_all_operations()}
    # schemathesis leaves out the description's own location
    assert loaded == api_rules(app) - {("/openapi.json", "get")}


def populate(world):
    """Records in many states, so that generated ids often hit something real."""
    ids = {"proposal_id": [], "assignment_id": [], "reply_id": [], "notification_id": []}
    records = [
        flows.draft(world),
        flows.submitted(world, cosigners=[world.member2]),
        flows.submitted(world, proposer=world.member2),
        flows.filed(world),
        flows.assigned(world, plan=[(world.unit_a, "lead"), (world.unit_b, "co")]),
        flows.handling(world),
    ]
    p, reply = flows.replied(world, result="B")
    records.append(p)
    ids["reply_id"].append(reply.id)
    for p in records:
        ids["proposal_id"].append(p.id)
        ids["assignment_id"] += [a.id for a in loaded(p, "assignments").assignments]
    today = local_date(utcnow())
    for n, user in enumerate((world.member, world.secretariat, world.clerk_a)):
        note = Notification(
            recipient=user,
            kind="reply_due",
            record_type="proposal",
            record_id=records[-1].id,
            deadline=today + timedelta(days=n),
            proposal_id=records[-1].id,
            text="请及时办理",
            link="/",
        )
        db.session.add(note)
        db.session.flush()
        ids["notification_id"].append(note.id)
    db.session.commit()
    return ids


def strategy_for(operation, ids):
    """Positive and negative cases; path ids are mostly those of real records."""
    names = [p.name for p in operation.path_parameters]
    parts = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        parts.append(operation.as_strategy(generation_mode=mode))
        if names and ids.get(names[0]):
            parts += [
                operation.as_strategy(generation_mode=mode, path_parameters={names[0]: value})
                for value in ids[names[0]]
            ]
    return st.one_of(parts)


PRINCIPALS = {"member": "member", "secretariat": "secretariat", "clerk": "clerk_a"}


@pytest.mark.slow
@pytest.mark.one_database  # the answers' shapes do not depend on the database
@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_api_conforms_to_its_description(app, world, principal):
    ids = populate(world)
    user = getattr(world, PRINCIPALS[principal])
    token = ApiToken.issue(user)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, calls, started = [], [0], time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        # DELETE /auth/token revokes the token it is sent with: a fresh one each time
        revoking = operation.method.upper() == "DELETE" and operation.path == "/auth/token"

        @settings(
            max_examples=MAX_EXAMPLES * 2,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy_for(operation, ids))
        def run(case):
            bearer = ApiToken.issue(user) if revoking else token
            if revoking:
                db.session.commit()
            headers = {"Authorization": f"Bearer {bearer}"}
            response = case.call(headers=headers)
            db.session.expire_all()
            calls[0] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.label}: {exc}"[:3000])

    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis as {principal}: {len(api_rules(app))} operations, "
        f"{calls[0]} calls, {elapsed:.1f} s"
    )
    assert calls[0] > len(api_rules(app)) * MAX_EXAMPLES
    assert failures == [], "\n\n".join(failures)
