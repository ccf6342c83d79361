"""What the security layer notes about the current request (the audit's kind and actor, a login
session to touch), kept on the request rather than on ``g``, which an app context shared by
several requests (as in the tests) would carry from one request to the next."""

from flask import request


def request_state():
    return request.environ.setdefault("proposals.security", {})
