"""交办方案 in the JSON API (docs/api.md, bulk assignment): the template sheet, an uploaded plan
checked row by row and kept, reading it, and applying it in one transaction. The rules are in
proposals/plans/service.py, shared with the pages and the command line."""

from flask import jsonify, request

from ..errors import ValidationError
from ..i18n import _
from ..plans import service
from ..plans.responses import template_download
from .common import answer, authenticated, bp, read_again


def _upload():
    """(filename, bytes) of the request's one file ``file``; at most one byte past the limit
    is read, so that an upload too large is refused without reading it all."""
    files = request.files.getlist("file")
    if len(files) != 1 or not files[0].filename:
        message = _("请上传一个 .xlsx 或 .csv 文件（multipart 字段 file）")
        raise ValidationError(message, fields={"file": message})
    upload = files[0]
    content = upload.stream.read(service.MAX_BYTES + 1)
    if len(content) > service.MAX_BYTES:
        raise service.TooLarge(service.too_large_message())
    return upload.filename, content


@bp.get("/assignment-plans/template.xlsx")
@authenticated
def assignment_plan_template(user):
    service.require_secretariat(user)
    return template_download()


@bp.post("/assignment-plans")
@authenticated
def create_assignment_plan(user):
    service.require_secretariat(user)
    filename, content = _upload()
    plan = service.create_plan(user, filename, content)
    return answer(service.plan_json(plan), 201)


@bp.get("/assignment-plans/<int:plan_id>")
@authenticated
def assignment_plan(user, plan_id):
    return jsonify(service.plan_json(service.load_plan(user, plan_id)))


@bp.post("/assignment-plans/<int:plan_id>/apply")
@authenticated
def apply_assignment_plan(user, plan_id):
    """All or nothing: every row checked again, then each proposal assigned; 409 naming the
    rows that no longer hold, and for a plan with errors or already applied."""
    plan = service.load_plan(user, plan_id)
    assigned = [p.id for p in service.apply_plan(user, plan)]
    read_again()
    return answer({**service.plan_json(plan), "assigned": assigned})
