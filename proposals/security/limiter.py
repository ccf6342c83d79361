"""Login rate limits (ASVS 5.0 §6.3.1) with device cookies (devices.py; OWASP, "Slow Down Online
Guessing Attacks with Device Cookies").

Only FAILED logins are counted, on the web form (POST /login) and the API
(POST /api/v1/auth/token) alike, each over a sliding window (the last 15 minutes by default):

- an attempt from an unknown client, one without a valid device cookie for the username it
  tries, counts per client address (LOGIN_RATE_LIMIT_ADDRESS, default "30 per 15 minutes") and
  per account (LOGIN_RATE_LIMIT_ACCOUNT, default "10 per 15 minutes": the username tried,
  whichever address the attempts come from, shared by every unknown client);
- an attempt from a trusted device, one whose device cookie names that username (the browser or
  app signed in to it before), counts on that device only (LOGIN_RATE_LIMIT_DEVICE, default
  "10 per 15 minutes"), keyed by the cookie's nonce.

Past a limit, the attempts it covers are answered 429 with Retry-After (before the password is
checked) until enough failures have left the window; a successful login resets nothing. So an
attacker who spends an account's allowance locks out the clients it has never been used on, not
its owner's browser or phone. A device past its own allowance is refused wherever its cookie is
replayed (OWASP's lock-out list is this counter at its limit: the cookie stays refused until its
failures leave the window); a copied cookie shares the allowance, it does not add one. A forged,
tampered, expired or other account's cookie makes no device: the attempt is an unknown client's.

Trusted devices are exempt from the per-address limit, and their failures do not count on the
address. Many people share one address (an office behind NAT, a mobile carrier's gateway), and
the failures of others there, an attacker's among them, should not lock out the people who have
signed in from there before. The exemption gives an attacker nothing: a valid device cookie
exists only for an account someone signed in to, serves only attempts at that account, and
those are limited per device.

The counts live in Redis when REDIS_URL is set (RATELIMIT_STORAGE_URI; limits' moving window),
else in the database (table login_failures, one row per failure and counter; with a failure
recorded, at most once a minute in each process, the rows older than every window are
deleted): either way every gunicorn worker shares them. The keys are HMAC-SHA256 digests under
the SECRET_KEY of the address, the username (lower-case) or the nonce, so the store never holds
the text typed as a username, which might be a password. While Redis cannot be reached this
process's memory counts instead (logged). The check and the count are two steps: attempts
running at the same moment can pass a limit by as many as run at once (not on SQLite, which
runs one login at a time).
LOGIN_RATE_LIMIT_ENABLED=False turns the login limits off (the shared test app does).
"""

import hashlib
import hmac
import math
import time
from datetime import timedelta

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import WindowStats, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select
from werkzeug.exceptions import TooManyRequests

from ..extensions import db
from ..i18n import _
from .devices import normalise, trusted_device
from .models import LoginFailure
from .sessions import utcnow
from .state import request_state

EXTENSION = "proposals.limiter"
LIMITS = {  # scope: its config key
    "address": "LOGIN_RATE_LIMIT_ADDRESS",
    "account": "LOGIN_RATE_LIMIT_ACCOUNT",
    "device": "LOGIN_RATE_LIMIT_DEVICE",
}
PRUNE_INTERVAL = 60  # seconds


class DatabaseCounts:
    """Failed logins as rows of login_failures, counted over the window: the three methods of
    limits' MovingWindowRateLimiter (hit, test, get_window_stats), on the database that every
    worker shares. Works in the request's session; record_failed_login commits."""

    pruned_at = 0.0  # time.monotonic() of this process's last prune

    def hit(self, item, scope, key):
        db.session.add(LoginFailure(scope=scope, key_hash=key))
        return True

    def recent(self, item, scope, key):
        """The times of the newest ``item.amount`` failures within the window, newest first."""
        since = utcnow() - timedelta(seconds=item.get_expiry())
        return db.session.scalars(
            select(LoginFailure.created_at)
            .where(
                LoginFailure.scope == scope,
                LoginFailure.key_hash == key,
                LoginFailure.created_at > since,
            )
            .order_by(LoginFailure.created_at.desc())
            .limit(item.amount)
        ).all()

    def test(self, item, scope, key):
        return len(self.recent(item, scope, key)) < item.amount

    def get_window_stats(self, item, scope, key):
        """(when one more failure is allowed, failures left); with the limit reached, that is
        when the oldest of the newest ``item.amount`` failures leaves the window."""
        times = self.recent(item, scope, key)
        start = times[-1].timestamp() if len(times) >= item.amount else time.time()
        return WindowStats(start + item.get_expiry(), item.amount - len(times))

    def prune(self):
        """Delete the rows older than every window, at most once a minute in each process (a
        DELETE for each failure would be more work and more lock waits for nothing)."""
        if time.monotonic() - self.pruned_at < PRUNE_INTERVAL:
            return
        self.pruned_at = time.monotonic()
        longest = max(parse(current_app.config[name]).get_expiry() for name in LIMITS.values())
        db.session.execute(
            delete(LoginFailure).where(
                LoginFailure.created_at < utcnow() - timedelta(seconds=longest)
            )
        )


