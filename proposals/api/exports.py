"""Long documents built in the background (docs/api.md, exports): POST /exports queues one for
the secretariat, GET /exports/{id} tells its state and progress, GET /exports/{id}/file gives
the file once done. An export is its requester's: anyone else gets 404. The jobs themselves:
proposals/documents/jobs.py."""

from urllib.parse import quote

from flask import send_file, url_for

from ..documents import jobs
from ..errors import InvalidState, NotFound
from ..i18n import _
from .common import authenticated, bp, json_body
from .serializers import ts
from .stats import require_secretariat


def serialize(export, file_url):
    """The export's JSON; ``file_url`` is the address of its file (the API's or the page's)."""
    body = {
        "id": export.id,
        "kind": export.kind,
        "format": export.format,
        "params": dict(export.params or {}),
        "state": export.state,
        "progress": round(float(export.progress or 0.0), 3),
        "created_at": ts(export.created_at),
        "finished_at": ts(export.finished_at),
    }
    if jobs.file_ready(export):
        body["download"] = file_url
        body["file_name"] = export.file_name
    if export.state == "failed":
        body["error"] = export.error or _("生成失败")
    return body


def export_or_404(user, export_id):
    export = jobs.of_user(user, export_id)
    if export is None:
        raise NotFound(_("导出任务不存在"))
    return export


def file_response(export):
    """The export's file as an attachment with its Chinese name (RFC 6266 / RFC 5987); 409
    while it is being built, 404 once removed (after the retention period) or failed."""
    if export.state in ("queued", "running"):
        raise InvalidState(_("文件尚未生成完成，请稍后再试"))
    if not jobs.file_ready(export):
        raise NotFound(_("文件不存在（生成失败或已过保存期限），请重新生成"))
    response = send_file(
        export.file_path, mimetype=jobs.FORMATS[export.format], max_age=0, conditional=False
    )
    name = export.file_name or f"export-{export.id}.{export.format}"
    ascii_name = f"export-{export.id}.{export.format}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/exports")
@authenticated
def create_export(user):
    require_secretariat(user)
    export = jobs.request_export(user, json_body())
    return {"id": export.id, "state": export.state}, 202


@bp.get("/exports/<int:export_id>")
@authenticated
def show_export(user, export_id):
    export = export_or_404(user, export_id)
    return serialize(export, url_for("api.export_file", export_id=export.id))


@bp.get("/exports/<int:export_id>/file")
@authenticated
def export_file(user, export_id):
    return file_response(export_or_404(user, export_id))
