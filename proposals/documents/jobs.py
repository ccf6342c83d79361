"""Long documents as background jobs (exports): the year's compilation (提案汇编) and the
assignment list (交办清单), as .docx or PDF.

A request makes an ``Export`` row (queued) and returns at once. With Redis (REDIS_URL) it is
also queued as the Celery task ``proposals.documents.build_export``; without, the embedded loop
(``flask reminders loop``) builds the oldest queued export at each pass (:func:`run_pass`), the
same split as the deliveries' (notifications/dispatch.py). Either way the builder first claims
the row with one conditional UPDATE (queued → running), so two workers given the same export
never both build it; progress is committed every few percent; a failure stores its message.

Crashed jobs: an export still running EXPORT_STALE_SECONDS (default one hour) after it started
was left by a process that died (a build takes minutes at most, PDF_TIMEOUT_SECONDS bounds the
conversion): :func:`maintain` marks it failed with a message asking for a new request, rather
than building it again, so that a document that kills its builder cannot do so for ever. The
same pass queues again, with Redis, the exports whose message the broker lost, and removes the
exports (rows and files) finished more than EXPORT_RETENTION_DAYS ago (default 7).

Files are written under EXPORTS_DIR (default ``<instance>/exports``) to a temporary name, then
renamed, so that a file that exists is whole.
"""

import logging
import os
from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import delete, select, update

from ..committee.calendar import utcnow
from ..committee.models import CommitteeSession
from ..errors import ValidationError
from ..extensions import db
from ..i18n import N_, _
from ..inputs import MAX_ID, MAX_YEAR, MIN_YEAR, bounded_int
from .compilation import WRITERS, scope_of
from .models import Export
from .pdf import PdfUnavailable, convert_file
from .pdf import available as pdf_available
from .templates import DOCX_MIMETYPE

log = logging.getLogger("proposals.exports")

KIND_LABELS = {"compilation": N_("提案汇编"), "assignment_list": N_("交办清单")}
FORMATS = {"docx": DOCX_MIMETYPE, "pdf": "application/pdf"}
STATES = ("queued", "running", "done", "failed")
STEP = 0.05  # progress is committed when it moved by this much
REQUEUE_AFTER = timedelta(minutes=2)  # a queued export not started by then: its message lost


# --- configuration ------------------------------------------------------------------------------


def exports_dir():
    folder = current_app.config.get("EXPORTS_DIR") or os.path.join(
        current_app.instance_path, "exports"
    )
    os.makedirs(folder, exist_ok=True)
    return folder


def stale_after():
    return timedelta(seconds=int(current_app.config.get("EXPORT_STALE_SECONDS") or 3600))


def retention():
    return timedelta(days=int(current_app.config.get("EXPORT_RETENTION_DAYS") or 7))


# --- requests ------------------------------------------------------------------------------------


def validate(data):
    """(kind, format, params) of a request body (a dict); ValidationError naming every bad
    field otherwise. ``year`` and ``session`` (a session's id) are integers, at most one."""
    errors = {}
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KIND_LABELS:
        errors["kind"] = _("应为 %(values)s 之一", values="、".join(KIND_LABELS))
    fmt = data.get("format", "docx")
    if not isinstance(fmt, str) or fmt not in FORMATS:
        errors["format"] = _("应为 %(values)s 之一", values="、".join(FORMATS))
    params = {}
    year, session = data.get("year"), data.get("session")
    if year is not None and session is not None:
        errors["session"] = _("按年度或按会次，只能指定其一")
    if year is not None:
        if isinstance(year, str) or bounded_int(year, MIN_YEAR, MAX_YEAR) is None:
            errors["year"] = _("应为 %(min)d 到 %(max)d 之间的整数", min=MIN_YEAR, max=MAX_YEAR)
        else:
            params["year"] = year
    if session is not None:
        if isinstance(session, str) or bounded_int(session, 1, MAX_ID) is None:
            errors["session"] = _("应为会次的编号（整数）")
        elif db.session.get(CommitteeSession, session) is None:
            errors["session"] = _("会次不存在")
        else:
            params["session"] = session
    if errors:
        raise ValidationError(fields=errors)
    if "year" not in params and "session" not in params:
        params["year"] = scope_of({}).year  # this year (Beijing time)
    return kind, fmt, params


def request_export(user, data):
    """Queue an export for ``user`` (the caller checks the role); committed, then handed to
    Celery when Redis is configured. Returns the Export."""
    kind, fmt, params = validate(data)
    export = Export(kind=kind, format=fmt, params=params, requested_by_id=user.id)
    db.session.add(export)
    db.session.commit()
    hand_out([export.id])
    return export


def hand_out(ids):
    """With Redis: one Celery task per export (a refused one stays queued: :func:`maintain`
    queues it again). Without: nothing, the embedded loop picks queued exports."""
    if not current_app.config.get("REDIS_URL") or not ids:
        return 0
    if "celery" not in current_app.extensions:
        from ..tasks import make_celery

        make_celery(current_app)
    sent = 0
    for export_id in ids:
        try:
            build_export_task.apply_async(args=[export_id], retry=False)
        except Exception as exc:  # broker down: maintain() queues it again later
            log.warning("could not queue export %s: %s", export_id, exc)
            break
        sent += 1
    return sent


def of_user(user, export_id):
    """``user``'s export ``export_id``, or None (someone else's is not theirs to see)."""
    if bounded_int(export_id, 1, MAX_ID) is None:
        return None
    return db.session.scalar(
        select(Export).where(Export.id == export_id, Export.requested_by_id == user.id)
    )


