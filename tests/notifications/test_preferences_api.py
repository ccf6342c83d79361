"""GET/PUT /api/v1/me/notification-preferences: the committee's defaults until a person
chooses, a partial PUT keeps the rest, a bad one names its field and saves nothing."""

from sqlalchemy import func, select

from proposals.extensions import db
from proposals.notifications import preferences
from proposals.notifications.models import NotificationPreference
from proposals.notifications.preferences import KINDS


def test_defaults_then_a_partial_update(world, api):
    member = api(world.member)
    body = member.get("/me/notification-preferences").get_json()
    assert set(body["kinds"]) == set(KINDS)
    assert body["kinds"]["reply_delivered"] == ["in_app", "email", "sms", "wecom"]
    assert body["sms_quiet"] == ["22:00", "07:30"] and body["digest"] is False
    resp = member.call(
        "PUT",
        "/me/notification-preferences",
        json={"kinds": {"reply_delivered": ["in_app", "sms"]}, "digest": True},
    )
    assert resp.status_code == 200, resp.get_json()
    saved = member.get("/me/notification-preferences").get_json()
    assert saved["kinds"]["reply_delivered"] == ["in_app", "sms"]
    assert saved["kinds"]["proposal_filed"] == ["in_app", "email", "sms", "wecom"]
    assert saved["digest"] is True and saved["sms_quiet"] == ["22:00", "07:30"]
    # someone else's are their own
    other = api(world.member2).get("/me/notification-preferences").get_json()
    assert other["digest"] is False


def test_bad_preferences_name_the_field_and_save_nothing(world, api):
    member = api(world.member)
    for body, field in (
        ({"kinds": {"reply_delivered": ["fax"]}}, "kinds.reply_delivered"),
        ({"kinds": {"nope": ["email"]}}, "kinds.nope"),
        ({"sms_quiet": ["22:00"]}, "sms_quiet"),
        ({"digest": "yes"}, "digest"),
    ):
        resp = member.call("PUT", "/me/notification-preferences", json=body)
        assert resp.status_code == 400
        assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
    assert api().get("/me/notification-preferences").status_code == 401


def test_the_preferences_page_saves_and_shows_errors(world, web):
    client = web(world.member)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "提醒设置" in page and 'name="reply_delivered.sms"' in page
    assert 'name="reply_delivered.sms" value="1"' in page and "checked" in page
    resp = client.post(
        "/notifications/preferences",
        data={
            "reply_delivered.in_app": "1",
            "reply_delivered.sms": "1",
            "quiet_start": "21:30",
            "quiet_end": "08:00",
            "digest": "1",
        },
    )
    assert resp.status_code == 302
    saved = preferences.as_json(world.member)
    assert saved["kinds"]["reply_delivered"] == ["in_app", "sms"]
    assert saved["kinds"]["proposal_filed"] == []  # a row left empty: nothing reaches them
    assert saved["sms_quiet"] == ["21:30", "08:00"] and saved["digest"] is True
    resp = client.post("/notifications/preferences", data={"quiet_start": "25:00"})
    assert resp.status_code == 400 and "应为两个时间" in resp.get_data(as_text=True)
    assert preferences.as_json(world.member)["sms_quiet"] == ["21:30", "08:00"]
