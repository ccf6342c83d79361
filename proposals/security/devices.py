"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser or
app that has signed in to an account before holds a cookie saying so, and the login limits
(limiter.py) count its failed logins on that device alone. An attacker who spends the account's
allowance for unknown clients therefore does not lock its owner out.

A successful login, on the web form or POST /api/v1/auth/token, sets the cookie ``login_device``:
the username (lower-case) and a random nonce, timestamped and signed with the SECRET_KEY
(itsdangerous, as Flask's session cookie, under a salt of its own). It is valid for
DEVICE_COOKIE_MAX_AGE seconds (default a year), only for attempts at the username it names.
HttpOnly, SameSite=Lax, Secure when ENV=production (DEVICE_COOKIE_SECURE), path /: the web form
and the API share it; the mobile app's HTTP client keeps it as a browser does. Each sign-in
replaces it with a fresh nonce, so a browser holds the cookie of the account that signed in
there last.

It is not a credential: it logs nobody in (the session cookie and the API token do) and only
decides which allowance of failed logins an attempt draws from. It is signed, not encrypted:
whoever holds it can read the username in it.
"""

import hashlib
import secrets

from flask import after_this_request, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "login_device"
SALT = "proposals.login-device"


def normalise(username):
    """The form of a username the limits and the cookie use: trimmed, lower-case, 64 at most."""
    return (username or "").strip().lower()[:64]


def _serializer():
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def trusted_device(username):
    """The nonce of this request's device cookie when it is ours (the signature holds), younger
    than DEVICE_COOKIE_MAX_AGE and issued for ``username``; else None (no cookie, or a forged,
    tampered, expired or other account's one: the attempt comes from an unknown client)."""
    value = request.cookies.get(COOKIE)
    account = normalise(username)
    if not value or not account:
        return None
    try:
        data = _serializer().loads(value, max_age=current_app.config["DEVICE_COOKIE_MAX_AGE"])
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("user") != account:
        return None
    nonce = data.get("nonce")
    return nonce if isinstance(nonce, str) and nonce else None


def remember_device(user):
    """After a successful login: the answer to this request sets a fresh device cookie for
    ``user``."""
    cfg = current_app.config
    value = _serializer().dumps(
        {"user": normalise(user.username), "nonce": secrets.token_urlsafe(16)}
    )

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            COOKIE,
            value,
            max_age=cfg["DEVICE_COOKIE_MAX_AGE"],
            httponly=True,
            samesite="Lax",
            secure=cfg["DEVICE_COOKIE_SECURE"],
        )
        return response
