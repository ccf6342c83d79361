from datetime import UTC, datetime

from flask import jsonify

from ..accounts.models import ApiToken
from ..accounts.service import authenticate
from ..errors import Unauthenticated, ValidationError
from ..extensions import db
from ..i18n import _
from ..security import audit
from ..security.devices import remember_device
from ..security.limiter import LoginRateLimited, check_login_allowed, record_failed_login
from .common import answer, authenticated, bp, current_token, json_body
from .serializers import user_json


@bp.post("/auth/token")
def issue_token():
    """A token for the username and password. Failed attempts are limited as on the web form
    (security/limiter.py): the device cookie this answer sets (HTTP clients keep it) gives the
    client an allowance of its own on its next attempts at the account."""
    data = json_body()
    username, password = data.get("username"), data.get("password")
    fields = {}
    if not isinstance(username, str) or not username:
        fields["username"] = _("请填写用户名")
    if not isinstance(password, str) or not password:
        fields["password"] = _("请填写密码")
    if fields:
        audit.note("login_failed")
        raise ValidationError(fields=fields)
    try:
        check_login_allowed(username)
    except LoginRateLimited:
        audit.note("rate_limited")
        raise
    user, known = authenticate(username, password)
    if user is None:
        record_failed_login(username)
        audit.note("login_failed", known)
        raise Unauthenticated(_("用户名或密码错误"))
    token = ApiToken.issue(user)
    remember_device(user)  # the device cookie, as on the web form (security/devices.py)
    audit.note("login_ok", user)
    return answer({"token": token, "user": user_json(user)})


@bp.delete("/auth/token")
@authenticated
def revoke_token(user):
    audit.note("logout", user)
    db.session.get(ApiToken, current_token().id).revoked_at = datetime.now(UTC)
    db.session.commit()
    return "", 204


@bp.get("/me")
@authenticated
def me(user):
    return jsonify(user_json(user))
