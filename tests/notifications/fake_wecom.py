"""A loopback server that speaks the WeChat Work (企业微信) server API as far as the WeChat Work
channel uses it: ``GET /cgi-bin/gettoken`` and ``POST /cgi-bin/message/send`` (application
messages, 应用消息, of type ``textcard``).

It checks what the real API checks and answers with the documented error codes: the corp id and
secret (40013, 40001), the access token (41001 missing, 40014 unknown, 42001 expired), the
request body (40033 for ``\\uxxxx`` escapes, which the API refuses), the agent id (40056), the
message type (40008), the recipient (82001 none), the text card's title, description and url
(41016, 41033, 41010 missing; 45002 past the byte limits; 45034 a url without http(s)://), the
button text (at most 4 characters) and the duplicate check's interval. Recipients outside the
organisation (``users``) come back in ``invaliduser``. Accepted messages are recorded in
``messages``; with ``enable_duplicate_check`` the same content to the same person within the
interval is accepted but not delivered again (``duplicates``), as the API documents.

Within its token's lifetime ``gettoken`` answers the same token again, as the real API does;
``expire_tokens()`` ends every token at once. ``fail_next(n, …)`` makes the next n requests
to an endpoint fail: with an errcode (45009 throttling, -1 busy, 81013 …), an HTTP status
(500), or a stall that outlasts the client's timeout.

    with FakeWeCom() as fake:
        app.config["WECOM_API_BASE"] = fake.base_url
        fake.fail_next(errcode=45009)
"""

import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TITLE_MAX_BYTES = 128
DESCRIPTION_MAX_BYTES = 512
URL_MAX_BYTES = 2048
BUTTON_MAX_CHARS = 4
DUPLICATE_INTERVAL_MAX = 4 * 3600
# a \uxxxx escape in the raw body (an even number of backslashes before it is a literal one)
UNICODE_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u[0-9a-fA-F]{4}")

ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40033: "invalid charset. please check your request, if include \\uxxxx will create fail!",
    40056: "invalid agentid",
    40058: "invalid parameter",
    41001: "access_token missing",
    41002: "corpid missing",
    41004: "corpsecret missing",
    41010: "url missing",
    41016: "title missing",
    41033: "description missing",
    42001: "access_token expired",
    45002: "content size out of limit",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    45034: "url must start with http:// or https://",
    60020: "not allow to access from your ip",
    81013: "user & party & tag all invalid",
    82001: "All touser & toparty & totag invalid",
}


def _nbytes(value):
    return len(value.encode("utf-8"))


