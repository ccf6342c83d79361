"""Helpers for the security tests: passwords, form logins, rate limits."""

from proposals.extensions import db

PASSWORD = "Tiger-lily-2026"


def with_password(user, password=PASSWORD):
    user.set_password(password)
    db.session.commit()
    return user


def form_login(client, username, password=PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def token_login(client, username, password=PASSWORD, **kw):
    return client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}, **kw
    )


def cookie_header(client):
    """The Cookie header this client would send (to replay it from another client)."""
    return "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
