"""GET /stats/annual.xlsx (docs/api.md, statistics): the annual report as a workbook, for the
secretariat; the same query parameters as /stats/annual (year, session, as_of). The web
dashboard serves the same file to a logged-in browser through :func:`report_file`. The Word
section (提案工作情况, /stats/annual.docx and .pdf) is an official document:
documents/kinds/annual.py, served by api/documents.py."""

import tempfile
from datetime import date
from urllib.parse import quote

from flask import request, send_file

from ..i18n import _
from ..stats import annual_figures, read_period_args
from ..stats.exports import XLSX_MIMETYPE, annual_xlsx, period_proposal_rows
from .common import authenticated, bp
from .stats import require_secretariat  # one check for the figures and their files

FORMATS = {"xlsx": XLSX_MIMETYPE}


def period_of(figures, period):
    """The keyword arguments of period_proposal_rows() for the period the figures counted."""
    as_of = figures.get("as_of") or period.get("as_of")
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    described = figures.get("period") or {}
    session_id = period.get("session_id")
    if session_id is None and described.get("kind") == "session":
        session_id = described.get("session")
    if session_id is not None:
        return {"session_id": session_id, "as_of": as_of}
    return {
        "year": figures.get("year") or described.get("year") or period.get("year"),
        "as_of": as_of,
    }


def write_report(fmt, figures, period, output):
    """Write the report file of format ``fmt`` for these figures to ``output``."""
    if fmt == "xlsx":
        return annual_xlsx(figures, period_proposal_rows(**period_of(figures, period)), output)
    from ..documents.service import annual_docx  # the official section (提案工作情况)

    output.write(annual_docx(figures))
    return output


def cli_writer(fmt):
    """A writer for the CLI's ``stats annual --format xlsx|docx --output FILE`` (docx: the
    official section of documents/kinds/annual.py, as the pages and the API serve it)."""

    def write(figures, output):
        import click

        if not output:
            raise click.UsageError(_("--format %(fmt)s 需要 --output 文件", fmt=fmt))
        with open(output, "wb") as fh:
            write_report(fmt, figures, {}, fh)

    return write


def register_cli_formats():
    """Plug the report files into the CLI's FORMATS hook (proposals/cli/stats.py)."""
    from ..cli.stats import FORMATS as CLI_FORMATS

    for fmt in ("xlsx", "docx"):
        CLI_FORMATS.setdefault(fmt, cli_writer(fmt))


register_cli_formats()


def filename(fmt, figures):
    period = figures.get("period") or {}
    label = period.get("label") or str(figures.get("year") or "")
    stem = _("提案工作统计")
    return (
        f"{stem}-{label}.{fmt}".replace(" ", ""),
        f"proposal-stats-{period.get('session') or figures.get('year') or ''}.{fmt}",
    )


def report_file(fmt, period):
    """The response: the file of the period's figures as an attachment, written to a temporary
    file (the workbook streams its rows; nothing of size stays in memory)."""
    figures = annual_figures(**period)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (send_file closes it with the response)
    write_report(fmt, figures, period, out)
    out.seek(0)
    response = send_file(out, mimetype=FORMATS[fmt], max_age=0)
    name, ascii_name = filename(fmt, figures)
    # RFC 6266 / RFC 5987: an ASCII fallback and the Chinese name in UTF-8
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _annual_file(user, fmt):
    require_secretariat(user)
    return report_file(fmt, read_period_args(request.args))


@bp.get("/stats/annual.xlsx")
@authenticated
def annual_xlsx_file(user):
    return _annual_file(user, "xlsx")
