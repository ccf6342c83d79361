"""Blueprint-wide checks for pages that belong to one role."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ..workflow.states import Role


def secretariat_only():
    """A before_request hook: a signed-out visitor goes to the login page and comes back,
    anyone but the secretariat gets 403, before any work is done."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role != Role.SECRETARIAT:
        abort(403)
    return None
