"""The WeChat Work (企业微信) channel against a loopback server that speaks the WeChat Work API
(fake_wecom.py): deliveries go through delivery.send_delivery as in production, and every
error class ends in the outcome docs/operations.md describes."""

import html
import logging
import re
import socket
import time
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

from proposals.committee.calendar import LOCAL_TZ
from proposals.extensions import db
from proposals.notifications import delivery
from proposals.notifications.channels import CHANNELS
from proposals.notifications.channels import wecom as wecom_channel
from proposals.notifications.models import Delivery, Notification

from .fake_wecom import DESCRIPTION_MAX_BYTES, TITLE_MAX_BYTES, FakeWeCom

BASE = "https://zx.example.gov.cn"
SEQ = count(1)


@pytest.fixture()
def fake(app, ctx, monkeypatch):
    with FakeWeCom() as server:
        settings = {
            "WECOM_CORP_ID": server.corp_id,
            "WECOM_CORP_SECRET": server.corp_secret,
            "WECOM_AGENT_ID": server.agent_id,
            "WECOM_API_BASE": server.base_url,
            "WECOM_TIMEOUT_SECONDS": 5,
            "APP_BASE_URL": BASE,
        }
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        wecom_channel.forget_tokens()
        yield server
        wecom_channel.forget_tokens()


@pytest.fixture()
def person(make):
    user = make.user("clerk", make.department(), name="赵办理", wecom_userid="zhangsan")
    db.session.commit()
    return user


def queue(user, text="提案《关于加快老旧小区改造的建议》请于 2025-03-10 前签收。", link=None):
    """A notification for ``user`` and its WeChat Work delivery, as the sweep makes them."""
    n = Notification(
        recipient_id=user.id,
        kind="accept_due_1",
        record_type="assignment",
        record_id=next(SEQ),
        deadline=date(2025, 3, 10),
        text=text,
        link=link or "/proposals/7#assignment-3",
    )
    db.session.add(n)
    db.session.flush()
    d = Delivery(notification_id=n.id, channel="wecom", address=user.wecom_userid)
    db.session.add(d)
    db.session.commit()
    return d.id


def reload(delivery_id):
    db.session.expire_all()
    return db.session.get(Delivery, delivery_id)


def retry(delivery_id):
    """The delivery's next attempt, at the time it was put off to."""
    d = reload(delivery_id)
    return delivery.send_delivery(delivery_id, now=d.next_attempt_at + timedelta(seconds=1))


