"""Login rate limits (Flask-Limiter's storage and strategy; ASVS 5.0 §6.3.1).

Two counters, both counting FAILED logins only, on the web form (POST /login) and the API
(POST /api/v1/auth/token) alike:

- per account (LOGIN_RATE_LIMIT_ACCOUNT, default "10 per 15 minutes"): the attempted username,
  whichever address the attempts come from;
- per client address (LOGIN_RATE_LIMIT_ADDRESS, default "30 per 15 minutes").

Past either limit every attempt is answered 429 (before the password is even checked) until the
window ends. A successful login never resets a counter. The counts live in Redis when REDIS_URL
is set (RATELIMIT_STORAGE_URI), so that every gunicorn worker shares them; in memory otherwise.
If Redis is down the limiter falls back to memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
LOGIN_RATE_LIMIT_ENABLED=False turns the login limits off (the shared test app does).
"""

import math
import time

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from ..i18n import _
from .state import request_state

EXTENSION = "proposals.limiter"


def init_app(app):
    # Flask-Limiter reads RATELIMIT_* from the config; no default limits: only logins are limited
    limiter = Limiter(key_func=get_remote_address, app=app)
    limiter.proposals_fallback = FixedWindowRateLimiter(MemoryStorage())
    app.extensions[EXTENSION] = limiter
    return limiter


def get_limiter(app=None):
    return (app or current_app).extensions[EXTENSION]


def _call(method, *args):
    """A call on the configured storage (Redis or memory); while Redis cannot be reached, on
    this process's memory instead (logged), so that logins keep working, still limited."""
    limiter = get_limiter()
    try:
        return getattr(limiter.limiter, method)(*args)
    except Exception:  # redis.exceptions.ConnectionError and the like
        current_app.logger.warning(
            "login rate limit storage unavailable; using memory", exc_info=True
        )
        return getattr(limiter.proposals_fallback, method)(*args)


def _limits(username):
    cfg = current_app.config
    address = request.remote_addr or "unknown"
    account = (username or "").strip().lower()[:64]
    checks = [(parse(cfg["LOGIN_RATE_LIMIT_ADDRESS"]), ("login-address", address))]
    if account:
        checks.append((parse(cfg["LOGIN_RATE_LIMIT_ACCOUNT"]), ("login-account", account)))
    return checks


class LoginRateLimited(TooManyRequests):
    def __init__(self, retry_after):
        super().__init__(
            _("登录尝试过于频繁，请 %(n)d 分钟后再试", n=max(1, math.ceil(retry_after / 60)))
        )
        self.retry_after = int(retry_after)

    def get_headers(self, environ=None, scope=None):
        return super().get_headers(environ, scope) + [("Retry-After", str(self.retry_after))]


def check_login_allowed(username):
    """Raise LoginRateLimited (429) when the account or the address is over its limit."""
    if not current_app.config.get("LOGIN_RATE_LIMIT_ENABLED", True):
        return
    wait = 0
    for item, keys in _limits(username):
        if not _call("test", item, *keys):
            reset_at = _call("get_window_stats", item, *keys).reset_time
            wait = max(wait, reset_at - time.time(), 1)
    if wait:
        request_state()["retry_after"] = wait
        raise LoginRateLimited(wait)


def record_failed_login(username):
    if not current_app.config.get("LOGIN_RATE_LIMIT_ENABLED", True):
        return
    for item, keys in _limits(username):
        _call("hit", item, *keys)
