"""SMS. With ``SMS_PROVIDER=tencent`` and its settings, each delivery is one ``SendSms`` call to
Tencent Cloud SMS (API 2021-01-11) through the provider's SDK, which signs the request
(TC3-HMAC-SHA256): an approved 通知类 template with one variable, filled with the notification's
short text. Without a provider (``SMS_PROVIDER`` empty or ``log``) the channel only logs what it
would send (the phone number and the text end up in the log). docs/operations.md, "SMS"."""

import logging
import re
import unicodedata
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app

from ...i18n import N_
from .base import Channel, DeliveryFailed

log = logging.getLogger("proposals.delivery")

# the SDK logs each request and answer at DEBUG (the SecretId, the phone numbers, the text):
# never, unless a logging configuration asks for that logger by name
_sdk_log = logging.getLogger("tencentcloud_sdk_common")
if _sdk_log.level == logging.NOTSET:
    _sdk_log.setLevel(logging.INFO)

DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"
REQUIRED = (
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "SMS_SDK_APP_ID",
    "SMS_SIGN_NAME",
    "SMS_TEMPLATE_ID",
)
# Tencent's daily limits count per Beijing calendar day, whatever the committee's time zone
BEIJING = ZoneInfo("Asia/Shanghai")
MORNING = time(8)  # a reminder held back by a daily limit goes out the next morning, not at 0:00
MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
# a number as people read it: digits, and digits joined by - . : / (2025-06-03, 3.5, 9:30)
NUMBER = re.compile(r"\d+(?:[-./:]\d+)*")


def e164(phone):
    """A mainland mobile number in E.164 (``+8613800138000``) from the ways people write it
    (spaces, dashes, full-width digits, +86 / 0086 / 86 in front); None for anything else: a
    landline, an extension, a number abroad (that needs an international template)."""
    if not phone:
        return None
    digits = unicodedata.normalize("NFKC", phone)
    digits = re.sub(r"[\s\-()（）]", "", digits)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return "+86" + digits if MAINLAND_MOBILE.fullmatch(digits) else None


def sms_text(notification, limit):
    """The template's one parameter: the notification's short text when it has one, else its
    text, on one line and at most ``limit`` characters. A longer text is cut at a boundary (never
    inside a number: a date, an amount, a count) and ends with "…"."""
    text = getattr(notification, "short_text", None) or notification.text or ""
    # 【】 mark the signature in an SMS; a parameter must not look like one
    text = " ".join(text.split()).replace("【", "[").replace("】", "]")
    if len(text) <= limit:
        return text
    cut = max(limit - 1, 0)  # room for the "…"
    for number in NUMBER.finditer(text):
        if number.start() < cut < number.end():
            cut = number.start() if number.start() > 0 else cut
            break
    return text[:cut].rstrip(" ，、：；,;:《（(") + "…"


def endpoint(value):
    """(scheme, host[:port]) from ``SMS_ENDPOINT``: a host means HTTPS (the real service); a URL
    keeps its scheme (the tests' loopback server speaks plain HTTP)."""
    value = (value or "").strip() or DEFAULT_ENDPOINT
    if "://" not in value:
        return "https", value.rstrip("/")
    url = urlsplit(value)
    return url.scheme.lower(), url.netloc


def _seconds_until_next_morning():
    now = datetime.now(BEIJING)
    return (
        datetime.combine(now.date() + timedelta(days=1), MORNING, BEIJING) - now
    ).total_seconds()


