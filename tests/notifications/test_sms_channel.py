"""The SMS channel through Tencent Cloud SMS (SendSms, API 2021-01-11), against a loopback
server that speaks the API and checks each request's TC3-HMAC-SHA256 signature
(fake_tencent_sms.py); and the log-only mode kept for installations without a provider."""

import json
import logging
import re
import urllib.request
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import LOCAL_TZ, utcnow
from proposals.extensions import db
from proposals.notifications.channels import CHANNELS, DeliveryFailed
from proposals.notifications.channels.sms import e164, endpoint, sms_text
from proposals.notifications.delivery import send_delivery
from proposals.notifications.models import Delivery, Notification
from proposals.reminders.sweep import run_sweep
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .fake_tencent_sms import FakeTencentSms

BEIJING = LOCAL_TZ  # Asia/Shanghai: Tencent's daily limits reset at Beijing midnight
TEXT = "《关于加快老旧小区改造的建议》应于 2025-06-03 前答复（还剩 7 天）。"
SMS_KEYS = (
    "SMS_PROVIDER",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "SMS_SDK_APP_ID",
    "SMS_SIGN_NAME",
    "SMS_TEMPLATE_ID",
    "SMS_REGION",
    "SMS_ENDPOINT",
    "SMS_TIMEOUT_SECONDS",
    "SMS_TEXT_MAX_CHARS",
)


@contextmanager
def config(app, **values):
    """``app.config`` with ``values`` for the block; the SMS keys restored after it."""
    missing = object()
    saved = {k: app.config.get(k, missing) for k in {*SMS_KEYS, *values}}
    app.config.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is missing:
                app.config.pop(key, None)
            else:
                app.config[key] = value


