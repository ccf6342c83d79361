from datetime import datetime, timezone

from flask import jsonify
from sqlalchemy import select

from ..accounts.models import ApiToken, User
from ..errors import Unauthenticated, ValidationError
from ..extensions import db
from ..i18n import _
from . import authenticated, bp, current_token, json_body
from .serializers import user_json


@bp.post("/auth/token")
def issue_token():
    data = json_body()
    username, password = data.get("username"), data.get("password")
    fields = {}
    if not isinstance(username, str) or not username:
        fields["username"] = _("请填写用户名")
    if not isinstance(password, str) or not password:
        fields["password"] = _("请填写密码")
    if fields:
        raise ValidationError(fields=fields)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        raise Unauthenticated(_("用户名或密码错误"))
    token = ApiToken.issue(user)
    db.session.commit()
    return jsonify({"token": token, "user": user_json(user)})


@bp.delete("/auth/token")
@authenticated
def revoke_token(user):
    current_token().revoked_at = datetime.now(timezone.utc)
    db.session.commit()
    return "", 204


@bp.get("/me")
@authenticated
def me(user):
    return jsonify(user_json(user))
