"""The check step of the spreadsheet imports (customers, sales, the targets grid), written once.

A person uploads a file; it is checked row by row and kept on the server (an ImportJob), so the
check page can check it again (another sheet, other choices) and the confirmation does not carry
the file back. On confirmation a file with wrong rows is refused unless only the good rows are
asked for, and a file above the import's row limit goes to the task queue.

What differs between the imports is given by the view: the kind of job, the check itself, the
choices kept with the file, the answer for a file no longer waiting (its progress page), and the
row limit and task of background imports. Writing the rows and saying what was written stay in
the view, since no two imports write or say the same thing.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal.extensions import db
from portal.models import User, utcnow
from portal.models.sales import ImportJob, ImportJobState
from portal.spreadsheets.checking import checked_job_or_404, keep_checked, sheet_choice
from portal.spreadsheets.reading import MAX_UPLOAD, SpreadsheetError


class Background(NamedTuple):
    """An import that runs on the queue above `max_rows` good rows: `enqueue(job_id)`."""

    max_rows: int
    enqueue: Callable[[int], None]


@dataclass
class CheckStep:
    """Where the check step ended: an `answer` to send as it is (the progress page), rows
    `confirmed` for the view to write now, or else the import page to show (`page`)."""

    form: FlaskForm
    report: object | None = None
    error: str | None = None
    job: ImportJob | None = None
    #: The workbook's sheets offered again after a failed check of a kept file.
    sheets: list[str] = field(default_factory=list)
    answer: Response | None = None
    confirmed: bool = False
    only_good: bool = False

    @property
    def page(self) -> dict:
        """The import page's arguments; 422 with an error, so htmx swaps the page in."""
        return {"form": self.form, "report": self.report, "error": self.error, "job": self.job,
                "sheets": self.sheets, "status": 422 if self.error else 200}

    def finish(self, result: dict, written: int | None = None) -> None:
        """Record the import written in the request: done, the file emptied, its counts
        (`written`, when given, as the job's done and total); the caller commits."""
        job = self.job
        job.state, job.content, job.finished_at = ImportJobState.DONE, b"", utcnow()
        if written is not None:
            job.done = job.total = written
        job.result = result


def read_upload() -> tuple[str, bytes, str | None]:
    """(filename, content, error) of the uploaded file, at most MAX_UPLOAD bytes."""
    upload = request.files.get("file")
    content = upload.stream.read(MAX_UPLOAD + 1) if upload else b""
    if not content:
        return "", b"", _("Choose a file.")
    if len(content) > MAX_UPLOAD:
        return "", b"", _("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD // (1024 * 1024))
    return upload.filename.replace("\x00", ""), content, None


def check_step(form: FlaskForm, user: User, kind: str, check: Callable[..., object], *,
               answer_job: Callable[[int], Response], choices: dict | None = None,
               background: Background | None = None) -> CheckStep:
    """Run an import's check step for this request.

    `check(filename, content, sheet, **choices)` answers the import's report (`rows`,
    `good_rows`, `bad_rows`, `sheet`) or raises SpreadsheetError (with `sheets` to choose from).
    `choices`: the person's choices on this request's form (customers: update existing ones),
    kept with the file; a change of them or of the sheet on the check page checks the file
    again instead of importing it. `answer_job(job_id)`: the answer for a kept file that is
    queued, running or done, and for one just queued (`background`).
    """
    step = CheckStep(form)
    if request.method != "POST":
        return step
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action", "check")
    sheet = sheet_choice(request.form.get("sheet"))
    job_id = request.form.get("job", type=int)
    choices = dict(choices or {})
    if request.files.get("file") or not job_id:
        filename, content, step.error = read_upload()
    else:  # the kept file: checked again (another sheet, other choices) or imported
        job = step.job = checked_job_or_404(user, job_id, kind)
        if job.state != ImportJobState.CHECKED:
            step.answer = answer_job(job.id)
            return step
        filename, content = job.filename, job.content
        if any(job.options.get(key) != value for key, value in choices.items()) or (
                "sheet" in request.form and sheet != job.options.get("sheet")):
            action = "check"  # choices changed on the check page: check again first
        if action == "check":
            job.options = {**job.options, "sheet": sheet, **choices}
        else:
            sheet = job.options.get("sheet")
    if step.error is None:
        try:
            step.report = check(filename, content, sheet, **choices)
        except SpreadsheetError as failure:
            step.error, step.sheets = str(failure), getattr(failure, "sheets", [])
    _keep(step, kind, user, filename, content, choices, rechecked=action == "check")
    if step.report is not None and action in ("import_all", "import_good"):
        _confirm(step, action == "import_good", background, answer_job)
    return step


def _keep(step: CheckStep, kind: str, user: User, filename: str, content: bytes,
          choices: dict, rechecked: bool) -> None:
    """Keep a newly checked file, or the sheet a kept file was read from, and commit."""
    if step.report is not None and step.job is None:
        step.job = keep_checked(kind, filename, content, user, len(step.report.rows),
                                {"sheet": step.report.sheet or None, **choices})
        db.session.commit()
    elif step.job is not None and rechecked:
        if step.report is not None:
            step.job.options = {**step.job.options, "sheet": step.report.sheet or None}
        db.session.commit()


def _confirm(step: CheckStep, only_good: bool, background: Background | None,
             answer_job: Callable[[int], Response]) -> None:
    """The person confirmed: refuse a file with wrong rows (unless only the good ones are
    asked for), queue a big one, or mark the rows confirmed for the view to write."""
    report, job = step.report, step.job
    step.only_good = only_good
    if report.bad_rows and not only_good:
        step.error = _("Nothing was imported: correct the rows marked below, or import the "
                       "good rows only.")
    elif background is not None and len(report.good_rows) > background.max_rows:
        job.state = ImportJobState.QUEUED
        job.options = {**job.options, "only_good": only_good}
        job.total = len(report.good_rows)
        job_id = job.id  # read before the commit: after it, a read would begin a
        db.session.commit()  # write transaction that the queued task then waits on
        background.enqueue(job_id)
        step.answer = answer_job(job_id)
    else:
        step.confirmed = True