class FakeWeCom:
    def __init__(
        self,
        *,
        corp_id="wwfakecorp0001",
        corp_secret=None,
        agent_id=1000002,
        users=("zhangsan", "lisi"),
        token_lifetime=7200,
    ):
        self.corp_id = corp_id
        self.corp_secret = corp_secret or "fake-secret-" + secrets.token_hex(16)
        self.agent_id = agent_id
        self.users = set(users)
        self.token_lifetime = token_lifetime
        self.gettoken_calls = 0
        self.send_calls = 0
        self.issued_tokens = []  # every token handed out, for the tests' "never logged" checks
        self.messages = []  # the accepted message/send bodies, in order
        self.refused = []  # (errcode, body) of refused sends
        self.duplicates = 0  # sends the duplicate check absorbed
        self._tokens = {}  # token -> expiry (time.monotonic())
        self._faults = []  # [endpoint, remaining, kind, value]
        self._seen = {}  # (touser, content) -> last accepted (time.monotonic())
        self._lock = threading.Lock()
        self._release = threading.Event()  # ends the stalls at stop()
        self._server = None
        self._thread = None

    # --- running --------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what a test tells it -------------------------------------------------------------

    def fail_next(self, n=1, *, errcode=None, status=None, stall=None, on="send"):
        """The next ``n`` requests to ``on`` ("send", "gettoken" or "any") fail: answered with
        ``errcode``, or with HTTP ``status``, or held for ``stall`` seconds and dropped."""
        if sum(x is not None for x in (errcode, status, stall)) != 1:
            raise ValueError("give exactly one of errcode, status, stall")
        kind, value = (
            ("errcode", errcode)
            if errcode is not None
            else ("status", status)
            if status is not None
            else ("stall", stall)
        )
        with self._lock:
            self._faults.append([on, n, kind, value])

    def expire_tokens(self):
        """Every token issued so far expires now (the next use answers 42001)."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def token_state(self, token):
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if expiry > time.monotonic() else "expired"

    # --- the endpoints (called by the handler) -------------------------------------------

    def _fault(self, endpoint):
        with self._lock:
            for fault in self._faults:
                if fault[0] in (endpoint, "any"):
                    fault[1] -= 1
                    if fault[1] <= 0:
                        self._faults.remove(fault)
                    return fault[2], fault[3]
        return None

    def count(self, endpoint):
        with self._lock:
            if endpoint == "gettoken":
                self.gettoken_calls += 1
            else:
                self.send_calls += 1

    def gettoken(self, query):
        corpid = query.get("corpid", [""])[0]
        corpsecret = query.get("corpsecret", [""])[0]
        if not corpid:
            return _error(41002)
        if not corpsecret:
            return _error(41004)
        if corpid != self.corp_id:
            return _error(40013)
        if corpsecret != self.corp_secret:
            return _error(40001)
        now = time.monotonic()
        with self._lock:
            # within its lifetime the same token is answered again (as the real API does)
            valid = [(exp, tok) for tok, exp in self._tokens.items() if exp > now]
            if valid:
                expiry, token = max(valid)
            else:
                token = "fake-token-" + secrets.token_urlsafe(24)
                expiry = now + self.token_lifetime
                self._tokens[token] = expiry
                self.issued_tokens.append(token)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "access_token": token,
            "expires_in": max(0, round(expiry - now)),
        }

    def send(self, query, raw):
        token = query.get("access_token", [""])[0]
        if not token:
            return _error(41001)
        state = self.token_state(token)
        if state == "unknown":
            return _error(40014)
        if state == "expired":
            return _error(42001)
        text = raw.decode("utf-8", errors="replace")
        if UNICODE_ESCAPE.search(text):
            return self._refuse(40033, text)
        try:
            body = json.loads(text)
        except ValueError:
            return self._refuse(40058, text)
        if not isinstance(body, dict):
            return self._refuse(40058, body)
        errcode = self._check(body)
        if errcode:
            return self._refuse(errcode, body)
        wanted = [u for u in str(body["touser"]).split("|") if u]
        reached = [u for u in wanted if u in self.users]
        invalid = [u for u in wanted if u not in self.users]
        if reached:
            card = body["textcard"]
            content = (card["title"], card["description"], card["url"], card.get("btntxt"))
            key = ("|".join(reached), content)
            now = time.monotonic()
            with self._lock:
                last = self._seen.get(key)
                interval = int(body.get("duplicate_check_interval", 1800))
                if body.get("enable_duplicate_check") == 1 and last and now - last < interval:
                    self.duplicates += 1
                else:
                    self._seen[key] = now
                    self.messages.append(body)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "invalidparty": "",
            "invalidtag": "",
            "unlicenseduser": "",
            "msgid": secrets.token_urlsafe(12) if reached else "",
            "response_code": "",
        }

    def _check(self, body):
        """The errcode for a malformed message, or 0."""
        agentid = body.get("agentid")
        if type(agentid) is not int or agentid != self.agent_id:
            return 40056
        if body.get("msgtype") != "textcard":
            return 40008
        if not isinstance(body.get("touser"), str) or not body["touser"].strip("|"):
            return 82001
        card = body.get("textcard")
        if not isinstance(card, dict):
            return 40058
        for field, missing in (("title", 41016), ("description", 41033), ("url", 41010)):
            if not isinstance(card.get(field), str) or not card[field]:
                return missing
        if _nbytes(card["title"]) > TITLE_MAX_BYTES:
            return 45002
        if _nbytes(card["description"]) > DESCRIPTION_MAX_BYTES:
            return 45002
        if _nbytes(card["url"]) > URL_MAX_BYTES:
            return 45002
        if not card["url"].startswith(("http://", "https://")):
            return 45034
        if "btntxt" in card and (
            not isinstance(card["btntxt"], str) or len(card["btntxt"]) > BUTTON_MAX_CHARS
        ):
            return 40058
        if body.get("enable_duplicate_check", 0) not in (0, 1):
            return 40058
        interval = body.get("duplicate_check_interval", 1800)
        if type(interval) is not int or not 0 < interval <= DUPLICATE_INTERVAL_MAX:
            return 40058
        return 0

    def _refuse(self, errcode, body):
        with self._lock:
            self.refused.append((errcode, body))
        return _error(errcode)


def _error(errcode):
    hint = f"hint: [{secrets.token_hex(8)}], from ip: 127.0.0.1"
    return {"errcode": errcode, "errmsg": f"{ERRMSG.get(errcode, 'error')}, {hint}"}


class _Handler(BaseHTTPRequestHandler):
    fake = None  # set on the subclass made by FakeWeCom.start()
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the URLs carry the secret and the token: keep them quiet
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/cgi-bin/gettoken":
            return self._reply(404, {"errcode": 404, "errmsg": "not found"})
        if self._faulted("gettoken"):
            return None
        return self._reply(200, self.fake.gettoken(parse_qs(url.query)))

    def do_POST(self):
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path != "/cgi-bin/message/send":
            return self._reply(404, {"errcode": 404, "errmsg": "not found"})
        if self._faulted("send"):
            return None
        return self._reply(200, self.fake.send(parse_qs(url.query), raw))

    def _faulted(self, endpoint):
        self.fake.count(endpoint)  # every request counts, failed or not
        fault = self.fake._fault(endpoint)
        if fault is None:
            return False
        kind, value = fault
        if kind == "errcode":
            self._reply(200, _error(value))
        elif kind == "status":
            self._reply(value, None)
        else:  # a stall: hold the request past the client's timeout, then drop it
            self.fake._release.wait(value)
            self.close_connection = True
        return True

    def _reply(self, status, payload):
        if payload is None:
            body = b"<html><body>Internal Server Error</body></html>"
            ctype = "text/html"
        else:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            ctype = "application/json; charset=UTF-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (a timeout)
            self.close_connection = True
