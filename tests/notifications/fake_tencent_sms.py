"""A loopback server that speaks Tencent Cloud SMS API 2021-01-11 ``SendSms`` (API 3.0, JSON over
HTTP POST), written from the public API documentation rather than from the SDK, so that the
channel's real SDK is tested against an independent reading of the protocol:

- the request: ``POST /`` with ``Content-Type: application/json``, the common headers
  ``X-TC-Action: SendSms``, ``X-TC-Version: 2021-01-11``, ``X-TC-Timestamp``, ``X-TC-Region`` and
  ``Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request,
  SignedHeaders=…, Signature=…``;
- the signature (signature method v3) is recomputed from the request with the test secret key:
  the canonical request (method, URI, query, the signed headers as lower-case ``key:value``
  lines in key order, the signed header names, the SHA-256 of the body), the string to sign
  (algorithm, timestamp, the scope ``<date>/sms/tc3_request``, the SHA-256 of the canonical
  request) and the derived key chain HMAC("TC3"+key, date) → service → "tc3_request". A
  mismatch answers ``AuthFailure.SignatureFailure``; an unknown SecretId
  ``AuthFailure.SecretIdNotFound``; a timestamp more than five minutes off
  ``AuthFailure.SignatureExpire``;
- the body: ``SmsSdkAppId``, ``SignName``, ``TemplateId`` as configured, a non-empty
  ``PhoneNumberSet`` and a ``TemplateParamSet`` with one value per template variable;
- the answer: ``{"Response": {"SendStatusSet": [{"SerialNo", "PhoneNumber", "Fee",
  "SessionContext", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}], "RequestId"}}``
  with one status per number (``InvalidParameterValue.IncorrectPhoneNumber`` for a number that
  is not a mainland mobile in E.164), or ``{"Response": {"Error": {"Code", "Message"},
  "RequestId"}}``.

Every request is kept in ``requests`` (headers, body, verdict); every message that went out in
``accepted``. A test scripts failures for the next requests: ``fail_next`` (an API-level error or
a per-number ``Code``), ``throttle_next`` (``RequestLimitExceeded``), ``stall_next`` (no answer
for a while: a client timeout), ``drop_next`` (the connection closed without an answer) and
``http_error_next`` (a 5xx from a gateway)."""

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MAINLAND_E164 = re.compile(r"\+861[3-9]\d{9}")
SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
AUTH = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)"
    r"/tc3_request, SignedHeaders=(?P<headers>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})"
)
ERROR_MESSAGES = {
    "AuthFailure.SignatureFailure": "The provided credentials could not be validated. "
    "Please check your signature is correct.",
    "AuthFailure.SecretIdNotFound": "The SecretId is not found, please ensure that your "
    "SecretId is correct.",
    "AuthFailure.SignatureExpire": "Signature expired. Timestamp and server time cannot differ "
    "by more than 5 minutes.",
    "RequestLimitExceeded": "Your current request times equals to `3000` in a second, which "
    "exceeds the frequency limit `3000` for a second. Please reduce the frequency of calls.",
}


def tc3_signature(secret_key, date, service, string_to_sign):
    """Signature method v3's key chain and the final HMAC (hex)."""

    def mac(key, msg):
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    secret_date = mac(("TC3" + secret_key).encode("utf-8"), date)
    secret_service = mac(secret_date, service)
    secret_signing = mac(secret_service, "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical_request(method, path, headers, signed_headers, body):
    """Signature method v3's canonical request. ``headers``: name -> value, names lower case."""
    url = urlsplit(path)
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed_headers
    )
    if headers.get("x-tc-content-sha256") == "UNSIGNED-PAYLOAD":
        payload_hash = "UNSIGNED-PAYLOAD"
    else:
        payload_hash = hashlib.sha256(body).hexdigest()
    return "\n".join(
        (
            method,
            url.path or "/",
            url.query,
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        )
    )


