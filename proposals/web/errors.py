"""Error pages in the reader's language (403, 404, 409, 500 …); the API keeps its JSON error
shape."""

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from ..api.common import http_error
from ..errors import DomainError
from ..extensions import db
from ..i18n import N_, _

TITLES = {
    400: N_("请求有误"),
    401: N_("请先登录"),
    403: N_("没有权限"),
    404: N_("页面不存在"),
    405: N_("不支持的请求方法"),
    409: N_("操作冲突"),
    413: N_("文件太大"),
    429: N_("请求过于频繁"),
    500: N_("服务器内部错误"),
}
HINTS = {
    403: N_("您的角色或单位不能查看或办理此项。"),
    404: N_("您要找的页面或记录不存在，或者您无权查看。"),
    409: N_("此项的状态已经改变，不能执行该操作。请刷新页面后再试。"),
    429: N_("请求过于频繁，请稍后再试。"),
    500: N_("系统出了点问题，我们已记录。请稍后再试。"),
}


def render_error(status, message=None):
    return render_template(
        "errors/error.html",
        status=status,
        title=_(TITLES[status]) if status in TITLES else _("出错了"),
        message=message or (_(HINTS[status]) if status in HINTS else _("请返回重试。")),
    ), status


def register(app):
    @app.errorhandler(Exception)
    def _errors(exc):
        if request.path.startswith("/api/"):
            if not isinstance(exc, (HTTPException, DomainError)):
                app.logger.exception("unhandled error")
            return http_error(exc)
        db.session.rollback()
        if isinstance(exc, DomainError):
            return render_error(exc.status, exc.message)
        if isinstance(exc, HTTPException):
            if exc.code is None or exc.code < 400:
                return exc
            # our own refusals carry the operation's reason; werkzeug's defaults are English
            own = exc.description != type(exc).description
            message = exc.description if exc.code in (400, 403, 409, 429) and own else None
            return render_error(exc.code, message)
        app.logger.exception("unhandled error")
        return render_error(500)
