"""The template sheet as a download, for the API and the pages alike."""

import tempfile
from urllib.parse import quote

from flask import send_file

from ..committee.calendar import local_date, utcnow
from ..i18n import _
from .service import write_template

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_download():
    """The sheet of the proposals waiting for assignment, as an attachment (never cached: it
    lists what is waiting now)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (send_file closes it with the response)
    write_template(out)
    out.seek(0)
    response = send_file(out, mimetype=XLSX_MIMETYPE, max_age=0)
    day = local_date(utcnow()).strftime("%Y%m%d")
    name = f"{_('交办方案')}-{day}.xlsx"
    # RFC 6266 / RFC 5987: an ASCII fallback and the Chinese name in UTF-8
    response.headers["Content-Disposition"] = (
        f'attachment; filename="assignment-plan-{day}.xlsx"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
