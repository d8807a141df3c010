"""What every import's check step shares: the header row of the chosen sheet found through the
import's synonyms, the data rows with the file's own line numbers, and checked files kept on
the server between the check and the import (and run on the queue when they are big).

An import (sales, customers, targets) declares its columns, reads the file with `locate`, checks
each of `data_rows` with its own rules, keeps the file with `keep_checked` and, above its row
limit, hands the job to the queue, whose task calls `run_job`. The page's side of that (the
upload, the kept file checked again or confirmed) is portal.spreadsheets.flow.check_step.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.database import writing
from portal.extensions import db
from portal.models import User, utcnow
from portal.models.sales import ImportJob, ImportJobState
from portal.spreadsheets import values as cells
from portal.spreadsheets.reading import SpreadsheetError, Table, read
from portal.spreadsheets.writing import FORMULA_STARTS


@dataclass
class Located:
    """A sheet with its header row found: column key → cell index, key → the file's header."""

    table: Table
    index: int
    columns: dict[str, int]
    headers: dict[str, str]

    @property
    def sheet(self) -> str:
        return self.table.sheet

    @property
    def sheets(self) -> list[str]:
        return self.table.sheets


def unguard(text: str) -> str:
    """A text cell without the formula guard's apostrophe (the portal's own CSV exports)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def locate(filename: str, content: bytes, synonyms: dict, required: tuple | list, labels: dict,
           max_rows: int, sheet: str | None = None) -> Located:
    """Read the file (the chosen sheet, else the first with a recognisable header) and find
    its header row; SpreadsheetError naming the missing columns in the reader's language.

    `required`: the column keys the header must name, or a list of such tuples (any one)."""
    alternatives = required if isinstance(required, list) else [required]

    def header(rows):
        for needed in alternatives:
            found = cells.find_header(rows, synonyms, needed)
            if found is not None:
                return found
        return None

    table = read(filename, content, max_rows=max_rows + 16,
                 pick=lambda t: header(t.rows) is not None, sheet=sheet)
    found = header(table.rows)
    required = alternatives[0]
    if found is None:
        if not any(any(cells.text(c) for c in row) for row in table.rows):
            raise SpreadsheetError(_l("The file is empty."))
        _, named = cells.best_header_guess(table.rows, synonyms)
        missing = [str(labels[k]) for k in required if k not in named]
        if len(table.sheets) > 1:
            error = SpreadsheetError(_l(
                "No header row of the sheet “%(sheet)s” names the columns: %(names)s. Choose "
                "another sheet, or put a header row above the data.",
                sheet=table.sheet, names=", ".join(missing)))
            error.sheets = table.sheets  # the choice offered again
            raise error
        raise SpreadsheetError(_l("No header row names the columns: %(names)s. Put a header "
                                  "row above the data (title rows above it are fine).",
                                  names=", ".join(missing)))
    index, columns = found
    headers = {k: cells.text(table.rows[index][i]) for k, i in columns.items()}
    if table.truncated and len(table.rows) - index - 1 > max_rows:
        raise SpreadsheetError(_l("At most %(n)d rows per file.", n=max_rows))
    return Located(table, index, columns, headers)


def data_rows(located: Located):
    """(line number in the file, {column key: cell value}) of each non-blank row below the
    header; blank lines are skipped but counted, so the numbers are the sheet's own."""
    for number, values in enumerate(located.table.rows[located.index + 1:],
                                    start=located.index + 2):
        picked = {k: (values[i] if i < len(values) else None)
                  for k, i in located.columns.items()}
        if any(cells.text(v) for v in picked.values()):
            yield number, picked


def sheet_choice(value) -> str | None:
    """The sheet a person chose (a form value), None for the default."""
    value = (value or "").strip()
    return value[:100] or None


# --- checked files and background imports --------------------------------------------------

def keep_checked(kind: str, filename: str, content: bytes, user: User, total: int,
                 options: dict | None = None) -> ImportJob:
    """Keep a checked file on the server until the person confirms; the caller commits."""
    import hashlib

    job = ImportJob(kind=kind, filename=filename[:255], content=content,
                    digest=hashlib.sha256(content).hexdigest(), requested_by_id=user.id,
                    total=total, state=ImportJobState.CHECKED, options=dict(options or {}))
    db.session.add(job)
    return job


def checked_job_or_404(user: User, job_id: int, kind: str) -> ImportJob:
    """The person's own kept file (checked, running or done) of this kind, else 404."""
    return db.first_or_404(select(ImportJob).where(
        ImportJob.id == job_id, ImportJob.kind == kind, ImportJob.requested_by_id == user.id))


def job_progress(job_id: int, **values) -> None:
    """Record a step of a background import in its own short write transaction."""
    with writing():
        db.session.execute(update(ImportJob).where(ImportJob.id == job_id)
                           .values(heartbeat_at=utcnow(), **values))
        db.session.commit()


class Refused(Exception):
    """A background import that writes nothing; the message is for the person."""


def run_job(job_id: int, work, failed_message) -> None:
    """Run a queued import: claim it (queued → running; else do nothing), call
    `work(job, user, progress)`, which writes and commits and returns the result's counts,
    and record the end. `Refused` ends it failed with its message, anything else with
    `failed_message` (the trace goes to the log)."""
    with writing():
        claimed = db.session.execute(
            update(ImportJob).where(ImportJob.id == job_id,
                                    ImportJob.state == ImportJobState.QUEUED)
            .values(state=ImportJobState.RUNNING, heartbeat_at=utcnow(), done=0, error=""))
        db.session.commit()
    if claimed.rowcount != 1:
        return
    job = db.session.get(ImportJob, job_id)
    user = db.session.get(User, job.requested_by_id)
    try:
        result = work(job, user, lambda done: job_progress(job_id, done=done))
        job_progress(job_id, state=ImportJobState.DONE, finished_at=utcnow(), content=b"",
                     done=result.get("imported", 0), result=result)
    except Refused as refusal:
        db.session.rollback()
        job_progress(job_id, state=ImportJobState.FAILED, finished_at=utcnow(),
                     error=str(refusal))
    except Exception:  # the job records its failure; the server log has the trace
        db.session.rollback()
        current_app.logger.exception("%s import job %s failed", job.kind, job_id)
        job_progress(job_id, state=ImportJobState.FAILED, finished_at=utcnow(),
                     error=str(failed_message))