def top_of_next_hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def next_local_midnight(moment):
    local = moment.astimezone(LOCAL_TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


# --- the channel ---------------------------------------------------------------------------


def test_the_channel_is_registered_and_needs_corp_id_secret_and_agent_id(ctx, make):
    channel = CHANNELS["wecom"]
    assert isinstance(channel, wecom_channel.WeCom)
    assert channel.name == "wecom" and channel.label == "企业微信"
    full = {"WECOM_CORP_ID": "ww1", "WECOM_CORP_SECRET": "s", "WECOM_AGENT_ID": 1000002}
    assert channel.configured(full)
    for key in full:
        assert not channel.configured({**full, key: None}), key
        assert not channel.configured({**full, key: ""}), key
    assert channel.address(make.user(wecom_userid="zhangsan")) == "zhangsan"
    assert channel.address(make.user()) is None
    assert channel.address(make.user(wecom_userid="")) is None


def test_a_delivery_goes_out_as_a_text_card_linking_to_the_record(fake, person):
    did = queue(person, link="/proposals/7#assignment-3")
    assert delivery.send_delivery(did) == "sent"
    d = reload(did)
    assert d.attempts == 1 and d.sent_at is not None and d.last_error is None
    [message] = fake.messages
    assert message["touser"] == "zhangsan"
    assert message["msgtype"] == "textcard"
    assert message["agentid"] == fake.agent_id
    assert message["enable_duplicate_check"] == 1
    assert message["duplicate_check_interval"] == 1800
    card = message["textcard"]
    assert card["title"] == "提案办理提醒"
    assert card["description"] == "提案《关于加快老旧小区改造的建议》请于 2025-03-10 前签收。"
    assert card["url"] == "https://zx.example.gov.cn/proposals/7#assignment-3"  # absolute
    assert card["btntxt"] == "详情"


def test_a_base_url_with_a_trailing_slash_gives_no_double_slash(fake, person, app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_BASE_URL", BASE + "/")
    assert delivery.send_delivery(queue(person, link="/proposals/9")) == "sent"
    assert fake.messages[0]["textcard"]["url"] == "https://zx.example.gov.cn/proposals/9"


def test_the_token_is_fetched_once_and_reused_across_deliveries(fake, person):
    ids = [queue(person, text=f"第 {n} 条提醒") for n in range(3)]
    assert [delivery.send_delivery(i) for i in ids] == ["sent"] * 3
    assert fake.gettoken_calls == 1 and len(fake.issued_tokens) == 1
    assert fake.send_calls == 3 and len(fake.messages) == 3


def test_an_expired_token_is_refreshed_and_the_message_goes_in_the_same_attempt(fake, person):
    assert delivery.send_delivery(queue(person, text="第一条")) == "sent"
    fake.expire_tokens()
    did = queue(person, text="第二条")
    assert delivery.send_delivery(did) == "sent"
    assert reload(did).attempts == 1
    assert fake.gettoken_calls == 2 and len(fake.issued_tokens) == 2
    assert fake.send_calls == 3  # the refused one, then the one with the new token
    assert [m["textcard"]["description"] for m in fake.messages] == ["第一条", "第二条"]


@pytest.mark.parametrize("errcode", [40014, 42001, 40001])
def test_a_token_the_api_calls_invalid_is_fetched_anew_once(fake, person, errcode):
    assert delivery.send_delivery(queue(person, text="先取得令牌")) == "sent"
    fake.fail_next(errcode=errcode)
    did = queue(person)
    assert delivery.send_delivery(did) == "sent"
    assert reload(did).attempts == 1
    assert fake.gettoken_calls == 2  # not the cached token again
    assert len(fake.messages) == 2


def test_a_token_refused_again_after_the_refresh_waits_for_the_next_attempt(fake, person):
    fake.fail_next(2, errcode=42001)
    did = queue(person)
    assert delivery.send_delivery(did) == "failed"
    d = reload(did)
    assert "42001" in d.last_error
    assert fake.gettoken_calls == 2 and fake.send_calls == 2 and not fake.messages
    assert retry(did) == "sent"


# --- the error classes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault, status, wait, needle",
    [
        ({"errcode": -1}, "failed", 60, "-1"),  # system busy
        ({"status": 500}, "failed", 60, "HTTP 500"),
        ({"status": 502}, "failed", 60, "HTTP 502"),
        ({"errcode": 45009}, "failed", 60, "45009"),  # frequency limit
        ({"errcode": 45033}, "failed", 60, "45033"),  # concurrency limit
        ({"errcode": 45047}, "failed", 60, "45047"),
        ({"errcode": 81013}, "dead", None, "81013"),  # not in the organisation / visible range
        ({"errcode": 45002}, "dead", None, "45002"),  # the message itself refused
    ],
)
def test_each_error_class_gives_its_outcome(fake, person, fault, status, wait, needle):
    fake.fail_next(**fault)
    did = queue(person)
    before = datetime.now(UTC)
    assert delivery.send_delivery(did) == status
    d = reload(did)
    assert d.attempts == 1 and needle in d.last_error
    if wait is not None:
        assert d.next_attempt_at >= before + timedelta(seconds=wait)
        assert retry(did) == "sent"  # the fault has passed: the next attempt goes out
        assert len(fake.messages) == 1
    else:
        assert not fake.messages


def test_a_person_outside_the_organisation_is_given_up_at_once(fake, make):
    outsider = make.user("member", wecom_userid="wangwu")  # not in the fake's organisation
    db.session.commit()
    did = queue(outsider)
    assert delivery.send_delivery(did) == "dead"
    d = reload(did)
    assert "invaliduser" in d.last_error and "wangwu" in d.last_error
    assert not fake.messages


@pytest.mark.parametrize("on", ["send", "gettoken"])
def test_a_stalled_server_is_a_timeout_and_is_retried(fake, person, app, monkeypatch, on):
    monkeypatch.setitem(app.config, "WECOM_TIMEOUT_SECONDS", 0.3)
    fake.fail_next(stall=10, on=on)
    did = queue(person)
    started = time.monotonic()
    assert delivery.send_delivery(did) == "failed"
    assert time.monotonic() - started < 5
    assert "timed out" in reload(did).last_error
    assert retry(did) == "sent"


def test_an_unreachable_server_is_retried(fake, person, app, monkeypatch):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(app.config, "WECOM_API_BASE", f"http://127.0.0.1:{port}")
    did = queue(person)
    assert delivery.send_delivery(did) == "failed"
    assert "refused" in reload(did).last_error.lower()
    monkeypatch.setitem(app.config, "WECOM_API_BASE", fake.base_url)
    assert retry(did) == "sent"


@pytest.mark.parametrize(
    "earlier_attempts, until", [(1, top_of_next_hour), (2, next_local_midnight)]
)
def test_a_repeated_frequency_limit_waits_for_the_next_hour_then_the_next_day(
    fake, person, earlier_attempts, until
):
    did = queue(person)
    d = reload(did)
    d.attempts = earlier_attempts
    db.session.commit()
    fake.fail_next(errcode=45009)
    before = datetime.now(UTC)
    assert delivery.send_delivery(did) == "failed"
    after = datetime.now(UTC)
    d = reload(did)
    assert until(before) <= d.next_attempt_at
    backoff = delivery.backoff(earlier_attempts + 1)
    assert d.next_attempt_at <= max(until(after) + timedelta(minutes=1), after + backoff)


@pytest.mark.parametrize("broken", ["secret", "corp_id", "ip"])
def test_a_configuration_error_waits_long_warns_the_admin_and_recovers(
    fake, person, app, monkeypatch, caplog, broken
):
    caplog.set_level(logging.DEBUG)
    errcode = {"secret": 40001, "corp_id": 40013, "ip": 60020}[broken]
    if broken == "secret":
        monkeypatch.setitem(app.config, "WECOM_CORP_SECRET", "wrong-secret-0123456789")
    elif broken == "corp_id":
        monkeypatch.setitem(app.config, "WECOM_CORP_ID", "wwwrongcorp")
    else:
        fake.fail_next(errcode=60020, on="gettoken")  # the server is not a trusted IP
    did = queue(person)
    before = datetime.now(UTC)
    assert delivery.send_delivery(did) == "failed"
    d = reload(did)
    assert d.next_attempt_at >= before + timedelta(seconds=wecom_channel.CONFIG_WAIT)
    assert str(errcode) in d.last_error
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "WeChat Work" in r.getMessage()
    ]
    assert any(str(errcode) in w and "configuration" in w for w in warnings), warnings
    for secret in (fake.corp_secret, "wrong-secret-0123456789"):
        assert secret not in caplog.text and secret not in d.last_error
    assert not fake.messages
    # the admin fixes the configuration: the delivery goes out at its next attempt
    monkeypatch.setitem(app.config, "WECOM_CORP_SECRET", fake.corp_secret)
    monkeypatch.setitem(app.config, "WECOM_CORP_ID", fake.corp_id)
    assert retry(did) == "sent"
    assert len(fake.messages) == 1


