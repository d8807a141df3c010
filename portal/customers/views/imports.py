"""Importing customers from CSV or Excel: check, then import (the rules: customers/imports.py)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import spreadsheets
from portal.customers import bp, imports
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.models import Role, utcnow
from portal.models.sales import ImportJobState
from portal.spreadsheets import checking

MAX_UPLOAD = spreadsheets.MAX_UPLOAD


def _upload():
    """(filename, content, error) of the uploaded file."""
    upload = request.files.get("file")
    if not upload or not upload.filename:
        return "", b"", _("Choose a file.")
    content = upload.stream.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return "", b"", _("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD // (1024 * 1024))
    if not content:
        return "", b"", _("Choose a file.")
    return upload.filename.replace("\x00", ""), content, None


@bp.route("/import", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def customer_import():
    """Check a customer file row by row (new, to update, unchanged, already there, wrong) and
    keep it on the server; then import everything (refused if a row is wrong) or, explicitly,
    the good rows only. Who may import is who may create customers. Big files run in the
    background, with progress."""
    form = ConfirmForm()
    report, error, job, sheets = None, None, None, []
    update_existing = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        action = request.form.get("action", "check")
        job_id = request.form.get("job", type=int)
        sheet = checking.sheet_choice(request.form.get("sheet"))
        update_existing = request.form.get("update") == "1"
        if request.files.get("file") or not job_id:
            filename, content, error = _upload()
        else:  # the kept file: checked again (another sheet, the update choice) or imported
            job = checking.checked_job_or_404(current_user, job_id, imports.KIND)
            if job.state != ImportJobState.CHECKED:
                return redirect(url_for("customers.customer_import_job",
                                        customer_import_id=job.id), code=303)
            filename, content = job.filename, job.content
            if update_existing != bool(job.options.get("update")) or (
                    "sheet" in request.form and sheet != job.options.get("sheet")):
                action = "check"  # choices changed on the check page: check again first
            if action == "check":
                job.options = {**job.options, "sheet": sheet, "update": update_existing}
            else:
                sheet, update_existing = job.options.get("sheet"), job.options.get("update")
        if not error:
            try:
                report = imports.check_file(filename, content, current_user,
                                            bool(update_existing), sheet=sheet)
            except spreadsheets.SpreadsheetError as failure:
                error, sheets = str(failure), getattr(failure, "sheets", [])
        if report is not None and job is None:
            job = checking.keep_checked(imports.KIND, filename, content, current_user,
                                        len(report.rows), {"sheet": report.sheet or None,
                                                           "update": update_existing})
            db.session.commit()
        elif job is not None and action == "check":
            if report is not None:
                job.options = {**job.options, "sheet": report.sheet or None}
            db.session.commit()
        if report is not None and action in ("import_all", "import_good"):
            only_good = action == "import_good"
            if report.bad_rows and not only_good:
                error = _("Nothing was imported: correct the rows marked below, or import the "
                          "good rows only.")
            elif len(report.good_rows) > imports.MAX_ROWS:
                job.state = ImportJobState.QUEUED
                job.options = {**job.options, "only_good": only_good}
                job.total = len(report.good_rows)
                job_id = job.id  # read before the commit (see targets' sales import)
                db.session.commit()
                imports.import_job_task(job_id)
                return redirect(url_for("customers.customer_import_job",
                                        customer_import_id=job_id), code=303)
            else:
                result = imports.import_rows(report, current_user, only_good=only_good)
                job.state, job.content, job.finished_at = ImportJobState.DONE, b"", utcnow()
                job.done = job.total = result["imported"] + result["updated"]
                job.result = result
                db.session.commit()
                flash(_("%(n)d customers added, %(u)d updated; %(s)d unchanged and %(d)d "
                        "already there were left as they are; %(r)d rows left out.",
                        n=result["imported"], u=result["updated"], s=result["unchanged"],
                        d=result["duplicate"], r=result["rejected"]), "success")
                return redirect(url_for("customers.index"), code=303)
    return render("customers/import.html", form=form, report=report, error=error, job=job,
                  sheets=sheets, update_existing=update_existing, max_rows=imports.MAX_ROWS,
                  status=422 if error else 200)


@bp.route("/import/<int:customer_import_id>")
@audience(Role.STAFF, Role.MANAGER)
def customer_import_job(customer_import_id: int):
    """The progress of a background customer import (polled while it runs)."""
    job = checking.checked_job_or_404(current_user, customer_import_id, imports.KIND)
    return render("customers/import_job.html", "customers/_import_job.html", job=job,
                  running=job.state in (ImportJobState.QUEUED, ImportJobState.RUNNING))
