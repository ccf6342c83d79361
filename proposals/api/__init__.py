"""The JSON API v1 (API.md): token auth, error shape, pagination; the views call operations."""
import functools
from functools import wraps

from flask import Blueprint, jsonify, request
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..accounts.models import ApiToken, Department, User
from ..errors import Conflict, DomainError, Unauthenticated, ValidationError
from ..extensions import db, read_rows
from ..i18n import _

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status, code, message, fields=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


@bp.errorhandler(DomainError)
def _domain_error(exc):
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message,
                          exc.fields if isinstance(exc, ValidationError) else None)


@bp.errorhandler(StaleDataError)
def _stale(exc):
    db.session.rollback()
    return _domain_error(Conflict(_("记录已被他人修改，请刷新后重试")))


@bp.errorhandler(IntegrityError)
def _integrity(exc):
    db.session.rollback()
    return _domain_error(Conflict(_("与他人的操作冲突，请刷新后重试")))


HTTP_CODES = {400: "validation_error", 401: "unauthenticated", 403: "forbidden",
              404: "not_found", 405: "method_not_allowed", 409: "conflict",
              413: "too_large", 415: "validation_error", 429: "rate_limited"}


def http_error(exc):
    """Every error under /api/v1 keeps the API's error shape."""
    db.session.rollback()
    if not isinstance(exc, HTTPException):
        return error_response(500, "server_error", _("服务器内部错误"))
    return error_response(exc.code, HTTP_CODES.get(exc.code, "error"), exc.description or exc.name)


@functools.cache
def _token_statement():
    # the token's id and its user with their unit, built once with the values as parameters
    # and read as plain columns (security/sessions.py user_from_row): building the statement,
    # and loading the token and the user through the ORM, cost more than running it
    from ..security.sessions import user_columns
    return (select(ApiToken.id.label("token_id"), *user_columns())
            .select_from(User).join(ApiToken, ApiToken.user_id == User.id)
            .outerjoin(Department, Department.id == User.department_id).where(
                ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                ApiToken.created_at > bindparam("valid_since")))


class Credential:
    """The API token a request came with: its id and its user."""
    __slots__ = ("id", "user")

    def __init__(self, token_id, user):
        self.id, self.user = token_id, user

    @property
    def user_id(self):
        return self.user.id


def current_user_or_401():
    cached = request.environ.get("proposals.api_token")
    if cached is not None:
        return cached.user
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(_("请先登录（Authorization: Bearer <token>）"))
    from ..security.sessions import token_valid_since
    # revoked tokens (logout, password change, account disabled) and those older than
    # API_TOKEN_LIFETIME are refused
    from ..security.sessions import user_from_row
    found = read_rows(_token_statement(), {
        "token_hash": ApiToken.digest(token.strip()), "valid_since": token_valid_since()}).first()
    user = user_from_row(found) if found is not None else None
    if user is None or not user.active:
        raise Unauthenticated(_("登录凭证无效或已失效"))
    request.environ["proposals.api_token"] = Credential(found.token_id, user)
    return user


def current_token():
    """The request's Credential (None before current_user_or_401)."""
    return request.environ.get("proposals.api_token")


def authenticated(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(current_user_or_401(), *args, **kwargs)
    return wrapper


def json_body():
    data = request.get_json(silent=True)
    if data is None and not request.get_data():
        return {}
    if not isinstance(data, dict):
        raise ValidationError(_("请求体应为 JSON 对象"), fields={"body": _("应为 JSON 对象")})
    from ..security.text_input import bad_text
    where = bad_text(data)
    if where:
        raise ValidationError(fields={where: _("包含无法保存的字符（如 NUL）")})
    return data


def page_args():
    errors = {}
    args = request.args  # (``in`` first: werkzeug's get raises and catches for a missing name)
    try:
        page = int(args["page"] if "page" in args else 1)
        if page < 1:
            raise ValueError
    except ValueError:
        errors["page"] = _("页码应为正整数")
        page = 1
    try:
        per_page = int(args["per_page"] if "per_page" in args else 20)
        if not 1 <= per_page <= 100:
            raise ValueError
    except ValueError:
        errors["per_page"] = _("每页条数应为 1–100")
        per_page = 20
    if errors:
        raise ValidationError(fields=errors)
    return page, per_page


def paginate(query, serialize):
    """One page of ``query`` and its exact total (workflow.queries.page_of: ids and total in
    one statement, then the rows), serialized."""
    from ..workflow.queries import page_of
    from .serializers import preload
    page, per_page = page_args()
    rows, total = page_of(query, per_page, (page - 1) * per_page)
    preload(rows)  # what the rows show of other tables, in one statement for the page
    return {"items": [serialize(r) for r in rows], "total": total, "page": page,
            "per_page": per_page}


def if_match():
    """Optimistic concurrency: an If-Match header or a body field 'version'."""
    value = request.headers.get("If-Match")
    if value:
        return value.strip('"W/ ')
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data.get("version")
    return None


from . import auth, handling, notifications, proposals, reference, stats, stats_files  # noqa: E402,F401


def _optional_modules():
    """Areas added by later work, each its own module: import those present."""
    import importlib
    for name in ("search", "attachments", "openapi"):
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


_optional_modules()