def recent_of(user, limit=30):
    return db.session.scalars(
        select(Export)
        .where(Export.requested_by_id == user.id)
        .order_by(Export.created_at.desc(), Export.id.desc())
        .limit(limit)
    ).all()


def file_ready(export):
    return export.state == "done" and bool(export.file_path) and os.path.exists(export.file_path)


def period_label(export):
    params = export.params or {}
    if params.get("session"):
        session = db.session.get(CommitteeSession, params["session"])
        return session.label if session else ""
    return _("%(year)s 年", year=params.get("year"))


# --- building ------------------------------------------------------------------------------------


def claim(export_id):
    """Take export ``export_id`` for building: True for exactly one caller."""
    result = db.session.execute(
        update(Export)
        .where(Export.id == export_id, Export.state == "queued")
        .values(state="running", started_at=utcnow(), progress=0.0, error=None)
    )
    db.session.commit()
    return result.rowcount == 1


def set_progress(export_id, value):
    db.session.execute(
        update(Export)
        .where(Export.id == export_id, Export.state == "running")
        .values(progress=round(min(max(value, 0.0), 1.0), 3))
    )
    db.session.commit()


def progress_reporter(export_id, low=0.0, high=1.0):
    """A callback taking the share done (0..1) of one step that fills ``low``..``high`` of the
    bar, committing only every STEP."""
    last = [low]

    def report(share):
        value = low + (high - low) * share
        if value - last[0] >= STEP or (share >= 1.0 and value > last[0]):
            last[0] = value
            set_progress(export_id, value)

    return report


def _remove(*paths):
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def build_export(export_id):
    """Claim and build export ``export_id``; False when another worker has it (or it is not
    queued). A failure is stored on the export (state failed, its message)."""
    if not claim(export_id):
        return False
    kind, fmt, params = db.session.execute(
        select(Export.kind, Export.format, Export.params).where(Export.id == export_id)
    ).one()
    params = dict(params or {})
    folder = exports_dir()
    final = os.path.join(folder, f"export-{export_id}.{fmt}")
    temp_docx = os.path.join(folder, f".export-{export_id}-{os.getpid()}.docx.tmp")
    temp_pdf = os.path.join(folder, f".export-{export_id}-{os.getpid()}.pdf.tmp")
    writer, stem = WRITERS[kind]
    try:
        if fmt == "pdf" and not pdf_available():
            raise PdfUnavailable(_("PDF 需要服务器安装 LibreOffice；请改为下载 Word 文件"))
        share = 0.9 if fmt == "pdf" else 1.0  # the conversion is the last tenth
        writer(params, temp_docx, progress_reporter(export_id, 0.0, share))
        if fmt == "pdf":
            convert_file(temp_docx, temp_pdf)
            os.replace(temp_pdf, final)
            _remove(temp_docx)
        else:
            os.replace(temp_docx, final)
        label = scope_of(params).period
        name = f"{stem}-{label}.{fmt}".replace(" ", "")
        db.session.execute(
            update(Export)
            .where(Export.id == export_id)
            .values(
                state="done",
                progress=1.0,
                finished_at=utcnow(),
                file_path=final,
                file_name=name,
            )
        )
        db.session.commit()
        log.info("export %s (%s, %s) done", export_id, kind, fmt)
        return True
    except Exception as exc:  # stored for the requester; the worker goes on
        db.session.rollback()
        _remove(temp_docx, temp_pdf)
        log.exception("export %s failed", export_id)
        db.session.execute(
            update(Export)
            .where(Export.id == export_id)
            .values(state="failed", finished_at=utcnow(), error=str(exc)[:2000] or repr(exc))
        )
        db.session.commit()
        return True


@shared_task(name="proposals.documents.build_export", ignore_result=True, acks_late=True)
def build_export_task(export_id):
    return build_export(export_id)


# --- upkeep --------------------------------------------------------------------------------------


def maintain(now=None):
    """Mark crashed builds failed, queue again (with Redis) the exports whose message was lost,
    remove the exports finished before the retention period. Returns what it did."""
    now = now or utcnow()
    crashed = db.session.execute(
        update(Export)
        .where(Export.state == "running", Export.started_at < now - stale_after())
        .values(
            state="failed",
            finished_at=now,
            error=_("生成中断（处理进程已退出或超时），请重新生成"),
        )
    ).rowcount
    old = db.session.execute(
        select(Export.id, Export.file_path).where(
            Export.state.in_(("done", "failed")), Export.finished_at < now - retention()
        )
    ).all()
    if old:
        db.session.execute(delete(Export).where(Export.id.in_([row.id for row in old])))
    db.session.commit()
    for row in old:
        if row.file_path:
            _remove(row.file_path)
    requeued = 0
    if current_app.config.get("REDIS_URL"):
        lost = db.session.scalars(
            select(Export.id).where(
                Export.state == "queued", Export.created_at < now - REQUEUE_AFTER
            )
        ).all()
        db.session.commit()
        requeued = hand_out(list(lost))
    return {"crashed": crashed, "removed": len(old), "requeued": requeued}


def run_pass(now=None):
    """One pass of the embedded loop: upkeep, then, without Redis, build the oldest queued
    export (one per pass, so that the deliveries due go out between two exports). Returns the
    number of exports built."""
    maintain(now)
    if current_app.config.get("REDIS_URL"):
        return 0
    export_id = db.session.scalar(
        select(Export.id).where(Export.state == "queued").order_by(Export.id).limit(1)
    )
    db.session.commit()
    if export_id is None:
        return 0
    return 1 if build_export(export_id) else 0


@shared_task(name="proposals.documents.maintain_exports", ignore_result=True)
def maintain_task():
    """The beat's upkeep of the exports, every SWEEP_INTERVAL_SECONDS."""
    return maintain()
