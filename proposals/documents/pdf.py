"""Word to PDF with LibreOffice (``soffice --headless --convert-to pdf``).

Each conversion runs with a LibreOffice profile of its own in a fresh temporary folder: two
conversions at once (two web workers, a Celery worker beside them) never wait on each other's
profile lock, and nothing of one run is left for the next. The fonts come from fonts.conf
(FONTCONFIG_FILE), which maps the official font names to open fonts when the official ones are
not installed. A conversion is bounded by PDF_TIMEOUT_SECONDS (default 300).
"""

import os
import shutil
import subprocess  # nosec B404  # a fixed program, arguments as a list, no shell
import tempfile
from pathlib import Path

from flask import current_app, has_app_context

FONTS_CONF = Path(__file__).with_name("fonts.conf")
DEFAULT_TIMEOUT = 300


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine: the .docx is all that can be offered."""


class PdfFailed(RuntimeError):
    """LibreOffice ran but gave no PDF (the message holds what it said)."""


def converter():
    """The path of ``soffice`` (or ``libreoffice``); PdfUnavailable when neither is found."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise PdfUnavailable(
            "PDF 转换需要 LibreOffice（soffice），本机未安装；请安装 libreoffice-writer-nogui，"
            "或下载 Word 文件"
        )
    return found


def available():
    try:
        converter()
    except PdfUnavailable:
        return False
    return True


def timeout_seconds():
    if has_app_context():
        return float(current_app.config.get("PDF_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT)
    return float(os.environ.get("PDF_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT)


def convert_file(docx_path, pdf_path):
    """Convert the .docx at ``docx_path`` and write the PDF to ``pdf_path`` (moved into place,
    so a reader never sees half a file); nothing of either is held in memory."""
    program = converter()
    with tempfile.TemporaryDirectory(prefix="proposals-pdf-") as work:
        source = os.path.join(work, "document.docx")
        try:
            os.link(docx_path, source)  # no copy of a large file when on the same disk
        except OSError:
            shutil.copyfile(docx_path, source)
        outdir = os.path.join(work, "out")
        os.mkdir(outdir)
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=work)
        argv = [
            program,
            f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            outdir,
            source,
        ]
        seconds = timeout_seconds()
        try:
            done = subprocess.run(  # nosec B603  # the program found above, no shell
                argv,
                env=env,
                cwd=work,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfFailed(f"PDF 转换超时（{seconds:g} 秒）") from exc
        produced = os.path.join(outdir, "document.pdf")
        if done.returncode != 0 or not os.path.exists(produced):
            said = (done.stderr or b"").decode("utf-8", "replace").strip()
            said = said or (done.stdout or b"").decode("utf-8", "replace").strip()
            raise PdfFailed(f"PDF 转换失败（退出码 {done.returncode}）：{said[-2000:]}")
        shutil.move(produced, pdf_path)
    return pdf_path


def to_pdf(docx_bytes: bytes) -> bytes:
    """The PDF of a .docx given as bytes (for one letter or form; large documents go through
    :func:`convert_file`)."""
    with tempfile.TemporaryDirectory(prefix="proposals-pdf-in-") as work:
        source = os.path.join(work, "in.docx")
        target = os.path.join(work, "out.pdf")
        with open(source, "wb") as fh:
            fh.write(docx_bytes)
        convert_file(source, target)
        with open(target, "rb") as fh:
            return fh.read()