# What a code means for the delivery, first match wins; a code matches an entry equal to it or
# to its leading part ("AuthFailure" matches "AuthFailure.SignatureFailure"). retry=False: this
# message can never go out as it is (the number, the template, the content); a wait in seconds,
# or NEXT_MORNING: the provider throttled, or the account or the configuration needs a person,
# who can fix it without touching the delivery. Anything else (InternalError, a network error, a
# code we do not know) is retried with the usual back-off, at most MAX_ATTEMPTS times.
NEXT_MORNING = "next morning"
CONFIG_WAIT = 3600
RULES = (
    # throttling
    ("RequestLimitExceeded", True, 30),
    ("LimitExceeded.PhoneNumberThirtySecondLimit", True, 30),
    ("LimitExceeded.GlobalSmsSendingRateLimit", True, 30),
    ("LimitExceeded.PhoneNumberOneHourLimit", True, 3600),
    ("LimitExceeded.DeliveryFrequencyLimit", True, 3600),
    ("LimitExceeded.PhoneNumberDailyLimit", True, NEXT_MORNING),
    ("LimitExceeded.PhoneNumberSameContentDailyLimit", True, NEXT_MORNING),
    ("LimitExceeded.AppDailyLimit", True, NEXT_MORNING),
    ("LimitExceeded.AppMainlandChinaDailyLimit", True, NEXT_MORNING),
    ("LimitExceeded.AppGlobalDailyLimit", True, NEXT_MORNING),
    ("LimitExceeded.AppCountryOrRegionDailyLimit", True, NEXT_MORNING),
    ("LimitExceeded.DailyLimit", True, NEXT_MORNING),
    # the account, the keys, the application: someone fixes them, then it goes out
    ("AuthFailure", True, CONFIG_WAIT),
    ("UnauthorizedOperation", True, CONFIG_WAIT),
    ("FailedOperation.InsufficientBalanceInSmsPackage", True, CONFIG_WAIT),
    ("InvalidParameterValue.SdkAppIdNotExist", True, CONFIG_WAIT),
    ("InvalidParameter.AppidAndBizId", True, CONFIG_WAIT),
    ("InternalError.RequestTimeException", True, CONFIG_WAIT),  # our clock is off
    ("InvalidCredential", True, CONFIG_WAIT),  # the SDK's own check of the keys
    # the account's longest variable is shorter than SMS_TEXT_MAX_CHARS: the text is made
    # afresh at each attempt, so lowering the setting (or Tencent raising the limit) fixes it
    ("InvalidParameterValue.TemplateParameterLengthLimit", True, CONFIG_WAIT),
    # the number
    ("InvalidParameterValue.IncorrectPhoneNumber", False, None),
    ("FailedOperation.PhoneNumberParseFail", False, None),
    ("FailedOperation.PhoneNumberInBlacklist", False, None),  # opted out (免打扰)
    ("LimitExceeded.AppCountryOrRegionInBlacklist", False, None),
    ("UnsupportedOperation", False, None),  # a number abroad with a mainland template
    # the template, the signature, this message's content, the request itself
    ("FailedOperation.TemplateIncorrectOrUnapproved", False, None),
    ("FailedOperation.TemplateUnapprovedOrNotExist", False, None),
    ("FailedOperation.TemplateIdNotExist", False, None),
    ("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", False, None),
    ("FailedOperation.SignatureIncorrectOrUnapproved", False, None),
    ("FailedOperation.MissingSignature", False, None),
    ("FailedOperation.ContainSensitiveWord", False, None),
    ("FailedOperation.FailResolvePacket", False, None),
    ("FailedOperation.JsonParseFail", False, None),
    ("LimitExceeded.PhoneNumberCountLimit", False, None),
    ("InvalidParameterValue", False, None),  # ContentLengthLimit, ProhibitedUseUrlInTemplate…
    ("InvalidParameter", False, None),  # DirtyWordFound …
    ("MissingParameter", False, None),
    ("InvalidAction", False, None),
    ("NoSuchVersion", False, None),
)


def outcome(code):
    """(retry, wait in seconds or None) for a provider's error code."""
    for prefix, retry, wait in RULES:
        if code == prefix or code.startswith(prefix + "."):
            if wait == NEXT_MORNING:
                wait = _seconds_until_next_morning()
            return retry, wait
    return True, None


