"""Text no database can store (a NUL character; a lone surrogate, which only a JSON escape can
carry) is bad input: 400 with the API's error shape or an error page, nothing changed — on
SQLite and PostgreSQL alike (schemathesis found it as a server error on PostgreSQL)."""

import json

import pytest
from sqlalchemy import func, select

from proposals.extensions import db
from proposals.workflow.models import Proposal

NUL, SURROGATE = "关于\x00的建议", "关于\udac5的建议"


def count():
    return db.session.scalar(select(func.count()).select_from(Proposal))


def post_json(client, body):
    """The body as JSON text with \\u escapes, as a client library sends a lone surrogate."""
    return client.call(
        "POST",
        "/proposals",
        data=json.dumps(body, ensure_ascii=True),
        content_type="application/json",
    )


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_api_refuses_unstorable_text_in_a_body(world, api, bad):
    before = count()
    resp = post_json(api(world.member), world.content(title=bad))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "validation_error"
    assert "title" in resp.get_json()["error"]["fields"]
    nested = post_json(api(world.member), world.content(cosigners=[bad]))
    assert nested.status_code == 400
    assert count() == before


def test_query_strings_and_forms_refuse_a_nul(world, api, web):
    resp = api(world.member).get("/proposals", query_string={"q": NUL})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "validation_error"
    before = count()
    page = web(world.member).post(
        "/proposals/new", data={**world.content(title=NUL), "save": "保存草稿"}
    )
    assert page.status_code == 400
    assert count() == before


def test_ordinary_text_still_goes_through(world, api):
    resp = post_json(api(world.member), world.content(title="关于加强社区养老服务的建议"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert count() == 1