def test_a_missing_configuration_is_a_configuration_error(fake, person, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECOM_AGENT_ID", None)
    did = queue(person)
    assert delivery.send_delivery(did) == "failed"
    assert "WECOM_AGENT_ID" in reload(did).last_error
    assert fake.gettoken_calls == 0


# --- what is sent ----------------------------------------------------------------------------


def test_a_hostile_title_is_sent_as_text(fake, person):
    text = (
        '提案《<div class="highlight">A&B</div><script>alert(1)</script>》请签收'
        "\x07\x1b，路径 C:\\user\\x 与 &amp;"
    )
    did = queue(person, text=text)
    assert delivery.send_delivery(did) == "sent"
    description = fake.messages[0]["textcard"]["description"]
    assert "<" not in description and ">" not in description
    assert '&lt;div class="highlight"&gt;A&amp;B&lt;/div&gt;' in description
    # read back as the client shows it: the text, without the control characters
    assert html.unescape(description) == text.replace("\x07", "").replace("\x1b", "")
    assert not fake.refused


def test_long_texts_are_cut_at_a_character_boundary_within_the_byte_limits(fake, person):
    text = "关于<加快>老旧小区&改造" * 60
    did = queue(person, text=text)
    assert delivery.send_delivery(did) == "sent"
    description = fake.messages[0]["textcard"]["description"]
    assert len(description.encode("utf-8")) <= DESCRIPTION_MAX_BYTES
    assert description.endswith("…")
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*…", description)  # no entity cut in two
    assert text.startswith(html.unescape(description[:-1]))
    assert len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES - 12  # not cut short


@pytest.mark.parametrize("limit", [TITLE_MAX_BYTES, DESCRIPTION_MAX_BYTES, 7])
def test_the_cut_keeps_characters_and_entities_whole(limit):
    for text in ("提案办理" * 100, "a&<b>" * 100, "x" * limit, "é" * limit):
        fitted = wecom_channel.fit(text, limit)
        assert len(fitted.encode("utf-8")) <= limit
        whole = html.escape(text, quote=False)
        if len(whole.encode("utf-8")) <= limit:
            assert fitted == whole
        else:
            assert fitted.endswith("…")
            assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*…", fitted)


def test_a_delivery_resent_after_its_sender_died_is_not_shown_twice(fake, person):
    did = queue(person)
    assert delivery.send_delivery(did) == "sent"
    d = reload(did)  # as if the sender died before it could record the success
    d.status, d.sent_at = "pending", None
    db.session.commit()
    assert delivery.send_delivery(did) == "sent"
    assert fake.send_calls == 2 and len(fake.messages) == 1 and fake.duplicates == 1


def test_no_secret_or_token_reaches_the_log_or_the_deliveries(
    fake, person, app, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    ids = [queue(person, text=f"第 {n} 条") for n in range(7)]
    assert delivery.send_delivery(ids[0]) == "sent"
    fake.expire_tokens()
    assert delivery.send_delivery(ids[1]) == "sent"
    fake.fail_next(errcode=42001)
    assert delivery.send_delivery(ids[2]) == "sent"
    fake.fail_next(status=500)
    assert delivery.send_delivery(ids[3]) == "failed"
    fake.fail_next(errcode=-1)
    assert delivery.send_delivery(ids[4]) == "failed"
    monkeypatch.setitem(app.config, "WECOM_TIMEOUT_SECONDS", 0.3)
    fake.fail_next(stall=10)
    assert delivery.send_delivery(ids[5]) == "failed"
    wecom_channel.forget_tokens()
    monkeypatch.setitem(app.config, "WECOM_CORP_SECRET", "wrong-secret-0123456789")
    assert delivery.send_delivery(ids[6]) == "failed"
    secrets = [fake.corp_secret, "wrong-secret-0123456789", *fake.issued_tokens]
    assert len(fake.issued_tokens) == 2
    db.session.expire_all()
    errors = [d.last_error or "" for d in db.session.scalars(db.select(Delivery))]
    assert sum(bool(e) for e in errors) == 4
    for secret in secrets:
        assert secret not in caplog.text
        assert not any(secret in e for e in errors)
