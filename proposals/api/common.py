"""What every view of the JSON API v1 uses: the blueprint, token authentication, the error
shape, JSON bodies, pagination and optimistic concurrency."""

from functools import wraps

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..accounts.models import ApiToken
from ..errors import Conflict, DomainError, Unauthenticated, ValidationError
from ..extensions import db
from ..i18n import _
from ..inputs import BadJson, check_fields, parse_json
from ..security.sessions import token_valid_since
from ..security.text_input import bad_text
from ..workflow.queries import MAX_PAGE, page_of
from .serializers import preload

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status, code, message, fields=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


@bp.errorhandler(DomainError)
def _domain_error(exc):
    db.session.rollback()
    return error_response(
        exc.status, exc.code, exc.message, exc.fields if isinstance(exc, ValidationError) else None
    )


@bp.errorhandler(StaleDataError)
def _stale(exc):
    db.session.rollback()
    return _domain_error(Conflict(_("记录已被他人修改，请刷新后重试")))


@bp.errorhandler(IntegrityError)
def _integrity(exc):
    db.session.rollback()
    return _domain_error(Conflict(_("与他人的操作冲突，请刷新后重试")))


HTTP_CODES = {
    400: "validation_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "validation_error",
    429: "rate_limited",
}


def http_error(exc):
    """Every error under /api/v1 keeps the API's error shape."""
    db.session.rollback()
    if not isinstance(exc, HTTPException):
        return error_response(500, "server_error", _("服务器内部错误"))
    return error_response(exc.code, HTTP_CODES.get(exc.code, "error"), exc.description or exc.name)


def current_user_or_401():
    """The user of the request's API token; Unauthenticated without a valid one (revoked
    tokens, from logout, a password change or a disabled account, and those older than
    API_TOKEN_LIFETIME are refused)."""
    found = request.environ.get("proposals.api_token")
    if found is not None:
        return found.user
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(_("请先登录（Authorization: Bearer <token>）"))
    found = db.session.scalar(
        select(ApiToken).where(  # with its user and unit (joined)
            ApiToken.token_hash == ApiToken.digest(token.strip()),
            ApiToken.revoked_at.is_(None),
            ApiToken.created_at > token_valid_since(),
        )
    )
    if found is None or not found.user.active:
        raise Unauthenticated(_("登录凭证无效或已失效"))
    request.environ["proposals.api_token"] = found
    return found.user


def current_token():
    """The request's ApiToken (None before current_user_or_401)."""
    return request.environ.get("proposals.api_token")


def authenticated(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(current_user_or_401(), *args, **kwargs)

    return wrapper


def read_again():
    """Before an action's answer is read: its changes written, and every object read again
    from the database within the action's transaction (what a commit's expiry would do)."""
    db.session.flush()
    db.session.expire_all()


def answer(body, status=200):
    """An action's answer: ``body`` (read within the action's transaction) as JSON, then the
    commit. Once committed, nothing may turn the action into an error: a client would retry
    it and act twice."""
    response = jsonify(body)
    db.session.commit()
    return response, status


BODY_KEY = "proposals.json_body"


def read_json():
    """The request's JSON body, parsed once (inputs.parse_json): the value, None without a
    readable JSON body, or the ValidationError of one nested too deep or holding a number that
    is not finite."""
    if BODY_KEY not in request.environ:
        found = None
        if request.is_json and request.get_data(cache=True):
            try:
                found = parse_json(request.get_data(cache=True))
            except BadJson as exc:
                found = ValidationError(exc.message, fields={"body": exc.message})
            except ValueError:  # not JSON at all: json_body() says so, as it always has
                found = None
        request.environ[BODY_KEY] = found
    return request.environ[BODY_KEY]


@bp.before_request
def _refuse_hostile_json():
    """A JSON body nested past inputs.MAX_JSON_DEPTH, or with a number that is not finite, is
    refused before anything else reads it: 400, nothing done."""
    found = read_json()
    if isinstance(found, ValidationError):
        raise found


def json_body(**types):
    """The request's body: a JSON object (an empty one without a body). ``types`` names the
    fields the view reads with the type each must have (proposals.inputs: text, boolean,
    identifier, day, text_list, object_list); a field of another type is a 400 naming it,
    before the operation sees it (a null is left to the operation)."""
    data = read_json()
    if data is None and not request.get_data(cache=True):
        return {}
    if not isinstance(data, dict):
        raise ValidationError(_("请求体应为 JSON 对象"), fields={"body": _("应为 JSON 对象")})
    where = bad_text(data)
    if where:
        raise ValidationError(fields={where: _("包含无法保存的字符（如 NUL）")})
    errors = check_fields(data, types)
    if errors:
        raise ValidationError(fields=errors)
    return data


def page_args():
    errors = {}
    args = request.args
    try:
        page = int(args.get("page", 1))
        if page < 1:
            raise ValueError
        if page > MAX_PAGE:
            errors["page"] = _("页码不能大于 %(max)d", max=MAX_PAGE)
    except ValueError:
        errors["page"] = _("页码应为正整数")
        page = 1
    try:
        per_page = int(args.get("per_page", 20))
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
    page, per_page = page_args()
    rows, total = page_of(query, per_page, (page - 1) * per_page)
    preload(rows)  # what the rows show of other tables, in one statement for the page
    return {
        "items": [serialize(r) for r in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def if_match():
    """Optimistic concurrency: an If-Match header or a body field 'version'."""
    value = request.headers.get("If-Match")
    if value:
        return value.strip('"W/ ')
    data = read_json()
    if isinstance(data, dict):
        return data.get("version")
    return None
