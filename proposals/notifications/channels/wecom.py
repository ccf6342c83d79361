"""WeChat Work (企业微信) application messages (应用消息) to one person: a text card with the
notification's text and a link to the record, sent by the committee's self-built application
(自建应用) through the WeChat Work server API: ``GET /cgi-bin/gettoken`` for an access token,
then ``POST /cgi-bin/message/send``. Configuration: the WECOM_* settings; docs/operations.md
says how to set the application up and what each failure does. Two HTTP calls, so the standard
library's urllib rather than another dependency.

Failures, by the API's errcode (its public list of global error codes, 全局错误码):

- the token is invalid or expired (40014, 42001, or 40001 on message/send): a new token is
  fetched once and the message sent again within the same attempt;
- the person is not in the organisation or not in the application's visible range (81013 and
  the other user-id errors, or a success that names them in ``invaliduser``), or the API refuses
  the message itself: given up at once (``retry=False``);
- frequency limits (45009, 45047): retried after a minute, then at the next full hour, then the
  next day (the documented limits are per minute, hour and day); concurrency (45033): a minute;
- the configuration (40001 on gettoken: the secret; 40013 the corp id; 60020 this server is not
  a trusted IP; 40056 the agent id …): a WARNING for the admin, retried after CONFIG_WAIT, so
  that the deliveries go out once the configuration is fixed;
- system busy (-1), HTTP errors, timeouts, refused connections, anything else: retried with the
  usual back-off (delivery.py).

The secret and the token travel in URLs: no message, exception or log line made here carries a
URL, and every text taken from a reply or an exception is scrubbed of both."""

import hashlib
import html
import http.client
import json
import logging
import math
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from flask import current_app

from ...committee.calendar import LOCAL_TZ, utcnow
from ...i18n import N_
from .base import Channel, DeliveryFailed

log = logging.getLogger("proposals.delivery")

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TITLE = "提案办理提醒"
BUTTON = "详情"
# the text card's documented limits, in bytes of UTF-8
TITLE_MAX_BYTES = 128
DESCRIPTION_MAX_BYTES = 512
ELLIPSIS = "…"
# the API drops the same content to the same person within this many seconds, so a delivery
# sent again after its sender died (delivery.py's lease) is not shown twice
DUPLICATE_CHECK_SECONDS = 1800
# the longest reply read (the API's answers are a few hundred bytes)
REPLY_MAX_BYTES = 64 * 1024

# --- errcodes --------------------------------------------------------------------------------
# on message/send: the token is invalid (40001 there too) or expired: fetch a new one, once
TOKEN_REFUSED = frozenset({40001, 40014, 42001})
# the configuration is wrong: the admin fixes it and the deliveries go out then (40001 counts
# here only on gettoken, where it means the secret)
CONFIGURATION = {
    40013: "invalid corp id (WECOM_CORP_ID)",
    40056: "invalid agent id (WECOM_AGENT_ID)",
    40091: "the secret belongs to another organisation (WECOM_CORP_SECRET)",
    41002: "corp id missing",
    41004: "secret missing",
    48002: "the application may not call this API",
    50003: "the application is disabled",
    60020: "this server's IP address is not among the application's trusted IPs (企业可信IP)",
}
SECRET_REFUSED = "invalid secret (WECOM_CORP_SECRET)"
# the person cannot be reached by this application: trying again cannot help
RECIPIENT = {
    40003: "invalid user id",
    40031: "invalid user id list",
    46004: "the user does not exist",
    60111: "the user id does not exist",
    81013: "the user is not in the organisation or not in the application's visible range",
}
# the API refuses the message itself: sending it again cannot help
MESSAGE = {
    40008: "invalid message type",
    40033: "\\uxxxx escapes in the request",
    41016: "title missing",
    41033: "description missing",
    44004: "empty content",
    45002: "content too long",
    82004: "invalid message content",
}
THROTTLED = {45009: "API frequency limit", 45047: "frequency limit"}
CONCURRENCY = {45033: "API concurrency limit"}
OTHER = {-1: "system busy", 40014: "invalid access token", 42001: "access token expired"}
MEANINGS = {**OTHER, **CONFIGURATION, **RECIPIENT, **MESSAGE, **THROTTLED, **CONCURRENCY}
THROTTLE_WAIT = 60  # a per-minute limit clears after a minute
CONFIG_WAIT = 3600  # a configuration error: try again in an hour (the admin may have fixed it)

# --- the access token, cached per process ---------------------------------------------------
# The API limits gettoken calls and a token lives ``expires_in`` seconds (7200): the documented
# way to use it is to keep the token and reuse it until it expires, or until the API calls it
# invalid. This dict is that cache, in this process only: each worker process fetches its own
# token (WeChat Work answers the same one while it is valid; several processes may hold it).
# Keyed by the API base, the corp id and a hash of the secret, so that a changed configuration
# never uses a token of the old one. Values: (token, time.monotonic() at which it is renewed).
# The token is never logged.
_tokens = {}
_tokens_lock = threading.Lock()
TOKEN_RENEW_EARLY = 300  # seconds before the documented expiry