@pytest.fixture()
def no_proxy(monkeypatch):
    """A proxy from the shell must not carry the loopback requests elsewhere."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)


def tencent_config(fake, **overrides):
    return {
        "SMS_PROVIDER": "tencent",
        "TENCENTCLOUD_SECRET_ID": fake.secret_id,
        "TENCENTCLOUD_SECRET_KEY": fake.secret_key,
        "SMS_SDK_APP_ID": fake.sdk_app_id,
        "SMS_SIGN_NAME": fake.sign_name,
        "SMS_TEMPLATE_ID": fake.template_id,
        "SMS_REGION": "ap-guangzhou",
        "SMS_ENDPOINT": fake.endpoint,
        "SMS_TIMEOUT_SECONDS": 5.0,
        "SMS_TEXT_MAX_CHARS": 60,
        **overrides,
    }


@pytest.fixture()
def tencent(app, ctx, no_proxy):
    """The fake service, and the app configured to send through it."""
    with FakeTencentSms() as fake, config(app, **tencent_config(fake)):
        yield fake


def sms_delivery(make, phone="13800138000", text=TEXT):
    """A notification and its SMS delivery, as the sweep makes them (the address is the
    person's phone as stored)."""
    user = make.user(phone=phone)
    n = Notification(
        recipient_id=user.id,
        kind="reply_due_7",
        record_type="assignment",
        record_id=1,
        deadline=date(2025, 6, 3),
        text=text,
        link="/proposals/1#assignment-1",
    )
    db.session.add(n)
    db.session.flush()
    d = Delivery(
        notification_id=n.id,
        channel="sms",
        address=phone,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(d)
    db.session.commit()
    return d.id


def delivered(delivery_id):
    db.session.expire_all()
    return db.session.get(Delivery, delivery_id)


def stand_in(text=TEXT, short_text=None, address="13800138000", id=7):
    """What ``send`` reads of a delivery, for the channel alone."""
    notification = SimpleNamespace(text=text)
    if short_text is not None:
        notification.short_text = short_text
    return SimpleNamespace(id=id, address=address, notification=notification)


def tomorrow_8am_beijing(now):
    return datetime.combine(now.astimezone(BEIJING).date() + timedelta(days=1), time(8), BEIJING)


# --- the phone number and the text ------------------------------------------------------------


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("138-0013-8000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("+86-13800138000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("１３８００１３８０００", "+8613800138000"),  # full-width digits, as typed with an IME
        ("19912345678", "+8619912345678"),
        ("010-12345678", None),  # a landline: no SMS
        ("12345678901", None),  # not a mobile prefix
        ("1380013800", None),  # ten digits
        ("+85291234567", None),  # Hong Kong: needs an international template
        ("+1 415 555 0100", None),
        ("", None),
        (None, None),
        ("13800138000 转 8", None),
    ],
)
def test_phones_are_normalised_to_e164_for_mainland_mobiles(phone, expected):
    assert e164(phone) == expected
    assert CHANNELS["sms"].address(SimpleNamespace(phone=phone)) == expected


def test_the_text_is_trimmed_and_cut_at_a_boundary_never_inside_a_number():
    short = SimpleNamespace(text="  请于 2025-06-03 前\n签收。 ")
    assert sms_text(short, 60) == "请于 2025-06-03 前 签收。"
    # the date straddles the limit: the cut falls before it, never inside
    text = (
        "催办：" + "市住房和城乡建设局" * 3 + "承办的提案已逾期，答复期限 2025-06-03，请尽快答复。"
    )
    cut = sms_text(SimpleNamespace(text=text), 50)
    assert len(cut) <= 50 and cut.endswith("…")
    assert "2025" not in cut and cut.rstrip("…").endswith("答复期限")
    assert text.startswith(cut.rstrip("…"))
    for limit in range(10, len(text) + 2):
        got = sms_text(SimpleNamespace(text=text), limit)
        assert len(got) <= limit
        body = got.rstrip("…")
        assert text.startswith(body)
        # every number in the message is whole: the next character of the original is no digit
        if body and body[-1].isdigit():
            assert not text[len(body) : len(body) + 1].isdigit()
            assert not re.match(r"[-./:]\d", text[len(body) :])
    assert sms_text(SimpleNamespace(text=text), len(text)) == text
    # 【】 mark the signature in an SMS: not in the parameter
    assert sms_text(SimpleNamespace(text="【重要】请签收"), 60) == "[重要]请签收"


def test_short_text_is_sent_when_the_notification_has_one(tencent):
    CHANNELS["sms"].send(stand_in(short_text="《老旧小区改造》待答复，期限 6月3日"))
    CHANNELS["sms"].send(stand_in(short_text=""))  # empty: the text
    assert [a["params"] for a in tencent.accepted] == [
        ["《老旧小区改造》待答复，期限 6月3日"],
        [TEXT],
    ]


# --- sending through the provider -------------------------------------------------------------


def test_a_delivery_goes_out_as_one_signed_send_sms_call(tencent, make, caplog):
    caplog.set_level(logging.DEBUG)
    long_text = TEXT + "请登录系统查看处理情况，逾期将通报。" * 3
    delivery_id = sms_delivery(make, phone="138 0013 8000", text=long_text)
    assert send_delivery(delivery_id) == "sent"
    d = delivered(delivery_id)
    assert d.sent_at is not None and d.attempts == 1 and d.last_error is None
    [message] = tencent.accepted
    assert message["phone"] == "+8613800138000"
    assert message["session_context"] == str(delivery_id)
    assert message["sdk_app_id"] == tencent.sdk_app_id
    assert message["sign_name"] == "某某市政协" and message["template_id"] == tencent.template_id
    assert message["region"] == "ap-guangzhou"
    [param] = message["params"]
    assert len(param) <= 60 and param.endswith("…") and long_text.startswith(param[:-1])
    assert "2025-06-03" in param
    assert message["content"].startswith("【某某市政协】您有一条提案办理提醒：")
    [request] = tencent.requests
    headers = request["headers"]
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    assert headers["authorization"].startswith(f"TC3-HMAC-SHA256 Credential={tencent.secret_id}/")
    assert request["verdict"] == ["Ok"]
    body = json.loads(request["body"])
    assert body["PhoneNumberSet"] == ["+8613800138000"] and body["TemplateParamSet"] == [param]
    # neither the credentials nor the text are logged when a provider sends
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert tencent.secret_key not in logged and tencent.secret_id not in logged
    assert param[:20] not in logged
    assert f"delivery {delivery_id} (sms) sent" in logged


def test_a_reminder_from_the_sweep_goes_out_through_the_provider(tencent, world):
    world.clerk_a.phone = "138-0013-8000"
    committee_settings.set_value("sms_enabled", "on")
    db.session.commit()
    day = datetime(2025, 3, 3, 9, tzinfo=LOCAL_TZ)
    p = ops.create_proposal(world.member, world.content(), now=day)
    ops.submit_proposal(world.member, p, now=day)
    ops.review_proposal(world.secretariat, p, {"decision": "file"}, now=day)
    ops.assign_proposal(
        world.secretariat, p, [{"code": world.unit_a.code, "role": "lead"}], now=day
    )
    db.session.commit()
    accept_due = loaded(p, "assignments").assignments[0].accept_due
    run_sweep(now=datetime.combine(accept_due, time(9), LOCAL_TZ))
    db.session.expire_all()
    rows = db.session.execute(
        select(Delivery, Notification)
        .join(Notification, Delivery.notification_id == Notification.id)
        .where(Delivery.channel == "sms", Notification.recipient_id == world.clerk_a.id)
    ).all()
    # the reminder (and whatever else the clerk was told of), each once, as its own SendSms
    assert "accept_due_1" in {n.kind for _d, n in rows}
    assert {d.status for d, _n in rows} == {"sent"}
    sent = {a["session_context"]: a for a in tencent.accepted if a["phone"] == "+8613800138000"}
    assert set(sent) == {str(d.id) for d, _n in rows}
    for d, n in rows:
        [param] = sent[str(d.id)]["params"]
        assert param == sms_text(n, 60) and len(param) <= 60
        if n.kind == "accept_due_1":  # its short text: the kind and the date, no title
            assert "签收期限" in param and f"{accept_due.month}月{accept_due.day}日" in param


def test_the_fake_checks_the_signature_over_the_whole_request(tencent):
    CHANNELS["sms"].send(stand_in())
    [request] = tencent.requests

    def replay(body):
        headers = {k: v for k, v in request["headers"].items() if k not in ("content-length",)}
        req = urllib.request.Request(tencent.endpoint + "/", data=body, headers=headers)
        with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 (loopback)
            return json.loads(resp.read())["Response"]

    assert replay(request["body"])["SendStatusSet"][0]["Code"] == "Ok"  # the very same request
    tampered = request["body"].replace(b"+8613800138000", b"+8613900139000")
    assert replay(tampered)["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert len(tencent.accepted) == 2


def test_a_wrong_secret_is_refused_retried_after_an_hour_and_goes_out_once_fixed(
    app, tencent, make
):
    delivery_id = sms_delivery(make)
    before = utcnow()
    with config(app, TENCENTCLOUD_SECRET_KEY="not-the-secret"):
        assert send_delivery(delivery_id) == "failed"
    d = delivered(delivery_id)
    assert "AuthFailure.SignatureFailure" in d.last_error
    assert "not-the-secret" not in d.last_error
    assert d.next_attempt_at >= before + timedelta(seconds=3600)
    assert tencent.accepted == [] and tencent.requests[0]["verdict"] == (
        "AuthFailure.SignatureFailure"
    )
    # the key fixed: the next attempt goes out
    assert send_delivery(delivery_id, now=d.next_attempt_at) == "sent"
    assert [a["session_context"] for a in tencent.accepted] == [str(delivery_id)]


# Each provider answer, what the channel makes of it: (code, per number?, retry?, wait).
# wait: seconds, or "tomorrow" (08:00 Beijing time the next day)
OUTCOMES = [
    # the number: sending again cannot help
    ("InvalidParameterValue.IncorrectPhoneNumber", True, False, None),
    ("FailedOperation.PhoneNumberParseFail", True, False, None),
    ("FailedOperation.PhoneNumberInBlacklist", True, False, None),
    # the template, the signature or this message's content: refused as it is
    ("FailedOperation.TemplateIncorrectOrUnapproved", False, False, None),
    ("FailedOperation.TemplateIncorrectOrUnapproved", True, False, None),
    ("FailedOperation.SignatureIncorrectOrUnapproved", False, False, None),
    ("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", False, False, None),
    ("FailedOperation.ContainSensitiveWord", True, False, None),
    ("InvalidParameterValue.ContentLengthLimit", True, False, None),
    # throttling: again after the provider's window
    ("RequestLimitExceeded", False, True, 30),
    ("RequestLimitExceeded.UinLimitExceeded", False, True, 30),
    ("LimitExceeded.PhoneNumberThirtySecondLimit", True, True, 30),
    ("LimitExceeded.PhoneNumberOneHourLimit", True, True, 3600),
    ("LimitExceeded.DeliveryFrequencyLimit", True, True, 3600),
    ("LimitExceeded.PhoneNumberDailyLimit", True, True, "tomorrow"),
    ("LimitExceeded.PhoneNumberSameContentDailyLimit", True, True, "tomorrow"),
    ("LimitExceeded.AppDailyLimit", False, True, "tomorrow"),
    ("LimitExceeded.AppMainlandChinaDailyLimit", True, True, "tomorrow"),
    # the account or the configuration: again in an hour, once someone has fixed it
    ("AuthFailure.SecretIdNotFound", False, True, 3600),
    ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", False, True, 3600),
    ("UnauthorizedOperation.ServiceSuspendDueToArrears", False, True, 3600),
    ("FailedOperation.InsufficientBalanceInSmsPackage", True, True, 3600),
    ("InvalidParameterValue.TemplateParameterLengthLimit", False, True, 3600),
    # the provider's trouble, or an answer we do not know: the usual back-off
    ("InternalError", False, True, None),
    ("InternalError.Timeout", True, True, None),
    ("InternalError.SendAndRecvFail", False, True, None),
    ("FailedOperation.OtherError", True, True, None),
    ("ResourceUnavailable.SomethingNew", False, True, None),
]


def expected_wait(wait, now):
    if wait == "tomorrow":
        return (tomorrow_8am_beijing(now) - now).total_seconds()
    return wait


@pytest.mark.parametrize("code, per_number, retry, wait", OUTCOMES)
def test_each_answer_maps_to_retry_or_give_up(tencent, code, per_number, retry, wait):
    tencent.fail_next(code, per_number=per_number)
    now = utcnow()
    with pytest.raises(DeliveryFailed) as failed:
        CHANNELS["sms"].send(stand_in())
    assert code in str(failed.value)
    assert failed.value.retry is retry
    if wait is None:
        assert failed.value.wait is None
    else:
        assert failed.value.wait == pytest.approx(expected_wait(wait, now), abs=5)
    assert tencent.accepted == []


@pytest.mark.parametrize("code, per_number, retry, wait", OUTCOMES)
def test_each_answer_ends_the_delivery_as_it_should(tencent, make, code, per_number, retry, wait):
    delivery_id = sms_delivery(make)
    tencent.fail_next(code, per_number=per_number)
    now = utcnow()
    status = send_delivery(delivery_id)
    d = delivered(delivery_id)
    assert code in d.last_error
    if not retry:
        assert status == d.status == "dead"
        return
    assert status == d.status == "failed"
    # the first back-off is a minute: the provider's wait when it is longer
    seconds = max(60, expected_wait(wait, now) or 0)
    assert (d.next_attempt_at - now).total_seconds() == pytest.approx(seconds, abs=5)
    # the next attempt, when its time has come, goes out
    assert send_delivery(delivery_id, now=d.next_attempt_at) == "sent"
    assert len(tencent.accepted) == 1


def test_an_account_with_shorter_variables_sends_once_the_limit_is_lowered(app, tencent, make):
    tencent.param_max_chars = 20  # what the console allows this account per variable
    delivery_id = sms_delivery(make)
    assert send_delivery(delivery_id) == "failed"
    d = delivered(delivery_id)
    assert "InvalidParameterValue.TemplateParameterLengthLimit" in d.last_error
    with config(app, SMS_TEXT_MAX_CHARS=20):
        assert send_delivery(delivery_id, now=d.next_attempt_at) == "sent"
    [param] = tencent.accepted[0]["params"]
    assert len(param) <= 20 and param.endswith("…") and TEXT.startswith(param[:-1])


def test_the_daily_limit_waits_until_eight_the_next_morning_in_beijing(tencent, make):
    delivery_id = sms_delivery(make)
    tencent.fail_next("LimitExceeded.PhoneNumberDailyLimit", per_number=True)
    now = utcnow()
    assert send_delivery(delivery_id) == "failed"
    local = delivered(delivery_id).next_attempt_at.astimezone(BEIJING)
    assert local.date() == now.astimezone(BEIJING).date() + timedelta(days=1)
    assert (local.hour, local.minute) == (8, 0)


def test_a_timeout_is_retried_and_the_next_attempt_goes_out(app, tencent, make):
    delivery_id = sms_delivery(make)
    tencent.stall_next(seconds=30)
    with config(app, SMS_TIMEOUT_SECONDS=0.5):
        started = utcnow()
        assert send_delivery(delivery_id) == "failed"
        assert (utcnow() - started).total_seconds() < 10
    d = delivered(delivery_id)
    assert d.attempts == 1 and "ClientNetworkError" in d.last_error
    assert tencent.accepted == []
    assert send_delivery(delivery_id, now=d.next_attempt_at) == "sent"
    assert delivered(delivery_id).attempts == 2 and len(tencent.accepted) == 1


@pytest.mark.parametrize(
    "fail, error",
    [
        (lambda fake: fake.drop_next(), "ClientNetworkError"),
        (lambda fake: fake.http_error_next(502), "ServerNetworkError"),
        (lambda fake: fake.http_error_next(503), "ServerNetworkError"),
    ],
)
def test_a_closed_connection_or_a_gateway_error_is_retried(tencent, make, fail, error):
    delivery_id = sms_delivery(make)
    fail(tencent)
    assert send_delivery(delivery_id) == "failed"
    d = delivered(delivery_id)
    assert error in d.last_error and len(d.last_error) <= 500
    assert send_delivery(delivery_id, now=d.next_attempt_at) == "sent"


def test_nothing_listening_is_retried(app, ctx, make, no_proxy):
    with FakeTencentSms() as fake:
        endpoint, settings = fake.endpoint, tencent_config(fake)
    delivery_id = sms_delivery(make)
    with config(app, **settings):  # the fake has stopped: connection refused
        assert send_delivery(delivery_id) == "failed"
    assert "ClientNetworkError" in delivered(delivery_id).last_error
    assert endpoint.startswith("http://127.0.0.1:")


def test_an_unusable_phone_is_given_up_without_asking_the_provider(tencent, make):
    delivery_id = sms_delivery(make, phone="010-12345678")
    assert send_delivery(delivery_id) == "dead"
    assert "phone" in delivered(delivery_id).last_error
    assert tencent.requests == []


def test_the_endpoint_may_omit_the_scheme(tencent):
    # without a scheme the SDK speaks HTTPS (the real service); with one, as given
    assert endpoint("sms.tencentcloudapi.com") == ("https", "sms.tencentcloudapi.com")
    assert endpoint("https://sms.tencentcloudapi.com/") == ("https", "sms.tencentcloudapi.com")
    assert endpoint(tencent.endpoint) == ("http", f"127.0.0.1:{tencent.port}")
    assert endpoint("") == ("https", "sms.tencentcloudapi.com")


# --- without a provider -----------------------------------------------------------------------


def test_without_a_provider_the_channel_only_logs(app, ctx, make, caplog):
    caplog.set_level(logging.INFO, logger="proposals.delivery")
    for i, provider in enumerate(("", "log", "LOG", None)):
        with config(app, SMS_PROVIDER=provider, TENCENTCLOUD_SECRET_ID=None):
            assert CHANNELS["sms"].configured(app.config)
            delivery_id = sms_delivery(make, phone=f"1380013800{i}")
            assert send_delivery(delivery_id) == "sent"
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to ")]
    assert len(lines) == 4 and all(TEXT in line for line in lines)


def test_a_provider_without_its_credentials_is_not_configured_and_sends_nothing(
    app, ctx, make, caplog, no_proxy
):
    caplog.set_level(logging.DEBUG)
    with FakeTencentSms() as fake:
        settings = tencent_config(fake, TENCENTCLOUD_SECRET_KEY="")
        with config(app, **settings):
            assert not CHANNELS["sms"].configured(app.config)
            delivery_id = sms_delivery(make)
            now = utcnow()
            assert send_delivery(delivery_id) == "failed"
        assert fake.requests == []
    d = delivered(delivery_id)
    assert "TENCENTCLOUD_SECRET_KEY" in d.last_error
    assert d.next_attempt_at >= now + timedelta(seconds=3600)
    # not log-only: the text stays out of the log
    assert TEXT not in "\n".join(r.getMessage() for r in caplog.records)
    with config(app, **{**settings, "TENCENTCLOUD_SECRET_KEY": fake.secret_key}):
        assert CHANNELS["sms"].configured(app.config)
    with config(app, SMS_PROVIDER="aliyun"):
        assert not CHANNELS["sms"].configured(app.config)