def init_app(app):
    # Flask-Limiter reads RATELIMIT_* from the config (the storage URI: REDIS_URL's Redis, or
    # memory:// without one); no default limits: only logins are limited, here
    limiter = Limiter(key_func=get_remote_address, app=app)
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        limiter.proposals_counts = DatabaseCounts()  # no Redis: the database, not each worker
    else:
        limiter.proposals_counts = MovingWindowRateLimiter(limiter.storage)
    limiter.proposals_fallback = MovingWindowRateLimiter(MemoryStorage())
    app.extensions[EXTENSION] = limiter
    return limiter


def get_limiter(app=None):
    return (app or current_app).extensions[EXTENSION]


def _call(method, *args):
    """A call on the counts (the database, or Redis); while Redis cannot be reached, on this
    process's memory instead (logged), so that logins keep working, still limited."""
    limiter = get_limiter()
    counts = limiter.proposals_counts
    if isinstance(counts, DatabaseCounts):  # the app's own database: no login works without it
        return getattr(counts, method)(*args)
    try:
        return getattr(counts, method)(*args)
    except Exception:  # redis.exceptions.ConnectionError and the like
        current_app.logger.warning(
            "login rate limit storage unavailable; using memory", exc_info=True
        )
        return getattr(limiter.proposals_fallback, method)(*args)


def _digest(scope, key):
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{scope}:{key}".encode(), hashlib.sha256).hexdigest()


def _counters(username):
    """The counters an attempt at ``username`` is checked against and counted on: (limit,
    scope, hashed key) each. A trusted device's attempt: its own; else the address's and the
    account's."""
    nonce = trusted_device(username)
    if nonce:
        keys = [("device", nonce)]
    else:
        keys = [("address", request.remote_addr or "unknown")]
        if normalise(username):
            keys.append(("account", normalise(username)))
    cfg = current_app.config
    return [(parse(cfg[LIMITS[scope]]), scope, _digest(scope, key)) for scope, key in keys]


class LoginRateLimited(TooManyRequests):
    def __init__(self, retry_after):
        super().__init__(
            _("登录尝试过于频繁，请 %(n)d 分钟后再试", n=max(1, math.ceil(retry_after / 60)))
        )
        self.retry_after = int(retry_after)

    def get_headers(self, environ=None, scope=None):
        return super().get_headers(environ, scope) + [("Retry-After", str(self.retry_after))]


def check_login_allowed(username):
    """Raise LoginRateLimited (429) when a counter of this attempt is at its limit."""
    if not current_app.config.get("LOGIN_RATE_LIMIT_ENABLED", True):
        return
    wait = 0
    for item, scope, key in _counters(username):
        if not _call("test", item, scope, key):
            reset_at = _call("get_window_stats", item, scope, key).reset_time
            wait = max(wait, reset_at - time.time(), 1)
    if wait:
        request_state()["retry_after"] = wait
        raise LoginRateLimited(wait)


def record_failed_login(username):
    """Count a failed login on its counters (in the database: committed here, old rows
    deleted; a failed login writes nothing else)."""
    if not current_app.config.get("LOGIN_RATE_LIMIT_ENABLED", True):
        return
    for item, scope, key in _counters(username):
        _call("hit", item, scope, key)
    counts = get_limiter().proposals_counts
    if isinstance(counts, DatabaseCounts):
        counts.prune()
        db.session.commit()