def forget_tokens():
    """Drop every cached token (tests; a process that wants a fresh start)."""
    with _tokens_lock:
        _tokens.clear()


@dataclass(frozen=True)
class _Settings:
    base: str
    corp_id: str
    secret: str = field(repr=False)
    agent_id: int
    timeout: float

    @property
    def key(self):
        digest = hashlib.sha256(self.secret.encode("utf-8")).hexdigest()
        return (self.base, self.corp_id, digest)


class WeCom(Channel):
    name = "wecom"
    label = N_("企业微信")

    def configured(self, config):
        return all(config.get(k) for k in ("WECOM_CORP_ID", "WECOM_CORP_SECRET", "WECOM_AGENT_ID"))

    def address(self, user):
        return (user.wecom_userid or "").strip() or None

    def send(self, delivery):
        conf = current_app.config
        settings = _settings(conf)
        body = json.dumps(self.message(delivery, conf, settings.agent_id), ensure_ascii=False)
        data = body.encode("utf-8")  # UTF-8 as is: the API refuses \uxxxx escapes (40033)
        token = _token(settings, delivery.attempts)
        reply = _send(settings, token, data)
        if _errcode(reply) in TOKEN_REFUSED:
            token = _token(settings, delivery.attempts, stale=token)
            reply = _send(settings, token, data)
        hide = (settings.secret, token)
        code = _errcode(reply)
        if code != 0:
            raise _failure("message/send", code, reply, delivery.attempts, hide)
        unreached = reply.get("invaliduser") or reply.get("unlicenseduser")
        if unreached:
            raise DeliveryFailed(
                _scrub(
                    f"WeChat Work message/send: user id {delivery.address} is not in the "
                    "organisation or not in the application's visible range "
                    f"(invaliduser {reply.get('invaliduser')!r}, "
                    f"unlicenseduser {reply.get('unlicenseduser')!r})",
                    hide,
                ),
                retry=False,
            )

    def message(self, delivery, conf, agent_id):
        """The message/send body: a text card with the reminder's text and the record's link."""
        notification = delivery.notification
        base = (conf.get("APP_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        return {
            "touser": delivery.address,
            "msgtype": "textcard",
            "agentid": agent_id,
            "textcard": {
                "title": fit(TITLE, TITLE_MAX_BYTES),
                "description": fit(notification.text, DESCRIPTION_MAX_BYTES),
                "url": base + notification.link,
                "btntxt": BUTTON,
            },
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }


def fit(text, limit):
    """``text`` for a text card field: control characters dropped (JSON would write them as the
    \\uxxxx escapes the API refuses; a tab becomes a space), ``&``, ``<`` and ``>`` escaped (the
    description reads a few HTML-like tags: a title that contains one is still text), and cut
    at a character boundary, never inside an entity, to at most ``limit`` bytes of UTF-8, an
    ellipsis marking the cut."""
    pieces = [
        html.escape(" " if ch == "\t" else ch, quote=False)
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    ]
    sizes = [len(p.encode("utf-8")) for p in pieces]
    if sum(sizes) <= limit:
        return "".join(pieces)
    budget, used, kept = limit - len(ELLIPSIS.encode("utf-8")), 0, []
    for piece, size in zip(pieces, sizes):
        if used + size > budget:
            break
        kept.append(piece)
        used += size
    return "".join(kept) + ELLIPSIS


# --- the two calls -----------------------------------------------------------------------------


def _settings(conf):
    missing = [
        k for k in ("WECOM_CORP_ID", "WECOM_CORP_SECRET", "WECOM_AGENT_ID") if not conf.get(k)
    ]
    if missing:
        raise _configuration_error(", ".join(missing) + " not set")
    try:
        agent_id = int(conf["WECOM_AGENT_ID"])
    except (TypeError, ValueError):
        raise _configuration_error("WECOM_AGENT_ID is not a number") from None
    base = (conf.get("WECOM_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _configuration_error("WECOM_API_BASE is not an http(s) address")
    return _Settings(
        base=base,
        corp_id=str(conf["WECOM_CORP_ID"]),
        secret=str(conf["WECOM_CORP_SECRET"]),
        agent_id=agent_id,
        timeout=float(conf.get("WECOM_TIMEOUT_SECONDS") or 10),
    )


def _token(settings, attempts, stale=None):
    """The cached access token, or a new one (when there is none, it is due for renewal, or it
    is ``stale``: the API just refused it)."""
    with _tokens_lock:  # one fetch at a time: the others then find the new token cached
        cached = _tokens.get(settings.key)
        if cached and cached[0] != stale and cached[1] > time.monotonic():
            return cached[0]
        _tokens.pop(settings.key, None)
        query = urlencode({"corpid": settings.corp_id, "corpsecret": settings.secret})
        reply = _call("gettoken", f"{settings.base}/cgi-bin/gettoken?{query}", None, settings)
        code, token = _errcode(reply), reply.get("access_token")
        if code != 0 or not isinstance(token, str) or not token:
            raise _failure("gettoken", code, reply, attempts, (settings.secret,))
        try:
            lifetime = int(reply.get("expires_in") or 7200)
        except (TypeError, ValueError):
            lifetime = 7200
        _tokens[settings.key] = (token, time.monotonic() + max(0, lifetime - TOKEN_RENEW_EARLY))
        return token


def _send(settings, token, data):
    url = f"{settings.base}/cgi-bin/message/send?{urlencode({'access_token': token})}"
    return _call("message/send", url, data, settings, token)


def _call(what, url, data, settings, token=None):
    """The JSON object the API answers to a GET (``data`` None) or a POST of ``data``. Every
    failure to get one is a DeliveryFailed that may be retried; its text names neither the URL
    nor the secret or the token (``from None``: not even the chained exception keeps the URL)."""
    hide = (settings.secret, token)
    headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else {}
    request = Request(url, data=data, headers=headers, method="GET" if data is None else "POST")
    try:
        # B310: the scheme is http(s), checked in _settings (never file: or a custom one)
        with urlopen(request, timeout=settings.timeout) as response:  # nosec B310  # http(s) only
            raw = response.read(REPLY_MAX_BYTES)
    except HTTPError as exc:
        raise DeliveryFailed(f"WeChat Work {what}: HTTP {exc.code}") from None
    except URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise DeliveryFailed(
                f"WeChat Work {what}: timed out after {settings.timeout:g} s"
            ) from None
        text = f"{type(reason).__name__}: {reason}" if isinstance(reason, OSError) else reason
        raise DeliveryFailed(_scrub(f"WeChat Work {what}: {text}", hide)) from None
    except TimeoutError:
        raise DeliveryFailed(
            f"WeChat Work {what}: timed out after {settings.timeout:g} s"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        text = f"WeChat Work {what}: {type(exc).__name__}: {exc}"
        raise DeliveryFailed(_scrub(text, hide)) from None
    try:
        reply = json.loads(raw.decode("utf-8"))
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise DeliveryFailed(f"WeChat Work {what}: the answer is not a JSON object")
    return reply


def _errcode(reply):
    try:
        return int(reply.get("errcode", 0))
    except (TypeError, ValueError):
        return -1


def _failure(what, code, reply, attempts, hide):
    """The DeliveryFailed for an errcode, as the module's docstring lists them."""
    secret_refused = what == "gettoken" and code == 40001
    meaning = SECRET_REFUSED if secret_refused else MEANINGS.get(code)
    errmsg = str(reply.get("errmsg") or "")[:200]
    text = _scrub(
        f"WeChat Work {what}: errcode {code}"
        + (f" ({meaning})" if meaning else "")
        + f": {errmsg}",
        hide,
    )
    if secret_refused or code in CONFIGURATION:
        return _configuration_error(f"errcode {code}: {meaning}", text)
    if code in RECIPIENT or code in MESSAGE:
        return DeliveryFailed(text, retry=False)
    if code in THROTTLED:
        return DeliveryFailed(text, wait=_throttle_wait(attempts))
    if code in CONCURRENCY:
        return DeliveryFailed(text, wait=THROTTLE_WAIT)
    return DeliveryFailed(text)  # -1 system busy, and anything unknown: the usual back-off


def _configuration_error(reason, text=None):
    log.warning(
        "WeChat Work configuration error (%s): check WECOM_CORP_ID, WECOM_CORP_SECRET, "
        "WECOM_AGENT_ID and the application's trusted IPs in the WeChat Work admin console; "
        "the deliveries are tried again in %s s",
        reason,
        CONFIG_WAIT,
    )
    return DeliveryFailed(text or f"WeChat Work configuration error: {reason}", wait=CONFIG_WAIT)


def _throttle_wait(attempts, now=None):
    """Seconds to wait after a frequency limit: the documented limits are per minute, per hour
    and per day, and the errcode does not say which one was hit; so a minute the first time,
    then until the next full hour, then until the next day (midnight, China time)."""
    now = now or utcnow()
    if attempts <= 1:
        return THROTTLE_WAIT
    local = now.astimezone(LOCAL_TZ)
    if attempts == 2:
        until = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    else:
        until = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    return max(THROTTLE_WAIT, math.ceil((until - local).total_seconds()))


def _scrub(text, hide):
    for value in hide:
        if value:
            text = text.replace(value, "***")
    return text