class FakeTencentSms:
    """``with FakeTencentSms() as sms: …``; ``sms.endpoint`` is ``http://127.0.0.1:PORT``."""

    def __init__(
        self,
        secret_id="AKIDfakeTencentSmsTestId000000000000",
        secret_key="fake-tencent-sms-test-secret-key-000",
        sdk_app_id="1400000001",
        sign_name="某某市政协",
        template_id="1234567",
        template="您有一条提案办理提醒：{1}，请登录系统查看。",
        param_max_chars=None,
        clock_skew_seconds=300,
    ):
        self.secret_id, self.secret_key = secret_id, secret_key
        self.sdk_app_id, self.sign_name, self.template_id = sdk_app_id, sign_name, template_id
        self.template = template
        self.variables = len(set(re.findall(r"\{\d+\}", template)))
        self.param_max_chars = param_max_chars  # None: no limit on a variable's length
        self.clock_skew_seconds = clock_skew_seconds
        self.requests = []  # every request: headers, body, verdict
        self.accepted = []  # every message that went out
        self._script = []  # what the next requests get, first first
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self._serial = 0

    # --- life cycle ---------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (the name http.server calls)
                fake._handle(self)

            def do_GET(self):  # noqa: N802
                fake._answer(self, fake._error("InvalidParameter", "only POST is served here"))

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll
            name="fake-tencent-sms",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()  # stalled requests give up at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    # --- what the next requests get -----------------------------------------------------------

    def fail_next(self, code, times=1, per_number=False, message=None):
        """The next ``times`` signed, well-formed requests answer ``code``: as the API error
        (``Response.Error``), or, with ``per_number``, as every number's ``SendStatus.Code``."""
        kind = "status" if per_number else "error"
        self._push((kind, code, message or ERROR_MESSAGES.get(code, code)), times)

    def throttle_next(self, times=1):
        self.fail_next("RequestLimitExceeded", times)

    def stall_next(self, times=1, seconds=30.0):
        """The next requests get no answer for ``seconds`` (the client times out first); then
        the connection is closed. Nothing is sent."""
        self._push(("stall", seconds), times)

    def drop_next(self, times=1):
        """The next requests are read and the connection closed without an answer."""
        self._push(("drop",), times)

    def http_error_next(self, status=502, times=1):
        """The next requests get a gateway's HTML error page with ``status``."""
        self._push(("http", status), times)

    def _push(self, item, times):
        with self._lock:
            self._script.extend([item] * times)

    def _next(self, network):
        """The next scripted behaviour of the kind asked for (network-level: before the request
        is checked; API-level: for a request that passed the checks), or None."""
        with self._lock:
            if self._script and (self._script[0][0] in ("stall", "drop", "http")) == network:
                return self._script.pop(0)
        return None

    # --- serving ------------------------------------------------------------------------------

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        record = {
            "path": handler.path,
            "headers": headers,
            "body": body,
            "at": time.time(),
        }
        with self._lock:
            self.requests.append(record)
        scripted = self._next(network=True)
        if scripted is not None:
            record["verdict"] = scripted[0]
            if scripted[0] == "stall":
                self._stopping.wait(scripted[1])
            if scripted[0] in ("stall", "drop"):
                handler.close_connection = True
                return
            page = f"<html><body>{scripted[1]} Bad Gateway</body></html>".encode()
            handler.send_response(scripted[1])
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)
            return
        answer = self._check(handler.command, handler.path, headers, body)
        if answer is None:
            payload = json.loads(body)
            scripted = self._next(network=False)
            if scripted is not None and scripted[0] == "error":
                answer = self._error(scripted[1], scripted[2])
            else:
                status = scripted[1:] if scripted is not None else None
                answer = self._send(payload, headers, status)
        record["verdict"] = answer["Response"].get("Error", {}).get("Code") or [
            s["Code"] for s in answer["Response"]["SendStatusSet"]
        ]
        self._answer(handler, answer)

    def _check(self, method, path, headers, body):
        """None for a correctly signed, well-formed SendSms request, else the error answer."""
        if method != "POST" or urlsplit(path).path != "/":
            return self._error("InvalidParameter", "POST / expected")
        if headers.get("content-type") != "application/json":
            return self._error("InvalidParameter", "Content-Type must be application/json")
        if headers.get("x-tc-action") != ACTION:
            return self._error("InvalidAction", f"action {headers.get('x-tc-action')} not found")
        if headers.get("x-tc-version") != VERSION:
            return self._error("NoSuchVersion", f"version {headers.get('x-tc-version')} not found")
        if not headers.get("x-tc-region"):
            return self._error("MissingParameter", "the X-TC-Region header is required")
        auth = AUTH.fullmatch(headers.get("authorization", ""))
        if auth is None:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization malformed")
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return self._error("AuthFailure.InvalidAuthorization", "X-TC-Timestamp malformed")
        if abs(time.time() - timestamp) > self.clock_skew_seconds:
            return self._error("AuthFailure.SignatureExpire")
        if auth["id"] != self.secret_id:
            return self._error("AuthFailure.SecretIdNotFound")
        signed = auth["headers"].split(";")
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        if (
            auth["service"] != SERVICE
            or auth["date"] != date
            or signed != sorted(signed)
            or not {"content-type", "host"} <= set(signed)
        ):
            return self._error("AuthFailure.SignatureFailure")
        string_to_sign = "\n".join(
            (
                "TC3-HMAC-SHA256",
                str(timestamp),
                f"{date}/{SERVICE}/tc3_request",
                hashlib.sha256(
                    canonical_request(method, path, headers, signed, body).encode("utf-8")
                ).hexdigest(),
            )
        )
        expected = tc3_signature(self.secret_key, date, SERVICE, string_to_sign)
        if not hmac.compare_digest(expected, auth["sig"]):
            return self._error("AuthFailure.SignatureFailure")
        try:
            payload = json.loads(body)
        except ValueError:
            return self._error("FailedOperation.JsonParseFail", "the body is not JSON")
        if not isinstance(payload, dict):
            return self._error("FailedOperation.JsonParseFail", "the body is not an object")
        return self._check_body(payload)

    def _check_body(self, payload):
        for field in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if field not in payload:
                return self._error("MissingParameter", f"the parameter {field} is required")
        numbers, params = payload["PhoneNumberSet"], payload.get("TemplateParamSet") or []
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            return self._error("InvalidParameter", "PhoneNumberSet must be an array of strings")
        if not numbers:
            return self._error("MissingParameter.EmptyPhoneNumberSet")
        if len(numbers) > 200:
            return self._error("LimitExceeded.PhoneNumberCountLimit")
        if payload["SmsSdkAppId"] != self.sdk_app_id:
            return self._error("UnauthorizedOperation.SmsSdkAppIdVerifyFail")
        if payload.get("SignName") != self.sign_name:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved")
        if payload["TemplateId"] != self.template_id:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved")
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            return self._error("InvalidParameter", "TemplateParamSet must be an array of strings")
        if len(params) != self.variables:
            return self._error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate")
        if self.param_max_chars is not None and any(len(p) > self.param_max_chars for p in params):
            return self._error("InvalidParameterValue.TemplateParameterLengthLimit")
        if len(str(payload.get("SessionContext", "")).encode()) >= 512:
            return self._error("InvalidParameterValue", "SessionContext is 512 bytes or more")
        return None

    def _send(self, payload, headers, status=None):
        """The answer to an accepted request; each number gets ``status`` (code, message) when
        a failure was scripted, else goes out."""
        content = f"【{self.sign_name}】" + self._render(payload.get("TemplateParamSet") or [])
        statuses = []
        for number in payload["PhoneNumberSet"]:
            with self._lock:
                self._serial += 1
                serial = f"2640:{self._serial:020d}"
            code, message = status or ("Ok", "send success")
            if status is None and not MAINLAND_E164.fullmatch(number):
                code, message = "InvalidParameterValue.IncorrectPhoneNumber", "incorrect number"
            ok = code == "Ok"
            statuses.append(
                {
                    "SerialNo": serial if ok else "",
                    "PhoneNumber": number,
                    "Fee": (1 if len(content) <= 70 else -(-len(content) // 67)) if ok else 0,
                    "SessionContext": payload.get("SessionContext", ""),
                    "Code": code,
                    "Message": message,
                    "IsoCode": "CN" if number.startswith("+86") else "",
                }
            )
            if ok:
                with self._lock:
                    self.accepted.append(
                        {
                            "phone": number,
                            "params": list(payload.get("TemplateParamSet") or []),
                            "content": content,
                            "sign_name": payload.get("SignName"),
                            "template_id": payload["TemplateId"],
                            "sdk_app_id": payload["SmsSdkAppId"],
                            "session_context": payload.get("SessionContext"),
                            "region": headers.get("x-tc-region"),
                            "secret_id": self.secret_id,
                            "serial": serial,
                        }
                    )
        return {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}

    def _render(self, params):
        text = self.template
        for i, value in enumerate(params, 1):
            text = text.replace(f"{{{i}}}", value)
        return text

    @staticmethod
    def _error(code, message=None):
        return {
            "Response": {
                "Error": {"Code": code, "Message": message or ERROR_MESSAGES.get(code, code)},
                "RequestId": str(uuid.uuid4()),
            }
        }

    @staticmethod
    def _answer(handler, answer):
        data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        handler.send_response(200)  # API 3.0 answers errors with 200 and Response.Error
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
