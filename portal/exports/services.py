"""Exports in the request or on the queue, by size.

A module registers each of its exports once, `@register("sales")` on a builder
`builder(viewer) -> Export` that reads the list's filters from `request.args` and writes headers and
coded values in the current language. Its view answers with `respond(viewer, "sales", fmt)`:

- up to EXPORT_QUEUE_ROWS rows, the file is written in the request, streamed from a temporary
  file (linear time, flat memory: portal.spreadsheets);
- beyond, a job (ExportJob) is committed and `export_job` enqueued; the person is sent to its
  progress page, which polls until the file is ready, and is told by a notification
  ("Print job or export finished"). The worker runs the same builder inside a request context
  rebuilt from the saved query arguments and language, so the file is the one the request would
  have written. Progress is written on a connection of its own (the rows are still being read);
  the file and the end state are stored together in one short write (portal.queue.settle).
"""
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from flask import current_app, redirect, request, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wsgi import wrap_file

from portal import queue, spreadsheets
from portal.database import writing
from portal.extensions import db
from portal.kernel.downloads import download
from portal.models import User, utcnow
from portal.models.exports import ExportJob, ExportJobState
from portal.notifications.services import notify

FORMATS = ("csv", "xlsx")
#: Progress is written when at least this long has passed, checked every PROGRESS_ROWS rows.
PROGRESS_SECONDS = 0.5
PROGRESS_ROWS = 500


@dataclass
class Export:
    """An export ready to write: the file name without its extension, the sheet's title, the
    columns (spreadsheets.Column), the rows (an iterable read lazily) and how many there are."""

    stem: str
    title: str
    columns: Sequence
    rows: Iterable[Sequence]
    count: Callable[[], int]


_BUILDERS: dict[str, Callable[[User], Export]] = {}


def register(kind: str):
    """Register `builder(viewer) -> Export` as the export named `kind`."""
    def decorator(builder):
        _BUILDERS[kind] = builder
        return builder
    return decorator


def write(export: Export, fmt: str):
    """The export's file as a rewound temporary file."""
    if fmt == "xlsx":
        return spreadsheets.xlsx_file(export.title, export.columns, export.rows)
    return spreadsheets.csv_file(export.columns, export.rows)


def respond(viewer: User, kind: str, fmt: str):
    """The answer to an export request: the file itself when it is small, else a queued job
    (303 to its progress page)."""
    fmt = fmt if fmt in FORMATS else "csv"
    export = _BUILDERS[kind](viewer)
    total = export.count()
    if total > current_app.config["EXPORT_QUEUE_ROWS"]:
        job_id = start(viewer, kind, fmt, total)
        return redirect(url_for("exports.job", export_job_id=job_id), code=303)
    return download(wrap_file(request.environ, write(export, fmt)), f"{export.stem}.{fmt}")


def start(viewer: User, kind: str, fmt: str, total: int) -> int:
    """Commit a job for this export (or find the same one still waiting or running: a second
    click does not start a second export) and put it on the queue; its id."""
    args = {key: request.args.getlist(key) for key in request.args}
    locale = str(get_locale())
    db.session.rollback()  # end the reads: the write below takes the lock up front
    with writing():
        job_id = db.session.scalar(select(ExportJob.id).where(
            ExportJob.requested_by_id == viewer.id, ExportJob.kind == kind,
            ExportJob.format == fmt, ExportJob.locale == locale,
            ExportJob.state.in_([ExportJobState.QUEUED, ExportJobState.RUNNING]))
            .order_by(ExportJob.id.desc()))
        same = job_id is not None and db.session.get(ExportJob, job_id).args == args
        if not same:
            job = ExportJob(requested_by_id=viewer.id, kind=kind, args=args, format=fmt,
                            locale=locale, total=total, state=ExportJobState.QUEUED)
            db.session.add(job)
            db.session.flush()
            job_id = job.id  # read before the commit
        db.session.commit()
    if not same:
        export_job(job_id)  # enqueued after the commit, so the worker finds the job
    return job_id


def _counted(job_id: int, rows: Iterable, tally: list[int]) -> Iterator:
    """The rows, counting them into tally[0] and writing progress now and then."""
    last = time.monotonic()
    for row in rows:
        yield row
        tally[0] += 1
        if tally[0] % PROGRESS_ROWS == 0 and time.monotonic() - last >= PROGRESS_SECONDS:
            queue.renew_aside(ExportJob, job_id, done=tally[0])
            last = time.monotonic()


def run_export(job_id: int) -> None:
    """Write a job's file with the builder of its export, as its requester in their language,
    then store it with the end state in one write and tell the requester. A job already done,
    failed or held by a live worker is left alone; one retried after its worker died starts again."""
    if not queue.claim(ExportJob, job_id):
        return
    job = db.session.get(ExportJob, job_id)
    kind, args, fmt, locale, user_id = job.kind, job.args, job.format, job.locale, job.requested_by_id
    db.session.rollback()
    queue.renew(ExportJob, job_id, done=0, error="")
    tally = [0]
    try:
        with current_app.test_request_context("/", query_string=MultiDict(
                [(k, v) for k, values in args.items() for v in values])), force_locale(locale):
            viewer = db.session.get(User, user_id)
            export = _BUILDERS[kind](viewer)
            export.rows = _counted(job_id, export.rows, tally)
            body = write(export, fmt)
            filename = f"{export.stem}.{fmt}"
        db.session.rollback()
        content = body.read()
        queue.settle(ExportJob, job_id, "done", done=tally[0], total=tally[0],
                     content=content, size=len(content), filename=filename[:255],
                     finished_at=utcnow())
        tell_requester(job_id)
    except Exception:  # the job records its failure; the worker log has the trace
        db.session.rollback()
        current_app.logger.error("export job %s failed:\n%s", job_id, traceback.format_exc())
        queue.settle(ExportJob, job_id, "failed", error="export failed", finished_at=utcnow())


def tell_requester(job_id: int) -> None:
    """The requester hears that the file is ready (once: a retried job tells nobody twice), by
    the channel they chose for "print job or export finished"."""
    job = db.session.get(ExportJob, job_id)
    requester = db.session.get(User, job.requested_by_id)
    with current_app.test_request_context("/"):  # url_for in the worker, outside a request
        link = url_for("exports.job", export_job_id=job_id)
    with writing():
        notify(requester, "job_finished", {"what": job.filename}, link,
               event_key=f"job_finished:export:{job_id}")
        db.session.commit()


@queue.recoverable(ExportJob)
@queue.background_task()
def export_job(job_id: int) -> None:
    """The queued task of an export job: run by the consumer in an app context."""
    run_export(job_id)