def _failed(code, message, request_id=None):
    retry, wait = outcome(code or "")
    text = f"Tencent Cloud SMS {code}: {message}"
    if request_id:
        text += f" (RequestId {request_id})"
    return DeliveryFailed(text, retry=retry, wait=wait)


class Sms(Channel):
    name = "sms"
    label = N_("短信")

    @staticmethod
    def provider(config):
        """The provider to send through: "tencent", "log" (none set: log only), or None (one
        was asked for whose settings are incomplete, or one we do not know)."""
        provider = (config.get("SMS_PROVIDER") or "").strip().lower()
        if provider in ("", "log"):
            return "log"
        if provider == "tencent" and not missing(config):
            return "tencent"
        return None

    def configured(self, config):
        # whether SMS deliveries are made at all is the committee's setting sms_enabled
        # (reminders/sweep.py); here: the deployment's side is complete
        return self.provider(config) is not None

    def address(self, user):
        return e164(user.phone)

    def send(self, delivery):
        conf = current_app.config
        provider = self.provider(conf)
        text = sms_text(delivery.notification, int(conf.get("SMS_TEXT_MAX_CHARS") or 60))
        if provider == "log":
            log.info("SMS to %s: %s", delivery.address, text)
            return
        if provider is None:
            # a configuration error: again in an hour, by when someone may have fixed it
            asked = (conf.get("SMS_PROVIDER") or "").strip()
            if asked.lower() == "tencent":
                reason = f"SMS_PROVIDER=tencent needs {', '.join(missing(conf))}"
            else:
                reason = f"SMS_PROVIDER={asked!r} is none of tencent, log"
            raise DeliveryFailed(reason, wait=CONFIG_WAIT)
        phone = e164(delivery.address)
        if phone is None:
            raise DeliveryFailed("not a mainland mobile phone number", retry=False)
        self._send_tencent(conf, delivery.id, phone, text)

    @staticmethod
    def _send_tencent(conf, delivery_id, phone, text):
        # imported here: an installation without SMS never loads the SDK
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        scheme, host = endpoint(conf.get("SMS_ENDPOINT"))
        http = HttpProfile(
            protocol=scheme,
            endpoint=host,
            reqTimeout=float(conf.get("SMS_TIMEOUT_SECONDS") or 10),
        )
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [phone]
        request.SmsSdkAppId = str(conf["SMS_SDK_APP_ID"])
        request.SignName = conf["SMS_SIGN_NAME"]
        request.TemplateId = str(conf["SMS_TEMPLATE_ID"])
        request.TemplateParamSet = [text]
        request.SessionContext = str(delivery_id)  # returned as is: maps a record back
        try:
            client = sms_client.SmsClient(
                Credential(conf["TENCENTCLOUD_SECRET_ID"], conf["TENCENTCLOUD_SECRET_KEY"]),
                conf.get("SMS_REGION") or "ap-guangzhou",
                ClientProfile(httpProfile=http),
            )
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            # ClientNetworkError (refused, reset, timeout), ServerNetworkError (an HTTP status
            # other than 200), or the API's Response.Error
            message = exc.get_message()
            if isinstance(message, bytes):
                message = message.decode("utf-8", "replace")
            raise _failed(
                exc.get_code(), " ".join(str(message).split())[:300], exc.requestId
            ) from exc
        statuses = response.SendStatusSet or []
        status = next((s for s in statuses if s.PhoneNumber == phone), None)
        if status is None and len(statuses) == 1:
            status = statuses[0]
        if status is None:
            raise _failed("NoSendStatus", "no status for the number", response.RequestId)
        if status.Code != "Ok":
            raise _failed(status.Code, status.Message, response.RequestId)
        log.info("sms delivery %s accepted by Tencent Cloud SMS (%s)", delivery_id, status.SerialNo)


def missing(config):
    """The Tencent settings that are not set."""
    return [key for key in REQUIRED if not str(config.get(key) or "").strip()]
